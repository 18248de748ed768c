// ApprovalStore and ResultStore on Firestore (official @google-cloud/firestore client): one document per
// parked request, every update in a transaction; masked results in their own documents with an expiry; one
// document per break-glass use (no expiry: it waits for its review).

import type { DocumentData, Firestore, Timestamp } from '@google-cloud/firestore';
import { WardenError } from '../../core/errors.ts';
import { INLINE_RESULT_MAX_BYTES } from '../../core/execution/tiered-results.ts';
import type {
  ApprovalRequest,
  ApprovalState,
  ApprovalStore,
  BreakGlassReview,
  BreakGlassUse,
  ResultStore,
  StoredResult,
} from '../../ports/approval-store.ts';

/** Firestore collections. A TTL policy on `expiresAt` deletes expired documents (Terraform sets it). */
export const APPROVALS_COLLECTION = 'approvalRequests';
export const RESULTS_COLLECTION = 'approvalResults';
/** Break-glass uses awaiting (or past) review; `reviewed` mirrors `review` so pending ones can be queried. */
export const BREAK_GLASS_COLLECTION = 'breakGlassUses';

/** Firestore's document limit is 1 MiB; stay well under it. Larger results need the results bucket. */
const MAX_RESULT_BYTES = INLINE_RESULT_MAX_BYTES;

export class FirestoreApprovalStore implements ApprovalStore {
  readonly #db: Firestore;
  readonly #collection: string;
  readonly #breakGlass: string;
  constructor(
    db: Firestore,
    collection = APPROVALS_COLLECTION,
    breakGlassCollection = BREAK_GLASS_COLLECTION,
  ) {
    this.#db = db;
    this.#collection = collection;
    this.#breakGlass = breakGlassCollection;
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

  async recordBreakGlass(use: BreakGlassUse): Promise<void> {
    try {
      await this.#useDoc(use.requestId).create({ ...use, reviewed: !!use.review } as unknown as DocumentData);
    } catch (err) {
      if ((err as { code?: number }).code === 6)
        throw new WardenError('conflict', `Break-glass use ${use.requestId} already exists.`, { cause: err });
      throw unavailable(err);
    }
  }

  async getBreakGlass(requestId: string): Promise<BreakGlassUse | undefined> {
    try {
      const snap = await this.#useDoc(requestId).get();
      return snap.exists ? toUse(snap.data()) : undefined;
    } catch (err) {
      throw unavailable(err);
    }
  }

  async reviewBreakGlass(requestId: string, review: Omit<BreakGlassReview, 'count'>): Promise<BreakGlassUse> {
    try {
      return await this.#db.runTransaction(async (tx) => {
        const ref = this.#useDoc(requestId);
        const snap = await tx.get(ref);
        if (!snap.exists) throw new WardenError('not_found', `Break-glass use ${requestId} does not exist.`);
        const before = toUse(snap.data());
        const after: BreakGlassUse = {
          ...before,
          review: { ...review, count: (before.review?.count ?? 0) + 1 },
        };
        tx.set(ref, { ...after, reviewed: true } as unknown as DocumentData);
        return after;
      });
    } catch (err) {
      if (err instanceof WardenError) throw err;
      throw unavailable(err);
    }
  }

  async listBreakGlass(filter: { reviewed?: boolean; limit: number }): Promise<BreakGlassUse[]> {
    try {
      const collection = this.#db.collection(this.#breakGlass);
      // (reviewed, at) has a composite index (terraform/modules/approvals).
      const query = (
        filter.reviewed === undefined ? collection : collection.where('reviewed', '==', filter.reviewed)
      )
        .orderBy('at', 'desc')
        .limit(filter.limit);
      return (await query.get()).docs.map((d) => toUse(d.data()));
    } catch (err) {
      throw unavailable(err);
    }
  }

  #doc(id: string) {
    return this.#db.collection(this.#collection).doc(id);
  }

  #useDoc(requestId: string) {
    return this.#db.collection(this.#breakGlass).doc(requestId);
  }
}

/** A stored break-glass use without the query-only `reviewed` field. */
function toUse(data: unknown): BreakGlassUse {
  const { reviewed: _reviewed, ...use } = toDates(data) as BreakGlassUse & { reviewed?: boolean };
  return use;
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
