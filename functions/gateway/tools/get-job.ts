// The get_job tool (as Google's managed BigQuery MCP server names it): a job's state and statistics, asked
// of the executor, which answers only for jobs Warden ran for this caller; never its SQL or rows.

import { JobArgs, JobOutput, READ_ONLY } from '../../../shared/mcp/tools.ts';
import { structured } from './results.ts';
import { defineTool } from './tool.ts';

export const getJob = defineTool({
  definition: {
    name: 'get_job',
    title: 'Get job',
    description:
      'State and statistics of a BigQuery job Warden ran for you (as Google’s managed BigQuery MCP server names it); never its SQL or rows.',
    input: JobArgs,
    output: JobOutput,
    annotations: READ_ONLY,
  },
  call: async (args, { deps, ctx }) => {
    const job = await deps.runner.job({
      op: 'job',
      requestId: ctx.requestId,
      principal: ctx.principal,
      action: 'get',
      job: args,
    });
    return structured({ ...job } satisfies JobOutput);
  },
});
