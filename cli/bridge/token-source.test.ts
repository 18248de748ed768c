import assert from 'node:assert/strict';
import { ManualClock } from '../../shared/test-support/memory-ports.ts';
import { testToken } from './test-gateway.ts';
import { TokenCache, type TokenSource, tokenFacts } from './token-source.ts';

const T0 = Date.UTC(2026, 0, 1);

/** Mints t1, t2, … as JWTs expiring `ttlSeconds` after the fake clock's now, or without exp. */
function fakeSource(ttlSeconds: number | undefined, clock: ManualClock) {
  const minted: string[] = [];
  const source: TokenSource = {
    description: 'fake',
    async mint() {
      const n = minted.length + 1;
      const exp = ttlSeconds === undefined ? {} : { exp: Math.floor(clock.millis() / 1000) + ttlSeconds };
      const token = testToken({ sub: `t${n}`, ...exp });
      minted.push(token);
      return token;
    },
  };
  return { source, minted };
}

describe('bridge token cache', () => {
  const reuse = [
    { name: 'reuses a token 61 s before its exp', after: 3600 - 61, mints: 1 },
    { name: 're-mints a token 59 s before its exp', after: 3600 - 59, mints: 2 },
    { name: 're-mints an expired token', after: 3601, mints: 2 },
  ];
  for (const c of reuse) {
    it(c.name, async () => {
      const clock = new ManualClock(T0);
      const { source, minted } = fakeSource(3600, clock);
      const cache = new TokenCache(source, { now: clock.millis });
      const first = await cache.get();
      clock.advance(c.after * 1000);
      const second = await cache.get();
      assert.equal(minted.length, c.mints);
      assert.equal(second, minted.at(-1));
      assert.equal(first === second, c.mints === 1);
    });
  }

  it('shares one mint between concurrent callers', async () => {
    const clock = new ManualClock(T0);
    const { source, minted } = fakeSource(3600, clock);
    const cache = new TokenCache(source, { now: clock.millis });
    const tokens = await Promise.all([cache.get(), cache.get(), cache.get()]);
    assert.equal(minted.length, 1);
    assert.deepEqual(new Set(tokens), new Set(minted));
  });

  it('re-mints after invalidate, but keeps a newer token when an old one is invalidated', async () => {
    const clock = new ManualClock(T0);
    const { source, minted } = fakeSource(3600, clock);
    const cache = new TokenCache(source, { now: clock.millis });
    const first = await cache.get();
    cache.invalidate(first);
    const second = await cache.get();
    cache.invalidate(first);
    assert.equal(await cache.get(), second);
    assert.equal(minted.length, 2);
    assert.notEqual(first, second);
  });

  it('reuses a token without exp until it is invalidated', async () => {
    const clock = new ManualClock(T0);
    const { source, minted } = fakeSource(undefined, clock);
    const cache = new TokenCache(source, { now: clock.millis });
    const first = await cache.get();
    clock.advance(86_400_000);
    assert.equal(await cache.get(), first);
    cache.invalidate(first);
    await cache.get();
    assert.equal(minted.length, 2);
  });

  it('mints again after a failed mint', async () => {
    let calls = 0;
    const cache = new TokenCache({
      description: 'flaky',
      async mint() {
        calls++;
        if (calls === 1) throw new Error('boom');
        return 'opaque-token';
      },
    });
    await assert.rejects(cache.get(), /boom/);
    assert.equal(await cache.get(), 'opaque-token');
    assert.equal(calls, 2);
  });

  it('reports each new token and its facts', async () => {
    const clock = new ManualClock(T0);
    const { source } = fakeSource(3600, clock);
    const seen: { token: string; expiresAt: number | undefined }[] = [];
    const cache = new TokenCache(source, {
      now: clock.millis,
      onToken: (token, facts) => seen.push({ token, expiresAt: facts.expiresAt }),
    });
    const token = await cache.get();
    await cache.get();
    assert.deepEqual(seen, [{ token, expiresAt: T0 + 3_600_000 }]);
  });
});

describe('bridge token facts', () => {
  const cases = [
    {
      name: 'reads exp, a string aud and email',
      token: testToken({ exp: 100, aud: 'https://gw', email: 'a@b.c', sub: 's' }),
      want: { expiresAt: 100_000, audience: ['https://gw'], identity: 'a@b.c' },
    },
    {
      name: 'reads an aud array and falls back to sub',
      token: testToken({ aud: ['x', 'y'], sub: 's' }),
      want: { audience: ['x', 'y'], identity: 's' },
    },
    { name: 'has no facts for a token that is not a JWT', token: 'opaque', want: { audience: [] } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(tokenFacts(c.token), c.want));
});
