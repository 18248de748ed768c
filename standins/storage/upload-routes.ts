// Upload API routes: uploadType=multipart, uploadType=media, and resumable sessions (start, PUT, cancel).

import type { ApiCall, ApiContext } from './api-call.ts';
import { bucketOf, header, preconditionsOf, requiredParam } from './api-call.ts';
import { parseUploadRange } from './byte-range.ts';
import { GcsError, invalid, required } from './errors.ts';
import type { Reply } from './http-io.ts';
import { jsonObject, ok } from './http-io.ts';
import { parseMultipartUpload } from './multipart.ts';
import { claimedHashesOf, claimedHashesOfHeader, describeUpload } from './object-metadata.ts';
import { parseCount } from './preconditions.ts';
import { objectResource } from './resources.ts';
import type { UploadSession } from './resumable-sessions.ts';
import { appendToSession, receivedRangeHeader } from './resumable-sessions.ts';
import type { ObjectWrite } from './storage-service.ts';

const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** `POST /upload/storage/v1/b/{bucket}/o?uploadType=…`. */
export function startUpload(ctx: ApiContext, call: ApiCall): Promise<Reply> {
  const uploadType = requiredParam(call, 'uploadType');
  if (uploadType === 'multipart') return multipartUpload(ctx, call);
  if (uploadType === 'media') return mediaUpload(ctx, call);
  if (uploadType === 'resumable') return Promise.resolve(startResumable(ctx, call));
  throw invalid(`Unsupported uploadType: ${uploadType}`);
}

/** A JSON metadata part and a media part; checksums in the metadata are verified. */
async function multipartUpload(ctx: ApiContext, call: ApiCall): Promise<Reply> {
  const { metadata, media, mediaContentType } = parseMultipartUpload(header(call, 'content-type'), call.body);
  return commit(ctx, call, {
    bucket: bucketOf(call),
    name: objectName(call, metadata),
    data: media,
    description: describeUpload(metadata, mediaContentType ?? DEFAULT_CONTENT_TYPE),
    claims: [claimedHashesOf(metadata), claimedHashesOfHeader(header(call, 'x-goog-hash'))],
    preconditions: preconditionsOf(call),
  });
}

/** The body is the object; its Content-Type is the object's. */
function mediaUpload(ctx: ApiContext, call: ApiCall): Promise<Reply> {
  return commit(ctx, call, {
    bucket: bucketOf(call),
    name: requiredParam(call, 'name'),
    data: call.body,
    description: { contentType: header(call, 'content-type') ?? DEFAULT_CONTENT_TYPE },
    claims: [claimedHashesOfHeader(header(call, 'x-goog-hash'))],
    preconditions: preconditionsOf(call),
  });
}

async function commit(ctx: ApiContext, call: ApiCall, write: ObjectWrite): Promise<Reply> {
  const { bucket, object } = await ctx.service.writeObject(write);
  return ok(objectResource(object, bucket, call.origin));
}

/** Opens a session after checking bucket, name and preconditions; answers with its URI in `Location`. */
function startResumable(ctx: ApiContext, call: ApiCall): Reply {
  const metadata = jsonObject(call.body);
  const bucket = bucketOf(call);
  const name = objectName(call, metadata);
  const preconditions = preconditionsOf(call);
  ctx.service.checkWritePreconditions(bucket, name, preconditions);
  const declaredSize = header(call, 'x-upload-content-length');
  const session = ctx.sessions.open({
    bucket,
    name,
    description: describeUpload(metadata, header(call, 'x-upload-content-type') ?? DEFAULT_CONTENT_TYPE),
    claims: [claimedHashesOf(metadata)],
    preconditions,
    declaredSize:
      declaredSize === undefined ? undefined : parseCount('X-Upload-Content-Length', declaredSize),
  });
  const location = `${call.origin}/upload/storage/v1/b/${bucket}/o?uploadType=resumable&upload_id=${session.id}`;
  return { status: 200, headers: { location, 'x-guploader-uploadid': session.id }, body: Buffer.alloc(0) };
}

/** `PUT {session URI}`: appends bytes (or queries status); 308 with `Range` until complete. */
export async function putResumable(ctx: ApiContext, call: ApiCall): Promise<Reply> {
  const session = sessionOf(ctx, call);
  if (session.result) return ok(session.result);
  const range = parseUploadRange(header(call, 'content-range'), call.body.length);
  const step = appendToSession(session, range, call.body);
  if (step.kind === 'incomplete')
    return { status: 308, headers: receivedRangeHeader(session), body: Buffer.alloc(0) };
  const claims = [...session.claims, claimedHashesOfHeader(header(call, 'x-goog-hash'))];
  try {
    const { bucket, object } = await ctx.service.writeObject({ ...session, data: step.data, claims });
    session.result = objectResource(object, bucket, call.origin);
    session.chunks = [];
    return ok(session.result);
  } catch (err) {
    ctx.sessions.delete(session.id); // a failed finalisation ends the session, as in the service
    throw err;
  }
}

/** `DELETE {session URI}`: cancels the upload (the service answers 499). */
export function cancelResumable(ctx: ApiContext, call: ApiCall): Reply {
  ctx.sessions.delete(sessionOf(ctx, call).id);
  return { status: 499, body: Buffer.alloc(0) };
}

function sessionOf(ctx: ApiContext, call: ApiCall): UploadSession {
  const session = ctx.sessions.get(requiredParam(call, 'upload_id'));
  if (!session || session.bucket !== bucketOf(call)) {
    throw new GcsError(404, 'notFound', 'No such resumable upload session.');
  }
  return session;
}

/** The object name from the `name` parameter, else the metadata's `name`. */
function objectName(call: ApiCall, metadata: Record<string, unknown>): string {
  const name = call.query.get('name') ?? metadata.name;
  if (typeof name !== 'string' || name === '') throw required('name');
  return name;
}
