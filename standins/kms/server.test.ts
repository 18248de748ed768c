import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KeyManagementServiceClient } from '@google-cloud/kms';
import { status } from '@grpc/grpc-js';
import { crc32c } from '../crc32c.ts';
import { STATE_FILE_NAME } from './key-store.ts';
import { type KmsKeySpec, type KmsStandIn, kmsClientOptions, startKmsStandIn } from './server.ts';

const RING = 'projects/warden-local/locations/us/keyRings/warden/cryptoKeys';
const ENC = `${RING}/phi-envelope`;
const SIG = `${RING}/audit-signing`;
const MAC = `${RING}/query-hmac`;
const MISSING = `${RING}/nope`;
const SPECS: KmsKeySpec[] = [
  { name: ENC, purpose: 'ENCRYPT_DECRYPT' },
  { name: SIG, purpose: 'ASYMMETRIC_SIGN' },
  { name: MAC, purpose: 'MAC' },
];
const v1 = (key: string) => `${key}/cryptoKeyVersions/1`;
const text = (s: string) => Buffer.from(s, 'utf8');
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest();
const crc = (data: Uint8Array) => ({ value: crc32c(data) });

interface Fixture {
  standIn: KmsStandIn;
  client: KeyManagementServiceClient;
  lines: string[];
  stop(): Promise<void>;
}

async function startFixture(stateDir: string): Promise<Fixture> {
  const lines: string[] = [];
  const standIn = await startKmsStandIn({ stateDir, keys: SPECS, log: (line) => lines.push(line) });
  const client = new KeyManagementServiceClient(kmsClientOptions(standIn.endpoint));
  return {
    standIn,
    client,
    lines,
    async stop() {
      await client.close();
      await standIn.close();
    },
  };
}

/** Asserts `call` fails with gRPC `code` and, when given, a message matching `message`. */
async function assertFails(call: Promise<unknown>, code: status, message?: RegExp): Promise<void> {
  await assert.rejects(call, (err: { code?: number; message?: string }) => {
    assert.equal(err.code, code, `expected ${status[code]}, got ${err.code}: ${err.message}`);
    if (message) assert.match(err.message ?? '', message);
    return true;
  });
}

/** A plaintext whose CRC32C does not fit a signed 32-bit integer. */
function plaintextWithHighCrc(): Buffer {
  for (let i = 0; ; i++) {
    const candidate = text(`high-crc-${i}`);
    if (crc32c(candidate) >= 2 ** 31) return candidate;
  }
}

describe('kms stand-in served to the official KeyManagementServiceClient', () => {
  const savedCredentials = process.env['GOOGLE_APPLICATION_CREDENTIALS'];
  let stateDir: string;
  let f: Fixture;

  before(async () => {
    delete process.env['GOOGLE_APPLICATION_CREDENTIALS'];
    stateDir = await mkdtemp(path.join(tmpdir(), 'warden-kms-'));
    f = await startFixture(stateDir);
  });
  after(async () => {
    await f.stop();
    await rm(stateDir, { recursive: true, force: true });
    if (savedCredentials !== undefined) process.env['GOOGLE_APPLICATION_CREDENTIALS'] = savedCredentials;
  });

  describe('connection', () => {
    it('serves calls without the client ever resolving Google credentials', async () => {
      const client = new KeyManagementServiceClient(kmsClientOptions(f.standIn.endpoint));
      let credentialLookups = 0;
      client.auth.getClient = async () => {
        credentialLookups++;
        throw new Error('tests have no Google credentials');
      };
      try {
        const [key] = await client.getCryptoKey({ name: ENC });
        assert.equal(key.name, ENC);
        assert.equal(credentialLookups, 0);
      } finally {
        await client.close();
      }
    });

    it('listens on an ephemeral loopback port and reports it as the endpoint', () => {
      assert.ok(f.standIn.port > 0);
      assert.equal(f.standIn.endpoint, `127.0.0.1:${f.standIn.port}`);
    });

    it('splits an endpoint into the client options', () => {
      const options = kmsClientOptions('127.0.0.1:8443');
      assert.equal(options.apiEndpoint, '127.0.0.1');
      assert.equal(options.port, 8443);
      assert.equal(options.universeDomain, 'googleapis.com');
      assert.throws(() => kmsClientOptions('localhost'), /expected host:port/);
    });
  });

  describe('Encrypt and Decrypt', () => {
    it('round-trips plaintext with AAD, verifying and returning CRC32C both ways', async () => {
      const plaintext = text('MRN 0042: hypertension');
      const aad = text('warden:tenant-a');
      const [enc] = await f.client.encrypt({
        name: ENC,
        plaintext,
        additionalAuthenticatedData: aad,
        plaintextCrc32c: crc(plaintext),
        additionalAuthenticatedDataCrc32c: crc(aad),
      });
      const ciphertext = enc.ciphertext as Uint8Array;
      assert.equal(enc.name, v1(ENC));
      assert.equal(enc.verifiedPlaintextCrc32c, true);
      assert.equal(enc.verifiedAdditionalAuthenticatedDataCrc32c, true);
      assert.equal(enc.protectionLevel, 'SOFTWARE');
      assert.equal(Number(enc.ciphertextCrc32c?.value), crc32c(ciphertext));
      assert.ok(!Buffer.from(ciphertext).includes(plaintext));

      const [dec] = await f.client.decrypt({
        name: ENC,
        ciphertext,
        additionalAuthenticatedData: aad,
        ciphertextCrc32c: crc(ciphertext),
        additionalAuthenticatedDataCrc32c: crc(aad),
      });
      assert.deepEqual(Buffer.from(dec.plaintext as Uint8Array), plaintext);
      assert.equal(Number(dec.plaintextCrc32c?.value), crc32c(plaintext));
      assert.equal(dec.usedPrimary, true);
    });

    it('reports unverified checksums when the request carries none', async () => {
      const [enc] = await f.client.encrypt({ name: ENC, plaintext: text('x') });
      assert.equal(enc.verifiedPlaintextCrc32c, false);
      assert.equal(enc.verifiedAdditionalAuthenticatedDataCrc32c, false);
    });

    it('carries CRC32C values of 2^31 and above intact through the Int64Value wrappers', async () => {
      const plaintext = plaintextWithHighCrc();
      const [enc] = await f.client.encrypt({ name: ENC, plaintext, plaintextCrc32c: crc(plaintext) });
      const [dec] = await f.client.decrypt({ name: ENC, ciphertext: enc.ciphertext });
      assert.equal(enc.verifiedPlaintextCrc32c, true);
      assert.equal(String(dec.plaintextCrc32c?.value), String(crc32c(plaintext)));
      assert.ok(Number(dec.plaintextCrc32c?.value) >= 2 ** 31);
    });

    it('encrypts with an explicitly named version', async () => {
      const [enc] = await f.client.encrypt({ name: v1(ENC), plaintext: text('versioned') });
      const [dec] = await f.client.decrypt({ name: ENC, ciphertext: enc.ciphertext });
      assert.equal(enc.name, v1(ENC));
      assert.equal(Buffer.from(dec.plaintext as Uint8Array).toString(), 'versioned');
    });

    it('encrypts an empty plaintext', async () => {
      const [enc] = await f.client.encrypt({ name: ENC, plaintext: Buffer.alloc(0) });
      const [dec] = await f.client.decrypt({ name: ENC, ciphertext: enc.ciphertext });
      assert.equal(Buffer.from(dec.plaintext as Uint8Array).length, 0);
    });

    const badDecrypts: { name: string; ciphertext: (c: Buffer) => Buffer; aad?: Buffer }[] = [
      { name: 'a different AAD', ciphertext: (c) => c, aad: text('warden:tenant-b') },
      { name: 'no AAD', ciphertext: (c) => c, aad: Buffer.alloc(0) },
      { name: 'a flipped ciphertext byte', ciphertext: (c) => flipByte(c, c.length - 20) },
      { name: 'a flipped tag byte', ciphertext: (c) => flipByte(c, c.length - 1) },
      { name: 'a rewritten key version', ciphertext: (c) => flipByte(c, 4) },
      { name: 'a truncated ciphertext', ciphertext: (c) => c.subarray(0, 10) },
      { name: 'an empty ciphertext', ciphertext: () => Buffer.alloc(0) },
    ];
    for (const c of badDecrypts) {
      it(`rejects decryption with ${c.name} as INVALID_ARGUMENT`, async () => {
        const aad = text('warden:tenant-a');
        const [enc] = await f.client.encrypt({
          name: ENC,
          plaintext: text('secret'),
          additionalAuthenticatedData: aad,
        });
        const ciphertext = c.ciphertext(Buffer.from(enc.ciphertext as Uint8Array));
        await assertFails(
          f.client.decrypt({ name: ENC, ciphertext, additionalAuthenticatedData: c.aad ?? aad }),
          status.INVALID_ARGUMENT,
          /Decryption failed/,
        );
      });
    }

    it('rejects plaintext over 64 KiB as INVALID_ARGUMENT', async () => {
      await assertFails(
        f.client.encrypt({ name: ENC, plaintext: Buffer.alloc(64 * 1024 + 1) }),
        status.INVALID_ARGUMENT,
      );
    });

    it('rejects Decrypt on a version name, which Cloud KMS does not accept', async () => {
      const [enc] = await f.client.encrypt({ name: ENC, plaintext: text('x') });
      await assertFails(
        f.client.decrypt({ name: v1(ENC), ciphertext: enc.ciphertext }),
        status.INVALID_ARGUMENT,
      );
    });
  });

  describe('AsymmetricSign and GetPublicKey', () => {
    it('signs a SHA-256 digest so node:crypto verifies the data with the published PEM', async () => {
      const data = text('{"seq":1,"prev":"00"}');
      const digest = sha256(data);
      const [signed] = await f.client.asymmetricSign({
        name: v1(SIG),
        digest: { sha256: digest },
        digestCrc32c: crc(digest),
      });
      const [publicKey] = await f.client.getPublicKey({ name: v1(SIG) });
      const signature = Buffer.from(signed.signature as Uint8Array);
      assert.equal(verify('sha256', data, publicKey.pem!, signature), true);
      assert.equal(verify('sha256', text('tampered'), publicKey.pem!, signature), false);
      assert.equal(signed.name, v1(SIG));
      assert.equal(signed.verifiedDigestCrc32c, true);
      assert.equal(signed.verifiedDataCrc32c, false);
      assert.equal(Number(signed.signatureCrc32c?.value), crc32c(signature));
    });

    it('publishes the public key with algorithm, checksum, name and protection level', async () => {
      const [publicKey] = await f.client.getPublicKey({ name: v1(SIG) });
      assert.match(publicKey.pem!, /^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/);
      assert.equal(Number(publicKey.pemCrc32c?.value), crc32c(text(publicKey.pem!)));
      assert.equal(publicKey.algorithm, 'EC_SIGN_P256_SHA256');
      assert.equal(publicKey.name, v1(SIG));
      assert.equal(publicKey.protectionLevel, 'SOFTWARE');
      const details = createPublicKey(publicKey.pem!).asymmetricKeyDetails;
      assert.equal(details?.namedCurve, 'prime256v1');
    });

    it('publishes the same key as checksummed DER on request', async () => {
      const [pem] = await f.client.getPublicKey({ name: v1(SIG) });
      const [der] = await f.client.getPublicKey({ name: v1(SIG), publicKeyFormat: 'DER' });
      const data = Buffer.from(der.publicKey?.data as Uint8Array);
      assert.deepEqual(data, createPublicKey(pem.pem!).export({ type: 'spki', format: 'der' }));
      assert.equal(Number(der.publicKey?.crc32cChecksum?.value), crc32c(data));
      assert.equal(der.publicKeyFormat, 'DER');
    });

    const badSigns = [
      {
        name: 'a SHA-384 digest',
        request: { name: v1(SIG), digest: { sha384: Buffer.alloc(48) } },
        error: /sha384/,
      },
      {
        name: 'a 31-byte SHA-256 digest',
        request: { name: v1(SIG), digest: { sha256: Buffer.alloc(31) } },
        error: /32 bytes/,
      },
      { name: 'no digest', request: { name: v1(SIG) }, error: /digest is required/ },
      {
        name: 'raw data, which EC_SIGN_P256_SHA256 does not take',
        request: { name: v1(SIG), data: text('x') },
        error: /data/,
      },
      {
        name: 'a crypto key instead of a version',
        request: { name: SIG, digest: { sha256: Buffer.alloc(32) } },
        error: /CryptoKeyVersion/,
      },
    ];
    for (const c of badSigns) {
      it(`rejects signing with ${c.name} as INVALID_ARGUMENT`, async () => {
        await assertFails(f.client.asymmetricSign(c.request), status.INVALID_ARGUMENT, c.error);
      });
    }
  });

  describe('MacSign and MacVerify', () => {
    const data = text('SELECT * FROM claims');

    it('produces a MAC that MacVerify accepts, with checksums verified both ways', async () => {
      const [signed] = await f.client.macSign({ name: v1(MAC), data, dataCrc32c: crc(data) });
      const mac = Buffer.from(signed.mac as Uint8Array);
      const [verified] = await f.client.macVerify({
        name: v1(MAC),
        data,
        mac,
        dataCrc32c: crc(data),
        macCrc32c: crc(mac),
      });
      assert.equal(mac.length, 32);
      assert.equal(signed.name, v1(MAC));
      assert.equal(signed.verifiedDataCrc32c, true);
      assert.equal(Number(signed.macCrc32c?.value), crc32c(mac));
      assert.equal(verified.success, true);
      assert.equal(verified.verifiedDataCrc32c, true);
      assert.equal(verified.verifiedMacCrc32c, true);
      assert.equal(verified.verifiedSuccessIntegrity, true);
    });

    const mismatches = [
      { name: 'a MAC with a flipped bit', data, mac: (m: Buffer) => flipByte(m, 0) },
      { name: 'a truncated MAC', data, mac: (m: Buffer) => m.subarray(0, 16) },
      { name: 'other data', data: text('SELECT * FROM claim'), mac: (m: Buffer) => m },
    ];
    for (const c of mismatches) {
      it(`reports success=false for ${c.name}`, async () => {
        const [signed] = await f.client.macSign({ name: v1(MAC), data });
        const mac = c.mac(Buffer.from(signed.mac as Uint8Array));
        const [verified] = await f.client.macVerify({ name: v1(MAC), data: c.data, mac });
        assert.equal(verified.success, false);
      });
    }
  });

  describe('request checksums', () => {
    const wrong = { value: 12345 };
    const payload = text('payload');
    const digest = sha256(payload);
    const cases = [
      {
        name: 'Encrypt plaintext_crc32c',
        field: 'plaintext_crc32c',
        call: () => f.client.encrypt({ name: ENC, plaintext: payload, plaintextCrc32c: wrong }),
      },
      {
        name: 'Encrypt additional_authenticated_data_crc32c',
        field: 'additional_authenticated_data_crc32c',
        call: () =>
          f.client.encrypt({
            name: ENC,
            plaintext: payload,
            additionalAuthenticatedData: payload,
            additionalAuthenticatedDataCrc32c: wrong,
          }),
      },
      {
        name: 'Decrypt ciphertext_crc32c',
        field: 'ciphertext_crc32c',
        call: async () => {
          const [enc] = await f.client.encrypt({ name: ENC, plaintext: payload });
          return f.client.decrypt({ name: ENC, ciphertext: enc.ciphertext, ciphertextCrc32c: wrong });
        },
      },
      {
        name: 'Decrypt additional_authenticated_data_crc32c',
        field: 'additional_authenticated_data_crc32c',
        call: async () => {
          const [enc] = await f.client.encrypt({
            name: ENC,
            plaintext: payload,
            additionalAuthenticatedData: payload,
          });
          return f.client.decrypt({
            name: ENC,
            ciphertext: enc.ciphertext,
            additionalAuthenticatedData: payload,
            additionalAuthenticatedDataCrc32c: wrong,
          });
        },
      },
      {
        name: 'AsymmetricSign digest_crc32c',
        field: 'digest_crc32c',
        call: () =>
          f.client.asymmetricSign({ name: v1(SIG), digest: { sha256: digest }, digestCrc32c: wrong }),
      },
      {
        name: 'MacSign data_crc32c',
        field: 'data_crc32c',
        call: () => f.client.macSign({ name: v1(MAC), data: payload, dataCrc32c: wrong }),
      },
      {
        name: 'MacVerify data_crc32c',
        field: 'data_crc32c',
        call: () => f.client.macVerify({ name: v1(MAC), data: payload, mac: digest, dataCrc32c: wrong }),
      },
      {
        name: 'MacVerify mac_crc32c',
        field: 'mac_crc32c',
        call: () => f.client.macVerify({ name: v1(MAC), data: payload, mac: digest, macCrc32c: wrong }),
      },
    ];
    for (const c of cases) {
      it(`rejects a mismatched ${c.name} as INVALID_ARGUMENT`, async () => {
        await assertFails(
          c.call(),
          status.INVALID_ARGUMENT,
          new RegExp(`checksum in field ${c.field} did not match`),
        );
      });
    }
  });

  describe('key resolution errors', () => {
    const digest = { sha256: Buffer.alloc(32) };
    const wrongPurpose = [
      {
        name: 'Encrypt with a signing key',
        call: () => f.client.encrypt({ name: SIG, plaintext: text('x') }),
      },
      { name: 'Decrypt with a MAC key', call: () => f.client.decrypt({ name: MAC, ciphertext: text('x') }) },
      {
        name: 'AsymmetricSign with an encryption key',
        call: () => f.client.asymmetricSign({ name: v1(ENC), digest }),
      },
      { name: 'GetPublicKey of a MAC key', call: () => f.client.getPublicKey({ name: v1(MAC) }) },
      {
        name: 'MacSign with an encryption key',
        call: () => f.client.macSign({ name: v1(ENC), data: text('x') }),
      },
      {
        name: 'MacVerify with a signing key',
        call: () => f.client.macVerify({ name: v1(SIG), data: text('x'), mac: text('y') }),
      },
    ];
    for (const c of wrongPurpose) {
      it(`answers ${c.name} with FAILED_PRECONDITION`, async () => {
        await assertFails(c.call(), status.FAILED_PRECONDITION, /purpose/);
      });
    }

    const missing = [
      {
        name: 'Encrypt with an undeclared key',
        call: () => f.client.encrypt({ name: MISSING, plaintext: text('x') }),
      },
      {
        name: 'Decrypt with an undeclared key',
        call: () => f.client.decrypt({ name: MISSING, ciphertext: text('x') }),
      },
      {
        name: 'AsymmetricSign with version 2',
        call: () => f.client.asymmetricSign({ name: `${SIG}/cryptoKeyVersions/2`, digest }),
      },
      { name: 'GetPublicKey of an undeclared key', call: () => f.client.getPublicKey({ name: v1(MISSING) }) },
      {
        name: 'MacSign with an undeclared key',
        call: () => f.client.macSign({ name: v1(MISSING), data: text('x') }),
      },
      { name: 'GetCryptoKey of an undeclared key', call: () => f.client.getCryptoKey({ name: MISSING }) },
      {
        name: 'a key in another key ring',
        call: () => f.client.encrypt({ name: ENC.replace('/warden/', '/other/'), plaintext: text('x') }),
      },
    ];
    for (const c of missing) {
      it(`answers ${c.name} with NOT_FOUND`, async () => {
        await assertFails(c.call(), status.NOT_FOUND, /not found/);
      });
    }

    it('answers a malformed resource name with INVALID_ARGUMENT', async () => {
      await assertFails(
        f.client.encrypt({ name: 'projects/p/keyRings/r', plaintext: text('x') }),
        status.INVALID_ARGUMENT,
      );
    });
  });

  describe('key metadata', () => {
    it('describes an encryption key with its primary version', async () => {
      const [key] = await f.client.getCryptoKey({ name: ENC });
      assert.equal(key.purpose, 'ENCRYPT_DECRYPT');
      assert.equal(key.primary?.name, v1(ENC));
      assert.equal(key.primary?.state, 'ENABLED');
      assert.equal(key.versionTemplate?.algorithm, 'GOOGLE_SYMMETRIC_ENCRYPTION');
      assert.ok(Number(key.createTime?.seconds) > 0);
    });

    const versions = [
      { key: SIG, algorithm: 'EC_SIGN_P256_SHA256' },
      { key: MAC, algorithm: 'HMAC_SHA256' },
    ];
    for (const c of versions) {
      it(`describes version 1 of ${path.basename(c.key)} as an enabled ${c.algorithm} software key`, async () => {
        const [version] = await f.client.getCryptoKeyVersion({ name: v1(c.key) });
        assert.equal(version.name, v1(c.key));
        assert.equal(version.state, 'ENABLED');
        assert.equal(version.algorithm, c.algorithm);
        assert.equal(version.protectionLevel, 'SOFTWARE');
      });
    }
  });

  describe('fault injection', () => {
    it('fails the next call with the injected code, then serves normally', async () => {
      f.standIn.failNext('MacSign', status.PERMISSION_DENIED);
      await assertFails(
        f.client.macSign({ name: v1(MAC), data: text('x') }),
        status.PERMISSION_DENIED,
        /injected/,
      );
      const [signed] = await f.client.macSign({ name: v1(MAC), data: text('x') });
      assert.equal((signed.mac as Uint8Array).length, 32);
    });

    it('fails as many calls as asked', async () => {
      f.standIn.failNext('GetCryptoKey', status.INTERNAL, 2);
      await assertFails(f.client.getCryptoKey({ name: ENC }), status.INTERNAL);
      await assertFails(f.client.getCryptoKey({ name: ENC }), status.INTERNAL);
      const [key] = await f.client.getCryptoKey({ name: ENC });
      assert.equal(key.name, ENC);
    });

    it('only affects the named method', async () => {
      f.standIn.failNext('Decrypt', status.ABORTED);
      const [enc] = await f.client.encrypt({ name: ENC, plaintext: text('x') });
      await assertFails(f.client.decrypt({ name: ENC, ciphertext: enc.ciphertext }), status.ABORTED);
    });

    it('lets the client retry an injected UNAVAILABLE, as it does against Cloud KMS', async () => {
      f.standIn.failNext('Encrypt', status.UNAVAILABLE);
      const before = f.lines.length;
      const [enc] = await f.client.encrypt({ name: ENC, plaintext: text('x') });
      assert.equal(enc.name, v1(ENC));
      assert.deepEqual(
        f.lines.slice(before).map((l) => l.split(' -> ')[1]),
        ['UNAVAILABLE', 'OK'],
      );
    });
  });

  describe('logging', () => {
    it('logs method, resource and status per call but never the payload', async () => {
      const before = f.lines.length;
      await f.client.encrypt({ name: ENC, plaintext: text('do-not-log-me') });
      await f.client.getCryptoKey({ name: MISSING }).catch(() => undefined);
      const lines = f.lines.slice(before);
      assert.deepEqual(lines, [`kms Encrypt ${ENC} -> OK`, `kms GetCryptoKey ${MISSING} -> NOT_FOUND`]);
      assert.ok(!lines.join('\n').includes('do-not-log-me'));
    });
  });
});

describe('kms stand-in persistence across restarts', () => {
  let stateDir: string;
  before(async () => {
    stateDir = await mkdtemp(path.join(tmpdir(), 'warden-kms-restart-'));
  });
  after(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it('decrypts, verifies signatures and MACs from before the restart', async () => {
    const aad = text('warden:tenant-a');
    const data = text('audit record before restart');
    const first = await startFixture(stateDir);
    const [enc] = await first.client.encrypt({
      name: ENC,
      plaintext: text('kept'),
      additionalAuthenticatedData: aad,
    });
    const [signed] = await first.client.asymmetricSign({ name: v1(SIG), digest: { sha256: sha256(data) } });
    const [mac] = await first.client.macSign({ name: v1(MAC), data });
    await first.stop();

    const second = await startFixture(stateDir);
    try {
      assert.notEqual(second.standIn.port, 0);
      const [dec] = await second.client.decrypt({
        name: ENC,
        ciphertext: enc.ciphertext,
        additionalAuthenticatedData: aad,
      });
      const [publicKey] = await second.client.getPublicKey({ name: v1(SIG) });
      const [macCheck] = await second.client.macVerify({ name: v1(MAC), data, mac: mac.mac });
      assert.equal(Buffer.from(dec.plaintext as Uint8Array).toString(), 'kept');
      assert.equal(verify('sha256', data, publicKey.pem!, Buffer.from(signed.signature as Uint8Array)), true);
      assert.equal(macCheck.success, true);
    } finally {
      await second.stop();
    }
  });

  it('keeps the key material in an owner-only state file', async () => {
    const mode = (await stat(path.join(stateDir, STATE_FILE_NAME))).mode & 0o777;
    assert.equal(mode, 0o600);
  });
});

function flipByte(bytes: Buffer, index: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[index] = copy[index]! ^ 0x01;
  return copy;
}
