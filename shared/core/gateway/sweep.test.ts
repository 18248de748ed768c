import assert from 'node:assert/strict';
import { ManualClock, MemoryApprovals, MemoryBus, MemoryResults } from '../../test-support/memory-ports.ts';
import { approved, executing, pending } from '../approval/test-fixtures.ts';
import type { AuditEvent } from '../audit/record.ts';
import { sweepApprovals } from './approvals.ts';

function setup(now: string) {
  const store = new MemoryApprovals();
  const bus = new MemoryBus();
  const events: AuditEvent[] = [];
  const deps = {
    store,
    results: new MemoryResults(),
    bus,
    audit: {
      append: async (e: AuditEvent) => {
        events.push(e);
        return { stream: 's', seq: events.length, hash: '', object: '' };
      },
    },
    clock: new ManualClock(now),
    topics: { requested: 'approval-requested', decided: 'approval-decided' },
  };
  return { deps, store, bus, events };
}

describe('sweepApprovals', () => {
  it('expires PENDING requests past their expiry, records and announces it, and leaves the rest', async () => {
    const { deps, store, bus, events } = setup('2026-01-01T03:00:00.000Z'); // fixtures expire at 02:00
    await store.create(pending({ id: 'old' }));
    await store.create(pending({ id: 'fresh', now: new Date('2026-01-01T02:30:00.000Z') }));
    await store.create({ ...approved(), id: 'approved' }); // approved at 00:10, expired by 03:00
    const out = await sweepApprovals(deps, { limit: 100, stuckAfterMs: 3_600_000, actor: 'warden-sweeper' });
    assert.deepEqual(out, { expired: ['old'], failed: [], reannounced: [] });
    assert.equal((await store.get('old'))?.state, 'EXPIRED');
    assert.equal((await store.get('fresh'))?.state, 'PENDING');
    assert.equal((await store.get('approved'))?.state, 'APPROVED');
    assert.deepEqual(
      events.map((e) => [e.type, e.requestId, (e['actor'] as { service: string }).service]),
      [['approval.expired', 'old', 'warden-sweeper']],
    );
    assert.deepEqual(
      bus.published.map((p) => [p.topic, p.message.attributes]),
      [['approval-decided', { requestId: 'old', state: 'EXPIRED' }]],
    );
  });

  it('fails executions stuck past the deadline, and only those', async () => {
    const { deps, store, events } = setup('2026-01-01T01:30:00.000Z'); // claimed at 00:20
    await store.create({ ...executing(), id: 'stuck' });
    const out = await sweepApprovals(deps, {
      limit: 100,
      stuckAfterMs: 60 * 60_000,
      actor: 'warden-sweeper',
    });
    assert.deepEqual(out, { expired: [], failed: ['stuck'], reannounced: [] });
    const after = await store.get('stuck');
    assert.equal(after?.state, 'FAILED');
    assert.equal(after?.execution.error?.kind, 'deadline_exceeded');
    assert.equal(events[0]?.type, 'approval.failed');
    const again = await sweepApprovals(deps, {
      limit: 100,
      stuckAfterMs: 60 * 60_000,
      actor: 'warden-sweeper',
    });
    assert.deepEqual(
      again,
      { expired: [], failed: [], reannounced: [] },
      'a second sweep finds nothing to do',
    );
  });

  it('does not fail an execution still within its deadline', async () => {
    const { deps, store } = setup('2026-01-01T00:50:00.000Z');
    await store.create({ ...executing(), id: 'running' });
    const out = await sweepApprovals(deps, {
      limit: 100,
      stuckAfterMs: 60 * 60_000,
      actor: 'warden-sweeper',
    });
    assert.deepEqual(out.failed, []);
    assert.equal((await store.get('running'))?.state, 'EXECUTING');
  });

  it('announces an unclaimed APPROVED request again (its first publish may have been lost), and no sooner', async () => {
    const { deps, store, bus, events } = setup('2026-01-01T00:12:00.000Z'); // approved at 00:10
    await store.create({ ...approved(), id: 'waiting' });
    const early = await sweepApprovals(deps, {
      limit: 100,
      stuckAfterMs: 3_600_000,
      actor: 'warden-sweeper',
    });
    assert.deepEqual(early.reannounced, [], 'within the grace period');
    deps.clock.advance(10 * 60_000);
    const late = await sweepApprovals(deps, { limit: 100, stuckAfterMs: 3_600_000, actor: 'warden-sweeper' });
    assert.deepEqual(late.reannounced, ['waiting']);
    assert.deepEqual(
      bus.published.map((p) => [p.topic, p.message.attributes]),
      [['approval-decided', { requestId: 'waiting', state: 'APPROVED' }]],
    );
    assert.equal((await store.get('waiting'))?.state, 'APPROVED', 'no state change');
    assert.equal(events.length, 0);
  });
});
