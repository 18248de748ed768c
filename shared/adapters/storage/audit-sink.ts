// AuditSink on Cloud Storage: create-only objects in the retention-locked audit bucket, each write checked end
// to end with CRC32C. Writes go through the JSON API's multipart insert with the official client's credentials
// (./json-upload.ts: the hot path, a fifth of the client's CPU); reads and listings through the official
// @google-cloud/storage client.

import type { Bucket } from '@google-cloud/storage';
import { crc32cBase64 } from '../../core/crc32c.ts';
import { WardenError } from '../../core/errors.ts';
import type { AuditSink, StoredObject } from '../../ports/audit-sink.ts';
import { insertObject, UploadError, type UploadTarget } from './json-upload.ts';

/** Writes with `ifGenerationMatch: 0`, so an existing object is never replaced. */
export class GcsAuditSink implements AuditSink {
  readonly #bucket: Bucket;
  readonly #target: UploadTarget;
  constructor(bucket: Bucket, upload?: Partial<UploadTarget>) {
    this.#bucket = bucket;
    const storage = bucket.storage;
    // As the client does: no credentials to a custom endpoint (a loopback stand-in) unless asked for.
    const authenticate = !storage?.customEndpoint || storage.useAuthWithCustomEndpoint === true;
    this.#target = {
      apiEndpoint: storage?.apiEndpoint ?? 'https://storage.googleapis.com',
      bucket: bucket.name,
      headers: async (url) =>
        authenticate ? Object.fromEntries(await storage.authClient.getRequestHeaders(url)) : {},
      ...upload,
    };
  }

  async create(name: string, data: Uint8Array, contentType: string): Promise<StoredObject> {
    const crc = crc32cBase64(data);
    let stored: { generation: string; size: number; crc32c: string };
    try {
      stored = await insertObject(this.#target, name, data, contentType, crc);
    } catch (err) {
      if (err instanceof UploadError && err.status === 412) {
        // After a retry, the object may be this write's own earlier attempt: it is ours if it holds our bytes.
        if (err.retried && (await this.#holds(name, data, crc)))
          return { name, generation: '', size: data.length, crc32c: crc };
        throw new WardenError('conflict', `Audit object ${this.#url(name)} already exists.`, { cause: err });
      }
      throw new WardenError('unavailable', `Cloud Storage write of ${this.#url(name)} failed.`, {
        cause: err,
      });
    }
    if (stored.crc32c !== crc)
      throw new WardenError('integrity', `Audit object ${this.#url(name)}: stored checksum does not match.`);
    return {
      name,
      generation: stored.generation,
      size: Number.isFinite(stored.size) ? stored.size : data.length,
      crc32c: crc,
    };
  }

  /** Whether `name` holds exactly `data` (an earlier attempt of the same write that landed). */
  async #holds(name: string, data: Uint8Array, crc: string): Promise<boolean> {
    try {
      const [meta] = await this.#bucket.file(name).getMetadata();
      if (meta.crc32c !== crc || Number(meta.size) !== data.length) return false;
      return Buffer.from(await this.read(name)).equals(Buffer.from(data));
    } catch {
      return false;
    }
  }

  async read(name: string): Promise<Uint8Array> {
    try {
      const [data] = await this.#bucket.file(name).download({ validation: 'crc32c' });
      return data;
    } catch (err) {
      if (statusOf(err) === 404)
        throw new WardenError('not_found', `Audit object ${this.#url(name)} does not exist.`, { cause: err });
      // The client compares the bytes it received with the CRC32C the bucket holds for the object.
      if ((err as { code?: unknown }).code === 'CONTENT_DOWNLOAD_MISMATCH')
        throw new WardenError(
          'integrity',
          `Audit object ${this.#url(name)}: the bytes read do not match its stored CRC32C (damaged at rest or in transit).`,
          { cause: err },
        );
      throw new WardenError('unavailable', `Cloud Storage read of ${this.#url(name)} failed.`, {
        cause: err,
      });
    }
  }

  async list(prefix: string): Promise<string[]> {
    try {
      const [files] = await this.#bucket.getFiles({ prefix, autoPaginate: true });
      return files.map((f) => f.name).sort();
    } catch (err) {
      throw new WardenError('unavailable', `Cloud Storage list of ${this.#url(prefix)} failed.`, {
        cause: err,
      });
    }
  }

  /** gs://bucket/name: errors name the object, for operators and auditors (never shown to MCP callers). */
  #url(name: string): string {
    return `gs://${this.#bucket.name}/${name}`;
  }
}

function statusOf(err: unknown): number | undefined {
  const e = err as { code?: unknown; status?: unknown };
  return typeof e?.code === 'number' ? e.code : typeof e?.status === 'number' ? e.status : undefined;
}
