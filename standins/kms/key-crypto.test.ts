import assert from 'node:assert/strict';
import { createHash, createHmac, verify } from 'node:crypto';
import {
  CIPHERTEXT_OVERHEAD,
  envelopeVersion,
  generateP256SecretKey,
  generateSymmetricKey,
  hmacSha256,
  hmacSha256Matches,
  openAesGcm,
  p256PublicKey,
  sealAesGcm,
  signP256Digest,
} from './key-crypto.ts';

const text = (s: string) => new TextEncoder().encode(s);

describe('kms stand-in cryptography', () => {
  describe('AES-256-GCM envelopes', () => {
    const key = generateSymmetricKey();
    const plaintext = text('patient 42');
    const aad = text('tenant-a');
    const sealed = sealAesGcm(key, 7, plaintext, aad);

    it('round-trips plaintext under the same key and AAD', () => {
      assert.deepEqual(openAesGcm(key, sealed, aad), Buffer.from(plaintext));
    });

    it('records the key version in the envelope', () => {
      assert.equal(envelopeVersion(sealed), 7);
      assert.equal(sealed.length, plaintext.length + CIPHERTEXT_OVERHEAD);
    });

    it('uses a fresh IV per encryption', () => {
      assert.notDeepEqual(sealAesGcm(key, 7, plaintext, aad), sealed);
    });

    const failures = [
      { name: 'a different AAD', open: () => openAesGcm(key, sealed, text('tenant-b')) },
      { name: 'a missing AAD', open: () => openAesGcm(key, sealed, new Uint8Array(0)) },
      { name: 'a different key', open: () => openAesGcm(generateSymmetricKey(), sealed, aad) },
      { name: 'a rewritten version', open: () => openAesGcm(key, flip(sealed, 4), aad) },
      { name: 'a flipped IV byte', open: () => openAesGcm(key, flip(sealed, 6), aad) },
      { name: 'a flipped body byte', open: () => openAesGcm(key, flip(sealed, 20), aad) },
      { name: 'a flipped tag byte', open: () => openAesGcm(key, flip(sealed, sealed.length - 1), aad) },
      {
        name: 'a truncated envelope',
        open: () => openAesGcm(key, sealed.subarray(0, CIPHERTEXT_OVERHEAD - 1), aad),
      },
      { name: 'an unknown format marker', open: () => openAesGcm(key, flip(sealed, 0), aad) },
    ];
    for (const c of failures) {
      it(`refuses to open with ${c.name}`, () => assert.equal(c.open(), undefined));
    }

    it('does not read a version out of non-envelopes', () => {
      assert.equal(envelopeVersion(text('short')), undefined);
      assert.equal(envelopeVersion(flip(sealed, 0)), undefined);
    });
  });

  describe('P-256 signatures over prehashed digests', () => {
    const secret = generateP256SecretKey();
    const { pem, der } = p256PublicKey(secret);
    const data = text('audit record 1');
    const signature = signP256Digest(secret, createHash('sha256').update(data).digest());

    it('produces a DER signature that node:crypto verifies as ECDSA-SHA256 over the data', () => {
      assert.equal(signature[0], 0x30);
      assert.equal(verify('sha256', data, pem, signature), true);
    });

    it('does not hash the digest again', () => {
      assert.equal(verify('sha256', createHash('sha256').update(data).digest(), pem, signature), false);
    });

    it('exports the same SubjectPublicKeyInfo as PEM and DER', () => {
      assert.match(pem, /^-----BEGIN PUBLIC KEY-----\n/);
      assert.equal(verify('sha256', data, { key: der, format: 'der', type: 'spki' }, signature), true);
    });

    it('signs nothing that verifies under another key', () => {
      assert.equal(verify('sha256', data, p256PublicKey(generateP256SecretKey()).pem, signature), false);
    });
  });

  describe('HMAC-SHA256', () => {
    const key = generateSymmetricKey();
    const data = text('query hash');
    const mac = hmacSha256(key, data);

    it('matches node:crypto HMAC-SHA256', () => {
      assert.deepEqual(mac, createHmac('sha256', key).update(data).digest());
    });

    const verifications = [
      { name: 'the MAC of the data', mac, data, want: true },
      { name: 'a MAC with one flipped bit', mac: flip(mac, 3), data, want: false },
      { name: 'a truncated MAC', mac: mac.subarray(0, 31), data, want: false },
      { name: 'the MAC of other data', mac, data: text('query hasH'), want: false },
    ];
    for (const c of verifications) {
      it(`verifies ${c.name} as ${c.want}`, () =>
        assert.equal(hmacSha256Matches(key, c.data, c.mac), c.want));
    }
  });
});

function flip(bytes: Uint8Array, index: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[index] = copy[index]! ^ 0x01;
  return copy;
}
