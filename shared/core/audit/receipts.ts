// Receipts for a request: one c2sp.org/tlog-proof@v1 per record of the request, each an inclusion proof of the
// record's line against the newest valid checkpoint of its stream that covers it (docs/audit-format.md).

import { WardenError } from '../errors.ts';
import { openWardenCheckpoint } from './checkpoint.ts';
import { parseObjectName } from './layout.ts';
import { consistencyProof } from './merkle.ts';
import { formatProof, proveRecord } from './proof.ts';
import { AuditFormatError, parseEnvelope } from './schema.ts';
import type { TrailObject } from './verify.ts';
import { contiguousLeaves, type ReadRecord } from './verify-checkpoints.ts';

/** One record's receipt. */
export interface Receipt {
  stream: string;
  seq: number;
  type: string;
  /** The c2sp.org/tlog-proof@v1 text. */
  proof: string;
  /** The checkpoint object it proves against. */
  checkpoint: string;
}

const enc = new TextEncoder();

/** The records (as stored) and signed checkpoints of each stream in `objects`. */
function streamsOf(objects: readonly TrailObject[], kmsPublicKeyPem: string) {
  const records = new Map<string, (ReadRecord & { requestId?: string; type: string })[]>();
  const checkpoints = new Map<string, { object: string; note: string; size: number; n: number }[]>();
  for (const o of objects) {
    const name = parseObjectName(o.name);
    if (name?.kind === 'records') {
      for (const line of new TextDecoder().decode(o.data).split('\n')) {
        if (!line) continue;
        try {
          const r = parseEnvelope(line);
          const requestId = (r.event as { requestId?: unknown }).requestId;
          const list = records.get(r.stream) ?? [];
          list.push({
            seq: r.seq,
            object: o.name,
            line,
            type: String(r.event.type),
            ...(typeof requestId === 'string' ? { requestId } : {}),
          });
          records.set(r.stream, list);
        } catch (err) {
          if (!(err instanceof AuditFormatError)) throw err;
        }
      }
    } else if (name?.kind === 'checkpoint') {
      try {
        const c = openWardenCheckpoint(o.data, kmsPublicKeyPem);
        if (c.stream !== name.stream || c.size !== name.size) continue;
        const list = checkpoints.get(c.stream) ?? [];
        list.push({ object: o.name, note: new TextDecoder().decode(o.data), size: c.size, n: name.n! });
        checkpoints.set(c.stream, list);
      } catch {
        // Not a valid checkpoint: verify names it (checkpoint-forged); a receipt never rests on one.
      }
    }
  }
  return { records, checkpoints };
}

/**
 * A receipt for every record of request `requestId` in `objects`, against the newest valid checkpoint of its
 * stream that covers it and whose root the records read reproduce. Throws a WardenError ('not_found') when the
 * trail holds no record of the request, or naming the record no checkpoint covers yet.
 */
export function proveRequest(
  objects: readonly TrailObject[],
  requestId: string,
  kmsPublicKeyPem: string,
): Receipt[] {
  const { records, checkpoints } = streamsOf(objects, kmsPublicKeyPem);
  const receipts: Receipt[] = [];
  for (const [stream, list] of records) {
    const mine = list.filter((r) => r.requestId === requestId).sort((a, b) => a.seq - b.seq);
    if (mine.length === 0) continue;
    const leaves = contiguousLeaves(list);
    // Newest first: the largest tree the records reproduce.
    const candidates = (checkpoints.get(stream) ?? []).sort((a, b) => b.size - a.size || b.n - a.n);
    for (const r of mine) {
      let made: Receipt | undefined;
      let why = `no checkpoint of stream ${stream} covers record ${r.seq} yet (the writer signs one within its interval, and on shutdown)`;
      for (const c of candidates) {
        if (c.size <= r.seq) break;
        try {
          const proof = proveRecord(r.seq, leaves, c.note, enc.encode(r.line));
          made = { stream, seq: r.seq, type: r.type, proof: formatProof(proof), checkpoint: c.object };
          break;
        } catch (err) {
          why = `checkpoint ${c.object} does not match the records read (${(err as Error).message}): run warden audit verify`;
        }
      }
      if (!made)
        throw new WardenError('not_found', `record ${r.seq} of ${stream} (request ${requestId}): ${why}`);
      receipts.push(made);
    }
  }
  if (receipts.length === 0)
    throw new WardenError('not_found', `the trail read holds no record of request ${requestId}`);
  return receipts.sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : a.seq - b.seq));
}

/**
 * The RFC 9162 consistency proof between two sizes of a stream, computed from the records in `objects`: what
 * ties a receipt made against an older checkpoint to a newer one (merkle.ts `verifyConsistency` checks it).
 */
export function streamConsistency(
  objects: readonly TrailObject[],
  stream: string,
  size1: number,
  size2: number,
): Uint8Array[] {
  const list: ReadRecord[] = [];
  for (const o of objects) {
    if (parseObjectName(o.name)?.kind !== 'records' || parseObjectName(o.name)?.stream !== stream) continue;
    for (const line of new TextDecoder().decode(o.data).split('\n'))
      if (line) list.push({ seq: parseEnvelope(line).seq, object: o.name, line });
  }
  const leaves = contiguousLeaves(list);
  if (leaves.length < size2)
    throw new WardenError(
      'not_found',
      `stream ${stream} has ${leaves.length} contiguous records, fewer than ${size2}`,
    );
  return consistencyProof(size1, leaves.slice(0, size2));
}
