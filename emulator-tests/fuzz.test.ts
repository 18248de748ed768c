// A few property-based runs (fast-check) against the real gateway process: arbitrary bodies, tool arguments
// and headers over real HTTP never crash it, never answer 500 without an audit record, and never show a stack
// trace. The many-case version is functions/gateway/fuzz.test.ts (in-memory ports).

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { auditRecords, theStack, tokenFor } from './harness.ts';

const RUNS = process.env['WARDEN_STRESS'] === '1' ? 1000 : 60;
const INTERNALS = /\bat \S+ \((?:file:|\/|node:)|\.(?:ts|js):\d+:\d+|node:internal|node_modules/;

const text = fc.string({ maxLength: 30 });
const args = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.record(
    {
      projectId: fc.oneof(fc.constant('demo-warden'), text),
      query: fc.oneof(
        fc.constantFrom(
          'SELECT code FROM `demo-warden.reference.icd10_codes` LIMIT 2',
          'SELECT ssn FROM `demo-warden.clinical.patients`',
          'DELETE FROM `demo-warden.reference.icd10_codes` WHERE TRUE',
          'SELECT 1; SELECT 2',
        ),
        fc.string({ maxLength: 120 }),
      ),
      dryRun: fc.oneof(fc.boolean(), text),
      requestId: text,
      datasetId: text,
    },
    { requiredKeys: [] },
  ),
);
const message = fc.record(
  {
    jsonrpc: fc.oneof(fc.constant('2.0'), text),
    id: fc.oneof(fc.integer(), text, fc.constant(null)),
    method: fc.oneof(fc.constantFrom('tools/call', 'tools/list', 'initialize', 'ping'), text),
    params: fc.oneof(
      fc.record({
        name: fc.oneof(
          fc.constantFrom('execute_sql', 'get_table_info', 'get_query_status', 'list_dataset_ids'),
          text,
        ),
        arguments: args,
      }),
      fc.jsonValue({ maxDepth: 2 }),
    ),
  },
  { requiredKeys: ['jsonrpc'] },
);
const body = fc.oneof(
  message.map((m) => JSON.stringify(m)),
  fc.array(message, { maxLength: 3 }).map((m) => JSON.stringify(m)),
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc.string({ maxLength: 100 }),
);
const headerValue = fc.stringMatching(/^[\x21-\x7e][\x20-\x7e]{0,40}$/);
const headers = fc.record(
  {
    'content-type': fc.oneof(fc.constant('application/json'), headerValue),
    accept: fc.oneof(fc.constant('application/json, text/event-stream'), headerValue),
    'mcp-protocol-version': fc.oneof(fc.constantFrom('2025-06-18', '2025-03-26'), headerValue),
    'x-warden-on-behalf-of': headerValue,
  },
  { requiredKeys: [] },
);

describe('fuzz: the real gateway over HTTP', function () {
  this.timeout(300_000);

  it(`answers ${RUNS} arbitrary requests without crashing, unaudited 500s or stack traces`, async () => {
    const { mcpUrl } = theStack().info;
    const token = await tokenFor('ann@example.org', ['analysts'], { ttlSeconds: 3600 });
    const seen: { id: string; status: number }[] = [];
    await fc.assert(
      fc.asyncProperty(body, headers, fc.boolean(), async (b, h, authenticated) => {
        const res = await fetch(mcpUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            ...h,
            ...(authenticated ? { authorization: `Bearer ${token}` } : {}),
          },
          body: b,
        });
        const answer = await res.text();
        assert.doesNotMatch(answer, INTERNALS);
        const id = res.headers.get('x-warden-request-id');
        assert.ok(id, 'every answer carries its request id');
        seen.push({ id, status: res.status });
      }),
      { numRuns: RUNS },
    );
    const health = await fetch(`${theStack().info.gatewayUrl}/healthz`);
    assert.equal(health.status, 200, 'the gateway survived');
    // Every request is audited (a 503 may instead mean the audit trail itself failed: there is none here).
    const audited = new Set((await auditRecords()).map((r) => r.event?.requestId));
    const unaudited = seen.filter((s) => !audited.has(s.id));
    assert.deepEqual(unaudited.slice(0, 5), [], `${unaudited.length} of ${seen.length} requests unaudited`);
    assert.ok(seen.every((s) => s.status !== 500 || audited.has(s.id)));
  });
});
