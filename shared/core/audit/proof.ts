// Receipts: the c2sp.org/tlog-proof@v1 format (a record's index, its RFC 9162 inclusion proof and the signed
// checkpoint of the tree it is in), written, parsed strictly and verified offline with the log's public key.

import { WardenError } from '../errors.ts';
import { HASH_SIZE, hashLeaf, inclusionProof, rootHash, verifyInclusion } from './merkle.ts';
import {
  type Checkpoint,
  decodeBase64,
  describeKey,
  type NoteVerifier,
  openNote,
  parseCheckpoint,
  parseNote,
} from './note.ts';

/** The first line of every proof. */
export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';

/** More hashes than any tree of 2^53 leaves needs (its inclusion proofs have at most 53). */
const MAX_PROOF_HASHES = 64;

/** A parsed proof. `checkpoint` is the signed note exactly as the log wrote it. */
export interface TlogProof {
  /**
   * Opaque, unauthenticated extra data (the spec's `extra` line). Warden puts the record's bytes here, so a
   * receipt is self-contained; they count only once the inclusion proof ties them to the signed root.
   */
  extra?: Uint8Array;
  index: number;
  inclusion: Uint8Array[];
  checkpoint: string;
}

function malformed(message: string): WardenError {
  return new WardenError('invalid_argument', `malformed proof: ${message}`);
}

/** The proof's text (c2sp.org/tlog-proof section "Format"). */
export function formatProof(proof: TlogProof): string {
  if (!Number.isSafeInteger(proof.index) || proof.index < 0)
    throw malformed('an index is a non-negative integer');
  if (proof.inclusion.some((h) => h.length !== HASH_SIZE)) throw malformed('an inclusion hash is 32 bytes');
  parseNote(proof.checkpoint);
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
  return [
    TLOG_PROOF_HEADER,
    ...(proof.extra ? [`extra ${b64(proof.extra)}`] : []),
    `index ${proof.index}`,
    ...proof.inclusion.map(b64),
    '',
    proof.checkpoint,
  ].join('\n');
}

/**
 * Parses a proof strictly: the header line; an optional `extra <base64>` line; `index <decimal, no leading
 * zeros>`; zero or more base64 32-byte hashes, one per line; an empty line; a well-formed signed note.
 */
export function parseProof(input: string | Uint8Array): TlogProof {
  let text: string;
  try {
    text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    throw malformed('it is not UTF-8');
  }
  const lines = text.split('\n');
  let at = 0;
  if (lines[at++] !== TLOG_PROOF_HEADER) throw malformed(`the first line is not "${TLOG_PROOF_HEADER}"`);
  let extra: Uint8Array | undefined;
  if (lines[at]?.startsWith('extra ')) extra = decodeBase64(lines[at++]!.slice(6), 'the extra line');
  const index = /^index (0|[1-9][0-9]*)$/.exec(lines[at++] ?? '')?.[1];
  if (index === undefined || !Number.isSafeInteger(Number(index)))
    throw malformed(`line ${at} is not "index <decimal without leading zeros>"`);
  const inclusion: Uint8Array[] = [];
  for (; at < lines.length && lines[at] !== ''; at++) {
    const hash = decodeBase64(lines[at]!, `line ${at + 1}`);
    if (hash.length !== HASH_SIZE) throw malformed(`line ${at + 1} is not a 32-byte hash`);
    if (inclusion.push(hash) > MAX_PROOF_HASHES)
      throw malformed(`more than ${MAX_PROOF_HASHES} proof hashes`);
  }
  if (at >= lines.length) throw malformed('no empty line before the checkpoint');
  const checkpoint = lines.slice(at + 1).join('\n');
  try {
    parseCheckpoint(parseNote(checkpoint).text);
  } catch (err) {
    throw malformed(`the checkpoint: ${(err as Error).message}`);
  }
  return { ...(extra ? { extra } : {}), index: Number(index), inclusion, checkpoint };
}

/**
 * The proof for leaf `index` against a signed checkpoint, from the leaf hashes of the log (at least the
 * checkpoint's size of them). Fails closed: the checkpoint's root must be the root of those leaves.
 */
export function proveRecord(
  index: number,
  leafHashes: readonly Uint8Array[],
  signedCheckpoint: string,
  extra?: Uint8Array,
): TlogProof {
  const checkpoint = parseCheckpoint(parseNote(signedCheckpoint).text);
  if (checkpoint.size > leafHashes.length)
    throw new WardenError(
      'invalid_argument',
      `the checkpoint covers ${checkpoint.size} records, more than given`,
    );
  const leaves = leafHashes.slice(0, checkpoint.size);
  if (!Buffer.from(rootHash(leaves)).equals(checkpoint.rootHash))
    throw new WardenError('integrity', 'the checkpoint root hash is not the root of these records');
  return {
    ...(extra ? { extra } : {}),
    index,
    inclusion: inclusionProof(index, leaves),
    checkpoint: signedCheckpoint,
  };
}

/** What verifying a proof found: the checkpoint and signers, or why it failed (one line, no record content). */
export type ProofVerdict =
  | { ok: true; index: number; checkpoint: Checkpoint; signedBy: string[] }
  | { ok: false; reason: string };

export interface VerifyProofOptions {
  /** The record's bytes (the leaf input). Without it, the proof's `extra` bytes are the record. */
  record?: Uint8Array;
  /**
   * The keys trusted to sign checkpoints, or a function giving them for a checkpoint's origin (Warden's log
   * key is named after the origin it signs).
   */
  verifiers: readonly NoteVerifier[] | ((origin: string) => readonly NoteVerifier[]);
  /** When set, the only origin accepted. */
  origin?: string;
}

/**
 * Verifies a proof offline (c2sp.org/tlog-proof section "Verifying a tlog proof"): 1. the leaf hash of the
 * record, 2. the checkpoint's signature by a trusted key for its origin, 3. (witness policy: not yet), 4. the
 * inclusion proof from the leaf to the signed root at the proof's index.
 */
export function verifyProof(
  input: string | Uint8Array | TlogProof,
  options: VerifyProofOptions,
): ProofVerdict {
  const fail = (reason: string): ProofVerdict => ({ ok: false, reason });
  let proof: TlogProof;
  try {
    proof = typeof input === 'string' || input instanceof Uint8Array ? parseProof(input) : input;
  } catch (err) {
    return fail((err as Error).message);
  }
  // 1. The record, and its leaf hash (RFC 9162: SHA-256(0x00 || record bytes)).
  const record = options.record ?? proof.extra;
  if (!record) return fail('no record to check: the proof has no extra line and none was given');
  if (options.record && proof.extra && !Buffer.from(options.record).equals(proof.extra))
    return fail('the record given differs from the record the proof carries');
  const leaf = hashLeaf(record);
  // 2. The checkpoint, signed by a known key for its origin.
  let checkpoint: Checkpoint;
  let signedBy: NoteVerifier[];
  try {
    const note = parseNote(proof.checkpoint);
    checkpoint = parseCheckpoint(note.text);
    if (options.origin !== undefined && checkpoint.origin !== options.origin)
      return fail(`the checkpoint is for origin "${checkpoint.origin}", not "${options.origin}"`);
    const keys =
      typeof options.verifiers === 'function' ? options.verifiers(checkpoint.origin) : options.verifiers;
    signedBy = openNote(proof.checkpoint, keys).signedBy;
  } catch (err) {
    return fail(`checkpoint: ${(err as Error).message}`);
  }
  // 4. The inclusion proof.
  if (proof.index >= checkpoint.size)
    return fail(`index ${proof.index} is outside the checkpointed tree of ${checkpoint.size} records`);
  if (!verifyInclusion(proof.index, checkpoint.size, leaf, proof.inclusion, checkpoint.rootHash))
    return fail(
      `the inclusion proof does not lead from the record at index ${proof.index} to the checkpoint's root ` +
        `(tree size ${checkpoint.size}): the record, its index or a proof hash was altered`,
    );
  return { ok: true, index: proof.index, checkpoint, signedBy: signedBy.map(describeKey) };
}
