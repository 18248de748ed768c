// KeyService on Cloud KMS's REST API (https://cloud.google.com/kms/docs/reference/rest/v1/projects.locations.keyRings.cryptoKeys,
// …cryptoKeyVersions): JSON over node:http(s) with a keep-alive agent (shared/adapters/rest-transport.ts), for the
// functions, which call KMS a few times per instance. The official @google-cloud/kms client costs a cold start
// about 155 ms to import and 80 ms more to construct (protos, google-gax, grpc-js) before its first call
// (docs/performance.md, "A lean Cloud KMS call"); the CLI and the dev tools keep it (kms/key-service.ts).
//
// Every integrity check of KmsKeyService is kept (https://cloud.google.com/kms/docs/data-integrity-guidelines):
// request CRC32Cs sent, `verified*Crc32c` required, response CRC32Cs checked, the key version's name echoed.
// In proto3 JSON (https://protobuf.dev/programming-guides/json/) bytes are base64, an Int64Value is a decimal
// string, and a false boolean may be left out (so a missing `verified*` is "not verified": fail closed).
//
// Retries are the official client's for these methods (all "idempotent" in @google-cloud/kms 6
// key_management_service_client_config.json): UNAVAILABLE and DEADLINE_EXCEEDED (HTTP 503 and 504; a request
// that got no answer is UNAVAILABLE or DEADLINE_EXCEEDED in gRPC too), waiting a random part of a delay that
// starts at 100 ms and grows 1.3× per retry (google-gax `retries.ts`), within the call's deadline (60 s, the
// client's `timeout_millis`). Errors are google.rpc.Status JSON, `{"error": {"code", "message", "status"}}`
// (https://cloud.google.com/apis/design/errors#http_mapping).

import { crc32c } from '../../core/crc32c.ts';
import { WardenError } from '../../core/errors.ts';
import type { KeyService } from '../../ports/key-service.ts';
import { type HttpAnswer, sendRequest, sleep } from '../rest-transport.ts';

/** Where and how the adapter calls Cloud KMS. */
export interface KmsRestTarget {
  /** `https://cloudkms.googleapis.com`, or a stand-in's `http://127.0.0.1:port`. */
  baseUrl: string;
  /** Authorization headers for a request (none for a stand-in). */
  headers(): Promise<Record<string, string>>;
  /** Each call, retries included, fails after this long; default 60,000 (the official client's timeout). */
  deadlineMs?: number;
  /** The first retry waits up to this long, each next one 1.3× longer; default 100. */
  retryDelayMs?: number;
}

/** The OAuth scope Cloud KMS accepts for these methods (the REST reference, "Authorization scopes"). */
export const KMS_SCOPE = 'https://www.googleapis.com/auth/cloudkms';

/**
 * The target for `endpoint` (host:port of a loopback stand-in: plain HTTP, no credentials, no metadata lookup),
 * or, without one, Cloud KMS itself with the runtime's Google credentials (on Cloud Functions the metadata
 * server) from google-auth-library, loaded on the first call.
 */
export function kmsRestTarget(endpoint?: string): KmsRestTarget {
  if (endpoint) return { baseUrl: `http://${endpoint}`, headers: async () => ({}) };
  let auth: Promise<{ getRequestHeaders(): Promise<Headers | Record<string, string>> }> | undefined;
  return {
    baseUrl: 'https://cloudkms.googleapis.com',
    async headers() {
      auth ??= import('google-auth-library').then((m) => {
        const GoogleAuth = m.GoogleAuth ?? (m as unknown as { default: typeof m }).default.GoogleAuth;
        return new GoogleAuth({ scopes: [KMS_SCOPE] });
      });
      const headers = await (await auth).getRequestHeaders();
      return headers instanceof Headers ? Object.fromEntries(headers) : { ...headers };
    },
  };
}

const RETRY_STATUS = new Set([503, 504]);
const RESOURCE_NAME =
  /^projects\/[\w.:-]+\/locations\/[\w-]+\/keyRings\/[\w-]+\/cryptoKeys\/[\w-]+(\/cryptoKeyVersions\/[\w-]+)?$/;

// The answers, as proto3 JSON (only the fields Warden reads).
type Crc = unknown;
interface EncryptResponse {
  ciphertext?: unknown;
  ciphertextCrc32c?: Crc;
  verifiedPlaintextCrc32c?: unknown;
  verifiedAdditionalAuthenticatedDataCrc32c?: unknown;
}
interface DecryptResponse {
  plaintext?: unknown;
  plaintextCrc32c?: Crc;
}
interface AsymmetricSignResponse {
  signature?: unknown;
  signatureCrc32c?: Crc;
  verifiedDigestCrc32c?: unknown;
  name?: unknown;
}
interface PublicKeyResponse {
  pem?: unknown;
  pemCrc32c?: Crc;
  name?: unknown;
}
interface MacSignResponse {
  mac?: unknown;
  macCrc32c?: Crc;
  verifiedDataCrc32c?: unknown;
  name?: unknown;
}

/** Cloud KMS over REST, fail closed: any transport, service or integrity failure is a WardenError. */
export class KmsRestKeyService implements KeyService {
  readonly #target: KmsRestTarget;
  constructor(target: KmsRestTarget) {
    this.#target = target;
  }

  async encrypt(keyName: string, plaintext: Uint8Array, aad?: Uint8Array): Promise<Uint8Array> {
    const res = await this.#call<EncryptResponse>('Encrypt', keyName, ':encrypt', {
      plaintext: base64(plaintext),
      plaintextCrc32c: checksum(plaintext),
      ...aadFields(aad),
    });
    const ciphertext = bytes(res.ciphertext, 'Encrypt', 'ciphertext');
    ensure(res.verifiedPlaintextCrc32c === true, 'Encrypt: KMS did not verify the plaintext checksum');
    ensure(
      !aad || res.verifiedAdditionalAuthenticatedDataCrc32c === true,
      'Encrypt: KMS did not verify the AAD checksum',
    );
    ensure(matches(res.ciphertextCrc32c, ciphertext), 'Encrypt: ciphertext checksum mismatch');
    return ciphertext;
  }

  async decrypt(keyName: string, ciphertext: Uint8Array, aad?: Uint8Array): Promise<Uint8Array> {
    const res = await this.#call<DecryptResponse>('Decrypt', keyName, ':decrypt', {
      ciphertext: base64(ciphertext),
      ciphertextCrc32c: checksum(ciphertext),
      ...aadFields(aad),
    });
    const plaintext = bytes(res.plaintext, 'Decrypt', 'plaintext');
    ensure(matches(res.plaintextCrc32c, plaintext), 'Decrypt: plaintext checksum mismatch');
    return plaintext;
  }

  async signDigest(keyVersionName: string, sha256Digest: Uint8Array): Promise<Uint8Array> {
    const res = await this.#call<AsymmetricSignResponse>(
      'AsymmetricSign',
      keyVersionName,
      ':asymmetricSign',
      {
        digest: { sha256: base64(sha256Digest) },
        digestCrc32c: checksum(sha256Digest),
      },
    );
    const signature = bytes(res.signature, 'AsymmetricSign', 'signature');
    ensure(res.verifiedDigestCrc32c === true, 'AsymmetricSign: KMS did not verify the digest checksum');
    ensure(res.name === keyVersionName, 'AsymmetricSign: KMS answered for another key version');
    ensure(matches(res.signatureCrc32c, signature), 'AsymmetricSign: signature checksum mismatch');
    return signature;
  }

  async getPublicKeyPem(keyVersionName: string): Promise<string> {
    const res = await this.#call<PublicKeyResponse>('GetPublicKey', keyVersionName, '/publicKey');
    const pem = typeof res.pem === 'string' ? res.pem : '';
    ensure(res.name === keyVersionName, 'GetPublicKey: KMS answered for another key version');
    ensure(matches(res.pemCrc32c, new TextEncoder().encode(pem)), 'GetPublicKey: PEM checksum mismatch');
    return pem;
  }

  async macSign(keyVersionName: string, data: Uint8Array): Promise<Uint8Array> {
    const res = await this.#call<MacSignResponse>('MacSign', keyVersionName, ':macSign', {
      data: base64(data),
      dataCrc32c: checksum(data),
    });
    const mac = bytes(res.mac, 'MacSign', 'mac');
    ensure(res.verifiedDataCrc32c === true, 'MacSign: KMS did not verify the data checksum');
    ensure(res.name === keyVersionName, 'MacSign: KMS answered for another key version');
    ensure(matches(res.macCrc32c, mac), 'MacSign: MAC checksum mismatch');
    return mac;
  }

  /**
   * One method call: POST `json` (GET without one) to `/v1/{name}{suffix}`, retried as the official client
   * retries, within the deadline; the parsed answer, or a WardenError.
   */
  async #call<T>(method: string, name: string, suffix: string, json?: object): Promise<T> {
    const failed = (cause: unknown) =>
      new WardenError('unavailable', `Cloud KMS ${method} with ${name} failed.`, { cause });
    // The name goes into the URL path: only a Cloud KMS resource name may (no `..`, no query, no other host).
    if (!RESOURCE_NAME.test(name)) throw failed(new Error('not a Cloud KMS key or key version name'));
    const deadline = performance.now() + (this.#target.deadlineMs ?? 60_000);
    const url = `${this.#target.baseUrl.replace(/\/+$/, '')}/v1/${name}${suffix}`;
    const body = json === undefined ? undefined : Buffer.from(JSON.stringify(json));
    let delay = this.#target.retryDelayMs ?? 100;
    for (;;) {
      const left = Math.ceil(deadline - performance.now());
      let auth: Record<string, string>;
      try {
        auth = await this.#target.headers();
      } catch (err) {
        throw failed(err); // no credentials: at once, as the official client's initialize() fails
      }
      let answer: HttpAnswer | undefined;
      let lastError: unknown;
      try {
        answer = await sendRequest({
          method: body ? 'POST' : 'GET',
          url,
          body,
          headers: {
            ...auth,
            ...(body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}),
            'user-agent': 'warden gl-node/kms-rest',
          },
          timeoutMs: Math.max(1, left),
        });
      } catch (err) {
        // No answer (refused, reset, silent): gRPC's UNAVAILABLE or DEADLINE_EXCEEDED, which it retries.
        lastError = err;
      }
      if (answer && answer.status >= 200 && answer.status < 300) {
        try {
          return JSON.parse(answer.body) as T;
        } catch (err) {
          throw failed(err);
        }
      }
      const status = answer && statusOf(answer);
      if (answer && !RETRY_STATUS.has(answer.status)) {
        // INVALID_ARGUMENT on Decrypt: the ciphertext is corrupt, or was sealed with another key or AAD.
        if (method === 'Decrypt' && status?.status === 'INVALID_ARGUMENT') {
          throw new WardenError(
            'integrity',
            `Cloud KMS could not decrypt the ciphertext with ${name}: it is corrupt or was sealed with another key.`,
            { cause: status.error },
          );
        }
        throw failed(status?.error);
      }
      lastError ??= status?.error;
      const wait = Math.random() * delay;
      if (performance.now() + wait >= deadline) throw failed(lastError);
      await sleep(wait);
      delay = Math.min(delay * 1.3, 60_000);
    }
  }
}

/** The google.rpc.Status of an error answer (its `status` name and an Error carrying code and message). */
function statusOf(answer: HttpAnswer): { status: string | undefined; error: Error } {
  let e: { code?: unknown; message?: unknown; status?: unknown } | undefined;
  try {
    e = (JSON.parse(answer.body) as { error?: typeof e }).error;
  } catch {}
  const status = typeof e?.status === 'string' ? e.status : undefined;
  const message = typeof e?.message === 'string' ? e.message : answer.message;
  return {
    status,
    error: new Error(`HTTP ${answer.status} ${status ?? ''}: ${message}`.replace(/ +:/, ':')),
  };
}

function aadFields(aad: Uint8Array | undefined): object {
  return aad
    ? { additionalAuthenticatedData: base64(aad), additionalAuthenticatedDataCrc32c: checksum(aad) }
    : {};
}

const base64 = (data: Uint8Array): string =>
  Buffer.from(data.buffer, data.byteOffset, data.length).toString('base64');

/** An Int64Value in proto3 JSON: a decimal string. */
const checksum = (data: Uint8Array): string => String(crc32c(data));

function ensure(ok: boolean, message: string): void {
  if (!ok) throw new WardenError('integrity', message);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A bytes field: base64 (proto3 JSON also allows the URL-safe alphabet); absent is empty, anything else fails. */
function bytes(value: unknown, method: string, field: string): Uint8Array {
  if (value === undefined || value === null) return new Uint8Array(0);
  const text = typeof value === 'string' ? value.replace(/-/g, '+').replace(/_/g, '/') : undefined;
  ensure(text !== undefined && BASE64.test(text), `${method}: KMS answered a ${field} that is not base64`);
  return new Uint8Array(Buffer.from(text!, 'base64'));
}

/** Whether a response checksum (an Int64Value: a decimal string) is the CRC32C of `data`. */
function matches(expected: Crc, data: Uint8Array): boolean {
  return typeof expected === 'string' && /^\d{1,10}$/.test(expected) && Number(expected) === crc32c(data);
}
