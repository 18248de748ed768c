// One create-only object insert through the Cloud Storage JSON API's multipart upload, over node:http(s) with
// a keep-alive agent and the official client's own credentials (google-auth-library). This is the audit
// trail's hot write: the official client's upload path (its request wrapper, teeny-request and node-fetch, a
// duplex stream and a hash validator per object) costs about 1.4-1.7 ms of CPU per small insert, this path
// about 0.3 ms (docs/performance.md, "A lean audit insert"). Reads, listings and everything else stay on the
// official client.
//
// JSON API: https://cloud.google.com/storage/docs/json_api/v1/objects/insert (uploadType=multipart: a
// multipart/related body of the object's JSON metadata and its bytes; `crc32c` in the metadata makes Cloud
// Storage refuse the object unless the bytes it received have that checksum:
// https://cloud.google.com/storage/docs/uploading-objects#uploading-an-object with "Data validation").

import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';

/** Where and how to insert: the JSON API base (`https://storage.googleapis.com`), and request headers. */
export interface UploadTarget {
  apiEndpoint: string;
  bucket: string;
  /** Authorization (and quota project) headers for a request to `url`; none for a loopback stand-in. */
  headers(url: string): Promise<Record<string, string>>;
  /** Attempts for a failure that may be retried (network error, 408, 429, 5xx); default 3. */
  attempts?: number;
  /** Delay before the first retry, doubled each time (ms); default 100. */
  retryDelayMs?: number;
  /** Socket inactivity after which a request is abandoned (ms); default 30 s. */
  socketTimeoutMs?: number;
}

/** What the JSON API said about the stored object. */
export interface UploadedObject {
  generation: string;
  size: number;
  crc32c: string;
}

/**
 * The insert failed; `status` is the HTTP status, if an answer came; `retried` says an earlier attempt was
 * sent, which may have landed.
 */
export class UploadError extends Error {
  readonly status: number | undefined;
  readonly retried: boolean;
  constructor(message: string, status: number | undefined, retried = false, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UploadError';
    this.status = status;
    this.retried = retried;
  }
}

const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

/**
 * Inserts `data` as `name` only if no live object has that name (`ifGenerationMatch=0`), so an audit object is
 * never replaced. Retries what may be retried; a precondition failure after a retry means an earlier attempt
 * may have landed, which the caller resolves (it alone can read the object back).
 */
export async function insertObject(
  target: UploadTarget,
  name: string,
  data: Uint8Array,
  contentType: string,
  crc32c: string,
): Promise<UploadedObject & { retried: boolean }> {
  const url = `${target.apiEndpoint.replace(/\/+$/, '')}/upload/storage/v1/b/${encodeURIComponent(target.bucket)}/o?uploadType=multipart&ifGenerationMatch=0`;
  const boundary = `warden-${randomBytes(12).toString('hex')}`;
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\ncontent-type: application/json; charset=UTF-8\r\n\r\n${JSON.stringify({ name, contentType, crc32c })}\r\n--${boundary}\r\ncontent-type: ${contentType}\r\n\r\n`,
    ),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const attempts = target.attempts ?? 3;
  let delay = target.retryDelayMs ?? 100;
  for (let attempt = 1; ; attempt++) {
    let failure: UploadError;
    try {
      const answer = await post(
        url,
        body,
        {
          ...(await target.headers(url)),
          'content-type': `multipart/related; boundary=${boundary}`,
          'content-length': String(body.length),
          'user-agent': 'warden-audit',
        },
        target.socketTimeoutMs ?? 30_000,
      );
      if (answer.status >= 200 && answer.status < 300)
        return { ...parseObject(answer.body), retried: attempt > 1 };
      failure = new UploadError(
        `Cloud Storage answered ${answer.status} to the insert of ${name}: ${errorMessage(answer.body)}`,
        answer.status,
        attempt > 1,
      );
    } catch (err) {
      failure =
        err instanceof UploadError
          ? err
          : new UploadError(
              `Cloud Storage insert of ${name} failed: ${String(err)}`,
              undefined,
              attempt > 1,
              {
                cause: err,
              },
            );
    }
    if (!retryable(failure.status) || attempt >= attempts) throw failure;
    await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random())));
    delay *= 2;
  }
}

/** Whether a failed attempt may be sent again (Cloud Storage's retry strategy: 408, 429, 5xx, no answer). */
function retryable(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 429 || status >= 500;
}

function post(
  url: string,
  body: Buffer,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<{ status: number; body: string }> {
  const secure = url.startsWith('https:');
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(
      url,
      { method: 'POST', headers, agent: secure ? agents.https : agents.http },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

function parseObject(text: string): UploadedObject {
  let o: { generation?: unknown; size?: unknown; crc32c?: unknown };
  try {
    o = JSON.parse(text) as typeof o;
  } catch {
    throw new UploadError('Cloud Storage answered the insert with a body that is not JSON.', undefined);
  }
  if (typeof o?.crc32c !== 'string' || (typeof o.generation !== 'string' && typeof o.generation !== 'number'))
    throw new UploadError(
      'Cloud Storage answered the insert without the object\u2019s generation and CRC32C.',
      undefined,
    );
  return { generation: String(o.generation), size: Number(o.size ?? Number.NaN), crc32c: o.crc32c };
}

function errorMessage(text: string): string {
  try {
    const m = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    if (typeof m === 'string') return m.slice(0, 200);
  } catch {}
  return text.slice(0, 200) || '(no body)';
}
