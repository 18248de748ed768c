// Reads client-sent object metadata (upload and patch bodies, X-Goog-Hash) and checks client checksums.

import { createHash } from 'node:crypto';
import { crc32cBase64 } from '../crc32c.ts';
import { invalid } from './errors.ts';
import type { ObjectDescription } from './records.ts';

/** Checksums the client claims for the bytes it sends (base64, as in the JSON API). */
export interface ClaimedHashes {
  crc32c?: string;
  md5Hash?: string;
}

/** The bytes' checksums as the service computes them. */
export interface ComputedHashes {
  crc32c: string;
  md5Hash: string;
}

const DESCRIPTIVE_FIELDS = [
  'contentEncoding',
  'contentDisposition',
  'contentLanguage',
  'cacheControl',
] as const;

/** CRC32C (base64, big-endian) and MD5 (base64) of `data`. */
export function computeHashes(data: Uint8Array): ComputedHashes {
  return { crc32c: crc32cBase64(data), md5Hash: createHash('md5').update(data).digest('base64') };
}

/** Throws 400 when a claimed checksum differs from the computed one, as the service does. */
export function assertHashesMatch(claimed: ClaimedHashes, computed: ComputedHashes): void {
  if (claimed.crc32c !== undefined && claimed.crc32c !== computed.crc32c) {
    throw invalid(
      `Provided CRC32C "${claimed.crc32c}" doesn't match calculated CRC32C "${computed.crc32c}".`,
    );
  }
  if (claimed.md5Hash !== undefined && claimed.md5Hash !== computed.md5Hash) {
    throw invalid(
      `Provided MD5 hash "${claimed.md5Hash}" doesn't match calculated MD5 hash "${computed.md5Hash}".`,
    );
  }
}

/** The checksums in an upload's JSON metadata (`crc32c`, `md5Hash`). */
export function claimedHashesOf(body: Record<string, unknown>): ClaimedHashes {
  return { crc32c: optionalString(body, 'crc32c'), md5Hash: optionalString(body, 'md5Hash') };
}

/** The checksums in an `X-Goog-Hash: crc32c=…,md5=…` header. */
export function claimedHashesOfHeader(header: string | undefined): ClaimedHashes {
  const claimed: ClaimedHashes = {};
  for (const pair of (header ?? '').split(',')) {
    const at = pair.indexOf('=');
    const [kind, value] = [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
    if (kind === 'crc32c') claimed.crc32c = value;
    if (kind === 'md5') claimed.md5Hash = value;
  }
  return claimed;
}

/** The descriptive fields of a new object from its upload metadata; `contentType` falls back. */
export function describeUpload(
  body: Record<string, unknown>,
  fallbackContentType: string,
): ObjectDescription {
  const description: ObjectDescription = {
    contentType: optionalString(body, 'contentType') ?? fallbackContentType,
  };
  for (const field of DESCRIPTIVE_FIELDS) {
    const value = optionalString(body, field);
    if (value !== undefined) description[field] = value;
  }
  const metadata = customMetadata(body.metadata, {});
  if (metadata && Object.keys(metadata).length > 0) description.metadata = metadata;
  return description;
}

/** Applies an `objects.patch` body to `current`: present fields replace, null clears, metadata merges. */
export function patchDescription<T extends ObjectDescription>(current: T, body: Record<string, unknown>): T {
  const next: T = { ...current };
  if (typeof body.contentType === 'string') next.contentType = body.contentType;
  for (const field of DESCRIPTIVE_FIELDS) {
    if (body[field] === null) delete next[field];
    else if (field in body) next[field] = requireString(body, field);
  }
  if ('metadata' in body) {
    const metadata = customMetadata(body.metadata, current.metadata ?? {});
    if (metadata && Object.keys(metadata).length > 0) next.metadata = metadata;
    else delete next.metadata;
  }
  return next;
}

/** Custom metadata merged onto `base`: string values set, null values remove; null overall clears. */
function customMetadata(value: unknown, base: Record<string, string>): Record<string, string> | undefined {
  if (value === undefined || value === null) return value === null ? undefined : base;
  if (typeof value !== 'object' || Array.isArray(value))
    throw invalid('Object metadata must be a JSON object.');
  const merged: Record<string, string> = { ...base };
  for (const [key, entry] of Object.entries(value)) {
    if (entry === null) delete merged[key];
    else merged[key] = typeof entry === 'string' ? entry : JSON.stringify(entry);
  }
  return merged;
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  return requireString(body, field);
}

function requireString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string') throw invalid(`Invalid value for ${field}: ${JSON.stringify(value)}`);
  return value;
}
