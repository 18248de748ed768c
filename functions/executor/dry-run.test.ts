// The gateway's dry runs made by the executor as the query identity (DRY_RUN=executor, the default): the
// policy decides on the executor's facts, the trail records them as before, and every failure on the way (the
// hop, the grant, BigQuery) refuses the call with nothing run.

import assert from 'node:assert/strict';
import { WardenError } from '../../shared/core/errors.ts';
import { invoke } from '../../shared/test-support/fake-http.ts';
import { createRig, REFERENCE_SQL, type Rig, rpc, toolCall } from '../test-support/rig.ts';

const call = (rig: Rig, query = REFERENCE_SQL) =>
  invoke(rig.gateway, rpc('good.analysts', toolCall('execute_sql', { projectId: 'p', query })));

interface Answer {
  result?: { isError?: boolean; content: { text: string }[]; structuredContent?: { rows?: unknown[] } };
  error?: { code: number; message: string };
}

const decisionOf = (rig: Rig, requestId: string) =>
  rig.records().find((r) => r.event.type === 'policy.decision' && r.event.requestId === requestId)?.event as
    | {
        decision: { effect: string; rule: string };
        query: { referencedTables?: unknown; statementType?: string };
      }
    | undefined;

describe('dry runs through the executor (DRY_RUN=executor)', function () {
  this.timeout(10_000);

  it('decides on the facts the executor dry run found, and the decision record holds them', async () => {
    const rig = await createRig({ timeoutMs: 100 });
    const res = await call(rig);
    const body = res.json() as Answer;
    assert.equal(body.result?.structuredContent?.rows?.length, 1, res.body);
    const requestId = res.headers['x-warden-request-id']!;
    const decision = decisionOf(rig, requestId);
    assert.equal(decision?.decision.effect, 'allow');
    assert.equal(decision?.query.statementType, 'SELECT');
    assert.deepEqual(decision?.query.referencedTables, ['p.reference.icd10_codes']);
    // One dry run (the executor's) and one job: the gateway made no dry run of its own.
    assert.equal(rig.ports.warehouse.faults.count('dryRun'), 1);
    assert.equal(rig.ports.warehouse.executed.length, 1);
  });

  it('records the same decision as a gateway dry run does', async () => {
    const facts = async (dryRun: 'executor' | 'gateway') => {
      const rig = await createRig({ timeoutMs: 100, dryRun });
      const res = await call(rig);
      const d = decisionOf(rig, res.headers['x-warden-request-id']!);
      return { decision: d?.decision, query: d?.query };
    };
    assert.deepEqual(await facts('executor'), await facts('gateway'));
  });

  const failures: {
    name: string;
    inject: (rig: Rig) => void;
    expect: RegExp;
    rpc?: boolean;
    /** The executor records the refused grant (execution.refused) under the request's id. */
    refused?: boolean;
  }[] = [
    {
      name: 'the executor is down (HTTP 500 without a typed error)',
      inject: (rig) => {
        rig.executorDeps.verifier = {
          verify: async () => {
            throw new Error('ECONNREFUSED 10.0.0.7:443');
          },
        };
      },
      expect: /dependency is unavailable\. Nothing was run/,
      rpc: true,
    },
    {
      name: 'the executor refuses the gateway as its caller',
      inject: (rig) => {
        rig.executorDeps.invokers = [];
      },
      expect: /^This caller may not invoke the executor\. \(request [0-9a-f-]{36}\)$/,
    },
    {
      name: 'the executor refuses the grant (KMS key it trusts differs)',
      inject: (rig) => {
        rig.executorDeps.grants.kmsKeyVersion = 'other/cryptoKeyVersions/9';
      },
      expect: /^The execution grant is certified by another key\. \(request [0-9a-f-]{36}\)$/,
      refused: true,
    },
    {
      name: 'BigQuery refuses the dry run (access denied)',
      inject: (rig) =>
        void rig.ports.warehouse.faults.fail(
          'dryRun',
          new WardenError('forbidden', 'BigQuery dry run: access denied.'),
        ),
      expect: /^BigQuery dry run: access denied\. \(request [0-9a-f-]{36}\)$/,
    },
    {
      name: 'BigQuery finds the query not valid',
      inject: (rig) =>
        void rig.ports.warehouse.faults.fail(
          'dryRun',
          new WardenError('invalid_argument', 'BigQuery dry run: the query is not valid.'),
        ),
      expect: /^BigQuery dry run: the query is not valid\. \(request [0-9a-f-]{36}\)$/,
    },
    {
      name: 'the dry run hangs in the executor (the hop deadline passes)',
      inject: (rig) => void rig.ports.warehouse.faults.hang('dryRun'),
      expect: /dependency is unavailable\. Nothing was run/,
      rpc: true,
    },
  ];
  for (const c of failures)
    it(`refuses the call when ${c.name}: a deny is recorded and nothing runs`, async () => {
      const rig = await createRig({ timeoutMs: 100 });
      c.inject(rig);
      const res = await call(rig);
      const body = res.json() as Answer;
      if (c.rpc) assert.match(body.error?.message ?? '', c.expect, res.body);
      else {
        assert.equal(body.result?.isError, true, res.body);
        assert.match(body.result?.content[0]?.text ?? '', c.expect);
      }
      assert.doesNotMatch(res.body, /Cholera|A00|ECONNREFUSED|10\.0\.0\.7/);
      assert.equal(rig.ports.warehouse.executed.length, 0, 'no job ran');
      const requestId = res.headers['x-warden-request-id']!;
      const decision = decisionOf(rig, requestId);
      assert.equal(decision?.decision.effect, 'deny');
      assert.equal(decision?.decision.rule, 'dry-run-failed');
      assert.deepEqual(rig.typesFor(requestId), [
        ...(c.refused ? ['execution.refused'] : []),
        'mcp.request',
        'policy.decision',
        'mcp.response',
      ]);
    });
});
