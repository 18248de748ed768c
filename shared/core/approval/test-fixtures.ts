// Shared fixtures of the approval tests: people, a require_approval decision, requests in every state.

import type { Principal } from '../identity/principal.ts';
import type { Decision } from '../policy/evaluate.ts';
import type { QueryFacts } from '../query/facts.ts';
import { type ApprovalRequest, createApprovalRequest, type NewApprovalRequest } from './request.ts';
import { nextApprovalState } from './state-machine.ts';

/** Creation time of every fixture request. */
export const T0 = new Date('2026-01-01T00:00:00.000Z');

/** `T0` plus `minutes`. */
export function at(minutes: number): Date {
  return new Date(T0.getTime() + minutes * 60_000);
}

const ISSUER = 'https://idp.example';

/** A principal of the fixture issuer. */
export function person(subject: string, groups: string[], extra: Partial<Principal> = {}): Principal {
  return { subject, issuer: ISSUER, email: `${subject}@example.org`, groups, actorChain: [], ...extra };
}

/** The requester, an analyst. */
export const ann = person('ann', ['analysts']);
/** A data steward: an approver. */
export const bob = person('bob', ['data-stewards']);
/** Another data steward. */
export const cara = person('cara', ['data-stewards']);
/** An analyst outside the approver groups. */
export const dan = person('dan', ['analysts']);
/** An administrator who is also a data steward. */
export const root = person('root', ['warden-admins', 'data-stewards']);

/** A require_approval decision (2 h TTL, quorum 1 unless overridden). */
export function approvalDecision(approval: Partial<NonNullable<Decision['approval']>> = {}): Decision {
  return {
    effect: 'require_approval',
    rule: 'phi-needs-approval',
    reasons: ['PHI needs a data steward.'],
    policyVersion: 'sha256:policy-1',
    rowLimit: 500,
    cellLimit: 100_000,
    byteLimit: 10_485_760,
    maximumBytesBilled: 1_000_000,
    maskingProfile: 'safe-harbor',
    approval: { groups: ['data-stewards'], quorum: 1, ttlSeconds: 7200, reasonRequired: false, ...approval },
    touchesPhi: true,
    phiClasses: ['mrn'],
  };
}

/** Dry-run facts of the fixture query. */
export const FACTS: QueryFacts = {
  statementType: 'SELECT',
  referencedTables: [{ projectId: 'demo-warden', datasetId: 'clinical', tableId: 'patients' }],
  totalBytesProcessed: '123456',
};

/** A fresh PENDING request by ann, created at T0, expiring at T0 + 2 h. */
export function pending(
  overrides: Partial<NewApprovalRequest> = {},
  approval: Partial<NonNullable<Decision['approval']>> = {},
): ApprovalRequest {
  return createApprovalRequest({
    id: 'req-1',
    requester: ann,
    projectId: 'demo-warden',
    sql: 'SELECT mrn FROM clinical.patients WHERE mrn = @mrn',
    params: [{ name: 'mrn', type: 'STRING', value: 'MRN-12345' }],
    facts: FACTS,
    decision: approvalDecision(approval),
    reason: 'cohort study 7',
    now: T0,
    ...overrides,
  });
}

/** Approved by bob at T0 + 10 min. */
export function approved(): ApprovalRequest {
  return nextApprovalState(pending(), review(bob, 'approve'), at(10));
}

/** Claimed by executor-1 at T0 + 20 min. */
export function executing(): ApprovalRequest {
  return nextApprovalState(approved(), { type: 'claim', executor: 'executor-1' }, at(20));
}

/** Requests in every state, keyed by state. */
export function inEveryState(): Record<ApprovalRequest['state'], ApprovalRequest> {
  const running = executing();
  return {
    PENDING: pending(),
    APPROVED: approved(),
    DENIED: nextApprovalState(pending(), review(bob, 'deny'), at(10)),
    EXPIRED: nextApprovalState(pending(), { type: 'expire' }, at(120)),
    CANCELLED: nextApprovalState(pending(), { type: 'cancel', by: ann }, at(10)),
    EXECUTING: running,
    SUCCEEDED: nextApprovalState(running, succeed(), at(30)),
    FAILED: nextApprovalState(
      running,
      { type: 'fail', error: { kind: 'unavailable', message: 'BigQuery down' } },
      at(30),
    ),
  };
}

/** A review event with a reason. */
export function review(
  reviewer: Principal,
  decision: 'approve' | 'deny',
  reason = `${decision} for the study`,
): { type: 'review'; reviewer: Principal; decision: 'approve' | 'deny'; reason: string } {
  return { type: 'review', reviewer, decision, reason };
}

/** A success event. */
export function succeed(): {
  type: 'succeed';
  jobId: string;
  rows: number;
  maskedColumns: string[];
  resultLocation: string;
} {
  return {
    type: 'succeed',
    jobId: 'job-42',
    rows: 12,
    maskedColumns: ['mrn'],
    resultLocation: 'results/req-1.json',
  };
}

/** Freezes `value` and everything it holds (Dates included, as far as freezing reaches). */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Paths of every `undefined` value in `value` (Firestore refuses them). */
export function undefinedPaths(value: unknown, path = '$'): string[] {
  if (value === undefined) return [path];
  if (!value || typeof value !== 'object' || value instanceof Date) return [];
  return Object.entries(value).flatMap(([k, v]) => undefinedPaths(v, `${path}.${k}`));
}
