// Where the bridge's ID tokens come from (TokenSource), and the cache that reuses one until shortly before
// it expires.

import { decodeJwt } from 'jose';

/** Mints bearer tokens (OIDC ID tokens) for the gateway. Sources do not cache: TokenCache does. */
export interface TokenSource {
  /** What the tokens come from, for logs; never a secret. */
  readonly description: string;
  /** The audience the source asks for, when it asks for one (the bridge warns if a token carries another). */
  readonly audience?: string;
  /** Mints a new token; failures are BridgeErrors whose message tells the user what to fix. */
  mint(): Promise<string>;
}

/** What the bridge reads from a token, decoded without verification (the gateway verifies). */
export interface TokenFacts {
  /** `exp` in milliseconds since the epoch. */
  expiresAt?: number;
  audience: string[];
  /** `email`, else `sub`: who the token says it is, for the log. */
  identity?: string;
}

/** Decodes a token's claims without verifying it; a token that is not a JWT has no facts. */
export function tokenFacts(token: string): TokenFacts {
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(token);
  } catch {
    return { audience: [] };
  }
  const { exp, aud, email, sub } = claims;
  return {
    ...(typeof exp === 'number' ? { expiresAt: exp * 1000 } : {}),
    audience:
      typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a) => typeof a === 'string') : [],
    ...(typeof email === 'string' ? { identity: email } : typeof sub === 'string' ? { identity: sub } : {}),
  };
}

/** Options of a TokenCache. */
export interface TokenCacheOptions {
  /** Milliseconds since the epoch (tests move it). */
  now?: () => number;
  /** A token is re-minted this long before its `exp` (default 60 s). */
  refreshBeforeMs?: number;
  /** Called with each newly minted token (to log its facts and redact it from logs). */
  onToken?: (token: string, facts: TokenFacts) => void;
}

/**
 * Reuses the last minted token until `refreshBeforeMs` before its `exp` (a token without `exp` until the gateway
 * rejects it); concurrent callers share one mint.
 */
export class TokenCache {
  readonly source: TokenSource;
  readonly #now: () => number;
  readonly #refreshBeforeMs: number;
  readonly #onToken: ((token: string, facts: TokenFacts) => void) | undefined;
  #current: { token: string; expiresAt: number | undefined } | undefined;
  #minting: Promise<string> | undefined;

  constructor(source: TokenSource, options: TokenCacheOptions = {}) {
    this.source = source;
    this.#now = options.now ?? Date.now;
    this.#refreshBeforeMs = options.refreshBeforeMs ?? 60_000;
    this.#onToken = options.onToken;
  }

  /** A token good for at least `refreshBeforeMs` more, minted if the cached one is not. */
  get(): Promise<string> {
    const current = this.#current;
    if (
      current &&
      (current.expiresAt === undefined || current.expiresAt - this.#refreshBeforeMs > this.#now())
    )
      return Promise.resolve(current.token);
    this.#minting ??= this.#mint().finally(() => {
      this.#minting = undefined;
    });
    return this.#minting;
  }

  /** Forgets `token` if it is still the cached one (the gateway rejected it); a newer token is kept. */
  invalidate(token: string): void {
    if (this.#current?.token === token) this.#current = undefined;
  }

  async #mint(): Promise<string> {
    const token = await this.source.mint();
    const facts = tokenFacts(token);
    this.#current = { token, expiresAt: facts.expiresAt };
    this.#onToken?.(token, facts);
    return token;
  }
}
