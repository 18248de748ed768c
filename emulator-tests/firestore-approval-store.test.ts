// The Firestore adapters against the official Firestore emulator: approval requests (transactions, nested
// dates) and stored results.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Firestore } from '@google-cloud/firestore';
import { FirestoreApprovalStore, FirestoreResultStore } from '../shared/adapters/firestore/approval-store.ts';
import { nextApprovalState } from '../shared/core/approval/approval.ts';
import { bob, pending, T0 } from '../shared/core/approval/test-fixtures.ts';
import { isWardenError } from '../shared/core/errors.ts';
import type { ApprovalRequest } from '../shared/ports/approval-store.ts';
import { theStack } from './harness.ts';

// Parked under its own id, so its binding (which covers the id) holds.
const request = (id: string): ApprovalRequest => pending({ id });

describe('FirestoreApprovalStore (Firestore emulator)', () => {
  let db: Firestore;
  let store: FirestoreApprovalStore;
  before(() => {
    db = new Firestore({ projectId: theStack().info.projectId });
    store = new FirestoreApprovalStore(db, `approvals-${randomUUID()}`);
  });
  after(() => db.terminate());

  it('lists oldest first for the sweep, and the sweep persists expiries in Firestore', async () => {
    const { sweepApprovals } = await import('../shared/core/gateway/approvals.ts');
    const { ManualClock, MemoryBus, MemoryResults } = await import('../shared/test-support/memory-ports.ts');
    const sweepStore = new FirestoreApprovalStore(db, `approvals-${randomUUID()}`);
    await sweepStore.create(request('older'));
    await sweepStore.create({ ...request('newer'), createdAt: new Date(T0.getTime() + 60_000) });
    const oldest = await sweepStore.list({ state: 'PENDING', limit: 1, oldestFirst: true });
    assert.deepEqual(
      oldest.map((r) => r.id),
      ['older'],
    );
    const types: string[] = [];
    const out = await sweepApprovals(
      {
        store: sweepStore,
        results: new MemoryResults(),
        bus: new MemoryBus(),
        audit: {
          append: async (e) => {
            types.push(e.type);
            return { stream: 's', seq: types.length, hash: '', object: '' };
          },
        },
        clock: new ManualClock(new Date(T0.getTime() + 3 * 3_600_000).toISOString()),
        topics: { requested: 'approval-requested', decided: 'approval-decided' },
      },
      { limit: 10, stuckAfterMs: 3_600_000, actor: 'warden-sweeper' },
    );
    assert.deepEqual(out.expired.sort(), ['newer', 'older']);
    assert.equal((await sweepStore.get('older'))?.state, 'EXPIRED');
    assert.deepEqual(types, ['approval.expired', 'approval.expired']);
  });

  it('round-trips a request exactly, dates included', async () => {
    const id = randomUUID();
    await store.create(request(id));
    assert.deepEqual(await store.get(id), request(id));
  });

  it('keeps nested dates (reviews) as dates through a transactional update', async () => {
    const id = randomUUID();
    await store.create(request(id));
    const { before, after } = await store.update(id, (r) =>
      nextApprovalState(r, { type: 'review', reviewer: bob, decision: 'approve', reason: 'ok' }, T0),
    );
    assert.equal(before.state, 'PENDING');
    assert.equal(after.state, 'APPROVED');
    const got = await store.get(id);
    assert.ok(got?.reviews[0]?.at instanceof Date);
    assert.equal(got?.version, 1);
  });

  it('refuses to create a request id twice', async () => {
    const id = randomUUID();
    await store.create(request(id));
    await assert.rejects(store.create(request(id)), (e) => isWardenError(e, 'conflict'));
  });

  it('answers undefined for an unknown id', async () =>
    assert.equal(await store.get(randomUUID()), undefined));

  it('applies concurrent transactional updates without losing one', async () => {
    const id = randomUUID();
    await store.create(request(id));
    await Promise.all(
      Array.from({ length: 8 }, () => store.update(id, (r) => ({ ...r, rule: `${r.rule}+` }))),
    );
    const got = await store.get(id);
    assert.equal(got?.version, 8);
    assert.equal(got?.rule, `${request(id).rule}${'+'.repeat(8)}`);
  });

  it('aborts an update whose function throws, leaving the document unchanged', async () => {
    const id = randomUUID();
    await store.create(request(id));
    await assert.rejects(
      store.update(id, () => {
        throw new Error('illegal transition');
      }),
    );
    assert.equal((await store.get(id))?.version, 0);
  });

  it('reports a missing document as not_found', async () => {
    await assert.rejects(
      store.update(randomUUID(), (r) => r),
      (e) => isWardenError(e, 'not_found'),
    );
  });

  it('lists requests in one state, newest first', async () => {
    const s = new FirestoreApprovalStore(db, `approvals-${randomUUID()}`);
    const a = { ...request('a'), createdAt: new Date('2026-01-01T00:00:00Z') };
    const b = { ...request('b'), createdAt: new Date('2026-01-02T00:00:00Z') };
    const c = { ...request('c'), state: 'DENIED' as const };
    for (const r of [a, b, c]) await s.create(r);
    assert.deepEqual(
      (await s.list({ state: 'PENDING', limit: 10 })).map((r) => r.id),
      ['b', 'a'],
    );
  });
});

describe('FirestoreResultStore (Firestore emulator)', () => {
  it('keeps a masked result with exact values for the requester', async () => {
    const db = new Firestore({ projectId: theStack().info.projectId });
    const results = new FirestoreResultStore(db, `results-${randomUUID()}`);
    const stored = {
      requestId: 'r1',
      jobId: 'j1',
      schema: [{ name: 'n', type: 'INTEGER' }],
      rows: [{ n: '9007199254740993' }],
      truncated: false,
      expiresAt: T0,
    };
    assert.match(await results.put(stored), /^firestore:\/\//);
    assert.deepEqual(await results.get('r1'), stored);
    await db.terminate();
  });
});
