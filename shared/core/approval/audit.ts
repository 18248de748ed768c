// Audit events for approval transitions: who moved which request where and why; never SQL result rows.

import { approvalRefusedEvent, auditDecision, auditPrincipal, sha256Hex } from '../audit/events.ts';
import type { AuditPrincipal, EventOf } from '../audit/record.ts';
import { WardenError } from '../errors.ts';
import type { Principal } from '../identity/principal.ts';
import { formatTableRef } from '../query/facts.ts';
import type { ApprovalIdentity, ApprovalRequest, ApprovalReview, ApprovalState } from './request.ts';
import { approvalCount, isoTime } from './state-machine.ts';

/** The events of approval transitions: `approval.<transition>` (their fields: audit/schema.ts). */
export type ApprovalEvent = EventOf<`approval.${ApprovalTransition}`>;
type AuditIdentity = NonNullable<EventOf<'approval.requested'>['requester']>;

/** Who caused a transition: a verified principal, or a Warden service (an executor, the expiry sweeper). */
export type ApprovalActor = Principal | { service: string };

/** The transitions audit events name (`approval.<transition>`). */
export type ApprovalTransition =
  | 'requested'
  | 'reviewed'
  | 'approved'
  | 'denied'
  | 'expired'
  | 'cancelled'
  | 'claimed'
  | 'succeeded'
  | 'failed';

const BY_STATE: Partial<Record<ApprovalState, ApprovalTransition>> = {
  APPROVED: 'approved',
  DENIED: 'denied',
  EXPIRED: 'expired',
  CANCELLED: 'cancelled',
  EXECUTING: 'claimed',
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
};

/** The transition from `before` (undefined for a new request) to `after`; throws `internal` if there is none. */
export function approvalTransition(
  before: ApprovalRequest | undefined,
  after: ApprovalRequest,
): ApprovalTransition {
  if (!before) return 'requested';
  if (before.state !== after.state) {
    const t = BY_STATE[after.state];
    if (t) return t;
  } else if (after.state === 'PENDING' && after.reviews.length > before.reviews.length) return 'reviewed';
  throw new WardenError('internal', `No approval transition from ${before.state} to ${after.state}.`);
}

/**
 * The audit event of one transition (`before` undefined: the request was just created), as JSON for the
 * audit log: `approval.<transition>` with the request id, new and previous state, actor, review counts,
 * binding hash, rule and policy version, plus what the transition added (the review and its reason, the
 * cancel reason, the claim, the job id, row count and masked columns, the error). Result rows never appear;
 * the SQL text appears only in `approval.requested`, and parameter values never (their hash is in the binding).
 */
export function approvalAuditEvent(
  before: ApprovalRequest | undefined,
  after: ApprovalRequest,
  actor: ApprovalActor,
): ApprovalEvent {
  const transition = approvalTransition(before, after);
  const event: ApprovalEvent = {
    type: `approval.${transition}`,
    requestId: after.id,
    state: after.state,
    ...(before ? { previousState: before.state } : {}),
    actor: auditActor(actor),
    reviewCount: after.reviews.length,
    approvalCount: approvalCount(after),
    quorum: after.quorum,
    projectId: after.projectId,
    bindingSha256: after.bindingSha256,
    rule: after.rule,
    policyVersion: after.policyVersion,
  };
  const newReview = before && after.reviews.length > before.reviews.length ? after.reviews.at(-1) : undefined;
  if (newReview) {
    event['review'] = auditReview(newReview);
    event['reason'] = newReview.reason;
  }
  switch (transition) {
    case 'requested':
      return {
        ...event,
        requester: auditIdentity(after.requester, after.requester.groups),
        ...(after.onBehalfOf ? { onBehalfOf: auditIdentity(after.onBehalfOf, after.onBehalfOf.groups) } : {}),
        ...(after.reason !== undefined ? { reason: after.reason } : {}),
        query: {
          sql: after.sql,
          sqlSha256: sha256Hex(after.sql),
          statementType: after.statementType,
          referencedTables: after.referencedTables.map(formatTableRef),
          totalBytesProcessed: after.totalBytesProcessed,
          params: after.params.map((p) => ({ name: p.name, type: p.type })),
        },
        decision: auditDecision(after.decision),
        requiredGroups: [...after.requiredGroups],
        expiresAt: isoTime(after.expiresAt),
      };
    case 'cancelled':
      return {
        ...event,
        ...(after.cancellation?.reason !== undefined ? { reason: after.cancellation.reason } : {}),
      };
    case 'expired':
      return { ...event, expiresAt: isoTime(after.expiresAt) };
    case 'claimed':
      return {
        ...event,
        ...(after.execution.claimedBy !== undefined ? { claimedBy: after.execution.claimedBy } : {}),
      };
    case 'succeeded':
      return {
        ...event,
        ...(after.execution.jobId !== undefined ? { jobId: after.execution.jobId } : {}),
        rowCount: after.execution.rows ?? 0,
        maskedColumns: [...(after.execution.maskedColumns ?? [])],
        ...(after.execution.resultLocation !== undefined
          ? { resultLocation: after.execution.resultLocation }
          : {}),
      };
    case 'failed':
      return {
        ...event,
        ...(after.execution.error
          ? { error: { kind: after.execution.error.kind, message: after.execution.error.message } }
          : {}),
      };
    default:
      return event;
  }
}

/**
 * The record of a refused transition (a self-approval, a reviewer outside the groups, an approval of a changed
 * binding, a review on someone's behalf): who tried what, and why it was refused. Never the SQL or reasons.
 */
export function approvalRefusalEvent(
  requestId: string,
  actor: ApprovalActor,
  attempted: string,
  error: { kind: string; message: string },
): EventOf<'approval.refused'> {
  return approvalRefusedEvent({
    requestId,
    attempted,
    actor: auditActor(actor),
    error: { kind: error.kind, message: error.message },
  });
}

function auditActor(actor: ApprovalActor): { service: string } | AuditPrincipal {
  return 'service' in actor ? { service: actor.service } : auditPrincipal(actor);
}

function auditIdentity(who: ApprovalIdentity, groups?: readonly string[]): AuditIdentity {
  return {
    subject: who.subject,
    issuer: who.issuer,
    ...(who.email ? { email: who.email } : {}),
    ...(groups ? { groups: [...groups] } : {}),
  };
}

function auditReview(r: ApprovalReview): NonNullable<ApprovalEvent['review']> {
  return {
    approver: auditIdentity(r.approver),
    ...(r.via ? { via: auditIdentity(r.via) } : {}),
    decision: r.decision,
    reason: r.reason,
    at: isoTime(r.at),
  };
}
