// The executor's trust boundary: it runs a request only as a grant the gateway signed (a key KMS certified),
// current and used once; a bare, altered, forged or replayed request releases nothing and is audited.

import assert from 'node:assert/strict';
import { createInstanceSigner } from '../../shared/core/audit/signing-key.ts';
import { WardenError } from '../../shared/core/errors.ts';
import { type GrantSigner, issueGrant } from '../../shared/core/execution/grant.ts';
import type { DryRunRequest, ExecutionRequest, JobRequest } from '../../shared/ports/query-runner.ts';
import { invoke } from '../../shared/test-support/fake-http.ts';
import { MemoryKeys } from '../../shared/test-support/memory-ports.ts';
import { createRig, REFERENCE_SQL, type Rig } from '../test-support/rig.ts';

const request = (requestId: string, maskingProfile = 'none'): ExecutionRequest => ({
  requestId,
  principal: { subject: 'u', issuer: 'https://idp', groups: ['analysts'], actorChain: [] },
  projectId: 'p',
  sql: REFERENCE_SQL,
  decision: {
    effect: 'allow',
    rule: 'reference',
    reasons: ['test'],
    policyVersion: 'sha256:test',
    rowLimit: 10,
    cellLimit: 100,
    byteLimit: 10_000,
    maximumBytesBilled: 1_000_000,
    maskingProfile,
    touchesPhi: false,
    phiClasses: [],
  },
  facts: {
    statementType: 'SELECT',
    referencedTables: [{ projectId: 'p', datasetId: 'reference', tableId: 'icd10_codes' }],
    totalBytesProcessed: '10',
  },
});

const post = (rig: Rig, body: unknown, path = '/execute') =>
  invoke(rig.executor, {
    method: 'POST',
    path,
    headers: { authorization: 'Bearer service.gateway', 'content-type': 'application/json' },
    body,
  });

const gatewaySigner = (rig: Rig): GrantSigner => rig.gatewayDeps.audit as unknown as GrantSigner;

describe('executor: runs only what the gateway granted', () => {
  it('runs a grant the gateway signed', async () => {
    const rig = await createRig();
    const grant = await issueGrant(gatewaySigner(rig), request('g-ok'), rig.clock.now());
    const res = await post(rig, { grant });
    assert.equal(res.status, 200, JSON.stringify(res.json()));
    assert.ok(rig.typesFor('g-ok').includes('query.start'));
  });

  const refusals: { name: string; body: (rig: Rig) => Promise<unknown>; why: RegExp }[] = [
    {
      name: 'a bare request without a grant (a made-up decision)',
      body: async () => request('g-bare'),
      why: /missing or malformed/,
    },
    {
      name: 'a grant whose decision was altered after signing (masking profile none, huge limit)',
      body: async (rig) => {
        const grant = await issueGrant(gatewaySigner(rig), request('g-altered', 'analyst'), rig.clock.now());
        const decision = (grant.body.request as unknown as ExecutionRequest).decision;
        decision.maskingProfile = 'none';
        decision.rowLimit = 1e9;
        return { grant };
      },
      why: /altered or forged/,
    },
    {
      name: 'a grant from a key that another KMS key certified',
      body: async (rig) => {
        const signer = await createInstanceSigner(
          new MemoryKeys(),
          'k/cryptoKeyVersions/1',
          'gateway',
          rig.clock.now(),
        );
        const forger: GrantSigner = {
          attest: async (b) => ({ signature: signer.sign(b), certificate: signer.certificate }),
        };
        return { grant: await issueGrant(forger, request('g-forged'), rig.clock.now()) };
      },
      why: /certificate KMS did not sign/,
    },
    {
      name: 'an expired grant',
      body: async (rig) => {
        const grant = await issueGrant(gatewaySigner(rig), request('g-expired'), rig.clock.now());
        rig.clock.advance(61_000);
        return { grant };
      },
      why: /expired/,
    },
  ];
  for (const c of refusals)
    it(`refuses ${c.name}, audits why, and runs nothing`, async () => {
      const rig = await createRig();
      const body = (await c.body(rig)) as {
        grant?: { body: { request: { requestId: string } } };
        requestId?: string;
      };
      const id = body.grant?.body.request.requestId ?? body.requestId ?? 'unknown';
      const res = await post(rig, body);
      assert.equal(res.status, 403);
      const refused = rig.records().find((r) => r.event.type === 'execution.refused');
      assert.match(String((refused?.event['error'] as { message?: string } | undefined)?.message), c.why);
      assert.deepEqual(
        rig.typesFor(id).filter((t) => t.startsWith('query.')),
        [],
      );
    });

  it('refuses a grant used before, on its second use', async () => {
    const rig = await createRig();
    const grant = await issueGrant(gatewaySigner(rig), request('g-replay'), rig.clock.now());
    assert.equal((await post(rig, { grant })).status, 200);
    const again = await post(rig, { grant });
    assert.equal(again.status, 403);
    assert.match(JSON.stringify(again.json()), /used before/);
    assert.equal(rig.typesFor('g-replay').filter((t) => t === 'query.start').length, 1);
  });

  it('takes a job grant only at /job, and an execution grant only at /execute: neither passes for the other', async () => {
    const rig = await createRig();
    const job: JobRequest = {
      op: 'job',
      requestId: 'g-job',
      principal: request('x').principal,
      action: 'cancel',
      job: { projectId: 'p', jobId: 'job-1' },
    };
    const asExecution = await post(rig, {
      grant: await issueGrant(gatewaySigner(rig), job, rig.clock.now()),
    });
    assert.equal(asExecution.status, 400, JSON.stringify(asExecution.json()));
    const asJob = await post(
      rig,
      { grant: await issueGrant(gatewaySigner(rig), request('g-exec-as-job'), rig.clock.now()) },
      '/job',
    );
    assert.equal(asJob.status, 400, JSON.stringify(asJob.json()));
    assert.equal(rig.ports.warehouse.executed.length, 0);
    assert.deepEqual(rig.ports.warehouse.cancelled, []);
    assert.ok(rig.typesFor('g-job').includes('execution.refused'));
  });
});

describe('executor: dry runs for the gateway (POST /dry-run)', () => {
  const dryRun = (requestId: string, sql = REFERENCE_SQL): DryRunRequest => ({
    op: 'dry-run',
    requestId,
    projectId: 'p',
    sql,
  });

  it('answers a dry-run grant with the facts, as a dry run, and runs no job', async () => {
    const rig = await createRig();
    const grant = await issueGrant(gatewaySigner(rig), dryRun('d-ok'), rig.clock.now());
    const res = await post(rig, { grant }, '/dry-run');
    assert.equal(res.status, 200, JSON.stringify(res.json()));
    assert.deepEqual((res.json() as { result: unknown }).result, {
      statementType: 'SELECT',
      referencedTables: [{ projectId: 'p', datasetId: 'reference', tableId: 'icd10_codes' }],
      totalBytesProcessed: '1024',
    });
    assert.equal(rig.ports.warehouse.faults.count('dryRun'), 1);
    assert.equal(rig.ports.warehouse.faults.count('execute'), 0);
    assert.equal(rig.ports.warehouse.executed.length, 0);
  });

  it('leaves the request id unused: the execution grant of the same request still runs once', async () => {
    const rig = await createRig();
    const dry = await issueGrant(gatewaySigner(rig), dryRun('d-then-run'), rig.clock.now());
    assert.equal((await post(rig, { grant: dry }, '/dry-run')).status, 200);
    assert.equal(rig.grantLedger.used.size, 0);
    const run = await issueGrant(gatewaySigner(rig), request('d-then-run'), rig.clock.now());
    assert.equal((await post(rig, { grant: run })).status, 200);
    assert.equal(rig.ports.warehouse.executed.length, 1);
  });

  const misuse: { name: string; path: string; body: (rig: Rig) => Promise<unknown>; status: number }[] = [
    {
      name: 'a dry-run grant posted to /execute (a DELETE it names never runs)',
      path: '/execute',
      body: async (rig) => ({
        grant: await issueGrant(
          gatewaySigner(rig),
          {
            ...dryRun('d-as-exec', 'DELETE FROM `p.reference.icd10_codes` WHERE TRUE'),
            ...pick(request('x')),
          },
          rig.clock.now(),
        ),
      }),
      status: 400,
    },
    {
      name: 'a dry-run grant posted to /job',
      path: '/job',
      body: async (rig) => ({
        grant: await issueGrant(gatewaySigner(rig), dryRun('d-as-job'), rig.clock.now()),
      }),
      status: 400,
    },
    {
      name: 'an execution grant posted to /dry-run',
      path: '/dry-run',
      body: async (rig) => ({
        grant: await issueGrant(gatewaySigner(rig), request('d-exec'), rig.clock.now()),
      }),
      status: 400,
    },
    {
      name: 'a bare dry-run request without a grant',
      path: '/dry-run',
      body: async () => dryRun('d-bare'),
      status: 403,
    },
    {
      name: 'a dry-run grant altered after signing',
      path: '/dry-run',
      body: async (rig) => {
        const grant = await issueGrant(gatewaySigner(rig), dryRun('d-altered'), rig.clock.now());
        (grant.body.request as unknown as DryRunRequest).sql = 'SELECT ssn FROM `p.clinical.patients`';
        return { grant };
      },
      status: 403,
    },
    {
      name: 'an expired dry-run grant',
      path: '/dry-run',
      body: async (rig) => {
        const grant = await issueGrant(gatewaySigner(rig), dryRun('d-expired'), rig.clock.now());
        rig.clock.advance(61_000);
        return { grant };
      },
      status: 403,
    },
  ];
  for (const c of misuse)
    it(`refuses ${c.name}, audits it, and neither runs nor dry-runs anything`, async () => {
      const rig = await createRig();
      const res = await post(rig, await c.body(rig), c.path);
      assert.equal(res.status, c.status, JSON.stringify(res.json()));
      assert.equal(rig.ports.warehouse.faults.count('execute'), 0);
      assert.equal(rig.ports.warehouse.faults.count('dryRun'), 0);
      assert.deepEqual(rig.ports.warehouse.cancelled, []);
      assert.ok(rig.records().some((r) => r.event.type === 'execution.refused'));
    });

  it('maps a BigQuery error in the dry run to its typed error, and runs nothing', async () => {
    const rig = await createRig();
    rig.ports.warehouse.faults.fail(
      'dryRun',
      new WardenError('forbidden', 'BigQuery dry run: access denied.'),
    );
    const grant = await issueGrant(gatewaySigner(rig), dryRun('d-denied'), rig.clock.now());
    const res = await post(rig, { grant }, '/dry-run');
    assert.equal(res.status, 403);
    assert.equal((res.json() as { error: { kind: string } }).error.kind, 'forbidden');
    assert.equal(rig.ports.warehouse.executed.length, 0);
  });
});

/** The fields of an execution request a dry-run request lacks (to try passing one off as the other). */
function pick(r: ExecutionRequest) {
  return { principal: r.principal, decision: r.decision, facts: r.facts };
}
