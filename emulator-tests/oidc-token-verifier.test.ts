// The OIDC verifier against the development issuer over loopback: the token matrix.

import assert from 'node:assert/strict';
import { generateKeyPair, SignJWT } from 'jose';
import { OidcTokenVerifier } from '../shared/adapters/oidc/token-verifier.ts';
import { isWardenError } from '../shared/core/errors.ts';
import { loadIssuerKey, mintToken } from '../standins/oidc/dev-issuer.ts';
import { theStack } from './harness.ts';

describe('OidcTokenVerifier (development issuer)', () => {
  const audience = 'https://warden.test';
  let verifier: OidcTokenVerifier;
  let mint: (claims: Record<string, unknown>, ttl?: number) => Promise<string>;
  before(async () => {
    const { issuer, stateDir } = theStack().info;
    verifier = new OidcTokenVerifier({
      issuers: [{ issuer, audiences: [audience] }],
      clockToleranceSeconds: 0,
    });
    const key = await loadIssuerKey(stateDir);
    mint = (claims, ttl = 300) =>
      mintToken(key, issuer, { sub: 'dev:ann@example.org', aud: audience, ...claims }, ttl);
  });

  it('accepts a valid token and returns the principal', async () => {
    const p = await verifier.verify(
      await mint({ email: 'ann@example.org', email_verified: true, groups: ['clinicians'] }),
    );
    assert.equal(p.subject, 'dev:ann@example.org');
    assert.equal(p.email, 'ann@example.org');
    assert.deepEqual(p.groups, ['clinicians']);
  });

  const rejected: { name: string; token: () => Promise<string> }[] = [
    { name: 'an expired token', token: () => mint({}, -10) },
    { name: 'a token for another audience', token: () => mint({ aud: 'https://other.example' }) },
    {
      name: 'a token with a tampered payload',
      token: async () => {
        const [h, , s] = (await mint({})).split('.');
        return `${h}.${Buffer.from(JSON.stringify({ iss: theStack().info.issuer, sub: 'dev:admin', aud: audience, exp: 9e9, iat: 1 })).toString('base64url')}.${s}`;
      },
    },
    {
      name: 'a token signed by another key with the same kid',
      token: async () => {
        const { privateKey } = await generateKeyPair('ES256');
        const kid = (await loadIssuerKey(theStack().info.stateDir)).kid;
        return new SignJWT({ sub: 'x', aud: audience })
          .setProtectedHeader({ alg: 'ES256', kid })
          .setIssuer(theStack().info.issuer)
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(privateKey);
      },
    },
    {
      name: 'an unsigned (alg none) token',
      token: async () => {
        const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        return `${enc({ alg: 'none' })}.${enc({ iss: theStack().info.issuer, sub: 'x', aud: audience, exp: 9e9, iat: 1 })}.`;
      },
    },
    { name: 'garbage', token: async () => 'not-a-jwt' },
  ];
  for (const c of rejected) {
    it(`rejects ${c.name} as unauthenticated`, async () => {
      await assert.rejects(verifier.verify(await c.token()), (e) => isWardenError(e, 'unauthenticated'));
    });
  }

  it('rejects an untrusted issuer without fetching anything from it', async () => {
    let fetched = false;
    const original = globalThis.fetch;
    globalThis.fetch = (async (...args: Parameters<typeof fetch>) => {
      fetched = true;
      return original(...args);
    }) as typeof fetch;
    try {
      const { privateKey } = await generateKeyPair('ES256');
      const token = await new SignJWT({ sub: 'x', aud: audience })
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer('http://127.0.0.1:9/evil')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
      await assert.rejects(verifier.verify(token), (e) => isWardenError(e, 'unauthenticated'));
      assert.equal(fetched, false);
    } finally {
      globalThis.fetch = original;
    }
  });

  it('fails closed as unavailable when the issuer cannot be reached', async () => {
    const offline = new OidcTokenVerifier({
      issuers: [{ issuer: 'http://127.0.0.1:9', audiences: [audience] }],
      fetchTimeoutMs: 500,
    });
    const { privateKey } = await generateKeyPair('ES256');
    const token = await new SignJWT({ sub: 'x', aud: audience })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('http://127.0.0.1:9')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    await assert.rejects(offline.verify(token), (e) => isWardenError(e, 'unavailable'));
  });
});

describe('OidcTokenVerifier: key rotation', () => {
  it('refetches the JWKS for an unknown kid and accepts tokens signed with the new key', async () => {
    const { createServer } = await import('node:http');
    const { exportJWK } = await import('jose');
    const keyA = await generateKeyPair('ES256');
    const keyB = await generateKeyPair('ES256');
    let current = [{ ...(await exportJWK(keyA.publicKey)), kid: 'a', alg: 'ES256' }];
    let fetches = 0;
    const server = createServer((req, res) => {
      const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      if (req.url === '/.well-known/openid-configuration')
        return void res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
      fetches++;
      res.end(JSON.stringify({ keys: current }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const verifier = new OidcTokenVerifier({
        issuers: [{ issuer, audiences: ['aud'] }],
        jwksCooldownMs: 0,
      });
      const sign = (key: Parameters<SignJWT['sign']>[0], kid: string) =>
        new SignJWT({ sub: 'x', aud: 'aud' })
          .setProtectedHeader({ alg: 'ES256', kid })
          .setIssuer(issuer)
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(key);
      assert.equal((await verifier.verify(await sign(keyA.privateKey, 'a'))).subject, 'x');
      current = [{ ...(await exportJWK(keyB.publicKey)), kid: 'b', alg: 'ES256' }];
      assert.equal((await verifier.verify(await sign(keyB.privateKey, 'b'))).subject, 'x');
      assert.equal(fetches, 2, 'one refetch for the rotated key');
      await assert.rejects(verifier.verify(await sign(keyA.privateKey, 'a')), (e) =>
        isWardenError(e, 'unauthenticated'),
      );
    } finally {
      server.close();
    }
  });
});

describe('OidcTokenVerifier: reuse of a verified token', () => {
  let server: import('node:http').Server;
  let issuer: string;
  let key: Awaited<ReturnType<typeof generateKeyPair>>;
  before(async () => {
    const { createServer } = await import('node:http');
    const { exportJWK } = await import('jose');
    key = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(key.publicKey)), kid: 'k', alg: 'ES256' };
    server = createServer((req, res) => {
      if (req.url === '/.well-known/openid-configuration')
        return void res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => server.close());
  const sign = (expSeconds: number, sub = 'x') =>
    new SignJWT({ sub, aud: 'aud', groups: ['g'] })
      .setProtectedHeader({ alg: 'ES256', kid: 'k' })
      .setIssuer(issuer)
      .setIssuedAt()
      .setExpirationTime(expSeconds)
      .sign(key.privateKey);

  it('reuses the result for the same token bytes until the token expires, then refuses it', async () => {
    const exp = Math.floor(Date.now() / 1000) + 1;
    const token = await sign(exp);
    // The reuse clock stands still; jose's is the real one.
    let now = Date.now();
    const verifier = new OidcTokenVerifier({
      issuers: [{ issuer, audiences: ['aud'] }],
      clockToleranceSeconds: 0,
      now: () => now,
    });
    const first = await verifier.verify(token);
    assert.deepEqual(first.groups, ['g']);
    first.groups.push('admins');
    await new Promise((r) => setTimeout(r, exp * 1000 - Date.now() + 50));
    // Expired by the real clock, so only a reused result answers; callers cannot alter what is kept.
    assert.deepEqual((await verifier.verify(token)).groups, ['g']);
    // At the token's own expiry the kept result ends: verified anew, and refused.
    now = exp * 1000;
    await assert.rejects(verifier.verify(token), (e) => isWardenError(e, 'unauthenticated'));
    now = exp * 1000 - 1;
    await assert.rejects(verifier.verify(token), (e) => isWardenError(e, 'unauthenticated'));
  });

  it('reuses nothing for other bytes, for a refused token, or when turned off', async () => {
    const verifier = new OidcTokenVerifier({ issuers: [{ issuer, audiences: ['aud'] }] });
    const token = await sign(Math.floor(Date.now() / 1000) + 300);
    assert.equal((await verifier.verify(token)).subject, 'x');
    const [h, p, s] = token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: 'admin' })).toString('base64url')}.${s}`;
    for (let i = 0; i < 2; i++)
      await assert.rejects(verifier.verify(forged), (e) => isWardenError(e, 'unauthenticated'));

    const exp = Math.floor(Date.now() / 1000) + 1;
    const short = await sign(exp);
    const off = new OidcTokenVerifier({
      issuers: [{ issuer, audiences: ['aud'] }],
      clockToleranceSeconds: 0,
      verifiedTtlMs: 0,
      now: () => 0,
    });
    assert.equal((await off.verify(short)).subject, 'x');
    await new Promise((r) => setTimeout(r, exp * 1000 - Date.now() + 50));
    await assert.rejects(off.verify(short), (e) => isWardenError(e, 'unauthenticated'));
  });
});
