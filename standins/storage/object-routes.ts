// JSON API object routes: get (metadata or media), patch, delete, list.

import type { ApiCall, ApiContext } from './api-call.ts';
import { bucketOf, header, selectorOf } from './api-call.ts';
import { parseRange } from './byte-range.ts';
import type { Reply } from './http-io.ts';
import { jsonObject, ok } from './http-io.ts';
import { parseListQuery } from './listing.ts';
import type { ObjectRecord } from './records.ts';
import { objectResource } from './resources.ts';

/** `GET /b/{bucket}/o/{object}`: the object resource, or its bytes with `alt=media`. */
export function getObject(ctx: ApiContext, call: ApiCall): Reply | Promise<Reply> {
  if (call.query.get('alt') === 'media') return downloadObject(ctx, call);
  const { bucket, object } = ctx.service.getObject(selectorOf(call));
  return ok(objectResource(object, bucket, call.origin));
}

/**
 * The object's bytes with the headers the client's download validation reads: `x-goog-hash`
 * (crc32c and md5 of the whole object) and `x-goog-stored-content-encoding`. Honours `Range`.
 */
export async function downloadObject(ctx: ApiContext, call: ApiCall): Promise<Reply> {
  const { object, data } = await ctx.service.readObject(selectorOf(call));
  const headers = downloadHeaders(object);
  const range = parseRange(header(call, 'range'), data.length);
  if (range === 'unsatisfiable') {
    return { status: 416, headers: { ...headers, 'content-range': `bytes */${data.length}` } };
  }
  if (range === undefined) return { status: 200, headers, body: data };
  const contentRange = `bytes ${range.start}-${range.end}/${data.length}`;
  return {
    status: 206,
    headers: { ...headers, 'content-range': contentRange },
    body: data.subarray(range.start, range.end + 1),
  };
}

function downloadHeaders(object: ObjectRecord): Record<string, string> {
  const storedEncoding = object.contentEncoding ?? 'identity';
  return {
    'content-type': object.contentType,
    'x-goog-hash': `crc32c=${object.crc32c},md5=${object.md5Hash}`,
    'x-goog-generation': String(object.generation),
    'x-goog-metageneration': String(object.metageneration),
    'x-goog-stored-content-encoding': storedEncoding,
    'x-goog-stored-content-length': String(object.size),
    'x-goog-storage-class': 'STANDARD',
    etag: `"${object.md5Hash}"`,
    'last-modified': new Date(object.updated).toUTCString(),
    'accept-ranges': 'bytes',
    'cache-control': object.cacheControl ?? 'no-cache, no-store, max-age=0, must-revalidate',
    ...(storedEncoding !== 'identity' && { 'content-encoding': storedEncoding }),
    ...(object.contentDisposition && { 'content-disposition': object.contentDisposition }),
    ...(object.contentLanguage && { 'content-language': object.contentLanguage }),
  };
}

/** `PATCH /b/{bucket}/o/{object}`: descriptive fields and custom metadata. */
export async function patchObject(ctx: ApiContext, call: ApiCall): Promise<Reply> {
  const { bucket, object } = await ctx.service.patchObject(selectorOf(call), jsonObject(call.body));
  return ok(objectResource(object, bucket, call.origin));
}

/** `DELETE /b/{bucket}/o/{object}`: refused while under retention. */
export async function deleteObject(ctx: ApiContext, call: ApiCall): Promise<Reply> {
  await ctx.service.deleteObject(selectorOf(call));
  return { status: 204 };
}

/** `GET /b/{bucket}/o`: prefix, delimiter, maxResults, pageToken, startOffset, endOffset. */
export function listObjects(ctx: ApiContext, call: ApiCall): Reply {
  const { bucket, objects, page } = ctx.service.listObjects(bucketOf(call), parseListQuery(call.query));
  return ok({
    kind: 'storage#objects',
    ...(page.nextPageToken !== undefined && { nextPageToken: page.nextPageToken }),
    ...(page.prefixes.length > 0 && { prefixes: page.prefixes }),
    ...(objects.length > 0 && { items: objects.map((o) => objectResource(o, bucket, call.origin)) }),
  });
}
