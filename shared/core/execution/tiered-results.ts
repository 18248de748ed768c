// Masked results of approved requests: small ones inline in their Firestore document, large ones as an
// object in the results bucket with a pointer in the document, so a big result is kept, not refused.

import type { ResultStore, StoredResult } from '../../ports/approval-store.ts';
import type { ResultBlobs } from '../../ports/result-blobs.ts';
import { WardenError } from '../errors.ts';

/** Firestore documents hold at most 1 MiB; rows above this size go to the bucket. */
export const INLINE_RESULT_MAX_BYTES = 900_000;

export class TieredResultStore implements ResultStore {
  readonly #documents: ResultStore;
  readonly #blobs: ResultBlobs;
  readonly #inlineMaxBytes: number;

  constructor(documents: ResultStore, blobs: ResultBlobs, inlineMaxBytes = INLINE_RESULT_MAX_BYTES) {
    this.#documents = documents;
    this.#blobs = blobs;
    this.#inlineMaxBytes = inlineMaxBytes;
  }

  async put(result: StoredResult): Promise<string> {
    const body = new TextEncoder().encode(JSON.stringify(result.rows));
    if (body.length <= this.#inlineMaxBytes) return this.#documents.put(result);
    const location = await this.#blobs.put(objectName(result.requestId), body);
    // The document keeps everything but the rows, and says where they are.
    await this.#documents.put({ ...result, rows: [], rowsLocation: location });
    return location;
  }

  async get(requestId: string): Promise<StoredResult | undefined> {
    const doc = await this.#documents.get(requestId);
    if (!doc?.rowsLocation) return doc;
    const body = await this.#blobs.get(objectName(requestId));
    if (!body) throw new WardenError('not_found', 'The result is no longer available.');
    const { rowsLocation: _where, ...rest } = doc;
    return { ...rest, rows: JSON.parse(new TextDecoder().decode(body)) as StoredResult['rows'] };
  }
}

function objectName(requestId: string): string {
  if (!/^[\w-]{1,128}$/.test(requestId)) throw new WardenError('invalid_argument', 'Bad request id.');
  return `results/${requestId}.json`;
}
