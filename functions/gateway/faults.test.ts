// Fault injection at every port, through the real gateway and executor handlers (docs/reliability.md): each
// failing, hanging or slow dependency makes the request fail closed with a clear error, runs no query
// unaudited, and releases no rows.

import assert from 'node:assert/strict';
import { WardenError } from '../../shared/core/errors.ts';
import { invoke, type Sent } from '../../shared/test-support/fake-http.ts';
import { createRig, PHI_SQL, REFERENCE_SQL, type Rig, rpc, toolCall } from '../test-support/rig.ts';

/** What the caller sees. */
type Outcome =
  | { kind: 'rows' }
  | { kind: 'parked' }
  | { kind: 'tool-error'; message: RegExp }
  | { kind: 'rpc-error'; status: number; code: number; message: RegExp };

interface Case {
  name: string;
  /** Plans the fault (and any warm-up) on a fresh rig. */
  inject: (rig: Rig) => void | Promise<void>;
  sql?: string;
  token?: string;
  expect: Outcome;
  /** BigQuery jobs created. */
  executed: number;
  /** The request's audit records, in order; `[]` when the request failed because the audit trail did. */
  audit: string[];
}

const UNAVAILABLE = /dependency is unavailable\. Nothing was run\. \(request [0-9a-f-]{36}\)/;
const HTTP_503: Outcome = { kind: 'rpc-error', status: 503, code: -32603, message: UNAVAILABLE };
const RPC_UNAVAILABLE: Outcome = { kind: 'rpc-error', status: 200, code: -32603, message: UNAVAILABLE };
const FULL = ['mcp.request', 'policy.decision', 'query.start', 'query.end', 'mcp.response'];
const NOT_RUN = ['mcp.request', 'policy.decision', 'mcp.response'];
const RAN_FAILED = ['mcp.request', 'policy.decision', 'query.start', 'query.end', 'mcp.response'];
const bq = (kind: ConstructorParameters<typeof WardenError>[0], message: string) =>
  new WardenError(kind, message);

/** Warms the gateway's audit signer (one tools/list), so a later KMS fault hits the executor's. */
async function warmGateway(rig: Rig): Promise<void> {
  await invoke(rig.gateway, rpc('good.analysts', { jsonrpc: '2.0', id: 1, method: 'tools/list' }));
}

const cases: Case[] = [
  // The baseline every fault is compared with.
  { name: 'no fault', inject: () => {}, expect: { kind: 'rows' }, executed: 1, audit: FULL },

  // Cloud KMS: the audit signer's certification (AsymmetricSign) and the credential's Decrypt.
  {
    name: 'KMS sign fails (gateway audit signer)',
    inject: (r) => void r.ports.keys.faults.fail('signDigest'),
    expect: RPC_UNAVAILABLE,
    executed: 0,
    audit: [],
  },
  {
    name: 'KMS sign hangs (gateway audit signer)',
    inject: (r) => void r.ports.keys.faults.hang('signDigest'),
    expect: RPC_UNAVAILABLE,
    executed: 0,
    audit: [],
  },
  {
    name: 'KMS sign fails (executor audit signer)',
    inject: async (r) => {
      await warmGateway(r);
      r.ports.keys.faults.fail('signDigest');
    },
    expect: RPC_UNAVAILABLE,
    executed: 0,
    audit: NOT_RUN,
  },
  {
    name: 'KMS sign is slow but within its deadline',
    inject: (r) => void r.ports.keys.faults.delay('signDigest', 20),
    expect: { kind: 'rows' },
    executed: 1,
    audit: FULL,
  },
  {
    name: 'KMS decrypt of the credential fails',
    inject: (r) =>
      void r.ports.keys.faults.fail('decrypt', new WardenError('unavailable', 'KMS Decrypt failed.')),
    expect: RPC_UNAVAILABLE,
    executed: 0,
    audit: RAN_FAILED,
  },
  {
    name: 'KMS decrypt of the credential hangs',
    inject: (r) => void r.ports.keys.faults.hang('decrypt'),
    expect: RPC_UNAVAILABLE,
    executed: 0,
    audit: RAN_FAILED,
  },
  {
    name: 'KMS decrypt reports a corrupt ciphertext (integrity)',
    inject: (r) =>
      void r.ports.keys.faults.fail('decrypt', new WardenError('integrity', 'Cloud KMS could not decrypt.')),
    expect: {
      kind: 'rpc-error',
      status: 200,
      code: -32603,
      message: /integrity check failed\. Nothing was run/,
    },
    executed: 0,
    audit: RAN_FAILED,
  },

  // Cloud Storage (the audit bucket): every write is a request's durability point.
  // Two barriers (ARCHITECTURE.md, step 7): an allowed call makes two durable writes on its path, the intent
  // write (mcp.request, group-committed with policy.decision) and the release write (query.start with
  // query.end); mcp.response is group-committed after the answer.
  {
    name: 'Storage write fails on every record',
    inject: (r) => void r.ports.sink.faults.fail('create'),
    expect: RPC_UNAVAILABLE,
    executed: 0,
    audit: [],
  },
  {
    name: 'Storage write hangs',
    inject: (r) => void r.ports.sink.faults.hang('create'),
    expect: RPC_UNAVAILABLE,
    executed: 0,
    audit: [],
  },
  {
    name: 'Storage write fails for the intent record (nothing reaches the warehouse)',
    inject: (r) => void r.ports.sink.faults.fail('create', undefined, { times: 1 }),
    expect: RPC_UNAVAILABLE,
    executed: 0,
    audit: ['mcp.response'],
  },
  {
    name: 'Storage write fails for the release record (the job ran; no row reaches the caller)',
    inject: (r) => void r.ports.sink.faults.fail('create', undefined, { after: 1, times: 1 }),
    expect: RPC_UNAVAILABLE,
    executed: 1,
    audit: NOT_RUN,
  },
  {
    name: 'Storage write fails for the group-committed response record (the answer still goes out)',
    inject: (r) => void r.ports.sink.faults.fail('create', undefined, { after: 2 }),
    expect: { kind: 'rows' },
    executed: 1,
    audit: ['mcp.request', 'policy.decision', 'query.start', 'query.end'],
  },
  {
    name: 'Storage is slow but within its deadline',
    inject: (r) => void r.ports.sink.faults.delay('create', 20),
    expect: { kind: 'rows' },
    executed: 1,
    audit: FULL,
  },

  // BigQuery: dry run, classification metadata and execution.
  {
    name: 'BigQuery dry run: syntax error',
    inject: (r) =>
      void r.ports.warehouse.faults.fail(
        'dryRun',
        bq('invalid_argument', 'BigQuery dry run: the query is not valid.'),
      ),
    expect: { kind: 'tool-error', message: /the query is not valid/ },
    executed: 0,
    audit: NOT_RUN,
  },
  {
    name: 'BigQuery dry run: quota exceeded',
    inject: (r) =>
      void r.ports.warehouse.faults.fail(
        'dryRun',
        bq('failed_precondition', 'BigQuery quota or rate limit exceeded: try again later.'),
      ),
    expect: { kind: 'tool-error', message: /quota or rate limit exceeded/ },
    executed: 0,
    audit: NOT_RUN,
  },
  {
    name: 'BigQuery dry run: transport error with internal detail',
    inject: (r) => void r.ports.warehouse.faults.fail('dryRun', new Error('ECONNRESET 10.0.0.7:443')),
    expect: RPC_UNAVAILABLE,
    executed: 0,
    audit: NOT_RUN,
  },
  {
    name: 'BigQuery dry run hangs',
    inject: (r) => void r.ports.warehouse.faults.hang('dryRun'),
    expect: RPC_UNAVAILABLE,
    executed: 0,
    audit: NOT_RUN,
  },
  {
    name: 'BigQuery table metadata (classification) hangs',
    inject: (r) => void r.ports.warehouse.faults.hang('describeTable'),
    expect: RPC_UNAVAILABLE,
    executed: 0,
    audit: NOT_RUN,
  },
  {
    name: 'BigQuery job: quota exceeded',
    inject: (r) =>
      void r.ports.warehouse.faults.fail(
        'execute',
        bq('failed_precondition', 'BigQuery quota or rate limit exceeded: try again later.'),
      ),
    expect: { kind: 'tool-error', message: /quota or rate limit exceeded/ },
    executed: 0,
    audit: RAN_FAILED,
  },
  {
    name: 'BigQuery job: bytes billed limit',
    inject: (r) =>
      void r.ports.warehouse.faults.fail(
        'execute',
        bq('failed_precondition', 'The query would scan more bytes than the policy allows.'),
      ),
    expect: { kind: 'tool-error', message: /more bytes than the policy allows/ },
    executed: 0,
    audit: RAN_FAILED,
  },
  {
    name: 'BigQuery job: job timeout',
    inject: (r) =>
      void r.ports.warehouse.faults.fail(
        'execute',
        bq('failed_precondition', 'The query did not finish within the job timeout.'),
      ),
    expect: { kind: 'tool-error', message: /job timeout/ },
    executed: 0,
    audit: RAN_FAILED,
  },
  {
    name: 'BigQuery job hangs (past the query timeout)',
    inject: (r) => void r.ports.warehouse.faults.hang('execute'),
    expect: RPC_UNAVAILABLE,
    executed: 0,
    audit: RAN_FAILED,
  },

  // Identity: the JWKS / discovery fetch (the verifier reports the issuer unreachable).
  {
    name: 'the identity provider (JWKS) is unreachable',
    inject: (r) => {
      r.gatewayDeps.verifier = {
        verify: async () => {
          throw new WardenError('unavailable', 'The identity provider could not be reached.');
        },
      };
    },
    expect: HTTP_503,
    executed: 0,
    audit: ['mcp.rejected'],
  },

  // Firestore and Pub/Sub: the approval flow (a PHI query that needs approval is parked).
  {
    name: 'no fault (parking)',
    sql: PHI_SQL,
    inject: () => {},
    expect: { kind: 'parked' },
    executed: 0,
    audit: ['mcp.request', 'policy.decision', 'approval.requested', 'mcp.response'],
  },
  {
    name: 'Firestore is unavailable when parking',
    sql: PHI_SQL,
    inject: (r) =>
      void r.ports.store.faults.fail('create', new WardenError('unavailable', 'Firestore is unavailable.')),
    expect: RPC_UNAVAILABLE,
    executed: 0,
    audit: NOT_RUN,
  },
  {
    name: 'Firestore hangs when parking',
    sql: PHI_SQL,
    inject: (r) => void r.ports.store.faults.hang('create'),
    expect: RPC_UNAVAILABLE,
    executed: 0,
    audit: NOT_RUN,
  },
  {
    name: 'Pub/Sub publish fails when parking (the request stays PENDING, unannounced)',
    sql: PHI_SQL,
    inject: (r) =>
      void r.ports.bus.faults.fail('publish', new WardenError('unavailable', 'Pub/Sub publish failed.')),
    expect: RPC_UNAVAILABLE,
    executed: 0,
    audit: ['mcp.request', 'policy.decision', 'approval.requested', 'mcp.response'],
  },
  {
    name: 'Pub/Sub publish hangs when parking',
    sql: PHI_SQL,
    inject: (r) => void r.ports.bus.faults.hang('publish'),
    expect: RPC_UNAVAILABLE,
    executed: 0,
    audit: ['mcp.request', 'policy.decision', 'approval.requested', 'mcp.response'],
  },
];

/** No row value of the fake warehouse, and no stack frame or path, may appear in a failed answer. */
function assertNothingLeaks(res: Sent): void {
  assert.doesNotMatch(res.body, /Cholera|A00/, 'no rows in a failed answer');
  assert.doesNotMatch(res.body, /\bat \S+ \(|\.ts:\d+|node_modules|10\.0\.0\.7|ECONNRESET|injected/);
}

describe('faults at every port: the request fails closed, nothing runs unaudited, no rows leak', function () {
  this.timeout(10_000);
  for (const c of cases) {
    it(c.name, async () => {
      const rig = await createRig({ timeoutMs: 100 });
      await c.inject(rig);
      const res = await invoke(
        rig.gateway,
        rpc(
          c.token ?? 'good.analysts',
          toolCall('execute_sql', { projectId: 'p', query: c.sql ?? REFERENCE_SQL }),
        ),
      );
      const requestId = res.headers['x-warden-request-id']!;
      const body = res.json() as {
        result?: {
          isError?: boolean;
          content: { text: string }[];
          structuredContent?: { rows?: unknown[]; state?: string };
        };
        error?: { code: number; message: string };
      };
      switch (c.expect.kind) {
        case 'rows':
          assert.equal(res.status, 200);
          assert.equal(body.result?.structuredContent?.rows?.length, 1, res.body);
          break;
        case 'parked':
          assert.equal(body.result?.structuredContent?.state, 'PENDING', res.body);
          break;
        case 'tool-error':
          assert.equal(res.status, 200);
          assert.equal(body.result?.isError, true, res.body);
          assert.match(body.result?.content[0]?.text ?? '', c.expect.message);
          assert.equal(body.result?.structuredContent, undefined);
          assertNothingLeaks(res);
          break;
        case 'rpc-error':
          assert.equal(res.status, c.expect.status, res.body);
          assert.equal(body.error?.code, c.expect.code, res.body);
          assert.match(body.error?.message ?? '', c.expect.message);
          assertNothingLeaks(res);
          break;
      }
      assert.equal(rig.ports.warehouse.executed.length, c.executed, 'BigQuery jobs created');
      assert.deepEqual(rig.typesFor(requestId), c.audit);
      // The intent barrier: a job never runs without a durable record of who asked for what and the decision.
      if (c.executed > 0)
        assert.ok(
          rig.typesFor(requestId).includes('policy.decision'),
          'a job never runs before its intent record',
        );
    });
  }
});

describe('faults: recovery after the dependency comes back', () => {
  it('serves the next request normally once a failed KMS sign or storage write recovers', async () => {
    const rig = await createRig({ timeoutMs: 100 });
    rig.ports.keys.faults.fail('signDigest', undefined, { times: 1 });
    const call = rpc('good.analysts', toolCall('execute_sql', { projectId: 'p', query: REFERENCE_SQL }));
    const failed = await invoke(rig.gateway, call);
    assert.equal((failed.json() as { error?: { code: number } }).error?.code, -32603, failed.body);
    const ok = await invoke(rig.gateway, call);
    assert.equal(ok.status, 200);
    assert.deepEqual(rig.typesFor(ok.headers['x-warden-request-id']!), FULL);
  });
});
