// Maps request paths of the JSON, upload and download APIs to the resource they address.

import { invalid } from './errors.ts';

/** Which API surface a path belongs to. */
export type Api = 'json' | 'upload' | 'download';

/** The resource a path addresses. */
export type Target = 'buckets' | 'bucket' | 'lock' | 'objects' | 'object';

/** A parsed request path. */
export interface Route {
  api: Api;
  target: Target;
  bucket?: string;
  object?: string;
}

const PREFIXES: readonly (readonly [string, Api])[] = [
  ['/upload/storage/v1', 'upload'],
  ['/download/storage/v1', 'download'],
  ['/storage/v1', 'json'],
  ['', 'json'], // STORAGE_EMULATOR_HOST makes the client drop `/storage/v1` from JSON API paths
];

/**
 * Parses a raw (still percent-encoded) path. Accepts the client's URL shapes for both `apiEndpoint`
 * (`/storage/v1/b/…`, `/upload/storage/v1/b/…`) and `STORAGE_EMULATOR_HOST` (`/b/…`, and
 * `/storage/v1/upload/storage/v1/b/…` when the emulator host itself ends in `/storage/v1`).
 */
export function parseRoute(rawPath: string): Route | undefined {
  const path = rawPath.replace(/^\/storage\/v1(?=\/(upload|download)\/)/, '');
  for (const [prefix, api] of PREFIXES) {
    if (path === `${prefix}/b` || path.startsWith(`${prefix}/b/`)) {
      return parseResourcePath(api, path.slice(prefix.length + 2));
    }
  }
  return undefined;
}

/** Parses what follows `/b`: '', `/{bucket}`, `/{bucket}/lockRetentionPolicy`, `/{bucket}/o[/{object}]`. */
function parseResourcePath(api: Api, rest: string): Route | undefined {
  if (rest === '' || rest === '/') return { api, target: 'buckets' };
  const [, bucketPart = '', kind, ...objectParts] = rest.split('/');
  const bucket = decode(bucketPart);
  if (kind === undefined || (kind === '' && objectParts.length === 0))
    return { api, target: 'bucket', bucket };
  if (kind === 'lockRetentionPolicy' && objectParts.length === 0) return { api, target: 'lock', bucket };
  if (kind !== 'o') return undefined;
  const object = objectParts.join('/');
  if (object === '') return { api, target: 'objects', bucket };
  return { api, target: 'object', bucket, object: decode(object) };
}

function decode(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    throw invalid(`Malformed percent-encoding in path: ${component}`);
  }
}
