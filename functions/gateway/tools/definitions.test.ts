// The tool definitions as clients see them: output schemas the SDK client accepts, zod and the derived JSON
// Schema agreeing on every result shape, and argument errors that name paths and never values.

import assert from 'node:assert/strict';
import { ListToolsResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { JsonSchemaType } from '@modelcontextprotocol/sdk/validation/types.js';
import { ExecuteSqlArgs, listedTool, parseArguments, RequestIdArgs } from '../../../shared/mcp/tools.ts';
import { TOOLS } from './index.ts';

const ajv = new AjvJsonSchemaValidator();
const listed = new Map(TOOLS.map((t) => [t.name, listedTool(t)]));
/** The SDK client's own validator of a tool's listed output schema. */
const validatorOf = (tool: string) => ajv.getValidator(listed.get(tool)?.['outputSchema'] as JsonSchemaType);

describe('tool definitions: what tools/list shows', () => {
  it('is a tool list the SDK client accepts (it refuses the whole list if one output schema is not an object)', () => {
    const parsed = ListToolsResultSchema.safeParse({ tools: [...listed.values()] });
    assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
  });

  for (const t of TOOLS)
    it(`gives ${t.name} an output schema of type object that the SDK client's validator compiles`, () => {
      const schema = listed.get(t.name)?.['outputSchema'] as { type?: string };
      assert.equal(schema.type, 'object');
      assert.equal(typeof validatorOf(t.name), 'function');
    });
});

const FACTS = {
  requestId: 'r-1',
  statementType: 'SELECT',
  referencedTables: ['p.reference.icd10_codes'],
  totalBytesProcessed: '1024',
};
const RESULT = {
  jobId: 'job-1',
  schema: [{ name: 'code', type: 'STRING', mode: 'NULLABLE' }],
  rows: [{ code: 'A00' }],
  truncated: false,
};
const STATUS = {
  requestId: 'r-1',
  state: 'PENDING',
  waitingFor: '1 more approval from privacy-office, expires in 4 h',
  expiresAt: '2026-01-01T04:00:00.000Z',
  approvals: 0,
  quorum: 1,
  approverGroups: ['privacy-office'],
};
const DENIED = {
  status: 'denied',
  requestId: 'r-1',
  rule: 'default-deny',
  policyVersion: 'sha256:abc',
  reasons: ['No rule allows this.'],
};

/** Shapes each tool must accept, and shapes it must refuse: zod and the listed JSON Schema agree on all. */
const SHAPES: { name: string; tool: string; value: unknown; valid: boolean }[] = [
  {
    name: 'rows, with every field of earlier versions',
    tool: 'execute_sql',
    value: { status: 'done', ...FACTS, dryRun: false, ...RESULT },
    valid: true,
  },
  {
    name: 'a nested RECORD column',
    tool: 'execute_sql',
    value: {
      status: 'done',
      ...FACTS,
      dryRun: false,
      ...RESULT,
      schema: [{ name: 'r', type: 'RECORD', fields: [{ name: 'x', type: 'STRING' }] }],
    },
    valid: true,
  },
  {
    name: 'a dry run',
    tool: 'execute_sql',
    value: { status: 'dry_run', ...FACTS, dryRun: true },
    valid: true,
  },
  {
    name: 'a dry run that would need approval',
    tool: 'execute_sql',
    value: {
      status: 'dry_run',
      ...FACTS,
      dryRun: true,
      approval: { rule: 'phi', approverGroups: ['privacy-office'], quorum: 1 },
    },
    valid: true,
  },
  {
    name: 'a parked query',
    tool: 'execute_sql',
    value: { status: 'pending_approval', ...FACTS, ...STATUS, dryRun: false },
    valid: true,
  },
  { name: 'a denial', tool: 'execute_sql', value: DENIED, valid: true },
  {
    name: 'the parked shape of earlier versions (no status, no facts): the bug this schema fixes',
    tool: 'execute_sql',
    value: STATUS,
    valid: false,
  },
  {
    name: 'rows under the dry-run status',
    tool: 'execute_sql',
    value: { status: 'dry_run', ...FACTS, dryRun: true, ...RESULT },
    valid: false,
  },
  {
    name: 'done without its rows',
    tool: 'execute_sql',
    value: { status: 'done', ...FACTS, dryRun: false },
    valid: false,
  },
  {
    name: 'an approval requirement with a field it does not have',
    tool: 'execute_sql',
    value: {
      status: 'dry_run',
      ...FACTS,
      dryRun: true,
      approval: { rule: 'phi', approverGroups: ['privacy-office'], quorum: 1, ttl: '4h' },
    },
    valid: false,
  },
  { name: 'an unknown status', tool: 'execute_sql', value: { ...DENIED, status: 'maybe' }, valid: false },
  {
    name: 'any state of a request',
    tool: 'get_query_status',
    value: { ...STATUS, state: 'FAILED' },
    valid: true,
  },
  {
    name: 'a state no request has',
    tool: 'get_query_status',
    value: { ...STATUS, state: 'LOST' },
    valid: false,
  },
  {
    name: 'an expiry that is not a date-time',
    tool: 'get_query_status',
    value: { ...STATUS, expiresAt: 'in 4 hours' },
    valid: false,
  },
  {
    name: 'the rows of an approved query',
    tool: 'get_query_result',
    value: { requestId: 'r-1', ...RESULT },
    valid: true,
  },
  { name: 'datasets', tool: 'list_dataset_ids', value: { datasets: [{ id: 'reference' }] }, valid: true },
  { name: 'a denial', tool: 'list_dataset_ids', value: DENIED, valid: true },
  { name: 'tables', tool: 'list_table_ids', value: { tables: [{ id: 'icd10_codes' }] }, valid: true },
  {
    name: 'a BigQuery dataset resource',
    tool: 'get_dataset_info',
    value: {
      datasetReference: { projectId: 'p', datasetId: 'reference' },
      location: 'US',
      labels: { phi: 'false' },
      creationTime: '1767225600000',
    },
    valid: true,
  },
  {
    name: 'a dataset without its reference',
    tool: 'get_dataset_info',
    value: { location: 'US' },
    valid: false,
  },
  {
    name: 'a BigQuery table resource',
    tool: 'get_table_info',
    value: {
      tableReference: { projectId: 'p', datasetId: 'reference', tableId: 'icd10_codes' },
      type: 'TABLE',
      schema: { fields: [{ name: 'code', type: 'STRING', mode: 'REQUIRED', policyTags: { names: [] } }] },
      numRows: '20',
      numBytes: '2510',
      clustering: { fields: ['code'] },
    },
    valid: true,
  },
  { name: 'a denial', tool: 'get_table_info', value: DENIED, valid: true },
];

describe('tool definitions: output schemas, zod and JSON Schema alike', () => {
  for (const c of SHAPES)
    it(`${c.valid ? 'accepts' : 'refuses'} from ${c.tool} ${c.name}`, () => {
      const zodOk = TOOLS.find((t) => t.name === c.tool)!.output.safeParse(c.value).success;
      const jsonOk = validatorOf(c.tool)(c.value).valid;
      assert.equal(zodOk, c.valid, 'zod');
      assert.equal(jsonOk, c.valid, 'the listed JSON Schema, as the SDK client validates it');
    });
});

describe('tool definitions: argument errors', () => {
  const cases: {
    name: string;
    schema: typeof ExecuteSqlArgs | typeof RequestIdArgs;
    args: unknown;
    message: string;
  }[] = [
    {
      name: 'names every problem in one message, in order',
      schema: ExecuteSqlArgs,
      args: { projectId: 5, dryRun: 'yes' },
      message:
        'Invalid arguments for t: projectId: expected string, received number; query: required (string); dryRun: expected boolean, received string.',
    },
    {
      name: 'treats absent arguments as an empty object',
      schema: RequestIdArgs,
      args: undefined,
      message: 'Invalid arguments for t: requestId: required (string).',
    },
    {
      name: 'states a length limit, not the value',
      schema: RequestIdArgs,
      args: { requestId: 'x'.repeat(201) },
      message: 'Invalid arguments for t: requestId: Too big: expected string to have <=200 characters.',
    },
    {
      name: 'names unknown arguments that read as names and only counts the others',
      schema: RequestIdArgs,
      args: { requestId: 'r', request_id: 'r', 'SSN 123-45-6789': 1, 'Jane Doe': 2 },
      message: 'Invalid arguments for t: unknown arguments: "request_id", 2 more.',
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.deepEqual(parseArguments(c.schema as never, 't', c.args), { ok: false, message: c.message });
    });

  it('passes valid arguments through parsed', () => {
    assert.deepEqual(parseArguments(RequestIdArgs, 't', { requestId: 'r' }), {
      ok: true,
      value: { requestId: 'r' },
    });
  });
});
