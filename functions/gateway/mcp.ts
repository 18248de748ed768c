// The gateway's MCP server: tools/list (only the tools policy may grant this caller) and tools/call over the
// official SDK, one stateless server per request.

import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { waitingFor } from '../../shared/core/approval/approval.ts';
import { requestForRequester, resultForRequester } from '../../shared/core/gateway/approvals.ts';
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
  ExecuteSqlArgs,
  ListDatasetIdsArgs,
  listedTool,
  parseArguments,
  RequestIdArgs,
  TableArgs,
  TOOLS,
  visibleToolNames,
} from '../../shared/mcp/tools.ts';
import type { ApprovalRequest, StoredResult } from '../../shared/ports/approval-store.ts';

/** Who is calling, for this one HTTP request. */
export interface CallContext {
  requestId: string;
  principal: Principal;
  log: (message: string, cause?: unknown) => void;
}

// One JSON Schema validator for every per-request server: the SDK otherwise builds a new Ajv instance (meta
// schemas, formats) in each Server constructor, about 0.2 ms of CPU per request (bench/gateway.bench.ts).
const SCHEMA_VALIDATOR = new AjvJsonSchemaValidator();
const LISTED = new Map(TOOLS.map((t) => [t.name, listedTool(t)]));
const METADATA_ARGS = {
  list_dataset_ids: ListDatasetIdsArgs,
  get_dataset_info: DatasetArgs,
  list_table_ids: DatasetArgs,
  get_table_info: TableArgs,
} as const;

/** A fresh MCP server bound to one caller (stateless Streamable HTTP: nothing outlives the request). */
export function createMcpServer(deps: ExecuteSqlDeps, ctx: CallContext): Server {
  const server = new Server(
    { name: 'warden', version: '0.1.0' },
    { capabilities: { tools: { listChanged: false } }, jsonSchemaValidator: SCHEMA_VALIDATOR },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: visibleToolNames(deps.policy, ctx.principal).map((name) => LISTED.get(name)!),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (req): Promise<CallToolResult> => {
    const name = req.params.name;
    try {
      if (name === 'execute_sql') {
        const args = parseArguments(ExecuteSqlArgs, name, req.params.arguments);
        if (!args.ok) throw jsonRpcError(ErrorCode.InvalidParams, args.message);
        return sqlResult(
          ctx.requestId,
          await executeSql(deps, { requestId: ctx.requestId, principal: ctx.principal, ...args.value }),
        );
      }
      if (name === 'get_query_status' || name === 'get_query_result') {
        const args = parseArguments(RequestIdArgs, name, req.params.arguments);
        if (!args.ok) throw jsonRpcError(ErrorCode.InvalidParams, args.message);
        return name === 'get_query_status'
          ? statusResult(
              await requestForRequester(deps.approvals, args.value.requestId, ctx.principal),
              deps.clock.now(),
            )
          : resultResult(
              await resultForRequester(deps.approvals, args.value.requestId, ctx.principal),
              ctx.requestId,
              deps,
            );
      }
      if (name in METADATA_ARGS) {
        const args = parseArguments(
          METADATA_ARGS[name as keyof typeof METADATA_ARGS],
          name,
          req.params.arguments,
        );
        if (!args.ok) throw jsonRpcError(ErrorCode.InvalidParams, args.message);
        return metadataResult(
          ctx.requestId,
          await callMetadataTool(deps, ctx.requestId, ctx.principal, {
            tool: name,
            ...args.value,
          } as MetadataCall),
        );
      }
      throw jsonRpcError(ErrorCode.InvalidParams, `Unknown tool: ${name}`);
    } catch (err) {
      if (isRpcError(err)) throw err;
      const wire = toWireError(err, ctx.requestId);
      ctx.log(`${name} failed (${wire.jsonRpcCode})`, err);
      if (wire.toolResult) return { isError: true, content: [{ type: 'text', text: wire.message }] };
      throw jsonRpcError(wire.jsonRpcCode, wire.message);
    }
  });
  return server;
}

function isRpcError(err: unknown): boolean {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'number' && !('kind' in err);
}

function denied(requestId: string, decision: Decision): CallToolResult {
  const why = decision.reasons.join(' ');
  return {
    isError: true,
    content: [
      {
        type: 'text',
        text: `Denied by policy rule "${decision.rule}" (policy ${decision.policyVersion}): ${why} (request ${requestId})`,
      },
    ],
  };
}

function statusResult(request: ApprovalRequest, now: Date): CallToolResult {
  return structured({
    requestId: request.id,
    state: request.state,
    waitingFor: waitingFor(request, now),
    expiresAt: request.expiresAt.toISOString(),
    approvals: request.reviews.filter((r) => r.decision === 'approve').length,
    quorum: request.quorum,
    approverGroups: request.requiredGroups,
  });
}

async function resultResult(
  found: { request: ApprovalRequest; result: StoredResult },
  requestId: string,
  deps: ExecuteSqlDeps,
): Promise<CallToolResult> {
  const { result } = found;
  // Fetching a result is an access to PHI: recorded like any other (45 CFR 164.312(b)).
  await deps.audit.append({
    type: 'result.fetch',
    requestId,
    approvalId: found.request.id,
    jobId: result.jobId,
    rowCount: result.rows.length,
  });
  return structured({
    requestId: found.request.id,
    jobId: result.jobId,
    schema: result.schema,
    rows: result.rows,
    truncated: result.truncated,
  });
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
  if (outcome.kind === 'dry_run') return structured({ ...facts, dryRun: true });
  if (outcome.kind === 'parked') return statusResult(outcome.request, outcome.request.createdAt);
  if (outcome.kind === 'approval_required') {
    const a = outcome.decision.approval;
    const who = a ? `${a.quorum} approver(s) from ${a.groups.join(', ')}` : 'an approver';
    return {
      isError: true,
      content: [
        {
          type: 'text',
          text: `Rule "${outcome.decision.rule}" requires approval by ${who} before this query can run; it was not run. (request ${requestId})`,
        },
      ],
    };
  }
  const { jobId, schema, rows, truncated } = outcome.result;
  return structured({ ...facts, dryRun: false, jobId, schema, rows, truncated });
}
