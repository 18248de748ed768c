import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { crc32c } from '../crc32c.ts';
import { checksumOf, verifyChecksum } from './integrity.ts';
import { KmsRpcError } from './rpc-error.ts';

const DATA = new TextEncoder().encode('123456789'); // CRC32C 0xe3069283 = 3808858755

describe('kms integrity checksums', () => {
  const verified = [
    { name: 'no wrapper', supplied: undefined, want: false },
    { name: 'a null wrapper', supplied: null, want: false },
    { name: 'a matching decimal string', supplied: { value: '3808858755' }, want: true },
    { name: 'a matching number', supplied: { value: 3808858755 }, want: true },
  ];
  for (const c of verified) {
    it(`reports verified=${c.want} for ${c.name}`, () => {
      assert.equal(verifyChecksum('data_crc32c', 'data', DATA, c.supplied), c.want);
    });
  }

  const mismatches = [
    { name: 'an off-by-one value', supplied: { value: '3808858754' } },
    { name: 'the signed 32-bit reading of the value', supplied: { value: String(3808858755 - 2 ** 32) } },
    { name: 'an empty wrapper (value 0) over non-empty data', supplied: {} },
  ];
  for (const c of mismatches) {
    it(`rejects ${c.name} with INVALID_ARGUMENT naming both fields`, () => {
      assert.throws(
        () => verifyChecksum('data_crc32c', 'data', DATA, c.supplied),
        (err: unknown) =>
          err instanceof KmsRpcError &&
          err.code === status.INVALID_ARGUMENT &&
          err.message === 'The checksum in field data_crc32c did not match the data in field data.',
      );
    });
  }

  it('accepts an empty wrapper over empty data, whose CRC32C is 0', () => {
    assert.equal(verifyChecksum('data_crc32c', 'data', new Uint8Array(0), {}), true);
  });

  it('renders response checksums as unsigned decimal strings', () => {
    assert.deepEqual(checksumOf(DATA), { value: String(crc32c(DATA)) });
    assert.equal(checksumOf(DATA).value, '3808858755');
  });
});
