// MCP tool definitions: names and argument shapes of Google's managed BigQuery MCP server, so agents and
// prompts written for it work unchanged. Input schemas are zod; the JSON Schema sent to clients is derived.

import { z } from 'zod';
import type { Principal } from '../core/identity/principal.ts';
import { type Policy, toolsVisibleTo } from '../core/policy/policy.ts';

const projectId = z.string().min(1).max(1024).describe('Project ID of the request.');
const datasetId = z.string().min(1).max(1024).describe('Dataset ID of the request.');
const tableId = z.string().min(1).max(1024).describe('Table ID of the request.');

export const ExecuteSqlArgs = z
  .object({
    projectId: z.string().min(1).max(1024).describe('Project to run the query in (billing project).'),
    query: z.string().min(1).max(1_000_000).describe('GoogleSQL query to run.'),
    dryRun: z
      .boolean()
      .optional()
      .describe('If true, validate the query and report its facts without running it.'),
    reason: z
      .string()
      .min(1)
      .max(2000)
      .optional()
      .describe('Why this data is needed (Warden extension; some policy rules require it).'),
    breakGlass: z
      .boolean()
      .optional()
      .describe(
        'Request emergency access under a break-glass rule (Warden extension; needs a reason; flagged for review).',
      ),
  })
  .strict();
export type ExecuteSqlArgs = z.infer<typeof ExecuteSqlArgs>;

export const ListDatasetIdsArgs = z.object({ projectId }).strict();
export const RequestIdArgs = z
  .object({
    requestId: z.string().min(1).max(200).describe('The request id execute_sql returned for a parked query.'),
  })
  .strict();
export const DatasetArgs = z.object({ projectId, datasetId }).strict();
export const TableArgs = z.object({ projectId, datasetId, tableId }).strict();

/** The output schema of execute_sql (structuredContent). */
export const ExecuteSqlOutput = z.object({
  requestId: z.string(),
  jobId: z.string().optional(),
  schema: z
    .array(z.object({ name: z.string(), type: z.string(), mode: z.string().optional() }).passthrough())
    .optional(),
  rows: z.array(z.record(z.string(), z.unknown())).optional(),
  truncated: z.boolean().optional(),
  statementType: z.string(),
  referencedTables: z.array(z.string()),
  totalBytesProcessed: z.string(),
  dryRun: z.boolean(),
});

const ListDatasetsOutput = z.object({
  datasets: z.array(
    z.object({ id: z.string(), friendlyName: z.string().optional(), location: z.string().optional() }),
  ),
});
const ListTablesOutput = z.object({ tables: z.array(z.object({ id: z.string() })) });

/** A tool as listed by `tools/list`. */
export interface ToolDefinition {
  name: string;
  title: string;
  description: string;
  input: z.ZodType;
  output?: z.ZodType;
  annotations: {
    readOnlyHint?: boolean;
    destructiveHint?: boolean;
    idempotentHint?: boolean;
    openWorldHint?: boolean;
  };
}

const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };

export const TOOLS: readonly ToolDefinition[] = [
  {
    name: 'list_dataset_ids',
    title: 'List dataset IDs',
    description: 'List BigQuery dataset IDs in a Google Cloud project.',
    input: ListDatasetIdsArgs,
    output: ListDatasetsOutput,
    annotations: READ_ONLY,
  },
  {
    name: 'get_dataset_info',
    title: 'Get dataset info',
    description: 'Get metadata information about a BigQuery dataset.',
    input: DatasetArgs,
    annotations: READ_ONLY,
  },
  {
    name: 'list_table_ids',
    title: 'List table IDs',
    description: 'List table IDs in a BigQuery dataset.',
    input: DatasetArgs,
    output: ListTablesOutput,
    annotations: READ_ONLY,
  },
  {
    name: 'get_table_info',
    title: 'Get table info',
    description: 'Get metadata information about a BigQuery table, including its schema.',
    input: TableArgs,
    annotations: READ_ONLY,
  },
  {
    name: 'execute_sql',
    title: 'Execute SQL',
    description:
      'Run a GoogleSQL query in BigQuery through Warden. The query is dry-run and checked against policy; results may be masked and row-limited; every call is audited.',
    input: ExecuteSqlArgs,
    output: ExecuteSqlOutput,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  },
  {
    name: 'get_query_status',
    title: 'Get query status',
    description:
      'Status of a query parked for approval (execute_sql returned its request id): state, what it waits for, expiry. Only its requester may ask.',
    input: RequestIdArgs,
    annotations: READ_ONLY,
  },
  {
    name: 'get_query_result',
    title: 'Get query result',
    description:
      'The masked result of an approved query once it has run. Only its requester may fetch it, until it expires.',
    input: RequestIdArgs,
    output: ExecuteSqlOutput.pick({
      requestId: true,
      jobId: true,
      schema: true,
      rows: true,
      truncated: true,
    }),
    annotations: READ_ONLY,
  },
];

/** Tools a caller sees whenever it may use execute_sql (they only read its own parked requests). */
export const APPROVAL_TOOLS = ['get_query_status', 'get_query_result'];

/** Tool names, in listing order. */
export const TOOL_NAMES = TOOLS.map((t) => t.name);

/** The `tools/list` entry of a definition, with JSON Schemas derived from zod. */
export function listedTool(t: ToolDefinition): Record<string, unknown> {
  return {
    name: t.name,
    title: t.title,
    description: t.description,
    inputSchema: z.toJSONSchema(t.input, { target: 'draft-7', io: 'input' }),
    ...(t.output ? { outputSchema: z.toJSONSchema(t.output, { target: 'draft-7', io: 'output' }) } : {}),
    annotations: { title: t.title, ...t.annotations },
  };
}

/** Parses a tool's arguments; the error names each offending argument path. */
export function parseArguments<T>(
  schema: z.ZodType<T>,
  tool: string,
  args: unknown,
): { ok: true; value: T } | { ok: false; message: string } {
  const parsed = schema.safeParse(args ?? {});
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}`);
  return { ok: false, message: `Invalid arguments for ${tool}: ${problems.join('; ')}` };
}

/** The tools a caller sees: what policy may grant it, plus the approval tools whenever it may use execute_sql. */
export function visibleToolNames(policy: Policy, principal: Principal): string[] {
  const visible = new Set(
    toolsVisibleTo(
      policy,
      principal,
      TOOL_NAMES.filter((n) => !APPROVAL_TOOLS.includes(n)),
    ),
  );
  if (visible.has('execute_sql')) for (const t of APPROVAL_TOOLS) visible.add(t);
  return TOOL_NAMES.filter((n) => visible.has(n));
}
