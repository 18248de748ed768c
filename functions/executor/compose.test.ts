// The executor's composition on in-memory ports: the query identities (sealed credentials opened once, through
// KMS), the masking key, the one table cache, and deadlines that make a hanging dependency fail closed.

import assert from 'node:assert/strict';
import {
  type ServiceAccountCredential,
  sealCredential,
  sealMaskingKey,
} from '../../shared/core/credential/sealed-credential.ts';
import { isWardenError } from '../../shared/core/errors.ts';
import { FakeWarehouse } from '../../shared/test-support/fake-warehouse.ts';
import { faulty } from '../../shared/test-support/faulty.ts';
import {
  ManualClock,
  MemoryApprovals,
  MemoryGrantLedger,
  MemoryKeys,
  MemoryResults,
  MemorySink,
} from '../../shared/test-support/memory-ports.ts';
import { memoryFunctionPorts } from '../test-support/memory-function-ports.ts';
import { composeExecutor, type ExecutorPorts } from './compose.ts';
import { loadConfig } from './config.ts';

const KEYS = 'projects/p/locations/l/keyRings/r/cryptoKeys';
const TABLE = { projectId: 'p', datasetId: 'clinical', tableId: 'patients' };

const config = (env: Record<string, string> = {}) =>
  loadConfig({
    PROJECT_ID: 'p',
    EXECUTOR_AUDIENCE: 'https://executor.example',
    INVOKER_EMAILS: 'Gateway@p.iam.gserviceaccount.com',
    CREDENTIAL_CIPHERTEXT_PATH: 'gs://config/reader.enc',
    CREDENTIAL_KMS_KEY: `${KEYS}/credential`,
    POLICY_PATH: 'gs://config/policy.yaml',
    MASKING_KEY_CIPHERTEXT_PATH: 'gs://config/masking.enc',
    MASKING_KMS_KEY: `${KEYS}/masking`,
    AUDIT_BUCKET: 'audit',
    AUDIT_KMS_KEY_VERSION: `${KEYS}/audit/cryptoKeyVersions/1`,
    DEPENDENCY_TIMEOUT_MS: '50',
    QUERY_TIMEOUT_MS: '100',
    ...env,
  });

const account = (email: string) =>
  new TextEncoder().encode(
    JSON.stringify({
      type: 'service_account',
      client_email: email,
      private_key: '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n',
    }),
  );

/** In-memory executor ports; `opened` lists the identity each warehouse was opened as. */
async function memoryPorts() {
  const keys = faulty(new MemoryKeys());
  const warehouse = faulty(new FakeWarehouse());
  const objects = new Map<string, Uint8Array>([
    ['gs://config/policy.yaml', new TextEncoder().encode('version: 1\nrules: []\n')],
    ['gs://config/reader.enc', await sealCredential(keys, `${KEYS}/credential`, account('reader@p'))],
    ['gs://config/deid.enc', await sealCredential(keys, `${KEYS}/credential`, account('deid@p'))],
    ['gs://config/masking.enc', await sealMaskingKey(keys, `${KEYS}/masking`, new Uint8Array(32).fill(3))],
  ]);
  const opened: (string | undefined)[] = [];
  const ports: ExecutorPorts = {
    ...memoryFunctionPorts({
      clock: new ManualClock(),
      keys,
      sink: new MemorySink(),
      approvals: new MemoryApprovals(),
      results: new MemoryResults(),
      objects,
    }),
    log: () => {},
    tokenVerifier: () => ({ verify: async () => assert.fail('not called') }),
    grantLedger: new MemoryGrantLedger(),
    warehouse: async (credential?: ServiceAccountCredential) => {
      opened.push(credential?.client_email);
      return warehouse;
    },
  };
  return { ports, keys, warehouse, opened };
}

describe('composeExecutor', () => {
  it('opens the sealed credential once, through KMS, and queries as it', async () => {
    const m = await memoryPorts();
    const deps = await composeExecutor(config(), m.ports);
    const decrypts = m.keys.faults.count('decrypt');
    await deps.warehouse();
    await deps.warehouse();
    await deps.jobs();
    assert.deepEqual(m.opened, ['reader@p']);
    assert.equal(m.keys.faults.count('decrypt') - decrypts, 1);
    assert.deepEqual(deps.invokers, ['gateway@p.iam.gserviceaccount.com']);
  });

  it('opens each named identity on first use, and refuses one the policy names but QUERY_CREDENTIALS lacks', async () => {
    const m = await memoryPorts();
    const deps = await composeExecutor(
      config({ QUERY_CREDENTIALS: '{"deid-reader":"gs://config/deid.enc"}' }),
      m.ports,
    );
    assert.deepEqual(deps.credentials, [undefined, 'deid-reader']);
    await deps.warehouse('deid-reader');
    assert.deepEqual(m.opened, ['deid@p']);
    await assert.rejects(
      deps.warehouse('nobody'),
      (e) => isWardenError(e, 'failed_precondition') && /"nobody"/.test(e.message),
    );
  });

  it('queries as its runtime identity with CREDENTIAL_MODE=keyless, decrypting nothing', async () => {
    const m = await memoryPorts();
    const deps = await composeExecutor(config({ CREDENTIAL_MODE: 'keyless' }), m.ports);
    const decrypts = m.keys.faults.count('decrypt');
    await deps.warehouse();
    assert.deepEqual(m.opened, [undefined]);
    assert.equal(m.keys.faults.count('decrypt'), decrypts);
  });

  it('opens the masking key once, and describes tables for lineage through one cache', async () => {
    const m = await memoryPorts();
    const deps = await composeExecutor(config(), m.ports);
    const decrypts = m.keys.faults.count('decrypt');
    assert.deepEqual([...(await deps.masking.key())], new Array(32).fill(3));
    await deps.masking.key();
    assert.equal(m.keys.faults.count('decrypt') - decrypts, 1);
    assert.deepEqual((await deps.masking.describeTable!(TABLE)).labels, { phi: 'true' });
    await deps.masking.describeTable!(TABLE);
    assert.equal(m.warehouse.faults.count('describeTable'), 1);
  });

  it('refuses to start without its policy, as the gateway does (one policy loader)', async () => {
    const m = await memoryPorts();
    await assert.rejects(
      composeExecutor(config({ POLICY_PATH: 'gs://config/missing.yaml' }), m.ports),
      (e) =>
        isWardenError(e, 'failed_precondition') && /does not start without a valid policy/.test(e.message),
    );
  });

  it('fails closed, unavailable, when KMS or BigQuery hangs past its deadline', async () => {
    const hungKms = await memoryPorts();
    hungKms.keys.faults.hang('decrypt');
    const a = await composeExecutor(config(), hungKms.ports);
    await assert.rejects(
      a.warehouse(),
      (e) => isWardenError(e, 'unavailable') && e.message === 'Cloud KMS did not answer within 50 ms.',
    );
    const hungQuery = await memoryPorts();
    hungQuery.warehouse.faults.hang('execute');
    const b = await composeExecutor(config(), hungQuery.ports);
    // A query gets QUERY_TIMEOUT_MS plus the dependency deadline for its result pages.
    await assert.rejects(
      (await b.warehouse()).execute(
        { projectId: 'p', sql: 'SELECT 1' },
        { rowLimit: 1, labels: {}, timeoutMs: 100 },
      ),
      (e) => isWardenError(e, 'unavailable') && e.message === 'BigQuery did not answer within 150 ms.',
    );
  });
});
