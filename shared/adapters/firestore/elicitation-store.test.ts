// The answer transaction when the client retries it after a commit whose outcome it could not learn: the commit
// applied, so the retry must read back this call's answer (true), not take it for someone else's (false).

import assert from 'node:assert/strict';
import type { Firestore } from '@google-cloud/firestore';
import { FirestoreElicitationStore } from './elicitation-store.ts';

type Doc = Record<string, unknown>;

/** A Firestore whose runTransaction applies the first attempt's writes, then runs the function again. */
function retryingAfterAppliedCommit(docs: Map<string, Doc>): Firestore {
  const ref = (path: string) => ({
    path,
    create: async (d: Doc) => void docs.set(path, { ...d }),
  });
  const attempt = async (fn: (tx: unknown) => Promise<unknown>) => {
    const writes: [string, Doc][] = [];
    const tx = {
      get: async (r: { path: string }) => ({ data: () => docs.get(r.path) && { ...docs.get(r.path) } }),
      update: (r: { path: string }, d: Doc) => writes.push([r.path, d]),
      delete: () => {},
    };
    const out = await fn(tx);
    for (const [path, d] of writes) docs.set(path, { ...docs.get(path), ...d });
    return out;
  };
  return {
    collection: (c: string) => ({ doc: (id: string) => ref(`${c}/${id}`) }),
    runTransaction: async (fn: (tx: unknown) => Promise<unknown>) => {
      await attempt(fn); // committed, but the client heard UNAVAILABLE and retries
      return attempt(fn);
    },
  } as unknown as Firestore;
}

describe('FirestoreElicitationStore.answer under a retried transaction', () => {
  const question = {
    id: 'warden-elicit-1',
    caller: 'caller-hash',
    tool: 'execute_sql',
    call: 'call-hash',
    askedIn: 'request-1',
    expiresAt: new Date(Date.now() + 60_000),
  };

  it('reports its own applied commit as answered, and a second answer as refused', async () => {
    const docs = new Map<string, Doc>();
    const store = new FirestoreElicitationStore(retryingAfterAppliedCommit(docs), 5000, 'q');
    await store.ask(question);
    const now = new Date();
    assert.equal(
      await store.answer(question.id, question.caller, { action: 'accept', reason: 'audit' }, now),
      true,
    );
    assert.equal(await store.answer(question.id, question.caller, { action: 'decline' }, now), false);
    const [stored] = [...docs.values()];
    assert.deepEqual(stored?.answer, { action: 'accept', reason: 'audit' });
  });
});
