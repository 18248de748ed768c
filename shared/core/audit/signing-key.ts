// Per-instance audit signing keys, certified once by a Cloud KMS asymmetric key (no KMS call per record).

import { createHash, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import type { KeyService } from '../../ports/key-service.ts';
import { canonicalBytes } from './canonical-json.ts';
import { SIGNATURE_ALGORITHM } from './record.ts';

/** What KMS signs: this instance's public key, bound to the writer and a start time. */
// Type aliases, not interfaces, so a certificate is a plain JSON object to the audit schema (./schema.ts).
export type CertificateBody = {
  algorithm: typeof SIGNATURE_ALGORITHM;
  publicKeyPem: string;
  writer: string;
  notBefore: string;
  kmsKeyVersion: string;
};

/** A certificate: the body plus KMS's DER signature over SHA-256 of its canonical bytes (base64). */
export type KeyCertificate = {
  body: CertificateBody;
  kmsSignature: string;
};

/** An instance's signing key and its KMS certificate. */
export interface InstanceSigner {
  certificate: KeyCertificate;
  /** Signs bytes with the instance key: ECDSA P-256, SHA-256, DER, base64. */
  sign(data: Uint8Array): string;
}

/** Generates an instance key pair and has KMS certify it: one KMS AsymmetricSign per instance. */
export async function createInstanceSigner(
  keys: KeyService,
  kmsKeyVersion: string,
  writer: string,
  now: Date,
): Promise<InstanceSigner> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const body: CertificateBody = {
    algorithm: SIGNATURE_ALGORITHM,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    writer,
    notBefore: now.toISOString(),
    kmsKeyVersion,
  };
  const digest = createHash('sha256').update(canonicalBytes(body)).digest();
  const kmsSignature = Buffer.from(await keys.signDigest(kmsKeyVersion, digest)).toString('base64');
  return { certificate: { body, kmsSignature }, sign: (data) => signWith(privateKey, data) };
}

function signWith(key: KeyObject, data: Uint8Array): string {
  return sign('sha256', data, key).toString('base64');
}

// Parsed public keys by PEM: a trail has one instance key per stream, and parsing the PEM for every record
// took about a quarter of verifyTrail's time (bench/audit.bench.ts).
const publicKeys = new Map<string, KeyObject>();

function publicKeyFor(pem: string): KeyObject {
  let key = publicKeys.get(pem);
  if (!key) {
    key = createPublicKey(pem);
    if (publicKeys.size >= 256) publicKeys.clear();
    publicKeys.set(pem, key);
  }
  return key;
}

/** True when `signature` (base64 DER) verifies over `data` with the PEM public key. */
export function isValidSignature(publicKeyPem: string, data: Uint8Array, signature: string): boolean {
  try {
    return verify('sha256', data, publicKeyFor(publicKeyPem), Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** True when the certificate's KMS signature verifies with the KMS public key. */
export function isValidCertificate(certificate: KeyCertificate, kmsPublicKeyPem: string): boolean {
  return isValidSignature(kmsPublicKeyPem, canonicalBytes(certificate.body), certificate.kmsSignature);
}
