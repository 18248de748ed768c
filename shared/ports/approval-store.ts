// Port: durable storage of parked queries awaiting approval (Firestore in production).

import type { ApprovalRequest, ApprovalState } from '../core/approval/approval.ts';

export type { ApprovalRequest, ApprovalState };

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
