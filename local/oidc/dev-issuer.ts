// A development OIDC issuer on loopback: discovery, JWKS, and ID tokens for people and for the local
// functions' service accounts (through metadata-server stand-ins, as Google's metadata server mints them).

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

/** Loads or creates the issuer key under `stateDir/oidc-key.json`. */
export async function loadIssuerKey(stateDir: string): Promise<KeyFile> {
  const path = join(stateDir, 'oidc-key.json');
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as KeyFile;
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

/**
 * Serves discovery and JWKS, plus `POST /dev/token` ({email, groups, audience, ttlSeconds}) for tests and
 * `warden token`. Loopback only: it hands out tokens to anyone who asks.
 */
export async function startDevIssuer(options: {
  port: number;
  host?: string;
  stateDir: string;
}): Promise<DevIssuer> {
  const key = await loadIssuerKey(options.stateDir);
  const host = options.host ?? '127.0.0.1';
  let issuer = '';
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
        response_types_supported: ['id_token'],
        claims_supported: ['sub', 'email', 'email_verified', 'groups', 'name', 'act'],
      });
    }
    if (req.method === 'GET' && url.pathname === '/jwks') return send(res, 200, { keys: [key.publicJwk] });
    if (req.method === 'POST' && url.pathname === '/dev/token') {
      const body = JSON.parse((await readBody(req)) || '{}') as Partial<PersonClaims>;
      if (typeof body.email !== 'string' || typeof body.audience !== 'string')
        return send(res, 400, { error: 'email and audience are required' });
      const token = await mintToken(key, issuer, personClaims(body as PersonClaims), body.ttlSeconds ?? 3600);
      return send(res, 200, { id_token: token });
    }
    return send(res, 404, { error: 'not found' });
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
