// The KMS stand-in's REST API: Cloud KMS's HTTP rules and proto3 JSON, served beside gRPC on the same port over
// the same keys, faults and latency model.

import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KeyManagementServiceClient } from '@google-cloud/kms';
import { status } from '@grpc/grpc-js';
import { crc32c } from '../crc32c.ts';
import type { Latency } from '../latency.ts';
import { type KmsKeySpec, type KmsStandIn, kmsClientOptions, startKmsStandIn } from './server.ts';

const RING = 'projects/warden-local/locations/us/keyRings/warden/cryptoKeys';
const ENC = `${RING}/phi-envelope`;
const SIG = `${RING}/audit-signing`;
const MAC = `${RING}/query-hmac`;
const SPECS: KmsKeySpec[] = [
  { name: ENC, purpose: 'ENCRYPT_DECRYPT' },
  { name: SIG, purpose: 'ASYMMETRIC_SIGN' },
  { name: MAC, purpose: 'MAC' },
];
const v1 = (key: string) => `${key}/cryptoKeyVersions/1`;
const b64 = (data: Uint8Array | string) => Buffer.from(data).toString('base64');
const crc = (data: Uint8Array | string) => String(crc32c(Buffer.from(data)));

describe('kms stand-in REST API (the functions’ lean KMS call)', () => {
  let stateDir: string;
  let standIn: KmsStandIn;
  let lines: string[];
  const delays: string[] = [];
  const latency: Latency = {
    delayMs(kind) {
      delays.push(kind);
      return 0;
    },
  };

  const call = async (verb: 'GET' | 'POST', route: string, json?: object) => {
    const res = await fetch(`http://${standIn.endpoint}/v1/${route}`, {
      method: verb,
      ...(json ? { body: JSON.stringify(json), headers: { 'content-type': 'application/json' } } : {}),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  before(async () => {
    stateDir = await mkdtemp(path.join(tmpdir(), 'kms-rest-'));
    lines = [];
    standIn = await startKmsStandIn({ stateDir, keys: SPECS, log: (l) => lines.push(l), latency });
  });
  after(async () => {
    await standIn.close();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('encrypts and decrypts with the request checksums verified and the answer’s checksums set', async () => {
    const sealed = await call('POST', `${ENC}:encrypt`, {
      plaintext: b64('secret'),
      plaintextCrc32c: crc('secret'),
      additionalAuthenticatedData: b64('aad'),
      additionalAuthenticatedDataCrc32c: crc('aad'),
    });
    assert.equal(sealed.status, 200);
    assert.equal(sealed.json.verifiedPlaintextCrc32c, true);
    assert.equal(sealed.json.verifiedAdditionalAuthenticatedDataCrc32c, true);
    assert.equal(sealed.json.name, v1(ENC));
    const ciphertext = Buffer.from(sealed.json.ciphertext as string, 'base64');
    assert.equal(sealed.json.ciphertextCrc32c, crc(ciphertext), 'an Int64Value is a decimal string');
    const opened = await call('POST', `${ENC}:decrypt`, {
      ciphertext: b64(ciphertext),
      ciphertextCrc32c: crc(ciphertext),
      additionalAuthenticatedData: b64('aad'),
    });
    assert.equal(opened.status, 200);
    assert.equal(Buffer.from(opened.json.plaintext as string, 'base64').toString(), 'secret');
    assert.equal(opened.json.plaintextCrc32c, crc('secret'));
  });

  it('leaves out a false verified flag, as proto3 JSON does, when no checksum was sent', async () => {
    const sealed = await call('POST', `${ENC}:encrypt`, { plaintext: b64('p') });
    assert.equal(sealed.status, 200);
    assert.equal('verifiedPlaintextCrc32c' in sealed.json, false);
  });

  it('answers a corrupt ciphertext with 400 INVALID_ARGUMENT in google.rpc.Status JSON', async () => {
    const bad = Buffer.from('not a ciphertext at all, not at all');
    const res = await call('POST', `${ENC}:decrypt`, { ciphertext: b64(bad), ciphertextCrc32c: crc(bad) });
    assert.equal(res.status, 400);
    const error = res.json.error as { code: number; status: string; message: string };
    assert.equal(error.code, 400);
    assert.equal(error.status, 'INVALID_ARGUMENT');
    assert.match(error.message, /ciphertext is invalid/);
  });

  it('refuses a request checksum that does not match its data', async () => {
    const res = await call('POST', `${ENC}:encrypt`, { plaintext: b64('p'), plaintextCrc32c: '1' });
    assert.equal(res.status, 400);
    assert.match((res.json.error as { message: string }).message, /plaintext_crc32c did not match/);
  });

  it('signs a digest that verifies with the PEM the REST and gRPC APIs both give', async () => {
    const digest = createHash('sha256').update('record').digest();
    const signed = await call('POST', `${v1(SIG)}:asymmetricSign`, {
      digest: { sha256: b64(digest) },
      digestCrc32c: crc(digest),
    });
    assert.equal(signed.status, 200);
    assert.equal(signed.json.verifiedDigestCrc32c, true);
    assert.equal(signed.json.name, v1(SIG));
    const signature = Buffer.from(signed.json.signature as string, 'base64');
    assert.equal(signed.json.signatureCrc32c, crc(signature));

    const pub = await call('GET', `${v1(SIG)}/publicKey`);
    assert.equal(pub.status, 200);
    assert.equal(pub.json.name, v1(SIG));
    assert.equal(pub.json.pemCrc32c, crc(pub.json.pem as string));
    const client = new KeyManagementServiceClient(kmsClientOptions(standIn.endpoint));
    try {
      const [grpcKey] = await client.getPublicKey({ name: v1(SIG) });
      assert.equal(grpcKey.pem, pub.json.pem, 'one key store behind both APIs');
      const key = createPublicKey(pub.json.pem as string);
      assert.equal(verify('sha256', Buffer.from('record'), key, signature), true);
      // And the other way: sealed over gRPC, opened over REST.
      const [sealed] = await client.encrypt({ name: ENC, plaintext: Buffer.from('both') });
      const ciphertext = Buffer.from(sealed.ciphertext as Uint8Array);
      const opened = await call('POST', `${ENC}:decrypt`, { ciphertext: b64(ciphertext) });
      assert.equal(Buffer.from(opened.json.plaintext as string, 'base64').toString(), 'both');
    } finally {
      await client.close();
    }
  });

  it('signs a MAC and reads key metadata by the HTTP rules', async () => {
    const mac = await call('POST', `${v1(MAC)}:macSign`, { data: b64('q'), dataCrc32c: crc('q') });
    assert.equal(mac.status, 200);
    assert.equal(mac.json.verifiedDataCrc32c, true);
    assert.equal(mac.json.macCrc32c, crc(Buffer.from(mac.json.mac as string, 'base64')));
    const key = await call('GET', ENC);
    assert.equal(key.json.purpose, 'ENCRYPT_DECRYPT');
    assert.match(key.json.createTime as string, /^\d{4}-\d\d-\d\dT/);
    const version = await call('GET', v1(SIG));
    assert.equal(version.json.state, 'ENABLED');
  });

  const failures: { name: string; verb: 'GET' | 'POST'; route: string; json?: object; http: number }[] = [
    {
      name: 'an unknown key is 404 NOT_FOUND',
      verb: 'GET',
      route: `${RING}/nope/cryptoKeyVersions/1/publicKey`,
      http: 404,
    },
    {
      name: 'a wrong purpose is 400 FAILED_PRECONDITION',
      verb: 'POST',
      route: `${SIG}:encrypt`,
      json: {},
      http: 400,
    },
    {
      name: 'bytes that are not base64 are 400',
      verb: 'POST',
      route: `${ENC}:encrypt`,
      json: { plaintext: '!!' },
      http: 400,
    },
    { name: 'an unknown route is 404', verb: 'POST', route: `${ENC}:rotate`, json: {}, http: 404 },
  ];
  for (const c of failures)
    it(c.name, async () => {
      const res = await call(c.verb, c.route, c.json);
      assert.equal(res.status, c.http);
      assert.equal((res.json.error as { code: number }).code, c.http);
    });

  it('answers an injected fault with its HTTP status, once, then serves again', async () => {
    standIn.failNext('AsymmetricSign', status.UNAVAILABLE);
    const digest = Buffer.alloc(32);
    const route = `${v1(SIG)}:asymmetricSign`;
    const failed = await call('POST', route, { digest: { sha256: b64(digest) } });
    assert.equal(failed.status, 503);
    assert.equal((failed.json.error as { status: string }).status, 'UNAVAILABLE');
    assert.equal((await call('POST', route, { digest: { sha256: b64(digest) } })).status, 200);
  });

  it('holds REST answers by the same latency model call kinds as gRPC (kms.<Method>)', async () => {
    delays.length = 0;
    await call('GET', `${v1(SIG)}/publicKey`);
    assert.deepEqual(delays, ['kms.GetPublicKey']);
  });

  it('logs a REST call as it logs a gRPC one: method, name and status, no payload', async () => {
    lines.length = 0;
    await call('POST', `${ENC}:encrypt`, { plaintext: b64('phi-value') });
    assert.deepEqual(lines, [`kms Encrypt ${ENC} -> OK`]);
  });
});
