// QueryRunner over HTTPS to the executor function, authenticated with a Google ID token minted by the
// runtime's metadata server (google-auth-library's Compute client), as Cloud Functions service-to-service
// calls are. Tokens are passed to no one else.

import { WardenError, type WardenErrorKind } from '../../core/errors.ts';
import { type GrantSigner, issueGrant } from '../../core/execution/grant.ts';
import { type Clock, systemClock } from '../../ports/clock.ts';
import type { ExecutionRequest, JobRequest, QueryRunner, ReleasedJob } from '../../ports/query-runner.ts';
import type { QueryResult } from '../../ports/warehouse.ts';
import { named } from '../clients.ts';

/** Mints ID tokens for an audience. */
export interface IdTokenSource {
  idToken(audience: string): Promise<string>;
}

/** ID tokens from the metadata server (GCE_METADATA_HOST locally), cached until shortly before expiry. */
export class MetadataIdTokenSource implements IdTokenSource {
  readonly #cache = new Map<string, { token: string; exp: number }>();

  async idToken(audience: string): Promise<string> {
    const hit = this.#cache.get(audience);
    if (hit && hit.exp - 60_000 > Date.now()) return hit.token;
    const Compute = named(await import('google-auth-library'), 'Compute');
    const token = await new Compute().fetchIdToken(audience);
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      exp?: number;
    };
    this.#cache.set(audience, { token, exp: (payload.exp ?? 0) * 1000 });
    return token;
  }
}

const KINDS = new Set<WardenErrorKind>([
  'forbidden',
  'invalid_argument',
  'not_found',
  'failed_precondition',
  'unavailable',
  'integrity',
  'conflict',
]);

export class HttpQueryRunner implements QueryRunner {
  readonly #url: string;
  readonly #audience: string;
  readonly #tokens: IdTokenSource;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #grants: GrantSigner;
  readonly #grantTtlMs: number | undefined;
  readonly #clock: Clock;
  constructor(options: {
    url: string;
    audience: string;
    tokens: IdTokenSource;
    /** Signs each request as an execution grant (the gateway's KMS-certified audit key): the executor's proof. */
    grants: GrantSigner;
    grantTtlMs?: number;
    /** The clock grants are dated by (the executor checks them against its own). */
    clock?: Clock;
    timeoutMs?: number;
    /** The HTTP client (tests pass one that calls the executor handler in process). */
    fetch?: typeof fetch;
  }) {
    this.#url = options.url.replace(/\/$/, '');
    this.#audience = options.audience;
    this.#tokens = options.tokens;
    this.#timeoutMs = options.timeoutMs ?? 120_000;
    this.#fetch = options.fetch ?? fetch;
    this.#grants = options.grants;
    this.#grantTtlMs = options.grantTtlMs;
    this.#clock = options.clock ?? systemClock;
  }

  run(request: ExecutionRequest): Promise<QueryResult> {
    return this.#post<QueryResult>('/execute', request, 'The query could not be authorized for execution.');
  }

  job(request: JobRequest): Promise<ReleasedJob> {
    return this.#post<ReleasedJob>('/job', request, 'The job request could not be authorized.');
  }

  /** Signs `request` as a grant and posts it to the executor; the executor's `result`, or its typed error. */
  async #post<T>(path: string, request: ExecutionRequest | JobRequest, unsigned: string): Promise<T> {
    let grant: Awaited<ReturnType<typeof issueGrant>>;
    try {
      grant = await issueGrant(this.#grants, request, this.#clock.now(), this.#grantTtlMs);
    } catch (err) {
      // No signed grant, no execution (fail closed): the executor would refuse the request anyway.
      throw new WardenError('unavailable', unsigned, { cause: err });
    }
    let res: Response;
    try {
      const token = await this.#tokens.idToken(this.#audience);
      res = await this.#fetch(`${this.#url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ grant }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      throw new WardenError('unavailable', 'The executor could not be reached.', { cause: err });
    }
    const body = (await res.json().catch(() => undefined)) as
      | { result?: T; error?: { kind?: string; message?: string } }
      | undefined;
    if (res.ok && body?.result) return body.result;
    // The executor's typed errors pass through with their kind; its messages are already caller-safe.
    const kind = body?.error?.kind as WardenErrorKind | undefined;
    if (kind && KINDS.has(kind))
      throw new WardenError(kind, body?.error?.message ?? 'The executor refused the request.');
    throw new WardenError('unavailable', `The executor answered HTTP ${res.status}.`);
  }
}
