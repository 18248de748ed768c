// The official TypeScript SDK v1 client (MCP 2025-11-25) declaring form elicitation, against the local stack and
// the real Firestore emulator: a call denied for a missing reason is asked for one on its SSE stream, the client's
// answer goes back on a separate POST, meets the waiting call in Firestore, and the call runs with it.

import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  type CallToolResult,
  ElicitRequestSchema,
  type ElicitResult,
} from '@modelcontextprotocol/sdk/types.js';
import { theStack, tokenFor } from './harness.ts';

const PATIENTS =
  'SELECT patient_id, birth_date FROM `demo-warden.clinical.patients` ORDER BY patient_id LIMIT 3';

/** A v1 client that declares form elicitation and answers every question with `answer`, tools listed. */
async function asker(email: string, groups: string[], answer: ElicitResult) {
  const client = new Client(
    { name: 'warden-elicitation', version: '1.0.0' },
    { capabilities: { elicitation: { form: {} } } },
  );
  const asked: { message: string; maxLength?: number; mode?: string }[] = [];
  client.setRequestHandler(ElicitRequestSchema, async (req) => {
    const params = req.params as {
      message: string;
      mode?: string;
      requestedSchema: { properties: Record<string, { maxLength?: number }> };
    };
    asked.push({
      message: params.message,
      maxLength: params.requestedSchema.properties['reason']?.maxLength,
      mode: params.mode,
    });
    return answer;
  });
  const transport = new StreamableHTTPClientTransport(new URL(theStack().info.mcpUrl), {
    requestInit: { headers: { authorization: `Bearer ${await tokenFor(email, groups)}` } },
  });
  await client.connect(transport);
  assert.ok(transport.sessionId, 'a client that declared form elicitation gets a session');
  const { tools } = await client.listTools();
  assert.ok(tools.some((t) => t.name === 'execute_sql'));
  return { client, asked };
}

async function query(client: Client, args: Record<string, unknown>) {
  // Validated by the client against execute_sql's output schema (it listed the tools first).
  return (await client.callTool({
    name: 'execute_sql',
    arguments: { projectId: 'demo-warden', query: PATIENTS, ...args },
  })) as CallToolResult;
}

describe('MCP 2025-11-25 form elicitation: the SDK v1 client is asked for a missing reason', function () {
  this.timeout(120_000);

  it('a break-glass query without a reason is asked for one, then runs with it: rows', async () => {
    const { client, asked } = await asker('ed@example.org', ['er-physicians'], {
      action: 'accept',
      content: { reason: 'unconscious patient in bay 3' },
    });
    try {
      const result = await query(client, { breakGlass: true });
      assert.notEqual(result.isError, true, JSON.stringify(result.content));
      const out = result.structuredContent as { status: string; rows: unknown[] };
      assert.equal(out.status, 'done');
      assert.equal(out.rows.length, 3);
      assert.equal(asked.length, 1);
      assert.match(asked[0]!.message, /er-break-glass/);
      assert.equal(asked[0]!.mode, 'form');
      assert.equal(asked[0]!.maxLength, 2000);
    } finally {
      await client.close();
    }
  });

  it("an analyst's PHI query is asked for the reason its approval needs, then parked with it", async () => {
    const { client, asked } = await asker('ann@example.org', ['analysts'], {
      action: 'accept',
      content: { reason: 'Readmission study for MRN 48213377' },
    });
    try {
      const result = await query(client, {});
      const out = result.structuredContent as { status: string; requestId: string };
      assert.equal(out.status, 'pending_approval', JSON.stringify(result.content));
      assert.equal(asked.length, 1);
      const token = await tokenFor('priya@example.org', ['privacy-office']);
      const shown = (await (
        await fetch(`${theStack().info.gatewayUrl}/approvals/${out.requestId}`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).json()) as { reason?: string };
      assert.match(shown.reason ?? '', /^Readmission study for /);
      assert.ok(!shown.reason?.includes('48213377'), shown.reason);
    } finally {
      await client.close();
    }
  });

  it('a declined question gets the denial', async () => {
    const { client, asked } = await asker('ed@example.org', ['er-physicians'], { action: 'decline' });
    try {
      const result = await query(client, { breakGlass: true });
      assert.equal(result.isError, true);
      assert.equal(asked.length, 1);
      const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
      assert.match(text, /^No reason was given when asked\. Denied by policy rule "er-break-glass"/);
    } finally {
      await client.close();
    }
  });
});
