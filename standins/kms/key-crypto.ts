// The stand-in's cryptography: AES-256-GCM envelopes, prehashed P-256 ECDSA, HMAC-SHA256.

import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createPublicKey,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';

const FORMAT_MARKER = 0x01;
const HEADER_BYTES = 5; // marker + uint32 key version
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Bytes an AES-GCM envelope adds to the plaintext: header, IV and tag. */
export const CIPHERTEXT_OVERHEAD = HEADER_BYTES + IV_BYTES + TAG_BYTES;

/** 32 random bytes: an AES-256 key or an HMAC-SHA256 key. */
export function generateSymmetricKey(): Buffer {
  return randomBytes(32);
}

/** A random P-256 secret scalar (32 bytes, big-endian). */
export function generateP256SecretKey(): Buffer {
  return Buffer.from(p256.utils.randomSecretKey());
}

/**
 * Encrypts with AES-256-GCM into `marker | version (u32 BE) | iv | ciphertext | tag`. The header is
 * authenticated together with `aad`, so the embedded version cannot be altered.
 */
export function sealAesGcm(key: Buffer, version: number, plaintext: Uint8Array, aad: Uint8Array): Buffer {
  const header = envelopeHeader(version);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.concat([header, aad]));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, iv, body, cipher.getAuthTag()]);
}

/** The key version an envelope claims to be sealed with; undefined when it is not an envelope. */
export function envelopeVersion(ciphertext: Uint8Array): number | undefined {
  if (ciphertext.length < CIPHERTEXT_OVERHEAD || ciphertext[0] !== FORMAT_MARKER) return undefined;
  return Buffer.from(ciphertext.buffer, ciphertext.byteOffset, ciphertext.length).readUInt32BE(1);
}

/** Opens an envelope from {@link sealAesGcm}; undefined when the key, AAD, or any byte is wrong. */
export function openAesGcm(key: Buffer, ciphertext: Uint8Array, aad: Uint8Array): Buffer | undefined {
  const bytes = Buffer.from(ciphertext);
  if (envelopeVersion(bytes) === undefined) return undefined;
  const header = bytes.subarray(0, HEADER_BYTES);
  const iv = bytes.subarray(HEADER_BYTES, HEADER_BYTES + IV_BYTES);
  const body = bytes.subarray(HEADER_BYTES + IV_BYTES, bytes.length - TAG_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.concat([header, aad]));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    return undefined;
  }
}

function envelopeHeader(version: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header[0] = FORMAT_MARKER;
  header.writeUInt32BE(version, 1);
  return header;
}

/**
 * Signs a SHA-256 digest as-is (no further hashing) with ECDSA P-256 and returns the DER-encoded
 * signature, as Cloud KMS does for EC_SIGN_P256_SHA256.
 */
export function signP256Digest(secretKey: Uint8Array, digest: Uint8Array): Buffer {
  return Buffer.from(p256.sign(digest, secretKey, { prehash: false, format: 'der' }));
}

/** The public key of a P-256 secret scalar as SubjectPublicKeyInfo, in PEM and DER. */
export function p256PublicKey(secretKey: Uint8Array): { pem: string; der: Buffer } {
  const point = p256.getPublicKey(secretKey, false); // 0x04 | x | y
  const jwk = {
    kty: 'EC',
    crv: 'P-256',
    x: Buffer.from(point.subarray(1, 33)).toString('base64url'),
    y: Buffer.from(point.subarray(33, 65)).toString('base64url'),
  };
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  return {
    pem: key.export({ type: 'spki', format: 'pem' }).toString(),
    der: key.export({ type: 'spki', format: 'der' }),
  };
}

/** HMAC-SHA256 of `data` under `key`. */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** True when `mac` is the HMAC-SHA256 of `data` under `key` (constant-time comparison). */
export function hmacSha256Matches(key: Uint8Array, data: Uint8Array, mac: Uint8Array): boolean {
  const expected = hmacSha256(key, data);
  return mac.length === expected.length && timingSafeEqual(expected, mac);
}
