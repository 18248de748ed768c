import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  request,
  type ServerResponse,
} from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importJWK, jwtVerify } from 'jose';
import { ManualClock } from '../../shared/test-support/memory-ports.ts';
import { freePort, listen } from '../../standins/net.ts';
import { loadIssuerKey } from '../../standins/oidc/dev-issuer.ts';
import { devTokenSource, startTokenProxy, type TokenProxy } from './token-proxy.ts';

/** What the fake gateway saw of one request. */
interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A fake gateway on loopback that records every request; `handle` answers (default: 200 "ok"). */
async function fakeUpstream(handle?: (req: IncomingMessage, res: ServerResponse, seen: Seen) => void) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const entry: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: '' };
    seen.push(entry);
    if (handle) return handle(req, res, entry);
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      entry.body += c;
    });
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  });
  const port = await listen(server, 0, '127.0.0.1', 'fake gateway');
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request through node:http (which, unlike fetch, lets a test set Host). */
function send(
  url: string,
  options: { method?: string; headers?: OutgoingHttpHeaders; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'POST', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('token proxy', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  async function setUp(
    handle?: Parameters<typeof fakeUpstream>[0],
    tokenFor: () => string | Promise<string> = () => 'tok-1',
  ): Promise<{ upstream: Awaited<ReturnType<typeof fakeUpstream>>; proxy: TokenProxy; calls: () => number }> {
    const upstream = await fakeUpstream(handle);
    cleanups.push(upstream.close);
    let n = 0;
    const proxy = await startTokenProxy({
      target: upstream.url,
      tokenFor: () => {
        n++;
        return tokenFor();
      },
    });
    cleanups.push(proxy.close);
    return { upstream, proxy, calls: () => n };
  }

  it('adds the bearer token and forwards method, path, query and body', async () => {
    const { upstream, proxy } = await setUp();
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
    const answer = await send(`${proxy.url}/mcp?x=1`, {
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body,
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.body, 'ok');
    const [seen] = upstream.seen;
    assert.equal(seen?.method, 'POST');
    assert.equal(seen?.url, '/mcp?x=1');
    assert.equal(seen?.body, body);
    assert.equal(seen?.headers['authorization'], 'Bearer tok-1');
    assert.equal(seen?.headers['content-type'], 'application/json');
    assert.equal(seen?.headers['accept'], 'application/json, text/event-stream');
  });

  it('replaces an Authorization header the client sent, and asks for a token on every request', async () => {
    let i = 0;
    const { upstream, proxy, calls } = await setUp(undefined, () => `tok-${++i}`);
    await send(`${proxy.url}/mcp`, { headers: { authorization: 'Bearer forged' }, body: '{}' });
    await send(`${proxy.url}/mcp`, { body: '{}' });
    assert.deepEqual(
      upstream.seen.map((s) => s.headers['authorization']),
      ['Bearer tok-1', 'Bearer tok-2'],
    );
    assert.equal(calls(), 2);
  });

  it('re-addresses a request for the proxy (Host, Origin, any loopback name) to the gateway', async () => {
    const { upstream, proxy } = await setUp();
    for (const name of ['127.0.0.1', 'localhost', '[::1]']) {
      await send(`${proxy.url}/mcp`, {
        headers: { host: `${name}:${proxy.port}`, origin: `http://${name}:${proxy.port}` },
        body: '{}',
      });
    }
    await send(`${proxy.url}/mcp`, { body: '{}' }); // no Origin: none is added
    for (const s of upstream.seen.slice(0, 3)) {
      assert.equal(s.headers['host'], upstream.host);
      assert.equal(s.headers['origin'], upstream.url);
      assert.equal(s.headers['authorization'], 'Bearer tok-1');
    }
    assert.equal(upstream.seen[3]?.headers['origin'], undefined);
  });

  it('passes a foreign Host or Origin unchanged and without a token, so the gateway decides', async () => {
    const { upstream, proxy, calls } = await setUp((_req, res) => {
      res.writeHead(403, { 'content-type': 'application/json' }).end('{"error":"Host not allowed"}');
    });
    const foreign: OutgoingHttpHeaders[] = [
      { host: 'evil.example.com', origin: 'http://evil.example.com' },
      { host: `evil.example.com:${proxy.port}` },
      { origin: 'http://evil.example.com' },
      { origin: `http://127.0.0.1:${proxy.port + 1}` },
      { origin: 'null' },
      { host: `127.0.0.1:${proxy.port + 1}`, authorization: 'Bearer forged' },
    ];
    for (const headers of foreign) {
      const answer = await send(`${proxy.url}/mcp`, { headers, body: '{}' });
      assert.equal(answer.status, 403);
      assert.equal(answer.body, '{"error":"Host not allowed"}');
    }
    assert.equal(calls(), 0);
    for (const [i, s] of upstream.seen.entries()) {
      assert.equal(s.headers['authorization'], undefined);
      if (foreign[i]?.host) assert.equal(s.headers['host'], foreign[i]?.host);
      if (foreign[i]?.origin) assert.equal(s.headers['origin'], foreign[i]?.origin);
    }
  });

  it('preserves the status, status message and headers of the answer, repeated ones included', async () => {
    const { proxy } = await setUp((_req, res) => {
      res.statusMessage = 'Accepted Here';
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.setHeader('x-warden-request-id', 'req-1');
      res.setHeader('www-authenticate', 'Bearer resource_metadata="http://x/.well-known"');
      res.writeHead(202).end();
    });
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      request(`${proxy.url}/mcp`, { method: 'POST' }, (r) => {
        r.resume();
        resolve(r);
      })
        .on('error', reject)
        .end('{}');
    });
    assert.equal(res.statusCode, 202);
    assert.equal(res.statusMessage, 'Accepted Here');
    assert.deepEqual(res.headers['set-cookie'], ['a=1', 'b=2']);
    assert.equal(res.headers['x-warden-request-id'], 'req-1');
    assert.equal(res.headers['www-authenticate'], 'Bearer resource_metadata="http://x/.well-known"');
  });

  it('drops hop-by-hop headers, including those the Connection header names', async () => {
    const { upstream, proxy } = await setUp();
    await send(`${proxy.url}/mcp`, {
      headers: {
        connection: 'keep-alive, x-hop',
        'x-hop': 'secret',
        'proxy-authorization': 'Basic abc',
        te: 'trailers',
        'x-end-to-end': 'yes',
      },
      body: '{}',
    });
    const h = upstream.seen[0]?.headers ?? {};
    assert.equal(h['x-hop'], undefined);
    assert.equal(h['proxy-authorization'], undefined);
    assert.equal(h['te'], undefined);
    assert.equal(h['x-end-to-end'], 'yes');
  });

  it('streams the answer: the first event arrives before the gateway ends the response', async () => {
    let finish: (() => void) | undefined;
    const { proxy } = await setUp((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      finish = () => res.end('data: two\n\n');
    });
    const chunks: string[] = [];
    await new Promise<void>((resolve, reject) => {
      request(`${proxy.url}/mcp`, { method: 'POST' }, (res) => {
        assert.equal(res.headers['content-type'], 'text/event-stream');
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          chunks.push(c);
          if (chunks.length === 1) finish?.(); // the gateway ends only once the first event went through
        });
        res.on('end', () => resolve());
      })
        .on('error', reject)
        .end('{}');
    });
    assert.equal(chunks[0], 'data: one\n\n');
    assert.equal(chunks.join(''), 'data: one\n\ndata: two\n\n');
  });

  it('streams the request body: the gateway sees the first part before the client ends', async () => {
    let firstPart: ((part: string) => void) | undefined;
    const gotFirst = new Promise<string>((resolve) => {
      firstPart = resolve;
    });
    const { proxy } = await setUp((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => {
        if (body === '') firstPart?.(c);
        body += c;
      });
      req.on('end', () => res.writeHead(200).end(body));
    });
    const answer = new Promise<string>((resolve, reject) => {
      const req = request(`${proxy.url}/mcp`, { method: 'POST' }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      req.write('first,');
      void gotFirst.then(() => req.end('second'));
    });
    assert.equal(await gotFirst, 'first,');
    assert.equal(await answer, 'first,second');
  });

  it('answers 502 when the gateway cannot be reached', async () => {
    const port = await freePort();
    const proxy = await startTokenProxy({ target: `http://127.0.0.1:${port}`, tokenFor: () => 't' });
    cleanups.push(proxy.close);
    const answer = await send(`${proxy.url}/mcp`, { body: '{}' });
    assert.equal(answer.status, 502);
    assert.match(answer.body, /^token proxy: /);
  });

  it('answers 502 and forwards nothing when no token can be had', async () => {
    const { upstream, proxy } = await setUp(undefined, () => Promise.reject(new Error('no issuer key')));
    const answer = await send(`${proxy.url}/mcp`, { body: '{}' });
    assert.equal(answer.status, 502);
    assert.match(answer.body, /no issuer key/);
    assert.equal(upstream.seen.length, 0);
  });
});

describe('development token source', () => {
  it('mints tokens for the stack audience from its issuer key, and re-mints before expiry', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'warden-token-proxy-'));
    try {
      writeFileSync(
        join(stateDir, 'stack.json'),
        JSON.stringify({ issuer: 'http://127.0.0.1:8702', audience: 'http://127.0.0.1:8700' }),
      );
      const key = await loadIssuerKey(stateDir);
      const clock = new ManualClock(1_000_000);
      const tokenFor = await devTokenSource({
        stateDir,
        email: 'Ann@Example.org',
        groups: ['analysts'],
        ttlSeconds: 600,
        refreshBeforeSeconds: 60,
        now: clock.millis,
      });
      const first = await tokenFor();
      const { payload, protectedHeader } = await jwtVerify(first, await importJWK(key.publicJwk, 'ES256'), {
        issuer: 'http://127.0.0.1:8702',
        audience: 'http://127.0.0.1:8700',
      });
      assert.equal(protectedHeader.kid, key.kid);
      assert.equal(payload['email'], 'ann@example.org');
      assert.deepEqual(payload['groups'], ['analysts']);
      assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 600);

      clock.advance(539_000); // 61 s before expiry: still the same token
      assert.equal(await tokenFor(), first);
      clock.advance(1_000); // 60 s before expiry: a new one
      await new Promise((r) => setTimeout(r, 1_100)); // so that the new token's iat differs
      const second = await tokenFor();
      assert.notEqual(second, first);
      assert.equal(await tokenFor(), second);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
