// ResultBlobs on Cloud Storage (official @google-cloud/storage client): large masked results in the results
// bucket, written create-only and checked end to end with CRC32C.

import type { Bucket } from '@google-cloud/storage';
import { crc32cBase64 } from '../../core/crc32c.ts';
import { WardenError } from '../../core/errors.ts';
import type { ResultBlobs } from '../../ports/result-blobs.ts';

export class GcsResultBlobs implements ResultBlobs {
  readonly #bucket: Bucket;
  constructor(bucket: Bucket) {
    this.#bucket = bucket;
  }

  async put(name: string, data: Uint8Array): Promise<string> {
    const crc = crc32cBase64(data);
    const file = this.#bucket.file(name);
    try {
      await file.save(Buffer.from(data), {
        resumable: false,
        validation: 'crc32c',
        contentType: 'application/json',
        metadata: { crc32c: crc, cacheControl: 'no-store' },
        preconditionOpts: { ifGenerationMatch: 0 },
      });
    } catch (err) {
      throw new WardenError('unavailable', 'The results bucket could not store the result.', { cause: err });
    }
    if (file.metadata.crc32c !== crc)
      throw new WardenError('integrity', 'The stored result does not match what was written.');
    return `gs://${this.#bucket.name}/${name}`;
  }

  async get(name: string): Promise<Uint8Array | undefined> {
    try {
      const [data] = await this.#bucket.file(name).download({ validation: 'crc32c' });
      return data;
    } catch (err) {
      if ((err as { code?: unknown }).code === 404) return undefined;
      throw new WardenError('unavailable', 'The results bucket could not be read.', { cause: err });
    }
  }
}
