// The stand-ins import nothing of Warden, so they keep their own copies of two small helpers. These tests keep
// each copy answering as Warden's own does: a KMS or Storage checksum and a seeded latency draw must not drift.

import assert from 'node:assert/strict';
import { crc32c, crc32cBase64 } from '../shared/core/crc32c.ts';
import { crc32c as standinCrc32c, crc32cBase64 as standinCrc32cBase64 } from '../standins/crc32c.ts';
import { Rng as StandinRng, hashSeed as standinHashSeed } from '../standins/prng.ts';
import { hashSeed, Rng } from './synthetic/prng.ts';

describe("the stand-ins' copies of Warden helpers", () => {
  it('standins/crc32c.ts computes what shared/core/crc32c.ts does', () => {
    const inputs = [
      '',
      'a',
      '123456789',
      'The quick brown fox jumps over the lazy dog',
      '\u00e9\u4e2d\ud83d\ude00',
    ];
    for (const text of inputs) {
      const bytes = new TextEncoder().encode(text);
      assert.equal(standinCrc32c(bytes), crc32c(bytes), text);
      assert.equal(standinCrc32cBase64(bytes), crc32cBase64(bytes), text);
    }
    // RFC 3720 B.4's check value for the 9 ASCII digits.
    assert.equal(standinCrc32c(new TextEncoder().encode('123456789')), 0xe3069283);
  });

  it('standins/prng.ts draws the sequence dev/synthetic/prng.ts draws for the same seed', () => {
    for (const seed of ['warden', 'warden:storage.write', 42]) {
      assert.deepEqual(standinHashSeed(String(seed)), hashSeed(String(seed)));
      const a = new StandinRng(seed);
      const b = new Rng(seed);
      for (let i = 0; i < 1000; i++) assert.equal(a.next(), b.next());
      assert.equal(a.int(1, 6), b.int(1, 6));
      assert.equal(a.normal(10, 2), b.normal(10, 2));
    }
  });
});
