// `warden audit check-proof FILE [--record RECORD_FILE] --public-key PEM`: verifies a c2sp.org/tlog-proof@v1
// receipt offline, with only the log's public key; prints one line, OK or FAILED with the reason.
// `warden audit prove --request ID [--out DIR]`: writes one receipt per record of a request (the trail is read
// by cli/audit/cli.ts).

import { createPublicKey } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NoteVerifier } from '../../shared/core/audit/note.ts';
import { ecdsaVerifier, parseVerifierKey } from '../../shared/core/audit/note.ts';
import { verifyProof } from '../../shared/core/audit/proof.ts';
import { proveRequest } from '../../shared/core/audit/receipts.ts';
import type { TrailObject } from '../../shared/core/audit/verify.ts';
import { parseCommandArgs, readInput, reportFailure, UsageError } from '../cli-errors.ts';
import { CHECK_PROOF_OPTIONS, CHECK_PROOF_USAGE } from './usage.ts';

export { CHECK_PROOF_OPTIONS, CHECK_PROOF_USAGE } from './usage.ts';

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

const defaultIo: Io = { out: (l) => console.log(l), err: (l) => console.error(l) };

const COMMAND = 'warden audit check-proof';

/** Runs `warden audit check-proof` on `args` (after the verb); returns the exit code: 0 OK, 1 FAILED, 2 usage. */
export async function checkProofCommand(args: string[], io: Io = defaultIo): Promise<number> {
  try {
    const { values, positionals } = parseCommandArgs(COMMAND, args, CHECK_PROOF_OPTIONS);
    if (values.help) {
      io.out(`Usage: warden ${CHECK_PROOF_USAGE.trimStart()}`);
      return 0;
    }
    const [file, extra] = positionals;
    if (!file) throw new UsageError('which proof? (warden audit check-proof FILE --public-key kms.pem)');
    if (extra) throw new UsageError(`unexpected argument "${extra}"`);
    const keyPath = values['public-key'];
    if (!keyPath) throw new UsageError('pass --public-key (the audit key, PEM) to check the proof with');
    let verdict: ReturnType<typeof verifyProof>;
    try {
      const verifiers = verifiersFrom(readInput(keyPath, '--public-key').toString('utf8'), keyPath);
      const record = values.record ? withoutFinalNewline(readInput(values.record, '--record')) : undefined;
      verdict = verifyProof(new Uint8Array(readInput(file, 'the proof')), {
        verifiers,
        ...(record ? { record } : {}),
      });
    } catch (err) {
      verdict = { ok: false, reason: (err as Error).message };
    }
    if (!verdict.ok) {
      io.out(`FAILED: ${verdict.reason}`);
      return 1;
    }
    const { checkpoint, index, signedBy } = verdict;
    io.out(
      `OK: record ${index} is in ${checkpoint.origin} at tree size ${checkpoint.size} ` +
        `(root ${Buffer.from(checkpoint.rootHash).toString('base64')}), signed by ${signedBy.join(', ')}`,
    );
    return 0;
  } catch (err) {
    return reportFailure(COMMAND, err, io.err);
  }
}

/**
 * The checkpoint keys a --public-key file names: a PEM public key (Warden's KMS audit key, type 0x02, named
 * after each checkpoint's origin as Warden names its log key), or one C2SP verifier key per line.
 */
function verifiersFrom(text: string, path: string): (origin: string) => readonly NoteVerifier[] {
  if (text.includes('-----BEGIN')) {
    try {
      createPublicKey(text);
    } catch {
      throw new Error(`--public-key ${path} is not a PEM public key`);
    }
    return (origin) => [ecdsaVerifier(origin, text)];
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  let keys: NoteVerifier[];
  try {
    keys = lines.map(parseVerifierKey);
  } catch (err) {
    throw new Error(`--public-key ${path}: ${(err as Error).message}`);
  }
  if (keys.length === 0) throw new Error(`--public-key ${path} holds no key`);
  return () => keys;
}

function withoutFinalNewline(bytes: Buffer): Uint8Array {
  return new Uint8Array(bytes.at(-1) === 0x0a ? bytes.subarray(0, -1) : bytes);
}

/**
 * `warden audit prove`: writes a receipt per record of `requestId` into `outDir` (created if absent), one line
 * per file; returns the exit code (1, naming the record, when a record has no checkpoint covering it yet).
 */
export function proveCommand(
  objects: readonly TrailObject[],
  kmsPublicKeyPem: string,
  requestId: string,
  outDir: string,
  io: Pick<Io, 'out'>,
): number {
  const receipts = proveRequest(objects, requestId, kmsPublicKeyPem);
  mkdirSync(outDir, { recursive: true });
  const safe = requestId.replace(/[^A-Za-z0-9._-]/g, '_');
  for (const r of receipts) {
    const file = join(outDir, `${safe}-${r.stream}-${r.seq}.tlog-proof`);
    writeFileSync(file, r.proof);
    io.out(`wrote ${file} (${r.type}, record ${r.seq} of ${r.stream}, against ${r.checkpoint})`);
  }
  io.out(`${receipts.length} receipt(s) for request ${requestId}`);
  return 0;
}
