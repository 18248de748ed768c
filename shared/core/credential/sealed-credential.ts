// The executor's BigQuery credential: a service-account key sealed with a KMS symmetric key. Decrypted in
// memory only; never logged, returned or written.

import { z } from 'zod';
import type { KeyService } from '../../ports/key-service.ts';
import { WardenError } from '../errors.ts';

/** Additional authenticated data binding the ciphertext to its purpose: it cannot be replayed elsewhere. */
export const CREDENTIAL_AAD = new TextEncoder().encode('warden:executor-credential:v1');

const ServiceAccountKey = z.object({
  type: z.literal('service_account'),
  client_email: z.string().includes('@'),
  private_key: z.string().includes('PRIVATE KEY'),
  project_id: z.string().optional(),
  private_key_id: z.string().optional(),
});

/** The parts of a service-account key the BigQuery client needs. */
export interface ServiceAccountCredential {
  client_email: string;
  private_key: string;
}

/** Encrypts a service-account key JSON for the executor (`warden credential seal`). Validates it first. */
export async function sealCredential(
  keys: KeyService,
  keyName: string,
  keyJson: Uint8Array,
): Promise<Uint8Array> {
  parseKey(keyJson);
  return keys.encrypt(keyName, keyJson, CREDENTIAL_AAD);
}

/** Decrypts and validates a sealed key. Errors never include key material. */
export async function openCredential(
  keys: KeyService,
  keyName: string,
  ciphertext: Uint8Array,
): Promise<ServiceAccountCredential> {
  const plaintext = await keys.decrypt(keyName, ciphertext, CREDENTIAL_AAD);
  try {
    return parseKey(plaintext);
  } finally {
    plaintext.fill(0);
  }
}

function parseKey(bytes: Uint8Array): ServiceAccountCredential {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new WardenError('invalid_argument', 'The credential is not JSON.');
  }
  const parsed = ServiceAccountKey.safeParse(json);
  if (!parsed.success) {
    // Name the fields only; values are secret.
    throw new WardenError(
      'invalid_argument',
      `The credential is not a service-account key (check: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}).`,
    );
  }
  return { client_email: parsed.data.client_email, private_key: parsed.data.private_key };
}

/** AAD of the sealed masking key (the HMAC key behind `sha256` pseudonyms and date shifts). */
export const MASKING_KEY_AAD = new TextEncoder().encode('warden:masking-key:v1');

/** Seals a masking key (at least 32 random bytes) with a KMS symmetric key. */
export async function sealMaskingKey(
  keys: KeyService,
  keyName: string,
  key: Uint8Array,
): Promise<Uint8Array> {
  if (key.length < 32) throw new WardenError('invalid_argument', 'A masking key needs at least 32 bytes.');
  return keys.encrypt(keyName, key, MASKING_KEY_AAD);
}

/** Opens a sealed masking key; kept in memory only. */
export async function openMaskingKey(
  keys: KeyService,
  keyName: string,
  ciphertext: Uint8Array,
): Promise<Uint8Array> {
  const key = await keys.decrypt(keyName, ciphertext, MASKING_KEY_AAD);
  if (key.length < 32) throw new WardenError('integrity', 'The sealed masking key is too short.');
  return key;
}
