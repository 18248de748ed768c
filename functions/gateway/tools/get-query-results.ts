// The get_query_results tool (as Google's managed BigQuery MCP server names it): the masked rows Warden holds
// for one of the caller's jobs, which is an approved query's stored result. Warden never re-reads a job's
// rows from BigQuery (they would leave unmasked by any decision), and keeps no copy of a direct query's,
// which execute_sql returned once.

import { isWardenError } from '../../../shared/core/errors.ts';
import { fetchResultForRequester, requestForRequester } from '../../../shared/core/gateway/approvals.ts';
import { JobResultsArgs, QueryResultOutput, READ_ONLY } from '../../../shared/mcp/tools.ts';
import type { ApprovalRequest } from '../../../shared/ports/approval-store.ts';
import { resultResult, toolError } from './results.ts';
import { defineTool } from './tool.ts';

export const getQueryResults = defineTool({
  definition: {
    name: 'get_query_results',
    title: 'Get query results',
    description:
      'The masked rows of a job Warden ran for you, while Warden holds them: an approved query’s result (as get_query_result). A direct execute_sql returns its rows once, in its own answer.',
    input: JobResultsArgs,
    output: QueryResultOutput,
    annotations: READ_ONLY,
  },
  call: async (args, { deps, ctx }) => {
    const { maxResults, ...job } = args;
    // Owner-checked by the executor: someone else's job, or one Warden did not run, is not found.
    const info = await deps.runner.job({
      op: 'job',
      requestId: ctx.requestId,
      principal: ctx.principal,
      action: 'get',
      job,
    });
    const direct = toolError(
      `Warden returned job ${args.jobId}'s rows once, masked, in the answer to execute_sql${info.requestId ? ` (request ${info.requestId})` : ''}, and keeps no copy of a direct query's rows: run the query again. (request ${ctx.requestId})`,
    );
    if (!info.requestId) return direct;
    let request: ApprovalRequest;
    try {
      request = await requestForRequester(deps.approvals, info.requestId, ctx.principal);
    } catch (err) {
      if (isWardenError(err, 'not_found')) return direct;
      throw err;
    }
    if (request.state !== 'SUCCEEDED')
      return toolError(
        `Job ${args.jobId} belongs to request ${request.id}, which is ${request.state}: its rows are not available. (request ${ctx.requestId})`,
      );
    const found = await fetchResultForRequester(
      deps.approvals,
      request.id,
      ctx.principal,
      ctx.requestId,
      args.jobId,
    );
    return resultResult(found, maxResults);
  },
});
