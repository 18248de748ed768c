import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type KmsKeySpec, openKeyStore, STATE_FILE_NAME } from './key-store.ts';

const RING = 'projects/p/locations/global/keyRings/warden/cryptoKeys';
const ENC: KmsKeySpec = { name: `${RING}/enc`, purpose: 'ENCRYPT_DECRYPT' };
const SIG: KmsKeySpec = { name: `${RING}/sig`, purpose: 'ASYMMETRIC_SIGN' };
const MAC: KmsKeySpec = { name: `${RING}/mac`, purpose: 'MAC' };

describe('kms stand-in key store', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'warden-kms-store-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('generates one enabled version 1 per declared key with the algorithm of its purpose', async () => {
    const keys = await openKeyStore(dir, [ENC, SIG, MAC]);
    const summary = [...keys.values()].map((k) => [
      k.name,
      k.algorithm,
      k.primaryVersion,
      [...k.versions.keys()],
    ]);
    assert.deepEqual(summary, [
      [ENC.name, 'GOOGLE_SYMMETRIC_ENCRYPTION', 1, [1]],
      [SIG.name, 'EC_SIGN_P256_SHA256', 1, [1]],
      [MAC.name, 'HMAC_SHA256', 1, [1]],
    ]);
    assert.equal(keys.get(ENC.name)!.versions.get(1)!.name, `${ENC.name}/cryptoKeyVersions/1`);
  });

  it('persists material to an owner-only file and reloads the same material', async () => {
    const first = await openKeyStore(dir, [ENC, SIG]);
    const mode = (await stat(path.join(dir, STATE_FILE_NAME))).mode & 0o777;
    const second = await openKeyStore(dir, [SIG, ENC]);
    assert.equal(mode, 0o600);
    for (const name of [ENC.name, SIG.name]) {
      assert.deepEqual(
        second.get(name)!.versions.get(1)!.material,
        first.get(name)!.versions.get(1)!.material,
      );
    }
  });

  it('keeps keys no longer declared on disk without serving them, and restores them when redeclared', async () => {
    const first = await openKeyStore(dir, [ENC, MAC]);
    const narrowed = await openKeyStore(dir, [ENC]);
    const widened = await openKeyStore(dir, [ENC, MAC]);
    assert.deepEqual([...narrowed.keys()], [ENC.name]);
    assert.deepEqual(
      widened.get(MAC.name)!.versions.get(1)!.material,
      first.get(MAC.name)!.versions.get(1)!.material,
    );
  });

  it('gives different keys different material', async () => {
    const keys = await openKeyStore(dir, [ENC, { name: `${RING}/enc2`, purpose: 'ENCRYPT_DECRYPT' }]);
    const [a, b] = [...keys.values()].map((k) => k.versions.get(1)!.material);
    assert.notDeepEqual(a, b);
  });

  it('restores owner-only permissions on an existing state file', async () => {
    await openKeyStore(dir, [ENC]);
    const file = path.join(dir, STATE_FILE_NAME);
    await chmod(file, 0o644);
    await openKeyStore(dir, [ENC]);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
  });

  const rejected: { name: string; specs: KmsKeySpec[]; error: RegExp }[] = [
    {
      name: 'a key ring name',
      specs: [{ name: 'projects/p/locations/l/keyRings/r', purpose: 'MAC' }],
      error: /malformed/,
    },
    {
      name: 'a version name',
      specs: [{ name: `${ENC.name}/cryptoKeyVersions/1`, purpose: 'MAC' }],
      error: /malformed/,
    },
    { name: 'a duplicate key', specs: [ENC, ENC], error: /declared twice/ },
    {
      name: 'an unknown purpose',
      specs: [{ name: ENC.name, purpose: 'SIGN' as 'MAC' }],
      error: /unsupported purpose/,
    },
  ];
  for (const c of rejected) {
    it(`refuses to start with ${c.name}`, async () => {
      await assert.rejects(openKeyStore(dir, c.specs), c.error);
    });
  }

  it('refuses to reuse a persisted key under a different purpose', async () => {
    await openKeyStore(dir, [ENC]);
    await assert.rejects(
      openKeyStore(dir, [{ name: ENC.name, purpose: 'MAC' }]),
      /created with purpose ENCRYPT_DECRYPT/,
    );
  });

  it('refuses a state file it does not recognise rather than overwriting it', async () => {
    const file = path.join(dir, STATE_FILE_NAME);
    await writeFile(file, JSON.stringify({ format: 'other', keys: {} }));
    await assert.rejects(openKeyStore(dir, [ENC]), /not a valid state file/);
    assert.equal(await readFile(file, 'utf8'), JSON.stringify({ format: 'other', keys: {} }));
  });
});
