// Tests for resumable upload session bookkeeping.

import assert from 'node:assert/strict';
import type { UploadSession } from './resumable-sessions.ts';
import { appendToSession, ResumableSessions, receivedRangeHeader } from './resumable-sessions.ts';

function openSession(declaredSize?: number): UploadSession {
  return new ResumableSessions().open({
    bucket: 'b',
    name: 'o',
    description: { contentType: 'text/plain' },
    claims: [],
    preconditions: {},
    declaredSize,
  });
}

describe('appendToSession', () => {
  it('completes a single open-ended request (bytes 0-*/*) with its body', () => {
    const step = appendToSession(openSession(), { start: 0, isFinal: true }, Buffer.from('all'));
    assert.deepEqual(step, { kind: 'complete', data: Buffer.from('all') });
  });

  it('stays incomplete until the declared total arrives, then joins the chunks', () => {
    const session = openSession();
    assert.deepEqual(appendToSession(session, { start: 0, total: 6, isFinal: false }, Buffer.from('abc')), {
      kind: 'incomplete',
    });
    assert.deepEqual(receivedRangeHeader(session), { range: 'bytes=0-2' });
    const step = appendToSession(session, { start: 3, total: 6, isFinal: true }, Buffer.from('def'));
    assert.deepEqual(step, { kind: 'complete', data: Buffer.from('abcdef') });
  });

  it('skips bytes it already has when a chunk is re-sent', () => {
    const session = openSession();
    appendToSession(session, { start: 0, isFinal: false }, Buffer.from('abc'));
    const step = appendToSession(session, { start: 1, total: 5, isFinal: true }, Buffer.from('bcde'));
    assert.deepEqual(step, { kind: 'complete', data: Buffer.from('abcde') });
  });

  it('answers a status query (bytes */*) without a Range header before any bytes', () => {
    const session = openSession();
    assert.deepEqual(appendToSession(session, { isFinal: false }, Buffer.alloc(0)), { kind: 'incomplete' });
    assert.deepEqual(receivedRangeHeader(session), {});
  });

  it('waits for X-Upload-Content-Length bytes even on an open-ended request', () => {
    const session = openSession(10);
    assert.deepEqual(appendToSession(session, { start: 0, isFinal: true }, Buffer.from('12345')), {
      kind: 'incomplete',
    });
  });

  const refusals = [
    { name: 'a chunk that leaves a gap', start: 5, total: undefined },
    { name: 'more bytes than the declared total', start: 0, total: 2 },
  ];
  for (const { name, start, total } of refusals) {
    it(`rejects ${name} with 400`, () => {
      assert.throws(
        () => appendToSession(openSession(), { start, total, isFinal: true }, Buffer.from('abc')),
        {
          status: 400,
        },
      );
    });
  }
});

describe('ResumableSessions', () => {
  it('finds sessions by their unguessable id until deleted', () => {
    const sessions = new ResumableSessions();
    const session = sessions.open({
      bucket: 'b',
      name: 'o',
      description: { contentType: 'x' },
      claims: [],
      preconditions: {},
    });
    assert.match(session.id, /^[0-9a-f]{32}$/);
    assert.equal(sessions.get(session.id), session);
    sessions.delete(session.id);
    assert.equal(sessions.get(session.id), undefined);
  });
});
