// The Firestore adapter against the official Firestore emulator.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Firestore } from '@google-cloud/firestore';
import { FirestoreApprovalStore } from '../shared/adapters/firestore/approval-store.ts';
import { isWardenError } from '../shared/core/errors.ts';
import type { ApprovalRequest } from '../shared/ports/approval-store.ts';
import { theStack } from './harness.ts';

function request(id: string): ApprovalRequest {
  return {
    id,
    state: 'PENDING',
    requester: { subject: 'dev:ann@example.org', issuer: 'http://issuer', email: 'ann@example.org' },
    projectId: 'demo-warden',
    sql: 'SELECT 1',
    sqlSha256: 'a'.repeat(64),
    referencedTables: [{ projectId: 'demo-warden', datasetId: 'clinical', tableId: 'patients' }],
    rule: 'needs-approval',
    policyVersion: 'sha256:x',
    createdAt: new Date('2026-01-01T00:00:00Z'),
    expiresAt: new Date('2026-01-01T01:00:00Z'),
    version: 0,
  };
}

describe('FirestoreApprovalStore (Firestore emulator)', () => {
  let db: Firestore;
  let store: FirestoreApprovalStore;
  before(() => {
    db = new Firestore({ projectId: theStack().info.projectId });
    store = new FirestoreApprovalStore(db, `approvals-${randomUUID()}`);
  });
  after(() => db.terminate());

  it('creates and reads back a request with its dates', async () => {
    const id = randomUUID();
    await store.create(request(id));
    const got = await store.get(id);
    assert.equal(got?.state, 'PENDING');
    assert.deepEqual(got?.expiresAt, new Date('2026-01-01T01:00:00Z'));
    assert.deepEqual(got?.referencedTables, request(id).referencedTables);
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
    assert.equal(got?.rule, `needs-approval${'+'.repeat(8)}`);
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
});
