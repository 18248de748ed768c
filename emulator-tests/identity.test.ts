// The token matrix through the real gateway, against the development issuer's JWKS on loopback: every bad
// token gets 401 and runs nothing; Google-style and generic OIDC tokens pass and their groups reach policy.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { generateKeyPair, SignJWT } from 'jose';
import { loadIssuerKey, mintToken } from '../standins/oidc/dev-issuer.ts';
import { auditRecordsFor, theStack, tokenFor } from './harness.ts';

const QUERY = 'SELECT code FROM `demo-warden.reference.icd10_codes` LIMIT 1';
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

async function callGateway(token: string | undefined, path = '/mcp') {
  const { gatewayUrl } = theStack().info;
  const res = await fetch(`${gatewayUrl}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'execute_sql', arguments: { projectId: 'demo-warden', query: QUERY } },
    }),
  });
  return {
    status: res.status,
    requestId: res.headers.get('x-warden-request-id') ?? '',
    auth: res.headers.get('www-authenticate'),
    body: (await res.json()) as Record<string, unknown>,
  };
}

describe('identity: the token matrix through the gateway', () => {
  let issuer: string;
  let audience: string;
  let key: Awaited<ReturnType<typeof loadIssuerKey>>;
  const good = (extra: Record<string, unknown> = {}, ttl = 300) =>
    mintToken(
      key,
      issuer,
      {
        sub: 'dev:ann@example.org',
        aud: audience,
        email: 'ann@example.org',
        email_verified: true,
        groups: ['analysts'],
        ...extra,
      },
      ttl,
    );
  before(async () => {
    ({ issuer, audience } = theStack().info);
    key = await loadIssuerKey(theStack().info.stateDir);
  });

  const bad: { name: string; token: () => Promise<string | undefined>; path?: string }[] = [
    { name: 'no token', token: async () => undefined },
    { name: 'an expired token', token: () => good({}, -120) },
    { name: 'a token not yet valid (nbf in the future)', token: () => good({ nbf: now() + 600 }) },
    { name: 'a token issued in the future', token: () => good({ iat: now() + 600 }) },
    { name: 'a token for another audience', token: () => good({ aud: 'https://other.example' }) },
    {
      name: 'a token whose issuer is not allow-listed',
      token: () => mintToken(key, 'https://idp.evil.example', { sub: 'x', aud: audience }),
    },
    {
      name: 'a token with an unknown kid',
      token: async () => {
        const { privateKey } = await generateKeyPair('ES256');
        return new SignJWT({ sub: 'x', aud: audience, groups: ['analysts'] })
          .setProtectedHeader({ alg: 'ES256', kid: 'unknown-kid' })
          .setIssuer(issuer)
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(privateKey);
      },
    },
    {
      name: 'alg none',
      token: async () =>
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: issuer, sub: 'x', aud: audience, iat: now(), exp: now() + 300, groups: ['analysts'] })}.`,
    },
    {
      name: 'HS256 signed with the public key',
      token: async () => {
        const head = b64({ alg: 'HS256', typ: 'JWT', kid: key.kid });
        const body = b64({
          iss: issuer,
          sub: 'x',
          aud: audience,
          iat: now(),
          exp: now() + 300,
          groups: ['analysts'],
        });
        const sig = createHmac('sha256', JSON.stringify(key.publicJwk))
          .update(`${head}.${body}`)
          .digest('base64url');
        return `${head}.${body}.${sig}`;
      },
    },
    {
      name: 'a tampered payload',
      token: async () => {
        const [h, , s] = (await good()).split('.');
        return `${h}.${b64({ iss: issuer, sub: 'dev:admin', aud: audience, iat: now(), exp: now() + 300, groups: ['clinicians'] })}.${s}`;
      },
    },
    {
      name: 'a stripped signature',
      token: async () => `${(await good()).split('.').slice(0, 2).join('.')}.`,
    },
    {
      name: 'a valid token sent in the query string instead of the header',
      token: async () => undefined,
      path: '/mcp?access_token=PLACEHOLDER',
    },
    {
      name: 'a valid token in an upper-case query parameter',
      token: async () => undefined,
      path: '/mcp?ID_TOKEN=PLACEHOLDER',
    },
    {
      name: 'a valid token in a camel-case query parameter',
      token: async () => undefined,
      path: '/mcp?idToken=PLACEHOLDER',
    },
  ];
  for (const c of bad) {
    it(`answers ${c.name} with 401 and runs nothing`, async () => {
      const path = c.path?.replace('PLACEHOLDER', await good());
      const token = await c.token();
      const res = await callGateway(token, path);
      assert.equal(res.status, 401);
      // RFC 6750 section 3: error="invalid_token" for a token that failed; the challenge alone without one.
      assert.match(
        res.auth ?? '',
        !token
          ? /^Bearer resource_metadata="[^"]+"$/
          : /^Bearer error="invalid_token", error_description="[^"]+", resource_metadata="[^"]+"$/,
      );
      const types = (await auditRecordsFor(res.requestId)).map((r) => r.event.type);
      assert.deepEqual(types, ['mcp.unauthenticated']);
    });
  }

  it('accepts a generic OIDC token and its groups reach the policy', async () => {
    const res = await callGateway(await good({ groups: ['analysts'] }));
    assert.equal(res.status, 200);
    const decision = (await auditRecordsFor(res.requestId)).find((r) => r.event.type === 'policy.decision');
    assert.equal((decision?.event['decision'] as { rule: string } | undefined)?.rule, 'reference-data');
  });

  it('accepts a Google-style token without groups and maps its email to groups through the policy', async () => {
    const token = await mintToken(key, issuer, {
      sub: '110169484474386276334',
      aud: audience,
      azp: '1008719970978-hb24n2dstb40o45d4feuo2ukqmcc6381.apps.googleusercontent.com',
      email: 'bob@analytics.example.org',
      email_verified: true,
      hd: 'analytics.example.org',
    });
    const res = await callGateway(token);
    assert.equal(res.status, 200);
    const decision = (await auditRecordsFor(res.requestId)).find((r) => r.event.type === 'policy.decision');
    assert.deepEqual((decision?.event['principal'] as { groups: string[] } | undefined)?.groups, [
      'analysts',
    ]);
    assert.equal((decision?.event['decision'] as { effect: string } | undefined)?.effect, 'allow');
  });
});

describe('ambiguous headers through the functions framework', () => {
  // Node keeps the first Host and the first Authorization; a proxy in front may keep the last. Either way the
  // request is refused before anything else reads them.
  const cases: { name: string; headers: (host: string, token: string) => string[] }[] = [
    {
      name: 'two Host headers',
      headers: (host, token) => ['host', host, 'host', 'evil.example', 'authorization', `Bearer ${token}`],
    },
    {
      name: 'two Authorization headers',
      headers: (host, token) => [
        'host',
        host,
        'authorization',
        `Bearer ${token}`,
        'authorization',
        'Bearer other',
      ],
    },
    {
      name: 'two Content-Type headers',
      headers: (host, token) => [
        'host',
        host,
        'authorization',
        `Bearer ${token}`,
        'content-type',
        'text/plain',
      ],
    },
  ];
  for (const c of cases)
    it(`refuses ${c.name} with 400`, async () => {
      const { gatewayUrl, issuer, audience, stateDir } = theStack().info;
      const token = await mintToken(await loadIssuerKey(stateDir), issuer, {
        sub: 'dev:ann@example.org',
        aud: audience,
        email: 'ann@example.org',
        email_verified: true,
        groups: ['analysts'],
      });
      const url = new URL(`${gatewayUrl}/mcp`);
      const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: 'POST',
            // A flat [name, value, …] list sends repeated headers as they are.
            headers: [
              ...c.headers(url.host, token),
              'content-type',
              'application/json',
              'accept',
              'application/json, text/event-stream',
              'content-length',
              String(Buffer.byteLength(body)),
            ],
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
      assert.equal(status, 400);
    });
});

describe('bad bodies through the functions framework', () => {
  it('answers malformed JSON declared as application/json with -32700 and an audit record', async () => {
    const { gatewayUrl, issuer, audience, stateDir } = theStack().info;
    const token = await mintToken(await loadIssuerKey(stateDir), issuer, {
      sub: 'dev:ann@example.org',
      aud: audience,
      email: 'ann@example.org',
      email_verified: true,
      groups: ['analysts'],
    });
    const res = await fetch(`${gatewayUrl}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${token}`,
      },
      body: '{"jsonrpc": "2.0", "method": ',
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: { code: number; message: string } };
    assert.equal(body.error.code, -32700);
    assert.doesNotMatch(JSON.stringify(body), /SyntaxError|at .*\.js/);
    const types = (await auditRecordsFor(res.headers.get('x-warden-request-id') ?? '')).map(
      (r) => r.event.type,
    );
    assert.deepEqual(types, ['mcp.rejected']);
  });
});

describe('the local stack binds its functions to loopback', () => {
  // Read from the kernel's socket table, not by connecting: no traffic leaves loopback.
  it('listens on 127.0.0.1 only, for the gateway and the executor', function () {
    let table: string;
    try {
      table = readFileSync('/proc/net/tcp', 'utf8') + readFileSync('/proc/net/tcp6', 'utf8');
    } catch {
      this.skip();
    }
    const { gatewayUrl, executorUrl } = theStack().info;
    for (const url of [gatewayUrl, executorUrl]) {
      const port = Number(new URL(url).port).toString(16).toUpperCase().padStart(4, '0');
      // Listening sockets (state 0A) on this port: their local address, hex, as the kernel lists it.
      const listening = table
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .filter((f) => f[1]?.endsWith(`:${port}`) && f[3] === '0A')
        .map((f) => f[1]!.split(':')[0]);
      assert.ok(listening.length > 0, `something listens on ${url}`);
      // 0100007F is 127.0.0.1 (little-endian); an all-zero address would be every interface.
      assert.deepEqual([...new Set(listening)], ['0100007F'], `${url} listens on loopback only`);
    }
  });
});

describe('on-behalf-of tokens have their own audience', () => {
  /** Calls tools/list as `bearer`, with `person` in X-Warden-On-Behalf-Of when given. */
  async function listAs(bearer: string, person?: string): Promise<number> {
    const res = await fetch(theStack().info.mcpUrl, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${bearer}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(person ? { 'x-warden-on-behalf-of': person } : {}),
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    return res.status;
  }
  const delegation = () =>
    tokenFor('cleo@example.org', ['clinicians'], { audience: theStack().info.onBehalfOfAudience });

  it('accepts a person token with the on-behalf-of audience behind a service bearer token', async () => {
    assert.equal(
      await listAs(await tokenFor('mcp-server@example.org', ['analysts']), await delegation()),
      200,
    );
  });
  it("refuses a person's bearer token passed off as a delegation", async () => {
    const bearerOfCleo = await tokenFor('cleo@example.org', ['clinicians']);
    assert.equal(await listAs(await tokenFor('mcp-server@example.org', ['analysts']), bearerOfCleo), 401);
  });
  it('refuses a delegation token replayed as a bearer token (an MCP server acting as the person)', async () => {
    assert.equal(await listAs(await delegation()), 401);
  });
});
