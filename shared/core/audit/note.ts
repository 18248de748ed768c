// C2SP signed notes (c2sp.org/signed-note) and transparency log checkpoints (c2sp.org/tlog-checkpoint): the
// text format, key names and ids, and signing and verifying through Warden's KeyService port.
//
// Signature type. Warden's checkpoints are signed with type 0x02, "ECDSA signatures as implemented by
// github.com/transparency-dev/witness" (NIST P-256): the signature is ASN.1 DER ECDSA over SHA-256 of the note
// text, and the key id is the first four bytes of SHA-256 of the public key's DER SPKI encoding. That is
// exactly what Cloud KMS's EC_SIGN_P256_SHA256 returns for `AsymmetricSign(digest = SHA-256(text))`, i.e.
// `KeyService.signDigest` on the audit key that already certifies instance keys and signs digests: no new key
// and no change to the port. Sigstore's Rekor signs its checkpoints the same way. Ed25519 (type 0x01) would
// need KMS's EC_SIGN_ED25519, which signs the raw message rather than a digest, so a port method the KeyService
// does not have; verification supports both types, so Ed25519 witnesses and other logs' notes verify here.

import { createHash, createPublicKey, type KeyObject, sign as signWith, verify } from 'node:crypto';
import type { KeyService } from '../../ports/key-service.ts';
import { WardenError } from '../errors.ts';
import { HASH_SIZE } from './merkle.ts';

/** Signature type 0x01: Ed25519 over the note text (c2sp.org/signed-note). */
export const SIGNATURE_TYPE_ED25519 = 0x01;
/** Signature type 0x02: ECDSA (P-256, P-384 or P-521) over SHA-256 of the note text, DER (c2sp.org/signed-note). */
export const SIGNATURE_TYPE_ECDSA = 0x02;

/** Verifiers must accept at least 16 signatures (c2sp.org/signed-note); more than this is refused. */
export const MAX_SIGNATURES = 100;

const utf8 = new TextEncoder();
const EM_DASH = '\u2014';

function malformed(message: string): WardenError {
  return new WardenError('invalid_argument', message);
}

/** Standard base64 (RFC 4648 section 4), decoded strictly: padding required, no other characters. */
export function decodeBase64(text: string, what: string): Uint8Array {
  const bytes = Buffer.from(text, 'base64');
  // Node's decoder skips what it does not understand; a canonical re-encoding shows that it did not.
  if (bytes.toString('base64') !== text) throw malformed(`${what} is not base64`);
  return new Uint8Array(bytes);
}

const encodeBase64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** True when `name` may be a key name: non-empty, no Unicode space and no "+" (c2sp.org/signed-note). */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name) && name.isWellFormed();
}

/** True when `s` holds a character below U+0020 (other than newline, when `newline` allows it). */
function hasControlCharacter(s: string, newline: boolean): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 && !(newline && c === 0x0a)) return true;
  }
  return false;
}

// --- checkpoints (c2sp.org/tlog-checkpoint) ---

/** A checkpoint's body: the log's origin, the tree size and its RFC 6962 / RFC 9162 root hash. */
export interface Checkpoint {
  origin: string;
  size: number;
  rootHash: Uint8Array;
  /** Extension lines (opaque, non-empty; NOT RECOMMENDED by the spec, and Warden writes none). */
  extensions: string[];
}

/** The note text of a checkpoint: origin, size, base64 root hash, any extension lines; each ends in "\n". */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, size, rootHash, extensions } = checkpoint;
  // Warden's key name is the origin, so an origin must also be a valid key name.
  if (!isValidKeyName(origin)) throw malformed('a checkpoint origin is non-empty, with no space or "+"');
  if (!Number.isSafeInteger(size) || size < 0) throw malformed('a tree size is a non-negative integer');
  if (rootHash.length !== HASH_SIZE) throw malformed('a root hash is 32 bytes');
  for (const e of extensions)
    if (e === '' || hasControlCharacter(e, false))
      throw malformed('an extension line is non-empty, on one line');
  return [origin, String(size), encodeBase64(rootHash), ...extensions].map((l) => `${l}\n`).join('');
}

/** Parses a checkpoint's note text strictly (c2sp.org/tlog-checkpoint section "Note text"). */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw malformed('a checkpoint ends with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw malformed('a checkpoint has an origin, a tree size and a root hash line');
  if (lines.some((l) => l === '')) throw malformed('a checkpoint has no empty lines');
  const [origin, sizeLine, rootLine, ...extensions] = lines as [string, string, string, ...string[]];
  if (!/^(0|[1-9][0-9]*)$/.test(sizeLine) || !Number.isSafeInteger(Number(sizeLine)))
    throw malformed(`checkpoint tree size "${sizeLine.slice(0, 24)}" is not a decimal without leading zeros`);
  const rootHash = decodeBase64(rootLine, 'the checkpoint root hash');
  if (rootHash.length !== HASH_SIZE) throw malformed('the checkpoint root hash is not 32 bytes');
  return { origin, size: Number(sizeLine), rootHash, extensions };
}

// --- signed notes (c2sp.org/signed-note) ---

/** One signature line: the key name, the key id and the signature bytes (after the id). */
export interface NoteSignature {
  name: string;
  keyId: number;
  signature: Uint8Array;
}

/** A parsed note: its text (ending in "\n") and its signature lines in order. */
export interface Note {
  text: string;
  signatures: NoteSignature[];
}

/** Parses a signed note strictly: UTF-8, no control characters but newline, the format of c2sp.org/signed-note. */
export function parseNote(note: string | Uint8Array): Note {
  let s: string;
  if (typeof note === 'string') s = note;
  else {
    try {
      s = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(note);
    } catch {
      throw malformed('a note is UTF-8');
    }
  }
  if (!s.isWellFormed()) throw malformed('a note is UTF-8');
  if (hasControlCharacter(s, true)) throw malformed('a note has no control characters but newline');
  // The text ends at the last empty line: "text\n" "\n" "signature lines".
  const split = s.lastIndexOf('\n\n');
  if (split < 0) throw malformed('a note has a blank line between its text and its signatures');
  const text = s.slice(0, split + 1);
  const block = s.slice(split + 2);
  if (!block.endsWith('\n')) throw malformed('a note ends with a newline after its last signature');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw malformed(`a note has more than ${MAX_SIGNATURES} signatures`);
  const signatures = lines.map((line, i) => {
    const m = /^\u2014 ([^ ]+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!m || !isValidKeyName(m[1]!))
      throw malformed(`note signature line ${i + 1} is not "— <key name> <base64>"`);
    const bytes = decodeBase64(m[2]!, `note signature ${i + 1}`);
    if (bytes.length < 5) throw malformed(`note signature ${i + 1} is too short`);
    return {
      name: m[1]!,
      keyId: Buffer.from(bytes).readUInt32BE(0),
      signature: bytes.subarray(4),
    };
  });
  return { text, signatures };
}

/** A note: its text, a blank line, and one "— name base64(key id || signature)" line per signature. */
export function formatNote(text: string, signatures: readonly NoteSignature[]): string {
  if (!text.endsWith('\n')) throw malformed('a note text ends with a newline');
  if (signatures.length === 0) throw malformed('a note has at least one signature');
  const lines = signatures.map((sig) => {
    if (!isValidKeyName(sig.name)) throw malformed(`"${sig.name}" is not a key name`);
    const id = Buffer.alloc(4);
    id.writeUInt32BE(sig.keyId);
    return `${EM_DASH} ${sig.name} ${encodeBase64(Buffer.concat([id, sig.signature]))}\n`;
  });
  return `${text}\n${lines.join('')}`;
}

// --- keys ---

/** A key that checks note signatures: its name and id (the tuple a signature line names) and its type. */
export interface NoteVerifier {
  name: string;
  keyId: number;
  type: number;
  /** The public key material as a verifier key carries it (raw Ed25519 key, or DER SPKI for ECDSA). */
  publicKey: Uint8Array;
  verify(text: Uint8Array, signature: Uint8Array): boolean;
}

/** A key that signs notes. */
export interface NoteSigner {
  name: string;
  keyId: number;
  sign(text: Uint8Array): Promise<Uint8Array>;
}

const keyIdOf = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest().readUInt32BE(0);
};

/** Ed25519 key id: SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4] (c2sp.org/signed-note). */
export function ed25519KeyId(name: string, publicKey: Uint8Array): number {
  return keyIdOf(utf8.encode(name), Uint8Array.of(0x0a, SIGNATURE_TYPE_ED25519), publicKey);
}

/** ECDSA (type 0x02) key id: SHA-256(DER SPKI public key)[:4]; the name is not part of it (c2sp.org/signed-note). */
export function ecdsaKeyId(spkiDer: Uint8Array): number {
  return keyIdOf(spkiDer);
}

function rawEd25519(key: KeyObject): Uint8Array {
  return new Uint8Array(Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url'));
}

/** A verifier for Ed25519 signatures by `name`'s 32-byte public key (a KeyObject is accepted too). */
export function ed25519Verifier(name: string, publicKey: Uint8Array | KeyObject): NoteVerifier {
  if (!isValidKeyName(name)) throw malformed(`"${name}" is not a key name`);
  const raw = publicKey instanceof Uint8Array ? publicKey : rawEd25519(publicKey);
  if (raw.length !== 32) throw malformed('an Ed25519 public key is 32 bytes');
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') },
    format: 'jwk',
  });
  return {
    name,
    keyId: ed25519KeyId(name, raw),
    type: SIGNATURE_TYPE_ED25519,
    publicKey: raw,
    verify: (text, signature) => signature.length === 64 && safely(() => verify(null, text, key, signature)),
  };
}

const CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);

/** A verifier for ECDSA (type 0x02) signatures by `name`'s key: a PEM or DER SPKI P-256 (or P-384/P-521) key. */
export function ecdsaVerifier(name: string, publicKey: string | Uint8Array): NoteVerifier {
  if (!isValidKeyName(name)) throw malformed(`"${name}" is not a key name`);
  let key: KeyObject;
  try {
    key =
      typeof publicKey === 'string'
        ? createPublicKey(publicKey)
        : createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' });
  } catch {
    throw malformed('the public key is not a PEM or DER SPKI public key');
  }
  if (key.asymmetricKeyType !== 'ec' || !CURVES.has(key.asymmetricKeyDetails?.namedCurve ?? ''))
    throw malformed('an ECDSA note key is an EC key on P-256, P-384 or P-521');
  const der = new Uint8Array(key.export({ type: 'spki', format: 'der' }));
  return {
    name,
    keyId: ecdsaKeyId(der),
    type: SIGNATURE_TYPE_ECDSA,
    publicKey: der,
    verify: (text, signature) => safely(() => verify('sha256', text, key, signature)),
  };
}

function safely(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}

/** The verifier key ("vkey") text: `<name>+<hex key id>+<base64(type || public key)>` (c2sp.org/signed-note). */
export function formatVerifierKey(verifier: NoteVerifier): string {
  const id = verifier.keyId.toString(16).padStart(8, '0');
  return `${verifier.name}+${id}+${encodeBase64(Buffer.concat([Uint8Array.of(verifier.type), verifier.publicKey]))}`;
}

/** Parses a verifier key of type 0x01 (Ed25519) or 0x02 (ECDSA); its key id must match its key. */
export function parseVerifierKey(vkey: string): NoteVerifier {
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(vkey.trim());
  if (!m) throw malformed('a verifier key is <name>+<8 hex digits>+<base64>');
  const bytes = decodeBase64(m[3]!, 'the verifier key');
  const [type] = bytes;
  const verifier =
    type === SIGNATURE_TYPE_ED25519
      ? ed25519Verifier(m[1]!, bytes.subarray(1))
      : type === SIGNATURE_TYPE_ECDSA
        ? ecdsaVerifier(m[1]!, bytes.subarray(1))
        : undefined;
  if (!verifier) throw malformed(`verifier key type ${type} is not supported (0x01 Ed25519, 0x02 ECDSA)`);
  if (verifier.keyId !== Number.parseInt(m[2]!, 16))
    throw malformed("the verifier key's id does not match its key");
  return verifier;
}

/**
 * A signer that has Cloud KMS sign (through the KeyService port) with an EC_SIGN_P256_SHA256 key version:
 * one AsymmetricSign per note, over SHA-256 of the text. `publicKeyPem` is the key version's public key.
 */
export function kmsNoteSigner(
  keys: KeyService,
  keyVersion: string,
  name: string,
  publicKeyPem: string,
): NoteSigner {
  const { keyId } = ecdsaVerifier(name, publicKeyPem);
  return {
    name,
    keyId,
    sign: (text) => keys.signDigest(keyVersion, createHash('sha256').update(text).digest()),
  };
}

/** A signer with a local Ed25519 private key (a witness's key, or a test's). */
export function ed25519NoteSigner(name: string, privateKey: KeyObject): NoteSigner {
  const { keyId } = ed25519Verifier(name, createPublicKey(privateKey));
  return { name, keyId, sign: async (text) => new Uint8Array(signWith(null, text, privateKey)) };
}

/** Signs `text` (ending in "\n") with each signer; returns the signed note. */
export async function signNote(text: string, signers: readonly NoteSigner[]): Promise<string> {
  const bytes = utf8.encode(text);
  const signatures = await Promise.all(
    signers.map(async (s) => ({ name: s.name, keyId: s.keyId, signature: await s.sign(bytes) })),
  );
  const note = formatNote(text, signatures);
  parseNote(note); // what Warden signs must be a note any verifier accepts
  return note;
}

/** A note whose signatures checked out: its text and the known keys that signed it. */
export interface OpenedNote {
  text: string;
  signedBy: NoteVerifier[];
}

/**
 * Opens a signed note with the keys one trusts (c2sp.org/signed-note "Signatures"): signatures by unknown keys
 * (name and id not both matching a known key) are ignored; a signature by a known key that does not verify
 * rejects the whole note; and at least one known key must have signed it. Throws a WardenError ('integrity')
 * naming the key, or ('invalid_argument') for a malformed note.
 */
export function openNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  const { text, signatures } = parseNote(note);
  const bytes = utf8.encode(text);
  const signedBy: NoteVerifier[] = [];
  for (const sig of signatures) {
    const key = verifiers.find((v) => v.name === sig.name && v.keyId === sig.keyId);
    if (!key) continue;
    if (!key.verify(bytes, sig.signature))
      throw new WardenError('integrity', `the signature by ${describeKey(key)} does not verify`);
    if (!signedBy.includes(key)) signedBy.push(key);
  }
  if (signedBy.length === 0)
    throw new WardenError(
      'integrity',
      `no signature by a known key (${verifiers.map(describeKey).join(', ') || 'none given'})`,
    );
  return { text, signedBy };
}

/** "name+id" as a signature line names a key. */
export function describeKey(key: { name: string; keyId: number }): string {
  return `${key.name}+${key.keyId.toString(16).padStart(8, '0')}`;
}
