// Port: the Cloud KMS operations Warden needs (credential decryption, audit signing, MACs).

/** Cryptographic operations on keys that never leave the key service. */
export interface KeyService {
  /** Encrypts `plaintext` with a symmetric key (crypto key name); returns the ciphertext. */
  encrypt(keyName: string, plaintext: Uint8Array, aad?: Uint8Array): Promise<Uint8Array>;
  /** Decrypts `ciphertext` with a symmetric key (crypto key name). */
  decrypt(keyName: string, ciphertext: Uint8Array, aad?: Uint8Array): Promise<Uint8Array>;
  /** Signs a SHA-256 digest with an asymmetric key version; returns a DER-encoded ECDSA signature. */
  signDigest(keyVersionName: string, sha256Digest: Uint8Array): Promise<Uint8Array>;
  /** The PEM (SPKI) public key of an asymmetric key version. */
  getPublicKeyPem(keyVersionName: string): Promise<string>;
  /** HMAC-SHA256 of `data` with a MAC key version (the key never leaves the service). */
  macSign(keyVersionName: string, data: Uint8Array): Promise<Uint8Array>;
}
