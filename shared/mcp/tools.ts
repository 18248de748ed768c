// MCP tool definitions: names and argument shapes of Google's managed BigQuery MCP server, so agents and
// prompts written for it work unchanged. Input schemas are zod; the JSON Schema sent to clients is derived.

import { z } from 'zod';

export const ExecuteSqlArgs = z
  .object({
    projectId: z.string().min(1).max(1024).describe('Project to run the query in (billing project).'),
    query: z.string().min(1).max(1_000_000).describe('GoogleSQL query to run.'),
    dryRun: z
      .boolean()
      .optional()
      .describe('If true, validate the query and report its facts without running it.'),
  })
  .strict();
export type ExecuteSqlArgs = z.infer<typeof ExecuteSqlArgs>;

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

export const TOOLS: readonly ToolDefinition[] = [
  {
    name: 'execute_sql',
    title: 'Execute SQL',
    description:
      'Run a GoogleSQL query in BigQuery through Warden. The query is dry-run and checked against policy; results may be masked and row-limited; every call is audited.',
    input: ExecuteSqlArgs,
    output: ExecuteSqlOutput,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  },
];

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
