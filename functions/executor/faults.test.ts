// Faults on the approval path (docs/reliability.md): Firestore unavailable, hanging or contended, Pub/Sub
// redelivering at volume, approvals racing, the result store or the audit trail failing after a claim. The
// approved query runs at most once, never unaudited, and its rows reach no one when anything fails.

import assert from 'node:assert/strict';
import type { CloudEvent } from '@google-cloud/functions-framework';
import { approvalBindingSha256 } from '../../shared/core/approval/approval.ts';
import { WardenError } from '../../shared/core/errors.ts';
import type { ApprovalRequest } from '../../shared/ports/approval-store.ts';
import { invoke } from '../../shared/test-support/fake-http.ts';
import { createRig, PHI_SQL, type Rig, rpc, toolCall } from '../test-support/rig.ts';
import { createApprovedHandler } from './events.ts';

/** Short in `npm test`; WARDEN_STRESS=1 (npm run test:stress) raises the counts. */
const STRESS = process.env['WARDEN_STRESS'] === '1';
const APPROVERS = STRESS ? 1000 : 200;
const DELIVERIES = STRESS ? 5000 : 500;

async function park(rig: Rig): Promise<string> {
  const res = await invoke(
    rig.gateway,
    rpc('good.analysts', toolCall('execute_sql', { projectId: 'p', query: PHI_SQL, reason: 'study' })),
  );
  const out = (res.json() as { result: { structuredContent: { requestId: string; state: string } } }).result
    .structuredContent;
  assert.equal(out.state, 'PENDING');
  return out.requestId;
}

/** The binding an approver of the request is shown (and names when approving). */
async function bindingOf(rig: Rig, id: string): Promise<string> {
  const res = await invoke(rig.gateway, {
    method: 'GET',
    path: `/approvals/${id}`,
    headers: { host: 'warden.example', authorization: 'Bearer good.privacy-office' },
  });
  return String((res.json() as { bindingSha256?: string }).bindingSha256);
}

async function approve(rig: Rig, id: string, approver = 'good.privacy-office') {
  return invoke(rig.gateway, {
    method: 'POST',
    path: `/approvals/${id}:approve`,
    headers: {
      host: 'warden.example',
      'content-type': 'application/json',
      authorization: `Bearer ${approver}`,
    },
    body: { reason: 'IRB 2026-114', binding: await bindingOf(rig, id) },
  });
}

/** One Pub/Sub push delivery of approval-decided. */
const delivery = (requestId: string) =>
  ({ data: { message: { attributes: { requestId, state: 'APPROVED' } } } }) as unknown as CloudEvent<unknown>;

function approvedHandler(rig: Rig) {
  return createApprovedHandler({ ...rig.executorDeps, log: () => {} });
}

const count = (rig: Rig, id: string, type: string) => rig.typesFor(id).filter((t) => t === type).length;

describe('faults on the approval path', function () {
  this.timeout(30_000);

  it(`lets ${APPROVERS} concurrent approvals make exactly one decision and one announcement`, async () => {
    const rig = await createRig({ timeoutMs: 2000 });
    const id = await park(rig);
    const answers = await Promise.all(
      Array.from({ length: APPROVERS }, (_, i) => approve(rig, id, `good.privacy-office+approver-${i}`)),
    );
    const statuses = answers.map((a) => a.status);
    assert.equal(statuses.filter((s) => s === 200).length, 1);
    assert.ok(
      statuses.every((s) => s === 200 || s === 409),
      JSON.stringify([...new Set(statuses)]),
    );
    assert.equal(count(rig, id, 'approval.approved'), 1);
    assert.equal(rig.ports.bus.published.filter((p) => p.topic === 'approval-decided').length, 1);
  });

  it(`runs an approved query once across ${DELIVERIES} concurrent redeliveries`, async () => {
    const rig = await createRig({ timeoutMs: 2000 });
    const id = await park(rig);
    assert.equal((await approve(rig, id)).status, 200);
    const handle = approvedHandler(rig);
    const outcomes = await Promise.all(Array.from({ length: DELIVERIES }, () => handle(delivery(id))));
    assert.equal(outcomes.filter((o) => o === 'ran').length, 1);
    assert.equal(outcomes.filter((o) => o === 'skipped').length, DELIVERIES - 1);
    assert.equal(rig.ports.warehouse.executed.length, 1);
    assert.equal(count(rig, id, 'query.start'), 1);
    assert.equal(count(rig, id, 'approval.succeeded'), 1);
  });

  // The approval binds everything it governs, signed by the gateway: a write to the stored document (anyone
  // with Firestore access) that changes what was approved makes the approval or the execution refuse.
  const tamperings: { name: string; change: (r: ApprovalRequest) => void }[] = [
    {
      name: 'the masking profile changed',
      change: (r) => {
        r.decision.maskingProfile = r.decision.maskingProfile === 'none' ? 'safe-harbor' : 'none';
      },
    },
    {
      name: 'the SQL swapped',
      change: (r) => {
        r.sql = 'SELECT ssn FROM `p.clinical.patients`';
      },
    },
    {
      name: 'the row limit raised',
      change: (r) => {
        r.decision.rowLimit = 1_000_000;
      },
    },
  ];
  for (const t of tamperings) {
    it(`refuses to approve once ${t.name} in the store: the binding the approver saw no longer holds`, async () => {
      const rig = await createRig({ timeoutMs: 2000 });
      const id = await park(rig);
      const seen = await bindingOf(rig, id);
      const doc = (rig.ports.store as unknown as { docs: Map<string, ApprovalRequest> }).docs.get(id)!;
      t.change(doc);
      doc.bindingSha256 = approvalBindingSha256(doc);
      const res = await invoke(rig.gateway, {
        method: 'POST',
        path: `/approvals/${id}:approve`,
        headers: {
          host: 'warden.example',
          'content-type': 'application/json',
          authorization: 'Bearer good.privacy-office',
        },
        body: { reason: 'IRB 2026-114', binding: seen },
      });
      assert.equal(res.status, 409, JSON.stringify(res.json()));
      assert.equal((await rig.ports.store.get(id))?.state, 'PENDING');
    });

    it(`refuses to run an approved request after ${t.name} in the store, even with the hash recomputed`, async () => {
      const rig = await createRig({ timeoutMs: 2000 });
      const id = await park(rig);
      assert.equal((await approve(rig, id)).status, 200);
      const doc = (rig.ports.store as unknown as { docs: Map<string, ApprovalRequest> }).docs.get(id)!;
      t.change(doc);
      doc.bindingSha256 = approvalBindingSha256(doc);
      assert.equal(await approvedHandler(rig)(delivery(id)), 'failed');
      const after = await rig.ports.store.get(id);
      assert.equal(after?.state, 'FAILED');
      assert.match(String(after?.execution.error?.message), /binding does not verify/);
      assert.equal(rig.ports.warehouse.executed.length, 0, 'nothing ran');
      assert.equal(count(rig, id, 'query.start'), 0);
    });
  }

  it('refuses to approve with a binding other than the request’s, and a review on behalf of someone', async () => {
    const rig = await createRig({ timeoutMs: 2000 });
    const id = await park(rig);
    const post = (headers: Record<string, string>, binding: string) =>
      invoke(rig.gateway, {
        method: 'POST',
        path: `/approvals/${id}:approve`,
        headers: { host: 'warden.example', 'content-type': 'application/json', ...headers },
        body: { reason: 'IRB 2026-114', binding },
      });
    assert.equal((await post({ authorization: 'Bearer good.privacy-office' }, '0'.repeat(64))).status, 409);
    const missing = await invoke(rig.gateway, {
      method: 'POST',
      path: `/approvals/${id}:approve`,
      headers: {
        host: 'warden.example',
        'content-type': 'application/json',
        authorization: 'Bearer good.privacy-office',
      },
      body: { reason: 'IRB 2026-114' },
    });
    assert.equal(missing.status, 400);
    assert.equal((await rig.ports.store.get(id))?.state, 'PENDING');
  });

  it('answers an approval 503 when Firestore is unavailable or contended, and records no decision', async () => {
    for (const fault of [
      (r: Rig) =>
        r.ports.store.faults.fail('update', new WardenError('unavailable', 'Firestore is unavailable.')),
      // A transaction that keeps aborting under contention surfaces as unavailable from the adapter.
      (r: Rig) => r.ports.store.faults.fail('update', new Error('10 ABORTED: too much contention')),
      (r: Rig) => r.ports.store.faults.hang('update'),
    ]) {
      const rig = await createRig({ timeoutMs: 100 });
      const id = await park(rig);
      fault(rig);
      const res = await approve(rig, id);
      assert.ok(res.status >= 500, `status ${res.status}`);
      assert.doesNotMatch(res.body, /ABORTED|contention|\.ts:\d+/);
      assert.equal(count(rig, id, 'approval.approved'), 0);
      assert.equal(rig.ports.bus.published.filter((p) => p.topic === 'approval-decided').length, 0);
      rig.ports.store.faults.clear();
      assert.equal((await rig.ports.store.get(id))?.state, 'PENDING', 'the request waits for a retry');
    }
  });

  it('asks Pub/Sub to redeliver when Firestore fails at the claim, and runs once when it recovers', async () => {
    for (const inject of [
      (r: Rig) =>
        r.ports.store.faults.fail('update', new WardenError('unavailable', 'Firestore is unavailable.'), {
          times: 1,
        }),
      (r: Rig) => r.ports.store.faults.hang('update', { times: 1 }),
    ]) {
      const rig = await createRig({ timeoutMs: 100 });
      const id = await park(rig);
      assert.equal((await approve(rig, id)).status, 200);
      inject(rig);
      const handle = approvedHandler(rig);
      await assert.rejects(handle(delivery(id)), (err: WardenError) => err.kind === 'unavailable');
      assert.equal(rig.ports.warehouse.executed.length, 0);
      assert.equal(await handle(delivery(id)), 'ran');
      assert.equal(rig.ports.warehouse.executed.length, 1);
      assert.equal(count(rig, id, 'query.start'), 1);
    }
  });

  it('records FAILED and stores no result when the result store fails after the query ran', async () => {
    const rig = await createRig({ timeoutMs: 100 });
    const id = await park(rig);
    assert.equal((await approve(rig, id)).status, 200);
    rig.ports.results.faults.fail('put', new WardenError('unavailable', 'Firestore is unavailable.'));
    assert.equal(await approvedHandler(rig)(delivery(id)), 'failed');
    assert.equal(rig.ports.results.docs.size, 0);
    assert.equal((await rig.ports.store.get(id))?.state, 'FAILED');
    assert.equal(count(rig, id, 'approval.failed'), 1);
    const fetched = await invoke(
      rig.gateway,
      rpc('good.analysts', toolCall('get_query_result', { requestId: id })),
    );
    assert.doesNotMatch(fetched.body, /"rows"/);
  });

  it('records FAILED with query.end when KMS cannot decrypt the credential on the approved path', async () => {
    const rig = await createRig({ timeoutMs: 100 });
    const id = await park(rig);
    assert.equal((await approve(rig, id)).status, 200);
    rig.ports.keys.faults.fail('decrypt', new WardenError('unavailable', 'Cloud KMS Decrypt failed.'));
    assert.equal(await approvedHandler(rig)(delivery(id)), 'failed');
    assert.equal(rig.ports.warehouse.executed.length, 0);
    assert.deepEqual(
      rig.typesFor(id).filter((t) => /^(query|approval)\./.test(t)),
      [
        'approval.requested',
        'approval.approved',
        'approval.claimed',
        'query.start',
        'query.end',
        'approval.failed',
      ],
    );
  });

  it('runs nothing when the claim cannot be audited, and never runs it on redelivery', async () => {
    const rig = await createRig({ timeoutMs: 100 });
    const id = await park(rig);
    assert.equal((await approve(rig, id)).status, 200);
    rig.ports.sink.faults.fail('create', undefined, { times: 1 });
    const handle = approvedHandler(rig);
    await assert.rejects(handle(delivery(id)));
    assert.equal(await handle(delivery(id)), 'skipped', 'the claim stands: a redelivery runs nothing');
    assert.equal(rig.ports.warehouse.executed.length, 0);
    assert.equal(count(rig, id, 'query.start'), 0);
    assert.equal((await rig.ports.store.get(id))?.state, 'EXECUTING');
  });

  it('leaves an approved request unannounced (and unrun) when Pub/Sub fails to publish the decision', async () => {
    const rig = await createRig({ timeoutMs: 100 });
    const id = await park(rig);
    rig.ports.bus.faults.fail('publish', new WardenError('unavailable', 'Pub/Sub publish failed.'));
    const res = await approve(rig, id);
    assert.equal(res.status, 503);
    assert.equal(count(rig, id, 'approval.approved'), 1, 'the decision itself is recorded');
    assert.equal((await rig.ports.store.get(id))?.state, 'APPROVED');
    assert.equal(rig.ports.warehouse.executed.length, 0);
  });
});
