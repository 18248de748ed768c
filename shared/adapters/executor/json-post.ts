// One JSON POST over node:http(s) with a keep-alive agent: the gateway's hop to the executor (twice per allowed
// call: the dry run and the query). WHATWG fetch (undici, with its web streams, Headers and Response objects)
// cost about 0.2 ms more CPU per hop than this path alone, about 0.8 ms in the gateway, where the functions
// framework's domain hook taxes every promise (docs/performance.md, the re-profile of 7 December 2026); the
// answer is read whole, as `res.json()` did.

import http from 'node:http';
import https from 'node:https';

/** An answer: status and body text; `json()` parses the body and rejects if it is not JSON. */
export interface JsonAnswer {
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}

/** What the runner needs of an HTTP client; `fetch` satisfies it (tests pass one that calls a handler). */
export type JsonPost = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<JsonAnswer>;

const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

/**
 * POSTs `init.body` to `url` and resolves with the whole answer; rejects when no answer arrives (the connection
 * fails, or `init.signal` aborts, e.g. `AbortSignal.timeout`, before the body has been read). A kept-alive socket
 * the server closed meanwhile (ECONNRESET on a reused socket) is retried once on a fresh one at once, Node's
 * advice (https://nodejs.org/api/http.html#requestreusedsocket), but only while no answer has begun: a reset after
 * the status line means the executor took the request, so it is not repeated (the repeat would be refused as a
 * used grant, and audited as a refusal, instead of failing as unavailable). Every executor request is a signed
 * grant that the executor accepts at most once (the grant ledger) or that runs nothing (a dry run), so even a
 * repeat never runs a query twice.
 */
export const postJson: JsonPost = (url, init) => send(url, init, true);

function send(url: string, init: Parameters<JsonPost>[1], retryStale: boolean): Promise<JsonAnswer> {
  const body = Buffer.from(init.body);
  const secure = url.startsWith('https:');
  return new Promise((resolve, reject) => {
    if (init.signal.aborted) {
      reject(init.signal.reason);
      return;
    }
    let settled = false;
    // Whether the server began an answer (it took the request): from then on nothing is retried.
    let answered = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      init.signal.removeEventListener('abort', onAbort);
      fn();
    };
    const req = (secure ? https : http).request(
      url,
      {
        method: init.method,
        headers: { ...init.headers, 'content-length': String(body.length) },
        agent: secure ? agents.https : agents.http,
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          settle(() => {
            const status = res.statusCode ?? 0;
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({
              ok: status >= 200 && status < 300,
              status,
              json: () => new Promise((ok) => ok(JSON.parse(text))),
            });
          }),
        );
        res.on('error', (err) => settle(() => reject(err)));
        // Closed before its end (the connection dropped mid-answer): no answer.
        res.on('close', () => {
          if (!res.complete) settle(() => reject(new Error('the answer was cut off')));
        });
      },
    );
    function onAbort() {
      req.destroy(init.signal.reason instanceof Error ? init.signal.reason : new Error('aborted'));
    }
    init.signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (retryStale && !answered && req.reusedSocket && err.code === 'ECONNRESET' && !init.signal.aborted)
        settle(() => send(url, init, false).then(resolve, reject));
      else settle(() => reject(err));
    });
    req.end(body);
  });
}
