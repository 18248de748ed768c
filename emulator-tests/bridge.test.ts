// `warden bridge` end to end: MCP clients on stdio, the bridge process, the real gateway and executor. Each
// client lists the tools first, so it validates every result against the tool's output schema.

import assert from 'node:assert/strict';
import { Client as ModernClient } from '@modelcontextprotocol/client';
import { StdioClientTransport as ModernStdio } from '@modelcontextprotocol/client/stdio';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { REPO_ROOT } from '../dev/stack.ts';
import { ExecuteSqlOutput } from '../shared/mcp/tools.ts';
import { approveAsPriya, theStack, tokenFor } from './harness.ts';

const REFERENCE = 'SELECT code FROM `demo-warden.reference.icd10_codes` ORDER BY code LIMIT 2';
const PATIENTS =
  'SELECT patient_id, birth_date FROM `demo-warden.clinical.patients` ORDER BY patient_id LIMIT 3';

/** How a client starts the bridge: `warden bridge --url … --token-command …` on stdio. */
async function bridgeCommand() {
  const token = await tokenFor('ann@example.org', ['analysts']);
  return {
    command: process.execPath,
    args: ['bin/warden.js', 'bridge', '--url', theStack().info.mcpUrl, '--token-command', `printf ${token}`],
    cwd: REPO_ROOT,
    stderr: 'pipe' as const,
  };
}

describe('warden bridge (stdio → gateway)', function () {
  this.timeout(120_000);

  it('2025-11-25 (SDK v1 client): tools, an allowed query, and a parked one followed to its rows', async () => {
    const client = new Client({ name: 'stdio-agent', version: '1.0.0' });
    await client.connect(new StdioClientTransport(await bridgeCommand()));
    try {
      const { tools } = await client.listTools();
      assert.ok(tools.some((t) => t.name === 'execute_sql'));
      const result = await client.callTool({
        name: 'execute_sql',
        arguments: { projectId: 'demo-warden', query: REFERENCE },
      });
      assert.notEqual(result.isError, true);
      assert.equal((result.structuredContent as { rows: unknown[] }).rows.length, 2);

      const parked = ExecuteSqlOutput.parse(
        (
          await client.callTool({
            name: 'execute_sql',
            arguments: { projectId: 'demo-warden', query: PATIENTS, reason: 'readmission study' },
          })
        ).structuredContent,
      );
      assert.equal(parked.status, 'pending_approval');
      const requestId = (parked as { requestId: string }).requestId;
      await approveAsPriya(requestId);
      const deadline = Date.now() + 30_000;
      for (;;) {
        const status = await client.callTool({ name: 'get_query_status', arguments: { requestId } });
        const state = (status.structuredContent as { state: string }).state;
        if (state === 'SUCCEEDED') break;
        if (Date.now() > deadline) assert.fail(`request ${requestId} is ${state}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      const rows = await client.callTool({ name: 'get_query_result', arguments: { requestId } });
      assert.notEqual(rows.isError, true);
      assert.equal((rows.structuredContent as { rows: unknown[] }).rows.length, 3);
    } finally {
      await client.close();
    }
  });

  it('2026-07-28 (SDK v2 client): server/discover through the bridge, then a query and a parked one', async () => {
    const client = new ModernClient(
      { name: 'stdio-agent-modern', version: '1.0.0' },
      { versionNegotiation: { mode: 'auto' } },
    );
    await client.connect(new ModernStdio(await bridgeCommand()));
    try {
      assert.equal(client.getProtocolEra(), 'modern', 'negotiated 2026-07-28 over the bridge');
      const { tools } = await client.listTools();
      assert.ok(tools.some((t) => t.name === 'execute_sql'));
      const done = await client.callTool({
        name: 'execute_sql',
        arguments: { projectId: 'demo-warden', query: REFERENCE },
      });
      assert.equal(ExecuteSqlOutput.parse(done.structuredContent).status, 'done');
      const parked = await client.callTool({
        name: 'execute_sql',
        arguments: { projectId: 'demo-warden', query: PATIENTS, reason: 'readmission study' },
      });
      assert.equal(ExecuteSqlOutput.parse(parked.structuredContent).status, 'pending_approval');
    } finally {
      await client.close();
    }
  });
});
