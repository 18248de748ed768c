// The get_query_result tool: the masked result of an approved query that ran; only its requester may fetch it.

import { fetchResultForRequester } from '../../../shared/core/gateway/approvals.ts';
import { QueryResultOutput, READ_ONLY, RequestIdArgs } from '../../../shared/mcp/tools.ts';
import { resultResult } from './results.ts';
import { defineTool } from './tool.ts';

export const getQueryResult = defineTool({
  definition: {
    name: 'get_query_result',
    title: 'Get query result',
    description:
      'The masked result of an approved query once it has run. Only its requester may fetch it, until it expires.',
    input: RequestIdArgs,
    output: QueryResultOutput,
    annotations: READ_ONLY,
  },
  call: async (args, { deps, ctx }) =>
    resultResult(await fetchResultForRequester(deps.approvals, args.requestId, ctx.principal, ctx.requestId)),
});
