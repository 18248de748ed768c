// QueryRunner over HTTPS to the executor function, authenticated with a Google ID token (an IdTokenSource:
// metadata-id-token.ts mints them with the runtime's metadata server, as Cloud Functions service-to-service calls
// are). Tokens are passed to no one else. No client library: the gateway's pure composition builds it.

import { WardenError, type WardenErrorKind } from '../../core/errors.ts';
import { type GrantSigner, issueGrant } from '../../core/execution/grant.ts';
import type { QueryFacts } from '../../core/query/facts.ts';
import { type Clock, systemClock } from '../../ports/clock.ts';
import type {
  DryRunRequest,
  ExecutionRequest,
  JobRequest,
  QueryRunner,
  ReleasedJob,
} from '../../ports/query-runner.ts';
import type { QueryRequest, QueryResult, WarehouseMetadata } from '../../ports/warehouse.ts';
import { type JsonAnswer, type JsonPost, postJson } from './json-post.ts';

/** Mints ID tokens for an audience. */
export interface IdTokenSource {
  idToken(audience: string): Promise<string>;
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
  readonly #dryRunTimeoutMs: number;
  readonly #fetch: JsonPost;
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
    /** Deadline of a dry run through the executor (a dependency call, not a query); default 20 s. */
    dryRunTimeoutMs?: number;
    /**
     * The HTTP client: by default a lean JSON POST over node:http(s) (`json-post.ts`); `fetch` fits too (tests
     * pass one that calls the executor handler in process).
     */
    fetch?: JsonPost;
  }) {
    this.#url = options.url.replace(/\/$/, '');
    this.#audience = options.audience;
    this.#tokens = options.tokens;
    this.#timeoutMs = options.timeoutMs ?? 120_000;
    this.#dryRunTimeoutMs = options.dryRunTimeoutMs ?? 20_000;
    this.#fetch = options.fetch ?? postJson;
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

  async dryRun(request: DryRunRequest): Promise<QueryFacts> {
    const facts = await this.#post<unknown>(
      '/dry-run',
      request,
      'The dry run could not be authorized.',
      this.#dryRunTimeoutMs,
    );
    // The policy decides on these facts: anything but their exact shape is refused (fail closed).
    if (!isQueryFacts(facts))
      throw new WardenError('unavailable', 'The executor answered the dry run with malformed facts.');
    return {
      statementType: facts.statementType,
      referencedTables: facts.referencedTables.map((t) => ({
        projectId: t.projectId,
        datasetId: t.datasetId,
        tableId: t.tableId,
      })),
      totalBytesProcessed: facts.totalBytesProcessed,
    };
  }

  /** Fetches (and caches) the service ID token the first call would wait for: the warm-up's step. */
  async warmUp(): Promise<string> {
    return this.#tokens.idToken(this.#audience);
  }

  /** Signs `request` as a grant and posts it to the executor; the executor's `result`, or its typed error. */
  async #post<T>(
    path: string,
    request: ExecutionRequest | JobRequest | DryRunRequest,
    unsigned: string,
    timeoutMs = this.#timeoutMs,
  ): Promise<T> {
    let grant: Awaited<ReturnType<typeof issueGrant>>;
    try {
      grant = await issueGrant(this.#grants, request, this.#clock.now(), this.#grantTtlMs);
    } catch (err) {
      // No signed grant, no execution (fail closed): the executor would refuse the request anyway.
      throw new WardenError('unavailable', unsigned, { cause: err });
    }
    let res: JsonAnswer;
    try {
      const token = await this.#tokens.idToken(this.#audience);
      res = await this.#fetch(`${this.#url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ grant }),
        signal: AbortSignal.timeout(timeoutMs),
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
    // The executor's wire message ends with its request id, which the gateway's mapper appends again.
    if (kind && KINDS.has(kind))
      throw new WardenError(
        kind,
        (body?.error?.message ?? 'The executor refused the request.').replace(/ \(request [^()]*\)$/, ''),
      );
    throw new WardenError('unavailable', `The executor answered HTTP ${res.status}.`);
  }
}

const isString = (v: unknown): v is string => typeof v === 'string';

function isQueryFacts(v: unknown): v is QueryFacts {
  const f = v as Partial<Record<keyof QueryFacts, unknown>> | null;
  return (
    typeof f === 'object' &&
    f !== null &&
    isString(f.statementType) &&
    isString(f.totalBytesProcessed) &&
    /^\d+$/.test(f.totalBytesProcessed) &&
    Array.isArray(f.referencedTables) &&
    f.referencedTables.every(
      (t: unknown) =>
        typeof t === 'object' &&
        t !== null &&
        isString((t as Record<string, unknown>)['projectId']) &&
        isString((t as Record<string, unknown>)['datasetId']) &&
        isString((t as Record<string, unknown>)['tableId']),
    )
  );
}

/**
 * The gateway's metadata port with its dry runs made by the executor, as the query identity (`DRY_RUN=executor`,
 * docs/configuration.md): BigQuery requires data access on every referenced table for a dry run as for the
 * query (https://cloud.google.com/bigquery/querying-data, "Required roles"), which the gateway's
 * metadata-only roles do not have by design. Every other metadata read stays the gateway's own.
 */
export function dryRunsThroughExecutor(
  metadata: WarehouseMetadata,
  runner: Required<Pick<QueryRunner, 'dryRun'>>,
): WarehouseMetadata {
  return {
    dryRun: (request: QueryRequest) => {
      if (!request.requestId)
        return Promise.reject(
          new WardenError('internal', 'A dry run through the executor needs a request id.'),
        );
      return runner.dryRun({
        op: 'dry-run',
        requestId: request.requestId,
        projectId: request.projectId,
        sql: request.sql,
        ...(request.params ? { params: request.params } : {}),
        ...(request.location ? { location: request.location } : {}),
      });
    },
    listDatasets: (projectId) => metadata.listDatasets(projectId),
    getDatasetInfo: (projectId, datasetId) => metadata.getDatasetInfo(projectId, datasetId),
    listTableIds: (projectId, datasetId) => metadata.listTableIds(projectId, datasetId),
    getTableInfo: (table) => metadata.getTableInfo(table),
    describeTable: (table) => metadata.describeTable(table),
  };
}
