// The executor's Pub/Sub entry: `approval-decided` events (CloudEvents from Eventarc, or push deliveries
// locally) name a request; approved ones are claimed and run once.

import type { CloudEvent } from '@google-cloud/functions-framework';
import { approvalEventOf } from '../../shared/adapters/pubsub/approval-event.ts';
import {
  type ApprovedOutcome,
  type RunApprovedDeps,
  runApprovedRequest,
} from '../../shared/core/execution/run-approved.ts';

/** Builds the `approved` CloudEvent function. Throwing makes Pub/Sub redeliver; returning acknowledges. */
export function createApprovedHandler(
  deps: RunApprovedDeps & { log: (message: string, cause?: unknown) => void },
): (event: CloudEvent<unknown>) => Promise<ApprovedOutcome> {
  return async (event) => {
    const { requestId, state } = approvalEventOf(event.data);
    if (!requestId) {
      deps.log('approval-decided event without a request id: acknowledged and ignored');
      return 'skipped';
    }
    if (state && state !== 'APPROVED') return 'skipped';
    const outcome = await runApprovedRequest(deps, requestId);
    deps.log(`approved request ${requestId}: ${outcome}`);
    return outcome;
  };
}
