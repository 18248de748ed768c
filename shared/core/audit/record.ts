// The audit record format (version 1): how records chain and sign.

import { createHash } from 'node:crypto';
import { canonicalBytes } from './canonical-json.ts';
import type { AuditEvent, AuditRecord, RecordBody, StoredRecord } from './schema.ts';

/** Format version written in every record's `v`. */
export const AUDIT_FORMAT_VERSION = 1 as const;

/** Algorithm of record signatures: ECDSA P-256 over SHA-256 of the canonical body, DER-encoded. */
export const SIGNATURE_ALGORITHM = 'ECDSA_P256_SHA256';

// The record and event types live with their schema and parser (./schema.ts): one definition of the format.
export type {
  AuditEvent,
  AuditEventType,
  AuditPrincipal,
  AuditRecord,
  EventOf,
  RecordBody,
  StoredRecord,
} from './schema.ts';

/** The body of a record (everything but `sig`). */
export function recordBody<R extends AuditRecord | StoredRecord>(record: R): Omit<R, 'sig'> {
  const { sig: _sig, ...body } = record;
  return body;
}

/** SHA-256 (hex) of a body's RFC 8785 canonical bytes: the record's hash, which the next record's `prev` holds. */
export function hashBody(body: RecordBody | Omit<StoredRecord, 'sig'>): string {
  return createHash('sha256').update(canonicalBytes(body)).digest('hex');
}

/** The next body in a stream after `prev` (or the first, when `prev` is undefined). */
export function chainBody(
  prev: { stream: string; seq: number; hash: string } | undefined,
  stream: string,
  time: Date,
  event: AuditEvent,
): RecordBody {
  return {
    v: AUDIT_FORMAT_VERSION,
    stream,
    seq: prev ? prev.seq + 1 : 0,
    prev: prev ? prev.hash : null,
    time: time.toISOString(),
    event,
  };
}
