// The stand-in's bucket and object operations, with the service's rules, independent of HTTP.

import { conditionNotMet, conflict, invalid, noSuchBucket, noSuchObject } from './errors.ts';
import { KeyedMutex } from './keyed-mutex.ts';
import type { ListPage, ListQuery } from './listing.ts';
import { listPage } from './listing.ts';
import type { ClaimedHashes } from './object-metadata.ts';
import { assertHashesMatch, computeHashes, patchDescription } from './object-metadata.ts';
import type { Preconditions } from './preconditions.ts';
import { checkPreconditions } from './preconditions.ts';
import type { BucketRecord, ObjectDescription, ObjectRecord } from './records.ts';
import type { RequestedPolicy } from './retention.ts';
import { assertRetentionMet, lockedPolicy, policyForInsert, policyForPatch } from './retention.ts';
import type { StateStore } from './state-store.ts';

/** A bucket the stand-in should have at start-up. */
export interface BucketSpec {
  name: string;
  retentionPeriodSeconds?: number;
  locked?: boolean;
}

/** An object upload, fully received, ready to commit. */
export interface ObjectWrite {
  bucket: string;
  name: string;
  data: Buffer;
  description: ObjectDescription;
  claims: ClaimedHashes[];
  preconditions: Preconditions;
}

/** An object version and the bucket it lives in. */
export interface Located {
  bucket: BucketRecord;
  object: ObjectRecord;
}

/** Selects an object: its name, optionally a generation, and preconditions. */
export interface ObjectSelector {
  bucket: string;
  name: string;
  generation?: number;
  preconditions: Preconditions;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;
const MAX_OBJECT_NAME_BYTES = 1024;

/** Bucket and object operations over a StateStore; mutations of one bucket are serialised. */
export class StorageService {
  readonly #store: StateStore;
  readonly #now: () => Date;
  readonly #mutex = new KeyedMutex();

  constructor(store: StateStore, now: () => Date) {
    this.#store = store;
    this.#now = now;
  }

  /** All buckets, by name. */
  listBuckets(): BucketRecord[] {
    return this.#store.buckets();
  }

  /** The bucket `name`, or 404. */
  getBucket(name: string): BucketRecord {
    const bucket = this.#store.bucket(name);
    if (!bucket) throw noSuchBucket();
    return bucket;
  }

  /** `buckets.insert`: creates a bucket from the request body (name, retentionPolicy, labels). */
  insertBucket(body: Record<string, unknown>, projectId: string): Promise<BucketRecord> {
    const name = typeof body.name === 'string' ? body.name : '';
    assertBucketName(name);
    return this.#mutex.run(name, async () => {
      if (this.#store.bucket(name)) {
        throw conflict('Your previous request to create the named bucket succeeded and you already own it.');
      }
      const now = this.#now().toISOString();
      const record: BucketRecord = {
        name,
        projectId,
        timeCreated: now,
        updated: now,
        metageneration: 1,
        labels: mergeLabels({}, body.labels),
        retentionPolicy: policyForInsert(body.retentionPolicy as RequestedPolicy | null, name, this.#now()),
      };
      await this.#store.saveBucket(record);
      return record;
    });
  }

  /** `buckets.patch`: changes retentionPolicy (within the lock's rules) and labels. */
  patchBucket(name: string, body: Record<string, unknown>, pre: Preconditions): Promise<BucketRecord> {
    return this.#mutex.run(name, async () => {
      const current = this.getBucket(name);
      checkPreconditions(pre, current);
      const next: BucketRecord = { ...current, labels: mergeLabels(current.labels, body.labels) };
      if ('retentionPolicy' in body) {
        const requested = body.retentionPolicy as RequestedPolicy | null;
        next.retentionPolicy = policyForPatch(current.retentionPolicy, requested, name, this.#now());
      }
      return this.#saveBucketVersion(next);
    });
  }

  /** `buckets.lockRetentionPolicy`: locks the bucket's policy if its metageneration still matches. */
  lockBucket(name: string, ifMetagenerationMatch: number): Promise<BucketRecord> {
    return this.#mutex.run(name, async () => {
      const current = this.getBucket(name);
      if (current.metageneration !== ifMetagenerationMatch) throw conditionNotMet();
      const policy = lockedPolicy(current.retentionPolicy, name);
      return this.#saveBucketVersion({ ...current, retentionPolicy: policy });
    });
  }

  /** `buckets.delete`: only an empty bucket can be deleted. */
  deleteBucket(name: string, pre: Preconditions): Promise<void> {
    return this.#mutex.run(name, async () => {
      checkPreconditions(pre, this.getBucket(name));
      if (this.#store.objectCount(name) > 0) throw conflict('The bucket you tried to delete is not empty.');
      await this.#store.deleteBucket(name);
    });
  }

  /** Creates `spec`'s bucket if missing and moves its policy toward the spec where the rules allow. */
  ensureBucket(spec: BucketSpec, projectId: string, log: (line: string) => void): Promise<void> {
    return this.#reconcileBucket(spec, projectId).catch((err: unknown) => {
      log(`storage stand-in: bucket ${spec.name} kept as is: ${(err as Error).message}`);
    });
  }

  async #reconcileBucket(spec: BucketSpec, projectId: string): Promise<void> {
    const period = spec.retentionPeriodSeconds;
    let bucket = this.#store.bucket(spec.name);
    if (!bucket) {
      const retentionPolicy = period === undefined ? undefined : { retentionPeriod: String(period) };
      bucket = await this.insertBucket({ name: spec.name, retentionPolicy }, projectId);
    } else if (period !== undefined && period !== bucket.retentionPolicy?.retentionPeriodSeconds) {
      bucket = await this.patchBucket(
        spec.name,
        { retentionPolicy: { retentionPeriod: String(period) } },
        {},
      );
    }
    if (spec.locked && bucket.retentionPolicy && !bucket.retentionPolicy.isLocked) {
      await this.lockBucket(spec.name, bucket.metageneration);
    }
  }

  async #saveBucketVersion(next: BucketRecord): Promise<BucketRecord> {
    const record = { ...next, metageneration: next.metageneration + 1, updated: this.#now().toISOString() };
    await this.#store.saveBucket(record);
    return record;
  }

  /** `objects.get` (metadata): the selected object version, or 404/412. */
  getObject(selector: ObjectSelector): Located {
    const bucket = this.getBucket(selector.bucket);
    const object = this.#store.object(selector.bucket, selector.name);
    checkPreconditions(selector.preconditions, object);
    if (!object || (selector.generation !== undefined && selector.generation !== object.generation)) {
      throw noSuchObject(selector.bucket, selector.name);
    }
    return { bucket, object };
  }

  /** `objects.get?alt=media`: the selected object version and its bytes (a consistent snapshot). */
  readObject(selector: ObjectSelector): Promise<Located & { data: Buffer }> {
    return this.#mutex.run(selector.bucket, async () => {
      const located = this.getObject(selector);
      return { ...located, data: await this.#store.readObjectData(located.object) };
    });
  }

  /** Commits an upload: checksums (400), preconditions (412), retention of what it replaces (403). */
  writeObject(write: ObjectWrite): Promise<Located> {
    assertObjectName(write.name);
    const computed = computeHashes(write.data);
    for (const claim of write.claims) assertHashesMatch(claim, computed);
    return this.#mutex.run(write.bucket, async () => {
      const bucket = this.getBucket(write.bucket);
      const existing = this.#store.object(write.bucket, write.name);
      const now = this.#now();
      checkPreconditions(write.preconditions, existing);
      if (existing) assertRetentionMet(existing, bucket, now);
      const object: ObjectRecord = {
        ...write.description,
        bucket: write.bucket,
        name: write.name,
        generation: await this.#store.allocateGeneration(now),
        metageneration: 1,
        size: write.data.length,
        ...computed,
        timeCreated: now.toISOString(),
        updated: now.toISOString(),
      };
      await this.#store.putObject(object, write.data);
      return { bucket, object };
    });
  }

  /** Checks an upload's preconditions up front (resumable session start); the commit checks again. */
  checkWritePreconditions(bucketName: string, name: string, pre: Preconditions): void {
    assertObjectName(name);
    this.getBucket(bucketName);
    checkPreconditions(pre, this.#store.object(bucketName, name));
  }

  /** `objects.patch`: updates descriptive fields and custom metadata; allowed under retention. */
  patchObject(selector: ObjectSelector, body: Record<string, unknown>): Promise<Located> {
    return this.#mutex.run(selector.bucket, async () => {
      const { bucket, object } = this.getObject(selector);
      const next: ObjectRecord = stripUndefined({
        ...patchDescription(object, body),
        metageneration: object.metageneration + 1,
        updated: this.#now().toISOString(),
      });
      await this.#store.saveObjectMetadata(next);
      return { bucket, object: next };
    });
  }

  /** `objects.delete`: refused (403) while the object is under its bucket's retention. */
  deleteObject(selector: ObjectSelector): Promise<void> {
    return this.#mutex.run(selector.bucket, async () => {
      const { bucket, object } = this.getObject(selector);
      assertRetentionMet(object, bucket, this.#now());
      await this.#store.deleteObject(selector.bucket, selector.name);
    });
  }

  /** `objects.list`: one page of `bucket`'s live objects. */
  listObjects(bucketName: string, query: ListQuery): ListResult {
    const bucket = this.getBucket(bucketName);
    const page = listPage(this.#store.objectNames(bucketName), query);
    const objects = page.items.flatMap((name) => this.#store.object(bucketName, name) ?? []);
    return { bucket, objects, page };
  }
}

/** A page of `objects.list` with the records of its items. */
export interface ListResult {
  bucket: BucketRecord;
  objects: ObjectRecord[];
  page: ListPage;
}

function assertBucketName(name: string): void {
  if (!BUCKET_NAME.test(name) || name.includes('..')) throw invalid(`Invalid bucket name: '${name}'`);
}

function assertObjectName(name: string): void {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes === 0 || bytes > MAX_OBJECT_NAME_BYTES || /[\r\n]/.test(name) || name === '.' || name === '..') {
    throw invalid(`The specified object name is not valid: '${name}'`);
  }
}

function mergeLabels(current: Record<string, string>, value: unknown): Record<string, string> {
  if (value === undefined) return current;
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw invalid('Bucket labels must be a JSON object.');
  const labels = { ...current };
  for (const [key, entry] of Object.entries(value)) {
    if (entry === null) delete labels[key];
    else labels[key] = String(entry);
  }
  return labels;
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
