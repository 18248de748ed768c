// Port: a chat incoming webhook (Slack, Google Chat).

export interface ChatWebhook {
  /** Posts one message; rejects unless the chat service accepted it. */
  post(message: Record<string, unknown>): Promise<void>;
}
