import assert from 'node:assert/strict';
import { AuditLog } from '../../shared/core/audit/audit-log.ts';
import { reconcileRequests } from '../../shared/core/audit/reconcile.ts';
import type { AuditRecord } from '../../shared/core/audit/record.ts';
import { verifyTrail } from '../../shared/core/audit/verify.ts';
import { TableCatalog } from '../../shared/core/classification/table-catalog.ts';
import { WardenError } from '../../shared/core/errors.ts';
import { handleJob } from '../../shared/core/execution/jobs.ts';
import { runAllowedQuery } from '../../shared/core/execution/run-query.ts';
import { sqlFactsFor } from '../../shared/core/gateway/sql-facts.ts';
import type { Principal } from '../../shared/core/identity/principal.ts';
import { loadPolicy } from '../../shared/core/policy/policy.ts';
import { invoke } from '../../shared/test-support/fake-http.ts';
import { FakeWarehouse } from '../../shared/test-support/fake-warehouse.ts';
import {
  ManualClock,
  MemoryApprovals,
  MemoryBus,
  MemoryKeys,
  MemoryResults,
  MemorySink,
} from '../../shared/test-support/memory-ports.ts';
import { createGatewayHandler } from './handle.ts';

const POLICY = loadPolicy(`
version: 1
rules:
  - id: analysts-reference
    effect: allow
    when: { groups: [analysts], tools: [execute_sql], statementTypes: [SELECT], tables: ['*.reference'] }
    rowLimit: 5
`);

function setup() {
  const sink = new MemorySink();
  const keys = new MemoryKeys();
  const audit = new AuditLog({
    sink,
    keys,
    clock: new ManualClock(),
    kmsKeyVersion: 'k/cryptoKeyVersions/1',
    writer: 'gateway',
  });
  const warehouse = new FakeWarehouse();
  const clock = new ManualClock();
  const approvals = {
    store: new MemoryApprovals(),
    results: new MemoryResults(),
    bus: new MemoryBus(),
    audit,
    signer: audit,
    clock,
    topics: { requested: 'approval-requested', decided: 'approval-decided' },
  };
  const gateway = createGatewayHandler({
    approvals,
    policy: POLICY,
    catalog: new TableCatalog({ metadata: warehouse, config: POLICY.classification, clock }),
    analyzeSql: sqlFactsFor,
    clock,
    audit,
    metadata: warehouse,
    // The executor, in process: same core function, same audit log.
    runner: {
      run: (req) =>
        runAllowedQuery(
          {
            audit,
            warehouse: async () => warehouse,
            timeoutMs: 1000,
            masking: { profiles: {}, key: async () => new Uint8Array(32).fill(7) },
          },
          req,
        ),
      job: (req) => handleJob({ audit, jobs: async () => warehouse, credentials: [undefined] }, req),
    },
    verifier: {
      async verify(token: string): Promise<Principal> {
        const m = /^good\.(.*)$/.exec(token);
        if (!m) throw new WardenError('unauthenticated', 'The bearer token signature is not valid.');
        return {
          subject: 'u1',
          issuer: 'https://idp',
          email: 'ann@example.org',
          groups: m[1]!.split(','),
          actorChain: [],
        };
      },
    },
    publicUrl: 'https://warden.example',
    allowedHosts: ['warden.example'],
    allowedOrigins: ['https://warden.example'],
    maxBodyBytes: 4096,
    issuers: ['https://idp'],
    log: () => {},
  });
  // The handler, then the group-committed records written, so a test reads the whole trail.
  const handler: typeof gateway = async (req, res) => {
    try {
      await gateway(req, res);
    } finally {
      await audit.settle();
    }
  };
  const records = () =>
    [...sink.objects.values()].flatMap((d) =>
      new TextDecoder()
        .decode(d)
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as AuditRecord),
    );
  return { handler, sink, keys, warehouse, records };
}

const rpc = (token: string | undefined, body: unknown) => ({
  method: 'POST',
  path: '/mcp',
  headers: {
    host: 'warden.example',
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  },
  body,
});
const call = (name: string, args: unknown) => ({
  jsonrpc: '2.0',
  id: 7,
  method: 'tools/call',
  params: { name, arguments: args },
});
const REF = 'SELECT code FROM `p.reference.icd10_codes`';

describe('gateway handler', () => {
  it('runs an allowed execute_sql, returns rows, and records request, decision, execution and response', async () => {
    const { handler, records, sink, keys, warehouse } = setup();
    const res = await invoke(
      handler,
      rpc('good.analysts', call('execute_sql', { projectId: 'p', query: REF })),
    );
    assert.equal(res.status, 200);
    const body = res.json() as { result: { structuredContent: { rows: unknown[]; requestId: string } } };
    assert.deepEqual(body.result.structuredContent.rows, [{ code: 'A00', description: 'Cholera' }]);
    assert.equal(warehouse.executed[0]?.options.rowLimit, 5, 'the rule row limit reaches the executor');
    const types = records()
      .filter((r) => r.event.requestId === res.headers['x-warden-request-id'])
      .map((r) => r.event.type);
    assert.deepEqual(types, ['mcp.request', 'policy.decision', 'query.start', 'query.end', 'mcp.response']);
    const response = records().find((r) => r.event.type === 'mcp.response');
    assert.equal(
      response?.event['responseSha256'],
      (await import('node:crypto')).createHash('sha256').update(res.body).digest('hex'),
    );
    assert.equal(
      verifyTrail(
        [...sink.objects].map(([name, data]) => ({ name, data })),
        await keys.getPublicKeyPem(),
      ).ok,
      true,
    );
  });

  it('answers a policy denial as an isError tool result naming the rule, and runs nothing', async () => {
    const { handler, warehouse } = setup();
    const res = await invoke(
      handler,
      rpc(
        'good.analysts',
        call('execute_sql', { projectId: 'p', query: 'SELECT * FROM `p.clinical.patients`' }),
      ),
    );
    const body = res.json() as { result: { isError: boolean; content: { text: string }[] } };
    assert.equal(body.result.isError, true);
    assert.match(body.result.content[0]!.text, /default-deny/);
    assert.equal(warehouse.executed.length, 0);
  });

  it('answers bad arguments as an isError tool result naming the argument, so the agent can correct its call', async () => {
    const { handler, warehouse } = setup();
    const res = await invoke(handler, rpc('good.analysts', call('execute_sql', { projectId: 'p' })));
    const body = res.json() as { result: { isError: boolean; content: { text: string }[] }; error?: unknown };
    assert.equal(body.error, undefined, 'not a JSON-RPC error (MCP 2025-11-25, SEP-1303)');
    assert.equal(body.result.isError, true);
    assert.match(body.result.content[0]!.text, /^Invalid arguments for execute_sql: query: required/);
    assert.equal(warehouse.executed.length, 0);
  });

  it('refuses a query that cannot be dry-run, and records the refusal', async () => {
    const { handler, warehouse, records } = setup();
    warehouse.failDryRun = new WardenError('invalid_argument', 'BigQuery dry run: the query is not valid.');
    const res = await invoke(
      handler,
      rpc('good.analysts', call('execute_sql', { projectId: 'p', query: REF })),
    );
    const body = res.json() as { result: { isError: boolean; content: { text: string }[] } };
    assert.equal(body.result.isError, true);
    assert.match(body.result.content[0]!.text, /not valid/);
    assert.equal(warehouse.executed.length, 0);
    assert.ok(
      records().some(
        (r) =>
          r.event.type === 'policy.decision' &&
          (r.event['decision'] as { rule: string }).rule === 'dry-run-failed',
      ),
    );
  });

  it('hides internal failures behind a generic -32603 message', async () => {
    const { handler, warehouse } = setup();
    warehouse.failDryRun = new Error('socket hang up at 10.0.0.7:443');
    const res = await invoke(
      handler,
      rpc('good.analysts', call('execute_sql', { projectId: 'p', query: REF })),
    );
    const body = res.json() as { error: { code: number; message: string } };
    assert.equal(body.error.code, -32603);
    assert.doesNotMatch(body.error.message, /10\.0\.0\.7|socket/);
  });

  /** A sink whose writes fail after the first `ok`. */
  const failAfter = (sink: MemorySink, ok: number) => {
    const original = sink.create.bind(sink);
    let writes = 0;
    sink.create = async (name, data, type) => {
      writes++;
      if (writes > ok) throw new Error('storage down');
      return original(name, data, type);
    };
  };

  it('fails closed when the audit trail cannot record the intent: nothing runs, no rows are released', async () => {
    const { handler, sink, warehouse } = setup();
    sink.failures = 100;
    const res = await invoke(
      handler,
      rpc('good.analysts', call('execute_sql', { projectId: 'p', query: REF })),
    );
    assert.equal((res.json() as { error?: { code: number } }).error?.code, -32603);
    assert.equal(warehouse.executed.length, 0);
    assert.doesNotMatch(res.body, /Cholera/);
  });

  it('releases no rows when the release record cannot be written after the query ran', async () => {
    const { handler, sink, warehouse } = setup();
    // The intent write (request and decision, opening the stream) succeeds; the release write fails.
    failAfter(sink, 1);
    const res = await invoke(
      handler,
      rpc('good.analysts', call('execute_sql', { projectId: 'p', query: REF })),
    );
    assert.equal(warehouse.executed.length, 1);
    assert.equal((res.json() as { error?: { code: number } }).error?.code, -32603);
    assert.doesNotMatch(res.body, /Cholera/);
  });

  it('answers when only the group-committed response record is lost, and reconciliation names the request', async () => {
    const { handler, sink, records } = setup();
    failAfter(sink, 2);
    const res = await invoke(
      handler,
      rpc('good.analysts', call('execute_sql', { projectId: 'p', query: REF })),
    );
    assert.match(res.body, /Cholera/);
    const id = res.headers['x-warden-request-id']!;
    assert.deepEqual(
      reconcileRequests(records()).map((r) => [r.requestId, r.problems]),
      [[id, ['no mcp.response record']]],
    );
  });

  for (const c of [
    { name: 'a missing token', token: undefined, error: '' },
    {
      name: 'an invalid token',
      token: 'forged',
      error: 'error="invalid_token", error_description="The bearer token is not valid.", ',
    },
  ]) {
    it(`answers ${c.name} with 401, WWW-Authenticate pointing at RFC 9728 metadata, and an audit record`, async () => {
      const { handler, records } = setup();
      const res = await invoke(handler, rpc(c.token, { jsonrpc: '2.0', id: 1, method: 'tools/list' }));
      assert.equal(res.status, 401);
      assert.equal(
        res.headers['www-authenticate'],
        `Bearer ${c.error}resource_metadata="https://warden.example/.well-known/oauth-protected-resource/mcp"`,
      );
      assert.ok(
        records().some(
          (r) =>
            r.event.type === 'mcp.unauthenticated' &&
            r.event.requestId === res.headers['x-warden-request-id'],
        ),
      );
    });
  }

  it('refuses GET on /mcp with 405 and Allow: POST, and records the refusal', async () => {
    const { handler, records } = setup();
    const res = await invoke(handler, { method: 'GET', path: '/mcp', headers: { host: 'warden.example' } });
    assert.equal(res.status, 405);
    assert.equal(res.headers['allow'], 'POST');
    const refused = records().find((r) => r.event.type === 'mcp.rejected');
    assert.equal(refused?.event['status'], 405);
    assert.equal(refused?.event['method'], 'GET');
  });

  it('serves RFC 9728 protected resource metadata', async () => {
    const { handler } = setup();
    const res = await invoke(handler, { path: '/.well-known/oauth-protected-resource/mcp' });
    assert.deepEqual(res.json(), {
      resource: 'https://warden.example/mcp',
      authorization_servers: ['https://idp'],
      bearer_methods_supported: ['header'],
    });
  });

  it('lists execute_sql with its input and output schemas and annotations', async () => {
    const { handler } = setup();
    const res = await invoke(handler, rpc('good.analysts', { jsonrpc: '2.0', id: 1, method: 'tools/list' }));
    const tools = (
      res.json() as {
        result: {
          tools: {
            name: string;
            inputSchema: { required: string[] };
            outputSchema: object;
            annotations: object;
          }[];
        };
      }
    ).result.tools;
    assert.deepEqual(
      tools.map((t) => t.name),
      [
        'execute_sql',
        'execute_sql_readonly',
        'get_query_status',
        'get_query_result',
        'get_job',
        'get_query_results',
        'cancel_job',
      ],
    );
    assert.deepEqual(tools[0]!.inputSchema.required.sort(), ['projectId', 'query']);
    assert.ok(tools[0]!.outputSchema);
  });
});

describe('gateway handler: transport checks and bad input', () => {
  const base = rpc('good.analysts', { jsonrpc: '2.0', id: 1, method: 'tools/list' });
  const cases: {
    name: string;
    change: (r: typeof base) => typeof base;
    status: number;
    code: number;
    message: RegExp;
  }[] = [
    {
      name: 'an unknown Host (DNS rebinding)',
      change: (r) => ({ ...r, headers: { ...r.headers, host: 'evil.example' } }),
      status: 403,
      code: -32000,
      message: /Host not allowed/,
    },
    {
      name: 'a foreign Origin',
      change: (r) => ({ ...r, headers: { ...r.headers, origin: 'https://evil.example' } }),
      status: 403,
      code: -32000,
      message: /Origin not allowed/,
    },
    {
      name: 'a token in the query string',
      change: (r) => ({ ...r, path: '/mcp?access_token=abc' }),
      status: 401,
      code: -32001,
      message: /never in the URL/,
    },
    {
      name: 'a token in an upper-case query parameter',
      change: (r) => ({ ...r, path: '/mcp?ID_TOKEN=abc' }),
      status: 401,
      code: -32001,
      message: /never in the URL/,
    },
    {
      name: 'a token in a camel-case or dashed query parameter',
      change: (r) => ({ ...r, path: '/mcp?x=1&Access-Token=abc' }),
      status: 401,
      code: -32001,
      message: /never in the URL/,
    },
    {
      name: 'a body over the limit',
      change: (r) => ({ ...r, headers: { ...r.headers, 'content-length': '5000' } }),
      status: 413,
      code: -32600,
      message: /exceeds 4096 bytes/,
    },
    {
      name: 'a non-JSON content type',
      change: (r) => ({ ...r, headers: { ...r.headers, 'content-type': 'text/plain' } }),
      status: 415,
      code: -32600,
      message: /application\/json/,
    },
    {
      name: 'malformed JSON',
      change: (r) => ({ ...r, body: '{"jsonrpc": "2.0",' }),
      status: 400,
      code: -32700,
      message: /Parse error/,
    },
    {
      name: 'an invalid JSON-RPC envelope',
      change: (r) => ({ ...r, body: { jsonrpc: '1.0', id: 1, method: 'tools/list' } }),
      status: 400,
      code: -32600,
      message: /Invalid Request/,
    },
    {
      name: 'an empty batch',
      change: (r) => ({ ...r, body: [] }),
      status: 400,
      code: -32600,
      message: /Invalid Request/,
    },
  ];
  for (const c of cases) {
    it(`refuses ${c.name} with ${c.status} / ${c.code}, no stack trace, and an audit record`, async () => {
      const { handler, records } = setup();
      const res = await invoke(handler, c.change(base));
      assert.equal(res.status, c.status);
      const body = res.json() as { error: { code: number; message: string } };
      assert.equal(body.error.code, c.code);
      assert.match(body.error.message, c.message);
      assert.doesNotMatch(res.body, /at .*\.ts:\d+/);
      assert.ok(
        records().some(
          (r) =>
            r.event.requestId === res.headers['x-warden-request-id'] &&
            /^mcp\.(rejected|unauthenticated)$/.test(r.event.type),
        ),
      );
    });
  }

  it('answers an unknown tool with -32602 naming it', async () => {
    const { handler } = setup();
    const res = await invoke(handler, rpc('good.analysts', call('drop_everything', {})));
    const body = res.json() as { error: { code: number; message: string } };
    assert.equal(body.error.code, -32602);
    assert.match(body.error.message, /Unknown tool: drop_everything/);
  });

  it('names the offending argument path, not its value', async () => {
    const { handler } = setup();
    const res = await invoke(
      handler,
      rpc('good.analysts', call('execute_sql', { projectId: 'p', query: 'SELECT 1', dryRun: '078-05-1120' })),
    );
    const text = (res.json() as { result: { content: { text: string }[] } }).result.content[0]!.text;
    assert.match(text, /dryRun: expected boolean, received string/);
    assert.doesNotMatch(text, /078-05-1120/);
  });
});

describe('gateway handler: identity', () => {
  it('shows a caller with no matching rule no tools at all', async () => {
    const { handler } = setup();
    const res = await invoke(handler, rpc('good.visitors', { jsonrpc: '2.0', id: 1, method: 'tools/list' }));
    assert.deepEqual((res.json() as { result: { tools: unknown[] } }).result.tools, []);
  });

  it('verifies the on-behalf-of token and records both the service and the person', async () => {
    const { handler, records } = setup();
    const req = rpc('good.analysts', call('execute_sql', { projectId: 'p', query: REF }));
    const res = await invoke(handler, {
      ...req,
      headers: { ...req.headers, 'x-warden-on-behalf-of': 'good.clinicians' },
    });
    assert.equal(res.status, 200);
    const decision = records().find((r) => r.event.type === 'policy.decision');
    const principal = decision?.event['principal'] as { groups: string[]; onBehalfOf?: { groups: string[] } };
    assert.deepEqual(principal.groups, ['analysts']);
    assert.deepEqual(principal.onBehalfOf?.groups, ['clinicians']);
  });

  it('refuses the request when the on-behalf-of token does not verify', async () => {
    const { handler, warehouse } = setup();
    const req = rpc('good.analysts', call('execute_sql', { projectId: 'p', query: REF }));
    const res = await invoke(handler, {
      ...req,
      headers: { ...req.headers, 'x-warden-on-behalf-of': 'forged' },
    });
    assert.equal(res.status, 401);
    assert.equal(warehouse.executed.length, 0);
  });
});
