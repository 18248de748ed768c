import assert from 'node:assert/strict';
import { lazyPort, once } from './lazy.ts';

describe('lazy construction', () => {
  it('creates the port on the first call only, and not at all when unused', async () => {
    let created = 0;
    const make = () =>
      lazyPort(async () => {
        created++;
        return { add: async (a: number, b: number) => a + b };
      });
    make();
    assert.equal(created, 0, 'nothing is created until a method is called');
    const port = make();
    assert.equal(await port.add(1, 2), 3);
    assert.equal(await port.add(2, 3), 5);
    assert.equal(created, 1);
  });

  it('is not a thenable, so awaiting it does not call anything', async () => {
    let created = 0;
    const port = lazyPort(async () => {
      created++;
      return { ping: async () => 'pong' };
    });
    assert.equal(await Promise.resolve(port), port);
    assert.equal(created, 0);
  });

  it('retries a failed creation on the next call', async () => {
    let attempts = 0;
    const get = once(async () => {
      attempts++;
      if (attempts === 1) throw new Error('client library failed to load');
      return 'client';
    });
    await assert.rejects(get(), /failed to load/);
    assert.equal(await get(), 'client');
    assert.equal(await get(), 'client');
    assert.equal(attempts, 2);
  });
});
