// Verification of an audit trail from its stored objects alone: signatures, certificates, chains, order.

import { canonicalBytes } from './canonical-json.ts';
import { type AuditRecord, hashBody, recordBody } from './record.ts';
import { isValidCertificate, isValidSignature, type KeyCertificate } from './signing-key.ts';

/** A stored object of the trail: its name and bytes. */
export interface TrailObject {
  name: string;
  data: Uint8Array;
}

export type ProblemKind =
  | 'unparseable' // a line is not a record
  | 'bad-certificate' // the stream's key is not certified by the KMS key
  | 'missing-start' // the stream does not open with a certified stream.start record
  | 'bad-signature' // a record was modified (or forged) after signing
  | 'broken-link' // prev does not match the previous record's hash: inserted, replaced or modified
  | 'missing' // sequence numbers skip: records were removed
  | 'reordered' // sequence numbers go backwards
  | 'duplicate' // the same sequence number appears twice
  | 'misplaced'; // a record sits in an object whose name does not match its stream or position

export interface Problem {
  kind: ProblemKind;
  object: string;
  stream?: string;
  seq?: number;
  detail: string;
}

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
  problems: Problem[];
}

interface Located {
  record: AuditRecord;
  object: string;
}

/**
 * Verifies every stream in `objects` against the KMS public key that certifies instance keys. Objects may
 * come in any order; records are checked in object-name order, which is stream and sequence order.
 */
export function verifyTrail(objects: TrailObject[], kmsPublicKeyPem: string): VerifyReport {
  const problems: Problem[] = [];
  const byStream = new Map<string, Located[]>();
  const sorted = [...objects].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const obj of sorted) {
    const lines = new TextDecoder().decode(obj.data).split('\n');
    for (const [i, line] of lines.entries()) {
      if (line === '' && i === lines.length - 1) continue;
      const record = parseRecord(line);
      if (!record) {
        problems.push({
          kind: 'unparseable',
          object: obj.name,
          detail: `line ${i + 1} is not an audit record`,
        });
        continue;
      }
      if (!obj.name.includes(`/streams/${record.stream}/`)) {
        problems.push({
          kind: 'misplaced',
          object: obj.name,
          stream: record.stream,
          seq: record.seq,
          detail: 'record is not in its stream folder',
        });
      }
      const list = byStream.get(record.stream) ?? [];
      list.push({ record, object: obj.name });
      byStream.set(record.stream, list);
    }
  }
  const streams: StreamSummary[] = [];
  let count = 0;
  for (const [stream, located] of byStream) {
    count += located.length;
    streams.push(verifyStream(stream, located, kmsPublicKeyPem, problems));
  }
  return { ok: problems.length === 0, records: count, streams, problems };
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
  const certificate =
    first.record.seq === 0 && first.record.event.type === 'stream.start'
      ? asCertificate(first.record.event['certificate'])
      : undefined;
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
    const at = { object, stream, seq: record.seq };
    if (certificate && !isValidSignature(certificate.body.publicKeyPem, canonicalBytes(body), record.sig)) {
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
    prev = { seq: record.seq, hash: hashBody(body) };
  }
  return summary;
}

function parseRecord(line: string): AuditRecord | undefined {
  try {
    const r = JSON.parse(line) as AuditRecord;
    const ok =
      typeof r === 'object' &&
      r !== null &&
      typeof r.stream === 'string' &&
      Number.isInteger(r.seq) &&
      typeof r.sig === 'string' &&
      typeof r.time === 'string' &&
      typeof r.event === 'object' &&
      r.event !== null &&
      typeof r.event.type === 'string';
    return ok ? r : undefined;
  } catch {
    return undefined;
  }
}

function asCertificate(value: unknown): KeyCertificate | undefined {
  const c = value as KeyCertificate | undefined;
  return c && typeof c.kmsSignature === 'string' && typeof c.body?.publicKeyPem === 'string' ? c : undefined;
}
