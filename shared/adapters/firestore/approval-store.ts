// ApprovalStore on Firestore (official @google-cloud/firestore client): one document per parked request,
// every update in a transaction.

import type { DocumentData, Firestore, Timestamp } from '@google-cloud/firestore';
import { WardenError } from '../../core/errors.ts';
import type { ApprovalRequest, ApprovalStore } from '../../ports/approval-store.ts';

/** Firestore collection holding approval requests. */
export const APPROVALS_COLLECTION = 'approvalRequests';

export class FirestoreApprovalStore implements ApprovalStore {
  readonly #db: Firestore;
  readonly #collection: string;
  constructor(db: Firestore, collection = APPROVALS_COLLECTION) {
    this.#db = db;
    this.#collection = collection;
  }

  async create(request: ApprovalRequest): Promise<void> {
    try {
      await this.#doc(request.id).create(toDoc(request));
    } catch (err) {
      // gRPC ALREADY_EXISTS
      if ((err as { code?: number }).code === 6)
        throw new WardenError('conflict', `Approval request ${request.id} already exists.`, { cause: err });
      throw unavailable(err);
    }
  }

  async get(id: string): Promise<ApprovalRequest | undefined> {
    try {
      const snap = await this.#doc(id).get();
      return snap.exists ? fromDoc(snap.data()!) : undefined;
    } catch (err) {
      throw unavailable(err);
    }
  }

  async update(id: string, update: (current: ApprovalRequest) => ApprovalRequest): Promise<ApprovalRequest> {
    try {
      return await this.#db.runTransaction(async (tx) => {
        const ref = this.#doc(id);
        const snap = await tx.get(ref);
        if (!snap.exists) throw new WardenError('not_found', `Approval request ${id} does not exist.`);
        const current = fromDoc(snap.data()!);
        const next = { ...update(current), id, version: current.version + 1 };
        tx.set(ref, toDoc(next));
        return next;
      });
    } catch (err) {
      if (err instanceof WardenError) throw err;
      throw unavailable(err);
    }
  }

  #doc(id: string) {
    return this.#db.collection(this.#collection).doc(id);
  }
}

function unavailable(err: unknown): WardenError {
  return new WardenError('unavailable', 'Firestore is unavailable.', { cause: err });
}

function toDoc(r: ApprovalRequest): DocumentData {
  return { ...r };
}

function fromDoc(d: DocumentData): ApprovalRequest {
  return {
    ...(d as ApprovalRequest),
    createdAt: (d['createdAt'] as Timestamp).toDate(),
    expiresAt: (d['expiresAt'] as Timestamp).toDate(),
  };
}
