// AuditSink on Cloud Storage (official @google-cloud/storage client): create-only objects in the
// retention-locked audit bucket, each write checked end to end with CRC32C.

import type { Bucket } from '@google-cloud/storage';
import { crc32cBase64 } from '../../core/crc32c.ts';
import { WardenError } from '../../core/errors.ts';
import type { AuditSink, StoredObject } from '../../ports/audit-sink.ts';

/** Writes with `ifGenerationMatch: 0`, so an existing object is never replaced. */
export class GcsAuditSink implements AuditSink {
  readonly #bucket: Bucket;
  constructor(bucket: Bucket) {
    this.#bucket = bucket;
  }

  async create(name: string, data: Uint8Array, contentType: string): Promise<StoredObject> {
    const file = this.#bucket.file(name);
    const crc = crc32cBase64(data);
    try {
      await file.save(Buffer.from(data), {
        resumable: false,
        validation: 'crc32c',
        contentType,
        metadata: { crc32c: crc },
        preconditionOpts: { ifGenerationMatch: 0 },
      });
    } catch (err) {
      if (statusOf(err) === 412)
        throw new WardenError('conflict', `Audit object ${this.#url(name)} already exists.`, { cause: err });
      throw new WardenError('unavailable', `Cloud Storage write of ${this.#url(name)} failed.`, {
        cause: err,
      });
    }
    const meta = file.metadata;
    if (meta.crc32c !== crc)
      throw new WardenError('integrity', `Audit object ${this.#url(name)}: stored checksum does not match.`);
    return {
      name,
      generation: String(meta.generation ?? ''),
      size: Number(meta.size ?? data.length),
      crc32c: crc,
    };
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
