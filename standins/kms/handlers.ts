// The KMS stand-in's RPC logic: decoded request in, response object out, KmsRpcError on failure.

import type { protos } from '@google-cloud/kms';
import { checksumOf, type Int64Wrapper, verifyChecksum } from './integrity.ts';
import {
  envelopeVersion,
  hmacSha256,
  hmacSha256Matches,
  openAesGcm,
  p256PublicKey,
  sealAesGcm,
  signP256Digest,
} from './key-crypto.ts';
import type { KeyPurpose, KeyVersion, ManagedKey } from './key-store.ts';
import { parseKeyName } from './resource-names.ts';
import { failedPrecondition, invalidArgument, notFound } from './rpc-error.ts';

// Responses, typed by the official client's message interfaces so field names are checked.
type EncryptResponse = protos.google.cloud.kms.v1.IEncryptResponse;
type DecryptResponse = protos.google.cloud.kms.v1.IDecryptResponse;
type AsymmetricSignResponse = protos.google.cloud.kms.v1.IAsymmetricSignResponse;
type PublicKey = protos.google.cloud.kms.v1.IPublicKey;
type MacSignResponse = protos.google.cloud.kms.v1.IMacSignResponse;
type MacVerifyResponse = protos.google.cloud.kms.v1.IMacVerifyResponse;
type CryptoKey = protos.google.cloud.kms.v1.ICryptoKey;
type CryptoKeyVersion = protos.google.cloud.kms.v1.ICryptoKeyVersion;

/** The RPCs the stand-in implements, by their proto method names. */
export const KMS_METHODS = [
  'Encrypt',
  'Decrypt',
  'AsymmetricSign',
  'GetPublicKey',
  'MacSign',
  'MacVerify',
  'GetCryptoKey',
  'GetCryptoKeyVersion',
] as const;

/** One of {@link KMS_METHODS}. */
export type KmsMethod = (typeof KMS_METHODS)[number];

/** A handler per method, taking the request as proto-loader decoded it. */
export type KmsHandlers = Record<KmsMethod, (request: unknown) => object>;

/** Cloud KMS caps plaintext, AAD and MAC input at 64 KiB. */
const MAX_INPUT_BYTES = 64 * 1024;
const SOFTWARE = 'SOFTWARE' as const;
const BAD_CIPHERTEXT = 'Decryption failed: the ciphertext is invalid.';

// Requests as @grpc/proto-loader decodes them (camelCase, bytes as Buffer, int64 as string).
type Bytes = Buffer | null | undefined;
type Crc = Int64Wrapper | null | undefined;
interface NameRequest {
  name?: string;
}
interface EncryptRequest extends NameRequest {
  plaintext?: Bytes;
  additionalAuthenticatedData?: Bytes;
  plaintextCrc32c?: Crc;
  additionalAuthenticatedDataCrc32c?: Crc;
}
interface DecryptRequest extends NameRequest {
  ciphertext?: Bytes;
  additionalAuthenticatedData?: Bytes;
  ciphertextCrc32c?: Crc;
  additionalAuthenticatedDataCrc32c?: Crc;
}
interface AsymmetricSignRequest extends NameRequest {
  digest?: { sha256?: Bytes; sha384?: Bytes; sha512?: Bytes; digest?: string } | null;
  digestCrc32c?: Crc;
  data?: Bytes;
  dataCrc32c?: Crc;
}
interface GetPublicKeyRequest extends NameRequest {
  publicKeyFormat?: string;
}
interface MacSignRequest extends NameRequest {
  data?: Bytes;
  dataCrc32c?: Crc;
}
interface MacVerifyRequest extends MacSignRequest {
  mac?: Bytes;
  macCrc32c?: Crc;
}

/** Builds the handlers over the declared keys (crypto key name → key). */
export function createKmsHandlers(keys: ReadonlyMap<string, ManagedKey>): KmsHandlers {
  return {
    Encrypt: (r) => encrypt(keys, r as EncryptRequest),
    Decrypt: (r) => decrypt(keys, r as DecryptRequest),
    AsymmetricSign: (r) => asymmetricSign(keys, r as AsymmetricSignRequest),
    GetPublicKey: (r) => getPublicKey(keys, r as GetPublicKeyRequest),
    MacSign: (r) => macSign(keys, r as MacSignRequest),
    MacVerify: (r) => macVerify(keys, r as MacVerifyRequest),
    GetCryptoKey: (r) => getCryptoKey(keys, r as NameRequest),
    GetCryptoKeyVersion: (r) => getCryptoKeyVersion(keys, r as NameRequest),
  };
}

function encrypt(keys: ReadonlyMap<string, ManagedKey>, req: EncryptRequest): EncryptResponse {
  const { key, version } = resolve(keys, req.name, 'key-or-version');
  requirePurpose(key, 'ENCRYPT_DECRYPT');
  const plaintext = bytes(req.plaintext);
  const aad = bytes(req.additionalAuthenticatedData);
  requireSize('plaintext', plaintext);
  requireSize('additional_authenticated_data', aad);
  const verifiedPlaintext = verifyChecksum('plaintext_crc32c', 'plaintext', plaintext, req.plaintextCrc32c);
  const verifiedAad = verifyChecksum(
    'additional_authenticated_data_crc32c',
    'additional_authenticated_data',
    aad,
    req.additionalAuthenticatedDataCrc32c,
  );
  const used = version ?? primaryOf(key);
  const ciphertext = sealAesGcm(used.material, used.version, plaintext, aad);
  return {
    name: used.name,
    ciphertext,
    ciphertextCrc32c: checksumOf(ciphertext),
    verifiedPlaintextCrc32c: verifiedPlaintext,
    verifiedAdditionalAuthenticatedDataCrc32c: verifiedAad,
    protectionLevel: SOFTWARE,
  };
}

function decrypt(keys: ReadonlyMap<string, ManagedKey>, req: DecryptRequest): DecryptResponse {
  const { key } = resolve(keys, req.name, 'key');
  requirePurpose(key, 'ENCRYPT_DECRYPT');
  const ciphertext = bytes(req.ciphertext);
  const aad = bytes(req.additionalAuthenticatedData);
  verifyChecksum('ciphertext_crc32c', 'ciphertext', ciphertext, req.ciphertextCrc32c);
  verifyChecksum(
    'additional_authenticated_data_crc32c',
    'additional_authenticated_data',
    aad,
    req.additionalAuthenticatedDataCrc32c,
  );
  const claimed = envelopeVersion(ciphertext);
  const version = claimed === undefined ? undefined : key.versions.get(claimed);
  const plaintext = version && openAesGcm(version.material, ciphertext, aad);
  if (!version || !plaintext) throw invalidArgument(BAD_CIPHERTEXT);
  return {
    plaintext,
    plaintextCrc32c: checksumOf(plaintext),
    usedPrimary: version.version === key.primaryVersion,
    protectionLevel: SOFTWARE,
  };
}

function asymmetricSign(
  keys: ReadonlyMap<string, ManagedKey>,
  req: AsymmetricSignRequest,
): AsymmetricSignResponse {
  const { key, version } = resolve(keys, req.name, 'version');
  requirePurpose(key, 'ASYMMETRIC_SIGN');
  if (bytes(req.data).length > 0) {
    throw invalidArgument(`The data field is not supported for ${key.algorithm}; sign a digest instead.`);
  }
  const digest = sha256Digest(req.digest);
  const verifiedDigest = verifyChecksum('digest_crc32c', 'digest', digest, req.digestCrc32c);
  const signature = signP256Digest(version.material, digest);
  return {
    signature,
    signatureCrc32c: checksumOf(signature),
    verifiedDigestCrc32c: verifiedDigest,
    verifiedDataCrc32c: false,
    name: version.name,
    protectionLevel: SOFTWARE,
  };
}

/** The SHA-256 digest of an AsymmetricSignRequest, rejecting other digests (the key is P256_SHA256). */
function sha256Digest(digest: AsymmetricSignRequest['digest']): Buffer {
  const kind =
    digest?.digest ?? (['sha256', 'sha384', 'sha512'] as const).find((k) => bytes(digest?.[k]).length);
  if (kind === undefined) throw invalidArgument('A digest is required to sign with EC_SIGN_P256_SHA256.');
  if (kind !== 'sha256') {
    throw invalidArgument(`The digest type ${kind} does not match the key algorithm EC_SIGN_P256_SHA256.`);
  }
  const sha256 = bytes(digest?.sha256);
  if (sha256.length !== 32) throw invalidArgument(`A SHA-256 digest must be 32 bytes, got ${sha256.length}.`);
  return sha256;
}

function getPublicKey(keys: ReadonlyMap<string, ManagedKey>, req: GetPublicKeyRequest): PublicKey {
  const { key, version } = resolve(keys, req.name, 'version');
  requirePurpose(key, 'ASYMMETRIC_SIGN');
  const format = req.publicKeyFormat || 'PUBLIC_KEY_FORMAT_UNSPECIFIED';
  const { pem, der } = p256PublicKey(version.material);
  const base = { name: version.name, algorithm: key.algorithm, protectionLevel: SOFTWARE };
  if (format === 'PUBLIC_KEY_FORMAT_UNSPECIFIED')
    return { ...base, pem, pemCrc32c: checksumOf(Buffer.from(pem)) };
  if (format === 'PEM') {
    const data = Buffer.from(pem);
    return {
      ...base,
      pem,
      pemCrc32c: checksumOf(data),
      publicKeyFormat: format,
      publicKey: checksummed(data),
    };
  }
  if (format === 'DER') return { ...base, publicKeyFormat: format, publicKey: checksummed(der) };
  throw invalidArgument(`Public key format ${format} is not supported for ${key.algorithm}.`);
}

function checksummed(data: Buffer): { data: Buffer; crc32cChecksum: { value: string } } {
  return { data, crc32cChecksum: checksumOf(data) };
}

function macSign(keys: ReadonlyMap<string, ManagedKey>, req: MacSignRequest): MacSignResponse {
  const { key, version } = resolve(keys, req.name, 'version');
  requirePurpose(key, 'MAC');
  const data = bytes(req.data);
  requireSize('data', data);
  const verifiedData = verifyChecksum('data_crc32c', 'data', data, req.dataCrc32c);
  const mac = hmacSha256(version.material, data);
  return {
    name: version.name,
    mac,
    macCrc32c: checksumOf(mac),
    verifiedDataCrc32c: verifiedData,
    protectionLevel: SOFTWARE,
  };
}

function macVerify(keys: ReadonlyMap<string, ManagedKey>, req: MacVerifyRequest): MacVerifyResponse {
  const { key, version } = resolve(keys, req.name, 'version');
  requirePurpose(key, 'MAC');
  const data = bytes(req.data);
  const mac = bytes(req.mac);
  requireSize('data', data);
  const verifiedData = verifyChecksum('data_crc32c', 'data', data, req.dataCrc32c);
  const verifiedMac = verifyChecksum('mac_crc32c', 'mac', mac, req.macCrc32c);
  return {
    name: version.name,
    success: hmacSha256Matches(version.material, data, mac),
    verifiedDataCrc32c: verifiedData,
    verifiedMacCrc32c: verifiedMac,
    verifiedSuccessIntegrity: true,
    protectionLevel: SOFTWARE,
  };
}

function getCryptoKey(keys: ReadonlyMap<string, ManagedKey>, req: NameRequest): CryptoKey {
  const { key } = resolve(keys, req.name, 'key');
  return {
    name: key.name,
    purpose: key.purpose,
    createTime: timestamp(key.createTime),
    versionTemplate: { protectionLevel: SOFTWARE, algorithm: key.algorithm },
    ...(key.purpose === 'ENCRYPT_DECRYPT' ? { primary: describeVersion(key, primaryOf(key)) } : {}),
  };
}

function getCryptoKeyVersion(keys: ReadonlyMap<string, ManagedKey>, req: NameRequest): CryptoKeyVersion {
  const { key, version } = resolve(keys, req.name, 'version');
  return describeVersion(key, version);
}

function describeVersion(key: ManagedKey, version: KeyVersion): CryptoKeyVersion {
  return {
    name: version.name,
    state: 'ENABLED',
    protectionLevel: SOFTWARE,
    algorithm: key.algorithm,
    createTime: timestamp(version.createTime),
    generateTime: timestamp(version.createTime),
  };
}

type NameKind = 'key' | 'version' | 'key-or-version';
type Resolved<K extends NameKind> = K extends 'version'
  ? { key: ManagedKey; version: KeyVersion }
  : { key: ManagedKey; version: KeyVersion | undefined };

/**
 * Looks up the key (and version) a request names. Malformed names, or a name of the wrong kind for the
 * RPC, are INVALID_ARGUMENT; undeclared keys and absent versions are NOT_FOUND.
 */
function resolve<K extends NameKind>(
  keys: ReadonlyMap<string, ManagedKey>,
  name: string | undefined,
  kind: K,
): Resolved<K> {
  const parsed = parseKeyName(name ?? '');
  if (!parsed)
    throw invalidArgument(`Resource name [${name ?? ''}] is not a valid CryptoKey or CryptoKeyVersion name.`);
  if (kind === 'key' && parsed.versionId !== undefined) {
    throw invalidArgument(`Resource name [${name}] must name a CryptoKey, not a CryptoKeyVersion.`);
  }
  if (kind === 'version' && parsed.versionId === undefined) {
    throw invalidArgument(`Resource name [${name}] must name a CryptoKeyVersion.`);
  }
  const key = keys.get(parsed.cryptoKey);
  if (!key) throw notFound(`${parsed.cryptoKey} not found.`);
  if (parsed.versionId === undefined) return { key, version: undefined } as Resolved<K>;
  const version = /^[1-9]\d*$/.test(parsed.versionId)
    ? key.versions.get(Number(parsed.versionId))
    : undefined;
  if (!version) throw notFound(`${name} not found.`);
  return { key, version } as Resolved<K>;
}

function requirePurpose(key: ManagedKey, purpose: KeyPurpose): void {
  if (key.purpose !== purpose) {
    throw failedPrecondition(
      `${key.name} has purpose ${key.purpose}; this operation requires purpose ${purpose}.`,
    );
  }
}

function requireSize(field: string, data: Buffer): void {
  if (data.length > MAX_INPUT_BYTES) {
    throw invalidArgument(`The ${field} field must be at most ${MAX_INPUT_BYTES} bytes, got ${data.length}.`);
  }
}

function primaryOf(key: ManagedKey): KeyVersion {
  return key.versions.get(key.primaryVersion)!;
}

function bytes(value: Bytes): Buffer {
  return value ?? Buffer.alloc(0);
}

function timestamp(date: Date): { seconds: string; nanos: number } {
  const ms = date.getTime();
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
}
