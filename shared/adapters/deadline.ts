// Deadlines on dependency calls: every promise-returning method of a port either settles within its deadline
// or fails closed with an `unavailable` WardenError. A hung KMS, Firestore, Pub/Sub, Cloud Storage or BigQuery
// call then cannot hold a request open, nor stall the audit log's write queue behind it (docs/reliability.md).

import { WardenError } from '../core/errors.ts';

/**
 * Wraps `port` so each method that returns a promise rejects after `ms` with
 * WardenError('unavailable', '<service> did not answer within <ms> ms.'). The late call is not cancelled:
 * callers treat its outcome as unknown (the audit log starts a fresh stream, the approval store's
 * transactions are idempotent under retry).
 */
export function withDeadline<T extends object>(port: T, ms: number, service: string): T {
  return new Proxy(port, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const out = (value as (...a: unknown[]) => unknown).apply(target, args);
        return isPromiseLike(out) ? within(out, ms, service, String(prop)) : out;
      };
    },
  });
}

/** Resolves or rejects as `work` does, or rejects with `unavailable` after `ms`. */
export function within<T>(work: PromiseLike<T>, ms: number, service: string, method = 'call'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new WardenError('unavailable', `${service} did not answer within ${ms} ms.`, {
            cause: new Error(`${service}.${method} timed out`),
          }),
        ),
      ms,
    );
  });
  return Promise.race([Promise.resolve(work), timeout]).finally(() => clearTimeout(timer));
}

function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}
