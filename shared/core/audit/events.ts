// Builders for the audit events Warden writes, so every writer records the same documented fields. The events
// themselves (their types and fields) are defined once, in ./schema.ts; writers call these builders rather than
// spelling `type` strings, and the approval family's builder is approval/audit.ts `approvalAuditEvent`.

import { createHash } from 'node:crypto';
import type { Principal } from '../identity/principal.ts';
import type { Decision } from '../policy/policy.ts';
import { formatTableRef, type QueryFacts } from '../query/facts.ts';
import type { AuditDecision, AuditEventType, AuditPrincipal, AuditQuery, EventOf } from './schema.ts';
import type { KeyCertificate } from './signing-key.ts';

/** The principal as recorded: identity, groups and actor chain, nothing else from the token. */
export function auditPrincipal(p: Principal): AuditPrincipal {
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
export function auditQuery(sql: string, facts?: QueryFacts): AuditQuery {
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
export function auditDecision(d: Decision): AuditDecision {
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

// --- one builder per event (the approval family's is approval/audit.ts) ------------------------------------

/** An event's fields without its `type` (index signatures kept: unknown extra fields stay allowed). */
type Fields<T extends AuditEventType> = {
  [K in keyof EventOf<T> as K extends 'type' ? never : K]: EventOf<T>[K];
};
/** …with the fields every writer must give made required. */
type Given<T extends AuditEventType, R extends keyof Fields<T>> = Fields<T> & Required<Pick<Fields<T>, R>>;

const build =
  <T extends AuditEventType, R extends keyof Fields<T> = never>(type: T) =>
  (fields: Given<T, R>): EventOf<T> =>
    ({ type, ...fields }) as unknown as EventOf<T>;

/** seq 0 of every stream: the KMS certificate of the instance key that signs it. */
export const streamStartEvent = (certificate: KeyCertificate): EventOf<'stream.start'> => ({
  type: 'stream.start',
  certificate,
});
/** An MCP request as received: who, and a summary of the JSON-RPC call (never argument values). */
export const mcpRequestEvent = build<'mcp.request', 'requestId' | 'principal' | 'rpc'>('mcp.request');
/** The MCP answer sent: its HTTP status and the SHA-256 of the exact body. */
export const mcpResponseEvent = build<'mcp.response', 'requestId' | 'status' | 'responseSha256'>(
  'mcp.response',
);
/** A request refused before any tool ran: 401 (`mcp.unauthenticated`) or another status (`mcp.rejected`). */
export const mcpRefusalEvent = (
  fields: Given<'mcp.rejected', 'requestId' | 'status' | 'reason'>,
): EventOf<'mcp.rejected' | 'mcp.unauthenticated'> =>
  ({ type: fields.status === 401 ? 'mcp.unauthenticated' : 'mcp.rejected', ...fields }) as EventOf<
    'mcp.rejected' | 'mcp.unauthenticated'
  >;
/** The answer asked the client for input (a missing reason) instead of refusing. */
export const inputRequestedEvent = build<'mcp.input_requested', 'requestId' | 'tool' | 'input' | 'rule'>(
  'mcp.input_requested',
);
/** A policy decision: the intent record, durable before anything runs. */
export const policyDecisionEvent = build<
  'policy.decision',
  'requestId' | 'tool' | 'principal' | 'projectId' | 'decision'
>('policy.decision');
/** The executor starts a query (group-committed with its release record). */
export const queryStartEvent = build<
  'query.start',
  'requestId' | 'principal' | 'projectId' | 'query' | 'decision'
>('query.start');
/** A query's end: what was released (the release record) or the error. */
export const queryEndEvent = build<
  'query.end',
  'requestId' | 'principal' | 'projectId' | 'outcome' | 'durationMs'
>('query.end');
/** The executor refused an execution grant (forged, replayed, malformed). */
export const executionRefusedEvent = build<'execution.refused', 'requestId' | 'error'>('execution.refused');
/** A refused approval transition (approval/audit.ts `approvalRefusalEvent` fills it). */
export const approvalRefusedEvent = build<'approval.refused', 'requestId' | 'attempted' | 'actor' | 'error'>(
  'approval.refused',
);
/** Stored rows of an approved query released to its requester. */
export const resultFetchEvent = build<'result.fetch', 'requestId' | 'approvalId' | 'jobId' | 'rowCount'>(
  'result.fetch',
);
/** A job looked up (`job.get`) or cancelled (`job.cancel`, durable before the cancellation is sent). */
export const jobEvent = (
  action: 'get' | 'cancel',
  fields: Given<'job.get', 'requestId' | 'principal' | 'jobId'>,
): EventOf<'job.get' | 'job.cancel'> =>
  ({ type: action === 'cancel' ? 'job.cancel' : 'job.get', ...fields }) as EventOf<'job.get' | 'job.cancel'>;
/** An approvals-API call (who, method, path), recorded before anything is answered. */
export const apiRequestEvent = build<'api.request', 'requestId' | 'principal' | 'method' | 'path'>(
  'api.request',
);

/** A break-glass use reviewed after the fact; `requestId` is the use's, `note` already made recordable. */
export const breakGlassReviewedEvent = build<
  'breakglass.reviewed',
  'requestId' | 'apiRequestId' | 'reviewer' | 'outcome' | 'user' | 'rule' | 'usedAt'
>('breakglass.reviewed');

/** SHA-256 (hex) of a string or bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
