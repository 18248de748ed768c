// A loopback reverse proxy that adds a development ID token to the requests it forwards to the gateway.
// Tools such as the MCP conformance suite send no credentials; the gateway requires
// `Authorization: Bearer <OIDC ID token>`. Put this proxy in front of the gateway and point the tool at it.
// Requests addressed to the proxy are re-addressed to the gateway (Host, Origin) and get the token; any other
// Host or Origin passes unchanged and without a token, so the gateway's DNS-rebinding checks still answer.
// Development only: it lends a valid identity to any local process that can reach its loopback port.

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
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { listen } from '../../standins/net.ts';
import { loadIssuerKey, mintToken, personClaims } from '../../standins/oidc/dev-issuer.ts';
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

/** Starts the proxy. Bodies stream both ways; status, headers and body of answers pass through unchanged. */
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
    const headers = forwardHeaders(req.headers);
    delete headers['authorization'];
    // Addressed to the proxy (Host and any Origin name it on loopback): re-addressed to the gateway, with a
    // token. Anything else (a DNS-rebinding page, say) goes on unchanged and without a token, so the
    // gateway's own Host and Origin checks answer it and the proxy lends no identity to it.
    const own =
      isOwn(req.headers.host, 'host') &&
      (req.headers.origin === undefined || isOwn(req.headers.origin, 'origin'));
    if (own) {
      headers['host'] = target.host;
      if (req.headers.origin !== undefined) headers['origin'] = target.origin;
      headers['authorization'] = `Bearer ${await options.tokenFor(req)}`;
    }
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
      // Send the head at once so that streamed (SSE) answers reach the client as they come.
      res.flushHeaders();
      answer.pipe(res);
      answer.on('error', () => res.destroy());
      res.on('close', () => {
        if (!res.writableFinished) answer.destroy();
      });
    });
    upstream.on('error', (err) => fail(res, err));
    // The client went away before the exchange finished: abandon the upstream request too.
    req.on('error', () => upstream.destroy());
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  /** True when a Host (`name:port`) or an Origin names this proxy: a loopback name and the proxy's port. */
  function isOwn(value: string | undefined, kind: 'host' | 'origin'): boolean {
    if (!value) return false;
    let url: URL;
    try {
      url = new URL(kind === 'host' ? `http://${value}` : value);
    } catch {
      return false;
    }
    if (url.protocol !== 'http:' || url.username || url.password) return false;
    if (kind === 'host' && url.pathname !== '/') return false;
    return LOOPBACK_NAMES.has(url.hostname) && Number(url.port || 80) === port;
  }

  let port = 0;
  port = await listen(server, options.port ?? 0, host, 'token proxy');
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

/** `node dev/conformance/token-proxy.ts [--state-dir D] [--port P] [--email E] [--groups a,b]` */
async function cli(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'state-dir': { type: 'string' },
      port: { type: 'string', default: '0' },
      email: { type: 'string', default: 'conformance@example.org' },
      groups: { type: 'string', default: 'analysts' },
    },
  });
  const stateDir = resolve(values['state-dir'] ?? process.env['WARDEN_STATE_DIR'] ?? '.warden');
  const info = JSON.parse(readFileSync(join(stateDir, 'stack.json'), 'utf8')) as StackInfo;
  const groups = values.groups
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);
  const tokenFor = await devTokenSource({ stateDir, email: values.email, groups });
  const proxy = await startTokenProxy({ target: info.gatewayUrl, port: Number(values.port), tokenFor });
  console.log(
    `Token proxy for ${info.mcpUrl} as ${values.email} (${groups.join(', ') || 'no groups'}): ${proxy.url}/mcp\nPress Ctrl-C to stop.`,
  );
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await proxy.close();
}

if (import.meta.main) await cli(process.argv.slice(2));
