// Warehouse on BigQuery (official @google-cloud/bigquery client): dry runs and metadata for the gateway,
// query execution for the executor.

import { randomUUID } from 'node:crypto';
import type { BigQuery } from '@google-cloud/bigquery';
import type { FieldMetadata, TableMetadata } from '../../core/classification/classify.ts';
import { WardenError } from '../../core/errors.ts';
import type { QueryFacts, TableRef } from '../../core/query/facts.ts';
import type {
  ColumnSchema,
  DatasetSummary,
  ExecuteOptions,
  JobInfo,
  JobRef,
  QueryParameter,
  QueryRequest,
  QueryResult,
  WarehouseExecutor,
  WarehouseJobs,
  WarehouseMetadata,
} from '../../ports/warehouse.ts';
import { type OfficialClient, postJson, type RestTarget, restTargetOf } from './rest.ts';
import { decodeRows, type WireRow } from './rows.ts';

/**
 * BigQuery behind the Warehouse ports. The client's identity decides what it may read. The dry run and
 * jobs.query go through `rest.ts` (a lean JSON call with the client's own credentials); everything else through
 * the client.
 */
export class BigQueryWarehouse implements WarehouseMetadata, WarehouseExecutor, WarehouseJobs {
  readonly #bq: BigQuery;
  readonly #rest: RestTarget;
  constructor(bq: BigQuery, options: { rest?: RestTarget } = {}) {
    this.#bq = bq;
    this.#rest = options.rest ?? restTargetOf(bq as unknown as OfficialClient);
  }

  async dryRun(request: QueryRequest): Promise<QueryFacts> {
    // jobs.insert with configuration.dryRun: BigQuery validates and plans the query and runs no job ("If set,
    // don't actually run this job": https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobConfiguration).
    const projectId = this.#bq.projectId;
    const job = await bigQueryCall('dry run', () =>
      this.#postChecked<WireJob & { status?: { errors?: unknown[] } }>(
        `/projects/${encodeURIComponent(projectId)}/jobs`,
        {
          configuration: {
            dryRun: true,
            query: {
              query: request.sql,
              useLegacySql: false,
              ...(request.params?.length
                ? { parameterMode: 'NAMED', queryParameters: request.params.map(toQueryParameter) }
                : {}),
            },
          },
          jobReference: {
            projectId,
            jobId: randomUUID(),
            ...(request.location ? { location: request.location } : {}),
          },
        },
        DRY_RUN_SOCKET_TIMEOUT_MS,
      ),
    );
    const stats = (job.statistics ?? {}) as {
      totalBytesProcessed?: string;
      query?: { statementType?: unknown; referencedTables?: TableRef[]; totalBytesProcessed?: string };
    };
    const query = stats.query ?? {};
    if (typeof query.statementType !== 'string')
      throw new WardenError('failed_precondition', 'The dry run did not report a statement type.');
    return {
      statementType: query.statementType,
      referencedTables: (query.referencedTables ?? []).map((t: TableRef) => ({
        projectId: t.projectId,
        datasetId: t.datasetId,
        tableId: t.tableId,
      })),
      totalBytesProcessed: String(query.totalBytesProcessed ?? stats.totalBytesProcessed ?? '0'),
    };
  }

  async listDatasets(projectId: string): Promise<DatasetSummary[]> {
    const [datasets] = await bigQueryCall('datasets.list', () =>
      this.#bq.getDatasets({ projectId, autoPaginate: true }),
    );
    return datasets
      .filter((d) => d.id)
      .map((d) => {
        const meta = (d.metadata ?? {}) as { friendlyName?: string; location?: string };
        return {
          id: d.id!,
          ...(meta.friendlyName ? { friendlyName: meta.friendlyName } : {}),
          ...(meta.location ? { location: meta.location } : {}),
        };
      });
  }

  async getDatasetInfo(projectId: string, datasetId: string): Promise<Record<string, unknown>> {
    const [meta] = await bigQueryCall('datasets.get', () =>
      this.#bq.dataset(datasetId, { projectId }).getMetadata(),
    );
    return meta as Record<string, unknown>;
  }

  async listTableIds(projectId: string, datasetId: string): Promise<string[]> {
    const [tables] = await bigQueryCall('tables.list', () =>
      this.#bq.dataset(datasetId, { projectId }).getTables({ autoPaginate: true }),
    );
    return tables.map((t) => t.id ?? '').filter(Boolean);
  }

  async getTableInfo(table: TableRef): Promise<Record<string, unknown>> {
    const [meta] = await bigQueryCall('tables.get', () =>
      this.#bq.dataset(table.datasetId, { projectId: table.projectId }).table(table.tableId).getMetadata(),
    );
    return meta as Record<string, unknown>;
  }

  async describeTable(table: TableRef): Promise<TableMetadata> {
    const dataset = this.#bq.dataset(table.datasetId, { projectId: table.projectId });
    const [[tableMeta], [datasetMeta]] = await Promise.all([
      bigQueryCall('tables.get', () => dataset.table(table.tableId).getMetadata()),
      bigQueryCall('datasets.get', () => dataset.getMetadata()),
    ]);
    const t = tableMeta as { labels?: Record<string, string>; schema?: { fields?: WireField[] } };
    return {
      table,
      labels: t.labels ?? {},
      datasetLabels: (datasetMeta as { labels?: Record<string, string> }).labels ?? {},
      fields: (t.schema?.fields ?? []).map(toField),
    };
  }

  async execute(request: QueryRequest, options: ExecuteOptions): Promise<QueryResult> {
    // jobs.query: one round trip for a small result (the job, its first page and its statistics), with a job
    // created always, so the job id and its labels tie it to the audit trail.
    const first = await bigQueryCall('query', () =>
      this.#postChecked<QueryResponse>(
        `/projects/${encodeURIComponent(this.#bq.projectId)}/queries`,
        {
          query: request.sql,
          useLegacySql: false,
          ...(request.params?.length
            ? { parameterMode: 'NAMED', queryParameters: request.params.map(toQueryParameter) }
            : {}),
          ...(request.location ? { location: request.location } : {}),
          labels: options.labels,
          jobTimeoutMs: String(options.timeoutMs),
          timeoutMs: options.timeoutMs,
          maxResults: options.rowLimit + 1,
          ...(options.maximumBytesBilled ? { maximumBytesBilled: options.maximumBytesBilled } : {}),
          requestId: randomUUID(),
          jobCreationMode: 'JOB_CREATION_REQUIRED',
          formatOptions: { useInt64Timestamp: true },
        },
        options.timeoutMs + 30_000,
      ),
    );
    const jobId = first.jobReference?.jobId;
    if (!jobId) throw new WardenError('unavailable', 'BigQuery did not create a job for the query.');
    const job = this.#bq.job(jobId, {
      ...(first.jobReference?.location ? { location: first.jobReference.location } : {}),
    });
    // Pages until one row past the limit (which tells whether the limit truncated the result) or the end.
    const wire: WireRow[] = first.jobComplete ? [...((first.rows ?? []) as WireRow[])] : [];
    let resp: { schema?: { fields?: ColumnSchema[] }; totalBytesProcessed?: string } = first.jobComplete
      ? first
      : {};
    let page: Record<string, unknown> | null =
      !first.jobComplete || first.pageToken
        ? {
            autoPaginate: false,
            skipParsing: true,
            timeoutMs: options.timeoutMs,
            ...(first.jobComplete && first.pageToken ? { pageToken: first.pageToken } : {}),
          }
        : null;
    const deadline = Date.now() + options.timeoutMs;
    while (page && wire.length <= options.rowLimit) {
      if (Date.now() > deadline)
        throw new WardenError('unavailable', 'BigQuery results did not arrive before the job timeout.');
      const pageRequest: Record<string, unknown> = {
        ...page,
        maxResults: options.rowLimit + 1 - wire.length,
      };
      const [rows, next, response] = await bigQueryCall('getQueryResults', () =>
        job.getQueryResults(pageRequest),
      );
      wire.push(...(rows as unknown as WireRow[]));
      resp = { ...resp, ...((response ?? {}) as typeof resp) };
      page = next
        ? {
            ...(next as Record<string, unknown>),
            autoPaginate: false,
            skipParsing: true,
            timeoutMs: options.timeoutMs,
          }
        : null;
    }
    const schema = resp.schema?.fields ?? [];
    return {
      jobId,
      schema,
      rows: decodeRows(schema, wire.slice(0, options.rowLimit)),
      totalBytesProcessed: String(resp.totalBytesProcessed ?? '0'),
      truncated: wire.length > options.rowLimit,
    };
  }

  async getJob(ref: JobRef): Promise<JobInfo> {
    const [meta] = await bigQueryCall('jobs.get', () => this.#jobOf(ref).getMetadata());
    return jobInfo(meta as WireJob);
  }

  async cancelJob(ref: JobRef): Promise<JobInfo> {
    const [response] = await bigQueryCall('jobs.cancel', () => this.#jobOf(ref).cancel());
    return jobInfo(((response ?? {}) as { job?: WireJob }).job ?? {});
  }

  /**
   * The job in this client's project: Warden's jobs run in the executor's billing project (jobs.query goes to
   * the client's project whatever tables the SQL reads), so a job named in another project is not Warden's.
   */
  #jobOf(ref: JobRef) {
    if (ref.projectId !== this.#bq.projectId)
      throw new WardenError(
        'not_found',
        `BigQuery jobs.get: no job ${ref.jobId} in project ${ref.projectId}.`,
      );
    return this.#bq.job(ref.jobId, ref.location ? { location: ref.location } : {});
  }

  /**
   * A POST through the lean path; an answer whose `status.errors` is set fails as the official client fails it
   * (an ApiError with those errors: @google-cloud/bigquery `createJob`).
   */
  async #postChecked<T>(path: string, json: Record<string, unknown>, socketTimeoutMs: number): Promise<T> {
    const answer = await postJson<T & { status?: { errors?: unknown[] } }>(
      this.#rest,
      path,
      json,
      socketTimeoutMs,
    );
    const errors = answer.status?.errors;
    if (errors) throw Object.assign(new Error('BigQuery reported errors.'), { errors });
    return answer;
  }
}

/** Socket inactivity after which a dry run is abandoned (the port's deadline is usually shorter). */
const DRY_RUN_SOCKET_TIMEOUT_MS = 60_000;

/** A Job resource (the fields Warden reads). */
interface WireJob {
  jobReference?: { jobId?: string; projectId?: string; location?: string };
  status?: { state?: string; errorResult?: { message?: string } };
  statistics?: {
    creationTime?: string;
    startTime?: string;
    endTime?: string;
    totalBytesProcessed?: string;
    query?: { statementType?: string; totalBytesProcessed?: string };
  };
  configuration?: { labels?: Record<string, string> };
}

/** A job's state and statistics, never its query text. Epoch-millisecond times become ISO 8601. */
function jobInfo(job: WireJob): JobInfo {
  const ref = job.jobReference ?? {};
  const stats = job.statistics ?? {};
  const time = (ms?: string) => (ms && /^\d+$/.test(ms) ? new Date(Number(ms)).toISOString() : undefined);
  const fields = {
    location: ref.location,
    statementType: stats.query?.statementType,
    totalBytesProcessed: stats.query?.totalBytesProcessed ?? stats.totalBytesProcessed,
    creationTime: time(stats.creationTime),
    startTime: time(stats.startTime),
    endTime: time(stats.endTime),
    error: job.status?.errorResult?.message,
  };
  return {
    jobId: ref.jobId ?? '',
    projectId: ref.projectId ?? '',
    state: job.status?.state ?? 'UNKNOWN',
    labels: job.configuration?.labels ?? {},
    ...(Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<JobInfo>),
  };
}

/** What jobs.query answers (the fields Warden reads). */
interface QueryResponse {
  jobReference?: { jobId?: string; location?: string };
  jobComplete?: boolean;
  schema?: { fields?: ColumnSchema[] };
  rows?: unknown[];
  pageToken?: string;
  totalBytesProcessed?: string;
}

/** A named scalar parameter in the REST API's form. */
function toQueryParameter(p: QueryParameter): Record<string, unknown> {
  return {
    name: p.name,
    parameterType: { type: p.type },
    parameterValue: { value: p.value === null ? null : String(p.value) },
  };
}

/** Maps client errors to typed errors: BigQuery's 4xx are the caller's query, the rest are unavailability. */
async function bigQueryCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = err as { code?: unknown; errors?: { reason?: string; message?: string }[]; message?: string };
    const reason = e.errors?.[0]?.reason;
    if (e.code === 404 || reason === 'notFound')
      throw new WardenError('not_found', `BigQuery ${what}: a referenced resource does not exist.`, {
        cause: err,
      });
    // Quotas and job timeouts are BigQuery's state, not the caller's query or access (BigQuery error
    // messages: quotaExceeded / rateLimitExceeded are 403, timeout is 400); say so instead of "not valid".
    if (reason === 'quotaExceeded' || reason === 'rateLimitExceeded')
      throw new WardenError(
        'failed_precondition',
        'BigQuery quota or rate limit exceeded: try again later.',
        {
          cause: err,
        },
      );
    if (reason === 'timeout' || reason === 'jobTimeout')
      throw new WardenError('failed_precondition', 'The query did not finish within the job timeout.', {
        cause: err,
      });
    if (reason === 'bytesBilledLimitExceeded')
      throw new WardenError(
        'failed_precondition',
        'The query would scan more bytes than the policy allows.',
        { cause: err },
      );
    if (e.code === 400 || reason === 'invalidQuery')
      throw new WardenError('invalid_argument', `BigQuery ${what}: the query is not valid.`, { cause: err });
    if (e.code === 403)
      throw new WardenError('forbidden', `BigQuery ${what}: access denied.`, { cause: err });
    throw new WardenError('unavailable', `BigQuery ${what} failed.`, { cause: err });
  }
}

interface WireField {
  name: string;
  description?: string;
  policyTags?: { names?: string[] };
  fields?: WireField[];
}

function toField(f: WireField): FieldMetadata {
  return {
    name: f.name,
    ...(f.description ? { description: f.description } : {}),
    ...(f.policyTags?.names?.length ? { policyTags: f.policyTags.names } : {}),
    ...(f.fields?.length ? { fields: f.fields.map(toField) } : {}),
  };
}
