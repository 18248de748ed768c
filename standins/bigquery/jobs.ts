// Query jobs: jobs.insert, jobs.query, jobs.get, jobs.getQueryResults and jobs.cancel over the query engine.

import { randomBytes } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { TableRef } from './catalog.ts';
import type { QueryConfig, QueryEngine, QueryOutcome, QueryPlan } from './engine.ts';
import { BigQueryError, duplicate, errorProto, invalidQuery, invalidRequest, notFound } from './errors.ts';
import type { QueryParameter } from './params.ts';
import type { TimestampFormat, WireRow } from './wire.ts';
import { rowConverter, timestampFormatOf } from './wire.ts';

/** The `configuration.query` object of a query job. */
export interface QueryJobConfiguration {
  query: string;
  useLegacySql?: boolean;
  defaultDataset?: { projectId?: string; datasetId: string };
  parameterMode?: string;
  queryParameters?: QueryParameter[];
  maximumBytesBilled?: string;
  priority?: string;
  destinationTable?: unknown;
  [key: string]: unknown;
}

/** The `configuration` of a job. */
export interface JobConfiguration {
  query?: QueryJobConfiguration;
  dryRun?: boolean;
  labels?: Record<string, string>;
  [key: string]: unknown;
}

/** A stored job. */
interface Job {
  projectId: string;
  jobId: string;
  location: string;
  configuration: JobConfiguration;
  state: 'RUNNING' | 'DONE';
  creationTime: number;
  startTime: number;
  endTime?: number;
  plan?: QueryPlan;
  outcome?: QueryOutcome;
  error?: BigQueryError;
  done: Promise<void>;
  connection?: DuckDBConnection;
}

/** Paging and format options of a results request. */
export interface ResultsOptions {
  maxResults?: number;
  pageToken?: string;
  startIndex?: number;
  timeoutMs?: number;
  format: TimestampFormat;
}

/** Options of the job service. */
export interface JobServiceOptions {
  /** Upper bound on a results page's JSON size (BigQuery: about 10 MB). */
  maxPageBytes: number;
  /** Jobs (with their results) kept for jobs.get / getQueryResults; older finished ones are forgotten. */
  maxJobs: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** Runs and remembers query jobs. */
export class JobService {
  readonly engine: QueryEngine;
  readonly options: JobServiceOptions;
  readonly jobs = new Map<string, Job>();

  constructor(engine: QueryEngine, options: JobServiceOptions) {
    this.engine = engine;
    this.options = options;
  }

  /** `jobs.insert` for a query job; dry runs are answered without storing a job. */
  async insert(projectId: string, body: Record<string, unknown>): Promise<object> {
    const configuration = (body['configuration'] ?? {}) as JobConfiguration;
    const reference = (body['jobReference'] ?? {}) as { jobId?: string; location?: string };
    const query = requireQueryConfiguration(configuration);
    const config = queryConfigOf(projectId, query, reference.location);
    if (configuration.dryRun) return this.dryRunJob(projectId, configuration, config);
    const job = await this.start(projectId, reference.jobId ?? newJobId(), configuration, config);
    return jobResource(job);
  }

  /** `jobs.query`: starts a job and waits up to `timeoutMs` for its first page of results. */
  async query(projectId: string, body: Record<string, unknown>): Promise<object> {
    const request = body as QueryJobConfiguration & {
      location?: string;
      labels?: Record<string, string>;
      dryRun?: boolean;
      timeoutMs?: number;
      maxResults?: number;
      formatOptions?: { useInt64Timestamp?: boolean; timestampOutputFormat?: string };
    };
    if (typeof request.query !== 'string') throw invalidRequest('Required parameter is missing: query');
    const query = pick(request, [
      'query',
      'useLegacySql',
      'defaultDataset',
      'parameterMode',
      'queryParameters',
      'maximumBytesBilled',
    ]);
    const configuration: JobConfiguration = {
      query: { useLegacySql: true, ...query } as QueryJobConfiguration,
      ...(request.labels ? { labels: request.labels } : {}),
      ...(request.dryRun ? { dryRun: true } : {}),
    };
    const config = queryConfigOf(projectId, configuration.query as QueryJobConfiguration, request.location);
    if (request.dryRun) return dryRunQueryResponse(await this.engine.plan(config), projectId);
    const job = await this.start(projectId, newJobId(), configuration, config);
    return this.results(
      job,
      {
        ...(request.maxResults !== undefined ? { maxResults: Number(request.maxResults) } : {}),
        timeoutMs: request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        format: timestampFormatOf(
          request.formatOptions?.useInt64Timestamp,
          request.formatOptions?.timestampOutputFormat,
        ),
      },
      'bigquery#queryResponse',
    );
  }

  /** `jobs.list`: the project's jobs, newest first, optionally filtered by state. */
  list(
    projectId: string,
    options: { maxResults?: number; pageToken?: string; stateFilter?: string[] },
  ): object {
    const states = options.stateFilter?.map((s) => s.toUpperCase());
    const jobs = [...this.jobs.values()]
      .filter((j) => j.projectId === projectId && (!states?.length || states.includes(j.state)))
      .reverse();
    const start = Number(options.pageToken ?? 0);
    if (!Number.isSafeInteger(start) || start < 0)
      throw invalidRequest(`Invalid page token: ${options.pageToken}`);
    const page = jobs.slice(start, start + (options.maxResults ?? jobs.length));
    const next = start + page.length;
    return {
      kind: 'bigquery#jobList',
      etag: etag(),
      jobs: page.map((j) => ({ ...jobResource(j), state: j.state })),
      ...(next < jobs.length ? { nextPageToken: String(next) } : {}),
    };
  }

  /** Interrupts running jobs and waits for them to settle. */
  async shutdown(): Promise<void> {
    for (const job of this.jobs.values()) if (job.state === 'RUNNING') job.connection?.interrupt();
    await Promise.allSettled([...this.jobs.values()].map((j) => j.done));
  }

  /** `jobs.get`. */
  get(projectId: string, jobId: string, location: string | undefined): object {
    return jobResource(this.find(projectId, jobId, location));
  }

  /** `jobs.getQueryResults`. */
  async getQueryResults(
    projectId: string,
    jobId: string,
    location: string | undefined,
    options: ResultsOptions,
  ): Promise<object> {
    return this.results(this.find(projectId, jobId, location), options, 'bigquery#getQueryResultsResponse');
  }

  /** `jobs.cancel`: interrupts a running job. */
  cancel(projectId: string, jobId: string, location: string | undefined): object {
    const job = this.find(projectId, jobId, location);
    if (job.state === 'RUNNING') job.connection?.interrupt();
    return { kind: 'bigquery#jobCancelResponse', job: jobResource(job) };
  }

  /** Forgets the oldest finished jobs (and their results) beyond `maxJobs`. */
  private evict(): void {
    for (const [key, job] of this.jobs) {
      if (this.jobs.size <= this.options.maxJobs) return;
      if (job.state === 'DONE') this.jobs.delete(key);
    }
  }

  private find(projectId: string, jobId: string, location: string | undefined): Job {
    const job = this.jobs.get(`${projectId}:${jobId}`);
    if (!job || (location && location.toLowerCase() !== job.location.toLowerCase())) {
      throw notFound(`Not found: Job ${projectId}:${location ?? job?.location ?? 'US'}.${jobId}`);
    }
    return job;
  }

  private async dryRunJob(
    projectId: string,
    configuration: JobConfiguration,
    config: QueryConfig,
  ): Promise<object> {
    const plan = await this.engine.plan(config);
    const now = Date.now();
    return {
      kind: 'bigquery#job',
      etag: etag(),
      jobReference: { projectId, location: plan.location },
      configuration: { ...configuration, jobType: 'QUERY' },
      status: { state: 'DONE' },
      statistics: statistics(plan, undefined, now, now, now),
    };
  }

  /** Registers a job, plans it (failing fast like BigQuery) and starts it in the background. */
  private async start(
    projectId: string,
    jobId: string,
    configuration: JobConfiguration,
    config: QueryConfig,
  ): Promise<Job> {
    const key = `${projectId}:${jobId}`;
    if (this.jobs.has(key))
      throw duplicate(`Already Exists: Job ${projectId}:${config.location ?? 'US'}.${jobId}`);
    const now = Date.now();
    const job: Job = {
      projectId,
      jobId,
      location: config.location ?? 'US',
      configuration: { ...configuration, jobType: 'QUERY' },
      state: 'RUNNING',
      creationTime: now,
      startTime: now,
      done: Promise.resolve(),
    };
    this.jobs.set(key, job);
    this.evict();
    try {
      const plan = await this.engine.plan(config);
      job.plan = plan;
      job.location = plan.location;
      this.engine.assertExecutable(plan);
      this.engine.enforceBytesBilled(plan, config.maximumBytesBilled);
    } catch (err) {
      finish(job, err);
      throw err;
    }
    job.done = this.engine
      .execute(job.plan, (connection) => {
        job.connection = connection;
      })
      .then(
        (outcome) => finish(job, undefined, outcome),
        (err) => finish(job, err),
      );
    return job;
  }

  private async results(job: Job, options: ResultsOptions, kind: string): Promise<object> {
    const complete = await waitFor(job, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const reference = { projectId: job.projectId, jobId: job.jobId, location: job.location };
    if (!complete) return { kind, jobReference: reference, jobComplete: false };
    if (job.error) throw job.error;
    const outcome = job.outcome as QueryOutcome;
    const plan = job.plan as QueryPlan;
    const base = {
      kind,
      jobReference: reference,
      jobComplete: true,
      totalBytesProcessed: String(plan.totalBytesProcessed),
      cacheHit: false,
    };
    if (outcome.numDmlAffectedRows !== undefined) {
      return {
        ...base,
        totalRows: '0',
        numDmlAffectedRows: String(outcome.numDmlAffectedRows),
        ...dmlStats(plan, outcome),
      };
    }
    if (!outcome.schema) return { ...base, totalRows: '0' };
    return { ...base, schema: { fields: outcome.schema }, ...this.page(job, outcome, options) };
  }

  private page(
    job: Job,
    outcome: QueryOutcome,
    options: ResultsOptions,
  ): { rows: WireRow[]; totalRows: string; pageToken?: string } {
    const total = outcome.rows.length;
    const start =
      options.pageToken !== undefined
        ? parsePageToken(options.pageToken, job.jobId)
        : (options.startIndex ?? 0);
    const limit = options.maxResults ?? Number.POSITIVE_INFINITY;
    const convert = rowConverter(outcome.types, options.format);
    const rows: WireRow[] = [];
    let bytes = 0;
    for (let i = start; i < total && rows.length < limit; i++) {
      const row = convert(outcome.rows[i] ?? []);
      bytes += JSON.stringify(row).length;
      if (rows.length > 0 && bytes > this.options.maxPageBytes) break;
      rows.push(row);
    }
    const next = start + rows.length;
    return {
      rows,
      totalRows: String(total),
      ...(next < total ? { pageToken: pageToken(job.jobId, next) } : {}),
    };
  }
}

function requireQueryConfiguration(configuration: JobConfiguration): QueryJobConfiguration {
  if (!configuration.query) {
    throw invalidRequest(
      'Only query jobs are supported by the local BigQuery stand-in (configuration.query is missing).',
    );
  }
  if (typeof configuration.query.query !== 'string')
    throw invalidRequest('Required parameter is missing: query');
  if (configuration.query.destinationTable) {
    throw invalidQuery(
      'destinationTable is not supported by the local BigQuery stand-in; use CREATE TABLE ... AS SELECT.',
    );
  }
  return configuration.query;
}

function queryConfigOf(
  projectId: string,
  query: QueryJobConfiguration,
  location: string | undefined,
): QueryConfig {
  return {
    projectId,
    query: query.query,
    // The REST API's default is legacy SQL; the official clients always send false.
    useLegacySql: query.useLegacySql ?? true,
    ...(query.defaultDataset ? { defaultDataset: query.defaultDataset } : {}),
    ...(query.parameterMode ? { parameterMode: query.parameterMode } : {}),
    ...(query.queryParameters ? { queryParameters: query.queryParameters } : {}),
    ...(location ? { location } : {}),
    ...(query.maximumBytesBilled !== undefined ? { maximumBytesBilled: query.maximumBytesBilled } : {}),
  };
}

function finish(job: Job, err: unknown, outcome?: QueryOutcome): void {
  job.state = 'DONE';
  job.endTime = Date.now();
  delete job.connection;
  if (outcome) job.outcome = outcome;
  if (err !== undefined)
    job.error = err instanceof BigQueryError ? err : invalidQuery(String((err as Error)?.message ?? err));
}

async function waitFor(job: Job, timeoutMs: number): Promise<boolean> {
  if (job.state === 'DONE' || timeoutMs <= 0) return job.state === 'DONE';
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, timeoutMs));
  });
  const done = job.done.then(() => true);
  try {
    return await Promise.race([done, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The job resource `jobs.get` returns. */
function jobResource(job: Job): object {
  const error = job.error ? errorProto(job.error) : undefined;
  return {
    kind: 'bigquery#job',
    etag: etag(),
    id: `${job.projectId}:${job.location}.${job.jobId}`,
    selfLink: `/bigquery/v2/projects/${job.projectId}/jobs/${job.jobId}?location=${job.location}`,
    user_email: 'local-user@warden.invalid',
    jobReference: { projectId: job.projectId, jobId: job.jobId, location: job.location },
    configuration: job.configuration,
    status: { state: job.state, ...(error ? { errorResult: error, errors: [error] } : {}) },
    statistics: statistics(job.plan, job.outcome, job.creationTime, job.startTime, job.endTime),
  };
}

/** `statistics` of a job (or dry run). */
function statistics(
  plan: QueryPlan | undefined,
  outcome: QueryOutcome | undefined,
  created: number,
  started: number,
  ended?: number,
): object {
  const times = {
    creationTime: String(created),
    startTime: String(started),
    ...(ended !== undefined ? { endTime: String(ended) } : {}),
  };
  if (!plan) return times;
  const bytes = String(plan.totalBytesProcessed);
  return {
    ...times,
    totalBytesProcessed: bytes,
    query: {
      statementType: plan.statementType,
      referencedTables: plan.referencedTables.map(tableReference),
      totalBytesProcessed: bytes,
      estimatedBytesProcessed: bytes,
      totalBytesBilled: String(plan.totalBytesBilled),
      cacheHit: false,
      ...(plan.schema ? { schema: { fields: plan.schema } } : {}),
      ...(plan.ddlTargetTable ? { ddlTargetTable: tableReference(plan.ddlTargetTable) } : {}),
      ...(plan.ddlTargetDataset ? { ddlTargetDataset: plan.ddlTargetDataset } : {}),
      ...(outcome?.numDmlAffectedRows !== undefined
        ? { numDmlAffectedRows: String(outcome.numDmlAffectedRows), ...dmlStats(plan, outcome) }
        : {}),
      ...(outcome?.ddlOperationPerformed ? { ddlOperationPerformed: outcome.ddlOperationPerformed } : {}),
    },
  };
}

function dmlStats(plan: QueryPlan, outcome: QueryOutcome): object {
  const count = String(outcome.numDmlAffectedRows ?? 0n);
  const key = {
    INSERT: 'insertedRowCount',
    UPDATE: 'updatedRowCount',
    DELETE: 'deletedRowCount',
    TRUNCATE_TABLE: 'deletedRowCount',
  }[plan.statementType as string];
  return key ? { dmlStats: { [key]: count } } : {};
}

function dryRunQueryResponse(plan: QueryPlan, projectId: string): object {
  return {
    kind: 'bigquery#queryResponse',
    jobReference: { projectId, location: plan.location },
    jobComplete: true,
    totalBytesProcessed: String(plan.totalBytesProcessed),
    cacheHit: false,
    ...(plan.schema ? { schema: { fields: plan.schema } } : {}),
  };
}

/** `{projectId, datasetId, tableId}` as the API spells a table reference. */
export function tableReference(ref: TableRef): object {
  return { projectId: ref.projectId, datasetId: ref.datasetId, tableId: ref.tableId };
}

function pageToken(jobId: string, offset: number): string {
  return Buffer.from(`${jobId}:${offset}`).toString('base64url');
}

function parsePageToken(token: string, jobId: string): number {
  const decoded = Buffer.from(token, 'base64url').toString();
  const separator = decoded.lastIndexOf(':');
  const offset = Number(decoded.slice(separator + 1));
  if (decoded.slice(0, separator) !== jobId || !Number.isSafeInteger(offset) || offset < 0) {
    throw invalidRequest(`Invalid page token: ${token}`);
  }
  return offset;
}

function newJobId(): string {
  return `job_${randomBytes(18).toString('base64url').replaceAll('-', '_')}`;
}

function etag(): string {
  return randomBytes(12).toString('base64');
}

function pick<T extends object>(source: T, keys: readonly string[]): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const key of keys)
    if ((source as Record<string, unknown>)[key] !== undefined)
      out[key] = (source as Record<string, unknown>)[key];
  return out as Partial<T>;
}
