// The gateway's MCP server: tools/list (only the tools policy may grant this caller), tools/call and the tasks
// extension's methods, over the official SDK (v2: MCP 2026-07-28 and the 2025 revisions from one factory), one
// stateless server per request.

import { type CallToolResult, ProtocolError, Server, type Tool } from '@modelcontextprotocol/server';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/server/validators/ajv';
import { waitingFor } from '../../shared/core/approval/approval.ts';
import {
  auditDecision,
  auditPrincipal,
  inputRequestedEvent,
  policyDecisionEvent,
} from '../../shared/core/audit/events.ts';
import { isWardenError } from '../../shared/core/errors.ts';
import { fetchResultForRequester, requestForRequester } from '../../shared/core/gateway/approvals.ts';
import {
  type ExecuteSqlDeps,
  type ExecuteSqlOutcome,
  executeSql,
} from '../../shared/core/gateway/execute-sql.ts';
import {
  callMetadataTool,
  type MetadataCall,
  type MetadataOutcome,
} from '../../shared/core/gateway/metadata-tools.ts';
import type { Principal } from '../../shared/core/identity/principal.ts';
import type { Decision } from '../../shared/core/policy/policy.ts';
import { formatTableRef } from '../../shared/core/query/facts.ts';
import { jsonRpcError, toWireError } from '../../shared/mcp/to-wire-error.ts';
import {
  DatasetArgs,
  type DeniedOutput,
  ExecuteSqlArgs,
  type ExecuteSqlOutput,
  JobArgs,
  type JobOutput,
  JobResultsArgs,
  ListDatasetIdsArgs,
  listedTool,
  parseArguments,
  type QueryResultOutput,
  type QueryStatusOutput,
  RequestIdArgs,
  TableArgs,
  TOOLS,
  visibleToolNames,
} from '../../shared/mcp/tools.ts';
import type { ApprovalRequest, StoredResult } from '../../shared/ports/approval-store.ts';
import { answerOf, canAnswerForms, declinedText, type ReasonAsker } from './ask.ts';
import type { LegacyElicitation } from './elicit.ts';
import {
  cancelTask,
  declaresTasks,
  getTask,
  requireTasks,
  TASKS_EXTENSION,
  TaskIdParams,
  taskOf,
  updateTask,
} from './tasks.ts';

/** Who is calling, for this one HTTP request. */
export interface CallContext {
  requestId: string;
  principal: Principal;
  log: (message: string, cause?: unknown) => void;
  /**
   * A 2025-era client whose session says it declared form elicitation, on a request answered as an SSE stream
   * (handle.ts): it may be asked for a missing reason on that stream (elicit.ts).
   */
  formElicitation?: boolean;
}

// One JSON Schema validator for every per-request server: the SDK otherwise builds a new Ajv instance (meta
// schemas, formats) in each Server constructor, about 0.2 ms of CPU per request (bench/gateway.bench.ts).
const SCHEMA_VALIDATOR = new AjvJsonSchemaValidator();
const LISTED = new Map(TOOLS.map((t) => [t.name, listedTool(t) as Tool]));
const METADATA_ARGS = {
  list_dataset_ids: ListDatasetIdsArgs,
  get_dataset_info: DatasetArgs,
  list_table_ids: DatasetArgs,
  get_table_info: TableArgs,
} as const;

/**
 * How long a client may reuse a tools/list answer (MCP 2026-07-28 cache hints): private, since the list
 * depends on the caller's groups; a minute, since a policy change redeploys the gateway.
 */
const TOOLS_LIST_TTL_MS = 60_000;

/** What the MCP server needs: the core's dependencies, and the asker of reasons when configured (ask.ts). */
export interface McpDeps extends ExecuteSqlDeps {
  /** Asks a 2026-07-28 client for a missing reason instead of refusing (absent: the denial, as for 2025). */
  reasons?: ReasonAsker;
  /** Asks a 2025-era client the same, by elicitation/create over the call's SSE stream (absent: the denial). */
  elicitation?: LegacyElicitation;
}

/** A fresh MCP server bound to one caller (stateless: nothing outlives the request). */
export function createMcpServer(deps: McpDeps, ctx: CallContext): Server {
  const server = new Server(
    { name: 'warden', version: '0.1.0' },
    {
      capabilities: { tools: { listChanged: false }, extensions: { [TASKS_EXTENSION]: {} } },
      jsonSchemaValidator: SCHEMA_VALIDATOR,
      // State a client echoes back is verified (MAC, expiry) before any handler runs; without an asker none is
      // accepted at all, since Warden never minted any.
      requestState: { verify: deps.reasons?.verify ?? refuseState },
    },
  );
  server.setRequestHandler('tools/list', async () => ({
    tools: visibleToolNames(deps.policy, ctx.principal).map((name) => LISTED.get(name)!),
    ttlMs: TOOLS_LIST_TTL_MS,
    cacheScope: 'private',
  }));
  server.setRequestHandler('tools/call', async (req, c) => {
    const name = req.params.name;
    try {
      if (name === 'execute_sql' || name === 'execute_sql_readonly') {
        const args = parseArguments(ExecuteSqlArgs, name, req.params.arguments);
        if (!args.ok) return invalidArguments(args.message, ctx.requestId);
        // A retry of a call Warden asked a reason for: the answer, bound to this caller and this exact call.
        const asked = { tool: name, args: args.value, principal: ctx.principal };
        const answer = answerOf(c.mcpReq.requestState(), c.mcpReq.inputResponses, asked);
        const run = (reason?: { reason: string; reasonAskedIn: string }) =>
          executeSql(deps, {
            requestId: ctx.requestId,
            principal: ctx.principal,
            ...args.value,
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
              return sqlResult(
                ctx.requestId,
                await run({ reason: got.reason, reasonAskedIn: ctx.requestId }),
              );
            // The denial stands: recorded again, saying why no reason came (declined, cancelled, timeout, failed).
            await deps.audit.append(
              policyDecisionEvent({
                requestId: ctx.requestId,
                tool: 'execute_sql',
                principal: auditPrincipal(ctx.principal),
                projectId: args.value.projectId,
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
      if (name === 'get_query_status' || name === 'get_query_result') {
        const args = parseArguments(RequestIdArgs, name, req.params.arguments);
        if (!args.ok) return invalidArguments(args.message, ctx.requestId);
        return name === 'get_query_status'
          ? structured(
              statusOf(
                await requestForRequester(deps.approvals, args.value.requestId, ctx.principal),
                deps.clock.now(),
              ),
            )
          : resultResult(
              await fetchResultForRequester(
                deps.approvals,
                args.value.requestId,
                ctx.principal,
                ctx.requestId,
              ),
            );
      }
      if (name === 'get_job' || name === 'cancel_job') {
        const args = parseArguments(JobArgs, name, req.params.arguments);
        if (!args.ok) return invalidArguments(args.message, ctx.requestId);
        const job = await deps.runner.job({
          op: 'job',
          requestId: ctx.requestId,
          principal: ctx.principal,
          action: name === 'get_job' ? 'get' : 'cancel',
          job: args.value,
        });
        return structured({ ...job } satisfies JobOutput);
      }
      if (name === 'get_query_results') {
        const args = parseArguments(JobResultsArgs, name, req.params.arguments);
        if (!args.ok) return invalidArguments(args.message, ctx.requestId);
        return await jobResults(deps, ctx, args.value);
      }
      // Own keys only: `toString` or `__proto__` is no tool.
      if (Object.hasOwn(METADATA_ARGS, name)) {
        const args = parseArguments(
          METADATA_ARGS[name as keyof typeof METADATA_ARGS],
          name,
          req.params.arguments,
        );
        if (!args.ok) return invalidArguments(args.message, ctx.requestId);
        return metadataResult(
          ctx.requestId,
          await callMetadataTool(deps, ctx.requestId, ctx.principal, {
            tool: name,
            ...args.value,
          } as MetadataCall),
        );
      }
      // Not a tool of this server: a protocol error (invalid arguments of a known tool are tool results).
      throw jsonRpcError(-32602, `Unknown tool: ${name}`);
    } catch (err) {
      if (isRpcError(err)) throw err;
      const wire = toWireError(err, ctx.requestId);
      ctx.log(`${name} failed (${wire.jsonRpcCode})`, err);
      if (wire.toolResult) return toolError(wire.message);
      throw jsonRpcError(wire.jsonRpcCode, wire.message);
    }
  });
  // The tasks extension: every call authenticated (the HTTP handler), owner-checked and audited like a tool call.
  const taskMethod =
    (run: (taskId: string) => Promise<Record<string, unknown>>) =>
    async (params: { taskId: string }, c: { mcpReq: { envelope?: Record<string, unknown> } }) => {
      requireTasks(c.mcpReq.envelope);
      try {
        return await run(params.taskId);
      } catch (err) {
        if (isRpcError(err)) throw err;
        const wire = toWireError(err, ctx.requestId);
        ctx.log(`task call failed (${wire.jsonRpcCode})`, err);
        throw jsonRpcError(wire.jsonRpcCode, wire.message);
      }
    };
  server.setRequestHandler(
    'tasks/get',
    { params: TaskIdParams },
    taskMethod((id) => getTask(deps, id, ctx.principal, ctx.requestId)),
  );
  server.setRequestHandler(
    'tasks/cancel',
    { params: TaskIdParams },
    taskMethod((id) => cancelTask(deps, id, ctx.principal)),
  );
  server.setRequestHandler(
    'tasks/update',
    { params: TaskIdParams },
    taskMethod((id) => updateTask(deps, id, ctx.principal)),
  );
  return server;
}

/** The requestState hook of a gateway that asks nothing: any echoed state is refused (-32602). */
function refuseState(): never {
  throw new Error('no requestState is issued');
}

function isRpcError(err: unknown): boolean {
  return (
    ProtocolError.isInstance(err) ||
    (err instanceof Error && typeof (err as { code?: unknown }).code === 'number' && !('kind' in err))
  );
}

/** An error the agent can read and act on; no structuredContent (the SDK client validates none then). */
function toolError(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}

/**
 * Arguments that fail the tool's input schema: a tool execution error naming each argument path and its
 * constraint (MCP 2025-11-25, SEP-1303), so the model can correct its call; never the values.
 */
function invalidArguments(message: string, requestId: string): CallToolResult {
  return toolError(`${message} (request ${requestId})`);
}

/** A policy denial: an error result for the agent, with the decision as structuredContent. */
function denied(requestId: string, decision: Decision): CallToolResult {
  const why = decision.reasons.join(' ');
  const out: DeniedOutput = {
    status: 'denied',
    requestId,
    rule: decision.rule,
    policyVersion: decision.policyVersion,
    reasons: decision.reasons,
  };
  return {
    isError: true,
    content: [
      {
        type: 'text',
        text: `Denied by policy rule "${decision.rule}" (policy ${decision.policyVersion}): ${why} (request ${requestId})`,
      },
    ],
    structuredContent: out,
  };
}

/** Where a parked request stands, as get_query_status (and a parking execute_sql) reports it. */
function statusOf(request: ApprovalRequest, now: Date): QueryStatusOutput {
  return {
    requestId: request.id,
    state: request.state,
    waitingFor: waitingFor(request, now),
    expiresAt: request.expiresAt.toISOString(),
    approvals: request.reviews.filter((r) => r.decision === 'approve').length,
    quorum: request.quorum,
    approverGroups: request.requiredGroups,
  };
}

function resultResult(
  found: { request: ApprovalRequest; result: StoredResult },
  maxResults?: number,
): CallToolResult {
  const { result } = found;
  const cut = maxResults !== undefined && result.rows.length > maxResults;
  const out: QueryResultOutput = {
    requestId: found.request.id,
    jobId: result.jobId,
    schema: result.schema,
    rows: cut ? result.rows.slice(0, maxResults) : result.rows,
    truncated: result.truncated || cut,
  };
  return structured(out);
}

/**
 * get_query_results: the masked rows Warden holds for one of the caller's jobs, which is an approved query's
 * stored result. Warden never re-reads a job's rows from BigQuery (they would leave unmasked by any decision),
 * and keeps no copy of a direct query's, which execute_sql returned once.
 */
async function jobResults(
  deps: McpDeps,
  ctx: CallContext,
  args: { projectId: string; jobId: string; location?: string; maxResults?: number },
): Promise<CallToolResult> {
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
}

function structured(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value };
}

function metadataResult(requestId: string, outcome: MetadataOutcome): CallToolResult {
  return outcome.kind === 'denied' ? denied(requestId, outcome.decision) : structured(outcome.result);
}

function sqlResult(requestId: string, outcome: ExecuteSqlOutcome): CallToolResult {
  if (outcome.kind === 'denied') return denied(requestId, outcome.decision);
  const facts = {
    requestId,
    statementType: outcome.facts.statementType,
    referencedTables: outcome.facts.referencedTables.map(formatTableRef),
    totalBytesProcessed: outcome.facts.totalBytesProcessed,
  };
  let out: ExecuteSqlOutput;
  switch (outcome.kind) {
    case 'dry_run':
      out = { status: 'dry_run', ...facts, dryRun: true };
      break;
    case 'approval_required': {
      // A dry run of a query that would be parked: its facts, and whose approval running it would need.
      const a = outcome.decision.approval;
      out = {
        status: 'dry_run',
        ...facts,
        dryRun: true,
        approval: { rule: outcome.decision.rule, approverGroups: a?.groups ?? [], quorum: a?.quorum ?? 1 },
      };
      break;
    }
    case 'parked':
      // The request id is this call's: the parked request is named after the call that parked it.
      out = {
        status: 'pending_approval',
        ...facts,
        ...statusOf(outcome.request, outcome.request.createdAt),
        dryRun: false,
      };
      break;
    case 'rows': {
      const { jobId, schema, rows, truncated } = outcome.result;
      // Columns copied as plain objects (ColumnSchema is an interface, the output schema an open record).
      const columns = schema.map((c) => ({ ...c }));
      out = { status: 'done', ...facts, dryRun: false, jobId, schema: columns, rows, truncated };
      break;
    }
  }
  return structured(out);
}
