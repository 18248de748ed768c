// The notifier's composition root: its deadlines and settings, made once over the ports it is given. Pure: no
// client library (npm run check, rule compose-pure); ports.ts builds Firestore's.

import { withDeadline } from '../../shared/adapters/deadline.ts';
import type { ApprovalStore } from '../../shared/ports/approval-store.ts';
import type { ChatWebhook } from '../../shared/ports/chat-webhook.ts';
import type { Clock } from '../../shared/ports/clock.ts';
import type { NotifierConfig } from './config.ts';
import type { NotifierDeps } from './handle.ts';

export interface NotifierPorts {
  clock: Clock;
  log: (message: string, cause?: unknown) => void;
  approvals: ApprovalStore;
  /** The chat incoming webhook at `url`, each post bounded by `timeoutMs`. */
  webhook: (url: string, timeoutMs: number) => ChatWebhook;
}

export function composeNotifier(config: NotifierConfig, ports: NotifierPorts): NotifierDeps {
  return {
    store: withDeadline(ports.approvals, config.DEPENDENCY_TIMEOUT_MS, 'Firestore'),
    webhook: ports.webhook(config.NOTIFIER_WEBHOOK_URL, config.DEPENDENCY_TIMEOUT_MS),
    clock: ports.clock,
    format: config.NOTIFIER_FORMAT,
    ...(config.CONSOLE_URL ? { consoleUrl: config.CONSOLE_URL } : {}),
    log: ports.log,
  };
}
