// KeyService on Cloud KMS (official @google-cloud/kms client), with Warden's own CRC32C checks, which the
// Node client does not do (https://cloud.google.com/kms/docs/data-integrity-guidelines).

import type { KeyManagementServiceClient } from '@google-cloud/kms';
import { crc32c } from '../../core/crc32c.ts';
import { WardenError } from '../../core/errors.ts';
import type { KeyService } from '../../ports/key-service.ts';

type Int64Value = { value?: number | string | { toString(): string } | null } | null | undefined;

/** Cloud KMS, fail closed: any transport, service or integrity failure is a WardenError. */
export class KmsKeyService implements KeyService {
  readonly #client: KeyManagementServiceClient;
  constructor(client: KeyManagementServiceClient) {
    this.#client = client;
  }

  async encrypt(keyName: string, plaintext: Uint8Array, aad?: Uint8Array): Promise<Uint8Array> {
    const [res] = await call(this.#client, 'Encrypt', keyName, () =>
      this.#client.encrypt({
        name: keyName,
        plaintext,
        plaintextCrc32c: { value: crc32c(plaintext) },
        ...(aad
          ? { additionalAuthenticatedData: aad, additionalAuthenticatedDataCrc32c: { value: crc32c(aad) } }
          : {}),
      }),
    );
    const ciphertext = bytes(res.ciphertext);
    ensure(res.verifiedPlaintextCrc32c === true, 'Encrypt: KMS did not verify the plaintext checksum');
    ensure(
      !aad || res.verifiedAdditionalAuthenticatedDataCrc32c === true,
      'Encrypt: KMS did not verify the AAD checksum',
    );
    ensure(matches(res.ciphertextCrc32c, ciphertext), 'Encrypt: ciphertext checksum mismatch');
    return ciphertext;
  }

  async decrypt(keyName: string, ciphertext: Uint8Array, aad?: Uint8Array): Promise<Uint8Array> {
    const [res] = await call(this.#client, 'Decrypt', keyName, () =>
      this.#client.decrypt({
        name: keyName,
        ciphertext,
        ciphertextCrc32c: { value: crc32c(ciphertext) },
        ...(aad
          ? { additionalAuthenticatedData: aad, additionalAuthenticatedDataCrc32c: { value: crc32c(aad) } }
          : {}),
      }),
    );
    const plaintext = bytes(res.plaintext);
    ensure(matches(res.plaintextCrc32c, plaintext), 'Decrypt: plaintext checksum mismatch');
    return plaintext;
  }

  async signDigest(keyVersionName: string, sha256Digest: Uint8Array): Promise<Uint8Array> {
    const [res] = await call(this.#client, 'AsymmetricSign', keyVersionName, () =>
      this.#client.asymmetricSign({
        name: keyVersionName,
        digest: { sha256: sha256Digest },
        digestCrc32c: { value: crc32c(sha256Digest) },
      }),
    );
    const signature = bytes(res.signature);
    ensure(res.verifiedDigestCrc32c === true, 'AsymmetricSign: KMS did not verify the digest checksum');
    ensure(res.name === keyVersionName, 'AsymmetricSign: KMS answered for another key version');
    ensure(matches(res.signatureCrc32c, signature), 'AsymmetricSign: signature checksum mismatch');
    return signature;
  }

  async getPublicKeyPem(keyVersionName: string): Promise<string> {
    const [res] = await call(this.#client, 'GetPublicKey', keyVersionName, () =>
      this.#client.getPublicKey({ name: keyVersionName }),
    );
    const pem = res.pem ?? '';
    ensure(res.name === keyVersionName, 'GetPublicKey: KMS answered for another key version');
    ensure(matches(res.pemCrc32c, new TextEncoder().encode(pem)), 'GetPublicKey: PEM checksum mismatch');
    return pem;
  }

  async macSign(keyVersionName: string, data: Uint8Array): Promise<Uint8Array> {
    const [res] = await call(this.#client, 'MacSign', keyVersionName, () =>
      this.#client.macSign({ name: keyVersionName, data, dataCrc32c: { value: crc32c(data) } }),
    );
    const mac = bytes(res.mac);
    ensure(res.verifiedDataCrc32c === true, 'MacSign: KMS did not verify the data checksum');
    ensure(res.name === keyVersionName, 'MacSign: KMS answered for another key version');
    ensure(matches(res.macCrc32c, mac), 'MacSign: MAC checksum mismatch');
    return mac;
  }
}

async function call<T>(
  client: KeyManagementServiceClient,
  method: string,
  name: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    // The generated client's methods also start initialize() on a detached promise that rethrows its failure
    // (no credentials, say): an unhandled rejection, which ends a Node process. Initialized here first, a
    // failure rejects this call alone and the method is never reached.
    await client.initialize();
    return await fn();
  } catch (err) {
    // gRPC INVALID_ARGUMENT on Decrypt: the ciphertext is corrupt, or was sealed with another key or AAD.
    if (method === 'Decrypt' && (err as { code?: unknown }).code === 3) {
      throw new WardenError(
        'integrity',
        `Cloud KMS could not decrypt the ciphertext with ${name}: it is corrupt or was sealed with another key.`,
        { cause: err },
      );
    }
    throw new WardenError('unavailable', `Cloud KMS ${method} with ${name} failed.`, { cause: err });
  }
}

function ensure(ok: boolean, message: string): void {
  if (!ok) throw new WardenError('integrity', message);
}

function bytes(value: Uint8Array | string | null | undefined): Uint8Array {
  if (value == null) return new Uint8Array(0);
  return typeof value === 'string' ? Buffer.from(value, 'base64') : value;
}

function matches(expected: Int64Value, data: Uint8Array): boolean {
  return expected?.value != null && Number(expected.value.toString()) === crc32c(data);
}
