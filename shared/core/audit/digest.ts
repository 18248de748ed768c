// Digests: periodic, KMS-signed lists of every audit object a writer stored, each chained to the one before
// (the CloudTrail digest model). Record chains prove that what is present was not altered; digests prove that
// nothing was removed: a deleted object, or a stream's tail, is named by the digest that listed it.

import { createHash } from 'node:crypto';
import type { KeyService } from '../../ports/key-service.ts';
import { canonicalBytes } from './canonical-json.ts';
import { sha256Hex } from './events.ts';
import { AUDIT_FORMAT_VERSION } from './record.ts';
import { isValidSignature } from './signing-key.ts';

/** One stored record object, as a digest lists it. */
export interface DigestEntry {
  /** Object name in the bucket. */
  object: string;
  /** SHA-256 (hex) of the object's bytes exactly as stored. */
  sha256: string;
  size: number;
  stream: string;
  firstSeq: number;
  lastSeq: number;
  /** Hash of the last record in the object (what the stream's next `prev` holds). */
  lastHash: string;
}

/** The signed part of a digest. Digests of one writer instance form their own chain (`stream`, `seq`, `prev`). */
export interface DigestBody {
  v: number;
  type: 'digest';
  writer: string;
  stream: string;
  seq: number;
  /** SHA-256 (hex) of the previous digest's body; null at seq 0. */
  prev: string | null;
  time: string;
  kmsKeyVersion: string;
  objects: DigestEntry[];
}

/** A digest as stored: the body plus KMS's DER signature over SHA-256 of its canonical bytes (base64). */
export interface Digest extends DigestBody {
  kmsSignature: string;
}

/** The digest's hash: SHA-256 of the RFC 8785 bytes of its body (what the next digest's `prev` holds). */
export function hashDigestBody(body: DigestBody): string {
  return sha256Hex(canonicalBytes(body));
}

/** The body of a stored digest (everything but `kmsSignature`). */
export function digestBody(digest: Digest): DigestBody {
  const { kmsSignature: _sig, ...body } = digest;
  return body;
}

/** Has KMS sign a digest body: one AsymmetricSign per digest. */
export async function signDigest(keys: KeyService, body: DigestBody): Promise<Digest> {
  const digest = createHash('sha256').update(canonicalBytes(body)).digest();
  const signature = await keys.signDigest(body.kmsKeyVersion, digest);
  return { ...body, kmsSignature: Buffer.from(signature).toString('base64') };
}

/** True when the digest's KMS signature verifies with the KMS public key. */
export function isValidDigest(digest: Digest, kmsPublicKeyPem: string): boolean {
  return isValidSignature(kmsPublicKeyPem, canonicalBytes(digestBody(digest)), digest.kmsSignature);
}

/** The first digest body of a chain, or the one after `prev`. */
export function nextDigestBody(
  prev: { seq: number; hash: string } | undefined,
  fields: { writer: string; stream: string; time: Date; kmsKeyVersion: string; objects: DigestEntry[] },
): DigestBody {
  return {
    v: AUDIT_FORMAT_VERSION,
    type: 'digest',
    writer: fields.writer,
    stream: fields.stream,
    seq: prev ? prev.seq + 1 : 0,
    prev: prev ? prev.hash : null,
    time: fields.time.toISOString(),
    kmsKeyVersion: fields.kmsKeyVersion,
    objects: fields.objects,
  };
}

/** Parses a stored digest; undefined when the bytes are not one. */
export function parseDigest(data: Uint8Array): Digest | undefined {
  try {
    const d = JSON.parse(new TextDecoder().decode(data)) as Digest;
    const ok =
      typeof d === 'object' &&
      d !== null &&
      d.type === 'digest' &&
      typeof d.stream === 'string' &&
      Number.isInteger(d.seq) &&
      typeof d.kmsSignature === 'string' &&
      Array.isArray(d.objects) &&
      d.objects.every(
        (e) =>
          typeof e?.object === 'string' &&
          typeof e.sha256 === 'string' &&
          typeof e.stream === 'string' &&
          Number.isInteger(e.lastSeq),
      );
    return ok ? d : undefined;
  } catch {
    return undefined;
  }
}
