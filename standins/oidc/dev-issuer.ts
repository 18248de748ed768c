// A development OIDC issuer on loopback: discovery, JWKS, and ID tokens for people and for the local
// functions' service accounts (through metadata-server stand-ins, as Google's metadata server mints them).

import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { listen } from '../net.ts';

/** The issuer's persisted signing key (so tokens stay valid across restarts of the stack). */
interface KeyFile {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

/** Claims for a person's token. */
export interface PersonClaims {
  email: string;
  groups?: string[];
  name?: string;
  audience: string;
  ttlSeconds?: number;
  /** RFC 8693 actor: who acts for this person (e.g. an agent). */
  act?: { sub: string };
}

/** The issuer key under `stateDir/oidc-key.json`, or undefined when there is none yet. */
export function readIssuerKey(stateDir: string): KeyFile | undefined {
  const path = join(stateDir, 'oidc-key.json');
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as KeyFile;
  } catch (err) {
    throw new Error(`${path} is not the development issuer's key`, { cause: err });
  }
}

/** Loads or creates the issuer key under `stateDir/oidc-key.json`. */
export async function loadIssuerKey(stateDir: string): Promise<KeyFile> {
  const existing = readIssuerKey(stateDir);
  if (existing) return existing;
  const path = join(stateDir, 'oidc-key.json');
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = `dev-${Date.now().toString(36)}`;
  const file: KeyFile = {
    kid,
    privateJwk: await exportJWK(privateKey),
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' },
  };
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(path, JSON.stringify(file), { mode: 0o600 });
  return file;
}

/** Mints a signed ID token from `issuer` with the given claims. */
export async function mintToken(
  key: KeyFile,
  issuer: string,
  claims: Record<string, unknown> & { sub: string; aud: string },
  ttlSeconds = 3600,
): Promise<string> {
  const privateKey = await importJWK(key.privateJwk, 'ES256');
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
    .setIssuer(issuer)
    .setIssuedAt(typeof claims['iat'] === 'number' ? claims['iat'] : undefined)
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(privateKey);
}

/** The claims of a person's development token: subject derived from the email. */
export function personClaims(p: PersonClaims): Record<string, unknown> & { sub: string; aud: string } {
  return {
    sub: `dev:${p.email.toLowerCase()}`,
    aud: p.audience,
    email: p.email.toLowerCase(),
    email_verified: true,
    groups: p.groups ?? [],
    ...(p.name ? { name: p.name } : {}),
    ...(p.act ? { act: p.act } : {}),
  };
}

export interface DevIssuer {
  issuer: string;
  port: number;
  close(): Promise<void>;
}

/** An authorization code handed out by `/authorize`, redeemable once at `/token` within a minute. */
interface PendingCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  nonce?: string;
  email: string;
  groups: string[];
  expiresAt: number;
}

/**
 * Serves discovery and JWKS, plus `POST /dev/token` ({email, groups, audience, ttlSeconds}) for tests and
 * `warden token`, and the authorization code flow with PKCE (RFC 7636, S256 only) for browser sign-in:
 * `GET /authorize` shows a login form where anyone may type any email and groups, `POST /authorize` redirects
 * with a code, `POST /token` exchanges it. Loopback only: it hands out tokens to anyone who asks.
 */
export async function startDevIssuer(options: {
  port: number;
  host?: string;
  stateDir: string;
}): Promise<DevIssuer> {
  const key = await loadIssuerKey(options.stateDir);
  const host = options.host ?? '127.0.0.1';
  let issuer = '';
  const codes = new Map<string, PendingCode>();
  const server = createServer((req, res) => {
    void route(req, res).catch((err: unknown) => send(res, 500, { error: String(err) }));
  });
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', issuer);
    if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
      return send(res, 200, {
        issuer,
        jwks_uri: `${issuer}/jwks`,
        id_token_signing_alg_values_supported: ['ES256'],
        subject_types_supported: ['public'],
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none'],
        scopes_supported: ['openid', 'email', 'profile', 'groups'],
        claims_supported: ['sub', 'email', 'email_verified', 'groups', 'name', 'act'],
      });
    }
    if (req.method === 'GET' && url.pathname === '/jwks') return send(res, 200, { keys: [key.publicJwk] });
    if (url.pathname === '/authorize' && (req.method === 'GET' || req.method === 'POST')) {
      const params = req.method === 'GET' ? url.searchParams : new URLSearchParams(await readBody(req));
      return authorize(params, req.method === 'POST', res);
    }
    if (url.pathname === '/token' && req.method === 'OPTIONS') return sendCors(res, 204);
    if (url.pathname === '/token' && req.method === 'POST')
      return exchange(new URLSearchParams(await readBody(req)), res);
    if (req.method === 'POST' && url.pathname === '/dev/token') {
      const body = JSON.parse((await readBody(req)) || '{}') as Partial<PersonClaims>;
      if (typeof body.email !== 'string' || typeof body.audience !== 'string')
        return send(res, 400, { error: 'email and audience are required' });
      const token = await mintToken(key, issuer, personClaims(body as PersonClaims), body.ttlSeconds ?? 3600);
      return send(res, 200, { id_token: token });
    }
    return send(res, 404, { error: 'not found' });
  }

  /** GET: the login form (the request's parameters carried in hidden fields); POST: a code, by redirect. */
  function authorize(p: URLSearchParams, submitted: boolean, res: ServerResponse) {
    const clientId = p.get('client_id') ?? '';
    const redirectUri = p.get('redirect_uri') ?? '';
    // No client registry here: any client id, but only loopback redirect URIs (codes never leave the machine).
    if (!clientId || !isLoopbackUrl(redirectUri))
      return sendHtml(
        res,
        400,
        page('Bad request', '<p>client_id and a loopback redirect_uri are required.</p>'),
      );
    const back = (params: Record<string, string>) => {
      const to = new URL(redirectUri);
      for (const [k, v] of Object.entries({ ...params, state: p.get('state') ?? '' }))
        if (v) to.searchParams.set(k, v);
      res.writeHead(302, { location: to.toString() }).end();
    };
    if (p.get('response_type') !== 'code') return back({ error: 'unsupported_response_type' });
    const challenge = p.get('code_challenge') ?? '';
    if (p.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(challenge))
      return back({ error: 'invalid_request', error_description: 'PKCE with S256 is required' });
    if (!submitted) return sendHtml(res, 200, loginForm(p));
    const email = (p.get('email') ?? '').trim().toLowerCase();
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) return sendHtml(res, 400, loginForm(p, 'Enter an email address.'));
    const groups = (p.get('groups') ?? '')
      .split(',')
      .map((g) => g.trim())
      .filter(Boolean);
    const code = randomBytes(32).toString('base64url');
    const nonce = p.get('nonce');
    codes.set(code, {
      clientId,
      redirectUri,
      codeChallenge: challenge,
      ...(nonce ? { nonce } : {}),
      email,
      groups,
      expiresAt: Date.now() + 60_000,
    });
    return back({ code });
  }

  /** The token endpoint (RFC 6749 4.1.3, RFC 7636 4.6): one use per code, PKCE S256 checked. */
  async function exchange(p: URLSearchParams, res: ServerResponse): Promise<void> {
    const code = p.get('code') ?? '';
    const pending = codes.get(code);
    codes.delete(code);
    if (p.get('grant_type') !== 'authorization_code')
      return sendCors(res, 400, { error: 'unsupported_grant_type' });
    const verifier = p.get('code_verifier') ?? '';
    if (
      !pending ||
      pending.expiresAt < Date.now() ||
      pending.clientId !== p.get('client_id') ||
      pending.redirectUri !== p.get('redirect_uri') ||
      !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) ||
      createHash('sha256').update(verifier).digest('base64url') !== pending.codeChallenge
    )
      return sendCors(res, 400, { error: 'invalid_grant' });
    const ttlSeconds = 3600;
    const claims = {
      ...personClaims({ email: pending.email, groups: pending.groups, audience: pending.clientId }),
      ...(pending.nonce ? { nonce: pending.nonce } : {}),
    };
    const idToken = await mintToken(key, issuer, claims, ttlSeconds);
    return sendCors(res, 200, { id_token: idToken, token_type: 'Bearer', expires_in: ttlSeconds });
  }

  const port = await listen(server, options.port, host, 'development OIDC issuer');
  issuer = `http://${host}:${port}`;
  return { issuer, port, close: () => closeServer(server) };
}

/**
 * A stand-in for the Compute metadata server's identity endpoint, as `google-auth-library`'s Compute client
 * calls it (GCE_METADATA_HOST): it mints ID tokens for one service account from the development issuer.
 */
export async function startMetadataServer(options: {
  port: number;
  host?: string;
  stateDir: string;
  issuer: string;
  serviceAccount: string;
  projectId: string;
}): Promise<{ host: string; port: number; close(): Promise<void> }> {
  const key = await loadIssuerKey(options.stateDir);
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://metadata');
      res.setHeader('Metadata-Flavor', 'Google');
      if (req.headers['metadata-flavor'] !== 'Google')
        return sendText(res, 403, 'Missing Metadata-Flavor header');
      const base = '/computeMetadata/v1/';
      const path = url.pathname.startsWith(base) ? url.pathname.slice(base.length) : '';
      const identity = /^instance\/service-accounts\/([^/]+)\/identity$/.exec(path);
      if (identity) {
        const audience = url.searchParams.get('audience');
        if (!audience) return sendText(res, 400, 'audience is required');
        const token = await mintToken(
          key,
          options.issuer,
          {
            sub: `sa:${options.serviceAccount}`,
            aud: audience,
            azp: options.serviceAccount,
            email: options.serviceAccount,
            email_verified: true,
          },
          3600,
        );
        return sendText(res, 200, token);
      }
      if (/^instance\/service-accounts\/[^/]+\/email$/.test(path))
        return sendText(res, 200, options.serviceAccount);
      if (path === 'project/project-id') return sendText(res, 200, options.projectId);
      if (path === '' && url.pathname === '/') return sendText(res, 200, 'ok');
      return sendText(res, 404, 'not found');
    })().catch((err: unknown) => sendText(res, 500, String(err)));
  });
  const port = await listen(server, options.port, host, `metadata server for ${options.serviceAccount}`);
  return { host: `${host}:${port}`, port, close: () => closeServer(server) };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The development login form: no password, any email and groups (this issuer is for loopback use only). */
function loginForm(p: URLSearchParams, error?: string): string {
  const hidden = [
    'client_id',
    'redirect_uri',
    'response_type',
    'scope',
    'state',
    'nonce',
    'code_challenge',
    'code_challenge_method',
  ]
    .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(p.get(k) ?? '')}">`)
    .join('');
  return page(
    'Development sign-in',
    `<p>Local development issuer: no password. Sign in as anyone, for testing only.</p>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/authorize">${hidden}
<p><label for="email">Email</label><br><input id="email" name="email" type="email" required value="${escapeHtml(p.get('email') ?? p.get('login_hint') ?? '')}" autocomplete="username"></p>
<p><label for="groups">Groups (comma-separated)</label><br><input id="groups" name="groups" value="${escapeHtml(p.get('groups') ?? '')}" placeholder="privacy-office"></p>
<p><button type="submit">Sign in</button></p>
</form>`,
  );
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}input{font:inherit;width:100%;padding:.4rem}button{font:inherit;padding:.4rem 1.2rem}</style></head>
<body><main><h1>${title}</h1>${body}</main></body></html>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function isLoopbackUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  } catch {
    return false;
  }
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res
    .writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      'cache-control': 'no-store',
    })
    .end(html);
}

/** Token responses are read by browser code on another origin (the console): CORS, never cached. */
function sendCors(res: ServerResponse, status: number, body?: unknown): void {
  res.writeHead(status, {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': 'POST',
    'access-control-allow-headers': 'content-type',
    'cache-control': 'no-store',
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
  });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
