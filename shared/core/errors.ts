// Typed errors of the core. The core knows no wire codes; shared/mcp/to-wire-error.ts maps these.

export type WardenErrorKind =
  | 'unauthenticated' // no, malformed, expired or untrusted credentials
  | 'forbidden' // authenticated, but policy says no
  | 'invalid_argument' // the caller's input is wrong
  | 'not_found'
  | 'conflict' // a precondition or state transition failed
  | 'failed_precondition' // the system is not in a state to serve this (e.g. dry run refused)
  | 'unavailable' // a dependency (KMS, Firestore, Pub/Sub, storage, BigQuery) failed: fail closed
  | 'integrity' // a checksum, signature or chain did not verify
  | 'internal';

/** The one error type the core throws; `kind` decides the wire mapping, `message` is safe to show. */
export class WardenError extends Error {
  readonly kind: WardenErrorKind;
  constructor(kind: WardenErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.name = new.target.name;
  }
}

/** True when `err` is a WardenError, optionally of one of `kinds`. */
export function isWardenError(err: unknown, ...kinds: WardenErrorKind[]): err is WardenError {
  return err instanceof WardenError && (kinds.length === 0 || kinds.includes(err.kind));
}
