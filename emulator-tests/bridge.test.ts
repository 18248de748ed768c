// `warden bridge` end to end: an MCP client on stdio, the bridge process, the real gateway and executor.

import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { REPO_ROOT } from '../local/stack.ts';
import { theStack, tokenFor } from './harness.ts';

describe('warden bridge (stdio → gateway)', () => {
  it('lists tools and runs an allowed query for a stdio-only client', async () => {
    const token = await tokenFor('ann@example.org', ['analysts']);
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [
        'bin/warden.js',
        'bridge',
        '--url',
        theStack().info.mcpUrl,
        '--token-command',
        `printf ${token}`,
      ],
      cwd: REPO_ROOT,
      stderr: 'pipe',
    });
    const client = new Client({ name: 'stdio-agent', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      assert.ok(tools.some((t) => t.name === 'execute_sql'));
      const result = await client.callTool({
        name: 'execute_sql',
        arguments: {
          projectId: 'demo-warden',
          query: 'SELECT code FROM `demo-warden.reference.icd10_codes` ORDER BY code LIMIT 2',
        },
      });
      assert.notEqual(result.isError, true);
      assert.equal((result.structuredContent as { rows: unknown[] }).rows.length, 2);
    } finally {
      await client.close();
    }
  });
});
