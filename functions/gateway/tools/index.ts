// The gateway's MCP tools, one module each, collected in a record the compiler checks holds every tool name
// (shared/mcp/tools.ts, TOOL_NAMES) under its own name: a tool left out, or filed under another's name, is a
// type error. The MCP handler (../mcp.ts) lists and calls tools only through it. To add a tool: its name in
// TOOL_NAMES, its module here, its entry below (CONTRIBUTING.md).

import { TOOL_NAMES, type ToolDefinition, type ToolName } from '../../../shared/mcp/tools.ts';
import { cancelJob } from './cancel-job.ts';
import { executeSqlTool } from './execute-sql.ts';
import { executeSqlReadonly } from './execute-sql-readonly.ts';
import { getDatasetInfo } from './get-dataset-info.ts';
import { getJob } from './get-job.ts';
import { getQueryResult } from './get-query-result.ts';
import { getQueryResults } from './get-query-results.ts';
import { getQueryStatus } from './get-query-status.ts';
import { getTableInfo } from './get-table-info.ts';
import { listDatasetIds } from './list-dataset-ids.ts';
import { listTableIds } from './list-table-ids.ts';
import type { McpTool } from './tool.ts';

/** Every tool, by name: each entry's definition carries that same name. */
// biome-ignore lint/suspicious/noExplicitAny: each tool's own argument type; the record checks names only.
export type ToolRecord = { readonly [N in ToolName]: McpTool<N, any> };

export const MCP_TOOLS = {
  list_dataset_ids: listDatasetIds,
  get_dataset_info: getDatasetInfo,
  list_table_ids: listTableIds,
  get_table_info: getTableInfo,
  execute_sql: executeSqlTool,
  execute_sql_readonly: executeSqlReadonly,
  get_query_status: getQueryStatus,
  get_query_result: getQueryResult,
  get_job: getJob,
  get_query_results: getQueryResults,
  cancel_job: cancelJob,
} as const satisfies ToolRecord;

/** The tool definitions, in listing order (TOOL_NAMES). */
export const TOOLS: readonly ToolDefinition[] = TOOL_NAMES.map((name) => MCP_TOOLS[name].definition);

/** The tool of a name a client sent, if it is one (own keys only: `toString` or `__proto__` is no tool). */
export function toolNamed(name: string): McpTool | undefined {
  return Object.hasOwn(MCP_TOOLS, name) ? (MCP_TOOLS[name as ToolName] as McpTool) : undefined;
}
