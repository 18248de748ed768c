// Local Cloud KMS stand-in: a gRPC KeyManagementService the official @google-cloud/kms client talks to.

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
  /** `host:port` to give {@link kmsClientOptions}. */
  endpoint: string;
  port: number;
  /**
   * Makes the next `times` (default 1) calls of `method` fail with `code` before touching any key.
   * Note the official client retries UNAVAILABLE and DEADLINE_EXCEEDED for every KMS method.
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
  const server = new Server();
  server.addService(
    keyManagementServiceDefinition(),
    implementation(createKmsHandlers(keys), faults, log, options.latency),
  );
  const port = await bind(server, formatHostPort(host, options.port ?? 0));
  const endpoint = formatHostPort(host, port);
  log(
    `kms stand-in listening on ${endpoint} with ${keys.size} keys (${path.join(options.stateDir, STATE_FILE_NAME)})`,
  );
  return {
    endpoint,
    port,
    failNext: (method, code, times) => faults.add(method, code, times),
    close: () => shutdown(server),
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

function implementation(
  handlers: KmsHandlers,
  faults: FaultQueue,
  log: (line: string) => void,
  latency: Latency | undefined,
) {
  const impl: UntypedServiceImplementation = {};
  for (const method of KMS_METHODS) {
    impl[method] = (call: ServerUnaryCall<unknown, object>, callback: sendUnaryData<object>) => {
      const started = performance.now();
      const name = (call.request as { name?: unknown }).name;
      const outcome = runCall(method, handlers[method], call.request, faults);
      log(`kms ${method} ${typeof name === 'string' ? name : '?'} -> ${status[outcome.code]}`);
      const answer = () => {
        if (outcome.ok) callback(null, outcome.response);
        else callback({ code: outcome.code, details: outcome.message, message: outcome.message });
      };
      if (latency) void waitFor(latency, `kms.${method}`, started).then(answer);
      else answer();
    };
  }
  return impl;
}

type Outcome = { ok: true; code: status.OK; response: object } | { ok: false; code: status; message: string };

/** Runs one call: an injected fault if one is queued, else the handler, mapping its errors to statuses. */
function runCall(
  method: KmsMethod,
  handler: (request: unknown) => object,
  request: unknown,
  faults: FaultQueue,
): Outcome {
  const fault = faults.take(method);
  if (fault) return { ok: false, ...fault };
  try {
    return { ok: true, code: status.OK, response: handler(request) };
  } catch (err) {
    if (err instanceof KmsRpcError) return { ok: false, code: err.code, message: err.message };
    return {
      ok: false,
      code: status.INTERNAL,
      message: `KMS stand-in error: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

function bind(server: Server, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(err) : resolve(port),
    );
  });
}

function shutdown(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, SHUTDOWN_GRACE_MS);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}

function formatHostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}
