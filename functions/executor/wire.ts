// Wiring: the executor's adapters, built once per instance. The credential is decrypted once per instance,
// on first use, and kept in memory only.

import { randomUUID } from 'node:crypto';
import type { Storage } from '@google-cloud/storage';
import { BigQueryWarehouse } from '../../shared/adapters/bigquery/warehouse.ts';
import {
  createBigQueryClient,
  createFirestoreClient,
  createKmsClient,
  createStorageClient,
} from '../../shared/adapters/clients.ts';
import { withDeadline } from '../../shared/adapters/deadline.ts';
import { FirestoreGrantLedger } from '../../shared/adapters/firestore/grant-ledger.ts';
import { lazyApprovalStores, lazyAuditLog, lazyKeyService } from '../../shared/adapters/function-ports.ts';
import { lazyPort, once } from '../../shared/adapters/lazy.ts';
import { logLine } from '../../shared/adapters/logging.ts';
import { OidcTokenVerifier } from '../../shared/adapters/oidc/token-verifier.ts';
import { readLocation } from '../../shared/adapters/storage/read-location.ts';
import type { TableMetadata } from '../../shared/core/classification/classify.ts';
import { openCredential, openMaskingKey } from '../../shared/core/credential/sealed-credential.ts';
import { WardenError } from '../../shared/core/errors.ts';
import type { RunApprovedDeps } from '../../shared/core/execution/run-approved.ts';
import { loadPolicy } from '../../shared/core/policy/policy.ts';
import type { TableRef } from '../../shared/core/query/facts.ts';
import { systemClock } from '../../shared/ports/clock.ts';
import type { KeyService } from '../../shared/ports/key-service.ts';
import type { WarehouseExecutor, WarehouseJobs, WarehouseMetadata } from '../../shared/ports/warehouse.ts';

import type { ExecutorConfig } from './config.ts';
import type { ExecutorDeps } from './handle.ts';

export async function createExecutorDeps(config: ExecutorConfig): Promise<ExecutorDeps & RunApprovedDeps> {
  // Clients are created on first use (a cold start loads no client library it does not need yet).
  const kms = once(() => createKmsClient(config.KMS_API_ENDPOINT));
  const storage = once(() => createStorageClient(config.PROJECT_ID, config.STORAGE_API_ENDPOINT));
  const firestore = once(() => createFirestoreClient(config.PROJECT_ID, config.FIRESTORE_DATABASE));
  // Every dependency call has a deadline and fails closed when it passes (docs/reliability.md); a query gets
  // its job timeout plus a margin for fetching the result pages.
  const ms = config.DEPENDENCY_TIMEOUT_MS;
  const keys = lazyKeyService(kms, ms);
  const policy = loadPolicy(
    new TextDecoder().decode(await readObject(config.POLICY_PATH, storage, 'policy')),
    config.POLICY_PATH,
  );
  const defaultIdentity = once(() => createWarehouse(config, keys, storage));
  const warehouse = once(async () =>
    withDeadline(await defaultIdentity(), config.QUERY_TIMEOUT_MS + ms, 'BigQuery'),
  );
  // The gateway's dry runs (DRY_RUN=executor), as the default query identity: a dependency call's deadline.
  const dryRunner = once(async () => withDeadline(await defaultIdentity(), ms, 'BigQuery'));
  // The identities policy rules may name, each opened (KMS) on first use and kept in memory only.
  const named = new Map(
    Object.entries(config.QUERY_CREDENTIALS).map(([name, path]) => [
      name,
      once(async () =>
        withDeadline(
          await createWarehouse(config, keys, storage, path),
          config.QUERY_TIMEOUT_MS + ms,
          'BigQuery',
        ),
      ),
    ]),
  );
  const warehouseAs = async (credential?: string): Promise<WarehouseExecutor & WarehouseJobs> => {
    if (credential === undefined) return warehouse();
    const open = named.get(credential);
    if (!open)
      throw new WardenError(
        'failed_precondition',
        `The BigQuery identity "${credential}" that the policy names is not configured on the executor (QUERY_CREDENTIALS).`,
      );
    return open();
  };
  return {
    ...lazyApprovalStores({ firestore, storage }, config.RESULTS_BUCKET, ms),
    clock: systemClock,
    executorId: `executor-${randomUUID()}`,
    resultTtlMs: config.RESULT_TTL_SECONDS * 1000,
    verifier: new OidcTokenVerifier({
      issuers: config.INVOKER_ISSUERS.map((issuer) => ({ issuer, audiences: [config.EXECUTOR_AUDIENCE] })),
    }),
    invokers: config.INVOKER_EMAILS.map((e) => e.toLowerCase()),
    // A request runs only as a grant the gateway signed with a key KMS certified, once (docs/identity.md).
    grants: {
      kmsKeyVersion: config.AUDIT_KMS_KEY_VERSION,
      kmsPublicKeyPem: once(() => keys.getPublicKeyPem(config.AUDIT_KMS_KEY_VERSION)),
      writers: ['gateway'],
      ledger: withDeadline(
        lazyPort(async () => new FirestoreGrantLedger(await firestore())),
        ms,
        'Firestore',
      ),
      clock: systemClock,
    },
    audit: lazyAuditLog({
      storage,
      keys,
      bucket: config.AUDIT_BUCKET,
      kmsKeyVersion: config.AUDIT_KMS_KEY_VERSION,
      writer: 'executor',
      digestIntervalSeconds: config.AUDIT_DIGEST_INTERVAL_SECONDS,
      deferMs: config.AUDIT_DEFER_MS,
      lanes: config.AUDIT_WRITE_LANES,
      deadlineMs: ms,
      log: logLine('executor'),
    }).audit,
    warehouse: warehouseAs,
    dryRun: async (request) => (await dryRunner()).dryRun(request),
    // get_job / cancel_job: BigQuery lets a job's creator read and cancel it, so each identity looks at its own.
    jobs: warehouseAs,
    credentials: [undefined, ...named.keys()],
    masking: {
      profiles: policy.maskingProfiles,
      // Column classes and policy tags for result lineage, from the executor's own metadata reads.
      classification: policy.classification,
      describeTable: cachedDescribe(warehouse),
      key: once(async () =>
        openMaskingKey(
          keys,
          config.MASKING_KMS_KEY,
          await readObject(config.MASKING_KEY_CIPHERTEXT_PATH, storage, 'masking key'),
        ),
      ),
    },
    timeoutMs: config.QUERY_TIMEOUT_MS,
    ...(config.BIGQUERY_LOCATION ? { location: config.BIGQUERY_LOCATION } : {}),
    log: logLine('executor'),
  };
}

async function createWarehouse(
  config: ExecutorConfig,
  keys: KeyService,
  storage: () => Promise<Storage>,
  ciphertextPath = config.CREDENTIAL_CIPHERTEXT_PATH,
): Promise<WarehouseExecutor & WarehouseJobs & Pick<WarehouseMetadata, 'dryRun'>> {
  if (config.CREDENTIAL_MODE === 'keyless')
    return new BigQueryWarehouse(await createBigQueryClient(config.PROJECT_ID, config.BIGQUERY_API_ENDPOINT));
  const ciphertext = await readObject(ciphertextPath!, storage, 'sealed credential');
  const credential = await openCredential(keys, config.CREDENTIAL_KMS_KEY!, ciphertext);
  return new BigQueryWarehouse(
    await createBigQueryClient(config.PROJECT_ID, config.BIGQUERY_API_ENDPOINT, credential),
  );
}

/**
 * Table metadata for masking, cached per table for five minutes (as the gateway's classification is); the
 * metadata client is built on first use. Failures are not cached.
 */
function cachedDescribe(
  warehouse: () => Promise<WarehouseExecutor>,
): (table: TableRef) => Promise<TableMetadata> {
  const client = once(async () => {
    const w = (await warehouse()) as WarehouseExecutor & Partial<Pick<WarehouseMetadata, 'describeTable'>>;
    if (typeof w.describeTable !== 'function')
      throw new WardenError('internal', 'The warehouse cannot describe tables.');
    return w as WarehouseExecutor & Pick<WarehouseMetadata, 'describeTable'>;
  });
  const cache = new Map<string, { at: number; value: Promise<TableMetadata> }>();
  return (table) => {
    const key = `${table.projectId}.${table.datasetId}.${table.tableId}`;
    const now = Date.now();
    const hit = cache.get(key);
    if (hit && now - hit.at < 5 * 60_000) return hit.value;
    const value = client().then((w) => w.describeTable(table));
    cache.set(key, { at: now, value });
    value.catch(() => cache.delete(key));
    return value;
  };
}

async function readObject(
  location: string,
  storage: () => Promise<Storage>,
  what: string,
): Promise<Uint8Array> {
  try {
    return await readLocation(location, storage);
  } catch (err) {
    throw new WardenError('unavailable', `The ${what} could not be read.`, { cause: err });
  }
}
