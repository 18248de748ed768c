// The Firestore elicitation store against the official Firestore emulator: a question is answered once, only by
// its caller and before its expiry; the waiting side hears the answer through its listener and takes it.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Firestore } from '@google-cloud/firestore';
import { FirestoreElicitationStore } from '../shared/adapters/firestore/elicitation-store.ts';
import type { PendingQuestion } from '../shared/ports/elicitation-store.ts';
import { theStack } from './harness.ts';

const question = (expiresAt: Date): PendingQuestion => ({
  id: `warden-elicit-${randomUUID()}`,
  caller: 'caller-hash',
  tool: 'execute_sql',
  call: 'call-hash',
  askedIn: 'request-1',
  expiresAt,
});

describe('FirestoreElicitationStore (Firestore emulator)', () => {
  let db: Firestore;
  let store: FirestoreElicitationStore;
  before(() => {
    db = new Firestore({ projectId: theStack().info.projectId });
    store = new FirestoreElicitationStore(db, 5000, `elicitations-${randomUUID()}`);
  });
  after(() => db.terminate());

  it('wakes the waiter on the answer, answers once and only for its caller, and is gone once taken', async () => {
    const now = new Date();
    const q = question(new Date(now.getTime() + 60_000));
    await store.ask(q);
    const started = Date.now();
    const waited = store.waitForAnswer(q.id, new Date(Date.now() + 30_000));
    assert.equal(await store.answer(q.id, 'someone-else', { action: 'accept', reason: 'x' }, now), false);
    assert.equal(
      await store.answer(q.id, q.caller, { action: 'accept', reason: 'quarterly audit' }, now),
      true,
    );
    assert.equal(await store.answer(q.id, q.caller, { action: 'decline' }, now), false, 'answered once');
    await waited;
    assert.ok(Date.now() - started < 10_000, 'woken by the listener, not the deadline');
    const taken = await store.take(q.id);
    assert.deepEqual(taken, { ...q, answer: { action: 'accept', reason: 'quarterly audit' } });
    assert.equal(await store.take(q.id), undefined);
    assert.equal(await store.answer(q.id, q.caller, { action: 'accept', reason: 'again' }, now), false);
  });

  it('refuses an answer after the expiry, and the wait ends at its deadline', async () => {
    const q = question(new Date(Date.now() + 60_000));
    await store.ask(q);
    const late = new Date(q.expiresAt.getTime() + 1);
    assert.equal(await store.answer(q.id, q.caller, { action: 'accept', reason: 'late' }, late), false);
    const started = Date.now();
    await store.waitForAnswer(q.id, new Date(Date.now() + 300));
    assert.ok(Date.now() - started < 5000);
    assert.equal((await store.take(q.id))?.answer, undefined);
  });
});
