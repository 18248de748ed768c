// The approval request document: a parked query, who asked, who must decide, and its binding hash.

import type { QueryParameter } from '../../ports/warehouse.ts';
import { canonicalize, type Json } from '../audit/canonical-json.ts';
import { sha256Hex } from '../audit/events.ts';
import type { KeyCertificate } from '../audit/signing-key.ts';
import { WardenError } from '../errors.ts';
import { visibleText } from '../identity/normalize.ts';
import type { Actor, Person, Principal } from '../identity/principal.ts';
import type { Decision } from '../policy/evaluate.ts';
import type { QueryFacts, TableRef } from '../query/facts.ts';

/** The states a parked request moves through (see state-machine.ts for the legal transitions). */
export type ApprovalState =
  | 'PENDING'
  | 'APPROVED'
  | 'DENIED'
  | 'EXPIRED'
  | 'CANCELLED'
  | 'EXECUTING'
  | 'SUCCEEDED'
  | 'FAILED';

/** A verified identity as recorded on a request: `issuer` + `subject` identify it; `email` is verified. */
export interface ApprovalIdentity {
  subject: string;
  issuer: string;
  email?: string;
}

/** An identity with the groups it had when it acted. */
export interface ApprovalParty extends ApprovalIdentity {
  groups: string[];
}

/** Who parked the request: the verified caller, with the delegation chain its token carried. */
export interface ApprovalRequester extends ApprovalParty {
  actorChain: Actor[];
}

/** One approver's decision. */
export interface ApprovalReview {
  /** Who decided: the authenticated bearer (a review is never made on someone's behalf). */
  approver: ApprovalIdentity;
  /** Reviews recorded before on-behalf-of reviews were refused name the service that carried them. */
  via?: ApprovalIdentity;
  decision: 'approve' | 'deny';
  reason: string;
  at: Date;
}

/** How an execution failed (a WardenError's kind and safe message). */
export interface ApprovalExecutionError {
  kind: string;
  message: string;
}

/** What became of the execution of an approved request. Never holds result rows. */
export interface ApprovalExecution {
  claimedAt?: Date;
  /** The executor instance that claimed the request. */
  claimedBy?: string;
  jobId?: string;
  /** Number of rows returned. */
  rows?: number;
  /** Columns the masking profile masked. */
  maskedColumns?: string[];
  /** Where the (masked) result was stored for the requester, e.g. an object name. */
  resultLocation?: string;
  error?: ApprovalExecutionError;
  finishedAt?: Date;
}

/** Who cancelled a request, why and when. */
export interface ApprovalCancellation {
  by: ApprovalIdentity;
  reason?: string;
  at: Date;
}

/**
 * A query parked until approvers decide. Plain data (no `undefined` values, dates as `Date`), so a store
 * can persist it as is; `version` belongs to the store, which bumps it on every write.
 */
export interface ApprovalRequest {
  id: string;
  requester: ApprovalRequester;
  /** The person the requester acts for (a service calling for a person); they cannot approve it either. */
  onBehalfOf?: ApprovalParty;
  projectId: string;
  sql: string;
  /** Named query parameters, bound with the SQL. */
  params: QueryParameter[];
  /**
   * SHA-256 (hex) of the RFC 8785 canonical JSON of everything the approval governs (see
   * {@link approvalBinding}): project, SQL, parameters, the decision with its masking profile and limits, the
   * requester, approvers, quorum and expiry. Approvers approve this value; the executor runs only a request
   * that still hashes to it.
   */
  bindingSha256: string;
  /**
   * The gateway's signature over the binding (a KMS-certified instance key, as execution grants): nobody who
   * can only write the Firestore document can recompute it after changing what was approved.
   */
  bindingSignature?: { signature: string; certificate: KeyCertificate };
  statementType: string;
  referencedTables: TableRef[];
  /** Estimated bytes processed (dry run), a decimal INT64 string. */
  totalBytesProcessed: string;
  /** The rule that required approval. */
  rule: string;
  policyVersion: string;
  /** The policy decision that parked the request: limits and masking the execution must use. */
  decision: Decision;
  /** An approver must be in one of these groups. */
  requiredGroups: string[];
  /** Distinct approvals needed. */
  quorum: number;
  /** The requester's reason. */
  reason?: string;
  state: ApprovalState;
  reviews: ApprovalReview[];
  cancellation?: ApprovalCancellation;
  createdAt: Date;
  /** Approvals must be complete, and execution claimed, before this instant. */
  expiresAt: Date;
  /** The instant of the last transition. */
  updatedAt: Date;
  execution: ApprovalExecution;
  version: number;
}

/** Input of `createApprovalRequest`. */
export interface NewApprovalRequest {
  id: string;
  requester: Principal;
  /** The person the requester acts for; defaults to `requester.onBehalfOf`. */
  onBehalfOf?: Person;
  projectId: string;
  sql: string;
  params?: QueryParameter[];
  /** Dry-run facts. */
  facts: QueryFacts;
  /** A `require_approval` decision with its approval requirement. */
  decision: Decision;
  reason?: string;
  now: Date;
}

/** Longest reason accepted (requester's, approver's, canceller's). */
export const MAX_REASON_LENGTH = 2000;

/** What an approval governs: the fields of a request that nothing may change once it is parked. */
export type BoundFields = Pick<
  ApprovalRequest,
  | 'id'
  | 'requester'
  | 'onBehalfOf'
  | 'projectId'
  | 'sql'
  | 'params'
  | 'statementType'
  | 'referencedTables'
  | 'totalBytesProcessed'
  | 'rule'
  | 'policyVersion'
  | 'decision'
  | 'requiredGroups'
  | 'quorum'
  | 'expiresAt'
>;

/** The binding's canonical form (format version 2): every field an approval governs, as JSON. */
export function approvalBinding(r: BoundFields): Json {
  return JSON.parse(
    JSON.stringify({
      v: 2,
      id: r.id,
      requester: r.requester,
      onBehalfOf: r.onBehalfOf ?? null,
      projectId: r.projectId,
      sql: r.sql,
      params: r.params,
      statementType: r.statementType,
      referencedTables: r.referencedTables,
      totalBytesProcessed: r.totalBytesProcessed,
      rule: r.rule,
      policyVersion: r.policyVersion,
      decision: r.decision,
      requiredGroups: r.requiredGroups,
      quorum: r.quorum,
      expiresAt: r.expiresAt,
    }),
  ) as Json;
}

/** SHA-256 (hex) over the RFC 8785 canonical JSON of {@link approvalBinding}. */
export function approvalBindingSha256(r: BoundFields): string {
  return sha256Hex(canonicalize(approvalBinding(r)));
}

/** The bytes the gateway signs for a binding: typed, so the signature serves no other purpose. */
export function bindingStatement(bindingSha256: string): Uint8Array {
  return new TextEncoder().encode(canonicalize({ type: 'warden.approval-binding', bindingSha256 }));
}

/** True when what the request governs (SQL, parameters, decision, requester, …) still hashes to its binding. */
export function isBindingIntact(request: ApprovalRequest): boolean {
  try {
    return approvalBindingSha256(request) === request.bindingSha256;
  } catch {
    // A parameter with no JSON form cannot be what was approved.
    return false;
  }
}

/**
 * Parks a query: binds project, SQL and parameters by hash, takes approver groups, quorum and TTL from the
 * decision (expiresAt = now + ttl). Throws `invalid_argument` for a decision that does not require approval,
 * a missing reason the decision requires, or malformed input.
 */
export function createApprovalRequest(input: NewApprovalRequest): ApprovalRequest {
  const now = validNow(input.now);
  const { decision } = input;
  const approval = decision.approval;
  if (decision.effect !== 'require_approval' || !approval)
    throw new WardenError('invalid_argument', 'Only a require_approval decision parks a request.');
  if (approval.groups.length === 0 || !Number.isInteger(approval.quorum) || approval.quorum < 1)
    throw new WardenError('invalid_argument', `Rule ${decision.rule} names no approvers or no quorum.`);
  if (!(approval.ttlSeconds > 0))
    throw new WardenError('invalid_argument', `Rule ${decision.rule} has no approval lifetime.`);
  if (!input.id || input.id.includes('/'))
    throw new WardenError('invalid_argument', 'An approval request needs an id without "/".');
  if (!input.projectId || !input.sql.trim())
    throw new WardenError('invalid_argument', 'An approval request needs a project and SQL.');
  const reason = optionalReason(input.reason);
  if (approval.reasonRequired && reason === undefined)
    throw new WardenError(
      'invalid_argument',
      `Rule ${decision.rule} requires a reason: pass one with the request.`,
    );
  const params = (input.params ?? []).map(checkedParam);
  const names = params.map((p) => p.name);
  if (new Set(names).size !== names.length)
    throw new WardenError('invalid_argument', 'Query parameter names must be unique.');
  const person = input.onBehalfOf ?? input.requester.onBehalfOf;
  const r = input.requester;
  const request: ApprovalRequest = {
    id: input.id,
    requester: {
      ...identityOf(r),
      groups: [...r.groups],
      actorChain: r.actorChain.map((a) => ({
        subject: a.subject,
        ...(a.issuer !== undefined ? { issuer: a.issuer } : {}),
        ...(a.email !== undefined ? { email: a.email } : {}),
      })),
    },
    ...(person ? { onBehalfOf: { ...identityOf(person), groups: [...person.groups] } } : {}),
    projectId: input.projectId,
    sql: input.sql,
    params,
    bindingSha256: '',
    statementType: input.facts.statementType,
    referencedTables: input.facts.referencedTables.map((t) => ({
      projectId: t.projectId,
      datasetId: t.datasetId,
      tableId: t.tableId,
    })),
    totalBytesProcessed: input.facts.totalBytesProcessed,
    rule: decision.rule,
    policyVersion: decision.policyVersion,
    // A JSON copy: Decision is plain JSON data, and Firestore refuses the undefined members a clone would keep.
    decision: JSON.parse(JSON.stringify(decision)) as Decision,
    requiredGroups: [...approval.groups],
    quorum: approval.quorum,
    ...(reason !== undefined ? { reason } : {}),
    state: 'PENDING',
    reviews: [],
    createdAt: new Date(now),
    expiresAt: new Date(now + approval.ttlSeconds * 1000),
    updatedAt: new Date(now),
    execution: {},
    version: 0,
  };
  request.bindingSha256 = approvalBindingSha256(request);
  return request;
}

/** The requester as a Principal (with the person it acted for), e.g. for the executor's audit records. */
export function requesterPrincipal(request: ApprovalRequest): Principal {
  const r = request.requester;
  return {
    ...identityOf(r),
    groups: [...r.groups],
    actorChain: r.actorChain.map((a) => ({ ...a })),
    ...(request.onBehalfOf
      ? { onBehalfOf: { ...identityOf(request.onBehalfOf), groups: [...request.onBehalfOf.groups] } }
      : {}),
  };
}

/** Subject, issuer and (when present) email, nothing else. */
export function identityOf(p: ApprovalIdentity): ApprovalIdentity {
  return { subject: p.subject, issuer: p.issuer, ...(p.email ? { email: p.email.toLowerCase() } : {}) };
}

/** The trimmed reason, undefined when blank; throws `invalid_argument` when it is too long. */
export function optionalReason(reason: string | undefined): string | undefined {
  // What is recorded is what a reader sees: invisible characters cannot make an empty reason look given.
  const trimmed = typeof reason === 'string' ? visibleText(reason) : '';
  if (trimmed.length > MAX_REASON_LENGTH)
    throw new WardenError('invalid_argument', `A reason is limited to ${MAX_REASON_LENGTH} characters.`);
  return trimmed === '' ? undefined : trimmed;
}

/** `now` in milliseconds; throws `invalid_argument` for an invalid date (expiry must never fail open). */
export function validNow(now: Date): number {
  const t = now instanceof Date ? now.getTime() : Number.NaN;
  if (!Number.isFinite(t)) throw new WardenError('invalid_argument', 'The current time is not a valid date.');
  return t;
}

function checkedParam(p: QueryParameter): QueryParameter {
  const v: unknown = p.value;
  const ok =
    typeof p.name === 'string' &&
    p.name !== '' &&
    typeof p.type === 'string' &&
    p.type !== '' &&
    (v === null ||
      typeof v === 'string' ||
      typeof v === 'boolean' ||
      (typeof v === 'number' && Number.isFinite(v)));
  if (!ok)
    throw new WardenError(
      'invalid_argument',
      `Query parameter ${String(p.name)} needs a name, a type and a JSON value.`,
    );
  return { name: p.name, type: p.type, value: p.value };
}
