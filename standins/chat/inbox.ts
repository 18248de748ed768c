// A chat webhook stand-in for the local stack: accepts what the notifier posts (Slack or Google Chat
// incoming-webhook JSON), keeps it for `GET /messages`, and appends it to logs/chat-inbox.jsonl.

import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { listen } from '../net.ts';

export interface ChatInbox {
  /** The webhook URL to give the notifier. */
  webhookUrl: string;
  /** Messages received, oldest first. */
  messages(): Record<string, unknown>[];
  stop(): Promise<void>;
}

export async function startChatInbox(options: { port: number; logPath: string }): Promise<ChatInbox> {
  const received: Record<string, unknown>[] = [];
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/messages') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(received));
      return;
    }
    if (req.method !== 'POST' || !req.url?.startsWith('/webhook')) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 64 * 1024) chunks.push(c);
    });
    req.on('end', () => {
      try {
        if (size > 64 * 1024) throw new Error('too large');
        const message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        if (typeof message['text'] !== 'string') throw new Error('no text');
        received.push(message);
        appendFileSync(options.logPath, `${JSON.stringify(message)}\n`);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      } catch {
        res.writeHead(400).end('invalid_payload');
      }
    });
  });
  const port = await listen(server, options.port, '127.0.0.1', 'chat inbox');
  return {
    webhookUrl: `http://127.0.0.1:${port}/webhook/warden`,
    messages: () => [...received],
    stop: () => new Promise((r) => server.close(() => r())),
  };
}
