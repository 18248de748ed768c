// Both KMS adapters against the KMS stand-in: the official client over gRPC (the CLI and dev tools) and the lean
// REST call (the functions), the same round trips and CRC32C checks, on the same keys.

import assert from 'node:assert/strict';
import { createHash, verify } from 'node:crypto';
import { KEYS } from '../dev/stack.ts';
import { createKmsClient } from '../shared/adapters/kms/client.ts';
import { KmsKeyService } from '../shared/adapters/kms/key-service.ts';
import { KmsRestKeyService, kmsRestTarget } from '../shared/adapters/kms/rest.ts';
import { isWardenError } from '../shared/core/errors.ts';
import type { KeyService } from '../shared/ports/key-service.ts';
import { theStack } from './harness.ts';

const adapters: { name: string; open: (endpoint: string) => Promise<KeyService> }[] = [
  {
    name: 'KmsKeyService (official client, gRPC)',
    open: async (e) => new KmsKeyService(await createKmsClient(e)),
  },
  { name: 'KmsRestKeyService (REST)', open: async (e) => new KmsRestKeyService(kmsRestTarget(e)) },
];

for (const adapter of adapters)
  describe(`${adapter.name} (KMS stand-in)`, () => {
    let keys: KeyService;
    before(async () => {
      keys = await adapter.open(theStack().info.endpoints.kms);
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

describe('the two KMS adapters see the same keys', () => {
  it('opens over REST what the official client sealed, and verifies a REST signature with its public key', async () => {
    const grpc = await adapters[0]!.open(theStack().info.endpoints.kms);
    const rest = await adapters[1]!.open(theStack().info.endpoints.kms);
    const sealed = await grpc.encrypt(KEYS.credential, new TextEncoder().encode('shared'));
    assert.equal(new TextDecoder().decode(await rest.decrypt(KEYS.credential, sealed)), 'shared');
    const digest = createHash('sha256').update('x').digest();
    const signature = await rest.signDigest(KEYS.auditSigningVersion, digest);
    const pem = await grpc.getPublicKeyPem(KEYS.auditSigningVersion);
    assert.equal(verify('sha256', new TextEncoder().encode('x'), pem, signature), true);
  });
});
