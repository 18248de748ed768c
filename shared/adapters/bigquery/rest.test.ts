// The lean BigQuery call: the official client's retry rule (which answers, how often), its error shape, and
// its credentials.

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BigQueryRestError, postJson, restTargetOf } from './rest.ts';

/** An endpoint answering each POST with the next status (`0`: closes the socket unanswered). */
async function scripted(statuses: number[]) {
  let calls = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      calls++;
      const status = statuses.shift() ?? 500;
      if (status === 0) return void req.socket.destroy();
      res
        .writeHead(status, { 'content-type': 'application/json' })
        .end(
          JSON.stringify(
            status < 300
              ? { ok: true }
              : { error: { code: status, message: 'm', errors: [{ reason: 'r', message: 'm' }] } },
          ),
        );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    target: { baseUrl, headers: async () => ({}), retryDelayMs: 1 },
    calls: () => calls,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('postJson: retries as the official client does', () => {
  const retried = [408, 429, 500, 502, 503, 504];
  for (const status of retried)
    it(`retries HTTP ${status}, then succeeds`, async () => {
      const s = await scripted([status, status, 200]);
      assert.deepEqual(await postJson(s.target, '/x', {}, 5000), { ok: true });
      assert.equal(s.calls(), 3);
      await s.close();
    });

  it('gives up after three retries and throws BigQuery’s error (code, reason)', async () => {
    const s = await scripted([503, 503, 503, 503, 200]);
    await assert.rejects(postJson(s.target, '/x', {}, 5000), (err: unknown) => {
      assert.ok(err instanceof BigQueryRestError);
      assert.equal(err.code, 503);
      assert.equal(err.errors[0]?.reason, 'r');
      return true;
    });
    assert.equal(s.calls(), 4);
    await s.close();
  });

  for (const status of [400, 401, 403, 404, 409, 501])
    it(`does not retry HTTP ${status}`, async () => {
      const s = await scripted([status, 200]);
      await assert.rejects(postJson(s.target, '/x', {}, 5000), (err: unknown) => {
        assert.ok(err instanceof BigQueryRestError);
        assert.equal(err.code, status);
        return true;
      });
      assert.equal(s.calls(), 1);
      await s.close();
    });

  it('retries a request that got no answer three times, then throws the network error', async () => {
    const s = await scripted([0, 0, 0, 0, 200]);
    await assert.rejects(postJson(s.target, '/x', {}, 5000), (err: NodeJS.ErrnoException) => {
      assert.ok(!(err instanceof BigQueryRestError));
      return true;
    });
    assert.equal(s.calls(), 4);
    await s.close();
  });
});

describe('restTargetOf: the official client’s credentials', () => {
  it('sends the headers its auth client gives for the URL', async () => {
    const urls: string[] = [];
    const target = restTargetOf({
      baseUrl: 'https://bigquery.googleapis.com/bigquery/v2',
      authClient: {
        getRequestHeaders: async (url: string) => {
          urls.push(url);
          return new Headers({ authorization: 'Bearer t', 'x-goog-user-project': 'q' });
        },
      },
    });
    assert.deepEqual(await target.headers('https://bigquery.googleapis.com/bigquery/v2/projects/p/jobs'), {
      authorization: 'Bearer t',
      'x-goog-user-project': 'q',
    });
    assert.deepEqual(urls, ['https://bigquery.googleapis.com/bigquery/v2/projects/p/jobs']);
  });

  it('sends no credentials when none exist (as the official client does), and fails on any other auth error', async () => {
    const failing = (message: string) =>
      restTargetOf({
        baseUrl: 'b',
        authClient: { getRequestHeaders: async () => Promise.reject(new Error(message)) },
      });
    assert.deepEqual(await failing('Could not load the default credentials. Browse to …').headers('u'), {});
    await assert.rejects(failing('invalid_grant: account disabled').headers('u'), /invalid_grant/);
  });
});
