// Local Cloud Storage JSON API stand-in for the official @google-cloud/storage client, persisted on disk.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Latency, waitFor } from '../latency.ts';
import type { ApiContext } from './api-call.ts';
import { dispatch } from './dispatch.ts';
import { GcsError, notServed } from './errors.ts';
import type { Reply } from './http-io.ts';
import { errorReply, readBody, sendReply } from './http-io.ts';
import { ResumableSessions } from './resumable-sessions.ts';
import { parseRoute, type Route } from './router.ts';
import { StateStore } from './state-store.ts';
import type { BucketSpec } from './storage-service.ts';
import { StorageService } from './storage-service.ts';

export type { BucketSpec } from './storage-service.ts';

/** Options of `startStorageStandIn`. */
export interface StorageStandInOptions {
  /** Port to listen on; 0 (the default) picks an ephemeral port. */
  port?: number;
  /** Interface to listen on; defaults to 127.0.0.1. */
  host?: string;
  /** Directory holding buckets and objects; reused across restarts. */
  stateDir: string;
  /** Buckets to create if missing (and whose retention to apply where the lock rules allow). */
  buckets?: BucketSpec[];
  /** Receives one line per request and any start-up notes. */
  log?: (line: string) => void;
  /** Clock for timestamps, generations and retention checks; defaults to the system clock. */
  now?: () => Date;
  /**
   * A latency model (`npm run bench -- --gcp-latency`): each answer is held until the delay of its call kind
   * (`storage.write`, `storage.read`, `storage.list`, `storage.metadata`; see `storageCallKind`) has passed
   * since the request arrived.
   */
  latency?: Latency;
}

/** A running stand-in. */
export interface StorageStandIn {
  /** `http://127.0.0.1:port`: pass as `apiEndpoint` (or `STORAGE_EMULATOR_HOST`) to the client. */
  url: string;
  port: number;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** The project recorded for buckets created from `BucketSpec`s. */
const SPEC_PROJECT = 'local';

/** Starts the stand-in on `options.stateDir`, creating the requested buckets first. */
export async function startStorageStandIn(options: StorageStandInOptions): Promise<StorageStandIn> {
  const log = options.log ?? (() => {});
  const service = new StorageService(
    await StateStore.open(options.stateDir),
    options.now ?? (() => new Date()),
  );
  for (const spec of options.buckets ?? []) await service.ensureBucket(spec, SPEC_PROJECT, log);
  const ctx: ApiContext = { service, sessions: new ResumableSessions() };
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    handle(ctx, req, res, log, options.latency).catch(() => res.destroy());
  });
  await listen(server, options.port ?? 0, host);
  const { port } = server.address() as AddressInfo;
  return { url: `http://${hostForUrl(host)}:${port}`, port, close: () => closeServer(server) };
}

async function handle(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  log: (line: string) => void,
  latency: Latency | undefined,
) {
  const started = performance.now();
  const reply = await replyTo(ctx, req).catch((err: unknown) => {
    if (!(err instanceof GcsError)) log(`storage stand-in: internal error: ${(err as Error).stack ?? err}`);
    return errorReply(err);
  });
  if (latency) {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    await waitFor(
      latency,
      storageCallKind(req.method ?? 'GET', parseRoute(url.pathname), url.searchParams),
      started,
    );
  }
  if (!res.destroyed) sendReply(res, reply);
  log(`${req.method} ${req.url} ${reply.status}`);
}

async function replyTo(ctx: ApiContext, req: IncomingMessage): Promise<Reply> {
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'http://stand-in');
  const body = await readBody(req);
  const route = parseRoute(url.pathname);
  if (!route) throw notServed(method, url.pathname);
  const origin = `http://${req.headers.host ?? 'localhost'}`;
  return dispatch(
    ctx,
    { method, route, query: url.searchParams, headers: req.headers, body, origin },
    url.pathname,
  );
}

/**
 * The call kind of a request, for a latency model: `storage.write` (uploads, deletes, compose, copy, rewrite),
 * `storage.read` (object media), `storage.list` (object listings), `storage.metadata` (everything else).
 */
export function storageCallKind(method: string, route: Route | undefined, query: URLSearchParams): string {
  if (!route) return 'storage.metadata';
  if (route.api === 'upload' || method === 'DELETE') return 'storage.write';
  if (method === 'POST' && route.api === 'json' && route.target !== 'buckets') return 'storage.write';
  if (route.api === 'download' || query.get('alt') === 'media') return 'storage.read';
  if (method === 'GET' && route.target === 'objects') return 'storage.list';
  return 'storage.metadata';
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
