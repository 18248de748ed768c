// Port: verifying bearer tokens (OIDC ID tokens) into a Principal.

import type { Principal } from '../core/identity/principal.ts';

/** Verifies a compact JWS; throws WardenError('unauthenticated') when it is not acceptable. */
export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}
