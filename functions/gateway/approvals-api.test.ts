// The approvals API's break-glass review endpoints: who may review, self-review refused, unknown uses, the
// review recorded durably in the trail before anything is stored or answered (fail closed).

import assert from 'node:assert/strict';
import type { Request, Response } from '@google-cloud/functions-framework';
import { AuditLog } from '../../shared/core/audit/audit-log.ts';
import { isRecordObject } from '../../shared/core/audit/layout.ts';
import type { AuditEvent } from '../../shared/core/audit/record.ts';
import { parse } from '../../shared/core/audit/schema.ts';
import { TableCatalog } from '../../shared/core/classification/table-catalog.ts';
import { recordBreakGlassUse } from '../../shared/core/gateway/break-glass.ts';
import { sqlFactsFor } from '../../shared/core/gateway/sql-facts.ts';
import type { Principal } from '../../shared/core/identity/principal.ts';
import { evaluatePolicy, loadPolicy } from '../../shared/core/policy/policy.ts';
import { invoke } from '../../shared/test-support/fake-http.ts';
import { FakeWarehouse } from '../../shared/test-support/fake-warehouse.ts';
import {
  ManualClock,
  MemoryApprovals,
  MemoryBus,
  MemoryKeys,
  MemoryResults,
  MemorySink,
} from '../../shared/test-support/memory-ports.ts';
import { type ApprovalsApiDeps, handleApprovalsApi } from './approvals-api.ts';

const POLICY = loadPolicy(`
version: 1
rules:
  - id: er-break-glass
    effect: break_glass
    when: { groups: [er-physicians], tools: [execute_sql], statementTypes: [SELECT] }
  - id: analysts-phi-with-approval
    effect: require_approval
    when: { groups: [analysts], tools: [execute_sql], statementTypes: [SELECT] }
    approval: { groups: [privacy-office], quorum: 1, ttl: 4h }
`);

const person = (name: string, groups: string[]): Principal => ({
  subject: `u-${name}`,
  issuer: 'https://idp',
  email: `${name}@example.org`,
  groups,
  actorChain: [],
});
const doctor = person('dana', ['er-physicians']);
const officer = person('olga', ['privacy-office']);
const auditor = person('aldo', ['compliance']);
// A privacy officer who is also an ER physician, and used break-glass herself.
const both = person('bea', ['er-physicians', 'privacy-office']);

function setup(options: { reviewers?: string[] } = {}) {
  const sink = new MemorySink();
  const clock = new ManualClock('2026-12-07T10:00:00.000Z');
  const log = new AuditLog({
    sink,
    keys: new MemoryKeys(),
    clock,
    kmsKeyVersion: 'k/cryptoKeyVersions/1',
    writer: 'gateway',
  });
  let failReviews = false;
  const audit = {
    append: (event: AuditEvent) =>
      failReviews && event.type === 'breakglass.reviewed'
        ? Promise.reject(new Error('injected audit failure'))
        : log.append(event),
  };
  const store = new MemoryApprovals();
  const warehouse = new FakeWarehouse();
  const deps: ApprovalsApiDeps = {
    approvals: {
      store,
      results: new MemoryResults(),
      bus: new MemoryBus(),
      audit,
      signer: log,
      clock,
      topics: { requested: 'r', decided: 'd' },
    },
    audit,
    metadata: warehouse,
    runner: { run: async () => assert.fail('nothing runs'), job: async () => assert.fail('nothing runs') },
    policy: POLICY,
    catalog: new TableCatalog({ metadata: warehouse, config: POLICY.classification, clock }),
    analyzeSql: sqlFactsFor,
    clock,
    log: () => {},
    ...(options.reviewers ? { breakGlassReviewers: options.reviewers } : {}),
  };
  const use = async (requestId: string, by: Principal) => {
    const decision = evaluatePolicy(POLICY, {
      principal: by,
      tool: 'execute_sql',
      projectId: 'p',
      query: { statementType: 'SELECT', referencedTables: [], totalBytesProcessed: '0' },
      classification: [],
      now: clock.now(),
      request: { breakGlass: true, reason: 'patient unconscious in ER' },
    } as unknown as Parameters<typeof evaluatePolicy>[1]);
    assert.equal(decision.effect, 'break_glass');
    await recordBreakGlassUse(
      { store, clock },
      { requestId, principal: by, projectId: 'p', reason: 'patient unconscious in ER' },
      decision,
    );
  };
  const call = (who: Principal, method: string, path: string, body?: unknown) =>
    invoke(
      async (req: Request, res: Response) => {
        (req as unknown as { query: Record<string, string> }).query = Object.fromEntries(
          new URL(path, 'https://warden.example').searchParams,
        );
        await handleApprovalsApi(deps, req, res, `api-${Math.random()}`, who);
        await log.settle();
      },
      { method, path, ...(body !== undefined ? { body } : {}) },
    );
  const reviews = () =>
    [...sink.objects.entries()]
      .filter(([name]) => isRecordObject(name))
      .flatMap(([, d]) => new TextDecoder().decode(d).trim().split('\n').filter(Boolean))
      .map((l) => parse(l).event)
      .filter((e) => e.type === 'breakglass.reviewed');
  return {
    store,
    clock,
    use,
    call,
    reviews,
    failReviews: (on: boolean) => {
      failReviews = on;
    },
  };
}

describe('approvals API: break-glass review', () => {
  it('records a review by a member of an approver group in the trail, then shows the use reviewed', async () => {
    const t = setup();
    await t.use('bg-1', doctor);
    const res = await t.call(officer, 'POST', '/approvals/break-glass/bg-1:review', {
      outcome: 'appropriate',
      note: 'ER log confirms the patient, MRN 4471923, arrived unconscious',
    });
    assert.equal(res.status, 200, res.body);
    const view = res.json() as {
      status: string;
      review: { reviewer: string; outcome: string; note: string; at: string };
    };
    assert.equal(view.status, 'reviewed');
    assert.equal(view.review.reviewer, 'olga@example.org');
    assert.equal(view.review.outcome, 'appropriate');
    assert.equal(view.review.at, '2026-12-07T10:00:00.000Z');
    const [event, ...more] = t.reviews();
    assert.equal(more.length, 0);
    assert.equal(event?.requestId, 'bg-1');
    assert.equal(event?.type === 'breakglass.reviewed' && event.outcome, 'appropriate');
    assert.equal(event?.type === 'breakglass.reviewed' && event.reviewer?.email, 'olga@example.org');
    assert.equal(event?.type === 'breakglass.reviewed' && event.user?.email, 'dana@example.org');
    assert.equal(event?.type === 'breakglass.reviewed' && event.rule, 'er-break-glass');
    // The note is untrusted text: its identifiers are masked before the trail (or the store) keeps it.
    const note = event?.type === 'breakglass.reviewed' ? (event.note ?? '') : '';
    assert.doesNotMatch(note, /4471923/);
    assert.doesNotMatch(view.review.note, /4471923/);
  });

  it('lists pending uses, and a reviewed one no longer among them', async () => {
    const t = setup();
    await t.use('bg-1', doctor);
    t.clock.advance(1000);
    await t.use('bg-2', doctor);
    const pending = async () =>
      (
        (await t.call(officer, 'GET', '/approvals/break-glass')).json() as { uses: { requestId: string }[] }
      ).uses.map((u) => u.requestId);
    assert.deepEqual(await pending(), ['bg-2', 'bg-1']);
    assert.equal(
      (await t.call(officer, 'POST', '/approvals/break-glass/bg-1:review', { outcome: 'inappropriate' }))
        .status,
      200,
    );
    assert.deepEqual(await pending(), ['bg-2']);
    const reviewed = (await t.call(officer, 'GET', '/approvals/break-glass?state=reviewed')).json() as {
      uses: { requestId: string; review: { outcome: string } }[];
    };
    assert.deepEqual(
      reviewed.uses.map((u) => [u.requestId, u.review.outcome]),
      [['bg-1', 'inappropriate']],
    );
  });

  it('refuses reviewers outside the reviewer groups, before looking the use up', async () => {
    const t = setup();
    await t.use('bg-1', doctor);
    for (const path of ['/approvals/break-glass/bg-1:review', '/approvals/break-glass/no-such:review']) {
      const res = await t.call(auditor, 'POST', path, { outcome: 'appropriate' });
      assert.equal(res.status, 403, path);
      assert.match((res.json() as { error: { message: string } }).error.message, /privacy-office/);
    }
    assert.equal((await t.call(doctor, 'GET', '/approvals/break-glass')).status, 403);
    assert.equal(t.reviews().length, 0);
  });

  it('takes BREAK_GLASS_REVIEWER_GROUPS instead of the approver groups when configured', async () => {
    const t = setup({ reviewers: ['compliance'] });
    await t.use('bg-1', doctor);
    assert.equal(
      (await t.call(officer, 'POST', '/approvals/break-glass/bg-1:review', { outcome: 'appropriate' }))
        .status,
      403,
    );
    assert.equal(
      (await t.call(auditor, 'POST', '/approvals/break-glass/bg-1:review', { outcome: 'appropriate' }))
        .status,
      200,
    );
  });

  it('refuses a review of your own break-glass use', async () => {
    const t = setup();
    await t.use('bg-own', both);
    const res = await t.call(both, 'POST', '/approvals/break-glass/bg-own:review', {
      outcome: 'appropriate',
    });
    assert.equal(res.status, 403);
    assert.match((res.json() as { error: { message: string } }).error.message, /your own break-glass use/);
    assert.equal(t.reviews().length, 0);
    assert.equal((await t.store.getBreakGlass('bg-own'))?.review, undefined);
  });

  it('answers 404 for a request id that is no break-glass use', async () => {
    const t = setup();
    const res = await t.call(officer, 'POST', '/approvals/break-glass/not-a-use:review', {
      outcome: 'appropriate',
    });
    assert.equal(res.status, 404);
    assert.equal((await t.call(officer, 'GET', '/approvals/break-glass/not-a-use')).status, 404);
    assert.equal(t.reviews().length, 0);
  });

  it('refuses an outcome other than appropriate or inappropriate, and a note over 2,000 characters', async () => {
    const t = setup();
    await t.use('bg-1', doctor);
    for (const body of [
      { outcome: 'fine' },
      {},
      { outcome: 'appropriate', note: 'x'.repeat(2001) },
      { outcome: 'appropriate', extra: 1 },
    ])
      assert.equal(
        (await t.call(officer, 'POST', '/approvals/break-glass/bg-1:review', body)).status,
        400,
        JSON.stringify(body).slice(0, 40),
      );
    assert.equal(t.reviews().length, 0);
  });

  it('fails closed when the review cannot be recorded: an error, and the use stays pending', async () => {
    const t = setup();
    await t.use('bg-1', doctor);
    t.failReviews(true);
    const res = await t.call(officer, 'POST', '/approvals/break-glass/bg-1:review', {
      outcome: 'appropriate',
    });
    assert.equal(res.status, 503);
    assert.equal((await t.store.getBreakGlass('bg-1'))?.review, undefined);
    assert.equal(t.reviews().length, 0);
    const pending = (await t.call(officer, 'GET', '/approvals/break-glass')).json() as { uses: unknown[] };
    assert.equal(pending.uses.length, 1);
  });

  it('lets a later review supersede an earlier one, both kept in the trail', async () => {
    const t = setup();
    await t.use('bg-1', doctor);
    await t.call(officer, 'POST', '/approvals/break-glass/bg-1:review', { outcome: 'appropriate' });
    t.clock.advance(60_000);
    const res = await t.call(officer, 'POST', '/approvals/break-glass/bg-1:review', {
      outcome: 'inappropriate',
      note: 'chart shows the patient was conscious',
    });
    const view = res.json() as { review: { outcome: string; count: number; at: string } };
    assert.deepEqual(
      [view.review.outcome, view.review.count, view.review.at],
      ['inappropriate', 2, '2026-12-07T10:01:00.000Z'],
    );
    assert.deepEqual(
      t.reviews().map((e) => e.type === 'breakglass.reviewed' && e.outcome),
      ['appropriate', 'inappropriate'],
    );
  });
});
