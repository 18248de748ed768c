// Reconciliation: the requests whose audit records are incomplete. With two barriers (ARCHITECTURE.md, step 7)
// only the intent and release records hold a request; the others are group-committed, so a crash or a failed
// background write can lose them, and this is where such a request is found.

import type { AuditEventType, AuditRecord } from './record.ts';

/** One request whose records do not add up, and what is missing. */
export interface IncompleteRequest {
  requestId: string;
  /** Record types present, in trail order. */
  have: string[];
  /** What is wrong, one line each. */
  problems: string[];
}

/** Effects that run a query now (policy/evaluate.ts `isRunnable`). */
const RUNNABLE = new Set(['allow', 'break_glass']);

/**
 * Every request in `records` (any order, any writers) whose records are incomplete: a request record without
 * its response (or the reverse), an execution without its intent record (the gateway's decision), a
 * `query.start` without its `query.end` (or the reverse), or a decision to run a query with no record of the
 * execution at all (the executor crashed, or its release write was lost; an unreachable executor looks the
 * same, so the response record's status says which). Pure; returns requests in the order first seen.
 */
export function reconcileRequests(records: readonly AuditRecord[]): IncompleteRequest[] {
  const byRequest = new Map<string, AuditRecord[]>();
  for (const r of records) {
    const id = r.event?.requestId;
    if (typeof id !== 'string' || id === '') continue;
    const list = byRequest.get(id);
    if (list) list.push(r);
    else byRequest.set(id, [r]);
  }
  const out: IncompleteRequest[] = [];
  for (const [requestId, list] of byRequest) {
    const have: string[] = list.map((r) => r.event.type);
    const has = (t: AuditEventType) => have.includes(t);
    const problems: string[] = [];
    if (has('mcp.request') && !has('mcp.response')) problems.push('no mcp.response record');
    if (has('mcp.response') && !has('mcp.request')) problems.push('no mcp.request record');
    const ran = has('query.start') || has('query.end');
    if (ran && !has('policy.decision'))
      problems.push('an execution without its intent record (policy.decision)');
    if (has('query.start') && !has('query.end')) problems.push('query.start without query.end');
    if (has('query.end') && !has('query.start')) problems.push('query.end without query.start');
    // Any decision of the request counts: an asked call (elicit.ts, ask.ts) records the denial that asked for a
    // reason, then the decision on the answer, under one request id.
    const runs = list.some(
      ({ event: e }) =>
        e.type === 'policy.decision' &&
        (e.tool === 'execute_sql' || e.tool === 'execute_sql_readonly') &&
        RUNNABLE.has(String(e.decision?.effect)) &&
        e.dryRun !== true,
    );
    if (runs && !ran && !has('execution.refused') && has('mcp.request'))
      problems.push('a decision to run a query, and no record of its execution');
    if (problems.length > 0) out.push({ requestId, have, problems });
  }
  return out;
}
