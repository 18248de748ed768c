// The gateway's composition on in-memory ports: the settings it is given become the dependencies the handler
// gets, and a dependency that hangs fails closed through the deadline composeGateway puts on it.

import assert from 'node:assert/strict';
import type { AuditLog } from '../../shared/core/audit/audit-log.ts';
import { isWardenError } from '../../shared/core/errors.ts';
import type { TrustedIssuer } from '../../shared/core/identity/principal.ts';
import { FakeWarehouse } from '../../shared/test-support/fake-warehouse.ts';
import { faulty } from '../../shared/test-support/faulty.ts';
import {
  ManualClock,
  MemoryApprovals,
  MemoryBus,
  MemoryElicitations,
  MemoryKeys,
  MemoryResults,
  MemorySink,
} from '../../shared/test-support/memory-ports.ts';
import { memoryFunctionPorts } from '../test-support/memory-function-ports.ts';
import { composeGateway, type GatewayPorts } from './compose.ts';
import { loadConfig } from './config.ts';

const POLICY = 'version: 1\nrules: []\n';
const KEY = 'projects/p/locations/l/keyRings/r/cryptoKeys';

const config = (env: Record<string, string> = {}) =>
  loadConfig({
    PROJECT_ID: 'p',
    PUBLIC_URL: 'https://warden.example/',
    OIDC_ISSUERS: 'https://idp.example,https://other.example',
    POLICY_PATH: 'gs://config/policy.yaml',
    EXECUTOR_URL: 'https://executor.example',
    AUDIT_BUCKET: 'audit',
    AUDIT_KMS_KEY_VERSION: `${KEY}/audit/cryptoKeyVersions/1`,
    CONSOLE_ENABLED: 'false',
    DEPENDENCY_TIMEOUT_MS: '50',
    ...env,
  });

/** In-memory gateway ports; `verifiers` records what each token verifier was built for, `hops` the executor calls. */
function memoryPorts() {
  const warehouse = faulty(new FakeWarehouse());
  const keys = faulty(new MemoryKeys());
  const verifiers: { issuers: TrustedIssuer[]; clockToleranceSeconds?: number }[] = [];
  const hops: string[] = [];
  const opened: AuditLog[] = [];
  const elicitationDeadlines: number[] = [];
  const ports: GatewayPorts = {
    ...memoryFunctionPorts({
      clock: new ManualClock(),
      keys,
      sink: new MemorySink(),
      approvals: new MemoryApprovals(),
      results: new MemoryResults(),
      objects: new Map([['gs://config/policy.yaml', new TextEncoder().encode(POLICY)]]),
    }),
    log: () => {},
    tokenVerifier: (options) => {
      verifiers.push(options);
      return { verify: async () => assert.fail('not called') };
    },
    opened: (log) => void opened.push(log),
    bus: new MemoryBus(),
    warehouse,
    elicitations: (deadlineMs) => {
      elicitationDeadlines.push(deadlineMs);
      return new MemoryElicitations();
    },
    executorHop: {
      tokens: { idToken: async () => 'id-token' },
      fetch: (async (url: string | URL) => {
        hops.push(String(url));
        return Response.json({
          result: { statementType: 'SELECT', referencedTables: [], totalBytesProcessed: '0' },
        });
      }) as typeof fetch,
    },
  };
  return { ports, warehouse, keys, verifiers, hops, opened, elicitationDeadlines };
}

const DRY_RUN = { projectId: 'p', requestId: 'r-1', sql: 'SELECT 1' };

describe('composeGateway', () => {
  it('loads the policy through the ports and refuses to start without one', async () => {
    const m = memoryPorts();
    const deps = await composeGateway(config(), m.ports);
    assert.deepEqual(deps.policy.rules, []);
    await assert.rejects(
      composeGateway(config({ POLICY_PATH: 'gs://config/missing.yaml' }), m.ports),
      (e) =>
        isWardenError(e, 'failed_precondition') &&
        e.message ===
          'The policy gs://config/missing.yaml could not be read: Warden does not start without a valid policy.',
    );
  });

  it('dry-runs through the executor by default, and on its own identity with DRY_RUN=gateway', async () => {
    const viaExecutor = memoryPorts();
    await (await composeGateway(config(), viaExecutor.ports)).metadata.dryRun(DRY_RUN);
    assert.deepEqual(viaExecutor.hops, ['https://executor.example/dry-run']);
    assert.equal(viaExecutor.warehouse.faults.count('dryRun'), 0);

    const own = memoryPorts();
    await (await composeGateway(config({ DRY_RUN: 'gateway' }), own.ports)).metadata.dryRun(DRY_RUN);
    assert.deepEqual(own.hops, []);
    assert.equal(own.warehouse.faults.count('dryRun'), 1);
  });

  it('enables the console with its audience, settings and audit trail reader as configured', async () => {
    const m = memoryPorts();
    const deps = await composeGateway(
      config({
        CONSOLE_ENABLED: 'true',
        CONSOLE_ISSUER: 'https://other.example',
        CONSOLE_AUDIT_READ: 'true',
        BREAK_GLASS_REVIEWER_GROUPS: 'privacy-office',
      }),
      m.ports,
    );
    assert.deepEqual(deps.console?.settings, {
      publicUrl: 'https://warden.example',
      issuer: 'https://other.example',
      clientId: 'https://warden.example',
      redirectUri: 'https://warden.example/console/callback',
      scopes: 'openid email profile',
      auditRead: true,
    });
    assert.ok(deps.auditTrail);
    assert.deepEqual(deps.breakGlassReviewers, ['privacy-office']);
    // Bearer tokens: the public URL and the console's client id; the person's token: its own audience.
    const [bearer, person] = m.verifiers;
    assert.deepEqual(bearer?.issuers[0]?.audiences, ['https://warden.example/', 'https://warden.example']);
    assert.deepEqual(person?.issuers[0]?.audiences, ['https://warden.example/on-behalf-of']);
    assert.deepEqual(
      bearer?.issuers.map((i) => i.issuer),
      ['https://idp.example', 'https://other.example'],
    );

    const off = await composeGateway(config(), memoryPorts().ports);
    assert.equal(off.console, undefined);
    assert.equal(off.auditTrail, undefined);
    assert.equal(off.breakGlassReviewers, undefined);
  });

  it('refuses a console issuer outside OIDC_ISSUERS and an on-behalf-of audience a bearer token may carry', async () => {
    await assert.rejects(
      composeGateway(
        config({ CONSOLE_ENABLED: 'true', CONSOLE_ISSUER: 'https://elsewhere.example' }),
        memoryPorts().ports,
      ),
      (e) => isWardenError(e, 'failed_precondition') && /CONSOLE_ISSUER/.test(e.message),
    );
    await assert.rejects(
      composeGateway(config({ ON_BEHALF_OF_AUDIENCE: 'https://warden.example/' }), memoryPorts().ports),
      (e) => isWardenError(e, 'failed_precondition') && /ON_BEHALF_OF_AUDIENCE/.test(e.message),
    );
  });

  it('asks for reasons (both eras) only with a request-state key, the elicitation store on the deadline', async () => {
    const m = memoryPorts();
    const deps = await composeGateway(
      config({ REQUEST_STATE_KMS_KEY_VERSION: `${KEY}/state/cryptoKeyVersions/1` }),
      m.ports,
    );
    assert.ok(deps.reasons);
    assert.ok(deps.elicitation);
    assert.deepEqual(m.elicitationDeadlines, [50]);
    const without = await composeGateway(config(), memoryPorts().ports);
    assert.equal(without.reasons, undefined);
    assert.equal(without.elicitation, undefined);
  });

  it('builds one audit log, announced to the ports (closed at shutdown)', async () => {
    const m = memoryPorts();
    const deps = await composeGateway(config(), m.ports);
    assert.equal(m.opened.length, 1);
    assert.equal(deps.audit, m.opened[0]);
    assert.equal(deps.approvals.audit, deps.audit);
  });

  it('fails closed, unavailable, when a port hangs past DEPENDENCY_TIMEOUT_MS', async () => {
    const m = memoryPorts();
    m.warehouse.faults.hang('describeTable');
    m.keys.faults.hang('signDigest');
    const deps = await composeGateway(config({ DRY_RUN: 'gateway' }), m.ports);
    const started = Date.now();
    await assert.rejects(
      deps.catalog.classify([{ projectId: 'p', datasetId: 'd', tableId: 't' }]),
      (e) => isWardenError(e, 'unavailable') && e.message === 'BigQuery did not answer within 50 ms.',
    );
    assert.ok(Date.now() - started < 1000);
    await assert.rejects(deps.audit.append({ type: 'mcp.request', requestId: 'r-1' }), (e) =>
      isWardenError(e, 'unavailable'),
    );
  });
});
