// Checks on an MCP HTTP request before any MCP processing: DNS-rebinding protection (Host/Origin), tokens
// in URLs, body size and type, and the JSON-RPC envelope.

import type { Request } from '@google-cloud/functions-framework';
import { specTypeSchemas } from '@modelcontextprotocol/server';
import { BODY_PROBLEM, type BodyProblem } from './body-parsing.ts';

export interface TransportLimits {
  allowedHosts: string[];
  allowedOrigins: string[];
  maxBodyBytes: number;
}

export interface Rejection {
  check: string;
  status: number;
  code: number;
  message: string;
}

/**
 * Headers that must be unambiguous: credentials, the Host that DNS-rebinding protection reads, and the body's
 * type. Each may appear at most once (Node keeps the first Host or Authorization, a proxy in front may keep
 * another).
 */
const SINGLE_HEADERS = ['authorization', 'x-warden-on-behalf-of', 'host', 'content-type', 'content-length'];

/**
 * Query parameter names that would carry a token in the URL (MCP authorization spec: header only), compared
 * case-insensitively after stripping separators: `ID_TOKEN`, `idToken`, `id-token` and `access.token` all count.
 */
const TOKEN_PARAM = /^(access|id|bearer|auth|refresh)?(token|jwt)$|^(authorization|bearer|auth|jwt)$/;

/** A query parameter name as the token check compares it. */
const paramKey = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The first transport rule the request breaks, or undefined. */
export function checkTransport(
  req: Request,
  limits: TransportLimits,
  requireJson = true,
): Rejection | undefined {
  const host = (req.get('host') ?? '').toLowerCase();
  if (!limits.allowedHosts.includes(host)) {
    return {
      check: 'host',
      status: 403,
      code: -32000,
      message: 'Host not allowed (DNS-rebinding protection).',
    };
  }
  const origin = req.get('origin');
  if (origin !== undefined && !limits.allowedOrigins.includes(origin.toLowerCase())) {
    return { check: 'origin', status: 403, code: -32000, message: 'Origin not allowed.' };
  }
  // Node keeps the first of two Authorization headers and joins other duplicates; a proxy in front may pick
  // another one. Credentials must be unambiguous, so a repeated credential header is refused.
  const raw = (req as { rawHeaders?: string[] }).rawHeaders ?? [];
  for (const name of SINGLE_HEADERS) {
    if (raw.filter((h, i) => i % 2 === 0 && h.toLowerCase() === name).length > 1)
      return {
        check: 'duplicate-header',
        status: 400,
        code: -32600,
        message: `Invalid Request: more than one ${name} header.`,
      };
  }
  const query = new URL(req.originalUrl, 'http://x').searchParams;
  if ([...query.keys()].some((name) => TOKEN_PARAM.test(paramKey(name)))) {
    return {
      check: 'token-in-url',
      status: 401,
      code: -32001,
      message: 'Tokens are accepted only in the Authorization header, never in the URL.',
    };
  }
  const problem = (req as { [BODY_PROBLEM]?: BodyProblem })[BODY_PROBLEM];
  if (problem === 'timeout') {
    return {
      check: 'body-timeout',
      status: 408,
      code: -32600,
      message: 'The request body did not arrive in time.',
    };
  }
  const declared = Number(req.get('content-length') ?? 0);
  const actual = (req as { rawBody?: Buffer }).rawBody?.length ?? 0;
  if (problem === 'too-large' || declared > limits.maxBodyBytes || actual > limits.maxBodyBytes) {
    return {
      check: 'body-size',
      status: 413,
      code: -32600,
      message: `Request body exceeds ${limits.maxBodyBytes} bytes.`,
    };
  }
  const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (requireJson && type !== 'application/json') {
    return {
      check: 'content-type',
      status: 415,
      code: -32600,
      message: 'Content-Type must be application/json.',
    };
  }
  return undefined;
}

type Message = Record<string, unknown>;

/** The JSON-RPC body, or the error to answer: -32700 for unparseable JSON, -32600 for an invalid envelope. */
export function parseJsonRpc(
  req: Request,
): { ok: true; value: Message | Message[] } | { ok: false; code: number; message: string } {
  let body: unknown = req.body;
  // Unparsed: a body the framework's JSON parser refused (body-parsing.ts), or one of another type.
  if (body === undefined) body = (req as { rawBody?: Buffer }).rawBody ?? '';
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    try {
      body = JSON.parse(body.toString());
    } catch {
      return { ok: false, code: -32700, message: 'Parse error: the body is not valid JSON.' };
    }
  }
  const messages = Array.isArray(body) ? body : [body];
  if (messages.length === 0 || messages.length > 100)
    return { ok: false, code: -32600, message: 'Invalid Request: expected 1 to 100 JSON-RPC messages.' };
  for (const m of messages) {
    if (!isEnvelope(m))
      return { ok: false, code: -32600, message: 'Invalid Request: not a JSON-RPC 2.0 message.' };
    const invalid = invalidParams(m);
    if (invalid) return { ok: false, code: -32602, message: invalid };
  }
  return { ok: true, value: body as Message | Message[] };
}

/** The methods the gateway serves, with the MCP SDK's own request schemas (Standard Schema). */
interface RequestSchema {
  '~standard': {
    validate(
      value: unknown,
    ): { issues?: readonly { message: string; path?: readonly unknown[] }[] } | Promise<unknown>;
  };
}
const REQUEST_SCHEMAS = new Map<string, RequestSchema>([
  ['initialize', specTypeSchemas.InitializeRequest],
  ['tools/list', specTypeSchemas.ListToolsRequest],
  ['tools/call', specTypeSchemas.CallToolRequest],
]);

/**
 * Why the params of a known method are invalid, or undefined. The SDK would answer these with -32603 and
 * its validator's whole issue dump; JSON-RPC 2.0 says -32602 Invalid params, and one short line is enough.
 */
function invalidParams(m: Message): string | undefined {
  const schema = typeof m['method'] === 'string' ? REQUEST_SCHEMAS.get(m['method']) : undefined;
  const checked = schema?.['~standard'].validate(m);
  if (!checked || checked instanceof Promise || !checked.issues) return undefined;
  const issue = checked.issues[0];
  const path =
    issue?.path
      ?.map((p) => String(typeof p === 'object' && p !== null ? (p as { key: unknown }).key : p))
      .join('.') || 'params';
  return `Invalid params for ${m['method'] as string}: ${path}: ${issue?.message ?? 'not valid'}.`;
}

function isEnvelope(m: unknown): m is Message {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return false;
  const msg = m as Message;
  if (msg['jsonrpc'] !== '2.0') return false;
  const id = msg['id'];
  const idOk = id === undefined || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
  if (typeof msg['method'] === 'string')
    return idOk && (msg['params'] === undefined || typeof msg['params'] === 'object');
  // A response from the client (to a server request).
  return idOk && id !== undefined && ('result' in msg || 'error' in msg);
}

/** The JSON-RPC methods (and tool names) in a body, for the request record; never argument values. */
export function summarize(
  body: Message | Message[],
): { method: string; id?: string | number; tool?: string; task?: string }[] {
  const msgs = Array.isArray(body) ? body : [body];
  return msgs.map((msg) => {
    const params = msg['params'] as { name?: unknown; taskId?: unknown } | undefined;
    const method = msg['method'];
    // A task id is the parked request's id (no PHI); the tasks/* record names it, bounded.
    const task =
      typeof method === 'string' && method.startsWith('tasks/') && typeof params?.taskId === 'string'
        ? params.taskId.slice(0, 200)
        : undefined;
    const id = msg['id'];
    return {
      method: typeof msg['method'] === 'string' ? msg['method'] : '(response)',
      ...(typeof id === 'string' || typeof id === 'number' ? { id } : {}),
      ...(msg['method'] === 'tools/call' && typeof params?.name === 'string' ? { tool: params.name } : {}),
      ...(task !== undefined ? { task } : {}),
    };
  });
}
