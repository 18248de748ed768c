// The `sweep` target (same source as the gateway; Cloud Scheduler → Pub/Sub `approval-sweep` → this
// function): persists expiries and fails executions stuck past their deadline, each with its audit record.

import { type ApprovalDeps, type SweepOutcome, sweepApprovals } from '../../shared/core/gateway/approvals.ts';

/** Builds the sweep CloudEvent function. Throwing makes Pub/Sub redeliver (the sweep is idempotent). */
export function createSweepHandler(
  deps: { approvals: ApprovalDeps; log: (message: string, cause?: unknown) => void },
  options: { stuckAfterMs: number; limit?: number },
): () => Promise<SweepOutcome> {
  return async () => {
    const outcome = await sweepApprovals(deps.approvals, {
      limit: options.limit ?? 500,
      stuckAfterMs: options.stuckAfterMs,
      actor: 'warden-sweeper',
    });
    deps.log(
      `sweep: ${outcome.expired.length} expired, ${outcome.failed.length} stuck executions failed, ` +
        `${outcome.reannounced.length} approvals announced again`,
    );
    return outcome;
  };
}
