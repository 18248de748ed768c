// The executor hop's ID tokens, minted by the runtime's metadata server (google-auth-library's Compute client,
// loaded on first use), as Cloud Functions service-to-service calls are.

import { decodeJwt } from 'jose';
import { named } from '../clients.ts';
import type { IdTokenSource } from './http-query-runner.ts';

/** ID tokens from the metadata server (GCE_METADATA_HOST locally), cached until shortly before expiry. */
export class MetadataIdTokenSource implements IdTokenSource {
  readonly #cache = new Map<string, { token: string; exp: number }>();

  async idToken(audience: string): Promise<string> {
    const hit = this.#cache.get(audience);
    if (hit && hit.exp - 60_000 > Date.now()) return hit.token;
    const Compute = named(await import('google-auth-library'), 'Compute');
    const token = await new Compute().fetchIdToken(audience);
    this.#cache.set(audience, { token, exp: (decodeJwt(token).exp ?? 0) * 1000 });
    return token;
  }
}
