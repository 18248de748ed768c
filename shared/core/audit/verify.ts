// Verification of an audit trail from its stored objects alone: signatures, certificates, chains, order.

import { canonicalBytes } from './canonical-json.ts';
import { type Digest, digestBody, hashDigestBody, isValidDigest, parseDigest } from './digest.ts';
import { sha256Hex } from './events.ts';
import { parseObjectName } from './layout.ts';
import type { Problem } from './problem.ts';
import { recordBody } from './record.ts';
import { AuditFormatError, parse, parseEnvelope, type StoredRecord } from './schema.ts';
import { isValidCertificate, isValidSignature, type KeyCertificate } from './signing-key.ts';
import { type CheckedCheckpoint, type ReadRecord, verifyCheckpoints } from './verify-checkpoints.ts';

/** A stored object of the trail: its name and bytes. */
export interface TrailObject {
  name: string;
  data: Uint8Array;
}

// The problem kinds and their shape live in problem.ts, which the checkpoint checks share.
export type { Problem, ProblemKind } from './problem.ts';

export interface StreamSummary {
  stream: string;
  writer: string;
  records: number;
  firstTime?: string;
  lastTime?: string;
}

export interface VerifyReport {
  ok: boolean;
  records: number;
  streams: StreamSummary[];
  /** Digests read and checked. */
  digests: number;
  /** Checkpoints whose KMS signature verified (each also checked against the records). */
  checkpoints: CheckedCheckpoint[];
  /** Record objects that no digest (yet) lists: the newest ones, normally, until the next digest. */
  undigested: string[];
  problems: Problem[];
}

export interface VerifyOptions {
  /**
   * Which objects the caller read. A digest entry naming an object outside it is not reported missing (a
   * time-range verification reads only part of the bucket); default: every object.
   */
  covers?: (objectName: string) => boolean;
  /** True when `objects` are the whole trail, so every digest chain must start at seq 0 (default false). */
  complete?: boolean;
  /** Called as objects are checked. */
  onProgress?: (done: number, total: number) => void;
  /**
   * The verification time: a writer that did not close and signed no checkpoint within its heartbeat (plus
   * slack) before it is reported `stale`. Given by the caller (the CLI: now), never read from a clock here.
   */
  now?: Date;
  heartbeatMs?: number;
  slackMs?: number;
  /** Names listed under the prefix that the layout does not write (readTrail's `outsideLayout`): reported. */
  outsideLayout?: readonly string[];
}

interface Located {
  record: StoredRecord;
  object: string;
  /** The line as stored: the Merkle leaf input. */
  line: string;
}

/**
 * Verifies every stream in `objects` against the KMS public key that certifies instance keys. Objects may
 * come in any order; records are checked in object-name order, which is stream and sequence order.
 */
export function verifyTrail(
  objects: TrailObject[],
  kmsPublicKeyPem: string,
  options: VerifyOptions = {},
): VerifyReport {
  const problems: Problem[] = [];
  // Nothing to check is no proof: a trail that held nothing at all was read from the wrong place or deleted whole.
  if (options.complete && objects.length === 0)
    problems.push({
      kind: 'empty',
      object: '(none)',
      detail:
        'no audit object was found: check the bucket, directory or prefix (a running Warden writes records, digests and checkpoints)',
    });
  const byStream = new Map<string, Located[]>();
  const sorted = [...objects].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const digests: { digest: Digest; object: string }[] = [];
  const checkpointObjects: TrailObject[] = [];
  for (const name of options.outsideLayout ?? [])
    problems.push({ kind: 'outside-layout', object: name, detail: 'not a name the audit layout writes' });
  for (const [n, obj] of sorted.entries()) {
    options.onProgress?.(n, sorted.length);
    const kind = parseObjectName(obj.name)?.kind;
    if (kind === undefined) {
      problems.push({
        kind: 'outside-layout',
        object: obj.name,
        detail: 'not a name the audit layout writes',
      });
      continue;
    }
    if (kind === 'checkpoint') {
      checkpointObjects.push(obj);
      continue;
    }
    if (kind === 'digest') {
      const digest = parseDigest(obj.data);
      if (!digest) problems.push({ kind: 'bad-digest', object: obj.name, detail: 'not a digest' });
      else digests.push({ digest, object: obj.name });
      continue;
    }
    const lines = new TextDecoder().decode(obj.data).split('\n');
    for (const [i, line] of lines.entries()) {
      if (line === '' && i === lines.length - 1) continue;
      // Integrity needs the envelope only (schema.ts parseEnvelope, by format version): a record whose event
      // this build does not understand still verifies, so a trail stays verifiable by older and newer readers.
      let record: StoredRecord;
      try {
        record = parseEnvelope(line);
      } catch (err) {
        if (!(err instanceof AuditFormatError)) throw err;
        problems.push({
          kind: 'unparseable',
          object: obj.name,
          detail: `line ${i + 1} is not an audit record: ${err.message}`,
        });
        continue;
      }
      if (parseObjectName(obj.name)?.stream !== record.stream) {
        problems.push({
          kind: 'misplaced',
          object: obj.name,
          stream: record.stream,
          seq: record.seq,
          detail: 'record is not in its stream folder',
        });
      }
      const list = byStream.get(record.stream) ?? [];
      list.push({ record, object: obj.name, line });
      byStream.set(record.stream, list);
    }
  }
  const streams: StreamSummary[] = [];
  let count = 0;
  for (const [stream, located] of byStream) {
    count += located.length;
    streams.push(verifyStream(stream, located, kmsPublicKeyPem, problems));
  }
  options.onProgress?.(sorted.length, sorted.length);
  const undigested = verifyDigests(digests, sorted, byStream, kmsPublicKeyPem, options, problems);
  const read = new Map<string, ReadRecord[]>();
  for (const [stream, located] of byStream)
    read.set(
      stream,
      located.map((l) => ({ seq: l.record.seq, object: l.object, line: l.line })),
    );
  const newestDigest = new Map<string, number>();
  for (const { digest } of digests)
    newestDigest.set(digest.stream, Math.max(newestDigest.get(digest.stream) ?? -1, digest.seq));
  const { checkpoints } = verifyCheckpoints(
    checkpointObjects,
    read,
    kmsPublicKeyPem,
    {
      ...(options.covers ? { covers: options.covers } : {}),
      ...(options.complete !== undefined ? { complete: options.complete } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
      ...(options.slackMs !== undefined ? { slackMs: options.slackMs } : {}),
      digests: newestDigest,
    },
    problems,
  );
  return {
    ok: problems.length === 0,
    records: count,
    streams,
    digests: digests.length,
    checkpoints,
    undigested,
    problems,
  };
}

/**
 * Checks digests: KMS signatures, each writer's digest chain, and every listed object against the objects
 * present (present, same bytes, stream not cut short). Returns the record objects no digest lists.
 */
function verifyDigests(
  digests: { digest: Digest; object: string }[],
  objects: TrailObject[],
  byStream: Map<string, Located[]>,
  kmsPublicKeyPem: string,
  options: VerifyOptions,
  problems: Problem[],
): string[] {
  const present = new Map(objects.map((o) => [o.name, o]));
  const listed = new Set<string>();
  const claimedTail = new Map<string, { seq: number; object: string }>();
  const chains = new Map<string, { digest: Digest; object: string }[]>();
  for (const d of digests) {
    if (!isValidDigest(d.digest, kmsPublicKeyPem)) {
      problems.push({
        kind: 'bad-digest',
        object: d.object,
        stream: d.digest.stream,
        seq: d.digest.seq,
        detail: 'KMS signature does not verify: the digest was altered or forged',
      });
      continue;
    }
    const chain = chains.get(d.digest.stream) ?? [];
    chain.push(d);
    chains.set(d.digest.stream, chain);
    for (const entry of d.digest.objects) {
      listed.add(entry.object);
      const tail = claimedTail.get(entry.stream);
      if (!tail || entry.lastSeq > tail.seq)
        claimedTail.set(entry.stream, { seq: entry.lastSeq, object: d.object });
      const obj = present.get(entry.object);
      const at = { object: entry.object, stream: entry.stream, seq: entry.firstSeq };
      if (!obj) {
        if (options.covers?.(entry.object) ?? true)
          problems.push({
            kind: 'object-missing',
            ...at,
            detail: `listed by digest ${d.object} (records ${entry.firstSeq}..${entry.lastSeq}) but absent`,
          });
      } else if (sha256Hex(obj.data) !== entry.sha256) {
        problems.push({
          kind: 'object-altered',
          ...at,
          detail: `bytes differ from the SHA-256 recorded by digest ${d.object}`,
        });
      }
    }
  }
  for (const [stream, chain] of chains) {
    chain.sort((a, b) => a.digest.seq - b.digest.seq);
    const first = chain[0]!;
    if (options.complete && first.digest.seq !== 0)
      problems.push({
        kind: 'digest-chain',
        object: first.object,
        stream,
        seq: first.digest.seq,
        detail: `digests 0..${first.digest.seq - 1} of this writer are missing`,
      });
    for (let i = 1; i < chain.length; i++) {
      const prev = chain[i - 1]!;
      const cur = chain[i]!;
      const at = { object: cur.object, stream, seq: cur.digest.seq };
      if (cur.digest.seq === prev.digest.seq)
        problems.push({ kind: 'digest-chain', ...at, detail: `digest ${cur.digest.seq} appears twice` });
      else if (cur.digest.seq !== prev.digest.seq + 1)
        problems.push({
          kind: 'digest-chain',
          ...at,
          detail: `digests ${prev.digest.seq + 1}..${cur.digest.seq - 1} are missing`,
        });
      else if (cur.digest.prev !== hashDigestBody(digestBody(prev.digest)))
        problems.push({ kind: 'digest-chain', ...at, detail: 'prev does not match the digest before it' });
    }
  }
  // A stream cut short: its last record present is before the last one a digest recorded.
  for (const [stream, tail] of claimedTail) {
    const located = byStream.get(stream);
    const lastPresent = located?.reduce((m, l) => Math.max(m, l.record.seq), -1) ?? -1;
    if (located && lastPresent < tail.seq)
      problems.push({
        kind: 'truncated',
        object: located.at(-1)!.object,
        stream,
        seq: lastPresent,
        detail: `stream ends at seq ${lastPresent}, but digest ${tail.object} recorded records up to seq ${tail.seq}`,
      });
  }
  return objects
    .filter((o) => parseObjectName(o.name)?.kind === 'records' && !listed.has(o.name))
    .map((o) => o.name);
}

function verifyStream(
  stream: string,
  located: Located[],
  kmsPublicKeyPem: string,
  problems: Problem[],
): StreamSummary {
  const first = located[0]!;
  const summary: StreamSummary = {
    stream,
    writer: '',
    records: located.length,
    firstTime: first.record.time,
    lastTime: located.at(-1)!.record.time,
  };
  const certificate = first.record.seq === 0 ? streamCertificate(first.record) : undefined;
  if (!certificate) {
    problems.push({
      kind: 'missing-start',
      object: first.object,
      stream,
      seq: first.record.seq,
      detail: 'stream does not begin with a stream.start record at seq 0',
    });
  } else if (!isValidCertificate(certificate, kmsPublicKeyPem)) {
    problems.push({
      kind: 'bad-certificate',
      object: first.object,
      stream,
      detail: 'instance key certificate does not verify with the KMS public key',
    });
  } else {
    summary.writer = certificate.body.writer;
  }
  let prev: { seq: number; hash: string } | undefined;
  for (const { record, object } of located) {
    const body = recordBody(record);
    // One canonical serialization per record: the signature covers it and its SHA-256 is the record's hash.
    const bytes = canonicalBytes(body);
    const at = { object, stream, seq: record.seq };
    if (record.sig === undefined) {
      problems.push({ kind: 'unsigned', ...at, detail: 'the record carries no signature' });
    } else if (certificate && !isValidSignature(certificate.body.publicKeyPem, bytes, record.sig)) {
      problems.push({
        kind: 'bad-signature',
        ...at,
        detail: 'signature does not verify: the record was altered',
      });
    }
    if (prev) {
      if (record.seq === prev.seq)
        problems.push({ kind: 'duplicate', ...at, detail: `seq ${record.seq} appears again` });
      else if (record.seq < prev.seq)
        problems.push({ kind: 'reordered', ...at, detail: `seq ${record.seq} follows seq ${prev.seq}` });
      else if (record.seq > prev.seq + 1) {
        problems.push({
          kind: 'missing',
          ...at,
          detail: `records ${prev.seq + 1}..${record.seq - 1} are missing`,
        });
      } else if (record.prev !== prev.hash) {
        problems.push({
          kind: 'broken-link',
          ...at,
          detail: 'prev does not match the hash of the record before it',
        });
      }
    }
    prev = { seq: record.seq, hash: sha256Hex(bytes) };
  }
  return summary;
}

/** The certificate of a stream's first record, read through `parse`; undefined unless it is a stream.start. */
function streamCertificate(record: StoredRecord): KeyCertificate | undefined {
  if (record.event.type !== 'stream.start') return undefined;
  try {
    const { event } = parse(record);
    // The schema reads the certificate's shape; its algorithm and KMS signature are isValidCertificate's to check.
    return event.type === 'stream.start' ? (event.certificate as KeyCertificate | undefined) : undefined;
  } catch (err) {
    if (err instanceof AuditFormatError) return undefined;
    throw err;
  }
}
