// OIDC ID-token verification with jose: issuer allow-list, discovery, JWKS signature, aud, exp.

import { createRemoteJWKSet, decodeJwt, type JWTVerifyGetKey, errors as joseErrors, jwtVerify } from 'jose';
import { WardenError } from '../../core/errors.ts';
import {
  copyPrincipal,
  type Principal,
  principalFromClaims,
  type TrustedIssuer,
  type VerifiedClaims,
} from '../../core/identity/principal.ts';
import type { TokenVerifier } from '../../ports/token-verifier.ts';

export interface OidcVerifierOptions {
  issuers: TrustedIssuer[];
  /** Allowed clock skew in seconds (at most 300). */
  clockToleranceSeconds?: number;
  /** Oldest acceptable `iat`, in seconds (default one day; ID tokens live an hour). */
  maxTokenAgeSeconds?: number;
  /** Timeout of discovery and JWKS fetches (ms). */
  fetchTimeoutMs?: number;
  /** Least time between two JWKS fetches (an unknown kid refetches; default 30 s, so kids cannot flood the issuer). */
  jwksCooldownMs?: number;
  /**
   * How long a verified token's result is reused for the same token bytes (default 60 s; 0 turns it off). A
   * client sends one bearer token for its whole life (an hour for Google ID tokens), and the gateway one service
   * token to the executor, so each call re-verified the same signature: 0.05-0.1 ms of CPU alone, about 0.5 ms
   * per verification in the functions (docs/performance.md, the re-profile). An entry never outlives the
   * token's own `exp` or its `iat` plus the maximum age; a token that failed is never kept.
   */
  verifiedTtlMs?: number;
  /** Clock of the reuse (tests); jose checks the claims with its own. */
  now?: () => number;
}

/** Verified tokens kept for reuse, at most; the oldest entry goes first. */
const MAX_VERIFIED = 1000;

/** Verifies tokens from configured issuers only; JWKS URIs come from those issuers' discovery documents. */
export class OidcTokenVerifier implements TokenVerifier {
  readonly #issuers: Map<string, TrustedIssuer>;
  readonly #jwks = new Map<string, Promise<JWTVerifyGetKey>>();
  readonly #tolerance: number;
  readonly #maxAge: number;
  readonly #timeout: number;
  readonly #cooldown: number;
  readonly #verifiedTtl: number;
  readonly #now: () => number;
  readonly #verified = new Map<string, { principal: Principal; untilMs: number }>();

  constructor(options: OidcVerifierOptions) {
    this.#issuers = new Map(
      options.issuers.flatMap((i) => issuerNames(i.issuer).map((name) => [name, i] as const)),
    );
    this.#tolerance = Math.min(options.clockToleranceSeconds ?? 30, 300);
    this.#maxAge = options.maxTokenAgeSeconds ?? 86_400;
    this.#timeout = options.fetchTimeoutMs ?? 5000;
    this.#cooldown = options.jwksCooldownMs ?? 30_000;
    this.#verifiedTtl = options.verifiedTtlMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  async verify(token: string): Promise<Principal> {
    const now = this.#now();
    const hit = this.#verified.get(token);
    // The same bytes verified a moment ago: the same signature, issuer and audience; only time could have
    // changed, and the entry ends before the token's own expiry or maximum age (no tolerance granted).
    if (hit && now < hit.untilMs) return copyPrincipal(hit.principal);
    if (hit) this.#verified.delete(token);
    const principal = await this.#verifyNow(token);
    if (this.#verifiedTtl > 0) this.#remember(token, principal, now);
    return principal;
  }

  #remember(token: string, principal: Principal, now: number): void {
    const { exp, iat } = decodeJwt(token);
    if (typeof exp !== 'number' || typeof iat !== 'number') return;
    const untilMs = Math.min(exp * 1000, (iat + this.#maxAge) * 1000, now + this.#verifiedTtl);
    if (untilMs <= now) return;
    if (this.#verified.size >= MAX_VERIFIED) {
      const oldest = this.#verified.keys().next();
      if (!oldest.done) this.#verified.delete(oldest.value);
    }
    this.#verified.set(token, { principal: copyPrincipal(principal), untilMs });
  }

  async #verifyNow(token: string): Promise<Principal> {
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch (err) {
      throw new WardenError('unauthenticated', 'The bearer token is malformed.', { cause: err });
    }
    const issuer = typeof iss === 'string' ? this.#issuers.get(iss) : undefined;
    // The issuer is looked up before any network call, so an attacker cannot make us fetch their JWKS.
    if (!issuer) throw new WardenError('unauthenticated', 'The token issuer is not trusted.');
    const keys = await this.#keysFor(issuer);
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: issuerNames(issuer.issuer),
        audience: issuer.audiences,
        clockTolerance: this.#tolerance,
        maxTokenAge: this.#maxAge,
        requiredClaims: ['sub', 'exp', 'iat'],
        // Asymmetric algorithms only: an HMAC "signed" with a public key must never verify.
        algorithms: ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'PS256', 'PS384', 'PS512', 'EdDSA'],
      });
      return principalFromClaims(payload as VerifiedClaims, issuer);
    } catch (err) {
      if (err instanceof WardenError) throw err;
      if (err instanceof joseErrors.JOSEError && !(err instanceof joseErrors.JWKSTimeout)) {
        throw new WardenError('unauthenticated', messageFor(err), { cause: err });
      }
      throw new WardenError('unavailable', 'The identity provider could not be reached.', { cause: err });
    }
  }

  #keysFor(issuer: TrustedIssuer): Promise<JWTVerifyGetKey> {
    let keys = this.#jwks.get(issuer.issuer);
    if (!keys) {
      keys = this.#discover(issuer);
      this.#jwks.set(issuer.issuer, keys);
      keys.catch(() => this.#jwks.delete(issuer.issuer));
    }
    return keys;
  }

  async #discover(issuer: TrustedIssuer): Promise<JWTVerifyGetKey> {
    const url = `${issuer.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(this.#timeout) });
      if (!res.ok) throw new Error(`discovery answered HTTP ${res.status}`);
      const doc = (await res.json()) as { issuer?: string; jwks_uri?: string };
      if (doc.issuer !== issuer.issuer || typeof doc.jwks_uri !== 'string')
        throw new Error('discovery document does not match the issuer');
      return createRemoteJWKSet(new URL(doc.jwks_uri), {
        timeoutDuration: this.#timeout,
        cooldownDuration: this.#cooldown,
        cacheMaxAge: 600_000,
      });
    } catch (err) {
      throw new WardenError('unavailable', 'The identity provider could not be reached.', { cause: err });
    }
  }
}

/** Google ID tokens carry `iss` with or without the scheme (https://developers.google.com/identity/openid-connect/openid-connect#validatinganidtoken). */
function issuerNames(issuer: string): string[] {
  return issuer === 'https://accounts.google.com' ? [issuer, 'accounts.google.com'] : [issuer];
}

function messageFor(err: InstanceType<typeof joseErrors.JOSEError>): string {
  if (err instanceof joseErrors.JWTExpired) return 'The bearer token has expired or is too old.';
  if (err instanceof joseErrors.JWTClaimValidationFailed)
    return `The bearer token's ${err.claim} claim is not acceptable.`;
  if (err instanceof joseErrors.JWSSignatureVerificationFailed || err instanceof joseErrors.JWKSNoMatchingKey)
    return 'The bearer token signature is not valid.';
  return 'The bearer token is not valid.';
}
