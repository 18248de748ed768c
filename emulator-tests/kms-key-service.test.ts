// The KMS adapter against the KMS stand-in, through the official client: round trips and CRC32C checks.

import assert from 'node:assert/strict';
import { createHash, verify } from 'node:crypto';
import { KEYS } from '../dev/stack.ts';
import { createKmsClient } from '../shared/adapters/clients.ts';
import { KmsKeyService } from '../shared/adapters/kms/key-service.ts';
import { isWardenError } from '../shared/core/errors.ts';
import { theStack } from './harness.ts';

describe('KmsKeyService (KMS stand-in)', () => {
  let keys: KmsKeyService;
  before(async () => {
    keys = new KmsKeyService(await createKmsClient(theStack().info.endpoints.kms));
  });

  it('encrypts and decrypts with authenticated data', async () => {
    const aad = new TextEncoder().encode('purpose');
    const ciphertext = await keys.encrypt(KEYS.credential, new TextEncoder().encode('secret'), aad);
    assert.equal(new TextDecoder().decode(await keys.decrypt(KEYS.credential, ciphertext, aad)), 'secret');
  });

  it('fails closed with an integrity error when the authenticated data differs', async () => {
    const ciphertext = await keys.encrypt(
      KEYS.credential,
      new TextEncoder().encode('secret'),
      new TextEncoder().encode('a'),
    );
    await assert.rejects(keys.decrypt(KEYS.credential, ciphertext, new TextEncoder().encode('b')), (e) =>
      isWardenError(e, 'integrity'),
    );
  });

  it('signs a SHA-256 digest that verifies with the published public key', async () => {
    const data = new TextEncoder().encode('audit certificate');
    const signature = await keys.signDigest(
      KEYS.auditSigningVersion,
      createHash('sha256').update(data).digest(),
    );
    const pem = await keys.getPublicKeyPem(KEYS.auditSigningVersion);
    assert.equal(verify('sha256', data, pem, signature), true);
  });

  it('computes an HMAC-SHA256 with a MAC key: the same for the same data, another for other data', async () => {
    const mac = (s: string) => keys.macSign(KEYS.requestStateVersion, new TextEncoder().encode(s));
    const [a, again, b] = await Promise.all([mac('label'), mac('label'), mac('other')]);
    assert.equal(a.length, 32);
    assert.deepEqual(a, again);
    assert.notDeepEqual(a, b);
  });

  it('reports an unknown key as unavailable (fail closed), not as success', async () => {
    await assert.rejects(keys.encrypt(`${KEYS.credential}-missing`, new Uint8Array([1])), (e) =>
      isWardenError(e, 'unavailable'),
    );
  });
});
