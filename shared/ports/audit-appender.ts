// Port: appending an audit event durably (implemented by core/audit AuditLog over an AuditSink).

import type { AppendedRecord } from '../core/audit/audit-log.ts';
import type { AuditEvent } from '../core/audit/record.ts';

/** Resolves once the event is durable; rejects (fail closed) otherwise. */
export interface AuditAppender {
  append(event: AuditEvent): Promise<AppendedRecord>;
}
