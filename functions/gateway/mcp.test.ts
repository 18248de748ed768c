// Every outcome of every tool, through the official MCP SDK client (which validates each result against the
// listed output schema and throws on a mismatch) and the tool's zod output schema; bad arguments and unknown tools.

import assert from 'node:assert/strict';
import type { CloudEvent } from '@google-cloud/functions-framework';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { TableCatalog } from '../../shared/core/classification/table-catalog.ts';
import { WardenError } from '../../shared/core/errors.ts';
import { loadPolicy } from '../../shared/core/policy/policy.ts';
import { invoke } from '../../shared/test-support/fake-http.ts';
import { createApprovedHandler } from '../executor/events.ts';
import { createRig, PHI_SQL, REFERENCE_SQL, type Rig } from '../test-support/rig.ts';
import { createGatewayHandler } from './handle.ts';
import { TOOLS } from './tools/index.ts';

/** The rig's rules, plus the metadata tools on the reference dataset, so that analysts see every tool. */
const POLICY = loadPolicy(`
version: 1
rules:
  - id: analysts-metadata
    effect: allow
    when:
      groups: [analysts]
      tools: [list_dataset_ids, get_dataset_info, list_table_ids, get_table_info]
      tables: ['*.reference']
  - id: analysts-datasets
    effect: allow
    when: { groups: [analysts], tools: [list_dataset_ids] }
  - id: analysts-reference
    effect: allow
    when: { groups: [analysts], tools: [execute_sql], statementTypes: [SELECT], tables: ['*.reference'] }
    rowLimit: 5
  - id: analysts-phi-with-approval
    effect: require_approval
    when: { groups: [analysts], tools: [execute_sql], statementTypes: [SELECT], phi: true }
    approval: { groups: [privacy-office], quorum: 1, ttl: 4h }
`);

const ORIGIN = 'https://warden.example';

/** A gateway on the rig's ports (and its executor) deciding by POLICY. */
function gatewayOf(rig: Rig) {
  const deps = rig.gatewayDeps;
  return createGatewayHandler({
    ...deps,
    policy: POLICY,
    catalog: new TableCatalog({ metadata: deps.metadata, config: POLICY.classification, clock: rig.clock }),
  });
}

type Gateway = ReturnType<typeof gatewayOf>;

/** A `fetch` that hands each request to the gateway in process. */
function inProcess(gateway: Gateway): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const sent = await invoke(gateway, {
      method: init?.method ?? 'GET',
      path: url.pathname + url.search,
      headers: { host: url.host, ...Object.fromEntries(new Headers(init?.headers).entries()) },
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    return new Response(sent.body, { status: sent.status, headers: sent.headers });
  }) as typeof fetch;
}

/** The official SDK client, connected, with the tool list fetched (so that it validates every result). */
async function sdkClient(gateway: Gateway, token = 'good.analysts'): Promise<Client> {
  const client = new Client({ name: 'mcp-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${ORIGIN}/mcp`), {
      fetch: inProcess(gateway),
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  const { tools } = await client.listTools();
  assert.equal(tools.length, TOOLS.length, 'analysts see every tool, so every result is validated');
  return client;
}

async function http(gateway: Gateway, token: string, method: string, path: string, body?: unknown) {
  const res = await invoke(gateway, {
    method,
    path,
    headers: {
      host: 'warden.example',
      authorization: `Bearer ${token}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body,
  });
  assert.equal(res.status, 200, res.body);
  return res.json() as Record<string, unknown>;
}

/** Everything a case may do to reach its outcome. */
interface World {
  rig: Rig;
  gateway: Gateway;
  client: Client;
  /** Runs REFERENCE_SQL for the analyst; the job id. */
  runDirect(): Promise<string>;
  /** Parks PHI_SQL for the analyst; the request id. */
  park(): Promise<string>;
  review(id: string, verb: 'approve' | 'deny'): Promise<void>;
  cancel(id: string): Promise<void>;
  /** Delivers approval-decided to the executor. */
  execute(id: string): Promise<string>;
}

async function world(): Promise<World> {
  const rig = await createRig({ timeoutMs: 2000 });
  const gateway = gatewayOf(rig);
  const client = await sdkClient(gateway);
  const w: World = {
    rig,
    gateway,
    client,
    async runDirect() {
      const result = await client.callTool({
        name: 'execute_sql',
        arguments: { projectId: 'p', query: REFERENCE_SQL },
      });
      return (result.structuredContent as { jobId: string }).jobId;
    },
    async park() {
      const result = await client.callTool({
        name: 'execute_sql',
        arguments: { projectId: 'p', query: PHI_SQL, reason: 'readmission study' },
      });
      return (result.structuredContent as { requestId: string }).requestId;
    },
    async review(id, verb) {
      const shown = await http(gateway, 'good.privacy-office', 'GET', `/approvals/${id}`);
      await http(gateway, 'good.privacy-office', 'POST', `/approvals/${id}:${verb}`, {
        reason: 'IRB 2026-114',
        // An approval names the binding its approver reviewed; a denial needs none.
        ...(verb === 'approve' ? { binding: shown['bindingSha256'] } : {}),
      });
    },
    async cancel(id) {
      await http(gateway, 'good.analysts', 'POST', `/approvals/${id}:cancel`, { reason: 'not needed' });
    },
    async execute(id) {
      const handle = createApprovedHandler({ ...rig.executorDeps, log: () => {} });
      const event = { data: { message: { attributes: { requestId: id, state: 'APPROVED' } } } };
      return handle(event as unknown as CloudEvent<unknown>);
    },
  };
  return w;
}

/** Parses a result's structuredContent with its tool's zod output schema; the parsed value. */
function parsedOutput(tool: string, result: CallToolResult): Record<string, unknown> {
  const output = TOOLS.find((t) => t.name === tool)?.output;
  assert.ok(output, `${tool} declares an output schema`);
  const parsed = output.safeParse(result.structuredContent);
  assert.ok(parsed.success, `${tool}: ${JSON.stringify(parsed.error?.issues)}`);
  return parsed.data as Record<string, unknown>;
}

/** `actual` has every property of `expected` (recursively through plain objects), equal. */
function assertIncludes(actual: unknown, expected: unknown, path: string): void {
  if (typeof expected !== 'object' || expected === null || Array.isArray(expected)) {
    assert.deepEqual(actual, expected, path);
    return;
  }
  assert.ok(typeof actual === 'object' && actual !== null, `${path} is an object`);
  for (const [key, value] of Object.entries(expected))
    assertIncludes((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
}

interface OutcomeCase {
  name: string;
  tool: string;
  /** Brings the world to the outcome; the tool's arguments. */
  arrange: (w: World) => Promise<Record<string, unknown>>;
  isError?: true;
  /** What the (schema-valid) structuredContent must say. */
  expect: Record<string, unknown>;
}

const parkedThen = (then: (w: World, id: string) => Promise<unknown>) => async (w: World) => {
  const requestId = await w.park();
  await then(w, requestId);
  return { requestId };
};

const OUTCOMES: OutcomeCase[] = [
  {
    name: 'execute_sql_readonly runs an allowed SELECT: status done, as execute_sql',
    tool: 'execute_sql_readonly',
    arrange: async () => ({ projectId: 'p', query: REFERENCE_SQL }),
    expect: { status: 'done', dryRun: false, statementType: 'SELECT' },
  },
  {
    name: 'execute_sql_readonly refuses what the dry run says is no SELECT: status denied, guard:read-only',
    tool: 'execute_sql_readonly',
    arrange: async () => ({ projectId: 'p', query: 'DELETE FROM `p.reference.icd10_codes` WHERE TRUE' }),
    isError: true,
    expect: { status: 'denied', rule: 'guard:read-only' },
  },
  {
    name: 'execute_sql runs an allowed query: status done, with rows and the dry-run facts',
    tool: 'execute_sql',
    arrange: async () => ({ projectId: 'p', query: REFERENCE_SQL }),
    expect: { status: 'done', dryRun: false, statementType: 'SELECT', truncated: false },
  },
  {
    name: 'execute_sql dry-runs an allowed query: status dry_run, facts only',
    tool: 'execute_sql',
    arrange: async () => ({ projectId: 'p', query: REFERENCE_SQL, dryRun: true }),
    expect: { status: 'dry_run', dryRun: true, referencedTables: ['p.reference.icd10_codes'] },
  },
  {
    name: 'execute_sql dry-runs a query that needs approval: status dry_run, naming the approval it would need',
    tool: 'execute_sql',
    arrange: async () => ({ projectId: 'p', query: PHI_SQL, dryRun: true }),
    expect: {
      status: 'dry_run',
      approval: { rule: 'analysts-phi-with-approval', approverGroups: ['privacy-office'], quorum: 1 },
    },
  },
  {
    name: 'execute_sql parks a query that needs approval: status pending_approval, with the request id',
    tool: 'execute_sql',
    arrange: async () => ({ projectId: 'p', query: PHI_SQL, reason: 'readmission study' }),
    expect: {
      status: 'pending_approval',
      state: 'PENDING',
      approvals: 0,
      quorum: 1,
      approverGroups: ['privacy-office'],
      waitingFor: '1 more approval from privacy-office, expires in 4 h',
      expiresAt: '2026-01-01T04:00:00.000Z',
    },
  },
  {
    name: 'execute_sql refuses what policy denies: isError, status denied, naming the rule',
    tool: 'execute_sql',
    arrange: async () => ({ projectId: 'p', query: 'DELETE FROM `p.reference.icd10_codes` WHERE true' }),
    isError: true,
    expect: { status: 'denied', rule: 'default-deny' },
  },
  {
    name: 'get_query_status reports a pending request',
    tool: 'get_query_status',
    arrange: parkedThen(async () => {}),
    expect: { state: 'PENDING', approvals: 0 },
  },
  {
    name: 'get_query_status reports an approved request waiting for the executor',
    tool: 'get_query_status',
    arrange: parkedThen((w, id) => w.review(id, 'approve')),
    expect: { state: 'APPROVED', approvals: 1 },
  },
  {
    name: 'get_query_status reports a request an approver denied',
    tool: 'get_query_status',
    arrange: parkedThen((w, id) => w.review(id, 'deny')),
    expect: { state: 'DENIED' },
  },
  {
    name: 'get_query_status reports a request its requester cancelled',
    tool: 'get_query_status',
    arrange: parkedThen((w, id) => w.cancel(id)),
    expect: { state: 'CANCELLED', waitingFor: 'cancelled by the requester: not needed' },
  },
  {
    name: 'get_query_status reports a request nobody decided in time as expired',
    tool: 'get_query_status',
    arrange: parkedThen(async (w) => w.rig.clock.advance(5 * 3_600_000)),
    expect: { state: 'EXPIRED' },
  },
  {
    name: 'get_query_status reports a request the executor is running',
    tool: 'get_query_status',
    arrange: parkedThen(async (w, id) => {
      await w.review(id, 'approve');
      await w.rig.ports.store.update(id, (r) => ({ ...r, state: 'EXECUTING' }));
    }),
    expect: { state: 'EXECUTING', waitingFor: 'approved, executing' },
  },
  {
    name: 'get_query_status reports a request that ran',
    tool: 'get_query_status',
    arrange: parkedThen(async (w, id) => {
      await w.review(id, 'approve');
      assert.equal(await w.execute(id), 'ran');
    }),
    expect: { state: 'SUCCEEDED' },
  },
  {
    name: 'get_query_status reports a request whose execution failed',
    tool: 'get_query_status',
    arrange: parkedThen(async (w, id) => {
      await w.review(id, 'approve');
      w.rig.ports.warehouse.faults.fail('execute', new WardenError('invalid_argument', 'Query failed.'));
      assert.equal(await w.execute(id), 'failed');
    }),
    expect: { state: 'FAILED' },
  },
  {
    name: 'get_query_result hands the requester the masked rows of a request that ran',
    tool: 'get_query_result',
    arrange: parkedThen(async (w, id) => {
      await w.review(id, 'approve');
      assert.equal(await w.execute(id), 'ran');
    }),
    expect: { truncated: false },
  },
  {
    name: 'get_job reports a job Warden ran for the caller: its state and statistics, and the request',
    tool: 'get_job',
    arrange: async (w) => ({ projectId: 'p', jobId: await w.runDirect() }),
    expect: { state: 'DONE', statementType: 'SELECT', totalBytesProcessed: '1024', location: 'US' },
  },
  {
    name: 'cancel_job cancels a job Warden ran for the caller',
    tool: 'cancel_job',
    arrange: async (w) => ({ projectId: 'p', jobId: await w.runDirect() }),
    expect: { state: 'DONE' },
  },
  {
    name: 'get_query_results hands the requester the masked rows of an approved query by its job',
    tool: 'get_query_results',
    arrange: async (w) => {
      const id = await w.park();
      await w.review(id, 'approve');
      assert.equal(await w.execute(id), 'ran');
      const held = await w.client.callTool({ name: 'get_query_result', arguments: { requestId: id } });
      return { projectId: 'p', jobId: (held.structuredContent as { jobId: string }).jobId, maxResults: 1 };
    },
    expect: { truncated: false },
  },
  {
    name: 'list_dataset_ids lists the datasets',
    tool: 'list_dataset_ids',
    arrange: async () => ({ projectId: 'p' }),
    expect: { datasets: [{ id: 'reference', location: 'US' }] },
  },
  {
    name: 'get_dataset_info describes an allowed dataset',
    tool: 'get_dataset_info',
    arrange: async () => ({ projectId: 'p', datasetId: 'reference' }),
    expect: { datasetReference: { projectId: 'p', datasetId: 'reference' } },
  },
  {
    name: 'list_table_ids lists the tables of an allowed dataset',
    tool: 'list_table_ids',
    arrange: async () => ({ projectId: 'p', datasetId: 'reference' }),
    expect: { tables: [{ id: 'icd10_codes' }] },
  },
  {
    name: 'get_table_info describes an allowed table',
    tool: 'get_table_info',
    arrange: async () => ({ projectId: 'p', datasetId: 'reference', tableId: 'icd10_codes' }),
    expect: { tableReference: { projectId: 'p', datasetId: 'reference', tableId: 'icd10_codes' } },
  },
  {
    name: 'get_table_info refuses a table policy does not grant: isError, status denied',
    tool: 'get_table_info',
    arrange: async () => ({ projectId: 'p', datasetId: 'clinical', tableId: 'patients' }),
    isError: true,
    expect: { status: 'denied', rule: 'default-deny' },
  },
  {
    name: 'list_table_ids refuses a dataset policy does not grant: isError, status denied',
    tool: 'list_table_ids',
    arrange: async () => ({ projectId: 'p', datasetId: 'clinical' }),
    isError: true,
    expect: { status: 'denied' },
  },
  {
    name: 'get_dataset_info refuses a dataset policy does not grant: isError, status denied',
    tool: 'get_dataset_info',
    arrange: async () => ({ projectId: 'p', datasetId: 'clinical' }),
    isError: true,
    expect: { status: 'denied' },
  },
];

describe('MCP results: every outcome conforms to its tool’s output schema', function () {
  this.timeout(20_000);

  it('covers every tool', () => {
    assert.deepEqual([...new Set(OUTCOMES.map((c) => c.tool))].sort(), TOOLS.map((t) => t.name).sort());
  });

  for (const c of OUTCOMES) {
    it(c.name, async () => {
      const w = await world();
      const args = await c.arrange(w);
      // The SDK client throws here if the structuredContent does not match the listed output schema.
      const result = (await w.client.callTool({ name: c.tool, arguments: args })) as CallToolResult;
      await w.client.close();
      assert.equal(result.isError === true, c.isError === true, JSON.stringify(result.content));
      const out = parsedOutput(c.tool, result);
      assertIncludes(out, c.expect, 'structuredContent');
      if (!c.isError)
        assert.deepEqual(
          JSON.parse((result.content[0] as { text: string }).text),
          result.structuredContent,
          'the text block is the structured content as JSON',
        );
      if ('requestId' in args) assert.equal(out['requestId'], args['requestId']);
      if (out['status'] === 'done' || c.tool === 'get_query_result')
        assert.ok(Array.isArray(out['rows']) && out['rows'].length > 0, 'rows');
    });
  }
});

describe('MCP results: errors the agent can act on', function () {
  this.timeout(20_000);

  const PHI = { ssn: '123-45-6789', name: 'Jane Q. Patient' };
  const invalid: { name: string; tool: string; args: Record<string, unknown>; names: RegExp[] }[] = [
    {
      name: 'a missing required argument',
      tool: 'execute_sql',
      args: { projectId: 'p' },
      names: [/query: required \(string\)/],
    },
    {
      name: 'an argument of the wrong type',
      tool: 'execute_sql',
      args: { projectId: 5, query: `SELECT '${PHI.ssn}'` },
      names: [/projectId: expected string, received number/],
    },
    {
      name: 'a string where a boolean belongs, holding PHI',
      tool: 'execute_sql',
      args: { projectId: 'p', query: 'SELECT 1', dryRun: PHI.ssn, breakGlass: PHI.name },
      names: [/dryRun: expected boolean, received string/, /breakGlass: expected boolean/],
    },
    {
      name: 'an empty reason',
      tool: 'execute_sql',
      args: { projectId: 'p', query: 'SELECT 1', reason: '' },
      names: [/reason: Too small: expected string to have >=1 characters/],
    },
    {
      name: 'an unknown argument, and one whose name is not a name',
      tool: 'execute_sql',
      args: { projectId: 'p', query: 'SELECT 1', project_id: 'p', [PHI.ssn]: PHI.name },
      names: [/unknown arguments: "project_id", 1 more/],
    },
    {
      name: 'a request id that is not a string',
      tool: 'get_query_status',
      args: { requestId: [PHI.ssn] },
      names: [/requestId: expected string, received array/],
    },
    {
      name: 'a missing table id',
      tool: 'get_table_info',
      args: { projectId: 'p', datasetId: PHI.name },
      names: [/tableId: required \(string\)/],
    },
  ];
  for (const c of invalid) {
    it(`answers ${c.name} to ${c.tool} as an isError result naming the path, never the values`, async () => {
      const w = await world();
      const result = (await w.client.callTool({ name: c.tool, arguments: c.args })) as CallToolResult;
      await w.client.close();
      assert.equal(result.isError, true);
      assert.equal(
        result.structuredContent,
        undefined,
        'no structuredContent: nothing for the client to reject',
      );
      const text = (result.content[0] as { text: string }).text;
      assert.match(text, new RegExp(`^Invalid arguments for ${c.tool}: `));
      for (const n of c.names) assert.match(text, n);
      for (const value of Object.values(PHI)) assert.ok(!text.includes(value), `"${value}" is not echoed`);
      assert.equal(w.rig.ports.warehouse.executed.length, 0, 'nothing ran');
    });
  }

  for (const tool of ['drop_everything', 'toString', '__proto__'])
    it(`answers the unknown tool ${tool} with JSON-RPC -32602 naming it`, async () => {
      const w = await world();
      await assert.rejects(
        w.client.callTool({ name: tool, arguments: {} }),
        (err: { code?: number; message?: string }) =>
          err.code === -32602 && err.message === `MCP error -32602: Unknown tool: ${tool}`,
      );
      await w.client.close();
    });

  const refusals: { name: string; tool: string; arrange: (w: World) => Promise<string>; text: RegExp }[] = [
    {
      name: 'the status of a request that does not exist',
      tool: 'get_query_status',
      arrange: async () => 'no-such-request',
      text: /No request no-such-request of yours exists/,
    },
    {
      name: 'the result of a request not yet run',
      tool: 'get_query_result',
      arrange: (w) => w.park(),
      text: /is PENDING; its result is not available/,
    },
  ];
  for (const c of refusals) {
    it(`answers ${c.name} as an isError result without structuredContent`, async () => {
      const w = await world();
      const requestId = await c.arrange(w);
      const result = (await w.client.callTool({ name: c.tool, arguments: { requestId } })) as CallToolResult;
      await w.client.close();
      assert.equal(result.isError, true);
      assert.equal(result.structuredContent, undefined);
      assert.match((result.content[0] as { text: string }).text, c.text);
    });
  }

  describe('the job tools answer only for the caller’s own jobs, and never re-read rows', () => {
    it('reports someone else’s job, and a job Warden did not run, as not found, and cancels neither', async () => {
      const w = await world();
      const jobId = await w.runDirect();
      const other = await sdkClient(w.gateway, 'good.analysts+auditors');
      for (const [client, id] of [
        [other, jobId],
        [w.client, 'job-999'],
      ] as const)
        for (const tool of ['get_job', 'cancel_job', 'get_query_results']) {
          const result = (await client.callTool({
            name: tool,
            arguments: { projectId: 'p', jobId: id },
          })) as CallToolResult;
          assert.equal(result.isError, true, tool);
          assert.match(
            (result.content[0] as { text: string }).text,
            new RegExp(`No job ${id} that Warden ran for you`),
          );
        }
      assert.deepEqual(w.rig.ports.warehouse.cancelled, []);
      await Promise.all([other.close(), w.client.close()]);
    });

    it('cancels only after the job.cancel record is durable, and records each look', async () => {
      const w = await world();
      const jobId = await w.runDirect();
      await w.client.callTool({ name: 'get_job', arguments: { projectId: 'p', jobId } });
      await w.client.callTool({ name: 'cancel_job', arguments: { projectId: 'p', jobId } });
      const events = w.rig.records().map((r) => r.event as Record<string, unknown>);
      const look = events.find((e) => e['type'] === 'job.get');
      const cancel = events.find((e) => e['type'] === 'job.cancel');
      assert.equal(look?.['jobId'], jobId);
      assert.equal(cancel?.['jobId'], jobId);
      assert.equal(typeof cancel?.['ranFor'], 'string');
      assert.deepEqual(w.rig.ports.warehouse.cancelled, [jobId]);

      // With the audit trail down, nothing is cancelled.
      w.rig.ports.sink.faults.fail('create');
      const refused = await w.client
        .callTool({ name: 'cancel_job', arguments: { projectId: 'p', jobId } })
        .then(
          (r) => r.isError === true,
          () => true,
        );
      assert.equal(refused, true, 'the call fails');
      assert.deepEqual(w.rig.ports.warehouse.cancelled, [jobId]);
      await w.client.close();
    });

    it('masks identifiers in a failed job’s error message', async () => {
      const w = await world();
      const jobId = await w.runDirect();
      const job = w.rig.ports.warehouse.jobs.get(jobId)!;
      job.error = 'Bad int64 value: 123-45-6789';
      const result = await w.client.callTool({ name: 'get_job', arguments: { projectId: 'p', jobId } });
      const error = (result.structuredContent as { error: string }).error;
      assert.ok(!error.includes('123-45-6789'), error);
      assert.match(error, /\[SSN\]/);
      await w.client.close();
    });

    it('has no rows for a direct query’s job: execute_sql returned them once and Warden keeps no copy', async () => {
      const w = await world();
      const jobId = await w.runDirect();
      const result = (await w.client.callTool({
        name: 'get_query_results',
        arguments: { projectId: 'p', jobId },
      })) as CallToolResult;
      assert.equal(result.isError, true);
      assert.match((result.content[0] as { text: string }).text, /keeps no copy of a direct query's rows/);
      assert.equal(w.rig.ports.warehouse.executed.length, 1, 'nothing ran again');
      await w.client.close();
    });
  });
});
