// Port: a bucket for masked results too large for a Firestore document (the results bucket).

/** Create-only object storage for result bodies; objects expire by the bucket's lifecycle rule. */
export interface ResultBlobs {
  /** Stores `data` under `name` (never overwriting); resolves with its location (`gs://bucket/name`). */
  put(name: string, data: Uint8Array): Promise<string>;
  /** The object's bytes, or undefined when it does not exist (expired or never written). */
  get(name: string): Promise<Uint8Array | undefined>;
}
