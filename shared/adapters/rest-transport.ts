// One HTTP/1.1 request and its answer over node:http(s) with keep-alive agents: the transport under the lean REST
// calls (BigQuery's dry run and jobs.query in bigquery/rest.ts, Cloud KMS in kms/rest.ts). Each caller keeps its
// own retry rule (the official client it stands in for); what they share is here.

import http from 'node:http';
import https from 'node:https';

/** An HTTP answer: status, reason phrase and body text (any status: the caller decides what fails). */
export interface HttpAnswer {
  status: number;
  message: string;
  body: string;
}

/** One request to send: `body` (when there is one) is sent as is, with the headers given. */
export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: Buffer | undefined;
  /** The socket may stay silent this long before the request fails ("no answer within … ms"). */
  timeoutMs: number;
}

const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

/**
 * Sends `request` and resolves with the answer, whatever its status; rejects only when no answer came (refused,
 * reset, silent past `timeoutMs`). A kept-alive socket the server had closed meanwhile is retried once at once
 * on a fresh one (Node's advice: https://nodejs.org/api/http.html#requestreusedsocket), so callers send only
 * requests that are safe to repeat.
 */
export function sendRequest(request: HttpRequest, retryStale = true): Promise<HttpAnswer> {
  const secure = request.url.startsWith('https:');
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(
      request.url,
      { method: request.method, headers: request.headers, agent: secure ? agents.https : agents.http },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            message: res.statusMessage ?? '',
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(request.timeoutMs, () =>
      req.destroy(new Error(`no answer within ${request.timeoutMs} ms`)),
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (retryStale && req.reusedSocket && err.code === 'ECONNRESET')
        sendRequest(request, false).then(resolve, reject);
      else reject(err);
    });
    req.end(request.body);
  });
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
