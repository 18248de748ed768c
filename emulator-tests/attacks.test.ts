// Attacks on the gateway of the local stack, beyond the token matrix (identity.test.ts): oversized and slow
// bodies, header injection and duplicated credentials, and JWKS fetches steered at an attacker (SSRF). Every
// refusal is audited and shows no stack trace; the gateway keeps serving. Approval races and redelivery at
// volume are in approvals.test.ts (counts raised by WARDEN_STRESS=1).

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { generateKeyPair, SignJWT } from 'jose';
import { auditRecordsFor, theStack, tokenFor } from './harness.ts';

const LIST = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });

/** Sends raw bytes over TCP and resolves with everything the gateway answered before it closed. */
function rawHttp(
  request: string | ((write: (s: string) => boolean) => Promise<void>),
  timeoutMs = 30_000,
): Promise<{ text: string; ms: number; firstByteMs: number }> {
  const { port } = new URL(theStack().info.gatewayUrl);
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const socket = connect(Number(port), '127.0.0.1');
    let text = '';
    let firstByteMs = -1;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${timeoutMs} ms; got: ${text.slice(0, 200)}`));
    }, timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (d) => {
      if (firstByteMs < 0) firstByteMs = Date.now() - t0;
      text += d;
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, ms: Date.now() - t0, firstByteMs });
    });
    socket.on('connect', async () => {
      // write, not end: Node's server abandons a request whose client half-closes before the answer.
      if (typeof request === 'string') socket.write(request);
      else await request((s) => !socket.destroyed && socket.write(s));
    });
  });
}

const requestIdOf = (raw: string) => /x-warden-request-id: ([0-9a-f-]{36})/i.exec(raw)?.[1] ?? '';
const statusOf = (raw: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
const STACK = /\bat \S+ \(|\.(?:ts|js):\d+:\d+|node_modules|SyntaxError|PayloadTooLargeError/;

async function stillServes(): Promise<void> {
  const res = await fetch(theStack().info.mcpUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${await tokenFor('ann@example.org', ['analysts'])}`,
    },
    body: LIST,
  });
  assert.equal(res.status, 200, 'the gateway keeps serving');
}

describe('attacks: oversized and slow requests', function () {
  this.timeout(60_000);

  it('refuses a 2 MiB body with 413 before authentication, audited, without a stack trace', async () => {
    const big = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/list',
      params: { pad: 'x'.repeat(2 << 20) },
    });
    const res = await fetch(theStack().info.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: big,
    });
    const text = await res.text();
    assert.equal(res.status, 413);
    assert.match(text, /"code":-32600.*exceeds 1048576 bytes/);
    assert.doesNotMatch(text, STACK);
    const types = (await auditRecordsFor(res.headers.get('x-warden-request-id') ?? '')).map(
      (r) => r.event.type,
    );
    assert.deepEqual(types, ['mcp.rejected']);
    await stillServes();
  });

  it('refuses a chunked body (no Content-Length) over the limit with 413, audited', async () => {
    const chunk = 'x'.repeat(64 << 10);
    const { text } = await rawHttp(async (write) => {
      write(
        `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${new URL(theStack().info.gatewayUrl).port}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n1\r\n{\r\n`,
      );
      // 2 MiB: past the limit the gateway discards what it reads instead of buffering it.
      for (let i = 0; i < 32; i++) {
        if (!write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`))
          await new Promise((r) => setTimeout(r, 5));
      }
      write('0\r\n\r\n');
    });
    assert.equal(statusOf(text), 413, text.slice(0, 300));
    assert.doesNotMatch(text, STACK);
    assert.deepEqual(
      (await auditRecordsFor(requestIdOf(text))).map((r) => r.event.type),
      ['mcp.rejected'],
    );
  });

  it('answers a slowloris body with 408 once the body deadline passes, audited, and drops the connection', async () => {
    const { port } = new URL(theStack().info.gatewayUrl);
    const body = LIST;
    let sentAll = false;
    const { text, ms, firstByteMs } = await rawHttp(async (write) => {
      write(
        `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
      );
      // One byte a second: the body would take longer than the 10 s default REQUEST_BODY_TIMEOUT_MS.
      for (const ch of body) {
        if (!write(ch)) return;
        await new Promise((r) => setTimeout(r, 1000));
      }
      sentAll = true;
    }, 90_000);
    console.log(`      slow body: answered after ${firstByteMs} ms, closed after ${ms} ms`);
    assert.equal(statusOf(text), 408, text.slice(0, 300));
    assert.equal(sentAll, false, 'the gateway hung up before the slow body was complete');
    assert.deepEqual(
      (await auditRecordsFor(requestIdOf(text))).map((r) => r.event.type),
      ['mcp.rejected'],
    );
    await stillServes();
  });
});

describe('attacks: header injection and duplicated credentials', function () {
  this.timeout(60_000);
  const port = () => new URL(theStack().info.gatewayUrl).port;
  const head = (extra: string) =>
    `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port()}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n${extra}Content-Length: ${LIST.length}\r\nConnection: close\r\n\r\n${LIST}`;

  it('refuses two Authorization headers (a good one and another) with 400, audited', async () => {
    const good = await tokenFor('ann@example.org', ['analysts']);
    for (const order of [
      [good, 'forged'],
      ['forged', good],
    ]) {
      const { text } = await rawHttp(
        head(`Authorization: Bearer ${order[0]}\r\nAuthorization: Bearer ${order[1]}\r\n`),
      );
      assert.equal(statusOf(text), 400, text.slice(0, 300));
      assert.match(text, /more than one authorization header/);
      assert.deepEqual(
        (await auditRecordsFor(requestIdOf(text))).map((r) => r.event.type),
        ['mcp.rejected'],
      );
    }
  });

  it('refuses two on-behalf-of tokens with 400', async () => {
    const good = await tokenFor('ann@example.org', ['analysts']);
    const { text } = await rawHttp(
      head(
        `Authorization: Bearer ${good}\r\nX-Warden-On-Behalf-Of: ${good}\r\nX-Warden-On-Behalf-Of: ${good}\r\n`,
      ),
    );
    assert.equal(statusOf(text), 400, text.slice(0, 300));
  });

  it('never lets CR or LF in a header value split into a second header or a response header', async () => {
    const good = await tokenFor('ann@example.org', ['analysts']);
    for (const injected of [
      `Authorization: Bearer ${good}\rX-Injected: 1\r\n`,
      `Authorization: Bearer forged\r\nX-Warden-On-Behalf-Of: a\rSet-Cookie: x=1\r\n`,
      `Origin: http://127.0.0.1:${port()}\r\n\tAuthorization: Bearer ${good}\r\n`,
    ]) {
      const { text } = await rawHttp(head(injected));
      const status = statusOf(text);
      // Node's parser refuses bare CR and obsolete line folding (400); nothing reaches a handler as valid.
      assert.ok(status === 400 || status === 401, `status ${status}: ${text.slice(0, 200)}`);
      assert.doesNotMatch(text, /^(x-injected|set-cookie):/im, 'no injected response header');
      assert.doesNotMatch(text, /"rows"|"tools"/);
    }
    await stillServes();
  });
});

describe('attacks: JWKS only from configured issuers (no SSRF)', function () {
  this.timeout(60_000);
  let server: Server;
  let attacker: string;
  const hits: string[] = [];
  before(async () => {
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ issuer: attacker, jwks_uri: `${attacker}/jwks`, keys: [] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    attacker = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('fetches nothing for tokens naming an attacker as issuer, jku, x5u or kid, and answers 401', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const { audience, issuer } = theStack().info;
    const sign = (iss: string, header: Record<string, unknown>) =>
      new SignJWT({ sub: 'x', aud: audience, email: 'eve@example.org', groups: ['clinicians'] })
        .setProtectedHeader({ alg: 'ES256', ...header })
        .setIssuer(iss)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
    const tokens = [
      await sign(attacker, {}),
      await sign(`${attacker}/`, { kid: 'k' }),
      await sign(issuer, { jku: `${attacker}/jwks`, kid: 'k' }),
      await sign(issuer, { x5u: `${attacker}/cert.pem` }),
      await sign(issuer, { kid: `${attacker}/jwks` }),
      await sign(attacker, { jwk: { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' } }),
    ];
    for (const token of tokens) {
      const res = await fetch(theStack().info.mcpUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          authorization: `Bearer ${token}`,
        },
        body: LIST,
      });
      assert.equal(res.status, 401);
      await res.text();
    }
    assert.deepEqual(hits, [], 'the gateway never contacted the attacker');
  });
});
