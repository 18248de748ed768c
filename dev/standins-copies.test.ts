// The stand-ins import nothing of Warden, so they keep their own copy of a small helper. These tests keep
// each copy answering as Warden's own does: a KMS or Storage checksum must not drift.

import assert from 'node:assert/strict';
import { crc32c, crc32cBase64 } from '../shared/core/crc32c.ts';
import { crc32c as standinCrc32c, crc32cBase64 as standinCrc32cBase64 } from '../standins/crc32c.ts';

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
});
