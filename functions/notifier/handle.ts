// The `notify` target: an `approval-requested` event → the parked request, still PENDING → one chat message.

import type { CloudEvent } from '@google-cloud/functions-framework';
import { approvalEventOf } from '../../shared/adapters/pubsub/approval-event.ts';
import { withExpiry } from '../../shared/core/approval/approval.ts';
import { approvalNotification, type ChatFormat } from '../../shared/core/approval/notification.ts';
import type { ApprovalStore } from '../../shared/ports/approval-store.ts';
import type { ChatWebhook } from '../../shared/ports/chat-webhook.ts';
import type { Clock } from '../../shared/ports/clock.ts';

export interface NotifierDeps {
  store: ApprovalStore;
  webhook: ChatWebhook;
  clock: Clock;
  format: ChatFormat;
  consoleUrl?: string;
  log: (message: string, cause?: unknown) => void;
}

export type NotifyOutcome = 'sent' | 'skipped';

/**
 * Builds the notify function. A failed post throws, so Pub/Sub redelivers (an approver may then see a
 * message twice, never none); malformed events and requests already decided are acknowledged.
 */
export function createNotifyHandler(
  deps: NotifierDeps,
): (event: CloudEvent<unknown>) => Promise<NotifyOutcome> {
  return async (event) => {
    const { requestId } = approvalEventOf(event.data);
    if (!requestId) {
      deps.log('approval-requested event without a request id: acknowledged and ignored');
      return 'skipped';
    }
    const stored = await deps.store.get(requestId);
    const now = deps.clock.now();
    const request = stored && withExpiry(stored, now);
    if (request?.state !== 'PENDING') return 'skipped';
    await deps.webhook.post(
      approvalNotification(request, {
        format: deps.format,
        now,
        ...(deps.consoleUrl ? { consoleUrl: deps.consoleUrl } : {}),
      }),
    );
    deps.log(`approval request ${requestId}: approvers notified`);
    return 'sent';
  };
}
