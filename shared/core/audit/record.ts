// The audit record format (version 1): what every record holds and how records chain and sign.

import { createHash } from 'node:crypto';
import { canonicalBytes, type Json } from './canonical-json.ts';

/** Format version written in every record's `v`. */
export const AUDIT_FORMAT_VERSION = 1;

/** Algorithm of record signatures: ECDSA P-256 over SHA-256 of the canonical body, DER-encoded. */
export const SIGNATURE_ALGORITHM = 'ECDSA_P256_SHA256';

/** Who made a request, as it appears in audit records. */
export interface AuditPrincipal {
  subject: string;
  issuer: string;
  email?: string;
  groups?: string[];
  actorChain?: { subject: string; issuer?: string; email?: string }[];
  onBehalfOf?: { subject: string; issuer: string; email?: string; groups: string[] };
}

/** An event: its `type` says which of the documented shapes it has (docs/audit-format.md). */
export interface AuditEvent {
  type: string;
  requestId?: string;
  [field: string]: Json | undefined;
}

/** The signed part of a record. `prev` is the hash of the previous record in the stream (null at seq 0). */
export interface RecordBody {
  v: number;
  stream: string;
  seq: number;
  prev: string | null;
  time: string;
  event: AuditEvent;
}

/**
 * A record as stored: the body plus its signature (base64 DER). Warden signs every record; `sig` is optional
 * only because a record read back may have lost it, which verification reports as `unsigned`.
 */
export interface AuditRecord extends RecordBody {
  sig?: string;
}

/** The body of a record (everything but `sig`). */
export function recordBody(record: AuditRecord): RecordBody {
  const { sig: _sig, ...body } = record;
  return body;
}

/** SHA-256 (hex) of a body's RFC 8785 canonical bytes: the record's hash, which the next record's `prev` holds. */
export function hashBody(body: RecordBody): string {
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
