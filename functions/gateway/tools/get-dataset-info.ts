// The get_dataset_info tool: a dataset's metadata (Google's managed BigQuery MCP server's name and arguments).

import { callMetadataTool } from '../../../shared/core/gateway/metadata-tools.ts';
import { DatasetArgs, METADATA_OUTPUTS, READ_ONLY } from '../../../shared/mcp/tools.ts';
import { metadataResult } from './results.ts';
import { defineTool } from './tool.ts';

export const getDatasetInfo = defineTool({
  definition: {
    name: 'get_dataset_info',
    title: 'Get dataset info',
    description: 'Get metadata information about a BigQuery dataset.',
    input: DatasetArgs,
    output: METADATA_OUTPUTS.get_dataset_info,
    annotations: READ_ONLY,
  },
  // Decided by policy on the dataset it names, audited (shared/core/gateway/metadata-tools.ts).
  call: async (args, { deps, ctx }) =>
    metadataResult(
      ctx.requestId,
      await callMetadataTool(deps, ctx.requestId, ctx.principal, { tool: 'get_dataset_info', ...args }),
    ),
});
