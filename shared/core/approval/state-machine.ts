// The approval state machine: pure transitions with Teleport-style review rules (no self-approval, quorum, expiry).

import { WardenError } from '../errors.ts';
import { mailboxOf } from '../identity/normalize.ts';
import type { Principal } from '../identity/principal.ts';
import {
  type ApprovalExecutionError,
  type ApprovalIdentity,
  type ApprovalRequest,
  type ApprovalState,
  identityOf,
  isBindingIntact,
  optionalReason,
  validNow,
} from './request.ts';

/** An approver's decision; `reviewer` is the verified caller (its groups already mapped). */
export interface ReviewEvent {
  type: 'review';
  reviewer: Principal;
  decision: 'approve' | 'deny';
  reason: string;
  /** The binding (bindingSha256) the reviewer saw: a request whose binding changed since is refused. */
  binding?: string;
}

/** The requester withdraws a pending request. */
export interface CancelEvent {
  type: 'cancel';
  by: Principal;
  reason?: string;
}

/** A pending request's time ran out. */
export interface ExpireEvent {
  type: 'expire';
}

/** An executor takes an approved request to run it (once). */
export interface ClaimEvent {
  type: 'claim';
  executor: string;
}

/** The execution finished. */
export interface SucceedEvent {
  type: 'succeed';
  jobId: string;
  rows: number;
  maskedColumns: string[];
  resultLocation?: string;
}

/** The execution failed. */
export interface FailEvent {
  type: 'fail';
  error: ApprovalExecutionError;
}

/** Everything that moves a request. */
export type ApprovalEvent = ReviewEvent | CancelEvent | ExpireEvent | ClaimEvent | SucceedEvent | FailEvent;

/**
 * True when time has run out for the request: it is EXPIRED, or it is PENDING or APPROVED (not yet claimed)
 * and `now` is at or past `expiresAt`. A stored `expiresAt` that is not a valid date counts as expired.
 */
export function isExpired(request: ApprovalRequest, now: Date): boolean {
  const t = validNow(now);
  if (request.state === 'EXPIRED') return true;
  if (request.state !== 'PENDING' && request.state !== 'APPROVED') return false;
  const expiresAt = request.expiresAt instanceof Date ? request.expiresAt.getTime() : Number.NaN;
  return !(t < expiresAt);
}

/**
 * The request as it stands at `now`: a PENDING request past its expiry is returned EXPIRED (a new object);
 * anything else is returned unchanged. Stores and readers apply this on every read.
 */
export function withExpiry(request: ApprovalRequest, now: Date): ApprovalRequest {
  return request.state === 'PENDING' && isExpired(request, now)
    ? nextApprovalState(request, { type: 'expire' }, now)
    : request;
}

/**
 * The request after `event` at `now`, as a new object (the input is never mutated; frozen input works).
 * Legal transitions: PENDING → APPROVED (quorum of distinct approvers) | DENIED (any deny) | EXPIRED |
 * CANCELLED (by the requester); APPROVED → EXECUTING (claim, once, before expiry) → SUCCEEDED | FAILED.
 * A review that does not reach the quorum keeps the request PENDING with the review added.
 *
 * Throws WardenError: `conflict` for an illegal transition; `failed_precondition` for a review, claim or
 * cancel of an expired request; `forbidden` for a review-rule violation (self-review, reviewer outside the
 * required groups, second review by the same approver) or a cancel by someone other than the requester;
 * `invalid_argument` for a missing reason or malformed event; `integrity` for a claim of a request whose
 * binding hash no longer matches its SQL. `version` is left to the store.
 */
export function nextApprovalState(
  request: ApprovalRequest,
  event: ApprovalEvent,
  now: Date,
): ApprovalRequest {
  const t = validNow(now);
  switch (event.type) {
    case 'review':
      return review(request, event, t);
    case 'cancel':
      return cancel(request, event, t);
    case 'expire':
      if (request.state !== 'PENDING') illegal(request, 'expire');
      if (!isExpired(request, now))
        throw new WardenError('conflict', `Approval request ${request.id} has not expired yet.`);
      return moved(request, 'EXPIRED', t);
    case 'claim':
      return claim(request, event, t);
    case 'succeed':
      return succeed(request, event, t);
    case 'fail':
      return fail(request, event, t);
    default:
      throw new WardenError('invalid_argument', 'Unknown approval event.');
  }
}

function review(request: ApprovalRequest, event: ReviewEvent, t: number): ApprovalRequest {
  refuseIfExpired(request, t, 'reviewed');
  if (request.state !== 'PENDING') illegal(request, 'review');
  if (event.decision !== 'approve' && event.decision !== 'deny')
    throw new WardenError('invalid_argument', 'A review decides approve or deny.');
  const reason = optionalReason(event.reason);
  if (reason === undefined)
    throw new WardenError('invalid_argument', `A review needs a reason: say why you ${event.decision}.`);

  const reviewer = event.reviewer;
  // An approval is the approver's own act: it is decided by the authenticated bearer's identity and groups,
  // never by a person's token a service forwards (which any server it was handed to could replay).
  if (reviewer.onBehalfOf)
    throw new WardenError(
      'forbidden',
      "A review is made with the approver's own token, not on behalf of someone (docs/identity.md).",
    );
  if (event.binding !== undefined && event.binding !== request.bindingSha256)
    throw new WardenError(
      'conflict',
      `Approval request ${request.id} is not the one reviewed: its binding changed. Review it again.`,
    );
  if (!isBindingIntact(request))
    throw new WardenError('integrity', `Approval request ${request.id} no longer matches its binding.`);
  const approver: ApprovalIdentity & { groups: string[] } = reviewer;
  const reviewerIdentities: ApprovalIdentity[] = [reviewer];
  const requestParties: ApprovalIdentity[] = [
    request.requester,
    ...(request.onBehalfOf ? [request.onBehalfOf] : []),
  ];
  if (reviewerIdentities.some((r) => requestParties.some((p) => samePerson(r, p))))
    throw new WardenError('forbidden', 'Nobody reviews a request they made or that was made for them.');
  if (!approver.groups.some((g) => request.requiredGroups.includes(g)))
    throw new WardenError(
      'forbidden',
      `Only members of ${request.requiredGroups.join(', ')} review approval request ${request.id}.`,
    );
  if (request.reviews.some((r) => samePerson(r.approver, approver)))
    throw new WardenError('forbidden', 'Each approver reviews a request once.');

  const next = copy(request, t);
  next.reviews.push({
    approver: identityOf(approver),
    decision: event.decision,
    reason,
    at: new Date(t),
  });
  if (event.decision === 'deny') next.state = 'DENIED';
  else if (approvalCount(next) >= next.quorum) next.state = 'APPROVED';
  return next;
}

function cancel(request: ApprovalRequest, event: CancelEvent, t: number): ApprovalRequest {
  refuseIfExpired(request, t, 'cancelled');
  if (request.state !== 'PENDING') illegal(request, 'cancel');
  if (!sameIdentity(event.by, request.requester))
    throw new WardenError('forbidden', 'Only the requester cancels an approval request.');
  const reason = optionalReason(event.reason);
  const next = copy(request, t);
  next.state = 'CANCELLED';
  next.cancellation = {
    by: identityOf(event.by),
    ...(reason !== undefined ? { reason } : {}),
    at: new Date(t),
  };
  return next;
}

function claim(request: ApprovalRequest, event: ClaimEvent, t: number): ApprovalRequest {
  refuseIfExpired(request, t, 'executed');
  if (request.state !== 'APPROVED') illegal(request, 'claim');
  if (typeof event.executor !== 'string' || event.executor.trim() === '')
    throw new WardenError('invalid_argument', 'A claim names its executor.');
  if (!isBindingIntact(request))
    throw new WardenError('integrity', `Approval request ${request.id} no longer matches what was approved.`);
  const next = moved(request, 'EXECUTING', t);
  next.execution = { ...next.execution, claimedAt: new Date(t), claimedBy: event.executor };
  return next;
}

function succeed(request: ApprovalRequest, event: SucceedEvent, t: number): ApprovalRequest {
  if (request.state !== 'EXECUTING') illegal(request, 'succeed');
  if (
    typeof event.jobId !== 'string' ||
    event.jobId === '' ||
    !Number.isSafeInteger(event.rows) ||
    event.rows < 0 ||
    !Array.isArray(event.maskedColumns) ||
    !event.maskedColumns.every((c) => typeof c === 'string')
  )
    throw new WardenError('invalid_argument', 'A success names its job, row count and masked columns.');
  const next = moved(request, 'SUCCEEDED', t);
  next.execution = {
    ...next.execution,
    jobId: event.jobId,
    rows: event.rows,
    maskedColumns: [...event.maskedColumns],
    ...(event.resultLocation ? { resultLocation: event.resultLocation } : {}),
    finishedAt: new Date(t),
  };
  return next;
}

function fail(request: ApprovalRequest, event: FailEvent, t: number): ApprovalRequest {
  if (request.state !== 'EXECUTING') illegal(request, 'fail');
  const error = event.error;
  if (!error || typeof error.kind !== 'string' || typeof error.message !== 'string')
    throw new WardenError('invalid_argument', 'A failure carries an error kind and message.');
  const next = moved(request, 'FAILED', t);
  next.execution = {
    ...next.execution,
    error: { kind: error.kind, message: error.message },
    finishedAt: new Date(t),
  };
  return next;
}

/** Approvals recorded on the request. */
export function approvalCount(request: ApprovalRequest): number {
  return request.reviews.filter((r) => r.decision === 'approve').length;
}

/** Same issuer and subject. */
export function sameIdentity(a: ApprovalIdentity, b: ApprovalIdentity): boolean {
  return a.issuer === b.issuer && a.subject === b.subject;
}

/**
 * Same identity, or the same mailbox when both have a (verified) email: normalised (NFKC, invisible characters
 * and case ignored) and without plus-addressing tags, so `Ann+x@Example.org ` is `ann@example.org`.
 */
export function samePerson(a: ApprovalIdentity, b: ApprovalIdentity): boolean {
  if (sameIdentity(a, b)) return true;
  if (a.email === undefined || b.email === undefined) return false;
  const ma = mailboxOf(a.email);
  return ma !== '' && ma === mailboxOf(b.email);
}

function refuseIfExpired(request: ApprovalRequest, t: number, what: string): void {
  if (isExpired(request, new Date(t)))
    throw new WardenError(
      'failed_precondition',
      `Approval request ${request.id} expired at ${isoTime(request.expiresAt)}; it cannot be ${what}.`,
    );
}

/** ISO 8601 text of a date, or a placeholder for a date that is not valid. */
export function isoTime(d: Date): string {
  return d instanceof Date && Number.isFinite(d.getTime()) ? d.toISOString() : 'an unknown time';
}

function illegal(request: ApprovalRequest, event: string): never {
  throw new WardenError(
    'conflict',
    `Approval request ${request.id} is ${request.state}; it cannot ${event}.`,
  );
}

function moved(request: ApprovalRequest, state: ApprovalState, t: number): ApprovalRequest {
  const next = copy(request, t);
  next.state = state;
  return next;
}

/** A deep copy stamped with the transition time: nothing is shared with (or changed in) the input. */
function copy(request: ApprovalRequest, t: number): ApprovalRequest {
  const next = structuredClone(request);
  next.updatedAt = new Date(t);
  return next;
}
