// The notifier's ports: the only file of the notifier that builds a client library (Firestore, loaded on the
// first event, not at cold start) and the adapters over it.

import { createFirestoreClient } from '../../shared/adapters/clients.ts';
import { FirestoreApprovalStore } from '../../shared/adapters/firestore/approval-store.ts';
import { lazyPort } from '../../shared/adapters/lazy.ts';
import { logLine } from '../../shared/adapters/logging.ts';
import { HttpChatWebhook } from '../../shared/adapters/webhook/chat-webhook.ts';
import { systemClock } from '../../shared/ports/clock.ts';
import type { NotifierPorts } from './compose.ts';
import type { NotifierConfig } from './config.ts';

export function createNotifierPorts(config: NotifierConfig): NotifierPorts {
  return {
    clock: systemClock,
    log: logLine('notifier'),
    approvals: lazyPort(
      async () =>
        new FirestoreApprovalStore(await createFirestoreClient(config.PROJECT_ID, config.FIRESTORE_DATABASE)),
    ),
    webhook: (url, timeoutMs) => new HttpChatWebhook(url, timeoutMs),
  };
}
