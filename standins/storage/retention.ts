// Bucket retention rules: when an object may be deleted or overwritten, and how a policy may change.

import { forbidden, invalid, retentionNotMet } from './errors.ts';
import type { BucketRecord, ObjectRecord, RetentionPolicyRecord } from './records.ts';

/** The longest retention period the service accepts: 100 years. */
export const MAX_RETENTION_SECONDS = 3_155_760_000;

/** When `object` leaves `bucket`'s retention period, or undefined when the bucket has no policy. */
export function retentionExpiry(object: ObjectRecord, bucket: BucketRecord): Date | undefined {
  const policy = bucket.retentionPolicy;
  if (!policy) return undefined;
  return new Date(Date.parse(object.timeCreated) + policy.retentionPeriodSeconds * 1000);
}

/** Throws 403 `retentionPolicyNotMet` while `object` is under retention (now < timeCreated + period). */
export function assertRetentionMet(object: ObjectRecord, bucket: BucketRecord, now: Date): void {
  const expiry = retentionExpiry(object, bucket);
  if (expiry && now.getTime() < expiry.getTime()) throw retentionNotMet(bucket.name, object.name, expiry);
}

/** A retention policy as requested in a bucket insert or patch body. */
export interface RequestedPolicy {
  retentionPeriod?: unknown;
  isLocked?: unknown;
}

/** Parses a requested `retentionPeriod` (int64 seconds, sent as a string or number). */
export function parseRetentionPeriod(value: unknown, bucket: string): number {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d+$/.test(text)) {
    throw invalid(`Invalid retention period for bucket '${bucket}': ${JSON.stringify(value)}`);
  }
  const seconds = Number(text);
  if (seconds <= 0 || seconds > MAX_RETENTION_SECONDS) {
    throw invalid(
      `Retention period must be between 1 and ${MAX_RETENTION_SECONDS} seconds for bucket '${bucket}'.`,
    );
  }
  return seconds;
}

/** The policy a new bucket gets from its insert body; a lock cannot be set at insertion. */
export function policyForInsert(
  requested: RequestedPolicy | null | undefined,
  bucket: string,
  now: Date,
): RetentionPolicyRecord | undefined {
  if (!requested) return undefined;
  if (requested.isLocked === true) {
    throw invalid(`Retention Policy should not set/unset lock at insertion time for bucket '${bucket}'.`);
  }
  const retentionPeriodSeconds = parseRetentionPeriod(requested.retentionPeriod, bucket);
  return { retentionPeriodSeconds, effectiveTime: now.toISOString(), isLocked: false };
}

/**
 * The policy after a patch sets `retentionPolicy` to `requested` (null removes it). A locked policy
 * can only be lengthened; the lock itself only changes through lockRetentionPolicy.
 */
export function policyForPatch(
  current: RetentionPolicyRecord | undefined,
  requested: RequestedPolicy | null,
  bucket: string,
  now: Date,
): RetentionPolicyRecord | undefined {
  if (requested === null) return removePolicy(current, bucket);
  const locked = current?.isLocked ?? false;
  if (requested.isLocked !== undefined && requested.isLocked !== locked) {
    throw invalid(
      `Retention Policy lock can only be set through lockRetentionPolicy for bucket '${bucket}'.`,
    );
  }
  const seconds = parseRetentionPeriod(requested.retentionPeriod, bucket);
  if (current && seconds === current.retentionPeriodSeconds) return current;
  if (current?.isLocked && seconds < current.retentionPeriodSeconds) {
    throw forbidden(`Cannot reduce retention duration of a locked Retention Policy for bucket '${bucket}'.`);
  }
  return { retentionPeriodSeconds: seconds, effectiveTime: now.toISOString(), isLocked: locked };
}

function removePolicy(current: RetentionPolicyRecord | undefined, bucket: string): undefined {
  if (current?.isLocked) {
    throw forbidden(`Bucket '${bucket}' has a locked Retention Policy which cannot be removed.`);
  }
  return undefined;
}

/** The policy after lockRetentionPolicy; only an unlocked policy can be locked. */
export function lockedPolicy(
  current: RetentionPolicyRecord | undefined,
  bucket: string,
): RetentionPolicyRecord {
  if (!current || current.isLocked) {
    throw invalid(`Bucket '${bucket}' does not have an unlocked retention policy.`);
  }
  return { ...current, isLocked: true };
}
