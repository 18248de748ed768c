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
import {
  FirestoreApprovalStore,
  FirestoreResultStore,
} from '../../shared/adapters/firestore/approval-store.ts';
import { KmsKeyService } from '../../shared/adapters/kms/key-service.ts';
import { logLine } from '../../shared/adapters/logging.ts';
import { OidcTokenVerifier } from '../../shared/adapters/oidc/token-verifier.ts';
import { GcsAuditSink } from '../../shared/adapters/storage/audit-sink.ts';
import { readLocation } from '../../shared/adapters/storage/read-location.ts';
import { AuditLog } from '../../shared/core/audit/audit-log.ts';
import { openCredential, openMaskingKey } from '../../shared/core/credential/sealed-credential.ts';
import { WardenError } from '../../shared/core/errors.ts';
import type { RunApprovedDeps } from '../../shared/core/execution/run-approved.ts';
import { loadPolicy } from '../../shared/core/policy/policy.ts';
import { systemClock } from '../../shared/ports/clock.ts';
import type { KeyService } from '../../shared/ports/key-service.ts';
import type { WarehouseExecutor } from '../../shared/ports/warehouse.ts';

import type { ExecutorConfig } from './config.ts';
import type { ExecutorDeps } from './handle.ts';

export async function createExecutorDeps(config: ExecutorConfig): Promise<ExecutorDeps & RunApprovedDeps> {
  const [kms, storage, firestore] = await Promise.all([
    createKmsClient(config.KMS_API_ENDPOINT),
    createStorageClient(config.PROJECT_ID, config.STORAGE_API_ENDPOINT),
    createFirestoreClient(config.PROJECT_ID, config.FIRESTORE_DATABASE),
  ]);
  const keys = new KmsKeyService(kms);
  const policy = loadPolicy(
    new TextDecoder().decode(await readObject(config.POLICY_PATH, storage, 'policy')),
    config.POLICY_PATH,
  );
  return {
    store: new FirestoreApprovalStore(firestore),
    results: new FirestoreResultStore(firestore),
    clock: systemClock,
    executorId: `executor-${randomUUID()}`,
    resultTtlMs: config.RESULT_TTL_SECONDS * 1000,
    verifier: new OidcTokenVerifier({
      issuers: config.INVOKER_ISSUERS.map((issuer) => ({ issuer, audiences: [config.EXECUTOR_AUDIENCE] })),
    }),
    invokers: config.INVOKER_EMAILS.map((e) => e.toLowerCase()),
    audit: new AuditLog({
      sink: new GcsAuditSink(storage.bucket(config.AUDIT_BUCKET)),
      keys,
      clock: systemClock,
      kmsKeyVersion: config.AUDIT_KMS_KEY_VERSION,
      writer: 'executor',
    }),
    warehouse: once(() => createWarehouse(config, keys, storage)),
    masking: {
      profiles: policy.maskingProfiles,
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
  storage: Storage,
): Promise<WarehouseExecutor> {
  if (config.CREDENTIAL_MODE === 'keyless')
    return new BigQueryWarehouse(await createBigQueryClient(config.PROJECT_ID, config.BIGQUERY_API_ENDPOINT));
  const ciphertext = await readObject(config.CREDENTIAL_CIPHERTEXT_PATH!, storage, 'sealed credential');
  const credential = await openCredential(keys, config.CREDENTIAL_KMS_KEY!, ciphertext);
  return new BigQueryWarehouse(
    await createBigQueryClient(config.PROJECT_ID, config.BIGQUERY_API_ENDPOINT, credential),
  );
}

/** Memoizes a successful async result; a failure is not remembered, so the next call tries again. */
function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= fn().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}

async function readObject(location: string, storage: Storage, what: string): Promise<Uint8Array> {
  try {
    return await readLocation(location, storage);
  } catch (err) {
    throw new WardenError('unavailable', `The ${what} could not be read.`, { cause: err });
  }
}
