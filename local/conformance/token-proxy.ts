// A loopback reverse proxy that adds a development ID token to every request it forwards to the gateway.
// Tools such as the MCP conformance suite send no credentials; the gateway requires
// `Authorization: Bearer <OIDC ID token>`. Put this proxy in front of the gateway and point the tool at it.
// Development only: it lends a valid identity to anyone who can reach the loopback port.

import { readFileSync } from 'node:fs';
import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import { join } from 'node:path';
import { listen } from '../net.ts';
import { loadIssuerKey, mintToken, personClaims } from '../oidc/dev-issuer.ts';
import type { StackInfo } from '../stack.ts';

export interface TokenProxyOptions {
  /** Base URL of the gateway (e.g. `http://127.0.0.1:8700`); request paths are appended to it. */
  target: string;
  /** Port to listen on (0, the default, picks a free one). */
  port?: number;
  /** Interface to listen on; loopback unless told otherwise. */
  host?: string;
  /** The bearer token for a request (called once per request; cache it, e.g. with `devTokenSource`). */
  tokenFor: (req: IncomingMessage) => string | Promise<string>;
}

export interface TokenProxy {
  /** `http://host:port` of the proxy. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Hop-by-hop headers (RFC 9110 section 7.6.1): they describe one connection and are never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Starts the proxy. Bodies stream both ways; status, headers and body of the answer pass through unchanged. */
export async function startTokenProxy(options: TokenProxyOptions): Promise<TokenProxy> {
  const target = new URL(options.target);
  if (target.protocol !== 'http:')
    throw new Error(`token proxy: only http targets are supported (${target})`);
  const basePath = target.pathname.replace(/\/+$/, '');
  const host = options.host ?? '127.0.0.1';
  const agent = new Agent({ keepAlive: true });

  const server: Server = createServer((req, res) => {
    void forward(req, res).catch((err: unknown) => fail(res, err));
  });

  async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The proxy lends an identity, so it must not serve a web page that rebinds a name to loopback.
    const refused = foreignAddress(req.headers);
    if (refused) {
      res.writeHead(403, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          jsonrpc: '2.0',
          id: null,
          error: { code: -32000, message: `token proxy: ${refused}` },
        }),
      );
      return;
    }
    const token = await options.tokenFor(req);
    const headers = forwardHeaders(req.headers);
    headers['host'] = target.host;
    headers['authorization'] = `Bearer ${token}`;
    const upstream = request({
      agent,
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      method: req.method,
      path: `${basePath}${req.url ?? '/'}`,
      headers,
    });
    upstream.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, forwardHeaders(answer.headers));
      // Flush the head at once so streamed (SSE) answers reach the client as they come.
      res.flushHeaders();
      answer.pipe(res);
      answer.on('error', () => res.destroy());
      res.on('close', () => {
        if (!res.writableFinished) answer.destroy();
      });
    });
    upstream.on('error', (err) => fail(res, err));
    // The client went away before the request finished: abandon the upstream request too.
    req.on('error', () => upstream.destroy());
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  const port = await listen(server, options.port ?? 0, host, 'token proxy');
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Why a request must be refused (DNS-rebinding defence): a Host or an Origin that does not name a loopback
 * address. Undefined when the request may pass.
 */
export function foreignAddress(headers: IncomingHttpHeaders): string | undefined {
  const host = headers.host;
  if (!host || !isLoopback(`http://${host}`))
    return `Host ${JSON.stringify(host ?? '')} is not a loopback address`;
  const origin = headers.origin;
  if (origin !== undefined && !isLoopback(origin))
    return `Origin ${JSON.stringify(origin)} is not a loopback origin`;
  return undefined;
}

function isLoopback(url: string): boolean {
  try {
    return LOOPBACK_NAMES.has(new URL(url).hostname.toLowerCase());
  } catch {
    return false;
  }
}

/** Copies end-to-end headers; drops hop-by-hop ones, including those a `Connection` header names. */
function forwardHeaders(input: IncomingHttpHeaders): Record<string, string | string[]> {
  const named = new Set(
    String(input['connection'] ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/** 502 when the gateway cannot be reached (or the token cannot be minted); otherwise drop the connection. */
function fail(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const message = err instanceof Error ? err.message : String(err);
  res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' }).end(`token proxy: ${message}\n`);
}

export interface DevTokenOptions {
  /** State directory of a running local stack (its `stack.json` and `oidc-key.json`). */
  stateDir: string;
  email: string;
  groups?: string[];
  /** Lifetime of each token (default 3600 s). */
  ttlSeconds?: number;
  /** Re-mint when less than this remains (default a fifth of the lifetime). */
  refreshBeforeSeconds?: number;
  /** Clock in milliseconds, for tests. */
  now?: () => number;
}

/**
 * A `tokenFor` that mints development ID tokens from the local stack's issuer key, for the stack's audience,
 * and re-mints one before it expires.
 */
export async function devTokenSource(options: DevTokenOptions): Promise<() => Promise<string>> {
  const info = JSON.parse(readFileSync(join(options.stateDir, 'stack.json'), 'utf8')) as StackInfo;
  const key = await loadIssuerKey(options.stateDir);
  const ttl = options.ttlSeconds ?? 3600;
  const refreshBefore = options.refreshBeforeSeconds ?? Math.floor(ttl / 5);
  const now = options.now ?? Date.now;
  let current: { token: Promise<string>; renewAt: number } | undefined;
  return () => {
    if (!current || now() >= current.renewAt) {
      const token = mintToken(
        key,
        info.issuer,
        personClaims({ email: options.email, groups: options.groups ?? [], audience: info.audience }),
        ttl,
      );
      const entry = { token, renewAt: now() + (ttl - refreshBefore) * 1000 };
      current = entry;
      // A failed mint must not be cached.
      token.catch(() => {
        if (current === entry) current = undefined;
      });
    }
    return current.token;
  };
}
