// The approvers' web console (docs/console.md): an HTML shell, one vanilla JS module and a stylesheet, served
// by the gateway under /console. Pages hold no data: the browser signs in with the OIDC issuer (authorization
// code + PKCE) and calls the approvals API with the ID token, like any other client.

import type { Request, Response } from '@google-cloud/functions-framework';
import { ASSETS } from './assets.ts';

/** Where the console signs in; from the gateway's configuration. */
export interface ConsoleSettings {
  /** The gateway's public base URL (PUBLIC_URL), which may carry a path prefix. */
  publicUrl: string;
  issuer: string;
  clientId: string;
  redirectUri: string;
  scopes: string;
  /** Whether the request page can show audit records (CONSOLE_AUDIT_READ). */
  auditRead: boolean;
}

/** The issuer's endpoints the browser needs, from its discovery document. */
export interface IssuerEndpoints {
  authorizationEndpoint: string;
  tokenEndpoint: string;
}

export interface ConsoleDeps {
  settings: ConsoleSettings;
  /** The issuer's endpoints (cached by the caller); rejects if discovery fails. */
  discover: () => Promise<IssuerEndpoints>;
  log: (message: string, cause?: unknown) => void;
}

/** True for paths the console serves. */
export const isConsolePath = (path: string): boolean => path === '/console' || path.startsWith('/console/');

/**
 * Fetches `${issuer}/.well-known/openid-configuration` once (again after a failure); the issuer comes from
 * configuration, never from a request, so this cannot be pointed elsewhere.
 */
export function cachedDiscovery(
  issuer: string,
  fetchFn: typeof fetch = fetch,
): () => Promise<IssuerEndpoints> {
  let cached: Promise<IssuerEndpoints> | undefined;
  return () => {
    cached ??= (async () => {
      const res = await fetchFn(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, {
        signal: AbortSignal.timeout(5000),
      });
      if (!res.ok) throw new Error(`discovery answered ${res.status}`);
      const doc = (await res.json()) as { authorization_endpoint?: unknown; token_endpoint?: unknown };
      if (typeof doc.authorization_endpoint !== 'string' || typeof doc.token_endpoint !== 'string')
        throw new Error('discovery document lacks authorization_endpoint or token_endpoint');
      return { authorizationEndpoint: doc.authorization_endpoint, tokenEndpoint: doc.token_endpoint };
    })();
    cached.catch(() => {
      cached = undefined;
    });
    return cached;
  };
}

/** Serves GET /console (pending), /console/history, /console/requests/{id}, /console/callback and assets. */
export async function handleConsole(deps: ConsoleDeps, req: Request, res: Response): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return send(res, 405, { allow: 'GET, HEAD', 'content-type': TEXT }, 'Method not allowed');
  const path = req.path.replace(/\/+$/, '');
  const endpoints = await deps.discover().catch((err: unknown) => {
    deps.log('console: issuer discovery failed', err);
    return undefined;
  });
  setSecurityHeaders(res, deps.settings, endpoints);
  const name = path.slice('/console/'.length);
  const file = ASSETS[name];
  if (file) return send(res, 200, { 'content-type': file.type, 'cache-control': 'no-cache' }, file.body);
  if (name === 'config.json') {
    if (!endpoints) return send(res, 503, { 'content-type': TEXT }, 'The sign-in provider is unavailable.');
    const s = deps.settings;
    const config = {
      issuer: s.issuer,
      clientId: s.clientId,
      redirectUri: s.redirectUri,
      scopes: s.scopes,
      authorizationEndpoint: endpoints.authorizationEndpoint,
      tokenEndpoint: endpoints.tokenEndpoint,
      auditRead: s.auditRead,
    };
    return send(res, 200, { 'content-type': JSON_TYPE, 'cache-control': 'no-store' }, JSON.stringify(config));
  }
  if (path === '/console' || /^\/console\/(history|callback|requests\/[A-Za-z0-9._-]+)$/.test(path)) {
    const html = shell(basePath(deps.settings.publicUrl));
    return send(res, 200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }, html);
  }
  send(res, 404, { 'content-type': TEXT }, 'Not found');
}

const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

function send(res: Response, status: number, headers: Record<string, string>, body: string): void {
  res.status(status);
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.end(body);
}

/** The path prefix of PUBLIC_URL ('' at the root), so links work behind a function URL with a path. */
function basePath(publicUrl: string): string {
  return new URL(publicUrl).pathname.replace(/\/+$/, '');
}

/**
 * A strict CSP: scripts and styles from this origin only (no inline script), network calls to this origin
 * and the token endpoint, no framing, no plugins; no referrer, so the callback's code never leaks.
 */
function setSecurityHeaders(res: Response, s: ConsoleSettings, endpoints?: IssuerEndpoints): void {
  const connect = new Set(["'self'", new URL(s.issuer).origin]);
  if (endpoints) connect.add(new URL(endpoints.tokenEndpoint).origin);
  const headers = {
    'content-security-policy': [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      `connect-src ${[...connect].join(' ')}`,
      "form-action 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
  };
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
}

function shell(base: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Warden console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${base}/console/console.css">
<script type="module" src="${base}/console/app.js"></script>
</head>
<body data-base="${base}">
<a class="skip" href="#main">Skip to content</a>
<header>
<a class="brand" href="${base}/console">Warden</a>
<nav aria-label="Console"><ul><li><a href="${base}/console">Pending</a></li><li><a href="${base}/console/history">History</a></li></ul></nav>
<div id="who" aria-live="polite"></div>
</header>
<main id="main" tabindex="-1"><p>Loading…</p></main>
<noscript><p>The console needs JavaScript.</p></noscript>
</body>
</html>
`;
}
