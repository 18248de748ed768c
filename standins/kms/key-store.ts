// Key material of the KMS stand-in: generated on first start, persisted to one 0600 JSON file, reloaded after.

import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { generateP256SecretKey, generateSymmetricKey } from './key-crypto.ts';
import { isCryptoKeyName, versionName } from './resource-names.ts';

/** What a crypto key is for, as `CryptoKey.purpose` reports it. */
export type KeyPurpose = 'ENCRYPT_DECRYPT' | 'ASYMMETRIC_SIGN' | 'MAC';

/** A crypto key the stand-in serves. */
export interface KmsKeySpec {
  /** `projects/p/locations/l/keyRings/r/cryptoKeys/k` */
  name: string;
  purpose: KeyPurpose;
}

/** The one algorithm the stand-in implements per purpose (`CryptoKeyVersion.algorithm`). */
export const KEY_ALGORITHMS = {
  ENCRYPT_DECRYPT: 'GOOGLE_SYMMETRIC_ENCRYPTION',
  ASYMMETRIC_SIGN: 'EC_SIGN_P256_SHA256',
  MAC: 'HMAC_SHA256',
} as const satisfies Record<KeyPurpose, string>;

/** One enabled version of a crypto key, with its secret material. */
export interface KeyVersion {
  version: number;
  /** `.../cryptoKeys/k/cryptoKeyVersions/{version}` */
  name: string;
  /** AES-256 key, P-256 secret scalar, or HMAC key: 32 bytes in every case. */
  material: Buffer;
  createTime: Date;
}

/** A crypto key as loaded from the state file. */
export interface ManagedKey {
  name: string;
  purpose: KeyPurpose;
  algorithm: (typeof KEY_ALGORITHMS)[KeyPurpose];
  createTime: Date;
  primaryVersion: number;
  versions: ReadonlyMap<number, KeyVersion>;
}

/** The file under `stateDir` that holds the key material. */
export const STATE_FILE_NAME = 'kms-keys.json';

const STATE_FORMAT = 'warden-kms-stand-in/v1';
const PURPOSES = ['ENCRYPT_DECRYPT', 'ASYMMETRIC_SIGN', 'MAC'] as const;

const storedVersionSchema = z.object({ material: z.base64(), createTime: z.iso.datetime() });
const storedKeySchema = z.object({
  purpose: z.enum(PURPOSES),
  createTime: z.iso.datetime(),
  primaryVersion: z.number().int().positive(),
  versions: z.record(z.string().regex(/^[1-9]\d*$/), storedVersionSchema),
});
const stateSchema = z.object({
  format: z.literal(STATE_FORMAT),
  keys: z.record(z.string(), storedKeySchema),
});

type StoredKey = z.infer<typeof storedKeySchema>;
type State = z.infer<typeof stateSchema>;

/**
 * Loads the key material for `specs` from `stateDir`, generating and persisting any key not yet there.
 * Keys in the file but not in `specs` are kept on disk and not returned. Throws when a spec is malformed,
 * duplicated, or declares a purpose different from the one its persisted key was created with.
 */
export async function openKeyStore(
  stateDir: string,
  specs: readonly KmsKeySpec[],
): Promise<Map<string, ManagedKey>> {
  validateSpecs(specs);
  const file = path.join(stateDir, STATE_FILE_NAME);
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const state = await readState(file);
  const generated = specs.filter((spec) => ensureKey(state, spec));
  if (generated.length > 0) await writeState(file, state);
  else await chmod(file, 0o600).catch(() => undefined);
  return new Map(specs.map((spec) => [spec.name, toManagedKey(spec.name, state.keys[spec.name]!)]));
}

function validateSpecs(specs: readonly KmsKeySpec[]): void {
  const seen = new Set<string>();
  for (const spec of specs) {
    if (!isCryptoKeyName(spec.name)) throw new Error(`KMS stand-in: malformed crypto key name ${spec.name}`);
    if (!PURPOSES.includes(spec.purpose))
      throw new Error(`KMS stand-in: unsupported purpose ${spec.purpose}`);
    if (seen.has(spec.name)) throw new Error(`KMS stand-in: key ${spec.name} declared twice`);
    seen.add(spec.name);
  }
}

async function readState(file: string): Promise<State> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { format: STATE_FORMAT, keys: {} };
    throw err;
  }
  const parsed = stateSchema.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new Error(`KMS stand-in: ${file} is not a valid state file: ${parsed.error.message}`);
  return parsed.data;
}

/** Adds a fresh key for `spec` to `state` unless one exists; returns true when it generated one. */
function ensureKey(state: State, spec: KmsKeySpec): boolean {
  const existing = state.keys[spec.name];
  if (existing) {
    if (existing.purpose !== spec.purpose) {
      throw new Error(
        `KMS stand-in: key ${spec.name} was created with purpose ${existing.purpose}, now declared ${spec.purpose}`,
      );
    }
    return false;
  }
  const now = new Date().toISOString();
  const material = spec.purpose === 'ASYMMETRIC_SIGN' ? generateP256SecretKey() : generateSymmetricKey();
  state.keys[spec.name] = {
    purpose: spec.purpose,
    createTime: now,
    primaryVersion: 1,
    versions: { '1': { material: material.toString('base64'), createTime: now } },
  };
  return true;
}

async function writeState(file: string, state: State): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await chmod(temp, 0o600); // writeFile's mode is subject to the umask and ignored for existing files
  await rename(temp, file);
}

function toManagedKey(name: string, stored: StoredKey): ManagedKey {
  const versions = new Map<number, KeyVersion>();
  for (const [id, v] of Object.entries(stored.versions)) {
    const version = Number(id);
    const material = Buffer.from(v.material, 'base64');
    if (material.length !== 32) throw new Error(`KMS stand-in: key ${name} version ${id} has bad material`);
    versions.set(version, {
      version,
      name: versionName(name, version),
      material,
      createTime: new Date(v.createTime),
    });
  }
  if (!versions.has(stored.primaryVersion))
    throw new Error(`KMS stand-in: key ${name} lacks its primary version`);
  return {
    name,
    purpose: stored.purpose,
    algorithm: KEY_ALGORITHMS[stored.purpose],
    createTime: new Date(stored.createTime),
    primaryVersion: stored.primaryVersion,
    versions,
  };
}
