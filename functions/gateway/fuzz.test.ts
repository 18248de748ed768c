// Property-based tests (fast-check) of the gateway handler over MCP / JSON-RPC bodies, headers and tool
// arguments: it never crashes, never answers 500 without an audit record of the request, never shows a
// stack trace or a file path, and never returns rows without query.start and query.end records.

import assert from 'node:assert/strict';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { JsonSchemaType } from '@modelcontextprotocol/sdk/validation/types.js';
import fc from 'fast-check';
import { listedTool } from '../../shared/mcp/tools.ts';
import { invoke, type Sent } from '../../shared/test-support/fake-http.ts';
import { createRig, PHI_SQL, REFERENCE_SQL, type Rig, rpc, toolCall } from '../test-support/rig.ts';
import { TOOLS as DEFINITIONS } from './tools/index.ts';

/** Short in `npm test`; WARDEN_STRESS=1 (npm run test:stress) runs many more cases. */
const RUNS = process.env['WARDEN_STRESS'] === '1' ? 3000 : 150;

const TOOLS = [
  'execute_sql',
  'list_dataset_ids',
  'get_dataset_info',
  'list_table_ids',
  'get_table_info',
  'get_query_status',
  'get_query_result',
];
/** Stack frames, source locations and file paths: none may reach a caller. */
const INTERNALS = /\bat \S+ \((?:file:|\/|node:)|\.(?:ts|js):\d+:\d+|node:internal|\/work\/main\//;

async function check(rig: Rig, res: Sent, before: number): Promise<void> {
  const requestId = res.headers['x-warden-request-id'];
  assert.ok(requestId, 'every answer carries its request id');
  assert.doesNotMatch(res.body, INTERNALS, 'no stack trace or path in the answer');
  // An internal error says only the generic sentence: no validator dump, no adapter message.
  for (const e of errorsIn(res.body))
    if (e.code === -32603) assert.match(e.message, /^Warden could not complete the request/, res.body);
  const types = rig.typesFor(requestId);
  if (res.status >= 500 && res.status !== 503)
    assert.ok(types.length > 0, `a ${res.status} has an audit record (${res.body})`);
  if (res.status === 503) assert.match(res.body, /dependency is unavailable/);
  // Every POST /mcp is audited, whatever it carried.
  if (res.status !== 503) assert.ok(types.length > 0, `request ${requestId} is audited (${res.status})`);
  const ran = rig.ports.warehouse.executed.length - before;
  if (ran > 0) {
    assert.ok(types.includes('query.start') && types.includes('query.end'), 'a job runs only audited');
  }
  if (carriesRows(res.body)) assert.ok(ran > 0 || types.includes('result.fetch'), 'rows only from a job');
}

/** Each tool's listed output schema, compiled by the validator the MCP SDK client uses. */
const ajv = new AjvJsonSchemaValidator();
const OUTPUT_VALIDATORS = new Map(
  DEFINITIONS.map((t) => [t.name, ajv.getValidator(listedTool(t)['outputSchema'] as JsonSchemaType)]),
);

/**
 * A tool result as the SDK client checks it: a successful one carries structuredContent, and any
 * structuredContent (an error's too) matches the tool's output schema.
 */
function checkConforms(tool: string, res: Sent): void {
  const validate = OUTPUT_VALIDATORS.get(tool);
  const result = (messagesIn(res.body)?.[0] as { result?: CallResult } | null)?.result;
  if (!validate || !result) return;
  if (result.isError !== true) assert.ok(result.structuredContent, `${tool} answered no structuredContent`);
  if (result.structuredContent !== undefined) {
    const verdict = validate(result.structuredContent);
    assert.ok(verdict.valid, `${tool}: ${verdict.errorMessage} in ${res.body.slice(0, 500)}`);
  }
}

type CallResult = { isError?: boolean; structuredContent?: unknown };

type Answer = { result?: { tools?: unknown }; error?: { code: number; message: string } } | null;

/** The JSON-RPC messages in an answer (single or batch); undefined when the body is not JSON. */
function messagesIn(body: string): Answer[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  return (Array.isArray(parsed) ? parsed : [parsed]) as Answer[];
}

/** The JSON-RPC error objects in an answer. */
function errorsIn(body: string): { code: number; message: string }[] {
  return (messagesIn(body) ?? [])
    .map((m) => m?.error)
    .filter((e): e is { code: number; message: string } => typeof e?.code === 'number');
}

/**
 * Whether an answer carries result rows. The tool list does not count: execute_sql's output schema names a
 * "rows" field. A body that is not JSON counts if it mentions rows at all.
 */
function carriesRows(body: string): boolean {
  const messages = messagesIn(body);
  if (!messages) return /"rows"/.test(body);
  return messages.some(
    (m) =>
      m?.result !== undefined && !Array.isArray(m.result?.tools) && /"rows"/.test(JSON.stringify(m.result)),
  );
}

const text = fc.string({ maxLength: 40 });
const id = fc.oneof(fc.integer(), text, fc.constant(null), fc.double(), fc.boolean());
const toolArgs = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record(
    {
      projectId: fc.oneof(fc.constant('p'), text, fc.jsonValue({ maxDepth: 1 })),
      query: fc.oneof(
        fc.constantFrom(
          REFERENCE_SQL,
          PHI_SQL,
          'SELECT 1',
          'DELETE FROM `p.reference.icd10_codes` WHERE true',
          `${REFERENCE_SQL}; DROP TABLE x`,
          'SELECT * FROM `p.clinical.patients` UNION ALL SELECT code FROM `p.reference.icd10_codes`',
        ),
        fc.string({ maxLength: 200 }),
      ),
      dryRun: fc.oneof(fc.boolean(), fc.jsonValue({ maxDepth: 1 })),
      reason: fc.oneof(text, fc.string({ maxLength: 3000 })),
      breakGlass: fc.oneof(fc.boolean(), text),
      requestId: fc.oneof(fc.uuid(), text),
      datasetId: fc.oneof(fc.constantFrom('reference', 'clinical'), text),
      tableId: fc.oneof(fc.constantFrom('icd10_codes', 'patients'), text),
    },
    { requiredKeys: [] },
  ),
);
const message = fc.record(
  {
    jsonrpc: fc.oneof(fc.constant('2.0'), fc.jsonValue({ maxDepth: 0 })),
    id,
    method: fc.oneof(
      fc.constantFrom(
        'tools/list',
        'tools/call',
        'initialize',
        'ping',
        'notifications/initialized',
        'resources/list',
      ),
      text,
    ),
    params: fc.oneof(
      fc.record(
        { name: fc.oneof(fc.constantFrom(...TOOLS), text), arguments: toolArgs },
        { requiredKeys: [] },
      ),
      fc.jsonValue({ maxDepth: 2 }),
    ),
    result: fc.jsonValue({ maxDepth: 1 }),
    error: fc.jsonValue({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  message,
  fc.array(message, { maxLength: 4 }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ maxLength: 200 }),
  fc.constant(undefined),
);
/** Header values as Node's HTTP parser delivers them: latin-1, no CR, LF or NUL. */
const headerValue = fc
  .string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 60 })
  .filter((v) => v === v.trim());
const headerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);

describe('fuzz: the gateway over arbitrary input', function () {
  this.timeout(120_000);

  it('answers any JSON-RPC body without crashing, unaudited errors or stack traces', async () => {
    const rig = await createRig({ timeoutMs: 1000 });
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const before = rig.ports.warehouse.executed.length;
        await check(rig, await invoke(rig.gateway, rpc('good.analysts', b)), before);
      }),
      // Always tried: a tool list (single and batched), whose output schema names "rows" but carries none.
      {
        numRuns: RUNS,
        examples: [
          [{ jsonrpc: '2.0', id: 0, method: 'tools/list' }],
          [[{ jsonrpc: '2.0', id: 0, method: 'tools/list' }]],
        ],
      },
    );
  });

  it('answers any tool call and arguments conforming to the tool’s output schema, and runs queries only as policy and audit allow', async () => {
    const rig = await createRig({ timeoutMs: 1000 });
    const groups = fc.constantFrom(
      'analysts',
      'clinicians',
      'privacy-office',
      'analysts+privacy-office',
      'x',
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constantFrom(...TOOLS), text), toolArgs, groups, async (name, args, g) => {
        const before = rig.ports.warehouse.executed.length;
        const res = await invoke(rig.gateway, rpc(`good.${g}`, toolCall(name, args)));
        await check(rig, res, before);
        checkConforms(name, res);
        // Only the reference rule allows a run here; PHI goes to approval, everything else is refused.
        for (const e of rig.ports.warehouse.executed.slice(before))
          assert.match(e.request.sql, /`p\.reference\.icd10_codes`/);
      }),
      { numRuns: RUNS },
    );
  });

  it('answers any headers (host, origin, content type, authorization, extras) safely', async () => {
    const rig = await createRig({ timeoutMs: 1000 });
    const headers = fc.record(
      {
        host: fc.oneof(fc.constant('warden.example'), headerValue),
        origin: fc.oneof(fc.constant('https://warden.example'), headerValue),
        'content-type': fc.oneof(
          fc.constantFrom('application/json', 'application/json; charset=utf-8'),
          headerValue,
        ),
        'content-length': fc.oneof(fc.nat().map(String), headerValue),
        accept: fc.oneof(fc.constant('application/json, text/event-stream'), headerValue),
        authorization: fc.oneof(
          fc.constantFrom('Bearer good.analysts', 'Bearer forged', 'Basic YTpi', 'Bearer'),
          headerValue,
        ),
        'x-warden-on-behalf-of': fc.oneof(fc.constantFrom('good.clinicians', 'forged'), headerValue),
        'mcp-session-id': headerValue,
        'mcp-protocol-version': fc.oneof(
          fc.constantFrom('2025-06-18', '2025-03-26', '1900-01-01'),
          headerValue,
        ),
      },
      { requiredKeys: [] },
    );
    const extras = fc.dictionary(headerName, headerValue, { maxKeys: 4 });
    const path = fc.oneof(
      fc.constant('/mcp'),
      fc.constantFrom('/mcp?x=1', '/mcp?token=a', '/mcp/', '/approvals'),
    );
    await fc.assert(
      fc.asyncProperty(headers, extras, path, async (h, x, p) => {
        const before = rig.ports.warehouse.executed.length;
        const req = rpc(undefined, toolCall('execute_sql', { projectId: 'p', query: REFERENCE_SQL }));
        const res = await invoke(rig.gateway, {
          ...req,
          path: p,
          headers: { host: 'warden.example', ...x, ...h },
        });
        await check(rig, res, before);
      }),
      { numRuns: RUNS },
    );
  });
});
