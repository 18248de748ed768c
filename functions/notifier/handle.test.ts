import assert from 'node:assert/strict';
import type { CloudEvent } from '@google-cloud/functions-framework';
import { HttpChatWebhook } from '../../shared/adapters/webhook/chat-webhook.ts';
import { approved, at, pending } from '../../shared/core/approval/test-fixtures.ts';
import { isWardenError } from '../../shared/core/errors.ts';
import { ManualClock, MemoryApprovals } from '../../shared/test-support/memory-ports.ts';
import { createNotifyHandler } from './handle.ts';

function event(data: object, attributes: Record<string, string> = {}): CloudEvent<unknown> {
  return {
    specversion: '1.0',
    id: '1',
    source: 'test',
    type: 'google.cloud.pubsub.topic.v1.messagePublished',
    data: { message: { data: Buffer.from(JSON.stringify(data)).toString('base64'), attributes } },
  } as CloudEvent<unknown>;
}

function setup(clockAt = at(5)) {
  const store = new MemoryApprovals();
  const posted: Record<string, unknown>[] = [];
  let failures = 0;
  const notify = createNotifyHandler({
    store,
    webhook: {
      post: async (m) => {
        if (failures-- > 0) throw new Error('webhook down');
        posted.push(m);
      },
    },
    clock: new ManualClock(clockAt.toISOString()),
    format: 'slack',
    consoleUrl: 'https://warden.example',
    log: () => {},
  });
  return { store, posted, notify, fail: (n: number) => (failures = n) };
}

describe('notifier', () => {
  it('posts one message for a PENDING request', async () => {
    const { store, posted, notify } = setup();
    await store.create(pending());
    assert.equal(await notify(event({ requestId: 'req-1', state: 'PENDING' })), 'sent');
    assert.equal(posted.length, 1);
    assert.match(String(posted[0]?.['text']), /ann@example\.org/);
  });

  it('skips requests already decided, expired or unknown, and malformed events', async () => {
    const { store, posted, notify } = setup(at(500));
    await store.create({ ...approved(), id: 'done' });
    await store.create(pending({ id: 'late' }));
    assert.equal(await notify(event({ requestId: 'done' })), 'skipped');
    assert.equal(await notify(event({ requestId: 'late' })), 'skipped', 'expired by now');
    assert.equal(await notify(event({ requestId: 'nope' })), 'skipped');
    assert.equal(await notify({ data: 'garbage' } as unknown as CloudEvent<unknown>), 'skipped');
    assert.equal(posted.length, 0);
  });

  it('throws when the webhook fails, so Pub/Sub delivers again', async () => {
    const { store, notify, fail, posted } = setup();
    await store.create(pending());
    fail(1);
    await assert.rejects(notify(event({ requestId: 'req-1' })));
    assert.equal(await notify(event({ requestId: 'req-1' })), 'sent');
    assert.equal(posted.length, 1);
  });
});

describe('HttpChatWebhook', () => {
  it('accepts https, and http only on loopback', () => {
    assert.doesNotThrow(() => new HttpChatWebhook('https://hooks.slack.com/services/T/B/X'));
    assert.doesNotThrow(() => new HttpChatWebhook('http://127.0.0.1:9/webhook'));
    assert.throws(() => new HttpChatWebhook('http://hooks.example.com/x'), /https/);
    assert.throws(() => new HttpChatWebhook('file:///etc/passwd'), /https/);
  });

  it('fails closed with a clear error when nothing answers', async () => {
    const hook = new HttpChatWebhook('http://127.0.0.1:9/webhook', 2000);
    await assert.rejects(hook.post({ text: 'x' }), (e) => isWardenError(e, 'unavailable'));
  });
});
