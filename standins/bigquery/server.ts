// The local BigQuery stand-in: an HTTP server speaking the BigQuery v2 REST subset, backed by embedded DuckDB.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { type Latency, waitFor } from '../latency.ts';
import { listen } from '../net.ts';
import { Catalog } from './catalog.ts';
import { QueryEngine } from './engine.ts';
import { asBigQueryError, errorBody, invalidRequest } from './errors.ts';
import { JobService } from './jobs.ts';
import { loadSeeds } from './loader.ts';
import type { ApiContext, ApiRequest } from './routes.ts';
import { callKindOf, dispatch } from './routes.ts';
import type { ProjectSeed } from './seed.ts';

/** A running stand-in. */
export interface BigQueryStandIn {
  /** Base URL to give the client as `apiEndpoint`, e.g. `http://127.0.0.1:9050`. */
  url: string;
  port: number;
  /** Stops the HTTP server and frees the database. */
  close(): Promise<void>;
}

/** Options of {@link startBigQueryStandIn}. */
export interface BigQueryStandInOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to bind; defaults to 127.0.0.1. */
  host?: string;
  /** Projects, datasets, tables and rows to load before serving. */
  seeds: ProjectSeed[];
  /** Receives one line per request and a summary of the seed load. */
  log?: (line: string) => void;
  /** Bytes billed at minimum per referenced table; BigQuery on-demand uses 10 MiB (the default). */
  minimumBytesBilledPerTable?: bigint;
  /** Upper bound on the JSON size of one page of query results; BigQuery uses about 10 MB (the default). */
  maxPageBytes?: number;
  /** Finished jobs kept in memory with their results (default 1000); older ones answer 404 like expired jobs. */
  maxJobs?: number;
  /**
   * A latency model (`npm run bench -- --gcp-latency`): each answer is held until the delay of its call kind
   * (`bigquery.dryRun`, `bigquery.query`, … see `callKindOf`) has passed since the request arrived.
   */
  latency?: Latency;
}

const API_PREFIX = '/bigquery/v2';
const TEN_MIB = 10n * 1024n * 1024n;

/**
 * Starts the stand-in: loads `seeds` into an in-memory DuckDB (one catalog per project, one schema per dataset),
 * then serves `/bigquery/v2/...` (and the same paths without the prefix, which is how the Node client addresses
 * `BIGQUERY_EMULATOR_HOST`).
 */
export async function startBigQueryStandIn(options: BigQueryStandInOptions): Promise<BigQueryStandIn> {
  const log = options.log ?? (() => {});
  const instance = await openDatabase(options.seeds, log);
  const catalog = new Catalog(instance, options.seeds);
  const engine = new QueryEngine(catalog, {
    minimumBytesBilledPerTable: options.minimumBytesBilledPerTable ?? TEN_MIB,
  });
  const jobs = new JobService(engine, {
    maxPageBytes: options.maxPageBytes ?? 10 * 1024 * 1024,
    maxJobs: options.maxJobs ?? 1000,
  });
  const ctx: ApiContext = { engine, jobs };
  const server = createServer((req, res) => {
    void handle(ctx, req, res, log, options.latency);
  });
  const host = options.host ?? '127.0.0.1';
  let port: number;
  try {
    port = await listen(server, options.port ?? 0, host, 'BigQuery stand-in');
  } catch (err) {
    instance.closeSync();
    throw err;
  }
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () => {
      closing ??= shutdown(server, jobs, instance);
      return closing;
    },
  };
}

async function shutdown(server: Server, jobs: JobService, instance: DuckDBInstance): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  await jobs.shutdown();
  instance.closeSync();
}

async function openDatabase(
  seeds: readonly ProjectSeed[],
  log: (line: string) => void,
): Promise<DuckDBInstance> {
  const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
  const connection = await instance.connect();
  try {
    await connection.run("SET GLOBAL TimeZone = 'UTC'");
    const started = performance.now();
    const rows = await loadSeeds(connection, seeds);
    log(
      `bigquery: loaded ${rows} rows into ${countTables(seeds)} tables in ${Math.round(performance.now() - started)} ms`,
    );
    // Queries cannot reach files, the network or extensions; everything they need is in memory.
    await connection.run('SET enable_external_access = false');
    return instance;
  } catch (err) {
    instance.closeSync();
    throw err;
  } finally {
    connection.closeSync();
  }
}

function countTables(seeds: readonly ProjectSeed[]): number {
  return seeds.reduce((n, p) => n + p.datasets.reduce((m, d) => m + d.tables.length, 0), 0);
}

async function handle(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  log: (line: string) => void,
  latency: Latency | undefined,
): Promise<void> {
  const started = performance.now();
  let status = 200;
  let body: object;
  let kind = 'bigquery.other';
  try {
    const request = await parseRequest(req);
    kind = callKindOf(request);
    body = await dispatch(ctx, request);
  } catch (err) {
    const error = asBigQueryError(err);
    status = error.code;
    body = errorBody(error);
    if (status >= 500) log(`bigquery: internal error: ${(err as Error)?.stack ?? String(err)}`);
  }
  const text = JSON.stringify(body);
  await waitFor(latency, kind, started);
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
  log(`bigquery: ${req.method} ${req.url} -> ${status} (${Math.round(performance.now() - started)} ms)`);
}

async function parseRequest(req: IncomingMessage): Promise<ApiRequest> {
  const url = new URL(req.url ?? '/', 'http://stand-in');
  const path = url.pathname.startsWith(`${API_PREFIX}/`)
    ? url.pathname.slice(API_PREFIX.length)
    : url.pathname;
  const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
  const raw = await readBody(req);
  return { method: req.method ?? 'GET', segments, query: url.searchParams, body: parseJson(raw) };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? promisify(gunzip)(body) : body;
}

function parseJson(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) return {};
  try {
    const value: unknown = JSON.parse(raw.toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw invalidRequest('Invalid JSON payload received.');
}
