import assert from 'node:assert/strict';
import { isCryptoKeyName, parseKeyName, versionName } from './resource-names.ts';

const KEY = 'projects/p/locations/global/keyRings/r/cryptoKeys/k';

describe('kms resource names', () => {
  const parseCases = [
    { name: KEY, want: { cryptoKey: KEY, versionId: undefined } },
    { name: `${KEY}/cryptoKeyVersions/1`, want: { cryptoKey: KEY, versionId: '1' } },
    { name: `${KEY}/cryptoKeyVersions/abc`, want: { cryptoKey: KEY, versionId: 'abc' } },
    { name: 'projects/p/locations/global/keyRings/r', want: undefined },
    { name: `${KEY}/cryptoKeyVersions/`, want: undefined },
    { name: `${KEY}/extra`, want: undefined },
    { name: `/${KEY}`, want: undefined },
    { name: '', want: undefined },
  ];
  for (const c of parseCases) {
    it(`parses "${c.name}" as ${JSON.stringify(c.want)}`, () =>
      assert.deepEqual(parseKeyName(c.name), c.want));
  }

  const keyNameCases = [
    { name: KEY, want: true },
    { name: `${KEY}/cryptoKeyVersions/1`, want: false },
    { name: 'projects//locations/l/keyRings/r/cryptoKeys/k', want: false },
  ];
  for (const c of keyNameCases) {
    it(`says "${c.name}" ${c.want ? 'is' : 'is not'} a crypto key name`, () =>
      assert.equal(isCryptoKeyName(c.name), c.want));
  }

  it('builds version names under the crypto key', () => {
    assert.equal(versionName(KEY, 3), `${KEY}/cryptoKeyVersions/3`);
  });
});
