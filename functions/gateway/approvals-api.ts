// The approvals HTTP API on the gateway (authenticated like /mcp): list, show, approve, deny, cancel; and the
// after-the-fact review of break-glass uses (docs/approvals.md, "Reviewing break-glass use").
//   GET  /approvals?state=PENDING&limit=50     GET  /approvals/{id}
//   POST /approvals/{id}:approve {reason}      POST /approvals/{id}:deny {reason}      POST /approvals/{id}:cancel {reason?}
//   GET  /approvals/break-glass?state=pending|reviewed|all&limit=50     GET  /approvals/break-glass/{id}
//   POST /approvals/break-glass/{id}:review {outcome: appropriate|inappropriate, note?}

import type { Request, Response } from '@google-cloud/functions-framework';
import { z } from 'zod';
import { type ApprovalRequest, waitingFor } from '../../shared/core/approval/approval.ts';
import { apiRequestEvent, auditPrincipal } from '../../shared/core/audit/events.ts';
import { BREAK_GLASS_OUTCOMES } from '../../shared/core/audit/schema.ts';
import { WardenError } from '../../shared/core/errors.ts';
import {
  cancelRequest,
  listForReviewer,
  requestForReviewer,
  reviewRequest,
} from '../../shared/core/gateway/approvals.ts';
import {
  breakGlassReviewerGroups,
  breakGlassUseForReviewer,
  listBreakGlassForReviewer,
  reviewBreakGlassUse,
} from '../../shared/core/gateway/break-glass.ts';
import type { ExecuteSqlDeps } from '../../shared/core/gateway/execute-sql.ts';
import type { Principal } from '../../shared/core/identity/principal.ts';
import { formatTableRef } from '../../shared/core/query/facts.ts';
import { toWireError } from '../../shared/mcp/to-wire-error.ts';
import type { BreakGlassUse } from '../../shared/ports/approval-store.ts';
import type { AuditAppender } from '../../shared/ports/audit-appender.ts';

const STATES = [
  'PENDING',
  'APPROVED',
  'DENIED',
  'EXPIRED',
  'CANCELLED',
  'EXECUTING',
  'SUCCEEDED',
  'FAILED',
] as const;
const ListQuery = z.object({
  state: z.enum(STATES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
const ReasonBody = z.object({ reason: z.string().trim().min(1).max(2000) }).strict();
// An approval names the binding the approver reviewed (the request's bindingSha256, shown with it): a request
// changed since, in any field the approval governs, is refused.
const ApproveBody = ReasonBody.extend({ binding: z.string().regex(/^[0-9a-f]{64}$/) }).strict();
const CancelBody = z.object({ reason: z.string().trim().min(1).max(2000).optional() }).strict();
const BreakGlassList = z.object({
  state: z.enum(['pending', 'reviewed', 'all']).default('pending'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
// The note is untrusted text: bounded here, then normalised and masked before it is recorded (break-glass.ts).
const BreakGlassReviewBody = z
  .object({ outcome: z.enum(BREAK_GLASS_OUTCOMES), note: z.string().trim().min(1).max(2000).optional() })
  .strict();
const BREAK_GLASS_PATH = /^\/approvals\/break-glass(?:\/([^/:]+)(?::(review))?)?\/?$/;

/** What the approvals API needs: the gateway's dependencies and its log. */
export type ApprovalsApiDeps = ExecuteSqlDeps & {
  log: (message: string, cause?: unknown) => void;
  /** BREAK_GLASS_REVIEWER_GROUPS; absent: the policy's approver groups. */
  breakGlassReviewers?: readonly string[];
};

/** Serves one approvals API call; the call itself is audited before any answer leaves. */
export async function handleApprovalsApi(
  deps: ApprovalsApiDeps,
  req: Request,
  res: Response,
  requestId: string,
  principal: Principal,
): Promise<void> {
  try {
    const now = () => deps.clock.now();
    const bg = BREAK_GLASS_PATH.exec(req.path);
    if (bg) return await breakGlassApi(deps, req, res, requestId, principal, bg[1], bg[2]);
    const m = /^\/approvals(?:\/([^/:]+)(?::(approve|deny|cancel))?)?\/?$/.exec(req.path);
    if (!m) throw new WardenError('not_found', 'No such approvals resource.');
    const [, id, verb] = m;
    await recordApiRequest(deps.audit, requestId, principal, req);
    if (req.method === 'GET' && !id) {
      const q = ListQuery.safeParse(req.query);
      if (!q.success)
        throw new WardenError('invalid_argument', 'state must be an approval state and limit 1..500.');
      const list = await listForReviewer(deps.approvals, principal, q.data.state, q.data.limit);
      return void res.json({ requests: list.map((r) => view(r, now())) });
    }
    if (req.method === 'GET' && id && !verb)
      return void res.json(view(await requestForReviewer(deps.approvals, id, principal), now()));
    if (req.method === 'POST' && id && (verb === 'approve' || verb === 'deny')) {
      const body = (verb === 'approve' ? ApproveBody : ReasonBody).safeParse(req.body ?? {});
      if (!body.success)
        throw new WardenError(
          'invalid_argument',
          verb === 'approve'
            ? 'A reason and the binding (bindingSha256) you reviewed are required to approve.'
            : 'A reason is required to deny.',
        );
      const binding = 'binding' in body.data ? String(body.data.binding) : undefined;
      return void res.json(
        view(await reviewRequest(deps.approvals, id, principal, verb, body.data.reason, binding), now()),
      );
    }
    if (req.method === 'POST' && id && verb === 'cancel') {
      const body = CancelBody.safeParse(req.body ?? {});
      if (!body.success) throw new WardenError('invalid_argument', 'reason must be a non-empty string.');
      return void res.json(view(await cancelRequest(deps.approvals, id, principal, body.data.reason), now()));
    }
    throw new WardenError('not_found', 'No such approvals resource.');
  } catch (err) {
    deps.log(`approvals API request ${requestId} failed`, err);
    replyApiError(res, err, requestId);
  }
}

/** The break-glass review endpoints; audited (`api.request`) before anything is read or answered. */
async function breakGlassApi(
  deps: ApprovalsApiDeps,
  req: Request,
  res: Response,
  requestId: string,
  principal: Principal,
  id: string | undefined,
  verb: string | undefined,
): Promise<void> {
  await recordApiRequest(deps.audit, requestId, principal, req);
  const groups = breakGlassReviewerGroups(deps.policy, deps.breakGlassReviewers);
  const store = { store: deps.approvals.store, audit: deps.audit, clock: deps.clock };
  if (req.method === 'GET' && !id) {
    const q = BreakGlassList.safeParse(req.query ?? {});
    if (!q.success)
      throw new WardenError('invalid_argument', 'state must be pending, reviewed or all, and limit 1..500.');
    const { state, limit } = q.data;
    const uses = await listBreakGlassForReviewer(store, principal, groups, {
      ...(state === 'all' ? {} : { reviewed: state === 'reviewed' }),
      limit,
    });
    return void res.json({ uses: uses.map(breakGlassView) });
  }
  if (req.method === 'GET' && id && !verb)
    return void res.json(breakGlassView(await breakGlassUseForReviewer(store, id, principal, groups)));
  if (req.method === 'POST' && id && verb === 'review') {
    const body = BreakGlassReviewBody.safeParse(req.body ?? {});
    if (!body.success)
      throw new WardenError(
        'invalid_argument',
        'outcome must be appropriate or inappropriate; note, if given, 1..2000 characters.',
      );
    const reviewed = await reviewBreakGlassUse(store, {
      requestId: id,
      apiRequestId: requestId,
      reviewer: principal,
      groups,
      outcome: body.data.outcome,
      ...(body.data.note ? { note: body.data.note } : {}),
    });
    return void res.json(breakGlassView(reviewed));
  }
  throw new WardenError('not_found', 'No such approvals resource.');
}

/** What a break-glass reviewer sees: who, under which rule, why, when (UTC), and the latest review. */
export function breakGlassView(u: BreakGlassUse): Record<string, unknown> {
  return {
    requestId: u.requestId,
    status: u.review ? 'reviewed' : 'pending',
    user: { subject: u.user.subject, email: u.user.email, groups: u.user.groups },
    ...(u.onBehalfOf ? { onBehalfOf: { subject: u.onBehalfOf.subject, email: u.onBehalfOf.email } } : {}),
    rule: u.rule,
    policyVersion: u.policyVersion,
    projectId: u.projectId,
    reason: u.reason,
    at: u.at.toISOString(),
    ...(u.review
      ? {
          review: {
            reviewer: u.review.reviewer.email ?? u.review.reviewer.subject,
            outcome: u.review.outcome,
            note: u.review.note,
            at: u.review.at.toISOString(),
            count: u.review.count,
          },
        }
      : {}),
  };
}

/** Records an approvals-API call (who, method, path) before anything is answered. */
export function recordApiRequest(
  audit: AuditAppender,
  requestId: string,
  principal: Principal,
  req: Request,
): Promise<unknown> {
  return audit.append(
    apiRequestEvent({
      requestId,
      principal: auditPrincipal(principal),
      method: req.method,
      path: req.path,
    }),
  );
}

/** The approvals API's error answer: the wire status and a caller-safe message, with the error's kind. */
export function replyApiError(res: Response, err: unknown, requestId: string): void {
  const wire = toWireError(err, requestId);
  res
    .status(wire.httpStatus)
    .json({ error: { kind: err instanceof WardenError ? err.kind : 'internal', message: wire.message } });
}

/** What an approver sees: the exact SQL and parameters, who asked and why, and the review trail. */
export function view(r: ApprovalRequest, now: Date): Record<string, unknown> {
  return {
    id: r.id,
    state: r.state,
    waitingFor: waitingFor(r, now),
    requester: { subject: r.requester.subject, email: r.requester.email, groups: r.requester.groups },
    ...(r.onBehalfOf ? { onBehalfOf: { subject: r.onBehalfOf.subject, email: r.onBehalfOf.email } } : {}),
    projectId: r.projectId,
    sql: r.sql,
    params: r.params,
    bindingSha256: r.bindingSha256,
    statementType: r.statementType,
    referencedTables: r.referencedTables.map(formatTableRef),
    phiClasses: r.decision.phiClasses,
    // `partial`: the SQL could not be fully analysed, so every PHI column of its tables counted as read.
    analysis: r.decision.analysis ?? 'full',
    maskingProfile: r.decision.maskingProfile,
    limits: { values: r.decision.rowLimit, cells: r.decision.cellLimit, bytes: r.decision.byteLimit },
    totalBytesProcessed: r.totalBytesProcessed,
    rule: r.rule,
    policyVersion: r.policyVersion,
    reason: r.reason,
    requiredGroups: r.requiredGroups,
    quorum: r.quorum,
    reviews: r.reviews.map((v) => ({
      approver: v.approver.email ?? v.approver.subject,
      decision: v.decision,
      reason: v.reason,
      at: v.at.toISOString(),
    })),
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt.toISOString(),
    execution: {
      ...r.execution,
      claimedAt: r.execution.claimedAt?.toISOString(),
      finishedAt: r.execution.finishedAt?.toISOString(),
    },
  };
}
