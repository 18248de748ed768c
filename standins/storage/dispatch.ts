// The route table: which handler serves each (API, method, resource) of the Cloud Storage subset.

import type { ApiCall, ApiContext } from './api-call.ts';
import {
  deleteBucket,
  getBucket,
  insertBucket,
  listBuckets,
  lockRetentionPolicy,
  patchBucket,
} from './bucket-routes.ts';
import { notServed } from './errors.ts';
import type { Reply } from './http-io.ts';
import { deleteObject, downloadObject, getObject, listObjects, patchObject } from './object-routes.ts';
import { cancelResumable, putResumable, startUpload } from './upload-routes.ts';

type Handler = (ctx: ApiContext, call: ApiCall) => Reply | Promise<Reply>;

const ROUTES: Readonly<Record<string, Handler>> = {
  'json GET buckets': listBuckets,
  'json POST buckets': insertBucket,
  'json GET bucket': getBucket,
  'json PATCH bucket': patchBucket,
  'json DELETE bucket': deleteBucket,
  'json POST lock': lockRetentionPolicy,
  'json GET objects': listObjects,
  'json GET object': getObject,
  'json PATCH object': patchObject,
  'json DELETE object': deleteObject,
  'download GET object': downloadObject,
  'upload POST objects': startUpload,
  'upload PUT objects': putResumable,
  'upload DELETE objects': cancelResumable,
};

/** Runs the handler for `call`, or throws 404 for a request outside the served subset. */
export async function dispatch(ctx: ApiContext, call: ApiCall, path: string): Promise<Reply> {
  const handler = ROUTES[`${call.route.api} ${call.method} ${call.route.target}`];
  if (!handler) throw notServed(call.method, path);
  return handler(ctx, call);
}
