// Break-glass uses are stored for review before they run (fail closed), and who reviews them.

import assert from 'node:assert/strict';
import { FakeWarehouse } from '../../test-support/fake-warehouse.ts';
import { faulty } from '../../test-support/faulty.ts';
import {
  ManualClock,
  MemoryApprovals,
  MemoryBus,
  MemoryKeys,
  MemoryResults,
  MemorySink,
} from '../../test-support/memory-ports.ts';
import { AuditLog } from '../audit/audit-log.ts';
import { TableCatalog } from '../classification/table-catalog.ts';
import { WardenError } from '../errors.ts';
import { loadPolicy } from '../policy/policy.ts';
import { breakGlassReviewerGroups } from './break-glass.ts';
import { executeSql } from './execute-sql.ts';
import { sqlFactsFor } from './sql-facts.ts';

const POLICY = loadPolicy(`
version: 1
rules:
  - id: er-break-glass
    effect: break_glass
    when: { groups: [er-physicians], tools: [execute_sql], statementTypes: [SELECT] }
  - id: analysts-with-approval
    effect: require_approval
    when: { groups: [analysts], tools: [execute_sql] }
    approval: { groups: [privacy-office, compliance], quorum: 1, ttl: 4h }
`);

function setup() {
  const clock = new ManualClock('2026-12-07T10:00:00.000Z');
  const audit = new AuditLog({
    sink: new MemorySink(),
    keys: new MemoryKeys(),
    clock,
    kmsKeyVersion: 'k/cryptoKeyVersions/1',
    writer: 'gateway',
  });
  const store = faulty(new MemoryApprovals());
  const warehouse = new FakeWarehouse();
  let ran = 0;
  const deps = {
    approvals: {
      store,
      results: new MemoryResults(),
      bus: new MemoryBus(),
      audit,
      signer: audit,
      clock,
      topics: { requested: 'r', decided: 'd' },
    },
    audit,
    metadata: warehouse,
    runner: {
      run: async () => {
        ran++;
        return { jobId: 'j', schema: [], rows: [], truncated: false } as never;
      },
      job: async () => assert.fail('no job'),
    },
    policy: POLICY,
    catalog: new TableCatalog({ metadata: warehouse, config: POLICY.classification, clock }),
    analyzeSql: sqlFactsFor,
    clock,
  };
  const call = (dryRun = false) =>
    executeSql(deps, {
      requestId: 'bg-1',
      principal: {
        subject: 'u-ed',
        issuer: 'https://idp',
        email: 'ed@example.org',
        groups: ['er-physicians'],
        actorChain: [],
      },
      projectId: 'p',
      query: 'SELECT code FROM `p.reference.icd10_codes`',
      breakGlass: true,
      reason: 'unconscious patient, MRN 4471923',
      dryRun,
    });
  return { store, call, ran: () => ran };
}

describe('break-glass uses', () => {
  it('stores a use for its review before it runs, with the reason as recorded', async () => {
    const t = setup();
    const out = await t.call();
    assert.equal(out.kind, 'rows');
    assert.equal(t.ran(), 1);
    const use = await t.store.getBreakGlass('bg-1');
    assert.deepEqual(
      [use?.user.email, use?.rule, use?.at.toISOString(), use?.review],
      ['ed@example.org', 'er-break-glass', '2026-12-07T10:00:00.000Z', undefined],
    );
    assert.doesNotMatch(use?.reason ?? '', /4471923/);
  });

  it('runs nothing when the use cannot be stored for review (fail closed)', async () => {
    const t = setup();
    t.store.faults.fail('recordBreakGlass');
    await assert.rejects(
      t.call(),
      (err: unknown) => err instanceof WardenError && err.kind === 'unavailable',
    );
    assert.equal(t.ran(), 0);
  });

  it('stores nothing for a dry run: no data was accessed', async () => {
    const t = setup();
    assert.equal((await t.call(true)).kind, 'dry_run');
    assert.equal(await t.store.getBreakGlass('bg-1'), undefined);
  });

  it('lets the configured reviewer groups review, else every approver group of the policy', () => {
    assert.deepEqual(breakGlassReviewerGroups(POLICY), ['privacy-office', 'compliance']);
    assert.deepEqual(breakGlassReviewerGroups(POLICY, ['privacy-office']), ['privacy-office']);
    assert.deepEqual(breakGlassReviewerGroups(POLICY, []), ['privacy-office', 'compliance']);
  });
});
