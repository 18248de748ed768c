// The stand-in's persisted records of buckets and objects (what is stored, not what the API returns).

import { z } from 'zod';

const retentionPolicySchema = z.object({
  retentionPeriodSeconds: z.number().int().positive(),
  effectiveTime: z.string(),
  isLocked: z.boolean(),
});

/** Schema of `bucket.json`. */
export const bucketRecordSchema = z.object({
  name: z.string(),
  projectId: z.string(),
  timeCreated: z.string(),
  updated: z.string(),
  metageneration: z.number().int().positive(),
  labels: z.record(z.string(), z.string()),
  retentionPolicy: retentionPolicySchema.optional(),
});

const objectDescriptionSchema = z.object({
  contentType: z.string(),
  contentEncoding: z.string().optional(),
  contentDisposition: z.string().optional(),
  contentLanguage: z.string().optional(),
  cacheControl: z.string().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
});

/** Schema of an object's metadata JSON; its bytes live in a per-generation data file. */
export const objectRecordSchema = objectDescriptionSchema.extend({
  bucket: z.string(),
  name: z.string(),
  generation: z.number().int().positive(),
  metageneration: z.number().int().positive(),
  size: z.number().int().nonnegative(),
  md5Hash: z.string(),
  crc32c: z.string(),
  timeCreated: z.string(),
  updated: z.string(),
});

/** A bucket's time-based retention policy. */
export type RetentionPolicyRecord = z.infer<typeof retentionPolicySchema>;
/** A bucket as persisted. */
export type BucketRecord = z.infer<typeof bucketRecordSchema>;
/** The settable, descriptive fields of an object. */
export type ObjectDescription = z.infer<typeof objectDescriptionSchema>;
/** An object's live version as persisted. */
export type ObjectRecord = z.infer<typeof objectRecordSchema>;
