// Checking a trail's checkpoints against the records read (docs/audit-format.md "Checkpoints"): each one's KMS
// signature, its root recomputed from the stream's records, a consistency proof between consecutive
// checkpoints of a stream, and the anchors they carry: every stream a checkpoint names must still be there at
// least at the size named, and a writer that did not close must have signed within its heartbeat.

import { openWardenCheckpoint, type WardenCheckpoint } from './checkpoint.ts';
import { parseObjectName } from './layout.ts';
import {
  appendLeaf,
  consistencyProof,
  EMPTY_FRONTIER,
  frontierRoot,
  hashLeaf,
  verifyConsistency,
} from './merkle.ts';
import type { Problem } from './problem.ts';

/** A record as the verifier read it: its stream, seq, object and line (the leaf input, as stored). */
export interface ReadRecord {
  seq: number;
  object: string;
  line: string;
}

export interface CheckpointCheckOptions {
  /** Which objects the caller read (a time-range verification reads part of the bucket). */
  covers?: (objectName: string) => boolean;
  /** True when the objects are the whole trail: a stream named but absent is reported. */
  complete?: boolean;
  /** The verification time: a writer that did not close and signed nothing since `now - heartbeat - slack` is stale. */
  now?: Date;
  /** The writers' heartbeat (default 10 minutes) and the slack allowed on top of it (default 10 minutes). */
  heartbeatMs?: number;
  slackMs?: number;
  /** The newest digest seq present per digest stream (a checkpoint naming a newer one shows it deleted). */
  digests?: Map<string, number>;
}

export interface CheckedCheckpoint extends WardenCheckpoint {
  object: string;
  /** The checkpoint's number in its stream (from its name). */
  n: number;
}

export interface CheckpointSummary {
  /** Checkpoints whose signature verified. */
  checkpoints: CheckedCheckpoint[];
}

const enc = new TextEncoder();
const equal = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/** The leaf hashes of a stream's records from seq 0 while seqs are contiguous (a gap ends the tree read). */
export function contiguousLeaves(records: readonly ReadRecord[]): Uint8Array[] {
  const bySeq = [...records].sort((a, b) => a.seq - b.seq);
  const leaves: Uint8Array[] = [];
  for (const r of bySeq) {
    if (r.seq !== leaves.length) break;
    leaves.push(hashLeaf(enc.encode(r.line)));
  }
  return leaves;
}

/**
 * Checks every checkpoint object against the records read; pushes problems; returns the valid checkpoints.
 * `byStream` holds each stream's records as read (any order).
 */
export function verifyCheckpoints(
  objects: readonly { name: string; data: Uint8Array }[],
  byStream: ReadonlyMap<string, readonly ReadRecord[]>,
  kmsPublicKeyPem: string,
  options: CheckpointCheckOptions,
  problems: Problem[],
): CheckpointSummary {
  const valid: CheckedCheckpoint[] = [];
  for (const o of objects) {
    const name = parseObjectName(o.name);
    if (name?.kind !== 'checkpoint') continue;
    let c: WardenCheckpoint;
    try {
      c = openWardenCheckpoint(o.data, kmsPublicKeyPem);
    } catch (err) {
      problems.push({
        kind: 'checkpoint-forged',
        object: o.name,
        stream: name.stream,
        detail: `not a checkpoint signed by the KMS audit key: ${(err as Error).message}`,
      });
      continue;
    }
    if (c.stream !== name.stream || c.size !== name.size) {
      problems.push({
        kind: 'checkpoint-forged',
        object: o.name,
        stream: name.stream,
        detail: `signed for ${c.origin} at size ${c.size}, but stored as stream ${name.stream} size ${name.size}`,
      });
      continue;
    }
    valid.push({ ...c, object: o.name, n: name.n! });
  }
  const byCheckpointStream = new Map<string, CheckedCheckpoint[]>();
  for (const c of valid) {
    const list = byCheckpointStream.get(c.stream) ?? [];
    list.push(c);
    byCheckpointStream.set(c.stream, list);
  }
  for (const [stream, list] of byCheckpointStream) {
    list.sort((a, b) => a.n - b.n);
    const records = byStream.get(stream) ?? [];
    checkStream(stream, list, records.length ? contiguousLeaves(records) : undefined, records, problems);
  }
  checkAnchors(valid, byCheckpointStream, byStream, options, problems);
  return { checkpoints: valid };
}

function checkStream(
  stream: string,
  list: CheckedCheckpoint[],
  leaves: Uint8Array[] | undefined,
  records: readonly ReadRecord[],
  problems: Problem[],
): void {
  // Each root, recomputed from the records read: one pass, in size order, with a frontier.
  const altered = new Set<CheckedCheckpoint>();
  if (leaves) {
    let frontier = EMPTY_FRONTIER;
    for (const c of [...list].sort((a, b) => a.size - b.size)) {
      if (c.size > leaves.length) {
        const lastSeq = records.reduce((m, r) => Math.max(m, r.seq), -1);
        problems.push({
          kind: 'truncated',
          object: c.object,
          stream,
          seq: leaves.length,
          detail:
            lastSeq + 1 >= c.size
              ? `checkpoint of size ${c.size} covers records ${leaves.length}..${c.size - 1}, and some are missing`
              : `stream ends at seq ${lastSeq}, but checkpoint ${c.object} covers ${c.size} records`,
        });
        break;
      }
      while (frontier.size < c.size) frontier = appendLeaf(frontier, leaves[frontier.size]!);
      if (!equal(frontierRoot(frontier), c.rootHash)) {
        altered.add(c);
        problems.push({
          kind: 'record-altered',
          object: c.object,
          stream,
          seq: c.size - 1,
          detail: `the records read do not have the root this checkpoint signed at size ${c.size}: a record among seq 0..${c.size - 1} was altered, replaced or moved`,
        });
      }
    }
  }
  // Consecutive checkpoints (in the order the writer signed them).
  for (let i = 1; i < list.length; i++) {
    const a = list[i - 1]!;
    const b = list[i]!;
    const at = { object: b.object, stream, seq: b.size };
    if (b.size < a.size) {
      problems.push({
        kind: 'rollback',
        ...at,
        detail: `checkpoint ${b.n} (size ${b.size}) follows checkpoint ${a.n} (size ${a.size}): the log went back`,
      });
    } else if (b.size === a.size) {
      if (!equal(a.rootHash, b.rootHash))
        problems.push({
          kind: 'fork',
          ...at,
          detail: `checkpoints ${a.n} and ${b.n} both have size ${a.size} but different roots: two histories`,
        });
    } else if (leaves && leaves.length >= b.size && a.size > 0 && !altered.has(b)) {
      // RFC 9162 section 2.1.4: the proof that tree b extends tree a, computed from the records read. When b's
      // own root is not the records' (record-altered), the records changed after b was signed: no fork to name.
      const proof = consistencyProof(a.size, leaves.slice(0, b.size));
      if (!verifyConsistency(a.size, b.size, a.rootHash, b.rootHash, proof))
        problems.push({
          kind: 'fork',
          ...at,
          detail: `checkpoint ${b.n} (size ${b.size}) does not extend checkpoint ${a.n} (size ${a.size}): the consistency proof fails`,
        });
    }
  }
}

/** What the checkpoints anchor: the streams they name, the digests they name, and each writer's last word. */
function checkAnchors(
  valid: CheckedCheckpoint[],
  byCheckpointStream: Map<string, CheckedCheckpoint[]>,
  byStream: ReadonlyMap<string, readonly ReadRecord[]>,
  options: CheckpointCheckOptions,
  problems: Problem[],
): void {
  const named = new Map<string, { size: number; by: CheckedCheckpoint }>();
  for (const c of valid)
    for (const k of c.known) {
      const prev = named.get(k.stream);
      if (!prev || k.size > prev.size) named.set(k.stream, { size: k.size, by: c });
    }
  for (const [stream, { size, by }] of named) {
    const own = byCheckpointStream.get(stream);
    const records = byStream.get(stream);
    if (!own && !records) {
      if (options.complete)
        problems.push({
          kind: 'stream-missing',
          object: by.object,
          stream,
          detail: `checkpoint ${by.object} names stream ${stream} at size ${size}, and neither its records nor its checkpoints are in the bucket: a whole writer was deleted`,
        });
      continue;
    }
    // A time-range read may hold a stream's older checkpoints and not its newer ones: only a whole-trail
    // verification says a named checkpoint is gone.
    const newest = own?.reduce((m, c) => Math.max(m, c.size), 0) ?? 0;
    if (newest < size && options.complete)
      problems.push({
        kind: 'checkpoint-missing',
        object: by.object,
        stream,
        seq: size,
        detail: `checkpoint ${by.object} names stream ${stream} at size ${size}, but its newest checkpoint present has size ${own ? newest : 'none'}: newer checkpoints were deleted`,
      });
    const count = records ? contiguousCount(records) : 0;
    if (records && count < size && !own?.some((c) => c.size > count))
      problems.push({
        kind: 'truncated',
        object: by.object,
        stream,
        seq: count,
        detail: `checkpoint ${by.object} names stream ${stream} at size ${size}, but only ${count} records of it are present`,
      });
  }
  for (const c of valid) {
    if (!c.digest || !options.digests) continue;
    const newest = options.digests.get(c.digest.stream);
    if ((newest ?? -1) < c.digest.seq && options.complete)
      problems.push({
        kind: 'digest-chain',
        object: c.object,
        stream: c.digest.stream,
        seq: c.digest.seq,
        detail: `checkpoint ${c.object} names digest ${c.digest.seq} of ${c.digest.stream}, but the newest present is ${newest ?? 'none'}: digests were deleted`,
      });
  }
  if (!options.now || valid.length === 0) return;
  // Heartbeats: each writer instance signs at least every heartbeat until it closes. The instances still
  // open at the trail's end must have signed recently; otherwise the trail's newest part is gone (or the
  // instance died without closing, which is worth an auditor's look too).
  const heartbeat = (options.heartbeatMs ?? 10 * 60_000) + (options.slackMs ?? 10 * 60_000);
  const newestOf = new Map<string, CheckedCheckpoint>();
  for (const c of valid) {
    const prev = newestOf.get(c.instance);
    if (!prev || Date.parse(c.time) > Date.parse(prev.time) || (c.time === prev.time && c.closed))
      newestOf.set(c.instance, c);
  }
  const trailEnd = Math.max(...valid.map((c) => Date.parse(c.time)));
  for (const [instance, c] of newestOf) {
    const t = Date.parse(c.time);
    if (c.closed || t < trailEnd - heartbeat) continue;
    if (options.now.getTime() - t > heartbeat)
      problems.push({
        kind: 'stale',
        object: c.object,
        stream: c.stream,
        detail: `writer ${instance} did not close, and its newest checkpoint (${c.time}) is older than its heartbeat allows at ${options.now.toISOString()}: the trail's newest objects were deleted or rolled back, or the writer died`,
      });
  }
}

function contiguousCount(records: readonly ReadRecord[]): number {
  const seqs = new Set(records.map((r) => r.seq));
  let n = 0;
  while (seqs.has(n)) n++;
  return n;
}
