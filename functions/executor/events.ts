// The executor's Pub/Sub entry: `approval-decided` events (CloudEvents from Eventarc, or push deliveries
// locally) name a request; approved ones are claimed and run once.

import type { CloudEvent } from '@google-cloud/functions-framework';
import { z } from 'zod';
import {
  type ApprovedOutcome,
  type RunApprovedDeps,
  runApprovedRequest,
} from '../../shared/core/execution/run-approved.ts';

const PubSubData = z.object({
  message: z.object({
    data: z.string().optional(),
    attributes: z.record(z.string(), z.string()).optional(),
    messageId: z.string().optional(),
  }),
});

/** Builds the `approved` CloudEvent function. Throwing makes Pub/Sub redeliver; returning acknowledges. */
export function createApprovedHandler(
  deps: RunApprovedDeps & { log: (message: string, cause?: unknown) => void },
): (event: CloudEvent<unknown>) => Promise<ApprovedOutcome> {
  return async (event) => {
    const parsed = PubSubData.safeParse(event.data);
    const attributes = parsed.success ? (parsed.data.message.attributes ?? {}) : {};
    let requestId = attributes['requestId'];
    if (!requestId && parsed.success && parsed.data.message.data) {
      try {
        requestId = (
          JSON.parse(Buffer.from(parsed.data.message.data, 'base64').toString('utf8')) as {
            requestId?: string;
          }
        ).requestId;
      } catch {
        // fall through: a malformed message is acknowledged, not retried forever
      }
    }
    if (!requestId) {
      deps.log('approval-decided event without a request id: acknowledged and ignored');
      return 'skipped';
    }
    if (attributes['state'] && attributes['state'] !== 'APPROVED') return 'skipped';
    const outcome = await runApprovedRequest(deps, requestId);
    deps.log(`approved request ${requestId}: ${outcome}`);
    return outcome;
  };
}
