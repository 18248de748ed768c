// The execute_sql tool: a GoogleSQL query, dry-run, decided by policy, run through the executor and masked
// (shared/core/gateway/execute-sql.ts). A call denied only for a missing reason may ask the client for one:
// a 2026-07-28 client by input_required (ask.ts), a 2025-era one by elicitation/create (elicit.ts). A parked
// query is a task for a client that declared the tasks extension (tasks.ts). execute_sql_readonly runs the
// same call, refused unless the dry run says it is a single SELECT.

import type { CallToolResult } from '@modelcontextprotocol/server';
import {
  auditDecision,
  auditPrincipal,
  inputRequestedEvent,
  policyDecisionEvent,
} from '../../../shared/core/audit/events.ts';
import { executeSql } from '../../../shared/core/gateway/execute-sql.ts';
import { ExecuteSqlArgs as Args, type ExecuteSqlArgs, ExecuteSqlOutput } from '../../../shared/mcp/tools.ts';
import { answerOf, canAnswerForms, declinedText } from '../ask.ts';
import { declaresTasks, taskOf } from '../tasks.ts';
import { sqlResult } from './results.ts';
import { defineTool, type ToolCall } from './tool.ts';

export const executeSqlTool = defineTool({
  definition: {
    name: 'execute_sql',
    title: 'Execute SQL',
    description:
      'Run a GoogleSQL query in BigQuery through Warden. The query is dry-run and checked against policy; results may be masked and row-limited; every call is audited.',
    input: Args,
    output: ExecuteSqlOutput,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  },
  call: (args, call) => runSql('execute_sql', args, call),
});

/** execute_sql and execute_sql_readonly: one call, the read-only one refusing anything but a single SELECT. */
export async function runSql(
  name: 'execute_sql' | 'execute_sql_readonly',
  args: ExecuteSqlArgs,
  { deps, ctx, server, mcp: c }: ToolCall,
): Promise<CallToolResult> {
  // A retry of a call Warden asked a reason for: the answer, bound to this caller and this exact call.
  const asked = { tool: name, args, principal: ctx.principal };
  const answer = answerOf(c.mcpReq.requestState(), c.mcpReq.inputResponses, asked);
  const run = (reason?: { reason: string; reasonAskedIn: string }) =>
    executeSql(deps, {
      requestId: ctx.requestId,
      principal: ctx.principal,
      ...args,
      ...(name === 'execute_sql_readonly' ? { readOnly: true } : {}),
      ...reason,
    });
  const outcome = await run(
    answer.kind === 'reason' ? { reason: answer.reason, reasonAskedIn: answer.askedIn } : undefined,
  );
  if (outcome.kind === 'denied' && outcome.decision.missingReason) {
    // 2025-era: asked on this call's own stream, answered on another POST (elicit.ts); the same call then
    // runs again with the reason, as a 2026-07-28 retry does.
    const transport = server.transport;
    if (answer.kind === 'none' && deps.elicitation && ctx.formElicitation && transport) {
      const got = await deps.elicitation.ask({ ...asked, requestId: ctx.requestId }, outcome.decision, {
        send: (m) => transport.send(m as never, { relatedRequestId: c.mcpReq.id }),
        recordAsked: () =>
          deps.audit.append(
            inputRequestedEvent({
              requestId: ctx.requestId,
              tool: name,
              input: 'reason',
              rule: outcome.decision.rule,
            }),
          ),
        formMode: (c.http?.req?.headers.get('mcp-protocol-version') ?? '') >= '2025-11-25',
        log: ctx.log,
      });
      if (got.kind === 'reason')
        return sqlResult(ctx.requestId, await run({ reason: got.reason, reasonAskedIn: ctx.requestId }));
      // The denial stands: recorded again, saying why no reason came (declined, cancelled, timeout, failed).
      await deps.audit.append(
        policyDecisionEvent({
          requestId: ctx.requestId,
          tool: 'execute_sql',
          principal: auditPrincipal(ctx.principal),
          projectId: args.projectId,
          decision: auditDecision(outcome.decision),
          reasonAskedIn: ctx.requestId,
          error: { kind: 'reason_not_given', message: got.why },
        }),
      );
      const denial = sqlResult(ctx.requestId, outcome);
      return got.why === 'declined' || got.why === 'cancelled' ? declinedText(denial) : denial;
    }
    // Asked once per call: a declined or still missing reason gets the denial.
    if (answer.kind === 'none' && deps.reasons && canAnswerForms(c.mcpReq.envelope)) {
      const ask = await deps.reasons.ask({ ...asked, requestId: ctx.requestId }, outcome.decision);
      await deps.audit.append(
        inputRequestedEvent({
          requestId: ctx.requestId,
          tool: name,
          input: 'reason',
          rule: outcome.decision.rule,
        }),
      );
      return ask as never;
    }
    if (answer.kind === 'declined') return declinedText(sqlResult(ctx.requestId, outcome));
  }
  // A client that declared the tasks extension gets the parked request as a task (durable already: the
  // request is in Firestore before executeSql returns); others get a pending_approval result.
  if (outcome.kind === 'parked' && declaresTasks(c.mcpReq.envelope))
    return { resultType: 'task', ...taskOf(outcome.request, outcome.request.createdAt) } as never;
  return sqlResult(ctx.requestId, outcome);
}
