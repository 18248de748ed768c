// Builds the notifier's dependencies from its configuration.

import { createFirestoreClient } from '../../shared/adapters/clients.ts';
import { withDeadline } from '../../shared/adapters/deadline.ts';
import { FirestoreApprovalStore } from '../../shared/adapters/firestore/approval-store.ts';
import { lazyPort } from '../../shared/adapters/lazy.ts';
import { logLine } from '../../shared/adapters/logging.ts';
import { HttpChatWebhook } from '../../shared/adapters/webhook/chat-webhook.ts';
import { systemClock } from '../../shared/ports/clock.ts';
import type { NotifierConfig } from './config.ts';
import type { NotifierDeps } from './handle.ts';

export async function createNotifierDeps(config: NotifierConfig): Promise<NotifierDeps> {
  return {
    // The Firestore client library is loaded on the first event, not at cold start.
    store: withDeadline(
      lazyPort(
        async () =>
          new FirestoreApprovalStore(
            await createFirestoreClient(config.PROJECT_ID, config.FIRESTORE_DATABASE),
          ),
      ),
      config.DEPENDENCY_TIMEOUT_MS,
      'Firestore',
    ),
    webhook: new HttpChatWebhook(config.NOTIFIER_WEBHOOK_URL, config.DEPENDENCY_TIMEOUT_MS),
    clock: systemClock,
    format: config.NOTIFIER_FORMAT,
    ...(config.CONSOLE_URL ? { consoleUrl: config.CONSOLE_URL } : {}),
    log: logLine('notifier'),
  };
}
