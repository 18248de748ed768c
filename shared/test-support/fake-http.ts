// Minimal in-memory stand-ins for the Express request and response the functions framework passes to
// handlers, so handlers are unit-tested without a socket.

import type { Request, Response } from '@google-cloud/functions-framework';

/** What a handler sent. */
export interface Sent {
  status: number;
  headers: Record<string, string>;
  body: string;
  json(): unknown;
}

/** Calls `handler` with a request built from the arguments; resolves with what it sent. */
export async function invoke(
  handler: (req: Request, res: Response) => Promise<void>,
  init: {
    method?: string;
    path: string;
    headers?: Record<string, string>;
    body?: unknown;
    /** Called with each chunk a streamed (SSE) answer writes, as it is written. */
    onWrite?: (text: string) => void;
  },
): Promise<Sent> {
  const headers: Record<string, string> = Object.fromEntries(
    Object.entries(init.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const req = {
    method: init.method ?? 'GET',
    path: init.path.split('?')[0],
    originalUrl: init.path,
    url: init.path,
    headers,
    body: init.body,
    get: (name: string) => headers[name.toLowerCase()],
  } as unknown as Request;
  const sent = { status: 200, headers: {} as Record<string, string>, body: '' };
  const res = {
    status(code: number) {
      sent.status = code;
      return res;
    },
    set(name: string, value: string) {
      sent.headers[name.toLowerCase()] = value;
      return res;
    },
    setHeader(name: string, value: string) {
      sent.headers[name.toLowerCase()] = String(value);
      return res;
    },
    json(value: unknown) {
      sent.headers['content-type'] = 'application/json';
      sent.body = JSON.stringify(value);
      return res;
    },
    write(chunk: Uint8Array | string) {
      const text = typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk);
      sent.body += text;
      init.onWrite?.(text);
      return true;
    },
    end(body?: string) {
      sent.body += body ?? '';
      return res;
    },
  } as unknown as Response;
  await handler(req, res);
  return { ...sent, json: () => JSON.parse(sent.body) };
}
