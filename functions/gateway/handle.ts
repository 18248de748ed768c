// The gateway's HTTP handler: transport checks, authentication, then MCP; every request, including rejected
// ones, is audited, and a response leaves only after its audit record is durable.

import { createHash, randomUUID } from 'node:crypto';
import type { Request, Response } from '@google-cloud/functions-framework';
import {
  createMcpHandler,
  isLegacyRequest,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server';
import {
  auditPrincipal,
  mcpRefusalEvent,
  mcpRequestEvent,
  mcpResponseEvent,
  sha256Hex,
} from '../../shared/core/audit/events.ts';
import type { EventOf } from '../../shared/core/audit/record.ts';
import { WardenError } from '../../shared/core/errors.ts';
import { actingFor, ON_BEHALF_OF_HEADER, type Principal } from '../../shared/core/identity/principal.ts';
import { resolvePrincipal } from '../../shared/core/policy/policy.ts';
import { MESSAGES, toWireError } from '../../shared/mcp/to-wire-error.ts';
import { type AuditAppender, deferRecord } from '../../shared/ports/audit-appender.ts';
import type { TokenVerifier } from '../../shared/ports/token-verifier.ts';
import { handleApprovalsApi } from './approvals-api.ts';
import { type ConsoleDeps, handleConsole, isConsolePath } from './console/console.ts';
import { type AuditTrailReader, handleRequestApi, isRequestApiPath } from './console/request-api.ts';
import { initializeDeclaresForms, isElicitationAnswer, isQueryCall } from './elicit.ts';
import { type CallContext, createMcpServer, type McpDeps } from './mcp.ts';
import { checkTransport, parseJsonRpc, summarize } from './request-checks.ts';

export interface GatewayDeps extends McpDeps {
  verifier: TokenVerifier;
  /** BREAK_GLASS_REVIEWER_GROUPS: who may review break-glass uses (absent: the policy's approver groups). */
  breakGlassReviewers?: readonly string[];
  /**
   * Verifies the person's token in X-Warden-On-Behalf-Of, against its own audience (ON_BEHALF_OF_AUDIENCE);
   * absent: `verifier` (tests).
   */
  personVerifier?: TokenVerifier;
  publicUrl: string;
  issuers: string[];
  /** Host header values accepted (DNS-rebinding protection). */
  allowedHosts: string[];
  /** Origin header values accepted when a browser sends one. */
  allowedOrigins: string[];
  maxBodyBytes: number;
  log: (message: string, cause?: unknown) => void;
  /** The approvers' web console at /console (absent: disabled). */
  console?: ConsoleDeps;
  /** Read access to the audit trail for GET /approvals/{id}/audit (absent unless CONSOLE_AUDIT_READ). */
  auditTrail?: AuditTrailReader;
}

/** Builds the `gateway` HTTP function. */
export function createGatewayHandler(deps: GatewayDeps): (req: Request, res: Response) => Promise<void> {
  const resourceMetadata = `${deps.publicUrl}/.well-known/oauth-protected-resource/mcp`;
  // Both protocol eras from one endpoint. The SDK classifies each request (isLegacyRequest: MCP 2026-07-28 by its
  // `_meta` envelope, else a 2025 revision). 2026-07-28 goes to the SDK's modern handler, built once; the server
  // it builds per request is bound to the caller through `authInfo.extra`, which only this function sets (the
  // SDK never reads it from headers). 2025 requests get the stateless idiom with JSON responses (the SDK's own
  // legacy fallback would answer every one as an SSE stream).
  const modern = createMcpHandler(
    (c) => {
      const bound = c.authInfo?.extra?.['warden'] as BoundCall | undefined;
      if (!bound) throw new Error('MCP request without a bound caller');
      return createMcpServer(bound.deps, bound.ctx);
    },
    { responseMode: 'auto', legacy: 'reject', maxRequestBodySize: deps.maxBodyBytes },
  );
  // `stream`: a 2025 call that may ask for a reason (elicit.ts) is answered as an SSE stream, which the server may
  // write requests on before the result (MCP 2025-11-25 basic/transports); `close` ends the server once the
  // stream has been read.
  const serveMcp = async (
    request: globalThis.Request,
    parsedBody: unknown,
    bound: BoundCall,
    legacy: boolean,
    stream: boolean,
  ): Promise<{ answer: globalThis.Response; close: () => Promise<void> }> => {
    const authInfo = {
      token: '',
      clientId: bound.ctx.principal.email ?? bound.ctx.principal.subject,
      scopes: [],
      extra: { warden: bound },
    };
    if (!legacy)
      return { answer: await modern.fetch(request, { parsedBody, authInfo }), close: async () => {} };
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: !stream,
    });
    const server = createMcpServer(bound.deps, bound.ctx);
    await server.connect(transport);
    const close = () => server.close();
    try {
      const answer = await transport.handleRequest(request, { parsedBody, authInfo });
      if (!stream) await close();
      return { answer, close };
    } catch (err) {
      await close();
      throw err;
    }
  };
  const reply = async (
    res: Response,
    requestId: string,
    status: number,
    code: number,
    message: string,
    event: RefusalFields,
  ) => {
    try {
      await deps.audit.append(mcpRefusalEvent({ requestId, status, reason: message, ...event }));
    } catch (auditErr) {
      deps.log(`audit write failed for request ${requestId}`, auditErr);
      return void res.status(503).json(rpcError(-32603, MESSAGES.unavailable));
    }
    if (status === 401) {
      // RFC 6750 section 3: a request without credentials gets the challenge alone; one whose token failed gets
      // error="invalid_token" as well (no scope parameter: Warden authorizes by the token's groups, not scopes).
      const error = event['check'] === 'authentication' && event['credentials'] === 'present';
      res.set(
        'www-authenticate',
        error
          ? `Bearer error="invalid_token", error_description="The bearer token is not valid.", resource_metadata="${resourceMetadata}"`
          : `Bearer resource_metadata="${resourceMetadata}"`,
      );
    }
    res.status(status).json(rpcError(code, `${message} (request ${requestId})`));
  };

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
    if (deps.console && isConsolePath(path)) return handleConsole(deps.console, req, res);
    const isApprovals = path === '/approvals' || path.startsWith('/approvals/');
    if (path !== '/mcp' && !isApprovals) return void res.status(404).json({ error: 'not found' });
    if (!isApprovals && req.method !== 'POST') {
      // Recorded like every other refused MCP request.
      res.set('allow', 'POST');
      return reply(res, requestId, 405, -32000, 'This MCP endpoint is stateless: use POST.', {
        check: 'method',
        method: req.method.slice(0, 16),
      });
    }

    const rejected = checkTransport(req, deps, req.method === 'POST');
    if (rejected)
      return reply(res, requestId, rejected.status, rejected.code, rejected.message, {
        check: rejected.check,
      });

    let principal: Principal;
    try {
      principal = resolvePrincipal(
        deps.policy,
        await authenticate(deps.verifier, deps.personVerifier ?? deps.verifier, req),
      );
    } catch (err) {
      deps.log(`authentication failed for request ${requestId}`, err);
      const wire = toWireError(err, requestId);
      return reply(
        res,
        requestId,
        wire.httpStatus,
        wire.jsonRpcCode,
        wire.message.replace(/ \(request [^)]+\)$/, ''),
        { check: 'authentication', credentials: req.get('authorization') ? 'present' : 'absent' },
      );
    }

    if (isApprovals && isRequestApiPath(req.path))
      return handleRequestApi(deps, req, res, requestId, principal);
    if (isApprovals) return handleApprovalsApi(deps, req, res, requestId, principal);

    const body = parseJsonRpc(req);
    if (!body.ok)
      return reply(res, requestId, 400, body.code, body.message, {
        check: 'json-rpc',
        principal: auditPrincipal(principal),
      });

    try {
      const web = toWebRequest(req);
      const legacy = await isLegacyRequest(web, body.value, { maxRequestBodySize: deps.maxBodyBytes });
      // 2025-era form elicitation (elicit.ts): only with an asker configured, and only the 2025 era has sessions.
      const elicitation = legacy ? deps.elicitation : undefined;
      const sessionId = req.get('mcp-session-id');
      let forms = false;
      if (elicitation && sessionId !== undefined) {
        // MCP 2025-11-25 basic/transports, Session Management: an unknown session is 404, and the client
        // initializes again.
        if (!(await elicitation.isSession(sessionId, principal)))
          return await reply(res, requestId, 404, -32001, 'Session not found: initialize again.', {
            check: 'session',
            principal: auditPrincipal(principal),
          });
        forms = true;
      }
      // Two barriers (ARCHITECTURE.md, step 7): the decision record before anything runs, the executor's release
      // record before rows leave. The request and response records are group-committed: queued in order
      // before the barrier they precede, written with it, and never holding the call on their own.
      // A call that makes no barrier write of its own (tools/list, initialize) waits for its response record
      // instead, so a broken audit trail still refuses it.
      let barriers = 0;
      const audit: AuditAppender = {
        append: (event) => {
          barriers++;
          return deps.audit.append(event);
        },
        defer: (event) => deferRecord(deps.audit, event),
      };
      deferRecord(
        audit,
        mcpRequestEvent({ requestId, principal: auditPrincipal(principal), rpc: summarize(body.value) }),
      );
      if (elicitation && isElicitationAnswer(body.value)) {
        // The answer to a question another call (on any instance) waits for: 202 once recorded (MCP 2025-11-25
        // basic/transports: a POSTed response is accepted with 202, or refused with an HTTP error status). An
        // unknown id, another caller's question, a replay and a late answer are refused alike.
        const accepted = await elicitation.receive(body.value, principal);
        const status = accepted ? 202 : 400;
        const text = accepted
          ? ''
          : JSON.stringify(rpcError(-32602, `No open elicitation has this id. (request ${requestId})`));
        await audit.append(mcpResponseEvent({ requestId, status, responseSha256: sha256Hex(text) }));
        if (!accepted) res.setHeader('content-type', 'application/json');
        return void res.status(status).end(text);
      }
      const stream = forms && isQueryCall(body.value);
      const bound: BoundCall = {
        deps: { ...deps, audit, approvals: { ...deps.approvals, audit } },
        ctx: { requestId, principal, log: deps.log, ...(stream ? { formElicitation: true } : {}) },
      };
      const { answer, close } = await serveMcp(web, body.value, bound, legacy, stream);
      const record = async (status: number, sha256: string) => {
        const response = mcpResponseEvent({ requestId, status, responseSha256: sha256 });
        if (barriers > 0) deferRecord(audit, response);
        else await audit.append(response);
      };
      if (elicitation && answer.status === 200 && initializeDeclaresForms(body.value))
        answer.headers.set('mcp-session-id', await elicitation.mintSession(principal));
      if (stream && answer.body && answer.headers.get('content-type')?.startsWith('text/event-stream')) {
        try {
          res.status(answer.status);
          for (const [key, value] of answer.headers) res.setHeader(key, value);
          await relay(
            answer.body,
            res,
            () => barriers > 0,
            (sha256) => record(answer.status, sha256),
          );
        } finally {
          await close();
        }
        return;
      }
      const text = await answer.text();
      await record(answer.status, sha256Hex(text));
      res.status(answer.status);
      for (const [key, value] of answer.headers) res.setHeader(key, value);
      res.end(text);
    } catch (err) {
      // Reached only when the audit trail or the transport failed: release nothing.
      deps.log(`request ${requestId} failed`, err);
      // A stream already under way is cut short: the client sees no final result.
      if (res.headersSent) return void res.end();
      const wire = toWireError(err, requestId);
      res.status(wire.httpStatus).json(rpcError(wire.jsonRpcCode, wire.message));
    }
  };
}

/** What the per-request MCP server is built from. */
/** What a refusal record adds to its status and reason: the check that refused it, and who, once known. */
type RefusalFields = Pick<EventOf<'mcp.rejected'>, 'check' | 'credentials' | 'method' | 'principal'>;

interface BoundCall {
  deps: McpDeps;
  ctx: CallContext;
}

/**
 * Relays an SSE answer as it is written, hashing it for the response record. Events are held until a barrier
 * record is written (an ask always follows one); a stream that ends without one has its record written first.
 */
async function relay(
  body: ReadableStream<Uint8Array>,
  res: Response,
  released: () => boolean,
  record: (sha256: string) => Promise<void>,
): Promise<void> {
  const hash = createHash('sha256');
  const held: Uint8Array[] = [];
  for await (const chunk of body) {
    hash.update(chunk);
    held.push(chunk);
    if (released()) for (const c of held.splice(0)) res.write(c);
  }
  await record(hash.digest('hex'));
  for (const c of held) res.write(c);
  res.end();
}

/** Verifies the bearer token and, when present, the token of the person the caller acts for. */
async function authenticate(
  verifier: TokenVerifier,
  personVerifier: TokenVerifier,
  req: Request,
): Promise<Principal> {
  const caller = await verifier.verify(bearerToken(req.get('authorization')));
  const personToken = req.get(ON_BEHALF_OF_HEADER);
  if (personToken === undefined) return caller;
  const person = await personVerifier.verify(personToken.trim());
  return actingFor(caller, person);
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

function rpcError(code: number, message: string) {
  return { jsonrpc: '2.0', id: null, error: { code, message } };
}
