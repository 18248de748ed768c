// EventBus on Pub/Sub (official @google-cloud/pubsub client).

import type { PubSub, Topic } from '@google-cloud/pubsub';
import { WardenError } from '../../core/errors.ts';
import type { BusMessage, EventBus } from '../../ports/event-bus.ts';

/** Publishes JSON messages; resolves once Pub/Sub has accepted them (fail closed otherwise). */
export class PubSubEventBus implements EventBus {
  readonly #pubsub: PubSub;
  readonly #topics = new Map<string, Topic>();
  constructor(pubsub: PubSub) {
    this.#pubsub = pubsub;
  }

  async publish(topic: string, message: BusMessage): Promise<string> {
    try {
      return await this.#topic(topic).publishMessage({
        data: Buffer.from(JSON.stringify(message.data)),
        ...(message.attributes ? { attributes: message.attributes } : {}),
        ...(message.orderingKey ? { orderingKey: message.orderingKey } : {}),
      });
    } catch (err) {
      if (message.orderingKey) this.#topic(topic).resumePublishing(message.orderingKey);
      throw new WardenError('unavailable', `Pub/Sub publish to ${topic} failed.`, { cause: err });
    }
  }

  #topic(name: string): Topic {
    let t = this.#topics.get(name);
    if (!t) {
      t = this.#pubsub.topic(name, {
        messageOrdering: true,
        batching: { maxMessages: 100, maxMilliseconds: 5 },
      });
      this.#topics.set(name, t);
    }
    return t;
  }
}
