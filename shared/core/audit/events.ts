// Builders for the audit events Warden writes, so every writer records the same documented fields.

import { createHash } from 'node:crypto';
import type { Principal } from '../identity/principal.ts';
import type { Decision } from '../policy/policy.ts';
import { formatTableRef, type QueryFacts } from '../query/facts.ts';
import type { Json } from './canonical-json.ts';
import type { AuditPrincipal } from './record.ts';

/** The principal as recorded: identity, groups and actor chain, nothing else from the token. */
export function auditPrincipal(p: Principal): { [k: string]: Json } {
  return {
    subject: p.subject,
    issuer: p.issuer,
    ...(p.email ? { email: p.email } : {}),
    groups: p.groups,
    actorChain: p.actorChain.map((a) => ({ ...a })),
    ...(p.onBehalfOf ? { onBehalfOf: { ...p.onBehalfOf, groups: [...p.onBehalfOf.groups] } } : {}),
  } satisfies AuditPrincipal;
}

/** The query facts as recorded. */
export function auditQuery(sql: string, facts?: QueryFacts): { [k: string]: Json } {
  return {
    sql,
    sqlSha256: sha256Hex(sql),
    ...(facts
      ? {
          statementType: facts.statementType,
          referencedTables: facts.referencedTables.map(formatTableRef),
          totalBytesProcessed: facts.totalBytesProcessed,
        }
      : {}),
  };
}

/** The decision as recorded: effect, deciding rule, reasons, policy version, limits, PHI facts, approval. */
export function auditDecision(d: Decision): { [k: string]: Json } {
  return {
    effect: d.effect,
    rule: d.rule,
    reasons: d.reasons,
    policyVersion: d.policyVersion,
    rowLimit: d.rowLimit,
    cellLimit: d.cellLimit,
    byteLimit: d.byteLimit,
    maximumBytesBilled: d.maximumBytesBilled,
    maskingProfile: d.maskingProfile,
    touchesPhi: d.touchesPhi,
    phiClasses: d.phiClasses,
    ...(d.analysis ? { analysis: d.analysis } : {}),
    ...(d.credential ? { credential: d.credential } : {}),
    ...(d.approval ? { approval: { ...d.approval, groups: [...d.approval.groups] } } : {}),
  };
}

/** SHA-256 (hex) of a string or bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
