// REST routes of the BigQuery v2 API subset: datasets, tables, table data, jobs and queries.

import type { DatasetInfo, TableDetail, TableInfo } from './catalog.ts';
import { tableDisplay } from './catalog.ts';
import type { QueryEngine } from './engine.ts';
import { invalidRequest, notFound } from './errors.ts';
import type { JobService } from './jobs.ts';
import { tableReference } from './jobs.ts';
import { quoteIdent } from './types.ts';
import { rowConverter, timestampFormatOf } from './wire.ts';

/** One parsed request. */
export interface ApiRequest {
  method: string;
  /** Path segments after `/bigquery/v2` (or after the root, for BIGQUERY_EMULATOR_HOST clients), decoded. */
  segments: string[];
  query: URLSearchParams;
  body: Record<string, unknown>;
}

/** What the routes work on. */
export interface ApiContext {
  engine: QueryEngine;
  jobs: JobService;
}

type Handler = (ctx: ApiContext, req: ApiRequest, params: string[]) => Promise<object> | object;

interface Route {
  method: string;
  pattern: string[];
  handler: Handler;
}

const ROUTES: Route[] = [
  route('GET', 'projects', listProjects),
  route('GET', 'projects/*/datasets', listDatasets),
  route('GET', 'projects/*/datasets/*', getDataset),
  route('GET', 'projects/*/datasets/*/tables', listTables),
  route('GET', 'projects/*/datasets/*/tables/*', getTable),
  route('GET', 'projects/*/datasets/*/tables/*/data', listTableData),
  route('POST', 'projects/*/jobs', (ctx, req, [p]) => ctx.jobs.insert(p as string, req.body)),
  route('GET', 'projects/*/jobs', listJobs),
  route('GET', 'projects/*/jobs/*', (ctx, req, [p, j]) =>
    ctx.jobs.get(p as string, j as string, location(req)),
  ),
  route('POST', 'projects/*/jobs/*/cancel', (ctx, req, [p, j]) =>
    ctx.jobs.cancel(p as string, j as string, location(req)),
  ),
  route('POST', 'projects/*/queries', (ctx, req, [p]) => ctx.jobs.query(p as string, req.body)),
  route('GET', 'projects/*/queries/*', getQueryResults),
];

function route(method: string, path: string, handler: Handler): Route {
  return { method, pattern: path.split('/'), handler };
}

/** Dispatches a request to its handler; unknown routes get a 400 that names what is not implemented. */
export async function dispatch(ctx: ApiContext, req: ApiRequest): Promise<object> {
  for (const r of ROUTES) {
    const params = match(r.pattern, req.segments);
    if (params && r.method === req.method) return r.handler(ctx, req, params);
  }
  throw invalidRequest(
    `The local BigQuery stand-in does not implement ${req.method} /${req.segments.join('/')}`,
  );
}

/**
 * The call kind of a request, for a latency model: `bigquery.dryRun` (jobs.insert or jobs.query with `dryRun`),
 * `bigquery.jobs.insert`, `bigquery.query` (jobs.query), `bigquery.getQueryResults`, `bigquery.jobs.get`,
 * `bigquery.tables.get`, or `bigquery.other` (listings, table data, cancel).
 */
export function callKindOf(req: ApiRequest): string {
  const s = req.segments;
  if (s[0] !== 'projects' || s.length < 3) return 'bigquery.other';
  if (req.method === 'POST' && s.length === 3 && s[2] === 'jobs') {
    const configuration = req.body['configuration'] as { dryRun?: unknown } | undefined;
    return configuration?.dryRun === true ? 'bigquery.dryRun' : 'bigquery.jobs.insert';
  }
  if (req.method === 'POST' && s.length === 3 && s[2] === 'queries')
    return req.body['dryRun'] === true ? 'bigquery.dryRun' : 'bigquery.query';
  if (req.method === 'GET' && s.length === 4 && s[2] === 'queries') return 'bigquery.getQueryResults';
  if (req.method === 'GET' && s.length === 4 && s[2] === 'jobs') return 'bigquery.jobs.get';
  if (req.method === 'GET' && s.length === 6 && s[2] === 'datasets' && s[4] === 'tables')
    return 'bigquery.tables.get';
  return 'bigquery.other';
}

function match(pattern: readonly string[], segments: readonly string[]): string[] | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: string[] = [];
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '*') params.push(segments[i] as string);
    else if (pattern[i] !== segments[i]) return undefined;
  }
  return params;
}

function location(req: ApiRequest): string | undefined {
  return req.query.get('location') ?? undefined;
}

function requireProject(ctx: ApiContext, projectId: string): string {
  const project = ctx.engine.catalog.project(projectId);
  if (!project) throw notFound(`Not found: Project ${projectId}`);
  return project;
}

async function requireDataset(ctx: ApiContext, projectId: string, datasetId: string): Promise<DatasetInfo> {
  const project = requireProject(ctx, projectId);
  const dataset = await ctx.engine.catalog.dataset(project, datasetId);
  if (!dataset) throw notFound(`Not found: Dataset ${project}:${datasetId}`);
  return dataset;
}

async function requireTable(ctx: ApiContext, params: string[]): Promise<TableDetail> {
  const [projectId = '', datasetId = '', tableId = ''] = params;
  const dataset = await requireDataset(ctx, projectId, datasetId);
  const detail = await ctx.engine.catalog.detail({
    projectId: dataset.projectId,
    datasetId: dataset.datasetId,
    tableId,
  });
  if (!detail) throw notFound(`Not found: Table ${dataset.projectId}:${dataset.datasetId}.${tableId}`);
  return detail;
}

/** Applies `maxResults` / `pageToken` to a listing. */
function paginate<T>(items: readonly T[], req: ApiRequest): { page: T[]; nextPageToken?: string } {
  const start = Number(req.query.get('pageToken') ?? 0);
  if (!Number.isSafeInteger(start) || start < 0) throw invalidRequest('Invalid page token');
  const max = Number(req.query.get('maxResults') ?? items.length);
  const page = items.slice(start, start + Math.max(0, max || items.length));
  const next = start + page.length;
  return { page, ...(next < items.length ? { nextPageToken: String(next) } : {}) };
}

function listProjects(ctx: ApiContext, req: ApiRequest): object {
  const { page, nextPageToken } = paginate(ctx.engine.catalog.projects, req);
  return {
    kind: 'bigquery#projectList',
    projects: page.map((id) => ({
      kind: 'bigquery#project',
      id,
      numericId: '0',
      projectReference: { projectId: id },
      friendlyName: id,
    })),
    totalItems: ctx.engine.catalog.projects.length,
    ...(nextPageToken ? { nextPageToken } : {}),
  };
}

async function listDatasets(ctx: ApiContext, req: ApiRequest, [projectId = '']: string[]): Promise<object> {
  const datasets = await ctx.engine.catalog.datasets(requireProject(ctx, projectId));
  const { page, nextPageToken } = paginate(datasets, req);
  return {
    kind: 'bigquery#datasetList',
    datasets: page.map((d) => ({
      kind: 'bigquery#dataset',
      id: `${d.projectId}:${d.datasetId}`,
      datasetReference: { projectId: d.projectId, datasetId: d.datasetId },
      labels: d.labels,
      location: d.location,
    })),
    ...(nextPageToken ? { nextPageToken } : {}),
  };
}

async function getDataset(
  ctx: ApiContext,
  _req: ApiRequest,
  [projectId = '', datasetId = '']: string[],
): Promise<object> {
  const d = await requireDataset(ctx, projectId, datasetId);
  return {
    kind: 'bigquery#dataset',
    id: `${d.projectId}:${d.datasetId}`,
    selfLink: `/bigquery/v2/projects/${d.projectId}/datasets/${d.datasetId}`,
    datasetReference: { projectId: d.projectId, datasetId: d.datasetId },
    ...(d.description !== undefined ? { description: d.description } : {}),
    labels: d.labels,
    location: d.location,
    creationTime: String(d.creationTime),
    lastModifiedTime: String(d.creationTime),
    type: 'DEFAULT',
  };
}

async function listTables(
  ctx: ApiContext,
  req: ApiRequest,
  [projectId = '', datasetId = '']: string[],
): Promise<object> {
  const dataset = await requireDataset(ctx, projectId, datasetId);
  const tables = await ctx.engine.catalog.tables(dataset.projectId, dataset.datasetId);
  const { page, nextPageToken } = paginate(tables, req);
  return {
    kind: 'bigquery#tableList',
    tables: page.map((t) => ({
      kind: 'bigquery#table',
      id: tableDisplay(t.ref),
      tableReference: tableReference(t.ref),
      type: t.type,
      labels: t.labels,
      creationTime: String(t.creationTime),
    })),
    totalItems: tables.length,
    ...(nextPageToken ? { nextPageToken } : {}),
  };
}

async function getTable(ctx: ApiContext, _req: ApiRequest, params: string[]): Promise<object> {
  return tableResource(await requireTable(ctx, params));
}

/** The table resource `tables.get` returns. */
export function tableResource(t: TableDetail): object {
  return {
    kind: 'bigquery#table',
    id: tableDisplay(t.ref),
    selfLink: `/bigquery/v2/projects/${t.ref.projectId}/datasets/${t.ref.datasetId}/tables/${t.ref.tableId}`,
    tableReference: tableReference(t.ref),
    ...(t.description !== undefined ? { description: t.description } : {}),
    labels: t.labels,
    schema: { fields: t.schema },
    numBytes: String(t.numBytes),
    numLongTermBytes: '0',
    numRows: String(t.numRows),
    creationTime: String(t.creationTime),
    lastModifiedTime: String(t.creationTime),
    type: t.type,
    location: t.location,
    ...viewOf(t),
  };
}

function viewOf(t: TableInfo): object {
  return t.viewQuery !== undefined ? { view: { query: t.viewQuery, useLegacySql: false } } : {};
}

/** `tabledata.list`: rows of a table, in storage order, paged by `maxResults` / `pageToken` / `startIndex`. */
async function listTableData(ctx: ApiContext, req: ApiRequest, params: string[]): Promise<object> {
  const detail = await requireTable(ctx, params);
  const start = Number(req.query.get('pageToken') ?? req.query.get('startIndex') ?? 0);
  const max = Number(req.query.get('maxResults') ?? 100_000);
  if (!Number.isSafeInteger(start) || start < 0 || !Number.isSafeInteger(max) || max < 0) {
    throw invalidRequest('Invalid pageToken, startIndex or maxResults');
  }
  const selected = req.query
    .get('selectedFields')
    ?.split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const columns = selected?.length ? selected.map(quoteIdent).join(', ') : '*';
  const name = [detail.ref.projectId, detail.ref.datasetId, detail.ref.tableId].map(quoteIdent).join('.');
  const format = timestampFormatOf(
    req.query.get('formatOptions.useInt64Timestamp') ?? undefined,
    req.query.get('formatOptions.timestampOutputFormat') ?? undefined,
  );
  const reader = await ctx.engine.catalog.withConnection((c) =>
    c.runAndReadAll(`SELECT ${columns} FROM ${name} LIMIT ${max} OFFSET ${start}`),
  );
  const convert = rowConverter(reader.columnTypes(), format);
  const rows = reader.getRows().map(convert);
  const next = start + rows.length;
  return {
    kind: 'bigquery#tableDataList',
    totalRows: String(detail.numRows),
    rows,
    ...(next < detail.numRows ? { pageToken: String(next) } : {}),
  };
}

function listJobs(ctx: ApiContext, req: ApiRequest, [projectId = '']: string[]): object {
  const maxResults = req.query.get('maxResults');
  const pageToken = req.query.get('pageToken');
  return ctx.jobs.list(projectId, {
    ...(maxResults !== null ? { maxResults: Number(maxResults) } : {}),
    ...(pageToken !== null ? { pageToken } : {}),
    stateFilter: req.query.getAll('stateFilter'),
  });
}

async function getQueryResults(
  ctx: ApiContext,
  req: ApiRequest,
  [projectId = '', jobId = '']: string[],
): Promise<object> {
  const q = req.query;
  const number = (name: string): number | undefined => {
    const value = q.get(name);
    if (value === null) return undefined;
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 0) throw invalidRequest(`Invalid value for ${name}: ${value}`);
    return n;
  };
  const maxResults = number('maxResults');
  const startIndex = number('startIndex');
  const timeoutMs = number('timeoutMs');
  const pageToken = q.get('pageToken') ?? undefined;
  return ctx.jobs.getQueryResults(projectId, jobId, location(req), {
    ...(maxResults !== undefined ? { maxResults } : {}),
    ...(startIndex !== undefined ? { startIndex } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(pageToken !== undefined ? { pageToken } : {}),
    format: timestampFormatOf(
      q.get('formatOptions.useInt64Timestamp') ?? undefined,
      q.get('formatOptions.timestampOutputFormat') ?? undefined,
    ),
  });
}
