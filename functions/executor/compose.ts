// The executor's composition root: every wiring decision (deadlines, the audit log, the grant check, the query
// identities and the masking key), made once over the ports it is given. Pure: no client library (npm run
// check, rule compose-pure). Production passes Google's ports (ports.ts), the tests in-memory ones
// (functions/test-support/rig.ts). Credentials are decrypted once per instance, on first use, and kept in memory
// only.

import { randomUUID } from 'node:crypto';
import { withDeadline } from '../../shared/adapters/deadline.ts';
import { composeCommon, type FunctionPorts, readArtefact } from '../../shared/adapters/function-compose.ts';
import { once } from '../../shared/adapters/lazy.ts';
import { TableCatalog } from '../../shared/core/classification/table-catalog.ts';
import {
  openCredential,
  openMaskingKey,
  type ServiceAccountCredential,
} from '../../shared/core/credential/sealed-credential.ts';
import { WardenError } from '../../shared/core/errors.ts';
import type { RunApprovedDeps } from '../../shared/core/execution/run-approved.ts';
import type { GrantLedger } from '../../shared/ports/grant-ledger.ts';
import type { WarehouseExecutor, WarehouseJobs, WarehouseMetadata } from '../../shared/ports/warehouse.ts';
import type { ExecutorConfig } from './config.ts';
import type { ExecutorDeps } from './handle.ts';

/** A BigQuery identity as the executor uses it: queries, jobs, dry runs and table metadata. */
export type ExecutorWarehouse = WarehouseExecutor &
  WarehouseJobs &
  Pick<WarehouseMetadata, 'dryRun' | 'describeTable'>;

/** What the executor is composed from, besides the ports every function has. */
export interface ExecutorPorts extends FunctionPorts {
  /** Execution grants used once (the ledger every instance sees). */
  grantLedger: GrantLedger;
  /** BigQuery as the runtime's own identity (no credential), or as a decrypted service-account key. */
  warehouse: (credential?: ServiceAccountCredential) => Promise<ExecutorWarehouse>;
}

export async function composeExecutor(
  config: ExecutorConfig,
  ports: ExecutorPorts,
): Promise<ExecutorDeps & RunApprovedDeps> {
  const { policy, keys, audit, stores } = await composeCommon(ports, config, 'executor');
  const clock = ports.clock;
  // Every dependency call has a deadline and fails closed when it passes (docs/reliability.md); a query gets
  // its job timeout plus a margin for fetching the result pages.
  const ms = config.DEPENDENCY_TIMEOUT_MS;
  const queryMs = config.QUERY_TIMEOUT_MS + ms;
  const open = async (ciphertextPath?: string): Promise<ExecutorWarehouse> => {
    if (config.CREDENTIAL_MODE === 'keyless') return ports.warehouse();
    const ciphertext = await readArtefact(ports.readObject, ciphertextPath!, 'sealed credential');
    return ports.warehouse(await openCredential(keys, config.CREDENTIAL_KMS_KEY!, ciphertext));
  };
  const defaultIdentity = once(() => open(config.CREDENTIAL_CIPHERTEXT_PATH));
  const warehouse = once(async () => withDeadline(await defaultIdentity(), queryMs, 'BigQuery'));
  // The gateway's dry runs (DRY_RUN=executor), as the default query identity: a dependency call's deadline.
  const dryRunner = once(async () => withDeadline(await defaultIdentity(), ms, 'BigQuery'));
  // The identities policy rules may name, each opened (KMS) on first use and kept in memory only.
  const named = new Map(
    Object.entries(config.QUERY_CREDENTIALS).map(([name, path]) => [
      name,
      once(async () => withDeadline(await open(path), queryMs, 'BigQuery')),
    ]),
  );
  const warehouseAs = async (credential?: string): Promise<ExecutorWarehouse> => {
    if (credential === undefined) return warehouse();
    const opener = named.get(credential);
    if (!opener)
      throw new WardenError(
        'failed_precondition',
        `The BigQuery identity "${credential}" that the policy names is not configured on the executor (QUERY_CREDENTIALS).`,
      );
    return opener();
  };
  // Column classes and policy tags for result lineage, from the executor's own metadata reads, cached as the
  // gateway's classification is (one TableCatalog).
  const catalog = new TableCatalog({
    metadata: { describeTable: async (table) => (await warehouse()).describeTable(table) },
    config: policy.classification,
    clock,
  });
  return {
    ...stores,
    clock,
    executorId: `executor-${randomUUID()}`,
    resultTtlMs: config.RESULT_TTL_SECONDS * 1000,
    verifier: ports.tokenVerifier({
      issuers: config.INVOKER_ISSUERS.map((issuer) => ({ issuer, audiences: [config.EXECUTOR_AUDIENCE] })),
    }),
    invokers: config.INVOKER_EMAILS.map((e) => e.toLowerCase()),
    // A request runs only as a grant the gateway signed with a key KMS certified, once (docs/identity.md).
    grants: {
      kmsKeyVersion: config.AUDIT_KMS_KEY_VERSION,
      kmsPublicKeyPem: once(() => keys.getPublicKeyPem(config.AUDIT_KMS_KEY_VERSION)),
      writers: ['gateway'],
      ledger: withDeadline(ports.grantLedger, ms, 'Firestore'),
      clock,
    },
    audit,
    warehouse: warehouseAs,
    dryRun: async (request) => (await dryRunner()).dryRun(request),
    // get_job / cancel_job: BigQuery lets a job's creator read and cancel it, so each identity looks at its own.
    jobs: warehouseAs,
    credentials: [undefined, ...named.keys()],
    masking: {
      profiles: policy.maskingProfiles,
      classification: policy.classification,
      describeTable: (table) => catalog.describe(table),
      key: once(async () =>
        openMaskingKey(
          keys,
          config.MASKING_KMS_KEY,
          await readArtefact(ports.readObject, config.MASKING_KEY_CIPHERTEXT_PATH, 'masking key'),
        ),
      ),
    },
    timeoutMs: config.QUERY_TIMEOUT_MS,
    ...(config.BIGQUERY_LOCATION ? { location: config.BIGQUERY_LOCATION } : {}),
    log: ports.log,
  };
}
