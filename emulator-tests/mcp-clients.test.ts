// The official MCP SDK client against the local stack, listing the tools first so that it validates every
// result against the tool's output schema (and throws on a mismatch): each outcome an agent can meet.

import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { approvalsApi, approveAsPriya, theStack, tokenFor } from './harness.ts';

const PATIENTS =
  'SELECT patient_id, birth_date FROM `demo-warden.clinical.patients` ORDER BY patient_id LIMIT 3';
const REFERENCE = 'SELECT code, description FROM `demo-warden.reference.icd10_codes` ORDER BY code LIMIT 5';

/** A connected SDK client that has listed its tools: from here on it validates every tool result. */
async function agent(email: string, groups: string[]): Promise<{ client: Client; tools: string[] }> {
  const client = new Client({ name: 'warden-mcp-clients', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(theStack().info.mcpUrl), {
      requestInit: { headers: { authorization: `Bearer ${await tokenFor(email, groups)}` } },
    }),
  );
  const { tools } = await client.listTools();
  for (const t of tools) assert.equal(t.outputSchema?.type, 'object', `${t.name} declares an output schema`);
  return { client, tools: tools.map((t) => t.name) };
}

/** A tool call; the SDK client has already checked the structuredContent against the output schema. */
async function call(client: Client, name: string, args: Record<string, unknown>) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  return {
    result,
    out: (result.structuredContent ?? {}) as Record<string, unknown>,
    text: result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n'),
  };
}

async function untilState(
  client: Client,
  requestId: string,
  state: string,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { out } = await call(client, 'get_query_status', { requestId });
    if (out['state'] === state) return out;
    if (Date.now() > deadline) assert.fail(`request ${requestId} is ${String(out['state'])}, not ${state}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('MCP clients: the official SDK client validates every result', function () {
  this.timeout(120_000);

  describe('as a research analyst', () => {
    let client: Client;
    before(async () => {
      const a = await agent('rhea@example.org', ['research-analysts']);
      client = a.client;
      assert.deepEqual(a.tools, [
        'execute_sql',
        'execute_sql_readonly',
        'get_query_status',
        'get_query_result',
        'get_job',
        'get_query_results',
        'cancel_job',
      ]);
    });
    after(() => client.close());

    it('runs an allowed query: status done, with de-identified rows and the dry-run facts', async () => {
      const { result, out } = await call(client, 'execute_sql', {
        projectId: 'demo-warden',
        query: PATIENTS,
      });
      assert.notEqual(result.isError, true, JSON.stringify(result.content));
      assert.equal(out['status'], 'done');
      assert.equal(out['dryRun'], false);
      assert.deepEqual(out['referencedTables'], ['demo-warden.clinical.patients']);
      assert.equal((out['rows'] as unknown[]).length, 3);
      assert.ok(out['jobId']);
    });

    it('runs a SELECT through execute_sql_readonly, and has anything else denied as guard:read-only', async () => {
      const ok = await call(client, 'execute_sql_readonly', { projectId: 'demo-warden', query: PATIENTS });
      assert.equal(ok.out['status'], 'done', JSON.stringify(ok.result.content));
      const write = await call(client, 'execute_sql_readonly', {
        projectId: 'demo-warden',
        query: 'DELETE FROM `demo-warden.reference.icd10_codes` WHERE TRUE',
      });
      assert.equal(write.result.isError, true);
      assert.deepEqual([write.out['status'], write.out['rule']], ['denied', 'guard:read-only']);
    });

    it('dry-runs a query: status dry_run, facts only, nothing run', async () => {
      const { result, out } = await call(client, 'execute_sql', {
        projectId: 'demo-warden',
        query: REFERENCE,
        dryRun: true,
      });
      assert.notEqual(result.isError, true, JSON.stringify(result.content));
      assert.equal(out['status'], 'dry_run');
      assert.equal(out['statementType'], 'SELECT');
      assert.equal(out['rows'], undefined);
      assert.equal(out['approval'], undefined);
    });
  });

  describe('as an analyst', () => {
    let client: Client;
    before(async () => {
      const a = await agent('ann@example.org', ['analysts']);
      client = a.client;
      assert.deepEqual(a.tools, [
        'list_dataset_ids',
        'get_dataset_info',
        'list_table_ids',
        'get_table_info',
        'execute_sql',
        'execute_sql_readonly',
        'get_query_status',
        'get_query_result',
        'get_job',
        'get_query_results',
        'cancel_job',
      ]);
    });
    after(() => client.close());

    it('is denied SSNs: isError, status denied, naming the rule', async () => {
      const { result, out, text } = await call(client, 'execute_sql', {
        projectId: 'demo-warden',
        query: 'SELECT ssn FROM `demo-warden.clinical.patients`',
      });
      assert.equal(result.isError, true);
      assert.equal(out['status'], 'denied');
      assert.equal(out['rule'], 'no-ssn-for-analysts');
      assert.match(text, /Denied by policy rule "no-ssn-for-analysts"/);
    });

    it('dry-runs a PHI query: status dry_run, naming the approval running it would need', async () => {
      const { result, out } = await call(client, 'execute_sql', {
        projectId: 'demo-warden',
        query: PATIENTS,
        reason: 'readmission study',
        dryRun: true,
      });
      assert.notEqual(result.isError, true, JSON.stringify(result.content));
      assert.equal(out['status'], 'dry_run');
      assert.deepEqual(out['approval'], {
        rule: 'analysts-phi-with-approval',
        approverGroups: ['privacy-office'],
        quorum: 1,
      });
    });

    it('parks a PHI query, follows it to SUCCEEDED once approved, and fetches the rows', async () => {
      const parked = await call(client, 'execute_sql', {
        projectId: 'demo-warden',
        query: PATIENTS,
        reason: 'readmission study',
      });
      assert.notEqual(parked.result.isError, true, JSON.stringify(parked.result.content));
      assert.equal(parked.out['status'], 'pending_approval');
      assert.equal(parked.out['state'], 'PENDING');
      assert.match(String(parked.out['waitingFor']), /1 more approval from privacy-office, expires in/);
      assert.deepEqual(parked.out['approverGroups'], ['privacy-office']);
      assert.equal(parked.out['rows'], undefined);
      const requestId = String(parked.out['requestId']);

      const pending = await call(client, 'get_query_status', { requestId });
      assert.equal(pending.out['state'], 'PENDING');
      assert.equal(pending.out['approvals'], 0);

      await approveAsPriya(requestId);
      const done = await untilState(client, requestId, 'SUCCEEDED');
      assert.equal(done['approvals'], 1);

      const fetched = await call(client, 'get_query_result', { requestId });
      assert.notEqual(fetched.result.isError, true, JSON.stringify(fetched.result.content));
      assert.equal(fetched.out['requestId'], requestId);
      assert.equal((fetched.out['rows'] as unknown[]).length, 3);
      assert.deepEqual(
        (fetched.out['schema'] as { name: string }[]).map((c) => c.name),
        ['patient_id', 'birth_date'],
      );

      // Google's tool names: the same masked rows by the job that ran, as the approved query's result.
      const byJob = await call(client, 'get_query_results', {
        projectId: 'demo-warden',
        jobId: String(fetched.out['jobId']),
      });
      assert.notEqual(byJob.result.isError, true, byJob.text);
      assert.deepEqual(byJob.out['rows'], fetched.out['rows']);
      const job = await call(client, 'get_job', {
        projectId: 'demo-warden',
        jobId: String(fetched.out['jobId']),
      });
      assert.equal(job.out['state'], 'DONE', job.text);
      assert.equal(job.out['requestId'], requestId);
    });

    it('answers get_job and cancel_job for its own job only; a direct job has no rows to fetch again', async () => {
      const ran = await call(client, 'execute_sql', { projectId: 'demo-warden', query: REFERENCE });
      const jobId = String(ran.out['jobId']);
      const job = await call(client, 'get_job', { projectId: 'demo-warden', jobId });
      assert.notEqual(job.result.isError, true, job.text);
      assert.equal(job.out['state'], 'DONE');
      assert.equal(job.out['statementType'], 'SELECT');
      assert.equal(job.out['requestId'], ran.out['requestId']);
      assert.equal(job.out['query'], undefined, 'never the SQL');
      const cancelled = await call(client, 'cancel_job', { projectId: 'demo-warden', jobId });
      assert.equal(cancelled.out['state'], 'DONE', cancelled.text);
      const again = await call(client, 'get_query_results', { projectId: 'demo-warden', jobId });
      assert.equal(again.result.isError, true);
      assert.match(again.text, /keeps no copy of a direct query's rows/);
      const bob = await agent('bob@example.org', ['analysts']);
      for (const tool of ['get_job', 'cancel_job', 'get_query_results']) {
        const theirs = await call(bob.client, tool, { projectId: 'demo-warden', jobId });
        assert.equal(theirs.result.isError, true, tool);
        assert.match(theirs.text, /No job .* that Warden ran for you/);
      }
      await bob.client.close();
    });

    it('sees a request it cancelled as CANCELLED, and gets no result for it', async () => {
      const parked = await call(client, 'execute_sql', {
        projectId: 'demo-warden',
        query: PATIENTS,
        reason: 'cohort sizing',
      });
      const requestId = String(parked.out['requestId']);
      await approvalsApi('ann@example.org', ['analysts'], 'POST', `/approvals/${requestId}:cancel`, {
        reason: 'asked the wrong question',
      });
      const status = await call(client, 'get_query_status', { requestId });
      assert.equal(status.out['state'], 'CANCELLED');
      assert.equal(status.out['waitingFor'], 'cancelled by the requester: asked the wrong question');
      const fetched = await call(client, 'get_query_result', { requestId });
      assert.equal(fetched.result.isError, true);
      assert.match(fetched.text, /is CANCELLED; its result is not available/);
    });

    const metadata: { name: string; tool: string; args: Record<string, unknown>; expect: RegExp }[] = [
      {
        name: 'lists the datasets',
        tool: 'list_dataset_ids',
        args: { projectId: 'demo-warden' },
        expect: /"id":"reference"/,
      },
      {
        name: 'describes the reference dataset',
        tool: 'get_dataset_info',
        args: { projectId: 'demo-warden', datasetId: 'reference' },
        expect: /"datasetReference":\{"projectId":"demo-warden","datasetId":"reference"\}/,
      },
      {
        name: 'lists the reference tables',
        tool: 'list_table_ids',
        args: { projectId: 'demo-warden', datasetId: 'reference' },
        expect: /"id":"icd10_codes"/,
      },
      {
        name: 'describes a reference table with its schema',
        tool: 'get_table_info',
        args: { projectId: 'demo-warden', datasetId: 'reference', tableId: 'icd10_codes' },
        expect: /"schema":\{"fields":\[\{"name":"code"/,
      },
    ];
    for (const c of metadata) {
      it(`${c.name} (${c.tool})`, async () => {
        const { result, text } = await call(client, c.tool, c.args);
        assert.notEqual(result.isError, true, text);
        assert.match(JSON.stringify(result.structuredContent), c.expect);
      });
    }

    it('is denied the clinical tables’ metadata: isError, status denied', async () => {
      const { result, out } = await call(client, 'get_table_info', {
        projectId: 'demo-warden',
        datasetId: 'clinical',
        tableId: 'patients',
      });
      assert.equal(result.isError, true);
      assert.equal(out['status'], 'denied');
      assert.equal(out['rule'], 'default-deny');
    });

    const invalid: { name: string; tool: string; args: Record<string, unknown>; says: RegExp[] }[] = [
      {
        name: 'a number for projectId and no query',
        tool: 'execute_sql',
        args: { projectId: 5 },
        says: [/projectId: expected string, received number/, /query: required \(string\)/],
      },
      {
        name: 'an unknown argument holding PHI',
        tool: 'get_query_status',
        args: { requestId: 'r', patient: 'Jane Q. Patient 078-05-1120' },
        says: [/unknown argument: "patient"/],
      },
    ];
    for (const c of invalid) {
      it(`answers ${c.name} with an isError result naming the argument, never its value`, async () => {
        const { result, text } = await call(client, c.tool, c.args);
        assert.equal(result.isError, true);
        assert.match(text, new RegExp(`^Invalid arguments for ${c.tool}: `));
        for (const s of c.says) assert.match(text, s);
        assert.doesNotMatch(text, /Jane|078-05-1120/);
      });
    }

    it('answers an unknown tool with a JSON-RPC -32602 error', async () => {
      await assert.rejects(
        client.callTool({ name: 'drop_everything', arguments: {} }),
        (err: { code?: number; message?: string }) =>
          err.code === -32602 && /Unknown tool: drop_everything/.test(err.message ?? ''),
      );
    });
  });
});
