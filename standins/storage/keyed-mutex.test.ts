// Tests for per-key serialisation of async work.

import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeyedMutex } from './keyed-mutex.ts';

describe('KeyedMutex', () => {
  it('runs tasks for one key one at a time, in order', async () => {
    const mutex = new KeyedMutex();
    const events: string[] = [];
    const task = (label: string, ms: number) => async () => {
      events.push(`start ${label}`);
      await sleep(ms);
      events.push(`end ${label}`);
    };
    await Promise.all([mutex.run('k', task('a', 20)), mutex.run('k', task('b', 1))]);
    assert.deepEqual(events, ['start a', 'end a', 'start b', 'end b']);
  });

  it('runs tasks for different keys concurrently', async () => {
    const mutex = new KeyedMutex();
    const events: string[] = [];
    const task = (label: string, ms: number) => async () => {
      events.push(`start ${label}`);
      await sleep(ms);
      events.push(`end ${label}`);
    };
    await Promise.all([mutex.run('x', task('a', 20)), mutex.run('y', task('b', 1))]);
    assert.deepEqual(events, ['start a', 'start b', 'end b', 'end a']);
  });

  it('keeps going after a task fails, and reports the failure to its caller', async () => {
    const mutex = new KeyedMutex();
    const failed = mutex.run('k', async () => {
      throw new Error('boom');
    });
    const next = mutex.run('k', async () => 'ran');
    await assert.rejects(failed, /boom/);
    assert.equal(await next, 'ran');
  });
});
