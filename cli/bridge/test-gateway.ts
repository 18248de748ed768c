// A stand-in gateway for the bridge's tests: MCP over stateless Streamable HTTP (JSON responses) on loopback,
// one tool `echo`, a bearer check, and a record of every request it saw.

import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { text } from 'node:stream/consumers';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { listen } from '../../standins/net.ts';

/** The one tool: echoes `text`; `text: "fail"` answers a tool error (isError). */
export const ECHO_TOOL: Tool = {
  name: 'echo',
  description: 'Echoes its text.',
  inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
  outputSchema: { type: 'object', properties: { echoed: { type: 'string' } }, required: ['echoed'] },
  annotations: { readOnlyHint: true },
};

export const SERVER_INFO = { name: 'test-gateway', version: '9.9.9' };
export const INSTRUCTIONS = 'Test gateway: call echo.';
export const UNAUTHENTICATED = 'Authentication required: send an OIDC ID token as Authorization: Bearer.';

/** One HTTP request the gateway saw. */
export interface SeenRequest {
  method: string;
  headers: IncomingHttpHeaders;
  /** The bearer token, if any. */
  token?: string;
  /** The JSON-RPC method of a POST body. */
  rpc?: string;
  status: number;
}

/** A canned answer that replaces MCP processing for a request. */
export interface CannedAnswer {
  status: number;
  body: string;
  contentType?: string;
}

export interface TestGateway {
  /** The MCP URL (`http://127.0.0.1:<port>/mcp`). */
  url: string;
  seen: SeenRequest[];
  /** Which bearer tokens are accepted (replaceable during a test). */
  accept: (token: string) => boolean;
  /** When set and returning an answer, authenticated POSTs get it instead of MCP. */
  answer?: (rpc: string | undefined) => CannedAnswer | undefined;
  /** The POSTs seen (JSON-RPC requests and notifications). */
  posts(): SeenRequest[];
  close(): Promise<void>;
}

/** An unsigned JWT-shaped token with these claims (the stand-in compares tokens; nothing verifies them). */
export function testToken(claims: Record<string, unknown>): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

/** Starts the stand-in on a free loopback port. */
export async function startTestGateway(accept: (token: string) => boolean): Promise<TestGateway> {
  const gateway: TestGateway = {
    url: '',
    seen: [],
    accept,
    posts: () => gateway.seen.filter((s) => s.method === 'POST'),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = createServer((req, res) => {
    void handle(gateway, req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(err));
    });
  });
  const port = await listen(server, 0, '127.0.0.1', 'test gateway');
  gateway.url = `http://127.0.0.1:${port}/mcp`;
  return gateway;
}

async function handle(gateway: TestGateway, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const body = req.method === 'POST' ? (JSON.parse(await text(req)) as { method?: string }) : undefined;
  const seen: SeenRequest = {
    method: req.method ?? '',
    headers: req.headers,
    ...(token ? { token } : {}),
    ...(body?.method ? { rpc: body.method } : {}),
    status: 0,
  };
  gateway.seen.push(seen);
  res.on('finish', () => {
    seen.status = res.statusCode;
  });
  if (req.method !== 'POST') return void res.writeHead(405, { allow: 'POST' }).end();
  if (!token || !gateway.accept(token)) {
    return void res
      .writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' })
      .end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32001, message: UNAUTHENTICATED } }));
  }
  const canned = gateway.answer?.(body?.method);
  if (canned) {
    return void res
      .writeHead(canned.status, { 'content-type': canned.contentType ?? 'application/json' })
      .end(canned.body);
  }
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  const mcp = mcpServer();
  await mcp.connect(transport);
  res.on('close', () => void mcp.close());
  await transport.handleRequest(req, res, body);
}

function mcpServer(): Server {
  const server = new Server(SERVER_INFO, { capabilities: { tools: {} }, instructions: INSTRUCTIONS });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [ECHO_TOOL] }));
  server.setRequestHandler(CallToolRequestSchema, async (req) => {
    if (req.params.name !== 'echo')
      throw Object.assign(new Error(`Unknown tool: ${req.params.name}`), { code: -32602 });
    const text = String(req.params.arguments?.['text'] ?? '');
    if (text === 'fail') return { isError: true, content: [{ type: 'text', text: 'echo refused: fail' }] };
    return { content: [{ type: 'text', text }], structuredContent: { echoed: text } };
  });
  return server;
}
