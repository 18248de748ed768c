// The list_dataset_ids tool: the datasets of a project (Google's managed BigQuery MCP server's name and arguments).

import { callMetadataTool } from '../../../shared/core/gateway/metadata-tools.ts';
import { ListDatasetIdsArgs, METADATA_OUTPUTS, READ_ONLY } from '../../../shared/mcp/tools.ts';
import { metadataResult } from './results.ts';
import { defineTool } from './tool.ts';

export const listDatasetIds = defineTool({
  definition: {
    name: 'list_dataset_ids',
    title: 'List dataset IDs',
    description: 'List BigQuery dataset IDs in a Google Cloud project.',
    input: ListDatasetIdsArgs,
    output: METADATA_OUTPUTS.list_dataset_ids,
    annotations: READ_ONLY,
  },
  // Decided by policy on the project it names, audited (shared/core/gateway/metadata-tools.ts).
  call: async (args, { deps, ctx }) =>
    metadataResult(
      ctx.requestId,
      await callMetadataTool(deps, ctx.requestId, ctx.principal, { tool: 'list_dataset_ids', ...args }),
    ),
});
