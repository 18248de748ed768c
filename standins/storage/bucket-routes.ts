// JSON API bucket routes: list, insert, get, patch, delete, lockRetentionPolicy.

import type { ApiCall, ApiContext } from './api-call.ts';
import { bucketOf, preconditionsOf, requiredParam } from './api-call.ts';
import type { Reply } from './http-io.ts';
import { jsonObject, ok } from './http-io.ts';
import { parseCount } from './preconditions.ts';
import { bucketResource } from './resources.ts';

/** `GET /b?project=`: the project's buckets. */
export function listBuckets(ctx: ApiContext, call: ApiCall): Reply {
  const project = requiredParam(call, 'project');
  const buckets = ctx.service.listBuckets().filter((b) => b.projectId === project);
  return ok({ kind: 'storage#buckets', items: buckets.map((b) => bucketResource(b, call.origin)) });
}

/** `POST /b?project=`: creates a bucket. */
export async function insertBucket(ctx: ApiContext, call: ApiCall): Promise<Reply> {
  const project = requiredParam(call, 'project');
  const bucket = await ctx.service.insertBucket(jsonObject(call.body), project);
  return ok(bucketResource(bucket, call.origin));
}

/** `GET /b/{bucket}`. */
export function getBucket(ctx: ApiContext, call: ApiCall): Reply {
  const bucket = ctx.service.getBucket(bucketOf(call));
  return ok(bucketResource(bucket, call.origin));
}

/** `PATCH /b/{bucket}`: retention policy and labels. */
export async function patchBucket(ctx: ApiContext, call: ApiCall): Promise<Reply> {
  const bucket = await ctx.service.patchBucket(bucketOf(call), jsonObject(call.body), preconditionsOf(call));
  return ok(bucketResource(bucket, call.origin));
}

/** `DELETE /b/{bucket}`: an empty bucket only. */
export async function deleteBucket(ctx: ApiContext, call: ApiCall): Promise<Reply> {
  await ctx.service.deleteBucket(bucketOf(call), preconditionsOf(call));
  return { status: 204 };
}

/** `POST /b/{bucket}/lockRetentionPolicy?ifMetagenerationMatch=`. */
export async function lockRetentionPolicy(ctx: ApiContext, call: ApiCall): Promise<Reply> {
  const metageneration = parseCount('ifMetagenerationMatch', requiredParam(call, 'ifMetagenerationMatch'));
  const bucket = await ctx.service.lockBucket(bucketOf(call), metageneration);
  return ok(bucketResource(bucket, call.origin));
}
