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
        throw new WardenError('conflict', `Audit object ${name} already exists.`, { cause: err });
      throw new WardenError('unavailable', 'Cloud Storage write failed.', { cause: err });
    }
    const meta = file.metadata;
    if (meta.crc32c !== crc)
      throw new WardenError('integrity', `Audit object ${name}: stored checksum does not match.`);
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
        throw new WardenError('not_found', `Audit object ${name} does not exist.`, { cause: err });
      throw new WardenError('unavailable', 'Cloud Storage read failed.', { cause: err });
    }
  }

  async list(prefix: string): Promise<string[]> {
    try {
      const [files] = await this.#bucket.getFiles({ prefix, autoPaginate: true });
      return files.map((f) => f.name).sort();
    } catch (err) {
      throw new WardenError('unavailable', 'Cloud Storage list failed.', { cause: err });
    }
  }
}

function statusOf(err: unknown): number | undefined {
  const e = err as { code?: unknown; status?: unknown };
  return typeof e?.code === 'number' ? e.code : typeof e?.status === 'number' ? e.status : undefined;
}
