// Local Cloud KMS stand-in: a gRPC KeyManagementService the official @google-cloud/kms client talks to, and the
// same service's REST API (rest.ts, which the functions' lean KMS call uses) on the same port: a connection that
// opens with the HTTP/2 preface goes to gRPC, any other to the REST server. One key store, one fault queue, one
// latency model behind both.

import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import {
  type ChannelCredentials,
  credentials,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type sendUnaryData,
  status,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { type Latency, waitFor } from '../latency.ts';
import { FaultQueue } from './faults.ts';
import { createKmsHandlers, KMS_METHODS, type KmsHandlers, type KmsMethod } from './handlers.ts';
import { type KmsKeySpec, openKeyStore, STATE_FILE_NAME } from './key-store.ts';
import { keyManagementServiceDefinition } from './proto.ts';
import { type KmsDispatch, type KmsOutcome, kmsRestHandler } from './rest.ts';
import { KmsRpcError } from './rpc-error.ts';

export type { KmsMethod } from './handlers.ts';
export type { KeyPurpose, KmsKeySpec } from './key-store.ts';

/** Options for {@link startKmsStandIn}. */
export interface KmsStandInOptions {
  /** Port to listen on; 0 (the default) picks an ephemeral one. */
  port?: number;
  /** Interface to listen on; defaults to 127.0.0.1. */
  host?: string;
  /** Directory for the persisted key material (created if missing). */
  stateDir: string;
  /** The keys that exist; every other name is NOT_FOUND. */
  keys: KmsKeySpec[];
  /** Receives one line per call and at start-up; never key material or payloads. */
  log?: (line: string) => void;
  /**
   * A latency model (`npm run bench -- --gcp-latency`): each answer is held until the delay of its call kind,
   * `kms.<Method>` (`kms.AsymmetricSign`, `kms.Decrypt`, …), has passed since the call arrived.
   */
  latency?: Latency;
}

/** A running stand-in. */
export interface KmsStandIn {
  /** `host:port` to give {@link kmsClientOptions} (gRPC), or as `http://host:port` to a REST client. */
  endpoint: string;
  port: number;
  /**
   * Makes the next `times` (default 1) calls of `method` (gRPC or REST: REST answers with the code's HTTP
   * status) fail with `code` before touching any key. Note the official client retries UNAVAILABLE and
   * DEADLINE_EXCEEDED for every KMS method, and the lean REST call (503 and 504) too.
   */
  failNext(method: KmsMethod, code: status, times?: number): void;
  /** Stops listening and ends open calls. */
  close(): Promise<void>;
}

/**
 * Options for `new KeyManagementServiceClient(...)` that reach a stand-in at `endpoint`. A type alias, not an
 * interface, so it stays assignable to google-gax's index-signature `ClientOptions`.
 */
export type KmsClientOptions = {
  apiEndpoint: string;
  port: number;
  sslCreds: ChannelCredentials;
  universeDomain: string;
};

const SHUTDOWN_GRACE_MS = 2000;

/** Starts the stand-in, generating or loading key material under `stateDir` first. */
export async function startKmsStandIn(options: KmsStandInOptions): Promise<KmsStandIn> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => undefined);
  const keys = await openKeyStore(options.stateDir, options.keys);
  const faults = new FaultQueue();
  const dispatch = dispatcher(createKmsHandlers(keys), faults, log, options.latency);
  const server = new Server();
  server.addService(keyManagementServiceDefinition(), implementation(dispatch));
  const grpc = server.createConnectionInjector(ServerCredentials.createInsecure());
  const rest = http.createServer({ keepAliveTimeout: 30_000 }, kmsRestHandler(dispatch));
  const listener = net.createServer((socket) => route(socket, grpc, rest));
  const port = await listen(listener, host, options.port ?? 0);
  const endpoint = formatHostPort(host, port);
  log(
    `kms stand-in listening on ${endpoint} (gRPC and REST) with ${keys.size} keys (${path.join(options.stateDir, STATE_FILE_NAME)})`,
  );
  return {
    endpoint,
    port,
    failNext: (method, code, times) => faults.add(method, code, times),
    close: () => shutdown(server, grpc, rest, listener),
  };
}

/**
 * Client options that connect the official `KeyManagementServiceClient` to the stand-in over plaintext
 * gRPC without any Google credentials: `sslCreds` replaces the TLS + OAuth channel credentials, and an
 * explicit `universeDomain` stops google-gax from resolving Application Default Credentials (and probing
 * the GCE metadata server) to learn it.
 */
export function kmsClientOptions(endpoint: string): KmsClientOptions {
  const colon = endpoint.lastIndexOf(':');
  const port = Number(endpoint.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`kmsClientOptions: expected host:port, got ${endpoint}`);
  }
  return {
    apiEndpoint: endpoint.slice(0, colon),
    port,
    sslCreds: credentials.createInsecure(),
    universeDomain: 'googleapis.com',
  };
}

/** The one call path of both APIs: an injected fault or the handler, logged, held by the latency model. */
function dispatcher(
  handlers: KmsHandlers,
  faults: FaultQueue,
  log: (line: string) => void,
  latency: Latency | undefined,
): KmsDispatch {
  return async (method, request) => {
    const started = performance.now();
    const name = request.name;
    const outcome = runCall(method, handlers[method], request, faults);
    log(
      `kms ${method} ${typeof name === 'string' ? name : '?'} -> ${status[outcome.ok ? status.OK : outcome.code]}`,
    );
    if (latency) await waitFor(latency, `kms.${method}`, started);
    return outcome;
  };
}

function implementation(dispatch: KmsDispatch) {
  const impl: UntypedServiceImplementation = {};
  for (const method of KMS_METHODS) {
    impl[method] = (call: ServerUnaryCall<unknown, object>, callback: sendUnaryData<object>) => {
      void dispatch(method, call.request as Record<string, unknown>).then((outcome) => {
        if (outcome.ok) callback(null, outcome.response);
        else callback({ code: outcome.code, details: outcome.message, message: outcome.message });
      });
    };
  }
  return impl;
}

/** Runs one call: an injected fault if one is queued, else the handler, mapping its errors to statuses. */
function runCall(
  method: KmsMethod,
  handler: (request: unknown) => object,
  request: unknown,
  faults: FaultQueue,
): KmsOutcome {
  const fault = faults.take(method);
  if (fault) return { ok: false, ...fault };
  try {
    return { ok: true, response: handler(request) };
  } catch (err) {
    if (err instanceof KmsRpcError) return { ok: false, code: err.code, message: err.message };
    return {
      ok: false,
      code: status.INTERNAL,
      message: `KMS stand-in error: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0');

/**
 * Hands a new connection to gRPC when it opens with the HTTP/2 client preface (RFC 9113 section 3.4: gRPC
 * over plaintext starts with it, "prior knowledge"), else to the HTTP/1.1 REST server; the bytes read to decide
 * are put back first.
 */
function route(
  socket: net.Socket,
  grpc: { injectConnection(connection: net.Socket): void },
  rest: http.Server,
): void {
  let seen = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    seen = Buffer.concat([seen, chunk]);
    const n = Math.min(seen.length, HTTP2_PREFACE.length);
    const isHttp2 = seen.subarray(0, n).equals(HTTP2_PREFACE.subarray(0, n));
    if (isHttp2 && seen.length < HTTP2_PREFACE.length) return; // not enough yet to tell
    socket.off('data', onData);
    socket.pause();
    socket.unshift(seen);
    if (isHttp2) grpc.injectConnection(socket);
    else rest.emit('connection', socket);
    process.nextTick(() => socket.resume());
  };
  socket.on('data', onData);
  socket.on('error', () => socket.destroy());
}

function listen(listener: net.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(port, host, () => {
      listener.off('error', reject);
      resolve((listener.address() as net.AddressInfo).port);
    });
  });
}

function shutdown(
  server: Server,
  grpc: { drain(graceMs: number): void; destroy(): void },
  rest: http.Server,
  listener: net.Server,
): Promise<void> {
  listener.close();
  rest.closeIdleConnections();
  grpc.drain(SHUTDOWN_GRACE_MS);
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(force);
      grpc.destroy();
      rest.closeAllConnections();
      resolve();
    };
    const force = setTimeout(() => {
      server.forceShutdown();
      done();
    }, SHUTDOWN_GRACE_MS);
    server.tryShutdown(done);
  });
}

function formatHostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}
