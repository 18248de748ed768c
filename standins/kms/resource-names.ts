// Parses Cloud KMS resource names (crypto keys and crypto key versions) as the stand-in accepts them.

const CRYPTO_KEY = 'projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+';
const CRYPTO_KEY_PATTERN = new RegExp(`^${CRYPTO_KEY}$`);
const KEY_OR_VERSION_PATTERN = new RegExp(`^(${CRYPTO_KEY})(?:/cryptoKeyVersions/([^/]+))?$`);

/** A parsed `.../cryptoKeys/k` or `.../cryptoKeys/k/cryptoKeyVersions/v` name. */
export interface ParsedKeyName {
  /** The crypto key part, `projects/p/locations/l/keyRings/r/cryptoKeys/k`. */
  cryptoKey: string;
  /** The version id as written (usually digits), or undefined for a crypto key name. */
  versionId: string | undefined;
}

/** True when `name` is a well-formed crypto key name (no version part). */
export function isCryptoKeyName(name: string): boolean {
  return CRYPTO_KEY_PATTERN.test(name);
}

/** Splits a crypto key or crypto key version name; undefined when it is neither. */
export function parseKeyName(name: string): ParsedKeyName | undefined {
  const match = KEY_OR_VERSION_PATTERN.exec(name);
  if (!match) return undefined;
  return { cryptoKey: match[1]!, versionId: match[2] };
}

/** The resource name of version `version` of `cryptoKey`. */
export function versionName(cryptoKey: string, version: number): string {
  return `${cryptoKey}/cryptoKeyVersions/${version}`;
}
