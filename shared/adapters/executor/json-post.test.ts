// The executor hop's HTTP client against real local servers: what it sends, keep-alive, and that every way an
// answer can fail to arrive rejects (the runner then fails closed with `unavailable`).

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WardenError } from '../../core/errors.ts';
import { HttpQueryRunner } from './http-query-runner.ts';
import { postJson } from './json-post.ts';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  socket: unknown;
}

async function server(
  answer: (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen[]) => void,
): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const s = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        socket: req.socket,
      });
      answer(req, res, seen);
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise((r) => {
        s.closeAllConnections();
        s.close(() => r());
      }),
  };
}

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const init = (body: string, ms = 2000) => ({
  method: 'POST' as const,
  headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
  body,
  signal: AbortSignal.timeout(ms),
});

describe('postJson (the executor hop client)', () => {
  it('posts the body with its headers and content length, and reads the whole answer', async () => {
    const s = await server((_, res) => json(res, 200, { result: { rows: ['é'.repeat(50_000)] } }));
    try {
      const body = JSON.stringify({ grant: { sql: 'SELECT "ü"' } });
      const answer = await postJson(`${s.url}/execute`, init(body));
      assert.equal(answer.ok, true);
      assert.equal(answer.status, 200);
      assert.deepEqual(await answer.json(), { result: { rows: ['é'.repeat(50_000)] } });
      assert.equal(s.seen[0]?.method, 'POST');
      assert.equal(s.seen[0]?.url, '/execute');
      assert.equal(s.seen[0]?.headers.authorization, 'Bearer t');
      assert.equal(s.seen[0]?.headers['content-length'], String(Buffer.byteLength(body)));
      assert.equal(s.seen[0]?.body, body);
    } finally {
      await s.close();
    }
  });

  it('keeps the connection alive from one call to the next', async () => {
    const s = await server((_, res) => json(res, 200, { result: 1 }));
    try {
      await (await postJson(`${s.url}/a`, init('{}'))).json();
      await (await postJson(`${s.url}/b`, init('{}'))).json();
      assert.equal(s.seen.length, 2);
      assert.equal(s.seen[0]?.socket, s.seen[1]?.socket);
    } finally {
      await s.close();
    }
  });

  it('answers a refusal with its status and body, and json() rejects a body that is not JSON', async () => {
    const s = await server((req, res) => {
      if (req.url === '/typed') json(res, 403, { error: { kind: 'forbidden' } });
      else {
        res.writeHead(500);
        res.end('oops');
      }
    });
    try {
      const typed = await postJson(`${s.url}/typed`, init('{}'));
      assert.deepEqual(
        [typed.ok, typed.status, await typed.json()],
        [false, 403, { error: { kind: 'forbidden' } }],
      );
      const plain = await postJson(`${s.url}/plain`, init('{}'));
      assert.deepEqual([plain.ok, plain.status], [false, 500]);
      await assert.rejects(plain.json(), SyntaxError);
    } finally {
      await s.close();
    }
  });

  it('retries once, on a fresh connection, a kept-alive socket the server reset', async () => {
    const s = await server((_, res, seen) => {
      // The second request arrives on the kept-alive socket: reset it without an answer.
      if (seen.length === 2) res.socket?.resetAndDestroy();
      else json(res, 200, { result: seen.length });
    });
    try {
      await (await postJson(`${s.url}/x`, init('{}'))).json();
      const answer = await postJson(`${s.url}/x`, init('{}'));
      assert.deepEqual(await answer.json(), { result: 3 });
      assert.equal(s.seen.length, 3);
      assert.notEqual(s.seen[1]?.socket, s.seen[2]?.socket);
    } finally {
      await s.close();
    }
  });

  it('does not repeat a request whose answer had begun when the kept-alive socket was reset', async () => {
    const s = await server((_, res, seen) => {
      if (seen.length === 1) return json(res, 200, { result: 1 });
      // The executor took the request (it may have run the query) and began answering: then the reset.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"result":');
      setTimeout(() => res.socket?.resetAndDestroy(), 20);
    });
    try {
      await (await postJson(`${s.url}/x`, init('{}'))).json();
      await assert.rejects(postJson(`${s.url}/x`, init('{}')));
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(s.seen.length, 2);
    } finally {
      await s.close();
    }
  });

  const failures: { name: string; answer: (res: http.ServerResponse, seen: Seen[]) => void; ms?: number }[] =
    [
      {
        name: 'the connection is reset before an answer (a fresh socket: no retry)',
        answer: (res) => res.socket?.resetAndDestroy(),
      },
      {
        name: 'the answer is cut off before its end',
        answer: (res) => {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
          res.write('{"result":');
          setTimeout(() => res.socket?.destroy(), 20);
        },
      },
      { name: 'no answer comes before the deadline', answer: () => {}, ms: 150 },
    ];
  for (const c of failures)
    it(`rejects when ${c.name}`, async () => {
      const s = await server((_, res, seen) => c.answer(res, seen));
      try {
        await assert.rejects(postJson(`${s.url}/x`, init('{}', c.ms)));
      } finally {
        await s.close();
      }
    });

  it('rejects when nothing listens', async () => {
    const s = await server(() => {});
    await s.close();
    await assert.rejects(postJson(`${s.url}/x`, init('{}')), /ECONNREFUSED/);
  });
});

describe('HttpQueryRunner over the default client', () => {
  const facts = {
    statementType: 'SELECT',
    referencedTables: [{ projectId: 'p', datasetId: 'd', tableId: 't' }],
    totalBytesProcessed: '10',
  };
  const runner = (url: string, timeoutMs = 2000) =>
    new HttpQueryRunner({
      url,
      audience: url,
      tokens: { idToken: async () => 'service-token' },
      grants: { attest: async () => ({ signature: 'sig', certificate: {} as never }) },
      dryRunTimeoutMs: timeoutMs,
    });
  const request = { op: 'dry-run' as const, requestId: 'r1', projectId: 'p', sql: 'SELECT 1' };

  it('sends the service token and the signed grant, and returns the executor’s facts', async () => {
    const s = await server((_, res) => json(res, 200, { result: facts }));
    try {
      assert.deepEqual(await runner(s.url).dryRun(request), facts);
      assert.equal(s.seen[0]?.url, '/dry-run');
      assert.equal(s.seen[0]?.headers.authorization, 'Bearer service-token');
      const grant = (JSON.parse(s.seen[0]!.body) as { grant: { body: { request: unknown } } }).grant;
      assert.deepEqual(grant.body.request, request);
    } finally {
      await s.close();
    }
  });

  it('fails closed (unavailable) when the executor does not answer in time', async () => {
    const s = await server(() => {});
    try {
      await assert.rejects(runner(s.url, 150).dryRun(request), (err: unknown) => {
        assert.ok(err instanceof WardenError);
        assert.equal(err.kind, 'unavailable');
        assert.match(err.message, /could not be reached/);
        return true;
      });
    } finally {
      await s.close();
    }
  });

  it('passes a typed refusal through and fails closed on a body that is not JSON', async () => {
    const s = await server((_, res, seen) => {
      if (seen.length === 1) json(res, 403, { error: { kind: 'forbidden', message: 'denied (request r1)' } });
      else {
        res.writeHead(502);
        res.end('<html>bad gateway</html>');
      }
    });
    try {
      await assert.rejects(runner(s.url).dryRun(request), { kind: 'forbidden', message: 'denied' });
      await assert.rejects(runner(s.url).dryRun(request), { kind: 'unavailable', message: /HTTP 502/ });
    } finally {
      await s.close();
    }
  });
});
