// MCP tool names and schemas: names and argument shapes of Google's managed BigQuery MCP server, so agents and
// prompts written for it work unchanged. Input schemas are zod; the JSON Schema sent to clients is derived.
// Each tool's definition and call is its own module under functions/gateway/tools/; the bridge and the tests
// read the schemas from here.

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
/** A BigQuery job, as Google's managed BigQuery MCP server names one (get_job, cancel_job, get_query_results). */
export const JobArgs = z
  .object({
    projectId: z.string().min(1).max(1024).describe('Project ID of the job.'),
    jobId: z.string().min(1).max(1024).describe('The job id (execute_sql and get_query_result report it).'),
    location: z.string().min(1).max(100).optional().describe('Location of the job, e.g. US.'),
  })
  .strict();
export const JobResultsArgs = JobArgs.extend({
  maxResults: z.int().min(1).max(100_000).optional().describe('At most this many rows.'),
}).strict();
export const TableArgs = z.object({ projectId, datasetId, tableId }).strict();

// Output schemas: every tool declares one, and every result it answers, error or not, conforms: the MCP SDK
// client validates structuredContent against it whenever present (isError or not) once it has listed the
// tools, and throws on a mismatch. Error results carry structuredContent only for policy denials. Objects are
// strict (zod refuses unknown keys as the derived `additionalProperties: false` does) unless BigQuery's own.

const requestIdField = z
  .string()
  .describe('The id of this call (or of the parked request), as in the audit trail.');

/** A result column; nested RECORD columns keep their `fields`. */
const ResultColumn = z.looseObject({ name: z.string(), type: z.string(), mode: z.string().optional() });

/** The dry run's facts about a query, reported whatever became of it except a denial. */
const QueryFactsFields = {
  requestId: requestIdField,
  statementType: z.string().describe('Statement type from the BigQuery dry run, e.g. SELECT.'),
  referencedTables: z.array(z.string()).describe('Tables the query reads, as project.dataset.table.'),
  totalBytesProcessed: z.string().describe('Bytes the query processes (an int64 as a decimal string).'),
};

/** The masked rows of a query that ran. */
const ResultFields = {
  jobId: z.string().describe('The BigQuery job that ran the query.'),
  schema: z.array(ResultColumn).describe('The result columns.'),
  rows: z.array(z.record(z.string(), z.unknown())).describe('The rows, masked per policy.'),
  truncated: z.boolean().describe('True when the row, cell or byte limit cut the result short.'),
};

const APPROVAL_STATES = [
  'PENDING',
  'APPROVED',
  'DENIED',
  'EXPIRED',
  'CANCELLED',
  'EXECUTING',
  'SUCCEEDED',
  'FAILED',
] as const;

/** Where a parked request stands (get_query_status, and execute_sql when it parks a query). */
const ApprovalStatusFields = {
  requestId: z.string().describe('The parked request: pass it to get_query_status and get_query_result.'),
  state: z.enum(APPROVAL_STATES).describe('PENDING until decided; SUCCEEDED once its result can be fetched.'),
  waitingFor: z.string().describe('What the request waits for, or how it ended, for people.'),
  expiresAt: z.iso
    .datetime()
    .describe('When a pending request expires, or an approved one may no longer run.'),
  approvals: z.int().min(0).describe('Approvals given so far.'),
  quorum: z.int().min(1).describe('Approvals needed.'),
  approverGroups: z.array(z.string()).describe('Groups whose members may approve.'),
};

/** A policy denial: `isError: true`, and this as structuredContent (every tool policy decides may answer it). */
export const DeniedOutput = z.strictObject({
  status: z.literal('denied'),
  requestId: requestIdField,
  rule: z.string().describe('The policy rule that decided (default-deny when none matched).'),
  policyVersion: z.string().describe('The policy version that decided.'),
  reasons: z.array(z.string()).describe('Why, for people.'),
});
export type DeniedOutput = z.infer<typeof DeniedOutput>;

/**
 * The output schema of execute_sql (structuredContent), by `status`: `done` (rows; the fields of earlier
 * versions unchanged), `dry_run` (facts only; `approval` when running it would need approval),
 * `pending_approval` (parked: what get_query_status reports, plus the facts) or `denied` (`isError: true`).
 */
export const ExecuteSqlOutput = z.discriminatedUnion('status', [
  z.strictObject({
    status: z.literal('done'),
    ...QueryFactsFields,
    dryRun: z.literal(false),
    ...ResultFields,
  }),
  z.strictObject({
    status: z.literal('dry_run'),
    ...QueryFactsFields,
    dryRun: z.literal(true),
    approval: z
      .strictObject({
        rule: z.string(),
        approverGroups: z.array(z.string()),
        quorum: z.int().min(1),
      })
      .optional()
      .describe('Present when running the query would park it for this approval.'),
  }),
  z.strictObject({
    status: z.literal('pending_approval'),
    ...ApprovalStatusFields,
    statementType: QueryFactsFields.statementType,
    referencedTables: QueryFactsFields.referencedTables,
    totalBytesProcessed: QueryFactsFields.totalBytesProcessed,
    dryRun: z.literal(false),
  }),
  DeniedOutput,
]);
export type ExecuteSqlOutput = z.infer<typeof ExecuteSqlOutput>;

/** The output schema of get_query_status. */
export const QueryStatusOutput = z.strictObject(ApprovalStatusFields);
export type QueryStatusOutput = z.infer<typeof QueryStatusOutput>;

/** The output schema of get_query_result: the masked rows of an approved query that ran. */
export const QueryResultOutput = z.strictObject({
  requestId: ApprovalStatusFields.requestId,
  ...ResultFields,
});
export type QueryResultOutput = z.infer<typeof QueryResultOutput>;

/** The output schema of get_job and cancel_job: a job's state and statistics, never its SQL or rows. */
export const JobOutput = z.strictObject({
  jobId: z.string(),
  projectId: z.string(),
  location: z.string().optional(),
  state: z.string().describe('PENDING, RUNNING or DONE.'),
  statementType: z.string().optional(),
  totalBytesProcessed: z.string().optional(),
  creationTime: z.iso.datetime().optional(),
  startTime: z.iso.datetime().optional(),
  endTime: z.iso.datetime().optional(),
  requestId: z.string().optional().describe('The Warden request that ran the job, as in the audit trail.'),
  error: z.string().optional().describe('Why a failed job failed (identifiers masked).'),
});
export type JobOutput = z.infer<typeof JobOutput>;

const ListDatasetsOutput = z.strictObject({
  datasets: z.array(
    z.strictObject({ id: z.string(), friendlyName: z.string().optional(), location: z.string().optional() }),
  ),
});
const ListTablesOutput = z.strictObject({ tables: z.array(z.strictObject({ id: z.string() })) });

const int64 = z.string().describe('An int64 as a decimal string, as BigQuery sends it.');
const labels = z.record(z.string(), z.string());

/** The documented fields of a BigQuery dataset resource that get_dataset_info passes on. */
const DatasetInfoOutput = z.looseObject({
  datasetReference: z.looseObject({ projectId: z.string(), datasetId: z.string() }),
  friendlyName: z.string().optional(),
  description: z.string().optional(),
  location: z.string().optional(),
  labels: labels.optional(),
  creationTime: int64.optional(),
  lastModifiedTime: int64.optional(),
  defaultTableExpirationMs: int64.optional(),
});

/** The documented fields of a BigQuery table resource that get_table_info passes on. */
const TableInfoOutput = z.looseObject({
  tableReference: z.looseObject({ projectId: z.string(), datasetId: z.string(), tableId: z.string() }),
  type: z.string().optional(),
  description: z.string().optional(),
  labels: labels.optional(),
  schema: z
    .looseObject({
      fields: z
        .array(z.looseObject({ name: z.string(), type: z.string(), description: z.string().optional() }))
        .optional(),
    })
    .optional(),
  numRows: int64.optional(),
  numBytes: int64.optional(),
  creationTime: int64.optional(),
  lastModifiedTime: int64.optional(),
  location: z.string().optional(),
  timePartitioning: z.looseObject({}).optional(),
  clustering: z.looseObject({ fields: z.array(z.string()).optional() }).optional(),
});

/** A metadata tool's output: what it reads, or a policy denial. */
const orDenied = <T extends z.ZodType>(ok: T) => z.union([ok, DeniedOutput]);

/** The output schemas of the metadata tools, by tool. */
export const METADATA_OUTPUTS = {
  list_dataset_ids: orDenied(ListDatasetsOutput),
  get_dataset_info: orDenied(DatasetInfoOutput),
  list_table_ids: orDenied(ListTablesOutput),
  get_table_info: orDenied(TableInfoOutput),
} as const;

/**
 * Every tool of the gateway, in listing order. Each has its own module under functions/gateway/tools/ (its
 * definition, arguments and call), collected there in a record the compiler checks holds every name here.
 */
export const TOOL_NAMES = [
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
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/** A tool as listed by `tools/list`. */
export interface ToolDefinition<N extends string = string, I extends z.ZodType = z.ZodType> {
  name: N;
  title: string;
  description: string;
  /** The arguments: tools/call parses them with it ({@link parseArguments}) before the tool runs. */
  input: I;
  /** The shape of every structuredContent the tool answers (the listed outputSchema is derived from it). */
  output: z.ZodType;
  annotations: {
    readOnlyHint?: boolean;
    destructiveHint?: boolean;
    idempotentHint?: boolean;
    openWorldHint?: boolean;
  };
}

/** The annotations of a tool that only reads. */
export const READ_ONLY = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};

/**
 * Tools a caller sees whenever it may use execute_sql: the approval tools (they only read its own parked
 * requests), the job tools (only its own jobs) and execute_sql_readonly (decided as execute_sql, SELECT only).
 */
export const APPROVAL_TOOLS: readonly ToolName[] = [
  'execute_sql_readonly',
  'get_query_status',
  'get_query_result',
  'get_job',
  'get_query_results',
  'cancel_job',
];

/**
 * The `tools/list` entry of a definition, with JSON Schemas derived from zod. MCP requires `type: "object"`
 * at an output schema's root (the SDK client refuses the whole tool list otherwise), which zod leaves out of
 * a union (`oneOf` / `anyOf` of objects): it is added there.
 */
export function listedTool(t: ToolDefinition): Record<string, unknown> {
  const output = z.toJSONSchema(t.output, { target: 'draft-7', io: 'output', override: openAsTrue });
  return {
    name: t.name,
    title: t.title,
    description: t.description,
    inputSchema: z.toJSONSchema(t.input, { target: 'draft-7', io: 'input' }),
    outputSchema: output.type ? output : { ...output, type: 'object' },
    annotations: { title: t.title, ...t.annotations },
  };
}

/**
 * Spells "any further property" `true` rather than zod's empty schema `{}` (the same meaning; schema
 * linters, the MCP Inspector's among them, flag `{}` as a schema that constrains nothing).
 */
function openAsTrue(ctx: { jsonSchema: { additionalProperties?: unknown } }): void {
  const extra = ctx.jsonSchema.additionalProperties;
  if (typeof extra === 'object' && extra !== null && Object.keys(extra).length === 0)
    ctx.jsonSchema.additionalProperties = true;
}

/**
 * Parses a tool's arguments. The error names each offending argument path and the constraint it breaks,
 * never a value: arguments may carry PHI, and the error goes back to the caller's model and transcript.
 */
export function parseArguments<T>(
  schema: z.ZodType<T>,
  tool: string,
  args: unknown,
): { ok: true; value: T } | { ok: false; message: string } {
  const given = args ?? {};
  const parsed = schema.safeParse(given);
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems = parsed.error.issues.map((i) => describeIssue(i, given));
  return { ok: false, message: `Invalid arguments for ${tool}: ${problems.join('; ')}.` };
}

/** An unknown argument's name is shown when it reads as a name (an identifier), else only counted. */
const ARGUMENT_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

function describeIssue(issue: z.core.$ZodIssue, given: unknown): string {
  // Paths name schema properties only: an unknown key is reported at its parent's path.
  const at = issue.path.map(String).join('.') || '(arguments)';
  switch (issue.code) {
    case 'invalid_type': {
      const value = valueAt(given, issue.path);
      return value === undefined
        ? `${at}: required (${issue.expected})`
        : `${at}: expected ${issue.expected}, received ${typeName(value)}`;
    }
    case 'unrecognized_keys': {
      const named = issue.keys.filter((k) => ARGUMENT_NAME.test(k)).map((k) => `"${k}"`);
      const unnamed = issue.keys.length - named.length;
      const list = [...named, ...(unnamed ? [`${unnamed} more`] : [])].join(', ');
      const where = issue.path.length ? ` in ${at}` : '';
      return `unknown ${issue.keys.length === 1 ? 'argument' : 'arguments'}${where}: ${list}`;
    }
    default:
      // zod's own messages state the constraint (length, range, allowed options), never the input.
      return `${at}: ${issue.message}`;
  }
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let v = root;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** The tools a caller sees: what policy may grant it, plus the approval tools whenever it may use execute_sql. */
export function visibleToolNames(policy: Policy, principal: Principal): ToolName[] {
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
