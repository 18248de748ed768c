// Port: durable storage of parked queries awaiting approval (Firestore in production).

import type { TableRef } from '../core/query/facts.ts';

/** The states a parked request moves through (the approval issue builds the full machine). */
export type ApprovalState =
  | 'PENDING'
  | 'APPROVED'
  | 'DENIED'
  | 'EXPIRED'
  | 'CANCELLED'
  | 'EXECUTING'
  | 'SUCCEEDED'
  | 'FAILED';

/** A query parked until approvers decide. */
export interface ApprovalRequest {
  id: string;
  state: ApprovalState;
  requester: { subject: string; issuer: string; email?: string };
  projectId: string;
  sql: string;
  /** SHA-256 (hex) binding the exact SQL and parameters. */
  sqlSha256: string;
  referencedTables: TableRef[];
  rule: string;
  policyVersion: string;
  createdAt: Date;
  expiresAt: Date;
  /** Monotonic version, bumped on every write; used for optimistic checks. */
  version: number;
}

/** Storage for approval requests; every update is a transaction. */
export interface ApprovalStore {
  /** Creates a request; rejects with a conflict if the id exists. */
  create(request: ApprovalRequest): Promise<void>;
  /** Reads a request, or undefined. */
  get(id: string): Promise<ApprovalRequest | undefined>;
  /**
   * Reads, applies `update`, and writes in one transaction. `update` returns the new request or throws to
   * abort; it may run more than once under contention, so it must be pure.
   */
  update(id: string, update: (current: ApprovalRequest) => ApprovalRequest): Promise<ApprovalRequest>;
}
