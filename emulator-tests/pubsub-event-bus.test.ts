// The Pub/Sub adapter against the official Pub/Sub emulator.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { PubSub } from '@google-cloud/pubsub';
import { createPubSubClient } from '../shared/adapters/clients.ts';
import { PubSubEventBus } from '../shared/adapters/pubsub/event-bus.ts';
import { isWardenError } from '../shared/core/errors.ts';
import { theStack } from './harness.ts';

describe('PubSubEventBus (Pub/Sub emulator)', () => {
  let pubsub: PubSub;
  before(async () => {
    const { endpoints, projectId } = theStack().info;
    pubsub = await createPubSubClient(projectId, endpoints.pubsub);
  });
  after(() => pubsub.close());

  it('publishes JSON with attributes and an ordering key that a subscriber receives', async () => {
    const topicName = `t-${randomUUID()}`;
    const [topic] = await pubsub.createTopic(topicName);
    const [sub] = await topic.createSubscription(`s-${randomUUID()}`, { enableMessageOrdering: true });
    const bus = new PubSubEventBus(pubsub);
    const received = new Promise<{ data: unknown; attributes: Record<string, string>; orderingKey: string }>(
      (resolve) => {
        sub.on('message', (m) => {
          m.ack();
          resolve({
            data: JSON.parse(m.data.toString()),
            attributes: m.attributes,
            orderingKey: m.orderingKey ?? '',
          });
        });
      },
    );
    const id = await bus.publish(topicName, {
      data: { requestId: 'r1', state: 'PENDING' },
      attributes: { requestId: 'r1' },
      orderingKey: 'r1',
    });
    assert.ok(id);
    const msg = await received;
    await sub.close();
    assert.deepEqual(msg, {
      data: { requestId: 'r1', state: 'PENDING' },
      attributes: { requestId: 'r1' },
      orderingKey: 'r1',
    });
  });

  it('fails closed with a typed error when the topic does not exist', async () => {
    const bus = new PubSubEventBus(pubsub);
    await assert.rejects(bus.publish(`missing-${randomUUID()}`, { data: {} }), (e) =>
      isWardenError(e, 'unavailable'),
    );
  });
});
