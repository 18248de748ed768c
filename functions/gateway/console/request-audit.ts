// The audit records of one request with each record's verification status, for the console's request page.
// Verification is verifyTrail's (shared/core/audit/verify.ts) over the streams that hold the request's records.

import { isRecordObject, parseObjectName } from '../../../shared/core/audit/layout.ts';
import { type AuditRecord, tryParse } from '../../../shared/core/audit/schema.ts';
import { type Problem, type TrailObject, verifyTrail } from '../../../shared/core/audit/verify.ts';

/** One record as the console shows it: where it sits, what it says, whether it verifies. */
export interface RecordView {
  stream: string;
  seq: number;
  time: string;
  type: string;
  event: AuditRecord['event'];
  /** `verified` unless a problem names this record (or its stream's certificate). */
  status: 'verified' | 'failed';
  problems: string[];
}

export interface RequestAudit {
  requestId: string;
  records: RecordView[];
  /** The verification of every stream holding one of the request's records. */
  verification: { ok: boolean; streams: number; records: number; problems: Problem[] };
}

/**
 * The records of `requestId` found in `objects` (any order), each with its status, and the verification of
 * the streams they belong to. A problem without a sequence number (bad certificate, missing start) fails every
 * record of its stream.
 */
export function requestAudit(
  objects: TrailObject[],
  kmsPublicKeyPem: string,
  requestId: string,
): RequestAudit {
  const mine: { record: AuditRecord; object: string }[] = [];
  for (const obj of objects) {
    if (!isRecordObject(obj.name)) continue;
    for (const line of new TextDecoder().decode(obj.data).split('\n')) {
      if (!line.includes(requestId)) continue;
      // Lines that are not records (or not ones this build reads) are reported by the verification below.
      const parsed = tryParse(line);
      if (parsed.ok && parsed.record.event.requestId === requestId)
        mine.push({ record: parsed.record, object: obj.name });
    }
  }
  const streams = new Set(mine.map((m) => m.record.stream));
  const report = verifyTrail(
    objects.filter((o) => {
      const name = parseObjectName(o.name);
      return name?.kind === 'records' && streams.has(name.stream);
    }),
    kmsPublicKeyPem,
  );
  const records = mine
    .sort((a, b) => a.record.time.localeCompare(b.record.time) || a.record.seq - b.record.seq)
    .map(({ record }): RecordView => {
      const problems = report.problems
        .filter((p) => p.stream === record.stream && (p.seq === undefined || p.seq === record.seq))
        .map((p) => `${p.kind}: ${p.detail}`);
      return {
        stream: record.stream,
        seq: record.seq,
        time: record.time,
        type: record.event.type,
        event: record.event,
        status: problems.length === 0 ? 'verified' : 'failed',
        problems,
      };
    });
  return {
    requestId,
    records,
    verification: {
      ok: report.ok,
      streams: report.streams.length,
      records: report.records,
      problems: report.problems,
    },
  };
}
