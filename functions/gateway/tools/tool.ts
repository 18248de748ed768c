// What a tool module is: its definition (name, description, input and output schemas, annotations) and its
// call, which gets the parsed arguments. The MCP handler (../mcp.ts) lists and calls tools only through the
// record in index.ts; what a tool needs from the request and the gateway is here.

import type { CallToolResult, Server, ServerContext } from '@modelcontextprotocol/server';
import type { z } from 'zod';
import type { ExecuteSqlDeps } from '../../../shared/core/gateway/execute-sql.ts';
import type { Principal } from '../../../shared/core/identity/principal.ts';
import type { ToolDefinition, ToolName } from '../../../shared/mcp/tools.ts';
import type { ReasonAsker } from '../ask.ts';
import type { LegacyElicitation } from '../elicit.ts';

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

/** What the MCP server needs: the core's dependencies, and the asker of reasons when configured (ask.ts). */
export interface McpDeps extends ExecuteSqlDeps {
  /** Asks a 2026-07-28 client for a missing reason instead of refusing (absent: the denial, as for 2025). */
  reasons?: ReasonAsker;
  /** Asks a 2025-era client the same, by elicitation/create over the call's SSE stream (absent: the denial). */
  elicitation?: LegacyElicitation;
}

/** Everything a tool's call may use besides its arguments. */
export interface ToolCall {
  deps: McpDeps;
  ctx: CallContext;
  /** The per-request MCP server (its transport carries a 2025-era elicitation). */
  server: Server;
  /** The SDK's context of this tools/call request (request state, input responses, envelope, HTTP request). */
  mcp: ServerContext;
}

/** One tool: its definition, and its call on arguments its input schema has parsed. */
export interface McpTool<N extends ToolName = ToolName, I extends z.ZodType = z.ZodType> {
  definition: ToolDefinition<N, I>;
  call(args: z.output<I>, call: ToolCall): Promise<CallToolResult>;
}

/** A tool module's export, its argument type inferred from its input schema. */
export const defineTool = <N extends ToolName, I extends z.ZodType>(tool: McpTool<N, I>): McpTool<N, I> =>
  tool;
