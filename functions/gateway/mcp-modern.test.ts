// biome-ignore-all lint/suspicious/noExplicitAny: raw JSON-RPC bodies are read loosely in assertions.
// MCP 2026-07-28 through the official v2 SDK client (server/discover, per-request `_meta`, resultType), with and
// without the tasks extension (driven by the official ext-tasks requester), and the 2025 era on the same endpoint.

import assert from 'node:assert/strict';
import type { CloudEvent } from '@google-cloud/functions-framework';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createTaskSessionFromClient, resultFromTaskOutcome } from '@modelcontextprotocol/ext-tasks/client';
import { WardenError } from '../../shared/core/errors.ts';
import { ExecuteSqlOutput } from '../../shared/mcp/tools.ts';
import { invoke } from '../../shared/test-support/fake-http.ts';
import { createApprovedHandler } from '../executor/events.ts';
import { createRig, PHI_SQL, REFERENCE_SQL, type Rig } from '../test-support/rig.ts';
import { TASK_POLL_INTERVAL_MS, TASKS_EXTENSION } from './tasks.ts';

const ORIGIN = 'https://warden.example';
const MODERN = '2026-07-28';
const TASKS = { extensions: { [TASKS_EXTENSION]: {} } };
const CLIENT_INFO = { name: 'modern-test', version: '1.0.0' };

type Gateway = Rig['gateway'];
interface Exchange {
  headers: Record<string, string>;
  request: Record<string, unknown>;
  status: number;
  response: Record<string, unknown>;
}

/** A `fetch` that hands each request to the gateway in process, recording every exchange. */
function inProcess(gateway: Gateway, log: Exchange[] = []): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const headers = { host: url.host, ...Object.fromEntries(new Headers(init?.headers).entries()) };
    const request = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    const sent = await invoke(gateway, {
      method: init?.method ?? 'GET',
      path: url.pathname + url.search,
      headers,
      body: request,
    });
    if (request)
      log.push({
        headers,
        request,
        status: sent.status,
        response: sent.body ? (JSON.parse(sent.body) as Record<string, unknown>) : {},
      });
    return new Response(sent.body || null, { status: sent.status, headers: sent.headers });
  }) as typeof fetch;
}

interface Modern {
  rig: Rig;
  gateway: Gateway;
  client: Client;
  log: Exchange[];
}

/** The v2 client negotiating MCP 2026-07-28 (server/discover first), with the tool list fetched. */
async function modern(token = 'good.analysts', capabilities: Record<string, unknown> = {}, rig?: Rig) {
  const r = rig ?? (await createRig({ timeoutMs: 2000 }));
  const gateway = r.gateway;
  const log: Exchange[] = [];
  const client = new Client(CLIENT_INFO, { versionNegotiation: { mode: 'auto' }, capabilities });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${ORIGIN}/mcp`), {
      fetch: inProcess(gateway, log),
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  await client.listTools();
  return { rig: r, gateway, client, log } satisfies Modern;
}

/** A raw 2026-07-28 JSON-RPC request, framed as the spec says (headers, `_meta` envelope). */
async function raw(
  gateway: Gateway,
  method: string,
  params: Record<string, unknown>,
  options: { token?: string; capabilities?: Record<string, unknown>; headers?: Record<string, string> } = {},
) {
  const name = (params['name'] ?? params['taskId']) as string | undefined;
  const res = await invoke(gateway, {
    method: 'POST',
    path: '/mcp',
    headers: {
      host: 'warden.example',
      authorization: `Bearer ${options.token ?? 'good.analysts'}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': MODERN,
      'mcp-method': method,
      ...(name ? { 'mcp-name': name } : {}),
      ...options.headers,
    },
    body: {
      jsonrpc: '2.0',
      id: 7,
      method,
      params: {
        ...params,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': MODERN,
          'io.modelcontextprotocol/clientInfo': CLIENT_INFO,
          'io.modelcontextprotocol/clientCapabilities': options.capabilities ?? TASKS,
        },
      },
    },
  });
  return { status: res.status, body: JSON.parse(res.body) as Record<string, any> };
}

async function approve(gateway: Gateway, id: string): Promise<void> {
  const as = { host: 'warden.example', authorization: 'Bearer good.privacy-office' };
  const shown = JSON.parse(
    (await invoke(gateway, { method: 'GET', path: `/approvals/${id}`, headers: as })).body,
  );
  const res = await invoke(gateway, {
    method: 'POST',
    path: `/approvals/${id}:approve`,
    headers: { ...as, 'content-type': 'application/json' },
    body: { reason: 'IRB 2026-114', binding: shown.bindingSha256 },
  });
  assert.equal(res.status, 200, res.body);
}

async function execute(rig: Rig, id: string): Promise<void> {
  const handle = createApprovedHandler({ ...rig.executorDeps, log: () => {} });
  await handle({
    data: { message: { attributes: { requestId: id, state: 'APPROVED' } } },
  } as unknown as CloudEvent<unknown>);
}

/** Parks PHI_SQL as a task; the task id. */
async function parkTask(gateway: Gateway): Promise<Record<string, any>> {
  const { status, body } = await raw(gateway, 'tools/call', {
    name: 'execute_sql',
    arguments: { projectId: 'p', query: PHI_SQL, reason: 'readmission study' },
  });
  assert.equal(status, 200, JSON.stringify(body));
  return body['result'];
}

describe('MCP 2026-07-28: the v2 SDK client', () => {
  it('negotiates 2026-07-28 with server/discover and sees the tasks extension', async () => {
    const { client, log } = await modern();
    assert.equal(log[0]?.request['method'], 'server/discover');
    const discovered = log[0]?.response['result'] as Record<string, any>;
    assert.deepEqual(discovered['supportedVersions'], [MODERN]);
    assert.deepEqual(discovered['capabilities']['extensions'], TASKS.extensions);
    assert.equal(client.getProtocolEra(), 'modern');
  });

  it('answers tools/list with resultType and a private cache hint (the list depends on the caller)', async () => {
    const { log } = await modern();
    const listed = log.find((e) => e.request['method'] === 'tools/list');
    const result = listed?.response['result'] as Record<string, unknown>;
    assert.equal(result['resultType'], 'complete');
    assert.equal(result['cacheScope'], 'private');
    assert.equal(result['ttlMs'], 60_000);
  });

  it('runs an allowed query; the client validates the result against the listed output schema', async () => {
    const { client, log } = await modern();
    const result = await client.callTool({
      name: 'execute_sql',
      arguments: { projectId: 'p', query: REFERENCE_SQL },
    });
    assert.equal((result.structuredContent as { status: string }).status, 'done');
    const call = log.at(-1)!;
    assert.equal(call.headers['mcp-method'], 'tools/call');
    assert.equal(call.headers['mcp-name'], 'execute_sql');
    assert.equal((call.response['result'] as { resultType: string }).resultType, 'complete');
    // No argument is mirrored into a header: the query text, which may carry PHI, stays in the body.
    for (const v of Object.values(call.headers)) assert.ok(!v.includes('icd10_codes'), 'no SQL in headers');
  });

  it('without the tasks extension, parks a query as a pending_approval result', async () => {
    const { client } = await modern();
    const result = await client.callTool({
      name: 'execute_sql',
      arguments: { projectId: 'p', query: PHI_SQL, reason: 'readmission study' },
    });
    const out = ExecuteSqlOutput.parse(result.structuredContent);
    assert.equal(out.status, 'pending_approval');
  });

  it('keeps serving the 2025 era on the same endpoint (initialize, no envelope)', async () => {
    const { gateway } = await modern();
    const legacy = new Client(CLIENT_INFO);
    await legacy.connect(
      new StreamableHTTPClientTransport(new URL(`${ORIGIN}/mcp`), {
        fetch: inProcess(gateway),
        requestInit: { headers: { authorization: 'Bearer good.analysts' } },
      }),
    );
    assert.equal(legacy.getProtocolEra(), 'legacy');
    assert.ok((await legacy.listTools()).tools.some((t) => t.name === 'execute_sql'));
  });

  it('refuses an Mcp-Method header that disagrees with the body (400, HeaderMismatch)', async () => {
    const { gateway } = await modern();
    const { status, body } = await raw(
      gateway,
      'tools/list',
      {},
      { headers: { 'mcp-method': 'tools/call' } },
    );
    assert.equal(status, 400);
    assert.equal(body['error']['code'], -32020);
  });

  it('refuses an Mcp-Name header that disagrees with the tool named in the body', async () => {
    const { gateway } = await modern();
    const { status, body } = await raw(
      gateway,
      'tools/call',
      { name: 'execute_sql', arguments: { projectId: 'p', query: REFERENCE_SQL } },
      { headers: { 'mcp-name': 'get_query_status' } },
    );
    assert.equal(status, 400);
    assert.equal(body['error']['code'], -32020);
  });
});

describe('MCP 2026-07-28: approvals as tasks (io.modelcontextprotocol/tasks)', () => {
  it('the official ext-tasks requester follows a parked query to its masked rows', async () => {
    const { rig, gateway, client } = await modern('good.analysts', TASKS);
    const dispatch = inProcess(gateway);
    let taskId: string | undefined;
    const rawDispatch = async (request: unknown) => {
      const r = request as { method: string; params?: Record<string, unknown> };
      const name = (r.params?.['name'] ?? r.params?.['taskId']) as string | undefined;
      const res = await dispatch(`${ORIGIN}/mcp`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer good.analysts',
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': MODERN,
          'mcp-method': r.method,
          ...(name ? { 'mcp-name': name } : {}),
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: Math.floor(Math.random() * 1e9), ...r }),
      });
      const json = (await res.json()) as { result?: { resultType?: string; taskId?: string } };
      if (json.result?.resultType === 'task') {
        // Durable before the reply: the approver sees the request, then the executor runs it.
        taskId = json.result.taskId;
        await approve(gateway, taskId!);
        await execute(rig, taskId!);
      }
      return json as never;
    };
    const session = createTaskSessionFromClient(client, {
      endpointId: 'warden-test',
      rawDispatch,
      v2RequestFraming: { protocolVersion: MODERN, clientInfo: CLIENT_INFO, clientCapabilities: TASKS },
    });
    try {
      const execution = await session.callTool('execute_sql', {
        projectId: 'p',
        query: PHI_SQL,
        reason: 'readmission study',
      });
      const { outcome } = await execution.settle();
      const result = resultFromTaskOutcome(outcome) as { structuredContent?: unknown; isError?: boolean };
      assert.ok(taskId, 'a task was created');
      assert.notEqual(result.isError, true);
      const out = ExecuteSqlOutput.parse(result.structuredContent);
      assert.equal(out.status, 'done');
      assert.equal(out.requestId, taskId);
      // Fetching the rows is recorded as an access, as get_query_result's is.
      const fetches = rig
        .records()
        .map((r) => r.event as Record<string, unknown>)
        .filter((e) => e['type'] === 'result.fetch');
      assert.equal(fetches.length, 1);
      assert.equal(fetches[0]?.['approvalId'], taskId);
    } finally {
      await session.close();
    }
  });

  it('creates the task durably, with an unguessable id, a poll interval and the approval TTL', async () => {
    const { gateway, rig } = await modern('good.analysts', TASKS);
    const task = await parkTask(gateway);
    assert.equal(task['resultType'], 'task');
    assert.equal(task['status'], 'working');
    assert.match(task['taskId'], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(task['ttlMs'], 4 * 3600_000);
    assert.equal(task['pollIntervalMs'], TASK_POLL_INTERVAL_MS);
    assert.ok(await rig.ports.store.get(task['taskId']), 'in the approval store before the reply');
    const got = await raw(gateway, 'tasks/get', { taskId: task['taskId'] });
    assert.equal(got.body['result']['status'], 'working');
    assert.equal(got.body['result']['resultType'], 'complete');
    assert.match(got.body['result']['statusMessage'], /1 more approval from privacy-office/);
  });

  it('binds the task to its requester: anyone else gets "not found", as for a task that never existed', async () => {
    const { gateway } = await modern('good.analysts', TASKS);
    const task = await parkTask(gateway);
    for (const [taskId, token] of [
      [task['taskId'], 'good.privacy-office'],
      ['00000000-0000-4000-8000-000000000000', 'good.analysts'],
    ]) {
      const got = await raw(gateway, 'tasks/get', { taskId }, { token });
      assert.equal(got.body['error']['code'], -32602, JSON.stringify(got.body));
      assert.match(got.body['error']['message'], /Task not found/);
      const cancelled = await raw(gateway, 'tasks/cancel', { taskId }, { token });
      assert.equal(cancelled.body['error']['code'], -32602);
    }
  });

  it('refuses task methods to a client that did not declare the extension (-32021)', async () => {
    const { gateway } = await modern('good.analysts', TASKS);
    const task = await parkTask(gateway);
    const got = await raw(gateway, 'tasks/get', { taskId: task['taskId'] }, { capabilities: {} });
    assert.equal(got.body['error']['code'], -32021);
    assert.deepEqual(got.body['error']['data'], { requiredCapabilities: TASKS });
  });

  it('tasks/cancel withdraws the parked request (requester only); the task reads cancelled', async () => {
    const { gateway, rig } = await modern('good.analysts', TASKS);
    const task = await parkTask(gateway);
    const cancelled = await raw(gateway, 'tasks/cancel', { taskId: task['taskId'] });
    assert.equal(cancelled.body['result']['status'], 'cancelled', JSON.stringify(cancelled.body));
    assert.equal((await rig.ports.store.get(task['taskId']))?.state, 'CANCELLED');
    const got = await raw(gateway, 'tasks/get', { taskId: task['taskId'] });
    assert.equal(got.body['result']['status'], 'cancelled');
    const again = await raw(gateway, 'tasks/cancel', { taskId: task['taskId'] });
    assert.equal(again.body['error']['code'], -32602, 'a finished task cannot be cancelled');
  });

  it('a denied request completes with an isError result; a failed execution is a failed task', async () => {
    const { gateway, rig } = await modern('good.analysts', TASKS);
    const denied = await parkTask(gateway);
    const as = {
      host: 'warden.example',
      authorization: 'Bearer good.privacy-office',
      'content-type': 'application/json',
    };
    await invoke(gateway, {
      method: 'POST',
      path: `/approvals/${denied['taskId']}:deny`,
      headers: as,
      body: { reason: 'not covered by the IRB' },
    });
    const d = (await raw(gateway, 'tasks/get', { taskId: denied['taskId'] })).body['result'];
    assert.equal(d['status'], 'completed');
    assert.equal(d['result']['isError'], true);
    assert.match(d['result']['content'][0]['text'], /denied by/);

    const failing = await parkTask(gateway);
    await approve(gateway, failing['taskId']);
    rig.ports.warehouse.faults.fail('execute', new WardenError('invalid_argument', 'Query failed.'));
    await execute(rig, failing['taskId']);
    const f = (await raw(gateway, 'tasks/get', { taskId: failing['taskId'] })).body['result'];
    assert.equal(f['status'], 'failed');
    assert.equal(f['error']['code'], -32603);
  });

  it('audits every task call like a tool call: the request record names the method and the task', async () => {
    const { gateway, rig } = await modern('good.analysts', TASKS);
    const task = await parkTask(gateway);
    await raw(gateway, 'tasks/get', { taskId: task['taskId'] });
    const requests = rig
      .records()
      .map((r) => r.event as Record<string, unknown>)
      .filter((e) => e['type'] === 'mcp.request');
    const rpc = requests.at(-1)?.['rpc'] as { method: string; task?: string }[];
    assert.deepEqual(rpc, [{ method: 'tasks/get', id: 7, task: task['taskId'] }]);
  });
});

describe('MCP 2026-07-28: asking for a missing reason (input_required)', () => {
  const FORMS = { elicitation: { form: {} } };
  const SQL_ARGS = { projectId: 'p', query: REFERENCE_SQL };
  const events = (rig: Rig, type: string) =>
    rig
      .records()
      .map((r) => r.event as Record<string, any>)
      .filter((e) => e['type'] === type);

  /** The v2 client answering Warden's form with `answer` (auto-fulfilled by the SDK), and what it was asked. */
  async function answering(answer: Record<string, unknown>, token = 'good.researchers') {
    const m = await modern(token, FORMS);
    const asked: Record<string, any>[] = [];
    m.client.setRequestHandler('elicitation/create', async (req) => {
      asked.push(req.params as Record<string, any>);
      return answer as never;
    });
    return { ...m, asked };
  }

  it('asks a client that fills in forms, and runs the retried call with the reason it gave', async () => {
    const { client, rig, asked, log } = await answering({
      action: 'accept',
      content: { reason: 'Quarterly coding audit' },
    });
    const result = await client.callTool({ name: 'execute_sql', arguments: SQL_ARGS });
    assert.equal((result.structuredContent as { status: string }).status, 'done');
    assert.equal(asked.length, 1);
    assert.match(asked[0]!['message'], /researchers-reference-with-reason/);
    const field = asked[0]!['requestedSchema']['properties']['reason'];
    assert.equal(field['type'], 'string');
    assert.equal(field['maxLength'], 2000);
    // The first round answered input_required, with an opaque state; the retry echoed it byte for byte.
    const calls = log.filter((e) => e.request['method'] === 'tools/call');
    assert.equal(calls.length, 2);
    const first = calls[0]!.response['result'] as Record<string, any>;
    assert.equal(first['resultType'], 'input_required');
    assert.equal((calls[1]!.request['params'] as Record<string, any>)['requestState'], first['requestState']);
    // The trail: the first request was denied for want of a reason and asked; the second names the first.
    const [denied, allowed] = events(rig, 'policy.decision') as [Record<string, any>, Record<string, any>];
    assert.equal(denied['decision']['effect'], 'deny');
    const askedIn = events(rig, 'mcp.input_requested');
    assert.deepEqual(
      askedIn.map((e) => [e['requestId'], e['input'], e['rule']]),
      [[denied['requestId'], 'reason', 'researchers-reference-with-reason']],
    );
    assert.equal(allowed['decision']['effect'], 'allow');
    assert.equal(allowed['reason'], 'Quarterly coding audit');
    assert.equal(allowed['reasonAskedIn'], denied['requestId']);
  });

  it('masks identifiers in the reason before any record holds it', async () => {
    const { client, rig } = await answering({
      action: 'accept',
      content: { reason: 'Follow-up for SSN 123-45-6789 per chart review' },
    });
    await client.callTool({ name: 'execute_sql', arguments: SQL_ARGS });
    const recorded = events(rig, 'policy.decision').at(-1)!['reason'] as string;
    assert.ok(!/123-45-6789|6789/.test(recorded), recorded);
    assert.match(recorded, /\[SSN\]/);
    const trail = JSON.stringify(rig.records());
    assert.ok(!trail.includes('123-45-6789'), 'the SSN is in no record');
  });

  it('gives the denial, once asked, when the person declines', async () => {
    const { client, asked } = await answering({ action: 'decline' });
    const result = await client.callTool({ name: 'execute_sql', arguments: SQL_ARGS });
    assert.equal(result.isError, true);
    assert.equal(asked.length, 1, 'asked once, not in a loop');
    const text = (result.content as { text: string }[])[0]!.text;
    assert.match(
      text,
      /^No reason was given when asked\. Denied by policy rule "researchers-reference-with-reason"/,
    );
  });

  it('does not ask a client that declared no form elicitation, nor a 2025 client: the denial names the rule', async () => {
    const { client, rig } = await modern('good.researchers');
    const result = await client.callTool({ name: 'execute_sql', arguments: SQL_ARGS });
    assert.equal(result.isError, true);
    assert.match((result.content as { text: string }[])[0]!.text, /requires a reason/);
    const legacy = new Client(CLIENT_INFO, { capabilities: FORMS });
    await legacy.connect(
      new StreamableHTTPClientTransport(new URL(`${ORIGIN}/mcp`), {
        fetch: inProcess(rig.gateway),
        requestInit: { headers: { authorization: 'Bearer good.researchers' } },
      }),
    );
    const old = await legacy.callTool({ name: 'execute_sql', arguments: SQL_ARGS });
    assert.equal(old.isError, true);
    assert.match((old.content as { text: string }[])[0]!.text, /requires a reason/);
    assert.equal(events(rig, 'mcp.input_requested').length, 0);
  });

  it('refuses state that was altered, or echoed for another query or by another caller (-32602)', async () => {
    const rig = await createRig({ timeoutMs: 2000 });
    const opts = { token: 'good.researchers', capabilities: FORMS };
    const ask = await raw(rig.gateway, 'tools/call', { name: 'execute_sql', arguments: SQL_ARGS }, opts);
    const state = ask.body['result']['requestState'] as string;
    assert.equal(ask.body['result']['resultType'], 'input_required');
    const inputResponses = { reason: { action: 'accept', content: { reason: 'Quarterly coding audit' } } };
    const retry = (args: Record<string, unknown>, requestState: string, token = opts.token) =>
      raw(
        rig.gateway,
        'tools/call',
        { name: 'execute_sql', arguments: args, inputResponses, requestState },
        { ...opts, token },
      );
    const flipped = `${state.slice(0, -2)}${state.at(-2) === 'A' ? 'B' : 'A'}${state.at(-1)}`;
    const [body] = state.split('.').slice(1, 2);
    const forged = state.replace(
      body!,
      Buffer.from(
        JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), exp: 9_999_999_999 }),
      ).toString('base64url'),
    );
    const other = { ...SQL_ARGS, query: `${REFERENCE_SQL} WHERE TRUE` };
    for (const [what, res] of [
      ['a flipped MAC', await retry(SQL_ARGS, flipped)],
      ['a rewritten payload', await retry(SQL_ARGS, forged)],
      ['another query', await retry(other, state)],
      ['another caller', await retry(SQL_ARGS, state, 'good.researchers+analysts')],
    ] as const) {
      assert.equal(res.body['error']?.['code'], -32602, `${what}: ${JSON.stringify(res.body)}`);
      assert.match(res.body['error']['message'], /Invalid or expired requestState/, what);
    }
    // Nothing ran for any of them; the genuine retry does.
    assert.equal(events(rig, 'query.start').length, 0);
    const ok = await retry(SQL_ARGS, state);
    assert.equal(ok.body['result']['structuredContent']['status'], 'done', JSON.stringify(ok.body));
  });

  it('fails closed when KMS cannot derive the state key: nothing is asked and nothing runs', async () => {
    const rig = await createRig({ timeoutMs: 2000 });
    rig.ports.keys.faults.fail('macSign');
    const res = await raw(
      rig.gateway,
      'tools/call',
      { name: 'execute_sql', arguments: SQL_ARGS },
      { token: 'good.researchers', capabilities: FORMS },
    );
    assert.ok(res.body['error'] || res.body['result']['isError'], JSON.stringify(res.body));
    assert.notEqual(res.body['result']?.['resultType'], 'input_required');
    assert.equal(events(rig, 'query.start').length, 0);
  });
});
