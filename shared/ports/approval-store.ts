// Port: durable storage of what waits for a person's judgement (Firestore in production): parked queries awaiting
// approval, and break-glass uses awaiting their after-the-fact review (45 CFR 164.312(a)(2)(ii)).

import type { ApprovalRequest, ApprovalState } from '../core/approval/approval.ts';
import type { BreakGlassOutcome } from '../core/audit/schema.ts';

export type { ApprovalRequest, ApprovalState, BreakGlassOutcome };

/** Who, as a break-glass use or its review records them. */
export interface BreakGlassIdentity {
  subject: string;
  issuer: string;
  email?: string;
}

/**
 * A break-glass use, stored when the query is allowed (after its `policy.decision` record is durable), keyed by
 * the call's request id: what a reviewer finds it by. `review` is the latest review (a later one supersedes).
 */
export interface BreakGlassUse {
  requestId: string;
  user: BreakGlassIdentity & { groups: string[] };
  /** The person a calling service acted for, when it acted for one. */
  onBehalfOf?: BreakGlassIdentity;
  rule: string;
  policyVersion: string;
  projectId: string;
  /** The reason as recorded (identifiers masked). */
  reason: string;
  at: Date;
  review?: BreakGlassReview;
}

export interface BreakGlassReview {
  reviewer: BreakGlassIdentity;
  outcome: BreakGlassOutcome;
  /** As recorded (identifiers masked). */
  note?: string;
  at: Date;
  /** How many reviews this use has had, this one included. */
  count: number;
}

/** Storage for approval requests; every update is a transaction. */
export interface ApprovalStore {
  /** Creates a request; rejects with a conflict if the id exists. */
  create(request: ApprovalRequest): Promise<void>;
  /** Reads a request as stored, or undefined. */
  get(id: string): Promise<ApprovalRequest | undefined>;
  /**
   * Reads, applies `update`, and writes in one transaction. `update` returns the new request or throws to
   * abort (nothing is written); it may run more than once under contention, so it must be pure.
   */
  update(
    id: string,
    update: (current: ApprovalRequest) => ApprovalRequest,
  ): Promise<{ before: ApprovalRequest; after: ApprovalRequest }>;
  /** Requests, newest first (or oldest first), optionally in one state. */
  list(filter: { state?: ApprovalState; limit: number; oldestFirst?: boolean }): Promise<ApprovalRequest[]>;

  /** Stores a break-glass use; rejects with a conflict if its request id is stored already. */
  recordBreakGlass(use: BreakGlassUse): Promise<void>;
  /** Reads a break-glass use by its request id, or undefined. */
  getBreakGlass(requestId: string): Promise<BreakGlassUse | undefined>;
  /**
   * Sets the use's review (replacing any earlier one, `count` one more) in one transaction; not_found if the use
   * is not stored.
   */
  reviewBreakGlass(requestId: string, review: Omit<BreakGlassReview, 'count'>): Promise<BreakGlassUse>;
  /** Break-glass uses, newest first; `reviewed: false` only those without a review, `true` only reviewed ones. */
  listBreakGlass(filter: { reviewed?: boolean; limit: number }): Promise<BreakGlassUse[]>;
}

/** A masked result kept for the requester of an approved query. */
export interface StoredResult {
  requestId: string;
  jobId: string;
  schema: { name: string; type: string; mode?: string }[];
  rows: Record<string, unknown>[];
  truncated: boolean;
  expiresAt: Date;
  /** Set when the rows are kept in the results bucket (too large for a document); `rows` is then empty. */
  rowsLocation?: string;
}

/** Where masked results of approved queries wait for their requester. */
export interface ResultStore {
  put(result: StoredResult): Promise<string>;
  get(requestId: string): Promise<StoredResult | undefined>;
}
