// Execution grants: the gateway signs what it decided, and the executor runs only a grant it can verify back
// to the KMS key, unexpired and used once (a forged, altered, replayed or expired decision runs nothing).

import type { DryRunRequest, ExecutionRequest, JobRequest } from '../../ports/query-runner.ts';
import { canonicalBytes, type Json } from '../audit/canonical-json.ts';
import { isValidCertificate, isValidSignature, type KeyCertificate } from '../audit/signing-key.ts';
import { WardenError } from '../errors.ts';

/** The grant's type tag: a signed grant can never be mistaken for an audit record, nor one for a grant. */
export const GRANT_TYPE = 'warden.execution-grant';

/** What the gateway signs: the whole request it decided, with a short validity. */
export interface GrantBody {
  type: typeof GRANT_TYPE;
  v: 1;
  /**
   * The execution request exactly as decided (principal, SQL, parameters, decision, dry-run facts), or a job
   * request (`op: "job"`), or a dry-run request (`op: "dry-run"`): each endpoint parses only its own kind, so
   * none can be passed off as another.
   */
  request: Json;
  issuedAt: string;
  expiresAt: string;
}

/** A grant with the gateway instance's signature and the KMS certificate of its key. */
export interface SignedGrant {
  body: GrantBody;
  /** ECDSA P-256 / SHA-256 over the body's canonical JSON (RFC 8785), DER, base64. */
  signature: string;
  certificate: KeyCertificate;
}

/** Signs bytes with an instance key that KMS certified (the gateway's audit signer). */
export interface GrantSigner {
  attest(bytes: Uint8Array): Promise<{ signature: string; certificate: KeyCertificate }>;
}

/** How long a grant is valid by default: long enough for the hop to the executor, too short to hoard. */
export const GRANT_TTL_MS = 60_000;

/** Signs `request` as a grant valid from `now` for `ttlMs`. */
export async function issueGrant(
  signer: GrantSigner,
  request: ExecutionRequest | JobRequest | DryRunRequest,
  now: Date,
  ttlMs = GRANT_TTL_MS,
): Promise<SignedGrant> {
  const body: GrantBody = {
    type: GRANT_TYPE,
    v: 1,
    // Through JSON once, so optional fields left undefined are absent, as a verifier will see them.
    request: JSON.parse(JSON.stringify(request)) as Json,
    issuedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
  };
  const { signature, certificate } = await signer.attest(canonicalBytes(body as unknown as Json));
  return { body, signature, certificate };
}

/** Who may sign what the executor acts on: the KMS key version that certifies them, their writer names. */
export interface GrantAuthority {
  kmsKeyVersion: string;
  /** The KMS key version's public key (PEM), fetched once. */
  kmsPublicKeyPem: () => Promise<string>;
  /** Certificate writers whose statements count (the gateway's). */
  writers: string[];
}

/** What a verifier trusts: the KMS key version and public key, the writers allowed to grant, the time. */
export interface GrantTrust {
  kmsKeyVersion: string;
  kmsPublicKeyPem: string;
  /** Certificate writers whose grants count (the gateway's). */
  writers: readonly string[];
  now: Date;
  /** Longest validity accepted, and the clock skew tolerated on `issuedAt`. */
  maxTtlMs?: number;
  skewMs?: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Verifies a grant and returns its body; throws `forbidden` naming what failed (never what it held). Checks,
 * in order: its shape, that its certificate is for an allowed writer under the trusted KMS key version and
 * carries KMS's signature, that the body carries the certified key's signature, and that it is current.
 * Single use is the caller's (a ledger of used request ids): this function is pure.
 */
export function verifyGrant(grant: unknown, trust: GrantTrust): GrantBody {
  const refuse = (why: string): never => {
    throw new WardenError('forbidden', `The execution grant ${why}.`);
  };
  if (!isRecord(grant) || !isRecord(grant['body']) || typeof grant['signature'] !== 'string')
    return refuse('is missing or malformed');
  const body = grant['body'];
  let bytes: Uint8Array;
  try {
    bytes = canonicalBytes(body as Json);
  } catch {
    return refuse('is malformed');
  }
  const why = statementFault(bytes, grant, trust);
  if (why !== undefined) return refuse(why);
  if (body['type'] !== GRANT_TYPE || body['v'] !== 1 || !isRecord(body['request']))
    return refuse('is of an unknown type');
  const issued = Date.parse(String(body['issuedAt']));
  const expires = Date.parse(String(body['expiresAt']));
  const now = trust.now.getTime();
  const skew = trust.skewMs ?? 5_000;
  if (!Number.isFinite(issued) || !Number.isFinite(expires)) return refuse('has no validity');
  if (expires - issued > (trust.maxTtlMs ?? 5 * GRANT_TTL_MS)) return refuse('is valid for too long');
  if (issued > now + skew) return refuse('is not valid yet');
  if (expires <= now) return refuse('has expired');
  return body as unknown as GrantBody;
}

// Certificates already verified, by KMS key and their exact content: a gateway instance certifies one key
// for its lifetime, so each executor checks KMS's signature on it once, not on every grant.
const certified = new Set<string>();

function isCertifiedByKms(cert: KeyCertificate, kmsPublicKeyPem: string): boolean {
  let key: string;
  try {
    key = `${kmsPublicKeyPem}\u0000${cert.kmsSignature}\u0000${new TextDecoder().decode(canonicalBytes(cert.body as unknown as Json))}`;
  } catch {
    return false;
  }
  if (certified.has(key)) return true;
  if (!isValidCertificate(cert, kmsPublicKeyPem)) return false;
  if (certified.size >= 256) certified.clear();
  certified.add(key);
  return true;
}

/**
 * What is wrong with `signed` as a statement of `bytes` by an allowed writer certified by the trusted KMS key,
 * or undefined when nothing is: the certificate's writer and key version, KMS's signature on it, and the
 * certified key's signature on the bytes.
 */
export function statementFault(
  bytes: Uint8Array,
  signed: unknown,
  trust: Pick<GrantTrust, 'kmsKeyVersion' | 'kmsPublicKeyPem' | 'writers'>,
): string | undefined {
  if (!isRecord(signed) || typeof signed['signature'] !== 'string') return 'is not signed';
  const cert = signed['certificate'];
  if (!isRecord(cert) || !isRecord(cert['body']) || typeof cert['kmsSignature'] !== 'string')
    return 'has no certificate';
  const certBody = cert['body'];
  if (typeof certBody['publicKeyPem'] !== 'string' || typeof certBody['writer'] !== 'string')
    return 'has a malformed certificate';
  if (!trust.writers.includes(certBody['writer'])) return 'was not issued by the gateway';
  if (certBody['kmsKeyVersion'] !== trust.kmsKeyVersion) return 'is certified by another key';
  if (!isCertifiedByKms(cert as unknown as KeyCertificate, trust.kmsPublicKeyPem))
    return 'has a certificate KMS did not sign';
  if (!isValidSignature(certBody['publicKeyPem'], bytes, signed['signature']))
    return 'does not verify: it was altered or forged';
  return undefined;
}
