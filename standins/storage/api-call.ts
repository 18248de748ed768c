// The parsed request every route handler receives, and the shared state handlers work on.

import type { IncomingHttpHeaders } from 'node:http';
import { required } from './errors.ts';
import type { Preconditions } from './preconditions.ts';
import { parseCount, parsePreconditions } from './preconditions.ts';
import type { ResumableSessions } from './resumable-sessions.ts';
import type { Route } from './router.ts';
import type { ObjectSelector, StorageService } from './storage-service.ts';

/** One request, fully read: route, query, headers, body, and the origin it was addressed to. */
export interface ApiCall {
  method: string;
  route: Route;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** `http://host:port` as the client addressed the stand-in; used in links and session URIs. */
  origin: string;
}

/** What handlers share: the service and the open resumable sessions. */
export interface ApiContext {
  service: StorageService;
  sessions: ResumableSessions;
}

/** The route's bucket name (every route but the bucket collection has one). */
export function bucketOf(call: ApiCall): string {
  return call.route.bucket ?? '';
}

/** The route's object name. */
export function objectOf(call: ApiCall): string {
  return call.route.object ?? '';
}

/** A required query parameter, or 400 `required`. */
export function requiredParam(call: ApiCall, name: string): string {
  const value = call.query.get(name);
  if (value === null || value === '') throw required(name);
  return value;
}

/** The request's preconditions. */
export function preconditionsOf(call: ApiCall): Preconditions {
  return parsePreconditions(call.query);
}

/** Selects the route's object, with the `generation` parameter and preconditions of the request. */
export function selectorOf(call: ApiCall): ObjectSelector {
  const generation = call.query.get('generation');
  return {
    bucket: bucketOf(call),
    name: objectOf(call),
    generation: generation === null ? undefined : parseCount('generation', generation),
    preconditions: preconditionsOf(call),
  };
}

/** A single header value (the first, when repeated). */
export function header(call: ApiCall, name: string): string | undefined {
  const value = call.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
