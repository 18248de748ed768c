// The cancel_job tool (as Google's managed BigQuery MCP server names it): asks the executor to cancel a job
// Warden runs for this caller, and returns the job as BigQuery then reports it.

import { JobArgs, JobOutput } from '../../../shared/mcp/tools.ts';
import { structured } from './results.ts';
import { defineTool } from './tool.ts';

export const cancelJob = defineTool({
  definition: {
    name: 'cancel_job',
    title: 'Cancel job',
    description:
      'Ask BigQuery to cancel a job Warden is running for you; returns the job as BigQuery then reports it.',
    input: JobArgs,
    output: JobOutput,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  },
  call: async (args, { deps, ctx }) => {
    const job = await deps.runner.job({
      op: 'job',
      requestId: ctx.requestId,
      principal: ctx.principal,
      action: 'cancel',
      job: args,
    });
    return structured({ ...job } satisfies JobOutput);
  },
});
