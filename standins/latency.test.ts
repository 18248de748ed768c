import assert from 'node:assert/strict';
import {
  LatencyModel,
  logNormalAt,
  logNormalParameters,
  parseLatencyProfile,
  RecordingLatency,
  standardNormal,
  waitFor,
  Z99,
} from './latency.ts';
import { Rng } from './prng.ts';
import { SpyLatency } from './spy-latency.ts';

const WRITE = { p50Ms: 70, p99Ms: 300 };

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * xs.length)]!;

describe('latency model', () => {
  it('puts the log-normal median at p50 and its 99th percentile at p99', () => {
    const { mu, sigma } = logNormalParameters(WRITE);
    assert.ok(Math.abs(Math.exp(mu) - 70) < 1e-9);
    assert.ok(Math.abs(Math.exp(mu + Z99 * sigma) - 300) < 1e-9);
    assert.ok(Math.abs(logNormalAt(WRITE, 0) - 70) < 1e-9);
    assert.ok(Math.abs(logNormalAt(WRITE, Z99) - 300) < 1e-9);
  });

  it('draws standard normal deviates with mean 0 and spread 1', () => {
    const rng = new Rng('normal');
    const xs = Array.from({ length: 50_000 }, () => standardNormal(() => rng.next()));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    assert.ok(Math.abs(mean) < 0.02, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 0.03, `variance ${variance}`);
  });

  it('samples delays whose p50 and p99 match the profile', () => {
    const model = new LatencyModel({ 'storage.write': WRITE }, 'quantiles');
    const xs = Array.from({ length: 50_000 }, () => model.delayMs('storage.write'));
    assert.ok(Math.abs(quantile(xs, 0.5) - 70) < 3, `p50 ${quantile(xs, 0.5)}`);
    assert.ok(Math.abs(quantile(xs, 0.99) - 300) < 30, `p99 ${quantile(xs, 0.99)}`);
    assert.ok(xs.every((x) => x > 0));
  });

  it('gives the same delays for the same seed, and other delays for another seed', () => {
    const draw = (seed: string) => {
      const model = new LatencyModel({ a: WRITE }, seed);
      return Array.from({ length: 5 }, () => model.delayMs('a'));
    };
    assert.deepEqual(draw('s1'), draw('s1'));
    assert.notDeepEqual(draw('s1'), draw('s2'));
  });

  it("keeps each kind's sequence independent of calls of other kinds", () => {
    const profile = { a: WRITE, b: { p50Ms: 10, p99Ms: 40 } };
    const alone = new LatencyModel(profile, 'seed');
    const mixed = new LatencyModel(profile, 'seed');
    const a1 = [alone.delayMs('a'), alone.delayMs('a'), alone.delayMs('a')];
    const a2 = [
      mixed.delayMs('a'),
      mixed.delayMs('b'),
      mixed.delayMs('a'),
      mixed.delayMs('b'),
      mixed.delayMs('a'),
    ];
    assert.deepEqual(a1, [a2[0], a2[2], a2[4]]);
  });

  it('waits nothing for a kind the profile does not list, or one modelled as 0', () => {
    const model = new LatencyModel({ zero: { p50Ms: 0, p99Ms: 0 } });
    assert.equal(model.delayMs('unknown'), 0);
    assert.equal(model.delayMs('zero'), 0);
  });

  it('resolves a wait at once without a model or when the call has already taken its delay', async () => {
    await waitFor(undefined, 'storage.write');
    const spy = new SpyLatency(5);
    await waitFor(spy, 'storage.write', performance.now() - 1000);
    assert.deepEqual(spy.kinds, ['storage.write']);
  });

  it('sums the delays it gave, kind by kind', () => {
    const recording = new RecordingLatency(new SpyLatency(7));
    recording.delayMs('bigquery.query');
    recording.delayMs('bigquery.query');
    recording.delayMs('storage.write');
    assert.equal(recording.totalMs('bigquery.query'), 14);
    assert.equal(recording.totalMs('storage.write'), 7);
    assert.equal(recording.totalMs('run.hop'), 0);
  });

  const invalid = [
    { name: 'rejects text that is not JSON', text: '{', error: /not JSON/ },
    { name: 'rejects an array', text: '[]', error: /expected an object/ },
    { name: 'rejects a kind without numbers', text: '{"a": {"p50Ms": "1"}}', error: /a needs numbers/ },
    {
      name: 'rejects a p99 below the p50',
      text: '{"a": {"p50Ms": 10, "p99Ms": 5}}',
      error: /below its p50Ms/,
    },
    { name: 'rejects a negative p50', text: '{"a": {"p50Ms": -1, "p99Ms": 5}}', error: /≥ 0/ },
    {
      name: 'rejects a zero p50 with a p99',
      text: '{"a": {"p50Ms": 0, "p99Ms": 5}}',
      error: /must be 0 too/,
    },
  ];
  for (const c of invalid) it(c.name, () => assert.throws(() => parseLatencyProfile(c.text), c.error));

  it('parses a valid profile', () => {
    assert.deepEqual(parseLatencyProfile('{"storage.write": {"p50Ms": 70, "p99Ms": 300}}'), {
      'storage.write': WRITE,
    });
  });

  it('refuses a profile with a bad figure when the model is built', () => {
    assert.throws(() => new LatencyModel({ a: { p50Ms: 10, p99Ms: 1 } }), /below its p50Ms/);
  });
});
