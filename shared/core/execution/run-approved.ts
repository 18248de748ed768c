// The executor's approved path: claim the request in a transaction (exactly once, whatever Pub/Sub
// redelivers), run exactly the parked SQL with the parked decision's limits, keep the masked result for the
// requester, and record every transition.

import type { ApprovalRequest, ApprovalStore, ResultStore } from '../../ports/approval-store.ts';
import type { Clock } from '../../ports/clock.ts';
import {
  approvalAuditEvent,
  bindingStatement,
  isBindingIntact,
  nextApprovalState,
  requesterPrincipal,
} from '../approval/approval.ts';
import { isWardenError, WardenError } from '../errors.ts';
import { type GrantAuthority, statementFault } from './grant.ts';
import { type RunQueryDeps, runAllowedQuery } from './run-query.ts';

export interface RunApprovedDeps extends RunQueryDeps {
  store: ApprovalStore;
  results: ResultStore;
  clock: Clock;
  /** This executor instance, recorded on the claim. */
  executorId: string;
  /** How long the requester may fetch the result. */
  resultTtlMs: number;
  /** Who may sign a parked request's binding (the gateway, certified by the audit KMS key). */
  grants: GrantAuthority;
}

/** What became of one delivery. */
export type ApprovedOutcome = 'ran' | 'failed' | 'skipped';

/**
 * Handles one `approval-decided` delivery. A request that is not APPROVED, or already claimed, is skipped
 * (acknowledged): redeliveries and decisions other than approval run nothing. Infrastructure failures before
 * the claim throw, so Pub/Sub delivers again.
 */
export async function runApprovedRequest(deps: RunApprovedDeps, requestId: string): Promise<ApprovedOutcome> {
  const actor = { service: deps.executorId };
  let claimed: Awaited<ReturnType<ApprovalStore['update']>>;
  try {
    const now = deps.clock.now();
    claimed = await deps.store.update(requestId, (r) =>
      nextApprovalState(r, { type: 'claim', executor: deps.executorId }, now),
    );
  } catch (err) {
    // conflict: not APPROVED or already claimed; failed_precondition: expired; not_found: unknown id.
    if (isWardenError(err, 'conflict', 'failed_precondition', 'not_found')) return 'skipped';
    if (isWardenError(err, 'integrity')) {
      // The parked SQL no longer matches what approvers approved: refuse, and record why.
      await finish(deps, requestId, actor, {
        type: 'fail',
        error: { kind: 'integrity', message: 'The parked query no longer matches its approval.' },
      }).catch(() => {});
      return 'failed';
    }
    throw err;
  }
  await deps.audit.append(approvalAuditEvent(claimed.before, claimed.after, actor));
  const request = claimed.after;
  // The document as claimed must carry the gateway's signature on its binding: a Firestore write that changed
  // what was approved and recomputed the hash cannot also sign it.
  const fault = await bindingFault(deps.grants, request).catch(() => 'could not be verified');
  if (fault !== undefined) {
    await finish(deps, request.id, actor, {
      type: 'fail',
      error: { kind: 'integrity', message: `The parked query's approval binding ${fault}.` },
    });
    return 'failed';
  }
  try {
    const result = await runAllowedQuery(
      deps,
      {
        requestId: request.id,
        principal: requesterPrincipal(request),
        projectId: request.projectId,
        sql: request.sql,
        ...(request.params.length ? { params: request.params } : {}),
        decision: request.decision,
        facts: {
          statementType: request.statementType,
          referencedTables: request.referencedTables,
          totalBytesProcessed: request.totalBytesProcessed,
        },
      },
      { id: request.id },
    );
    const location = await deps.results.put({
      requestId: request.id,
      jobId: result.jobId,
      schema: result.schema,
      rows: result.rows,
      truncated: result.truncated,
      expiresAt: new Date(deps.clock.now().getTime() + deps.resultTtlMs),
    });
    await finish(deps, request.id, actor, {
      type: 'succeed',
      jobId: result.jobId,
      rows: result.rows.length,
      // What masking did (column names, never values), from the executor's summary.
      maskedColumns: result.masking.columns.map((c) => c.column),
      resultLocation: location,
    });
    return 'ran';
  } catch (err) {
    const error =
      err instanceof WardenError
        ? { kind: err.kind, message: err.message }
        : { kind: 'internal', message: 'The query failed.' };
    await finish(deps, request.id, actor, { type: 'fail', error });
    return 'failed';
  }
}

/** Why `request`'s binding is not one the gateway signed, or undefined when it is. */
async function bindingFault(
  authority: GrantAuthority,
  request: ApprovalRequest,
): Promise<string | undefined> {
  if (!isBindingIntact(request)) return 'does not match the request';
  const trust = {
    kmsKeyVersion: authority.kmsKeyVersion,
    kmsPublicKeyPem: await authority.kmsPublicKeyPem(),
    writers: authority.writers,
  };
  return statementFault(bindingStatement(request.bindingSha256), request.bindingSignature, trust);
}

async function finish(
  deps: RunApprovedDeps,
  id: string,
  actor: { service: string },
  event: Parameters<typeof nextApprovalState>[1],
): Promise<void> {
  const now = deps.clock.now();
  const { before, after } = await deps.store.update(id, (r) => nextApprovalState(r, event, now));
  await deps.audit.append(approvalAuditEvent(before, after, actor));
}
