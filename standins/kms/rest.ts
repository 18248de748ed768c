// Cloud KMS's REST API for the stand-in (https://cloud.google.com/kms/docs/reference/rest): the same methods as
// its gRPC service, mapped by their HTTP rules (gRPC transcoding), bodies in proto3 JSON
// (https://protobuf.dev/programming-guides/json/: bytes base64, Int64Value as a decimal string, false booleans
// left out) and errors as google.rpc.Status JSON with the HTTP status of their code
// (https://cloud.google.com/apis/design/errors#http_mapping).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { status } from '@grpc/grpc-js';
import type { KmsMethod } from './handlers.ts';

/** What a call came to: the handler's response, or a gRPC status and message. */
export type KmsOutcome = { ok: true; response: object } | { ok: false; code: status; message: string };

/** Runs `method` on a request decoded as proto-loader decodes gRPC ones (the stand-in's one call path). */
export type KmsDispatch = (method: KmsMethod, request: Record<string, unknown>) => Promise<KmsOutcome>;

/** The HTTP status of each gRPC code (google.rpc.Code's documented mapping). */
const HTTP_STATUS: Record<number, number> = {
  [status.CANCELLED]: 499,
  [status.UNKNOWN]: 500,
  [status.INVALID_ARGUMENT]: 400,
  [status.DEADLINE_EXCEEDED]: 504,
  [status.NOT_FOUND]: 404,
  [status.ALREADY_EXISTS]: 409,
  [status.PERMISSION_DENIED]: 403,
  [status.RESOURCE_EXHAUSTED]: 429,
  [status.FAILED_PRECONDITION]: 400,
  [status.ABORTED]: 409,
  [status.OUT_OF_RANGE]: 400,
  [status.UNIMPLEMENTED]: 501,
  [status.INTERNAL]: 500,
  [status.UNAVAILABLE]: 503,
  [status.DATA_LOSS]: 500,
  [status.UNAUTHENTICATED]: 401,
};

// The methods' HTTP rules (google/cloud/kms/v1/service.proto), as `verb suffix` after /v1/{name}.
const ROUTES: { verb: 'GET' | 'POST'; suffix: string; method: (version: boolean) => KmsMethod }[] = [
  { verb: 'POST', suffix: ':encrypt', method: () => 'Encrypt' },
  { verb: 'POST', suffix: ':decrypt', method: () => 'Decrypt' },
  { verb: 'POST', suffix: ':asymmetricSign', method: () => 'AsymmetricSign' },
  { verb: 'POST', suffix: ':macSign', method: () => 'MacSign' },
  { verb: 'POST', suffix: ':macVerify', method: () => 'MacVerify' },
  { verb: 'GET', suffix: '/publicKey', method: () => 'GetPublicKey' },
  { verb: 'GET', suffix: '', method: (version) => (version ? 'GetCryptoKeyVersion' : 'GetCryptoKey') },
];

// Request fields that are bytes (base64 in JSON), and the digest's oneof members.
const BYTES_FIELDS = new Set(['plaintext', 'ciphertext', 'additionalAuthenticatedData', 'data', 'mac']);
const DIGESTS = ['sha256', 'sha384', 'sha512'] as const;
const BASE64 = /^[A-Za-z0-9+/\-_]*={0,2}$/;

/** A request handler serving the REST API through `dispatch`. */
export function kmsRestHandler(dispatch: KmsDispatch) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void serve(dispatch, req, Buffer.concat(chunks)).then(
        ({ code, json }) => {
          const body = JSON.stringify(json);
          res.writeHead(code, { 'content-type': 'application/json; charset=utf-8' }).end(body);
        },
        () => res.writeHead(500).end(),
      );
    });
  };
}

async function serve(
  dispatch: KmsDispatch,
  req: IncomingMessage,
  body: Buffer,
): Promise<{ code: number; json: unknown }> {
  const url = new URL(req.url ?? '/', 'http://kms');
  const path = decodeURIComponent(url.pathname);
  const route = path.startsWith('/v1/')
    ? ROUTES.find(
        (r) => r.verb === req.method && path.endsWith(r.suffix) && path.length > 4 + r.suffix.length,
      )
    : undefined;
  if (!route) return error(status.NOT_FOUND, `No KMS REST method at ${req.method} ${url.pathname}.`);
  const name = path.slice(4, path.length - route.suffix.length);
  let request: Record<string, unknown>;
  try {
    const json: unknown = body.length ? JSON.parse(body.toString('utf8')) : {};
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('not an object');
    request = decodeRequest(json as Record<string, unknown>);
  } catch (err) {
    return error(status.INVALID_ARGUMENT, `Invalid JSON payload received. ${(err as Error).message}`);
  }
  const format = url.searchParams.get('publicKeyFormat');
  if (format) request.publicKeyFormat = format;
  request.name = name;
  const outcome = await dispatch(route.method(name.includes('/cryptoKeyVersions/')), request);
  if (!outcome.ok) return error(outcome.code, outcome.message);
  return { code: 200, json: encodeResponse(outcome.response) };
}

function error(code: status, message: string): { code: number; json: unknown } {
  const http = HTTP_STATUS[code] ?? 500;
  return { code: http, json: { error: { code: http, message, status: status[code] } } };
}

/** A JSON request as proto-loader would have decoded it: bytes as Buffers, Int64Values as `{ value }`. */
function decodeRequest(json: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(json)) {
    if (BYTES_FIELDS.has(field)) out[field] = bytesOf(field, value);
    else if (field.endsWith('Crc32c')) out[field] = { value: int64Of(field, value) };
    else if (field === 'digest' && typeof value === 'object' && value !== null) {
      const digest: Record<string, unknown> = {};
      for (const kind of DIGESTS) {
        const v = (value as Record<string, unknown>)[kind];
        if (v === undefined) continue;
        digest[kind] = bytesOf(`digest.${kind}`, v);
        digest.digest ??= kind; // the oneof's member, as proto-loader's `oneofs: true` names it
      }
      out.digest = digest;
    } else out[field] = value;
  }
  return out;
}

function bytesOf(field: string, value: unknown): Buffer {
  if (typeof value !== 'string' || !BASE64.test(value)) {
    throw new Error(`Invalid value at '${field}' (TYPE_BYTES): not base64.`);
  }
  return Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

function int64Of(field: string, value: unknown): string {
  if ((typeof value === 'string' && /^\d+$/.test(value)) || Number.isSafeInteger(value)) return String(value);
  throw new Error(`Invalid value at '${field}' (TYPE_INT64).`);
}

/** A handler's response in proto3 JSON: bytes base64, Int64Values and timestamps as strings, no false/null. */
function encodeResponse(value: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, v] of Object.entries(value)) {
    if (v === null || v === undefined || v === false) continue;
    if (Buffer.isBuffer(v) || v instanceof Uint8Array) out[field] = Buffer.from(v).toString('base64');
    else if (isInt64Wrapper(field, v)) out[field] = String(v.value);
    else if (isTimestamp(v)) out[field] = new Date(Number(v.seconds) * 1000 + v.nanos / 1e6).toISOString();
    else if (typeof v === 'object') out[field] = encodeResponse(v);
    else out[field] = v;
  }
  return out;
}

function isInt64Wrapper(field: string, v: unknown): v is { value: string | number } {
  return (field.endsWith('Crc32c') || field === 'crc32cChecksum') && typeof v === 'object' && v !== null;
}

function isTimestamp(v: unknown): v is { seconds: string; nanos: number } {
  return typeof v === 'object' && v !== null && 'seconds' in v && 'nanos' in v;
}
