// The gateway's MCP server: tools/list (only the tools policy may grant this caller), tools/call and the tasks
// extension's methods, over the official SDK (v2: MCP 2026-07-28 and the 2025 revisions from one factory), one
// stateless server per request. Tools are listed and called through one record, one module per tool (tools/).

import { ProtocolError, Server, type Tool } from '@modelcontextprotocol/server';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/server/validators/ajv';
import { jsonRpcError, toWireError } from '../../shared/mcp/to-wire-error.ts';
import { listedTool, parseArguments, visibleToolNames } from '../../shared/mcp/tools.ts';
import { cancelTask, getTask, requireTasks, TASKS_EXTENSION, TaskIdParams, updateTask } from './tasks.ts';
import { TOOLS, toolNamed } from './tools/index.ts';
import { invalidArguments, toolError } from './tools/results.ts';
import type { CallContext, McpDeps } from './tools/tool.ts';

export type { CallContext, McpDeps } from './tools/tool.ts';

// One JSON Schema validator for every per-request server: the SDK otherwise builds a new Ajv instance (meta
// schemas, formats) in each Server constructor, about 0.2 ms of CPU per request (bench/gateway.bench.ts).
const SCHEMA_VALIDATOR = new AjvJsonSchemaValidator();
const LISTED = new Map(TOOLS.map((t) => [t.name, listedTool(t) as Tool]));
/**
 * How long a client may reuse a tools/list answer (MCP 2026-07-28 cache hints): private, since the list
 * depends on the caller's groups; a minute, since a policy change redeploys the gateway.
 */
const TOOLS_LIST_TTL_MS = 60_000;

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
      const tool = toolNamed(name);
      // Not a tool of this server: a protocol error (invalid arguments of a known tool are tool results).
      if (!tool) throw jsonRpcError(-32602, `Unknown tool: ${name}`);
      const args = parseArguments(tool.definition.input, name, req.params.arguments);
      if (!args.ok) return invalidArguments(args.message, ctx.requestId);
      return await tool.call(args.value, { deps, ctx, server, mcp: c });
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
