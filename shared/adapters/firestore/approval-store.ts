// ApprovalStore and ResultStore on Firestore (official @google-cloud/firestore client): one document per
// parked request, every update in a transaction; masked results in their own documents with an expiry.

import type { DocumentData, Firestore, Timestamp } from '@google-cloud/firestore';
import { WardenError } from '../../core/errors.ts';
import { INLINE_RESULT_MAX_BYTES } from '../../core/execution/tiered-results.ts';
import type {
  ApprovalRequest,
  ApprovalState,
  ApprovalStore,
  ResultStore,
  StoredResult,
} from '../../ports/approval-store.ts';

/** Firestore collections. A TTL policy on `expiresAt` deletes expired documents (Terraform sets it). */
export const APPROVALS_COLLECTION = 'approvalRequests';
export const RESULTS_COLLECTION = 'approvalResults';

/** Firestore's document limit is 1 MiB; stay well under it. Larger results need the results bucket. */
const MAX_RESULT_BYTES = INLINE_RESULT_MAX_BYTES;

export class FirestoreApprovalStore implements ApprovalStore {
  readonly #db: Firestore;
  readonly #collection: string;
  constructor(db: Firestore, collection = APPROVALS_COLLECTION) {
    this.#db = db;
    this.#collection = collection;
  }

  async create(request: ApprovalRequest): Promise<void> {
    try {
      await this.#doc(request.id).create(request as unknown as DocumentData);
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
      return snap.exists ? (toDates(snap.data()) as ApprovalRequest) : undefined;
    } catch (err) {
      throw unavailable(err);
    }
  }

  async update(
    id: string,
    update: (current: ApprovalRequest) => ApprovalRequest,
  ): Promise<{ before: ApprovalRequest; after: ApprovalRequest }> {
    try {
      return await this.#db.runTransaction(async (tx) => {
        const ref = this.#doc(id);
        const snap = await tx.get(ref);
        if (!snap.exists) throw new WardenError('not_found', `Approval request ${id} does not exist.`);
        const before = toDates(snap.data()) as ApprovalRequest;
        const after = { ...update(before), id, version: before.version + 1 };
        tx.set(ref, after as unknown as DocumentData);
        return { before, after };
      });
    } catch (err) {
      if (err instanceof WardenError) throw err;
      throw unavailable(err);
    }
  }

  async list(filter: {
    state?: ApprovalState;
    limit: number;
    oldestFirst?: boolean;
  }): Promise<ApprovalRequest[]> {
    try {
      const collection = this.#db.collection(this.#collection);
      const direction = filter.oldestFirst ? 'asc' : 'desc';
      // (state, createdAt) has a composite index (terraform/modules/approvals).
      const query = (filter.state ? collection.where('state', '==', filter.state) : collection)
        .orderBy('createdAt', direction)
        .limit(filter.limit);
      const snap = await query.get();
      return snap.docs.map((d) => toDates(d.data()) as ApprovalRequest);
    } catch (err) {
      throw unavailable(err);
    }
  }

  #doc(id: string) {
    return this.#db.collection(this.#collection).doc(id);
  }
}

export class FirestoreResultStore implements ResultStore {
  readonly #db: Firestore;
  readonly #collection: string;
  constructor(db: Firestore, collection = RESULTS_COLLECTION) {
    this.#db = db;
    this.#collection = collection;
  }

  async put(result: StoredResult): Promise<string> {
    // Rows are stored as one JSON string: exact values (INT64 as strings), no Firestore type coercion.
    const rows = JSON.stringify(result.rows);
    if (rows.length > MAX_RESULT_BYTES)
      throw new WardenError(
        'failed_precondition',
        'The result is too large to keep for the requester; lower the row limit.',
      );
    try {
      await this.#db
        .collection(this.#collection)
        .doc(result.requestId)
        .set({ ...result, rows });
      return `firestore://${this.#collection}/${result.requestId}`;
    } catch (err) {
      throw unavailable(err);
    }
  }

  async get(requestId: string): Promise<StoredResult | undefined> {
    try {
      const snap = await this.#db.collection(this.#collection).doc(requestId).get();
      if (!snap.exists) return undefined;
      const data = toDates(snap.data()) as Omit<StoredResult, 'rows'> & { rows: string };
      return { ...data, rows: JSON.parse(data.rows) as StoredResult['rows'] };
    } catch (err) {
      throw unavailable(err);
    }
  }
}

function unavailable(err: unknown): WardenError {
  return new WardenError('unavailable', 'Firestore is unavailable.', { cause: err });
}

/**
 * Firestore returns Timestamps wherever a Date was written; turn them back, at any depth. A Timestamp is
 * recognised by its shape, not `instanceof`: importing the class would load the whole Firestore library when
 * this module loads, at cold start, rather than when the first client is built (the documents hold plain data
 * otherwise, so nothing else has a `toDate` method).
 */
function isTimestamp(value: object): value is Timestamp {
  const t = value as Partial<Timestamp>;
  return typeof t.toDate === 'function' && typeof t.seconds === 'number' && typeof t.nanoseconds === 'number';
}

function toDates(value: unknown): unknown {
  if (value && typeof value === 'object' && isTimestamp(value)) return value.toDate();
  if (Array.isArray(value)) return value.map(toDates);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toDates(v)]));
  return value;
}
