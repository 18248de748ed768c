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
