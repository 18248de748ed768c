// Durable state of the stand-in: buckets and live objects, indexed in memory and persisted under stateDir.
//
// Layout:
//   <stateDir>/generation.json                          a bound on every generation handed out (never reused)
//   <stateDir>/buckets/<bucket>/bucket.json             BucketRecord
//   <stateDir>/buckets/<bucket>/objects/<key>.json      ObjectRecord of the live version (key = sha256(name))
//   <stateDir>/buckets/<bucket>/objects/<key>.g<N>.bin  bytes of generation N
// An object's data file is written (under a name no other write uses: it holds the generation) and fsynced
// before its metadata is renamed into place, and removed after the metadata, so metadata never points at
// missing bytes; unreferenced data files and temp files are swept on open. Both live in one directory, whose
// one fsync at the end of a write makes the data file's name and the metadata's rename durable together.

import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { isTempFile, removeFileDurably, writeFileAtomic, writeNewFile } from './atomic-file.ts';
import type { BucketRecord, ObjectRecord } from './records.ts';
import { bucketRecordSchema, objectRecordSchema } from './records.ts';

const generationFileSchema = z.object({ last: z.number().int().nonnegative() });

/**
 * Generations are reserved a minute of clock (in microseconds) ahead, so generation.json is rewritten about
 * once a minute rather than once per object; a reopened store starts above the reservation.
 */
const GENERATION_RESERVATION = 60_000_000;

/** Buckets and objects of one stand-in, persisted in `stateDir`. Callers serialise mutations. */
export class StateStore {
  readonly #dir: string;
  readonly #buckets = new Map<string, BucketRecord>();
  readonly #objects = new Map<string, Map<string, ObjectRecord>>();
  #lastGeneration = 0;
  /** Every generation up to this one may be handed out without touching generation.json. */
  #reservedGeneration = 0;

  private constructor(dir: string) {
    this.#dir = dir;
  }

  /** Opens (creating if needed) the state in `stateDir` and loads it into memory. */
  static async open(stateDir: string): Promise<StateStore> {
    const store = new StateStore(stateDir);
    await mkdir(join(stateDir, 'buckets'), { recursive: true });
    await store.#load();
    return store;
  }

  /** The bucket named `name`, if it exists. */
  bucket(name: string): BucketRecord | undefined {
    return this.#buckets.get(name);
  }

  /** All buckets, ordered by name. */
  buckets(): BucketRecord[] {
    return [...this.#buckets.values()].sort((a, b) => compareNames(a.name, b.name));
  }

  /** Creates or replaces a bucket record. */
  async saveBucket(record: BucketRecord): Promise<void> {
    await mkdir(this.#objectsDir(record.name), { recursive: true });
    await writeFileAtomic(join(this.#bucketDir(record.name), 'bucket.json'), JSON.stringify(record, null, 2));
    this.#buckets.set(record.name, record);
    if (!this.#objects.has(record.name)) this.#objects.set(record.name, new Map());
  }

  /** Removes an (empty) bucket and its directory. */
  async deleteBucket(name: string): Promise<void> {
    await removeFileDurably(join(this.#bucketDir(name), 'bucket.json'));
    await rm(this.#bucketDir(name), { recursive: true, force: true });
    this.#buckets.delete(name);
    this.#objects.delete(name);
  }

  /** The live version of `bucket/name`, if any. */
  object(bucket: string, name: string): ObjectRecord | undefined {
    return this.#objects.get(bucket)?.get(name);
  }

  /** Names of the live objects in `bucket`, in Cloud Storage order (UTF-8 byte order). */
  objectNames(bucket: string): string[] {
    return [...(this.#objects.get(bucket)?.keys() ?? [])].sort(compareNames);
  }

  /** Number of live objects in `bucket`. */
  objectCount(bucket: string): number {
    return this.#objects.get(bucket)?.size ?? 0;
  }

  /** Makes `record` (with bytes `data`) the live version of its object, replacing any previous one. */
  async putObject(record: ObjectRecord, data: Uint8Array): Promise<void> {
    const previous = this.object(record.bucket, record.name);
    await writeNewFile(this.#dataPath(record), data);
    await this.saveObjectMetadata(record);
    if (previous && previous.generation !== record.generation) {
      await removeFileDurably(this.#dataPath(previous));
    }
  }

  /** Rewrites an object's metadata only (same generation, same bytes). */
  async saveObjectMetadata(record: ObjectRecord): Promise<void> {
    await writeFileAtomic(this.#metadataPath(record.bucket, record.name), JSON.stringify(record, null, 2));
    this.#objects.get(record.bucket)?.set(record.name, record);
  }

  /** Deletes the live version of `bucket/name`. */
  async deleteObject(bucket: string, name: string): Promise<void> {
    const record = this.object(bucket, name);
    if (!record) return;
    await removeFileDurably(this.#metadataPath(bucket, name));
    this.#objects.get(bucket)?.delete(name);
    await removeFileDurably(this.#dataPath(record));
  }

  /** The bytes of `record`'s generation. */
  async readObjectData(record: ObjectRecord): Promise<Buffer> {
    return readFile(this.#dataPath(record));
  }

  /**
   * A new generation number, larger than every one handed out before in this state dir. Like the real
   * service it tracks the clock in microseconds, but never goes backwards when the clock does.
   */
  async allocateGeneration(now: Date): Promise<number> {
    const generation = Math.max(this.#lastGeneration + 1, now.getTime() * 1000);
    if (generation > this.#reservedGeneration) {
      const reserved = generation + GENERATION_RESERVATION;
      await writeFileAtomic(join(this.#dir, 'generation.json'), JSON.stringify({ last: reserved }));
      this.#reservedGeneration = reserved;
    }
    this.#lastGeneration = generation;
    return generation;
  }

  async #load(): Promise<void> {
    this.#lastGeneration = await this.#readLastGeneration();
    this.#reservedGeneration = this.#lastGeneration;
    for (const entry of await readdir(join(this.#dir, 'buckets'), { withFileTypes: true })) {
      if (entry.isDirectory()) await this.#loadBucket(entry.name);
    }
  }

  async #readLastGeneration(): Promise<number> {
    const text = await readIfExists(join(this.#dir, 'generation.json'));
    return text === undefined ? 0 : generationFileSchema.parse(JSON.parse(text)).last;
  }

  async #loadBucket(dirName: string): Promise<void> {
    const text = await readIfExists(join(this.#bucketDir(dirName), 'bucket.json'));
    if (text === undefined) {
      await rm(this.#bucketDir(dirName), { recursive: true, force: true }); // interrupted create/delete
      return;
    }
    const record = bucketRecordSchema.parse(JSON.parse(text));
    this.#buckets.set(record.name, record);
    this.#objects.set(record.name, await this.#loadObjects(record.name));
  }

  async #loadObjects(bucket: string): Promise<Map<string, ObjectRecord>> {
    const dir = this.#objectsDir(bucket);
    await mkdir(dir, { recursive: true });
    const files = await readdir(dir);
    const objects = new Map<string, ObjectRecord>();
    for (const file of files.filter((f) => f.endsWith('.json'))) {
      const record = objectRecordSchema.parse(JSON.parse(await readFile(join(dir, file), 'utf8')));
      objects.set(record.name, record);
      this.#lastGeneration = Math.max(this.#lastGeneration, record.generation);
    }
    await this.#sweep(dir, files, objects);
    return objects;
  }

  /** Removes temp files and data files no live object references (left by crashes mid-write). */
  async #sweep(dir: string, files: string[], objects: Map<string, ObjectRecord>): Promise<void> {
    const referenced = new Set([...objects.values()].map((r) => dataFileName(r)));
    for (const file of files) {
      const orphanData = file.endsWith('.bin') && !referenced.has(file);
      if (orphanData || isTempFile(file)) await rm(join(dir, file), { force: true });
    }
  }

  #bucketDir(bucket: string): string {
    return join(this.#dir, 'buckets', bucket);
  }

  #objectsDir(bucket: string): string {
    return join(this.#bucketDir(bucket), 'objects');
  }

  #metadataPath(bucket: string, name: string): string {
    return join(this.#objectsDir(bucket), `${objectKey(name)}.json`);
  }

  #dataPath(record: ObjectRecord): string {
    return join(this.#objectsDir(record.bucket), dataFileName(record));
  }
}

/** Orders names as Cloud Storage lists them: by their UTF-8 bytes. */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function objectKey(name: string): string {
  return createHash('sha256').update(name, 'utf8').digest('hex');
}

function dataFileName(record: ObjectRecord): string {
  return `${objectKey(record.name)}.g${record.generation}.bin`;
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
