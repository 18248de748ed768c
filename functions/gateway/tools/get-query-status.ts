// The get_query_status tool: where a query parked for approval stands; only its requester may ask.

import { requestForRequester } from '../../../shared/core/gateway/approvals.ts';
import { QueryStatusOutput, READ_ONLY, RequestIdArgs } from '../../../shared/mcp/tools.ts';
import { statusOf, structured } from './results.ts';
import { defineTool } from './tool.ts';

export const getQueryStatus = defineTool({
  definition: {
    name: 'get_query_status',
    title: 'Get query status',
    description:
      'Status of a query parked for approval (execute_sql returned its request id): state, what it waits for, expiry. Only its requester may ask.',
    input: RequestIdArgs,
    output: QueryStatusOutput,
    annotations: READ_ONLY,
  },
  call: async (args, { deps, ctx }) =>
    structured(
      statusOf(await requestForRequester(deps.approvals, args.requestId, ctx.principal), deps.clock.now()),
    ),
});
