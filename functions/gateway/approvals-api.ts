// The approvals HTTP API on the gateway (authenticated like /mcp): list, show, approve, deny, cancel.
//   GET  /approvals?state=PENDING&limit=50     GET  /approvals/{id}
//   POST /approvals/{id}:approve {reason}      POST /approvals/{id}:deny {reason}      POST /approvals/{id}:cancel {reason?}

import type { Request, Response } from '@google-cloud/functions-framework';
import { z } from 'zod';
import { type ApprovalRequest, waitingFor } from '../../shared/core/approval/approval.ts';
import { apiRequestEvent, auditPrincipal } from '../../shared/core/audit/events.ts';
import { WardenError } from '../../shared/core/errors.ts';
import {
  cancelRequest,
  listForReviewer,
  requestForReviewer,
  reviewRequest,
} from '../../shared/core/gateway/approvals.ts';
import type { ExecuteSqlDeps } from '../../shared/core/gateway/execute-sql.ts';
import type { Principal } from '../../shared/core/identity/principal.ts';
import { formatTableRef } from '../../shared/core/query/facts.ts';
import { toWireError } from '../../shared/mcp/to-wire-error.ts';
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

/** Serves one approvals API call; the call itself is audited before any answer leaves. */
export async function handleApprovalsApi(
  deps: ExecuteSqlDeps & { log: (message: string, cause?: unknown) => void },
  req: Request,
  res: Response,
  requestId: string,
  principal: Principal,
): Promise<void> {
  try {
    const now = () => deps.clock.now();
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
