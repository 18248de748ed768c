// OIDC ID-token verification with jose: issuer allow-list, discovery, JWKS signature, aud, exp.

import { createRemoteJWKSet, decodeJwt, type JWTVerifyGetKey, errors as joseErrors, jwtVerify } from 'jose';
import { WardenError } from '../../core/errors.ts';
import {
  type Principal,
  principalFromClaims,
  type TrustedIssuer,
  type VerifiedClaims,
} from '../../core/identity/principal.ts';
import type { TokenVerifier } from '../../ports/token-verifier.ts';

export interface OidcVerifierOptions {
  issuers: TrustedIssuer[];
  /** Allowed clock skew in seconds. */
  clockToleranceSeconds?: number;
  /** How long a failed discovery is remembered before it is tried again (ms). */
  fetchTimeoutMs?: number;
}

/** Verifies tokens from configured issuers only; JWKS URIs come from those issuers' discovery documents. */
export class OidcTokenVerifier implements TokenVerifier {
  readonly #issuers: Map<string, TrustedIssuer>;
  readonly #jwks = new Map<string, Promise<JWTVerifyGetKey>>();
  readonly #tolerance: number;
  readonly #timeout: number;

  constructor(options: OidcVerifierOptions) {
    this.#issuers = new Map(options.issuers.map((i) => [i.issuer, i]));
    this.#tolerance = options.clockToleranceSeconds ?? 30;
    this.#timeout = options.fetchTimeoutMs ?? 5000;
  }

  async verify(token: string): Promise<Principal> {
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
        issuer: issuer.issuer,
        audience: issuer.audiences,
        clockTolerance: this.#tolerance,
        requiredClaims: ['sub', 'exp', 'iat'],
        algorithms: ['RS256', 'ES256', 'PS256', 'EdDSA'],
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
        cooldownDuration: 30_000,
        cacheMaxAge: 600_000,
      });
    } catch (err) {
      throw new WardenError('unavailable', 'The identity provider could not be reached.', { cause: err });
    }
  }
}

function messageFor(err: InstanceType<typeof joseErrors.JOSEError>): string {
  if (err instanceof joseErrors.JWTExpired) return 'The bearer token has expired.';
  if (err instanceof joseErrors.JWTClaimValidationFailed)
    return `The bearer token's ${err.claim} claim is not acceptable.`;
  if (err instanceof joseErrors.JWSSignatureVerificationFailed || err instanceof joseErrors.JWKSNoMatchingKey)
    return 'The bearer token signature is not valid.';
  return 'The bearer token is not valid.';
}
