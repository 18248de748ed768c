// The gateway's MCP server: tools/list and tools/call over the official SDK, one stateless server per request.

import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import {
  type ExecuteSqlDeps,
  type ExecuteSqlOutcome,
  executeSql,
} from '../../shared/core/gateway/execute-sql.ts';
import type { Principal } from '../../shared/core/identity/principal.ts';
import { formatTableRef } from '../../shared/core/query/facts.ts';
import { jsonRpcError, toWireError } from '../../shared/mcp/to-wire-error.ts';
import { ExecuteSqlArgs, listedTool, TOOLS } from '../../shared/mcp/tools.ts';

/** Who is calling, for this one HTTP request. */
export interface CallContext {
  requestId: string;
  principal: Principal;
  log: (message: string, cause?: unknown) => void;
}

const LISTED = TOOLS.map(listedTool);

/** A fresh MCP server bound to one caller (stateless Streamable HTTP: nothing outlives the request). */
export function createMcpServer(deps: ExecuteSqlDeps, ctx: CallContext): Server {
  const server = new Server(
    { name: 'warden', version: '0.1.0' },
    { capabilities: { tools: { listChanged: false } } },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: LISTED }) as never);
  server.setRequestHandler(CallToolRequestSchema, async (req): Promise<CallToolResult> => {
    if (req.params.name !== 'execute_sql')
      throw jsonRpcError(ErrorCode.InvalidParams, `Unknown tool: ${req.params.name}`);
    const args = ExecuteSqlArgs.safeParse(req.params.arguments ?? {});
    if (!args.success) {
      throw jsonRpcError(
        ErrorCode.InvalidParams,
        `Invalid arguments for execute_sql: ${args.error.issues.map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}`).join('; ')}`,
      );
    }
    try {
      const outcome = await executeSql(deps, {
        requestId: ctx.requestId,
        principal: ctx.principal,
        ...args.data,
      });
      return toToolResult(ctx.requestId, outcome);
    } catch (err) {
      const wire = toWireError(err, ctx.requestId);
      ctx.log(`execute_sql failed (${wire.jsonRpcCode})`, err);
      if (wire.toolResult) return { isError: true, content: [{ type: 'text', text: wire.message }] };
      throw jsonRpcError(wire.jsonRpcCode, wire.message);
    }
  });
  return server;
}

function toToolResult(requestId: string, outcome: ExecuteSqlOutcome): CallToolResult {
  const facts = {
    statementType: outcome.facts.statementType,
    referencedTables: outcome.facts.referencedTables.map(formatTableRef),
    totalBytesProcessed: outcome.facts.totalBytesProcessed,
  };
  if (outcome.kind === 'denied') {
    return {
      isError: true,
      content: [
        {
          type: 'text',
          text: `Denied by policy rule "${outcome.decision.rule}" (policy ${outcome.decision.policyVersion}). (request ${requestId})`,
        },
      ],
    };
  }
  const structured =
    outcome.kind === 'dry_run'
      ? { requestId, ...facts, dryRun: true }
      : {
          requestId,
          ...facts,
          dryRun: false,
          jobId: outcome.result.jobId,
          schema: outcome.result.schema,
          rows: outcome.result.rows,
          truncated: outcome.result.truncated,
        };
  return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
}
