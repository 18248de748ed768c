// Ports the functions share, built from lazily created clients: every call fails closed past its deadline,
// and no client library loads before its first use. Composition only: each adapter it combines wraps one client.

import type { Firestore } from '@google-cloud/firestore';
import type { KeyManagementServiceClient } from '@google-cloud/kms';
import type { Bucket } from '@google-cloud/storage';
import { AuditLog } from '../core/audit/audit-log.ts';
import { TieredResultStore } from '../core/execution/tiered-results.ts';
import type { ApprovalStore, ResultStore } from '../ports/approval-store.ts';
import type { AuditSink } from '../ports/audit-sink.ts';
import { systemClock } from '../ports/clock.ts';
import type { KeyService } from '../ports/key-service.ts';
import { withDeadline } from './deadline.ts';
import { FirestoreApprovalStore, FirestoreResultStore } from './firestore/approval-store.ts';
import { KmsKeyService } from './kms/key-service.ts';
import { lazyPort } from './lazy.ts';
import { GcsAuditSink } from './storage/audit-sink.ts';
import { GcsResultBlobs } from './storage/result-blobs.ts';

type Storage = { bucket(name: string): Bucket };

/** Cloud KMS behind the key-service port. */
export function lazyKeyService(
  kms: () => Promise<KeyManagementServiceClient>,
  deadlineMs: number,
): KeyService {
  return withDeadline(
    lazyPort(async () => new KmsKeyService(await kms())),
    deadlineMs,
    'Cloud KMS',
  );
}

/**
 * A function's audit log over the retention-locked bucket, and the sink it writes to (the gateway's console
 * reads the trail through it). Digest failures are logged; they never fail a request.
 */
export function lazyAuditLog(options: {
  storage: () => Promise<Storage>;
  keys: KeyService;
  bucket: string;
  kmsKeyVersion: string;
  writer: string;
  digestIntervalSeconds: number;
  /** How long a group-committed record may wait for a barrier write (ms). */
  deferMs?: number;
  /** Most object writes in flight at once, each its own stream. */
  lanes?: number;
  deadlineMs: number;
  log: (message: string, cause?: unknown) => void;
}): { audit: AuditLog; sink: AuditSink } {
  const sink = withDeadline(
    lazyPort(async () => new GcsAuditSink((await options.storage()).bucket(options.bucket))),
    options.deadlineMs,
    'Cloud Storage',
  );
  const audit = new AuditLog({
    sink,
    keys: options.keys,
    clock: systemClock,
    kmsKeyVersion: options.kmsKeyVersion,
    writer: options.writer,
    digestIntervalMs: options.digestIntervalSeconds * 1000,
    ...(options.deferMs !== undefined ? { deferMs: options.deferMs } : {}),
    ...(options.lanes !== undefined ? { lanes: options.lanes } : {}),
    onBackgroundError: (err) =>
      options.log(
        'audit background write failed: a digest (its objects go into the next one) or a group-committed record (warden audit reconcile names its request)',
        err,
      ),
  });
  opened.push(audit);
  return { audit, sink };
}

/** Every audit log this process built, closed together at shutdown. */
const opened: AuditLog[] = [];

/**
 * Closes every audit log {@link lazyAuditLog} built in this process: pending records, a last digest and a
 * closing checkpoint each (the functions' entry points call it on SIGTERM, shared/adapters/shutdown.ts).
 */
export async function closeAuditLogs(): Promise<void> {
  const results = await Promise.allSettled(opened.map((log) => log.close()));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Every call fails closed after `deadlineMs`. */
export function resultStore(
  firestore: Firestore,
  resultsBucket: Bucket | undefined,
  deadlineMs: number,
): ResultStore {
  const documents = withDeadline(new FirestoreResultStore(firestore), deadlineMs, 'Firestore');
  if (!resultsBucket) return documents;
  return new TieredResultStore(
    documents,
    withDeadline(new GcsResultBlobs(resultsBucket), deadlineMs, 'Cloud Storage'),
  );
}

/**
 * The approval request store and the result store of a function, each created on first use from the client
 * factories (so a cold start loads neither Firestore nor Cloud Storage).
 */
export function lazyApprovalStores(
  clients: { firestore: () => Promise<Firestore>; storage: () => Promise<Storage> },
  resultsBucket: string | undefined,
  deadlineMs: number,
): { store: ApprovalStore; results: ResultStore } {
  return {
    store: withDeadline(
      lazyPort(async () => new FirestoreApprovalStore(await clients.firestore())),
      deadlineMs,
      'Firestore',
    ),
    results: lazyPort(async () =>
      resultStore(
        await clients.firestore(),
        resultsBucket ? (await clients.storage()).bucket(resultsBucket) : undefined,
        deadlineMs,
      ),
    ),
  };
}
