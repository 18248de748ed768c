// The Google side of the ports both functions share (functions/*/ports.ts build on it): the official clients,
// each created on first use (a cold start loads no client library it does not need yet), and the adapters over
// them. Cloud KMS is the exception: the functions call it a few times per instance over its REST API
// (kms/rest.ts), which spares a cold start the official client's gRPC stack (docs/performance.md). No decision lives here: deadlines, the audit log and the stores are composed in function-compose.ts.

import type { Firestore } from '@google-cloud/firestore';
import type { Storage } from '@google-cloud/storage';
import type { AuditLog } from '../core/audit/audit-log.ts';
import { systemClock } from '../ports/clock.ts';
import { createFirestoreClient, createStorageClient } from './clients.ts';
import { FirestoreApprovalStore, FirestoreResultStore } from './firestore/approval-store.ts';
import type { FunctionPorts } from './function-compose.ts';
import { KmsRestKeyService, kmsRestTarget } from './kms/rest.ts';
import { lazyPort, once } from './lazy.ts';
import { logLine } from './logging.ts';
import { OidcTokenVerifier } from './oidc/token-verifier.ts';
import { GcsAuditSink } from './storage/audit-sink.ts';
import { readLocation } from './storage/read-location.ts';
import { GcsResultBlobs } from './storage/result-blobs.ts';

/** Where a function's clients point (production leaves every endpoint unset; locally, loopback stand-ins). */
export interface ClientSettings {
  PROJECT_ID: string;
  FIRESTORE_DATABASE: string;
  /** host:port of the KMS stand-in, which serves Cloud KMS's REST API beside its gRPC one on that port. */
  KMS_API_ENDPOINT?: string | undefined;
  STORAGE_API_ENDPOINT?: string | undefined;
}

/** The clients several ports share, each a memoized factory: nothing is loaded until a port first calls it. */
export interface SharedClients {
  storage: () => Promise<Storage>;
  firestore: () => Promise<Firestore>;
}

/**
 * Cloud KMS, Cloud Storage, Firestore and OIDC behind the ports every function is composed from, and the
 * clients they use (a function's own ports may build on them).
 */
export function googleFunctionPorts(
  config: ClientSettings,
  component: string,
): [FunctionPorts, SharedClients] {
  const clients: SharedClients = {
    storage: once(() => createStorageClient(config.PROJECT_ID, config.STORAGE_API_ENDPOINT)),
    firestore: once(() => createFirestoreClient(config.PROJECT_ID, config.FIRESTORE_DATABASE)),
  };
  const ports: FunctionPorts = {
    clock: systemClock,
    log: logLine(component),
    keys: new KmsRestKeyService(kmsRestTarget(config.KMS_API_ENDPOINT)),
    auditSink(bucket) {
      return lazyPort(async () => new GcsAuditSink((await clients.storage()).bucket(bucket)));
    },
    approvals: lazyPort(async () => new FirestoreApprovalStore(await clients.firestore())),
    resultDocuments: lazyPort(async () => new FirestoreResultStore(await clients.firestore())),
    resultBlobs(bucket) {
      return lazyPort(async () => new GcsResultBlobs((await clients.storage()).bucket(bucket)));
    },
    readObject(location) {
      return readLocation(location, clients.storage);
    },
    tokenVerifier(options) {
      return new OidcTokenVerifier(options);
    },
    opened(log) {
      opened.push(log);
    },
  };
  return [ports, clients];
}

/** Every audit log composed in this process over {@link googleFunctionPorts}, closed together at shutdown. */
const opened: AuditLog[] = [];

/**
 * Closes every audit log this process composed: pending records, a last digest and a closing checkpoint each
 * (the functions' entry points call it on SIGTERM, shared/adapters/shutdown.ts).
 */
export async function closeAuditLogs(): Promise<void> {
  const results = await Promise.allSettled(opened.map((log) => log.close()));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}
