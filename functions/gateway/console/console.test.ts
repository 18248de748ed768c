// The console's routes on the gateway: static pages with a strict CSP, the sign-in configuration, and the
// request extras (tables' PHI flags; audit records with their verification, only when enabled).

import assert from 'node:assert/strict';
import { readTrail } from '../../../shared/core/audit/trail.ts';
import { invoke } from '../../../shared/test-support/fake-http.ts';
import { createRig, PHI_SQL, type Rig, rpc, toolCall } from '../../test-support/rig.ts';
import { createGatewayHandler, type GatewayDeps } from '../handle.ts';
import { type ConsoleDeps, cachedDiscovery } from './console.ts';
import { requestAudit } from './request-audit.ts';

const ENDPOINTS = { authorizationEndpoint: 'https://idp/authorize', tokenEndpoint: 'https://idp/token' };
const consoleDeps = (discover = async () => ENDPOINTS): ConsoleDeps => ({
  settings: {
    publicUrl: 'https://warden.example',
    issuer: 'https://idp',
    clientId: 'warden-console',
    redirectUri: 'https://warden.example/console/callback',
    scopes: 'openid email',
    auditRead: false,
  },
  discover,
  log: () => {},
});
const get = (path: string, token?: string) => ({
  method: 'GET',
  path,
  headers: { host: 'warden.example', ...(token ? { authorization: `Bearer ${token}` } : {}) },
});

async function park(rig: Rig, handler = rig.gateway): Promise<string> {
  const res = await invoke(
    handler,
    rpc('good.analysts', toolCall('execute_sql', { projectId: 'p', query: PHI_SQL, reason: 'study' })),
  );
  const out = (res.json() as { result: { structuredContent: { requestId: string; state: string } } }).result;
  assert.equal(out.structuredContent.state, 'PENDING', res.body);
  return out.structuredContent.requestId;
}

describe('console pages', () => {
  let handler: ReturnType<typeof createGatewayHandler>;
  let deps: GatewayDeps;
  before(async () => {
    deps = { ...(await createRig()).gatewayDeps, console: consoleDeps() };
    handler = createGatewayHandler(deps);
  });

  for (const path of [
    '/console',
    '/console/',
    '/console/history',
    '/console/callback',
    '/console/requests/abc-1',
  ]) {
    it(`serves the page shell at ${path} with a strict CSP and no inline script`, async () => {
      const res = await invoke(handler, get(path));
      assert.equal(res.status, 200);
      assert.match(res.headers['content-type']!, /^text\/html/);
      const csp = res.headers['content-security-policy']!;
      for (const d of [
        "script-src 'self'",
        "default-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
      ])
        assert.ok(csp.split('; ').includes(d), `${d} in ${csp}`);
      assert.match(csp, /connect-src 'self' https:\/\/idp(;|$)/);
      assert.equal(res.headers['referrer-policy'], 'no-referrer');
      assert.match(res.body, /<script type="module" src="\/console\/app\.js"><\/script>/);
      assert.doesNotMatch(res.body, /<script>|<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=/);
    });
  }

  it('serves the module and stylesheet with their types', async () => {
    assert.match(
      (await invoke(handler, get('/console/app.js'))).headers['content-type']!,
      /^text\/javascript/,
    );
    assert.match((await invoke(handler, get('/console/console.css'))).headers['content-type']!, /^text\/css/);
  });

  it('tells the browser where to sign in, from discovery and configuration', async () => {
    const res = await invoke(handler, get('/console/config.json'));
    assert.deepEqual(res.json(), {
      issuer: 'https://idp',
      clientId: 'warden-console',
      redirectUri: 'https://warden.example/console/callback',
      scopes: 'openid email',
      ...ENDPOINTS,
      auditRead: false,
    });
  });

  it('answers 503 for the configuration while the issuer cannot be discovered, and still serves pages', async () => {
    const h = createGatewayHandler({
      ...deps,
      console: consoleDeps(async () => {
        throw new Error('down');
      }),
    });
    assert.equal((await invoke(h, get('/console/config.json'))).status, 503);
    assert.equal((await invoke(h, get('/console'))).status, 200);
  });

  const refusals = [
    { name: 'unknown pages', init: get('/console/admin'), status: 404 },
    { name: 'path tricks', init: get('/console/requests/../../mcp'), status: 404 },
    { name: 'POST', init: { ...get('/console'), method: 'POST' }, status: 405 },
  ];
  for (const c of refusals)
    it(`refuses ${c.name}`, async () => assert.equal((await invoke(handler, c.init)).status, c.status));

  it('is not served when the console is disabled', async () => {
    const { console: _, ...without } = deps;
    assert.equal((await invoke(createGatewayHandler(without), get('/console'))).status, 404);
  });
});

describe('cachedDiscovery', () => {
  it('fetches the discovery document once, and again after a failure', async () => {
    let calls = 0;
    const fetchFn = (async (url: string) => {
      calls++;
      assert.equal(url, 'https://idp/.well-known/openid-configuration');
      if (calls === 1) return new Response('no', { status: 500 });
      return Response.json({ authorization_endpoint: 'https://idp/a', token_endpoint: 'https://idp/t' });
    }) as typeof fetch;
    const discover = cachedDiscovery('https://idp/', fetchFn);
    await assert.rejects(discover());
    assert.deepEqual(await discover(), {
      authorizationEndpoint: 'https://idp/a',
      tokenEndpoint: 'https://idp/t',
    });
    await discover();
    assert.equal(calls, 2);
  });
});

describe('console request extras: GET /approvals/{id}/tables and /audit', () => {
  it("shows an approver each table's PHI flag, and hides the request from others", async () => {
    const rig = await createRig();
    const id = await park(rig);
    const res = await invoke(rig.gateway, get(`/approvals/${id}/tables`, 'good.privacy-office'));
    assert.equal(res.status, 200, res.body);
    const tables = (res.json() as { tables: { table: string; phi: boolean }[] }).tables;
    assert.deepEqual(
      tables.map((t) => [t.table, t.phi]),
      [['p.clinical.patients', true]],
    );
    assert.equal((await invoke(rig.gateway, get(`/approvals/${id}/tables`, 'good.engineers'))).status, 404);
    assert.equal((await invoke(rig.gateway, get(`/approvals/${id}/tables`))).status, 401);
    assert.ok(
      rig.typesFor(res.headers['x-warden-request-id']!).includes('api.request'),
      'the call is audited',
    );
  });

  it('refuses the audit view unless the gateway may read the trail', async () => {
    const rig = await createRig();
    const id = await park(rig);
    const res = await invoke(rig.gateway, get(`/approvals/${id}/audit`, 'good.privacy-office'));
    assert.equal(res.status, 412);
    assert.match(res.body, /CONSOLE_AUDIT_READ/);
  });

  it("returns the request's records, each verified, when it may", async () => {
    const rig = await createRig();
    const handler = createGatewayHandler({
      ...rig.gatewayDeps,
      auditTrail: {
        list: (prefix) => rig.ports.sink.list(prefix),
        read: (name) => rig.ports.sink.read(name),
        kmsPublicKeyPem: () => rig.ports.keys.getPublicKeyPem(),
      },
    });
    const id = await park(rig, handler);
    const res = await invoke(handler, get(`/approvals/${id}/audit`, 'good.privacy-office'));
    assert.equal(res.status, 200, res.body);
    const body = res.json() as ReturnType<typeof requestAudit>;
    assert.equal(body.verification.ok, true);
    assert.deepEqual(
      body.records.map((r) => [r.type, r.status]),
      [
        ['mcp.request', 'verified'],
        ['policy.decision', 'verified'],
        ['approval.requested', 'verified'],
        ['mcp.response', 'verified'],
      ],
    );
  });

  it('refuses a trail too large to scan before reading any object of it', async () => {
    const rig = await createRig();
    const listed: string[] = [];
    let reads = 0;
    const streams = Array.from(
      { length: 5001 },
      (_, i) => `v1/streams/2026/01/01/00/s-${i}/${String(0).padStart(12, '0')}.jsonl`,
    );
    const handler = createGatewayHandler({
      ...rig.gatewayDeps,
      auditTrail: {
        list: async (prefix) => {
          listed.push(prefix);
          return streams.filter((n) => n.startsWith(prefix));
        },
        read: async (name) => {
          reads++;
          return rig.ports.sink.read(name);
        },
        kmsPublicKeyPem: () => rig.ports.keys.getPublicKeyPem(),
      },
    });
    const id = await park(rig, handler);
    const res = await invoke(handler, get(`/approvals/${id}/audit`, 'good.privacy-office'));
    assert.equal(res.status, 412, res.body);
    assert.match(res.body, /too large to scan/);
    assert.deepEqual(listed, ['v1/streams/'], 'only the record objects are listed');
    assert.equal(reads, 0);
  });
});

describe('requestAudit', () => {
  it('marks a modified record as failed and leaves the others verified', async () => {
    const rig = await createRig();
    const id = await park(rig);
    const { objects } = await readTrail(rig.ports.sink);
    const pem = await rig.ports.keys.getPublicKeyPem();
    const tampered = objects.map((o) => ({
      name: o.name,
      data: new TextEncoder().encode(
        new TextDecoder()
          .decode(o.data)
          .replace('"requiredGroups":["privacy-office"]', '"requiredGroups":["nobody"]'),
      ),
    }));
    const audit = requestAudit(tampered, pem, id);
    assert.equal(audit.verification.ok, false);
    const byType = Object.fromEntries(audit.records.map((r) => [r.type, r.status]));
    assert.equal(byType['approval.requested'], 'failed');
    assert.equal(byType['policy.decision'], 'verified', 'records before the change still verify');
  });
});
