import assert from 'node:assert/strict';
import type { KeyManagementServiceClient } from '@google-cloud/kms';
import { crc32c } from '../../core/crc32c.ts';
import { isWardenError } from '../../core/errors.ts';
import { KmsKeyService } from './key-service.ts';

const KEY = 'projects/p/locations/l/keyRings/r/cryptoKeys/k';
const VERSION = `${KEY}/cryptoKeyVersions/1`;
const bytes = (s: string) => new TextEncoder().encode(s);

/** A KMS client double answering with `response` (so tests can corrupt the integrity fields). */
function client(response: Record<string, unknown>): KeyManagementServiceClient {
  const answer = async () => [response];
  return {
    initialize: async () => ({}),
    decrypt: answer,
    encrypt: answer,
    asymmetricSign: answer,
    getPublicKey: answer,
    macSign: answer,
  } as unknown as KeyManagementServiceClient;
}

describe('KmsKeyService integrity checks (the Node client does not make them)', () => {
  const cases: {
    name: string;
    call: (k: KmsKeyService) => Promise<unknown>;
    response: Record<string, unknown>;
  }[] = [
    {
      name: 'a decrypt whose plaintext CRC32C does not match',
      call: (k) => k.decrypt(KEY, bytes('c')),
      response: { plaintext: bytes('secret'), plaintextCrc32c: { value: crc32c(bytes('secret')) + 1 } },
    },
    {
      name: 'a decrypt without a plaintext CRC32C',
      call: (k) => k.decrypt(KEY, bytes('c')),
      response: { plaintext: bytes('secret') },
    },
    {
      name: 'an encrypt KMS did not verify',
      call: (k) => k.encrypt(KEY, bytes('p')),
      response: {
        ciphertext: bytes('c'),
        ciphertextCrc32c: { value: crc32c(bytes('c')) },
        verifiedPlaintextCrc32c: false,
      },
    },
    {
      name: 'an encrypt whose ciphertext CRC32C does not match',
      call: (k) => k.encrypt(KEY, bytes('p')),
      response: { ciphertext: bytes('c'), ciphertextCrc32c: { value: 1 }, verifiedPlaintextCrc32c: true },
    },
    {
      name: 'a signature for another key version',
      call: (k) => k.signDigest(VERSION, new Uint8Array(32)),
      response: {
        signature: bytes('s'),
        signatureCrc32c: { value: crc32c(bytes('s')) },
        verifiedDigestCrc32c: true,
        name: `${KEY}/cryptoKeyVersions/2`,
      },
    },
    {
      name: 'a signature whose CRC32C does not match',
      call: (k) => k.signDigest(VERSION, new Uint8Array(32)),
      response: {
        signature: bytes('s'),
        signatureCrc32c: { value: 7 },
        verifiedDigestCrc32c: true,
        name: VERSION,
      },
    },
    {
      name: 'a MAC KMS did not verify the data of',
      call: (k) => k.macSign(VERSION, bytes('d')),
      response: {
        mac: bytes('m'),
        macCrc32c: { value: crc32c(bytes('m')) },
        verifiedDataCrc32c: false,
        name: VERSION,
      },
    },
    {
      name: 'a MAC whose CRC32C does not match',
      call: (k) => k.macSign(VERSION, bytes('d')),
      response: { mac: bytes('m'), macCrc32c: { value: 3 }, verifiedDataCrc32c: true, name: VERSION },
    },
    {
      name: 'a MAC by another key version',
      call: (k) => k.macSign(VERSION, bytes('d')),
      response: {
        mac: bytes('m'),
        macCrc32c: { value: crc32c(bytes('m')) },
        verifiedDataCrc32c: true,
        name: `${KEY}/cryptoKeyVersions/2`,
      },
    },
    {
      name: 'a public key whose PEM CRC32C does not match',
      call: (k) => k.getPublicKeyPem(VERSION),
      response: { pem: 'PEM', pemCrc32c: { value: 1 }, name: VERSION },
    },
  ];
  for (const c of cases) {
    it(`fails closed on ${c.name}`, async () => {
      await assert.rejects(c.call(new KmsKeyService(client(c.response))), (e) =>
        isWardenError(e, 'integrity'),
      );
    });
  }

  it('accepts a decrypt whose CRC32C matches (string int64 as the client returns it)', async () => {
    const out = await new KmsKeyService(
      client({ plaintext: bytes('secret'), plaintextCrc32c: { value: String(crc32c(bytes('secret'))) } }),
    ).decrypt(KEY, bytes('c'));
    assert.equal(new TextDecoder().decode(out), 'secret');
  });

  it('reports a corrupt ciphertext (INVALID_ARGUMENT) as an integrity failure', async () => {
    const failing = {
      initialize: async () => ({}),
      decrypt: async () =>
        Promise.reject(Object.assign(new Error('3 INVALID_ARGUMENT: Decryption failed'), { code: 3 })),
    } as unknown as KeyManagementServiceClient;
    await assert.rejects(new KmsKeyService(failing).decrypt(KEY, bytes('c')), (e) =>
      isWardenError(e, 'integrity'),
    );
  });

  it('names the key when a call fails', async () => {
    const failing = {
      initialize: async () => ({}),
      encrypt: async () =>
        Promise.reject(Object.assign(new Error('14 UNAVAILABLE: no connection'), { code: 14 })),
    } as unknown as KeyManagementServiceClient;
    await assert.rejects(
      new KmsKeyService(failing).encrypt(KEY, bytes('p')),
      (e) => isWardenError(e, 'unavailable') && e.message === `Cloud KMS Encrypt with ${KEY} failed.`,
    );
  });

  it('fails a call whose client cannot initialize without calling the method (whose detached rethrow would be unhandled)', async () => {
    let called = false;
    const noCredentials = {
      initialize: async () => Promise.reject(new Error('Could not load the default credentials.')),
      asymmetricSign: async () => {
        called = true;
        return [{}];
      },
    } as unknown as KeyManagementServiceClient;
    await assert.rejects(
      new KmsKeyService(noCredentials).signDigest(VERSION, new Uint8Array(32)),
      (e) =>
        isWardenError(e, 'unavailable') &&
        e.message.includes(VERSION) &&
        (e.cause as Error).message === 'Could not load the default credentials.',
    );
    assert.equal(called, false);
  });
});
