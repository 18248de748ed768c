// The get_table_info tool: a table's metadata and schema (Google's managed BigQuery MCP server's name and arguments).

import { callMetadataTool } from '../../../shared/core/gateway/metadata-tools.ts';
import { METADATA_OUTPUTS, READ_ONLY, TableArgs } from '../../../shared/mcp/tools.ts';
import { metadataResult } from './results.ts';
import { defineTool } from './tool.ts';

export const getTableInfo = defineTool({
  definition: {
    name: 'get_table_info',
    title: 'Get table info',
    description: 'Get metadata information about a BigQuery table, including its schema.',
    input: TableArgs,
    output: METADATA_OUTPUTS.get_table_info,
    annotations: READ_ONLY,
  },
  // Decided by policy on the table it names, audited (shared/core/gateway/metadata-tools.ts).
  call: async (args, { deps, ctx }) =>
    metadataResult(
      ctx.requestId,
      await callMetadataTool(deps, ctx.requestId, ctx.principal, { tool: 'get_table_info', ...args }),
    ),
});
