// The gateway's HTTP handler: authenticate, audit the request, serve MCP, audit the response, then send it.

import { randomUUID } from 'node:crypto';
import type { Request, Response } from '@google-cloud/functions-framework';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { auditPrincipal, sha256Hex } from '../../shared/core/audit/events.ts';
import { WardenError } from '../../shared/core/errors.ts';
import type { ExecuteSqlDeps } from '../../shared/core/gateway/execute-sql.ts';
import type { Principal } from '../../shared/core/identity/principal.ts';
import { MESSAGES, toWireError } from '../../shared/mcp/to-wire-error.ts';
import type { TokenVerifier } from '../../shared/ports/token-verifier.ts';
import { createMcpServer } from './mcp.ts';

export interface GatewayDeps extends ExecuteSqlDeps {
  verifier: TokenVerifier;
  publicUrl: string;
  issuers: string[];
  log: (message: string, cause?: unknown) => void;
}

/** Builds the `gateway` HTTP function. */
export function createGatewayHandler(deps: GatewayDeps): (req: Request, res: Response) => Promise<void> {
  const resourceMetadata = `${deps.publicUrl}/.well-known/oauth-protected-resource/mcp`;
  return async (req, res) => {
    const requestId = randomUUID();
    res.setHeader('x-warden-request-id', requestId);
    const path = req.path.replace(/\/+$/, '') || '/';
    if (req.method === 'GET' && path === '/healthz') return void res.json({ status: 'ok' });
    if (req.method === 'GET' && path.startsWith('/.well-known/oauth-protected-resource')) {
      // RFC 9728 protected resource metadata, which MCP clients read after a 401.
      return void res.json({
        resource: `${deps.publicUrl}/mcp`,
        authorization_servers: deps.issuers,
        bearer_methods_supported: ['header'],
      });
    }
    if (path !== '/mcp') return void res.status(404).json({ error: 'not found' });
    if (req.method !== 'POST')
      return void res
        .status(405)
        .set('allow', 'POST')
        .json({ error: 'This MCP endpoint is stateless: use POST.' });

    let principal: Principal;
    try {
      principal = await deps.verifier.verify(bearerToken(req.get('authorization')));
    } catch (err) {
      const wire = toWireError(err, requestId);
      deps.log(`authentication failed for request ${requestId}`, err);
      try {
        await deps.audit.append({
          type: 'mcp.unauthenticated',
          requestId,
          reason: wire.message,
          status: wire.httpStatus,
        });
      } catch (auditErr) {
        deps.log(`audit write failed for request ${requestId}`, auditErr);
        return void res.status(503).json(rpcError(-32603, MESSAGES.unavailable));
      }
      if (wire.httpStatus === 401)
        res.set('www-authenticate', `Bearer resource_metadata="${resourceMetadata}"`);
      return void res.status(wire.httpStatus).json(rpcError(wire.jsonRpcCode, wire.message));
    }

    try {
      await deps.audit.append({
        type: 'mcp.request',
        requestId,
        principal: auditPrincipal(principal),
        rpc: summarize(req.body),
      });
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      });
      const server = createMcpServer(deps, { requestId, principal, log: deps.log });
      await server.connect(transport);
      const answer = await transport.handleRequest(toWebRequest(req), { parsedBody: req.body });
      const body = await answer.text();
      await server.close();
      await deps.audit.append({
        type: 'mcp.response',
        requestId,
        status: answer.status,
        responseSha256: sha256Hex(body),
      });
      res.status(answer.status);
      for (const [key, value] of answer.headers) res.setHeader(key, value);
      res.end(body);
    } catch (err) {
      // Reached only when the audit trail or the transport failed: release nothing.
      deps.log(`request ${requestId} failed`, err);
      const wire = toWireError(err, requestId);
      res.status(wire.httpStatus).json(rpcError(wire.jsonRpcCode, wire.message));
    }
  };
}

function bearerToken(header: string | undefined): string {
  const m = /^Bearer\s+([A-Za-z0-9._~+/=-]+)$/i.exec(header ?? '');
  if (!m?.[1]) throw new WardenError('unauthenticated', MESSAGES.unauthenticated);
  return m[1];
}

function toWebRequest(req: Request): globalThis.Request {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
  return new globalThis.Request(`http://gateway${req.originalUrl}`, { method: 'POST', headers });
}

/** The JSON-RPC methods (and tool names) in a body, for the request record; never argument values. */
function summarize(body: unknown): { method: string; id?: string | number | null; tool?: string }[] {
  const msgs = Array.isArray(body) ? body : [body];
  return msgs.slice(0, 100).map((m) => {
    const msg = (m ?? {}) as { method?: unknown; id?: unknown; params?: { name?: unknown } };
    return {
      method: typeof msg.method === 'string' ? msg.method : '(invalid)',
      ...(typeof msg.id === 'string' || typeof msg.id === 'number' ? { id: msg.id } : {}),
      ...(msg.method === 'tools/call' && typeof msg.params?.name === 'string'
        ? { tool: msg.params.name }
        : {}),
    };
  });
}

function rpcError(code: number, message: string) {
  return { jsonrpc: '2.0', id: null, error: { code, message } };
}
