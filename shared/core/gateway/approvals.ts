// The gateway's side of just-in-time approvals: park a query, let approvers decide, report status and hand
// the masked result to its requester. Every transition runs in a store transaction, is audited, and the
// decisions are announced on the event bus.

import type {
  ApprovalRequest,
  ApprovalStore,
  ResultStore,
  StoredResult,
} from '../../ports/approval-store.ts';
import type { AuditAppender } from '../../ports/audit-appender.ts';
import type { Clock } from '../../ports/clock.ts';
import type { EventBus } from '../../ports/event-bus.ts';
import type { QueryParameter } from '../../ports/warehouse.ts';
import {
  type ApprovalActor,
  type ApprovalEvent,
  approvalAuditEvent,
  approvalRefusalEvent,
  bindingStatement,
  createApprovalRequest,
  isExpired,
  nextApprovalState,
  sameIdentity,
  withExpiry,
} from '../approval/approval.ts';
import { resultFetchEvent } from '../audit/events.ts';
import { isWardenError, WardenError } from '../errors.ts';
import type { GrantSigner } from '../execution/grant.ts';
import type { Principal } from '../identity/principal.ts';
import type { Decision } from '../policy/policy.ts';
import type { QueryFacts } from '../query/facts.ts';

/** Pub/Sub topics of the approval flow. */
export interface ApprovalTopics {
  requested: string;
  decided: string;
}

export interface ApprovalDeps {
  store: ApprovalStore;
  results: ResultStore;
  bus: EventBus;
  audit: AuditAppender;
  clock: Clock;
  topics: ApprovalTopics;
}

/** What parking needs besides: a signer for the binding (the gateway's KMS-certified audit key). */
export interface ParkingDeps extends ApprovalDeps {
  signer: GrantSigner;
}

/** States after which nothing more happens to a request's approval (the executor may still run it). */
const DECIDED = new Set(['APPROVED', 'DENIED', 'CANCELLED', 'EXPIRED']);

/**
 * Parks a query that policy says needs approval: bind everything the approval governs and sign the binding,
 * store, audit, announce.
 */
export async function parkQuery(
  deps: ParkingDeps,
  call: {
    requestId: string;
    principal: Principal;
    projectId: string;
    sql: string;
    params?: QueryParameter[];
    reason?: string;
  },
  facts: QueryFacts,
  decision: Decision,
): Promise<ApprovalRequest> {
  const request = createApprovalRequest({
    id: call.requestId,
    requester: call.principal,
    projectId: call.projectId,
    sql: call.sql,
    ...(call.params ? { params: call.params } : {}),
    facts,
    decision,
    ...(call.reason ? { reason: call.reason } : {}),
    now: deps.clock.now(),
  });
  // Signed, so that a write to the stored document cannot be re-bound to what was approved.
  request.bindingSignature = await deps.signer.attest(bindingStatement(request.bindingSha256));
  await deps.store.create(request);
  await deps.audit.append(approvalAuditEvent(undefined, request, call.principal));
  await announce(deps, deps.topics.requested, request);
  return request;
}

/** An approver approves or denies; refused by the state machine's review rules. */
export function reviewRequest(
  deps: ApprovalDeps,
  id: string,
  reviewer: Principal,
  decision: 'approve' | 'deny',
  reason: string,
  binding?: string,
): Promise<ApprovalRequest> {
  return transition(deps, id, reviewer, {
    type: 'review',
    reviewer,
    decision,
    reason,
    ...(binding !== undefined ? { binding } : {}),
  });
}

/** The requester withdraws a pending request. */
export function cancelRequest(
  deps: ApprovalDeps,
  id: string,
  by: Principal,
  reason?: string,
): Promise<ApprovalRequest> {
  return transition(deps, id, by, { type: 'cancel', by, ...(reason ? { reason } : {}) });
}

/** A request as its requester may see it (expiry applied on read). */
export async function requestForRequester(
  deps: ApprovalDeps,
  id: string,
  principal: Principal,
): Promise<ApprovalRequest> {
  const request = await deps.store.get(id);
  // The same answer for "missing" and "someone else's": request ids are not an oracle.
  if (!request || !sameIdentity(request.requester, principal))
    throw new WardenError('not_found', `No request ${id} of yours exists.`);
  return withExpiry(request, deps.clock.now());
}

/** A request as an approver may see it: only members of its approver groups (and its requester). */
export async function requestForReviewer(
  deps: ApprovalDeps,
  id: string,
  principal: Principal,
): Promise<ApprovalRequest> {
  const request = await deps.store.get(id);
  if (!request || !mayView(request, principal))
    throw new WardenError('not_found', `No request ${id} that you may review exists.`);
  return withExpiry(request, deps.clock.now());
}

/** Requests an approver may review, newest first. */
export async function listForReviewer(
  deps: ApprovalDeps,
  principal: Principal,
  state: ApprovalRequest['state'] | undefined,
  limit: number,
): Promise<ApprovalRequest[]> {
  const now = deps.clock.now();
  const all = await deps.store.list({ ...(state ? { state } : {}), limit: Math.min(limit, 500) });
  return all
    .map((r) => withExpiry(r, now))
    .filter((r) => mayView(r, principal) && (!state || r.state === state));
}

/** The masked result of a SUCCEEDED request, for its requester alone. */
export async function resultForRequester(
  deps: ApprovalDeps,
  id: string,
  principal: Principal,
): Promise<{ request: ApprovalRequest; result: StoredResult }> {
  const request = await requestForRequester(deps, id, principal);
  if (request.state !== 'SUCCEEDED')
    throw new WardenError(
      'failed_precondition',
      `Request ${id} is ${request.state}; its result is not available.`,
    );
  const result = await deps.results.get(id);
  if (!result || result.expiresAt.getTime() <= deps.clock.now().getTime())
    throw new WardenError('not_found', `The result of request ${id} has expired.`);
  return { request, result };
}

/**
 * The masked result of a SUCCEEDED request for its requester, its reading recorded first as an access to PHI
 * (45 CFR 164.312(b)): get_query_result, get_query_results and a completed task all release rows through this.
 * `jobId`, when given, must be the job that produced the result (get_query_results names a job), or nothing is
 * released.
 */
export async function fetchResultForRequester(
  deps: ApprovalDeps,
  id: string,
  principal: Principal,
  callId: string,
  jobId?: string,
): Promise<{ request: ApprovalRequest; result: StoredResult }> {
  const found = await resultForRequester(deps, id, principal);
  if (jobId !== undefined && found.result.jobId !== jobId)
    throw new WardenError('not_found', `No rows of job ${jobId} are held for you.`);
  await deps.audit.append(
    resultFetchEvent({
      requestId: callId,
      approvalId: found.request.id,
      jobId: found.result.jobId,
      rowCount: found.result.rows.length,
    }),
  );
  return found;
}

function mayView(request: ApprovalRequest, principal: Principal): boolean {
  return (
    sameIdentity(request.requester, principal) ||
    principal.groups.some((g) => request.requiredGroups.includes(g))
  );
}

async function transition(
  deps: ApprovalDeps,
  id: string,
  actor: ApprovalActor,
  event: ApprovalEvent,
): Promise<ApprovalRequest> {
  const now = deps.clock.now();
  let changed: Awaited<ReturnType<ApprovalStore['update']>>;
  try {
    changed = await deps.store.update(id, (current) => nextApprovalState(current, event, now));
  } catch (err) {
    // A refused attempt is evidence too (45 CFR 164.312(b)): recorded, and refused even if the record fails.
    if (isWardenError(err, 'forbidden', 'conflict', 'integrity', 'invalid_argument', 'failed_precondition'))
      await deps.audit
        .append(approvalRefusalEvent(id, actor, event.type, { kind: err.kind, message: err.message }))
        .catch(() => {});
    throw err;
  }
  const { before, after } = changed;
  await deps.audit.append(approvalAuditEvent(before, after, actor));
  if (DECIDED.has(after.state) && !DECIDED.has(before.state))
    await announce(deps, deps.topics.decided, after);
  return after;
}

async function announce(deps: ApprovalDeps, topic: string, request: ApprovalRequest): Promise<void> {
  // Ids and state only: the SQL and identities stay in Firestore and the audit trail.
  await deps.bus.publish(topic, {
    data: { requestId: request.id, state: request.state },
    attributes: { requestId: request.id, state: request.state },
    orderingKey: request.id,
  });
}

/** What one sweep did. */
export interface SweepOutcome {
  expired: string[];
  failed: string[];
  /** APPROVED requests not yet claimed whose `approval-decided` event was announced again. */
  reannounced: string[];
}

/**
 * Housekeeping, run on a schedule: PENDING requests past their expiry become EXPIRED (recorded and announced,
 * so the trail shows the expiry even though reads already apply it), and requests stuck in EXECUTING longer
 * than `stuckAfterMs` (the executor died mid-query) become FAILED, and APPROVED requests still unclaimed
 * `reannounceAfterMs` after the decision get their `approval-decided` event again (its first publish may
 * have failed after the transaction committed; the executor's claim makes a duplicate harmless). Oldest
 * first, at most `limit` of each. A request another party moved meanwhile is left alone.
 */
export async function sweepApprovals(
  deps: ApprovalDeps,
  options: { limit: number; stuckAfterMs: number; reannounceAfterMs?: number; actor: string },
): Promise<SweepOutcome> {
  const now = deps.clock.now();
  const actor = { service: options.actor };
  const out: SweepOutcome = { expired: [], failed: [], reannounced: [] };
  const moved = async (id: string, event: ApprovalEvent, into: string[]) => {
    try {
      await transition(deps, id, actor, event);
      into.push(id);
    } catch (err) {
      // conflict / failed_precondition: decided, claimed or finished by someone else since the list.
      if (
        !(err instanceof WardenError && ['conflict', 'failed_precondition', 'not_found'].includes(err.kind))
      )
        throw err;
    }
  };
  for (const r of await deps.store.list({ state: 'PENDING', limit: options.limit, oldestFirst: true }))
    if (isExpired(r, now)) await moved(r.id, { type: 'expire' }, out.expired);
  for (const r of await deps.store.list({ state: 'EXECUTING', limit: options.limit, oldestFirst: true })) {
    const since = r.execution.claimedAt?.getTime() ?? r.updatedAt.getTime();
    if (now.getTime() - since >= options.stuckAfterMs)
      await moved(
        r.id,
        {
          type: 'fail',
          error: { kind: 'deadline_exceeded', message: 'The execution did not finish in time.' },
        },
        out.failed,
      );
  }
  const reannounceAfterMs = options.reannounceAfterMs ?? 5 * 60_000;
  for (const r of await deps.store.list({ state: 'APPROVED', limit: options.limit, oldestFirst: true })) {
    if (isExpired(r, now) || now.getTime() - r.updatedAt.getTime() < reannounceAfterMs) continue;
    await announce(deps, deps.topics.decided, r);
    out.reannounced.push(r.id);
  }
  return out;
}
