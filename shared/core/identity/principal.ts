// Caller identity: a verified token's claims → Principal (45 CFR 164.312(a)(2)(i), 164.312(d)).

import { WardenError } from '../errors.ts';

/** One link of a delegation chain (RFC 8693 `act` claim): who acts on the principal's behalf. */
export interface Actor {
  subject: string;
  issuer?: string;
  email?: string;
}

/** The verified caller. `subject` + `issuer` identify it uniquely; `actorChain` lists who acts for it. */
export interface Principal {
  subject: string;
  issuer: string;
  email?: string;
  groups: string[];
  actorChain: Actor[];
}

/** A trusted issuer and how to read its tokens. */
export interface TrustedIssuer {
  issuer: string;
  /** Accepted `aud` values: this gateway's URL or client ids. */
  audiences: string[];
  /** Claim holding group names (default `groups`). */
  groupsClaim?: string;
  /** Require `email_verified` to be true before trusting `email` (default true). */
  requireVerifiedEmail?: boolean;
}

/** Claims of a token whose signature, issuer, audience and lifetime were already checked. */
export type VerifiedClaims = Record<string, unknown> & { iss: string; sub: string };

/** Builds the Principal from verified claims; throws `unauthenticated` if they are unusable. */
export function principalFromClaims(claims: VerifiedClaims, issuer: TrustedIssuer): Principal {
  if (typeof claims.sub !== 'string' || claims.sub === '')
    throw new WardenError('unauthenticated', 'The token has no subject.');
  const requireVerified = issuer.requireVerifiedEmail ?? true;
  const email =
    typeof claims['email'] === 'string' &&
    (!requireVerified || claims['email_verified'] === true || claims['email_verified'] === 'true')
      ? claims['email'].toLowerCase()
      : undefined;
  const rawGroups = claims[issuer.groupsClaim ?? 'groups'];
  const groups = Array.isArray(rawGroups)
    ? rawGroups.filter((g): g is string => typeof g === 'string')
    : typeof rawGroups === 'string'
      ? [rawGroups]
      : [];
  return {
    subject: claims.sub,
    issuer: claims.iss,
    ...(email ? { email } : {}),
    groups,
    actorChain: actorChain(claims['act']),
  };
}

/** Flattens nested RFC 8693 `act` claims, nearest actor first. */
function actorChain(act: unknown, depth = 0): Actor[] {
  if (!act || typeof act !== 'object' || depth > 8) return [];
  const a = act as Record<string, unknown>;
  if (typeof a['sub'] !== 'string') return [];
  const actor: Actor = { subject: a['sub'] };
  if (typeof a['iss'] === 'string') actor.issuer = a['iss'];
  if (typeof a['email'] === 'string') actor.email = a['email'];
  return [actor, ...actorChain(a['act'], depth + 1)];
}
