// MCP 2026-07-28 clients against the local stack: the official v2 SDK client (server/discover first, then the
// tool list, so it validates every result), without and with the tasks extension; with it, the official
// ext-tasks requester follows a parked query through a real approval and the executor to its masked rows.

import assert from 'node:assert/strict';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createTaskSessionFromClient, resultFromTaskOutcome } from '@modelcontextprotocol/ext-tasks/client';
import { ExecuteSqlOutput } from '../shared/mcp/tools.ts';
import { approveAsPriya, theStack, tokenFor } from './harness.ts';

const PATIENTS =
  'SELECT patient_id, birth_date FROM `demo-warden.clinical.patients` ORDER BY patient_id LIMIT 3';
const REFERENCE = 'SELECT code, description FROM `demo-warden.reference.icd10_codes` ORDER BY code LIMIT 5';
const MODERN = '2026-07-28';
const TASKS = { extensions: { 'io.modelcontextprotocol/tasks': {} } };
const INFO = { name: 'warden-modern-clients', version: '1.0.0' };
const ANN: [string, string[]] = ['ann@example.org', ['analysts']];

async function modernClient(token: string, capabilities: Record<string, unknown> = {}): Promise<Client> {
  const client = new Client(INFO, { versionNegotiation: { mode: 'auto' }, capabilities });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(theStack().info.mcpUrl), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  assert.equal(client.getProtocolEra(), 'modern', 'negotiated 2026-07-28');
  const { tools } = await client.listTools();
  for (const t of tools) assert.equal(t.outputSchema?.type, 'object', `${t.name} declares an output schema`);
  return client;
}

describe('MCP 2026-07-28 clients: the v2 SDK client, with and without tasks', function () {
  this.timeout(120_000);

  it('without the tasks extension: an allowed query runs, a PHI query parks as pending_approval', async () => {
    const client = await modernClient(await tokenFor(...ANN));
    const done = await client.callTool({
      name: 'execute_sql',
      arguments: { projectId: 'demo-warden', query: REFERENCE },
    });
    assert.equal(ExecuteSqlOutput.parse(done.structuredContent).status, 'done');
    const parked = await client.callTool({
      name: 'execute_sql',
      arguments: { projectId: 'demo-warden', query: PATIENTS, reason: 'readmission study' },
    });
    const out = ExecuteSqlOutput.parse(parked.structuredContent);
    assert.equal(out.status, 'pending_approval');
    await client.close();
  });

  it('with the tasks extension: the ext-tasks requester gets a task and, once approved, the masked rows', async () => {
    const token = await tokenFor(...ANN);
    const client = await modernClient(token, TASKS);
    const url = theStack().info.mcpUrl;
    const seen: string[] = [];
    let id = 0;
    const rawDispatch = async (request: unknown) => {
      const r = request as { method: string; params?: Record<string, unknown> };
      const name = (r.params?.['name'] ?? r.params?.['taskId']) as string | undefined;
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': MODERN,
          'mcp-method': r.method,
          ...(name ? { 'mcp-name': name } : {}),
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: ++id, ...r }),
      });
      const json = (await res.json()) as {
        result?: { resultType?: string; taskId?: string; status?: string };
      };
      seen.push(
        `${r.method}:${json.result?.resultType === 'task' ? 'task' : (json.result?.status ?? 'result')}`,
      );
      // The task is durable before the reply: the approver finds the request at once.
      if (json.result?.resultType === 'task') await approveAsPriya(json.result.taskId!);
      return json as never;
    };
    const session = createTaskSessionFromClient(client, {
      endpointId: 'warden-local',
      rawDispatch,
      v2RequestFraming: { protocolVersion: MODERN, clientInfo: INFO, clientCapabilities: TASKS },
    });
    try {
      const execution = await session.callTool('execute_sql', {
        projectId: 'demo-warden',
        query: PATIENTS,
        reason: 'readmission study',
      });
      const { outcome } = await execution.settle();
      const result = resultFromTaskOutcome(outcome) as { structuredContent?: unknown; isError?: boolean };
      assert.notEqual(result.isError, true, JSON.stringify(result));
      const out = ExecuteSqlOutput.parse(result.structuredContent);
      assert.equal(out.status, 'done');
      assert.equal(out.status === 'done' && out.rows.length, 3);
      assert.equal(seen[0], 'tools/call:task');
      assert.ok(seen.includes('tasks/get:completed'), seen.join(' '));
    } finally {
      await session.close();
      await client.close();
    }
  });
  it('asks for a missing reason (form elicitation) and parks the query with it, identifiers masked', async () => {
    const client = await modernClient(await tokenFor(...ANN), { elicitation: { form: {} } });
    const asked: string[] = [];
    client.setRequestHandler('elicitation/create', async (req) => {
      asked.push((req.params as { message: string }).message);
      return { action: 'accept', content: { reason: 'Readmission study for MRN 48213377' } };
    });
    const parked = await client.callTool({
      name: 'execute_sql',
      arguments: { projectId: 'demo-warden', query: PATIENTS },
    });
    const out = ExecuteSqlOutput.parse(parked.structuredContent);
    assert.equal(out.status, 'pending_approval');
    assert.equal(asked.length, 1);
    assert.match(asked[0]!, /analysts-phi-with-approval/);
    // The approver sees the reason the person typed, with the identifier masked.
    const token = await tokenFor('priya@example.org', ['privacy-office']);
    const shown = (await (
      await fetch(`${theStack().info.gatewayUrl}/approvals/${(out as { requestId: string }).requestId}`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as { reason?: string };
    assert.match(shown.reason ?? '', /^Readmission study for /);
    assert.ok(!shown.reason?.includes('48213377'), shown.reason);
    await client.close();
  });
});
