// Tests for the seeded generator and weighted picker behind the synthetic dataset.

import assert from 'node:assert/strict';
import { hashSeed, Rng, WeightedPicker } from './prng.ts';

const draw = (rng: Rng, n: number): number[] => Array.from({ length: n }, () => rng.next());

describe('Rng', () => {
  it('produces the same sequence it always has for a given seed', () => {
    assert.deepEqual(
      draw(new Rng('warden'), 3),
      [0.9029296359512955, 0.6177712620701641, 0.9633707494940609],
    );
  });

  it('repeats its sequence for the same seed', () => {
    assert.deepEqual(draw(new Rng('same'), 50), draw(new Rng('same'), 50));
  });

  const distinct = [
    { a: 'seed-a', b: 'seed-b' },
    { a: 1, b: 2 },
    { a: '', b: ' ' },
  ];
  for (const { a, b } of distinct) {
    it(`gives different sequences for seeds ${JSON.stringify(a)} and ${JSON.stringify(b)}`, () => {
      assert.notDeepEqual(draw(new Rng(a), 5), draw(new Rng(b), 5));
    });
  }

  it('treats a number seed as its decimal string', () => {
    assert.deepEqual(draw(new Rng(42), 5), draw(new Rng('42'), 5));
  });

  it('keeps next() within [0, 1)', () => {
    const values = draw(new Rng('range'), 10_000);
    assert.ok(values.every((v) => v >= 0 && v < 1));
  });

  it('reaches both ends of an inclusive int range and nothing outside it', () => {
    const rng = new Rng('ints');
    const seen = new Set(Array.from({ length: 2_000 }, () => rng.int(3, 7)));
    assert.deepEqual([...seen].sort(), [3, 4, 5, 6, 7]);
  });

  it('returns n decimal digits, leading zeros allowed', () => {
    const rng = new Rng('digits');
    const samples = Array.from({ length: 500 }, () => rng.digits(4));
    assert.ok(samples.every((s) => /^\d{4}$/.test(s)));
    assert.ok(samples.some((s) => s.startsWith('0')));
  });

  it('centres normal() on the mean with roughly the requested spread', () => {
    const rng = new Rng('normal');
    const xs = Array.from({ length: 20_000 }, () => rng.normal(10, 2));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    assert.ok(Math.abs(mean - 10) < 0.1, `mean ${mean}`);
    assert.ok(Math.abs(sd - 2) < 0.1, `sd ${sd}`);
  });
});

describe('hashSeed', () => {
  it('hashes different strings to different words', () => {
    assert.notDeepEqual(hashSeed('a'), hashSeed('b'));
  });

  it('returns four unsigned 32-bit words', () => {
    assert.ok(hashSeed('x').every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff));
  });
});

describe('WeightedPicker', () => {
  it('picks in proportion to weight', () => {
    const picker = new WeightedPicker(['rare', 'common'], (x) => (x === 'rare' ? 1 : 3));
    const rng = new Rng('weights');
    let rare = 0;
    for (let i = 0; i < 20_000; i++) if (picker.pick(rng) === 'rare') rare++;
    assert.ok(Math.abs(rare / 20_000 - 0.25) < 0.02, `rare share ${rare / 20_000}`);
  });

  it('never picks a zero-weight item', () => {
    const picker = new WeightedPicker(['never', 'always', 'never-either'], (x) => (x === 'always' ? 1 : 0));
    const rng = new Rng('zero');
    for (let i = 0; i < 1_000; i++) assert.equal(picker.pick(rng), 'always');
  });

  it('refuses an empty list', () => {
    assert.throws(() => new WeightedPicker([], () => 1), RangeError);
  });
});
