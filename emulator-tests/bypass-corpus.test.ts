// The bypass corpus against the local stack: every SQL variant that tries to read PHI without approval ends
// in a denial or an approval requirement, and nothing reaches the executor.

import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { BYPASS_CORPUS } from '../shared/core/query/bypass-corpus.ts';
import { auditRecords, theStack, tokenFor } from './harness.ts';

describe('bypass corpus through the gateway (analyst, no approval)', function () {
  this.timeout(120_000);
  const outcomes: { name: string; requestId: string; text: string }[] = [];

  before(async () => {
    const client = new Client({ name: 'bypass', version: '1.0.0' });
    const token = await tokenFor('ann@example.org', ['analysts']);
    await client.connect(
      new StreamableHTTPClientTransport(new URL(theStack().info.mcpUrl), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    // As a real client does: the SDK then validates every result (denied, parked) against the output schema.
    await client.listTools();
    for (const c of BYPASS_CORPUS) {
      const result = await client.callTool({
        name: 'execute_sql',
        arguments: { projectId: 'demo-warden', query: c.sql, reason: 'testing the guard' },
      });
      const text = JSON.stringify(result.content);
      // Either refused (isError) or parked for approval (PENDING, no rows): never data.
      const parked = result.structuredContent as
        | { state?: string; requestId?: string; rows?: unknown }
        | undefined;
      const isParked = result.isError !== true && parked?.state === 'PENDING' && parked.rows === undefined;
      assert.ok(
        result.isError === true || isParked,
        `${c.name} was answered with data: ${text.slice(0, 300)}`,
      );
      const requestId = isParked
        ? (parked?.requestId ?? '')
        : (/request ([0-9a-f-]{36})/.exec(text)?.[1] ?? '');
      outcomes.push({ name: c.name, requestId, text: isParked ? 'requires approval' : text });
    }
    await client.close();
  });

  it('has at least 40 variants', () => assert.ok(BYPASS_CORPUS.length >= 40));

  it('ends every variant in a denial or an approval requirement', () => {
    for (const o of outcomes)
      assert.match(o.text, /Denied by policy rule|requires approval|not valid|does not exist/, o.name);
  });

  it('never reaches the executor', async () => {
    const records = await auditRecords();
    const ids = new Set(outcomes.map((o) => o.requestId));
    assert.equal(ids.size, outcomes.length, 'every answer names its request');
    assert.deepEqual(
      records
        .filter((r) => r.event.type === 'query.start' && ids.has(r.event.requestId ?? ''))
        .map((r) => r.event.requestId),
      [],
    );
    const decided = new Set(
      records.filter((r) => r.event.type === 'policy.decision').map((r) => r.event.requestId),
    );
    assert.deepEqual(
      [...ids].filter((id) => !decided.has(id)),
      [],
      'every variant has an audited decision',
    );
  });
});
