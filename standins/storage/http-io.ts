// HTTP plumbing for the stand-in: reading bodies, writing replies, and errors in the GCS JSON format.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody, GcsError, invalid } from './errors.ts';

/** What a route answers: a status with a JSON body, raw bytes, or nothing. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  body?: Uint8Array;
}

/** Reads the whole request body. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Parses a JSON object body; an empty body is `{}`. */
export function jsonObject(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8').trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid('Parse Error');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

/** A 200 reply carrying `json`. */
export function ok(json: unknown): Reply {
  return { status: 200, json };
}

/** The reply for a thrown error: its own status for GcsError, else 500 `internalError`. */
export function errorReply(err: unknown): Reply {
  const gcs =
    err instanceof GcsError ? err : new GcsError(500, 'internalError', 'Internal error in the stand-in.');
  return { status: gcs.status, json: errorBody(gcs) };
}

/** Writes `reply` to `res`. */
export function sendReply(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  let payload: Uint8Array | undefined = reply.body;
  if (reply.json !== undefined) {
    payload = Buffer.from(JSON.stringify(reply.json));
    headers['content-type'] = 'application/json; charset=UTF-8';
  }
  if (payload !== undefined && headers['content-length'] === undefined) {
    headers['content-length'] = String(payload.length);
  }
  res.writeHead(reply.status, headers);
  res.end(payload);
}
