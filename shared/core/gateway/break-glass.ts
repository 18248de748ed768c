// Break-glass uses and their after-the-fact review (45 CFR 164.312(a)(2)(ii): emergency access is allowed, and
// reviewed afterwards). Each use is stored when it is allowed, so a reviewer can find it by its request id; each
// review is a `breakglass.reviewed` audit record, durable before the review is stored or answered.

import type { ApprovalStore, BreakGlassOutcome, BreakGlassUse } from '../../ports/approval-store.ts';
import type { AuditAppender } from '../../ports/audit-appender.ts';
import type { Clock } from '../../ports/clock.ts';
import { samePerson } from '../approval/approval.ts';
import { auditPrincipal, breakGlassReviewedEvent } from '../audit/events.ts';
import { WardenError } from '../errors.ts';
import type { Principal } from '../identity/principal.ts';
import type { Decision, Policy } from '../policy/policy.ts';
import { recordableReason } from './reason.ts';

export interface BreakGlassDeps {
  store: Pick<ApprovalStore, 'recordBreakGlass' | 'getBreakGlass' | 'reviewBreakGlass' | 'listBreakGlass'>;
  audit: AuditAppender;
  clock: Clock;
}

/**
 * Stores a break-glass use for its review; called once its `policy.decision` record is durable and before the
 * query runs, so every use that ran can be reviewed. Fails closed: a use that cannot be stored does not run.
 */
export async function recordBreakGlassUse(
  deps: Pick<BreakGlassDeps, 'store' | 'clock'>,
  call: { requestId: string; principal: Principal; projectId: string; reason?: string },
  decision: Decision,
): Promise<void> {
  const p = call.principal;
  try {
    await deps.store.recordBreakGlass({
      requestId: call.requestId,
      user: {
        subject: p.subject,
        issuer: p.issuer,
        ...(p.email ? { email: p.email } : {}),
        groups: [...p.groups],
      },
      ...(p.onBehalfOf
        ? {
            onBehalfOf: {
              subject: p.onBehalfOf.subject,
              issuer: p.onBehalfOf.issuer,
              ...(p.onBehalfOf.email ? { email: p.onBehalfOf.email } : {}),
            },
          }
        : {}),
      rule: decision.rule,
      policyVersion: decision.policyVersion,
      projectId: call.projectId,
      reason: call.reason ?? '',
      at: deps.clock.now(),
    });
  } catch (err) {
    throw new WardenError('unavailable', 'The break-glass use could not be recorded for review.', {
      cause: err,
    });
  }
}

/**
 * Who may review break-glass uses: the configured groups (BREAK_GLASS_REVIEWER_GROUPS) or, when none are
 * configured, every group the policy names as an approver (the people who already judge access to PHI).
 */
export function breakGlassReviewerGroups(policy: Policy, configured?: readonly string[]): string[] {
  if (configured?.length) return [...new Set(configured)];
  return [
    ...new Set([
      ...policy.rules.flatMap((r) => r.approval?.groups ?? []),
      ...(policy.unparseableApproval?.groups ?? []),
    ]),
  ];
}

function mayReview(principal: Principal, groups: readonly string[]): void {
  if (!principal.groups.some((g) => groups.includes(g)))
    throw new WardenError(
      'forbidden',
      groups.length
        ? `Only members of ${groups.join(', ')} may review break-glass uses.`
        : 'No group may review break-glass uses: set BREAK_GLASS_REVIEWER_GROUPS or name approver groups in the policy.',
    );
}

/** A break-glass use, for a reviewer. */
export async function breakGlassUseForReviewer(
  deps: BreakGlassDeps,
  requestId: string,
  principal: Principal,
  groups: readonly string[],
): Promise<BreakGlassUse> {
  mayReview(principal, groups);
  const use = await deps.store.getBreakGlass(requestId);
  if (!use) throw new WardenError('not_found', `No break-glass use ${requestId} exists.`);
  return use;
}

/** Break-glass uses for a reviewer, newest first; `reviewed: false` only those awaiting review. */
export async function listBreakGlassForReviewer(
  deps: BreakGlassDeps,
  principal: Principal,
  groups: readonly string[],
  filter: { reviewed?: boolean; limit: number },
): Promise<BreakGlassUse[]> {
  mayReview(principal, groups);
  return deps.store.listBreakGlass({ ...filter, limit: Math.min(filter.limit, 500) });
}

/**
 * Reviews a break-glass use after the fact. The reviewer must be in a reviewer group and may not review a use
 * they made (or one made on their behalf). The `breakglass.reviewed` record is durable before the review is
 * stored: if the record fails, nothing is reviewed and the call fails. A later review of the same use
 * supersedes an earlier one (both stay in the trail; the report shows the latest).
 */
export async function reviewBreakGlassUse(
  deps: BreakGlassDeps,
  review: {
    requestId: string;
    apiRequestId: string;
    reviewer: Principal;
    groups: readonly string[];
    outcome: BreakGlassOutcome;
    note?: string;
  },
): Promise<BreakGlassUse> {
  const use = await breakGlassUseForReviewer(deps, review.requestId, review.reviewer, review.groups);
  const reviewer = review.reviewer;
  const people = [reviewer, ...(reviewer.onBehalfOf ? [reviewer.onBehalfOf] : [])];
  const users = [use.user, ...(use.onBehalfOf ? [use.onBehalfOf] : [])];
  if (people.some((p) => users.some((u) => samePerson(p, u))))
    throw new WardenError('forbidden', 'You may not review your own break-glass use.');
  // Untrusted text, as reasons are: normalised, cut to length and its identifiers masked before it is recorded.
  const note = review.note === undefined ? '' : recordableReason(review.note);
  const at = deps.clock.now();
  try {
    await deps.audit.append(
      breakGlassReviewedEvent({
        requestId: use.requestId,
        apiRequestId: review.apiRequestId,
        reviewer: auditPrincipal(reviewer),
        outcome: review.outcome,
        ...(note ? { note } : {}),
        user: {
          subject: use.user.subject,
          issuer: use.user.issuer,
          ...(use.user.email ? { email: use.user.email } : {}),
        },
        rule: use.rule,
        usedAt: use.at.toISOString(),
      }),
    );
  } catch (err) {
    throw new WardenError(
      'unavailable',
      'The review could not be recorded in the audit trail; nothing was reviewed.',
      {
        cause: err,
      },
    );
  }
  return deps.store.reviewBreakGlass(use.requestId, {
    reviewer: {
      subject: reviewer.subject,
      issuer: reviewer.issuer,
      ...(reviewer.email ? { email: reviewer.email } : {}),
    },
    outcome: review.outcome,
    ...(note ? { note } : {}),
    at,
  });
}
