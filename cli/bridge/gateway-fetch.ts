// The fetch the bridge's Streamable HTTP transport uses: fixed headers and a bearer ID token on each request
// to the gateway (and to nothing else), one fresh token and one retry after a 401, and HTTP failures turned
// into BridgeErrors that keep the gateway's JSON-RPC code and message.

import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { BridgeError, errorMessage, isAbort, RPC_CODE } from './errors.ts';
import type { FixedHeader } from './headers.ts';
import type { Log } from './log.ts';
import type { TokenCache } from './token-source.ts';

/** Options of gatewayFetch. */
export interface GatewayFetchOptions {
  /** The gateway's MCP URL; only its origin is sent the token. */
  gateway: URL;
  tokens: TokenCache;
  headers?: readonly FixedHeader[];
  log: Log;
  /** The underlying fetch (default: the global one). */
  fetch?: FetchLike;
}

/**
 * A FetchLike for StreamableHTTPClientTransport. A POST the gateway answers with HTTP 400 or more rejects
 * with a BridgeError (the transport passes it to the relay unchanged); other responses are returned as is.
 */
export function gatewayFetch(options: GatewayFetchOptions): FetchLike {
  const base = options.fetch ?? globalThis.fetch;
  const origin = options.gateway.origin;
  const send = async (url: string | URL, init: RequestInit | undefined, token: string) => {
    try {
      return await base(url, withHeaders(init, options.headers ?? [], token));
    } catch (err) {
      if (isAbort(err)) throw err;
      throw new BridgeError(
        RPC_CODE.internal,
        `warden bridge could not reach the gateway at ${origin}: ${errorMessage(err)}`,
        { cause: err },
      );
    }
  };
  return async (url, init) => {
    const target = new URL(url);
    if (target.origin !== origin)
      throw new BridgeError(
        RPC_CODE.internal,
        `warden bridge refused to send its ID token to ${target.origin}: only ${origin} receives it.`,
      );
    const first = await options.tokens.get();
    let res = await send(url, init, first);
    if (res.status === 401) {
      await res.body?.cancel();
      options.log('the gateway answered 401 Unauthorized: minting a fresh ID token and retrying once');
      options.tokens.invalidate(first);
      res = await send(url, init, await options.tokens.get());
    }
    if ((init?.method ?? 'GET').toUpperCase() === 'POST' && res.status >= 400) throw await httpFailure(res);
    return res;
  };
}

function withHeaders(
  init: RequestInit | undefined,
  fixed: readonly FixedHeader[],
  token: string,
): RequestInit {
  const headers = new Headers(init?.headers);
  for (const [name, value] of fixed) headers.set(name, value);
  for (const [name, value] of routingHeaders(init?.body)) headers.set(name, value);
  headers.set('authorization', `Bearer ${token}`);
  return { ...init, headers };
}

/**
 * The Streamable HTTP headers MCP 2026-07-28 requires of a request, which the bridge's (2025-era) transport
 * does not set: MCP-Protocol-Version from the request's `_meta` envelope, Mcp-Method, and Mcp-Name (the tool's
 * name for tools/call, the task id for tasks/*; never an argument). None for a 2025-era message.
 */
export function routingHeaders(body: unknown): [string, string][] {
  if (typeof body !== 'string') return [];
  let message: { method?: unknown; params?: Record<string, unknown> };
  try {
    message = JSON.parse(body);
  } catch {
    return [];
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return [];
  const meta = message.params?.['_meta'] as Record<string, unknown> | undefined;
  const version = meta?.['io.modelcontextprotocol/protocolVersion'];
  if (typeof version !== 'string' || typeof message.method !== 'string') return [];
  const headers: [string, string][] = [
    ['mcp-protocol-version', version],
    ['mcp-method', message.method],
  ];
  const name =
    message.method === 'tools/call'
      ? message.params?.['name']
      : message.method.startsWith('tasks/')
        ? message.params?.['taskId']
        : undefined;
  if (typeof name === 'string') headers.push(['mcp-name', name]);
  return headers;
}

/** The BridgeError for a failed POST: the gateway's JSON-RPC error if it sent one, else its HTTP status. */
async function httpFailure(res: Response): Promise<BridgeError> {
  const rpc = rpcError(await res.text().catch(() => ''));
  const requestId = res.headers.get('x-warden-request-id');
  if (res.status === 401) {
    return new BridgeError(
      rpc?.code ?? RPC_CODE.unauthenticated,
      "The gateway rejected the bridge's ID token (HTTP 401) even after a fresh one was minted" +
        (rpc ? `: ${rpc.message}` : requestId ? ` (request ${requestId})` : '') +
        ". Check that the gateway trusts the token's issuer and audience (--audience); see cli/bridge/README.md.",
    );
  }
  if (rpc) return new BridgeError(rpc.code, rpc.message);
  return new BridgeError(
    RPC_CODE.internal,
    `The gateway answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}` +
      `${requestId ? ` (request ${requestId})` : ''}.`,
  );
}

/** The `error` of a JSON-RPC error response body, if `body` is one. */
function rpcError(body: string): { code: number; message: string } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const error = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return Number.isInteger(error?.code) && typeof error?.message === 'string'
    ? { code: error.code as number, message: error.message }
    : undefined;
}
