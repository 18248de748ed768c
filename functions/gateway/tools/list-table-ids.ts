// The list_table_ids tool: the tables of a dataset (Google's managed BigQuery MCP server's name and arguments).

import { callMetadataTool } from '../../../shared/core/gateway/metadata-tools.ts';
import { DatasetArgs, METADATA_OUTPUTS, READ_ONLY } from '../../../shared/mcp/tools.ts';
import { metadataResult } from './results.ts';
import { defineTool } from './tool.ts';

export const listTableIds = defineTool({
  definition: {
    name: 'list_table_ids',
    title: 'List table IDs',
    description: 'List table IDs in a BigQuery dataset.',
    input: DatasetArgs,
    output: METADATA_OUTPUTS.list_table_ids,
    annotations: READ_ONLY,
  },
  // Decided by policy on the dataset it names, audited (shared/core/gateway/metadata-tools.ts).
  call: async (args, { deps, ctx }) =>
    metadataResult(
      ctx.requestId,
      await callMetadataTool(deps, ctx.requestId, ctx.principal, { tool: 'list_table_ids', ...args }),
    ),
});
