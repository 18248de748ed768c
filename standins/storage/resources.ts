// Renders stored records as Cloud Storage JSON API resources (int64 fields as decimal strings).

import type { BucketRecord, ObjectRecord } from './records.ts';
import { retentionExpiry } from './retention.ts';

/** The `storage#bucket` resource for `bucket`; `origin` is the stand-in's base URL. */
export function bucketResource(bucket: BucketRecord, origin: string): Record<string, unknown> {
  const policy = bucket.retentionPolicy;
  return {
    kind: 'storage#bucket',
    selfLink: `${origin}/storage/v1/b/${bucket.name}`,
    id: bucket.name,
    name: bucket.name,
    metageneration: String(bucket.metageneration),
    location: 'US',
    locationType: 'multi-region',
    storageClass: 'STANDARD',
    etag: etag(bucket.metageneration),
    timeCreated: bucket.timeCreated,
    updated: bucket.updated,
    ...(Object.keys(bucket.labels).length > 0 && { labels: bucket.labels }),
    ...(policy && {
      retentionPolicy: {
        retentionPeriod: String(policy.retentionPeriodSeconds),
        effectiveTime: policy.effectiveTime,
        isLocked: policy.isLocked,
      },
    }),
  };
}

/** The `storage#object` resource for `object` in `bucket`; `origin` is the stand-in's base URL. */
export function objectResource(
  object: ObjectRecord,
  bucket: BucketRecord,
  origin: string,
): Record<string, unknown> {
  const path = `b/${object.bucket}/o/${encodeURIComponent(object.name)}`;
  const expiry = retentionExpiry(object, bucket);
  return {
    kind: 'storage#object',
    id: `${object.bucket}/${object.name}/${object.generation}`,
    selfLink: `${origin}/storage/v1/${path}`,
    mediaLink: `${origin}/download/storage/v1/${path}?generation=${object.generation}&alt=media`,
    name: object.name,
    bucket: object.bucket,
    generation: String(object.generation),
    metageneration: String(object.metageneration),
    contentType: object.contentType,
    ...optionalDescription(object),
    storageClass: 'STANDARD',
    size: String(object.size),
    md5Hash: object.md5Hash,
    crc32c: object.crc32c,
    etag: etag(object.generation, object.metageneration),
    timeCreated: object.timeCreated,
    updated: object.updated,
    timeStorageClassUpdated: object.timeCreated,
    timeFinalized: object.timeCreated,
    ...(expiry && { retentionExpirationTime: expiry.toISOString() }),
  };
}

function optionalDescription(object: ObjectRecord): Record<string, unknown> {
  const fields = {
    contentEncoding: object.contentEncoding,
    contentDisposition: object.contentDisposition,
    contentLanguage: object.contentLanguage,
    cacheControl: object.cacheControl,
    metadata: object.metadata,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/** An opaque entity tag that changes whenever the (meta)generation does. */
export function etag(...versions: number[]): string {
  return Buffer.from(versions.join('/')).toString('base64');
}
