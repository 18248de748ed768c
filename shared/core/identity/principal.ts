// Caller identity: a verified token's claims → Principal (45 CFR 164.312(a)(2)(i), 164.312(d)).

import { WardenError } from '../errors.ts';
import { globMatch } from '../glob.ts';
import { normalizeEmail } from './normalize.ts';

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
  /** The person a calling service acts for, from a second verified ID token (see `ON_BEHALF_OF_HEADER`). */
  onBehalfOf?: Person;
}

/** A verified person on whose behalf a service calls. */
export interface Person {
  subject: string;
  issuer: string;
  email?: string;
  groups: string[];
}

/**
 * Header in which an MCP server acting for a person presents that person's ID token (same issuers and
 * audience as the bearer token). Both tokens are verified; neither is forwarded anywhere.
 */
export const ON_BEHALF_OF_HEADER = 'x-warden-on-behalf-of';

/**
 * A deep copy of `p` that shares nothing with it (a verified principal kept for reuse is handed out as copies).
 * Field by field: structuredClone serialises (1.15 µs against 0.02 µs in isolation, on every reused token).
 */
export function copyPrincipal(p: Principal): Principal {
  const copy: Principal = { ...p, groups: [...p.groups], actorChain: p.actorChain.map((a) => ({ ...a })) };
  if (p.onBehalfOf) copy.onBehalfOf = { ...p.onBehalfOf, groups: [...p.onBehalfOf.groups] };
  return copy;
}

/** The caller, acting for `person`. */
export function actingFor(caller: Principal, person: Principal): Principal {
  return {
    ...caller,
    onBehalfOf: {
      subject: person.subject,
      issuer: person.issuer,
      ...(person.email ? { email: person.email } : {}),
      groups: person.groups,
    },
  };
}

/** Static group memberships for issuers whose tokens carry no groups (Google ID tokens). */
export interface GroupMapping {
  group: string;
  /** Emails (glob: `*@example.org`) or `subject:<issuer>|<sub>` entries. */
  members: string[];
}

/** The principal with the groups that `mappings` give it added (and its person's, likewise). */
export function withMappedGroups<
  T extends { subject: string; issuer: string; email?: string; groups: string[] },
>(p: T, mappings: GroupMapping[]): T {
  const extra = mappings.filter((m) => m.members.some((member) => isMember(member, p))).map((m) => m.group);
  const groups = [...new Set([...p.groups, ...extra])];
  const person = (p as { onBehalfOf?: Person }).onBehalfOf;
  return { ...p, groups, ...(person ? { onBehalfOf: withMappedGroups(person, mappings) } : {}) };
}

function isMember(member: string, p: { subject: string; issuer: string; email?: string }): boolean {
  if (member.startsWith('subject:')) return member === `subject:${p.issuer}|${p.subject}`;
  return p.email !== undefined && globMatch(member.toLowerCase(), p.email);
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
      ? normalizeEmail(claims['email'])
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
