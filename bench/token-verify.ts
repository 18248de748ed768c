// The bearer-token check of every request (OidcTokenVerifier, shared/adapters/oidc/token-verifier.ts) with and
// without the reuse of a verified token (`verifiedTtlMs`), in one process against a local issuer (discovery and
// JWKS over loopback, fetched once). The same token on every call, as a client and the gateway's service-token
// source send it. CPU of this process per verification, five interleaved rounds, least / median round.
//
//   node bench/token-verify.ts [verifications per round, default 2000]

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { OidcTokenVerifier } from '../shared/adapters/oidc/token-verifier.ts';

const per = Number(process.argv[2] ?? 2000);
const results: Record<string, number[]> = {};
for (const alg of ['RS256', 'ES256'] as const) {
  const key = await generateKeyPair(alg);
  const jwk = { ...(await exportJWK(key.publicKey)), kid: 'k', alg };
  const server = createServer((req, res) => {
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    res.end(
      JSON.stringify(
        req.url === '/.well-known/openid-configuration'
          ? { issuer, jwks_uri: `${issuer}/jwks` }
          : { keys: [jwk] },
      ),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const token = await new SignJWT({ sub: 'service', aud: 'aud', email: 'gateway@example.iam' })
    .setProtectedHeader({ alg, kid: 'k' })
    .setIssuer(issuer)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(key.privateKey);
  const verifiers = {
    [`${alg}, verified every time`]: new OidcTokenVerifier({
      issuers: [{ issuer, audiences: ['aud'] }],
      verifiedTtlMs: 0,
    }),
    [`${alg}, reused (default)`]: new OidcTokenVerifier({ issuers: [{ issuer, audiences: ['aud'] }] }),
  };
  for (const v of Object.values(verifiers)) for (let i = 0; i < 200; i++) await v.verify(token);
  for (let round = 0; round < 5; round++)
    for (const [kind, v] of Object.entries(verifiers)) {
      const c0 = process.cpuUsage();
      for (let i = 0; i < per; i++) await v.verify(token);
      const c = process.cpuUsage(c0);
      results[kind] = [...(results[kind] ?? []), (c.user + c.system) / 1000 / per];
    }
  server.close();
}
console.log(
  `${per * 5} verifications per kind in 5 interleaved rounds; CPU ms per verification, least / median`,
);
for (const [kind, xs] of Object.entries(results)) {
  const s = [...xs].sort((a, b) => a - b);
  console.log(`${kind.padEnd(28)} ${s[0]!.toFixed(3)} / ${s[2]!.toFixed(3)}`);
}
