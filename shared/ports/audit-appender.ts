// Port: appending an audit event durably (implemented by core/audit AuditLog over an AuditSink).

import type { AppendedRecord } from '../core/audit/audit-log.ts';
import type { AuditEvent } from '../core/audit/record.ts';

/** Resolves once the event is durable; rejects (fail closed) otherwise. */
export interface AuditAppender {
  append(event: AuditEvent): Promise<AppendedRecord>;
  /**
   * Records an event that is no barrier: written group-committed, without holding the caller (see AuditLog).
   * Appenders without it get a plain append whose outcome nobody waits for.
   */
  defer?(event: AuditEvent): void;
  /** Resolves once records can be signed at all (see AuditLog.ready); absent: always ready. */
  ready?(): Promise<void>;
}

/** Records `event` without waiting: `defer` where the appender has it, else an append left to finish alone. */
export function deferRecord(audit: AuditAppender, event: AuditEvent): void {
  if (audit.defer) audit.defer(event);
  else audit.append(event).catch(() => {});
}
