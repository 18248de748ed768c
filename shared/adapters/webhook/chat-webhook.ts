// ChatWebhook over HTTPS (fetch). The URL is a secret (it authorizes posting), so it is never logged, and
// the chat service's answer is not echoed either.

import { WardenError } from '../../core/errors.ts';
import type { ChatWebhook } from '../../ports/chat-webhook.ts';

export class HttpChatWebhook implements ChatWebhook {
  readonly #url: URL;
  readonly #timeoutMs: number;

  constructor(url: string, timeoutMs = 10_000) {
    const parsed = new URL(url);
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
    if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback))
      throw new Error('The chat webhook URL must be https (http only on loopback).');
    this.#url = parsed;
    this.#timeoutMs = timeoutMs;
  }

  async post(message: Record<string, unknown>): Promise<void> {
    let res: Response;
    try {
      res = await fetch(this.#url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(message),
        redirect: 'error',
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      await res.arrayBuffer();
    } catch (err) {
      throw new WardenError('unavailable', 'The chat webhook did not answer.', { cause: err });
    }
    if (!res.ok)
      throw new WardenError('unavailable', `The chat webhook refused the message (HTTP ${res.status}).`);
  }
}
