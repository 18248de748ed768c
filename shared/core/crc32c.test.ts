import assert from 'node:assert/strict';
import { crc32c, crc32cBase64 } from './crc32c.ts';

describe('crc32c', () => {
  const cases = [
    // RFC 3720 appendix B.4 test vectors.
    { name: '32 bytes of zeros', input: new Uint8Array(32), want: 0x8a9136aa },
    { name: '32 bytes of 0xff', input: new Uint8Array(32).fill(0xff), want: 0x62a8ab43 },
    { name: 'ascending 0..31', input: Uint8Array.from({ length: 32 }, (_, i) => i), want: 0x46dd794e },
    { name: 'the check string', input: new TextEncoder().encode('123456789'), want: 0xe3069283 },
    { name: 'empty input', input: new Uint8Array(0), want: 0 },
  ];
  for (const c of cases) {
    it(`computes the CRC32C of ${c.name}`, () => assert.equal(crc32c(c.input), c.want));
  }
  it('encodes big-endian base64 as Cloud Storage does', () => {
    assert.equal(
      crc32cBase64(new TextEncoder().encode('123456789')),
      Buffer.from([0xe3, 0x06, 0x92, 0x83]).toString('base64'),
    );
  });
});
