// The notifier's composition on in-memory ports: its settings reach the handler's dependencies, and a hanging
// Firestore fails closed through the deadline.

import assert from 'node:assert/strict';
import { isWardenError } from '../../shared/core/errors.ts';
import { faulty } from '../../shared/test-support/faulty.ts';
import { ManualClock, MemoryApprovals } from '../../shared/test-support/memory-ports.ts';
import { composeNotifier } from './compose.ts';
import { loadConfig } from './config.ts';

describe('composeNotifier', () => {
  it('posts to the configured webhook with the deadline, and fails closed when Firestore hangs', async () => {
    const approvals = faulty(new MemoryApprovals());
    approvals.faults.hang('get');
    const webhooks: [string, number][] = [];
    const deps = composeNotifier(
      loadConfig({
        PROJECT_ID: 'p',
        NOTIFIER_WEBHOOK_URL: 'https://chat.example/hook',
        NOTIFIER_FORMAT: 'google-chat',
        CONSOLE_URL: 'https://warden.example',
        DEPENDENCY_TIMEOUT_MS: '40',
      }),
      {
        clock: new ManualClock(),
        log: () => {},
        approvals,
        webhook: (url, timeoutMs) => {
          webhooks.push([url, timeoutMs]);
          return { post: async () => {} };
        },
      },
    );
    assert.deepEqual(webhooks, [['https://chat.example/hook', 40]]);
    assert.equal(deps.format, 'google-chat');
    assert.equal(deps.consoleUrl, 'https://warden.example');
    await assert.rejects(
      deps.store.get('r-1'),
      (e) => isWardenError(e, 'unavailable') && e.message === 'Firestore did not answer within 40 ms.',
    );
  });
});
