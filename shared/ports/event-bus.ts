// Port: publishing domain events (Pub/Sub topics such as approval-requested).

/** A message to publish: a JSON payload plus string attributes. */
export interface BusMessage {
  data: unknown;
  attributes?: Record<string, string>;
  /** Messages with the same key are delivered in order. */
  orderingKey?: string;
}

/** Publishes events; resolves with the message id once the bus has accepted the message. */
export interface EventBus {
  publish(topic: string, message: BusMessage): Promise<string>;
}
