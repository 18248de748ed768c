// One BigQuery REST call (a JSON POST) over node:http(s) with a keep-alive agent and the official client's own
// credentials (its `authClient`): the hot calls of a query, the dry run (jobs.insert with `dryRun`) and
// `jobs.query`. The official client's transport (its request wrapper, retry-request, teeny-request and
// node-fetch, and the Job object it builds) costs about 0.8-1 ms of CPU more per call than this path
// (docs/performance.md, "A lean BigQuery call"). Every other call (metadata, getQueryResults, jobs.get/cancel)
// stays on the official client.
//
// Retries are the official client's (@google-cloud/common 8 `util.makeRequest` with retry-request 8): up to
// 3 retries of an answer with HTTP 408, 429, 500, 502, 503 or 504 (`util.shouldRetryRequest` sees only the status
// at that point), and up to 3 of a request that got no answer; before retry n it waits 2^n s plus up to 1 s of
// jitter (retry-request `getNextRetryDelay`). Errors carry what the official client's ApiError carries
// (`code`, `errors` with their `reason`, `message`), so the adapter maps them exactly as before.

import { type HttpAnswer, sendRequest, sleep } from '../rest-transport.ts';

/** Where and how to call: the API base (`https://bigquery.googleapis.com/bigquery/v2`) and request headers. */
export interface RestTarget {
  baseUrl: string;
  /** Authorization (and quota project) headers for a request to `url`, from the official client's auth. */
  headers(url: string): Promise<Record<string, string>>;
  /** Retries of an answer that may be retried, and of a request that got none; default 3 each. */
  retries?: number;
  /** Delay before retry n is `retryDelayMs * 2^n` plus up to `retryDelayMs` of jitter; default 1000. */
  retryDelayMs?: number;
}

/** A failed call, shaped as the official client's ApiError: `code` (HTTP status), `errors` (with `reason`). */
export class BigQueryRestError extends Error {
  readonly code: number | undefined;
  readonly errors: { reason?: string; message?: string }[];
  constructor(message: string, code: number | undefined, errors: { reason?: string; message?: string }[]) {
    super(message);
    this.name = 'BigQueryRestError';
    this.code = code;
    this.errors = errors;
  }
}

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/**
 * POSTs `json` to `baseUrl + path` and returns the parsed answer; a non-2xx answer throws a
 * {@link BigQueryRestError} with BigQuery's `error` object (code, message, errors), a call that got no answer
 * after its retries throws the network error itself (as the official client does).
 */
export async function postJson<T>(
  target: RestTarget,
  path: string,
  json: unknown,
  socketTimeoutMs: number,
): Promise<T> {
  const url = `${target.baseUrl.replace(/\/+$/, '')}${path}`;
  const body = Buffer.from(JSON.stringify(json));
  const retries = target.retries ?? 3;
  const unit = target.retryDelayMs ?? 1000;
  let answered = 0;
  let unanswered = 0;
  for (;;) {
    let answer: HttpAnswer;
    try {
      // Both calls are safe to repeat (sendRequest resends on a stale kept-alive socket): a dry run runs
      // nothing, and jobs.query carries a requestId that BigQuery deduplicates.
      answer = await sendRequest({
        method: 'POST',
        url,
        body,
        headers: {
          ...(await target.headers(url)),
          'content-type': 'application/json',
          'content-length': String(body.length),
          'user-agent': 'warden gcloud-node-bigquery',
        },
        timeoutMs: socketTimeoutMs,
      });
    } catch (err) {
      if (++unanswered > retries) throw err;
      await sleep(unit * 2 ** unanswered + Math.floor(Math.random() * unit));
      continue;
    }
    if (answer.status >= 200 && answer.status < 300) {
      try {
        return JSON.parse(answer.body) as T;
      } catch {
        throw new BigQueryRestError('BigQuery answered with a body that is not JSON.', answer.status, []);
      }
    }
    if (RETRY_STATUS.has(answer.status) && ++answered <= retries) {
      await sleep(unit * 2 ** answered + Math.floor(Math.random() * unit));
      continue;
    }
    throw errorOf(answer);
  }
}

/** The official client's ApiError fields from an error answer: BigQuery's `error` object, else the status. */
function errorOf(answer: HttpAnswer): BigQueryRestError {
  let e: { code?: unknown; message?: unknown; errors?: unknown } | undefined;
  try {
    e = (JSON.parse(answer.body) as { error?: typeof e }).error;
  } catch {}
  const errors = Array.isArray(e?.errors) ? (e.errors as { reason?: string; message?: string }[]) : [];
  return new BigQueryRestError(
    typeof e?.message === 'string' ? e.message : answer.message || `HTTP ${answer.status}`,
    typeof e?.code === 'number' ? e.code : answer.status,
    errors,
  );
}

/** What the adapter needs of the official client: its API base and its auth (the same credentials). */
export interface OfficialClient {
  baseUrl: string;
  authClient: { getRequestHeaders(url: string): Promise<Headers | Record<string, string>> };
}

/**
 * The official client's target: its base URL and its credentials. When no default credentials exist the
 * official client sends the request unauthenticated ("the API might not actually care": @google-cloud/common
 * `makeAuthenticatedRequest`), and so does this path; any other auth failure fails the call.
 */
export function restTargetOf(client: OfficialClient): RestTarget {
  return {
    baseUrl: client.baseUrl,
    headers: async (url) => {
      try {
        const h = await client.authClient.getRequestHeaders(url);
        return h instanceof Headers ? Object.fromEntries(h) : { ...h };
      } catch (err) {
        if (err instanceof Error && err.message.includes('Could not load the default credentials')) return {};
        throw err;
      }
    },
  };
}
