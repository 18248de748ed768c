// A transparency-log witness (c2sp.org/tlog-witness): it keeps the last checkpoint it cosigned per log origin,
// accepts a new checkpoint only with a valid RFC 9162 consistency proof from that one, and cosigns it with its
// own Ed25519 key as a c2sp.org/tlog-cosignature (type 0x04, "cosignature/v1"). Run by an auditor outside the
// operator's control, it makes two histories of one log impossible to present to those who require its
// cosignature: even someone holding the audit key and the bucket. Pure: state in, state out; the caller stores.

import { createHash, createPublicKey, type KeyObject, sign as signWith, verify } from 'node:crypto';
import { EMPTY_ROOT, HASH_SIZE, verifyConsistency } from './merkle.ts';
import {
  type Checkpoint,
  decodeBase64,
  describeKey,
  formatNote,
  isValidKeyName,
  type NoteSignature,
  type NoteVerifier,
  openNote,
  parseCheckpoint,
  parseNote,
} from './note.ts';

/** Signature type 0x04: a timestamped Ed25519 cosignature/v1 (c2sp.org/tlog-cosignature). */
export const SIGNATURE_TYPE_COSIGNATURE_V1 = 0x04;

/** The most consistency proof lines a client may send (c2sp.org/tlog-witness, add-checkpoint). */
export const MAX_CONSISTENCY_LINES = 63;

const utf8 = new TextEncoder();

/** What the witness remembers of one log: its latest cosigned checkpoint. */
export interface WitnessedLog {
  size: number;
  /** Base64 of the 32-byte root hash. */
  rootHash: string;
  /** The checkpoint as cosigned: the log's note with the witness's cosignature line added. */
  checkpoint: string;
  /** When it was cosigned (the cosignature's timestamp), ISO 8601 UTC. */
  cosignedAt: string;
}

/** A witness's state: the latest cosigned checkpoint per log origin. JSON-serializable as it is. */
export interface WitnessState {
  logs: Record<string, WitnessedLog>;
}

export const EMPTY_WITNESS_STATE: WitnessState = { logs: {} };

/** An add-checkpoint request: the size the client believes the witness holds, a proof from it, the checkpoint. */
export interface AddCheckpointRequest {
  oldSize: number;
  consistency: Uint8Array[];
  /** The signed checkpoint note, as the log wrote it (it may carry other signatures). */
  checkpoint: string;
}

/**
 * Why a witness refused, with the HTTP status c2sp.org/tlog-witness gives it: `unknown-log` 404; `bad-signature`
 * 403; `malformed` 400; `rollback` 400 (the checkpoint is smaller than the size the client says the witness
 * holds); `stale` 409 (the old size is not the witness's: `storedSize` says what is); `bad-empty-root` 422;
 * `fork` 422 (same size as the stored checkpoint, another root); `inconsistent` 422 (the consistency proof does
 * not verify: a fork, or records altered under the stored checkpoint).
 */
export type WitnessRefusalKind =
  | 'unknown-log'
  | 'bad-signature'
  | 'malformed'
  | 'rollback'
  | 'stale'
  | 'bad-empty-root'
  | 'fork'
  | 'inconsistent';

const STATUS: Record<WitnessRefusalKind, number> = {
  'unknown-log': 404,
  'bad-signature': 403,
  malformed: 400,
  rollback: 400,
  stale: 409,
  'bad-empty-root': 422,
  fork: 422,
  inconsistent: 422,
};

export type AddCheckpointResult =
  | {
      ok: true;
      state: WitnessState;
      origin: string;
      checkpoint: Checkpoint;
      /** The response body of add-checkpoint: the cosignature line, ending in "\n". */
      cosignature: string;
      /** The submitted note with the cosignature appended (what the witness stores). */
      cosigned: string;
    }
  | {
      ok: false;
      kind: WitnessRefusalKind;
      status: number;
      message: string;
      origin?: string;
      /** For `stale`: the size of the latest checkpoint the witness cosigned (the 409 body). */
      storedSize?: number;
    };

/** A witness key that cosigns: its name, key id and an Ed25519 signature over a message. */
export interface Cosigner {
  name: string;
  keyId: number;
  sign(message: Uint8Array): Uint8Array;
}

export interface WitnessConfig {
  /** The keys trusted to sign checkpoints of `origin`; undefined for a log the witness does not serve (404). */
  logKeys: (origin: string) => readonly NoteVerifier[] | undefined;
  cosigner: Cosigner;
  /** The cosignature's time (seconds are kept). */
  now: Date;
}

function refuse(
  kind: WitnessRefusalKind,
  message: string,
  extra: { origin?: string; storedSize?: number } = {},
): AddCheckpointResult {
  return { ok: false, kind, status: STATUS[kind], message, ...extra };
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/**
 * add-checkpoint (c2sp.org/tlog-witness): verifies the log's signature, the old size against the stored one
 * and the consistency proof from the stored checkpoint, then cosigns and returns the new state. The checks run
 * in the specification's order; nothing is cosigned and the state is unchanged unless all pass.
 */
export function addCheckpoint(
  state: WitnessState,
  request: AddCheckpointRequest,
  config: WitnessConfig,
): AddCheckpointResult {
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(parseNote(request.checkpoint).text);
  } catch (err) {
    return refuse('malformed', `the checkpoint is malformed: ${(err as Error).message}`);
  }
  const { origin } = checkpoint;
  const keys = config.logKeys(origin);
  if (!keys || keys.length === 0) return refuse('unknown-log', `no log "${origin}" is known to this witness`);
  try {
    openNote(request.checkpoint, keys);
  } catch (err) {
    return refuse('bad-signature', `checkpoint of ${origin}: ${(err as Error).message}`, { origin });
  }
  if (!Number.isSafeInteger(request.oldSize) || request.oldSize < 0)
    return refuse('malformed', 'the old size is a non-negative integer', { origin });
  if (
    request.consistency.length > MAX_CONSISTENCY_LINES ||
    request.consistency.some((h) => h.length !== HASH_SIZE)
  )
    return refuse('malformed', `a consistency proof is at most ${MAX_CONSISTENCY_LINES} 32-byte hashes`, {
      origin,
    });
  const stored = state.logs[origin];
  const storedSize = stored?.size ?? 0;
  if (request.oldSize > checkpoint.size)
    return refuse(
      'rollback',
      `${origin}: the checkpoint has ${checkpoint.size} records, fewer than the ${request.oldSize} already witnessed`,
      { origin },
    );
  if (request.oldSize !== storedSize)
    return refuse('stale', `${origin}: the witness holds size ${storedSize}, not ${request.oldSize}`, {
      origin,
      storedSize,
    });
  if (checkpoint.size === 0 && !Buffer.from(checkpoint.rootHash).equals(EMPTY_ROOT))
    return refuse('bad-empty-root', `${origin}: a checkpoint of size 0 has the empty tree's root`, {
      origin,
    });
  if (storedSize === 0) {
    if (request.consistency.length > 0)
      return refuse('inconsistent', `${origin}: a proof from size 0 is empty`, { origin });
  } else {
    const storedRoot = decodeBase64(stored!.rootHash, 'the stored root hash');
    if (checkpoint.size === storedSize) {
      if (request.consistency.length > 0 || !Buffer.from(storedRoot).equals(checkpoint.rootHash))
        return refuse(
          'fork',
          `${origin}: a checkpoint of size ${storedSize} with root ${b64(checkpoint.rootHash)}, but the witness ` +
            `cosigned root ${stored!.rootHash} at that size: two histories`,
          { origin },
        );
    } else if (
      !verifyConsistency(storedSize, checkpoint.size, storedRoot, checkpoint.rootHash, request.consistency)
    )
      return refuse(
        'inconsistent',
        `${origin}: the tree of size ${checkpoint.size} does not extend the witnessed tree of size ${storedSize} ` +
          '(a fork, or records altered under the witnessed checkpoint)',
        { origin },
      );
  }
  const { cosignature, cosigned, timestamp } = cosign(request.checkpoint, config.cosigner, config.now);
  return {
    ok: true,
    origin,
    checkpoint,
    cosignature,
    cosigned,
    state: {
      logs: {
        ...state.logs,
        [origin]: {
          size: checkpoint.size,
          rootHash: b64(checkpoint.rootHash),
          checkpoint: cosigned,
          cosignedAt: new Date(Number(timestamp) * 1000).toISOString(),
        },
      },
    },
  };
}

// --- the add-checkpoint request body (c2sp.org/tlog-witness) ---

/** The request body: "old <size>", one base64 hash per line, an empty line, the checkpoint note. */
export function formatAddCheckpoint(request: AddCheckpointRequest): string {
  return [`old ${request.oldSize}`, ...request.consistency.map(b64), '', request.checkpoint].join('\n');
}

/** Parses a request body strictly (decimal without leading zeros, 32-byte hashes, at most 63 of them). */
export function parseAddCheckpoint(body: string): AddCheckpointRequest {
  const bad = (m: string) => new Error(`malformed add-checkpoint request: ${m}`);
  const end = body.indexOf('\n\n');
  if (end < 0) throw bad('no empty line before the checkpoint');
  const [first, ...hashes] = body.slice(0, end).split('\n');
  const m = /^old (0|[1-9][0-9]*)$/.exec(first ?? '');
  if (!m || !Number.isSafeInteger(Number(m[1]))) throw bad('the first line is not "old <size>"');
  if (hashes.length > MAX_CONSISTENCY_LINES) throw bad(`more than ${MAX_CONSISTENCY_LINES} proof lines`);
  const consistency = hashes.map((h, i) => {
    const bytes = decodeBase64(h, `proof line ${i + 1}`);
    if (bytes.length !== HASH_SIZE) throw bad(`proof line ${i + 1} is not a 32-byte hash`);
    return bytes;
  });
  return { oldSize: Number(m[1]), consistency, checkpoint: body.slice(end + 2) };
}

// --- cosignatures (c2sp.org/tlog-cosignature, Ed25519 cosignature/v1) ---

/** Key id of an Ed25519 cosigner: SHA-256(name || "\n" || 0x04 || 32-byte public key)[:4]. */
export function cosignerKeyId(name: string, publicKey: Uint8Array): number {
  return createHash('sha256')
    .update(utf8.encode(name))
    .update(Uint8Array.of(0x0a, SIGNATURE_TYPE_COSIGNATURE_V1))
    .update(publicKey)
    .digest()
    .readUInt32BE(0);
}

/**
 * The message a cosignature/v1 signs: "cosignature/v1\n", "time <POSIX seconds>\n", then the checkpoint's note
 * text (with its final newline, without signature lines).
 */
export function cosignedMessage(text: string, timestamp: bigint): Uint8Array {
  return utf8.encode(`cosignature/v1\ntime ${timestamp}\n${text}`);
}

function rawEd25519(key: KeyObject): Uint8Array {
  return new Uint8Array(Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url'));
}

/** A cosigner with a local Ed25519 private key (node:crypto). */
export function ed25519Cosigner(name: string, privateKey: KeyObject): Cosigner {
  if (!isValidKeyName(name)) throw new Error(`"${name}" is not a key name (no space, no "+")`);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('a witness key is an Ed25519 private key');
  const publicKey = rawEd25519(createPublicKey(privateKey));
  return {
    name,
    keyId: cosignerKeyId(name, publicKey),
    sign: (message) => new Uint8Array(signWith(null, message, privateKey)),
  };
}

/** Cosigns a signed note: returns the cosignature line, the note with it appended, and its timestamp. */
export function cosign(
  note: string,
  cosigner: Cosigner,
  now: Date,
): { cosignature: string; cosigned: string; timestamp: bigint } {
  const { text, signatures } = parseNote(note);
  // POSIX seconds; never zero (c2sp.org/tlog-witness: the cosignature MUST NOT omit the timestamp).
  const timestamp = BigInt(Math.max(1, Math.floor(now.getTime() / 1000)));
  const signed = new Uint8Array(8 + 64);
  new DataView(signed.buffer).setBigUint64(0, timestamp);
  signed.set(cosigner.sign(cosignedMessage(text, timestamp)), 8);
  const line: NoteSignature = { name: cosigner.name, keyId: cosigner.keyId, signature: signed };
  // A note cosigned before by this key (resubmitted) keeps only the new cosignature.
  const others = signatures.filter((s) => !(s.name === cosigner.name && s.keyId === cosigner.keyId));
  const cosigned = formatNote(text, [...others, line]);
  return {
    cosignature: cosigned.slice(cosigned.lastIndexOf('\n', cosigned.length - 2) + 1),
    cosigned,
    timestamp,
  };
}

/** A witness's public key as verifiers hold it: name, key id and the raw 32-byte Ed25519 key. */
export interface CosignerKey {
  name: string;
  keyId: number;
  publicKey: Uint8Array;
}

/** A cosigner key from a name and an Ed25519 public key (raw 32 bytes or a KeyObject). */
export function cosignerKey(name: string, publicKey: Uint8Array | KeyObject): CosignerKey {
  if (!isValidKeyName(name)) throw new Error(`"${name}" is not a key name (no space, no "+")`);
  const raw = publicKey instanceof Uint8Array ? publicKey : rawEd25519(publicKey);
  if (raw.length !== 32) throw new Error('an Ed25519 public key is 32 bytes');
  return { name, keyId: cosignerKeyId(name, raw), publicKey: raw };
}

/** The vkey text `<name>+<hex key id>+<base64(0x04 || key)>` (c2sp.org/signed-note, c2sp.org/tlog-cosignature). */
export function formatCosignerKey(key: CosignerKey): string {
  return `${key.name}+${key.keyId.toString(16).padStart(8, '0')}+${b64(Buffer.concat([Uint8Array.of(SIGNATURE_TYPE_COSIGNATURE_V1), key.publicKey]))}`;
}

/** Parses a cosigner vkey of type 0x04; its key id must match its name and key. */
export function parseCosignerKey(vkey: string): CosignerKey {
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(vkey.trim());
  if (!m) throw new Error('a witness key is <name>+<8 hex digits>+<base64>');
  const bytes = decodeBase64(m[3]!, 'the witness key');
  if (bytes[0] !== SIGNATURE_TYPE_COSIGNATURE_V1)
    throw new Error(`witness key type ${bytes[0]} is not 0x04 (Ed25519 cosignature/v1)`);
  const key = cosignerKey(m[1]!, bytes.subarray(1));
  if (key.keyId !== Number.parseInt(m[2]!, 16))
    throw new Error("the witness key's id does not match its key");
  return key;
}

function verifyCosignature(key: CosignerKey, text: string, signature: Uint8Array): bigint | undefined {
  if (signature.length !== 8 + 64) return undefined;
  const timestamp = new DataView(signature.buffer, signature.byteOffset, 8).getBigUint64(0);
  if (timestamp === 0n || timestamp > 2n ** 63n - 1n) return undefined;
  const publicKey = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(key.publicKey).toString('base64url') },
    format: 'jwk',
  });
  try {
    return verify(null, cosignedMessage(text, timestamp), publicKey, signature.subarray(8))
      ? timestamp
      : undefined;
  } catch {
    return undefined;
  }
}

export type WitnessedVerdict =
  | { ok: true; witnessedBy: { key: string; time: string }[] }
  | { ok: false; reason: string };

export interface CheckWitnessedOptions {
  /** How many distinct witness keys must have cosigned (default 1). */
  quorum?: number;
  /** When given, a cosignature dated more than `maxSkewSeconds` (default 300) after it is refused. */
  now?: Date;
  maxSkewSeconds?: number;
}

/**
 * Checks that a signed checkpoint carries valid cosignatures by at least `quorum` of `witnessKeys`. Lines by
 * other keys are ignored; a line that names a known witness key (name and key id) but does not verify rejects
 * the note (c2sp.org/signed-note). The log's own signature is not checked here: `openNote` does that.
 */
export function checkWitnessed(
  note: string,
  witnessKeys: readonly CosignerKey[],
  options: CheckWitnessedOptions = {},
): WitnessedVerdict {
  const quorum = options.quorum ?? 1;
  let parsed: ReturnType<typeof parseNote>;
  try {
    parsed = parseNote(note);
  } catch (err) {
    return { ok: false, reason: `the checkpoint is malformed: ${(err as Error).message}` };
  }
  const witnessedBy: { key: string; time: string }[] = [];
  for (const sig of parsed.signatures) {
    const key = witnessKeys.find((k) => k.name === sig.name && k.keyId === sig.keyId);
    if (!key) continue;
    const timestamp = verifyCosignature(key, parsed.text, sig.signature);
    if (timestamp === undefined)
      return { ok: false, reason: `the cosignature by witness ${describeKey(key)} does not verify` };
    const time = new Date(Number(timestamp) * 1000);
    if (options.now && Number(timestamp) > options.now.getTime() / 1000 + (options.maxSkewSeconds ?? 300))
      return {
        ok: false,
        reason: `the cosignature by witness ${describeKey(key)} is dated in the future (${time.toISOString()})`,
      };
    if (!witnessedBy.some((w) => w.key === describeKey(key)))
      witnessedBy.push({ key: describeKey(key), time: time.toISOString() });
  }
  if (witnessedBy.length < quorum)
    return {
      ok: false,
      reason:
        witnessedBy.length === 0
          ? `no cosignature by a known witness (${witnessKeys.map(describeKey).join(', ') || 'none given'})`
          : `cosigned by ${witnessedBy.length} known witness(es), ${quorum} required`,
    };
  return { ok: true, witnessedBy };
}
