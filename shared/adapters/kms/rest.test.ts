// The lean Cloud KMS call against a real local HTTP server: the requests it sends (HTTP rule, proto3 JSON, CRC32Cs),
// every integrity check on the answers, the official client's retries, deadlines and failures, all fail closed.

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { crc32c } from '../../core/crc32c.ts';
import { isWardenError } from '../../core/errors.ts';
import { KMS_SCOPE, KmsRestKeyService, kmsRestTarget } from './rest.ts';

const KEY = 'projects/p/locations/l/keyRings/r/cryptoKeys/k';
const VERSION = `${KEY}/cryptoKeyVersions/1`;
const bytes = (s: string) => new TextEncoder().encode(s);
const b64 = (s: string | Uint8Array) => Buffer.from(s).toString('base64');
const crc = (s: string | Uint8Array) => String(crc32c(typeof s === 'string' ? bytes(s) : s));

interface Seen {
  method: string;
  url: string;
  body: Record<string, unknown> | undefined;
}

/** A KMS double answering each request with the next scripted answer (`'close'`: drops the socket; `'silent'`: never answers). */
async function scripted(answers: ({ status: number; json: unknown } | 'close' | 'silent')[]) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      seen.push({ method: req.method ?? '', url: req.url ?? '', body: text ? JSON.parse(text) : undefined });
      const answer = answers.shift() ?? { status: 500, json: {} };
      if (answer === 'silent') return;
      if (answer === 'close') return void req.socket.destroy();
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.json));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `http://${endpoint}`,
    keys: (deadlineMs = 5000) =>
      new KmsRestKeyService({ ...kmsRestTarget(endpoint), deadlineMs, retryDelayMs: 1 }),
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const ok = (json: unknown) => ({ status: 200, json });
const rpcError = (status: number, name: string) => ({
  status,
  json: { error: { code: status, message: 'm', status: name } },
});
const signed = {
  signature: b64('sig'),
  signatureCrc32c: crc('sig'),
  verifiedDigestCrc32c: true,
  name: VERSION,
};

describe('KmsRestKeyService: the requests it sends', () => {
  it('asymmetricSign: POST /v1/{version}:asymmetricSign, the digest base64 and its CRC32C as a string', async () => {
    const s = await scripted([ok(signed)]);
    const digest = new Uint8Array(32).fill(7);
    assert.deepEqual(await s.keys().signDigest(VERSION, digest), bytes('sig'));
    assert.deepEqual(s.seen[0], {
      method: 'POST',
      url: `/v1/${VERSION}:asymmetricSign`,
      body: { digest: { sha256: b64(digest) }, digestCrc32c: crc(digest) },
    });
    await s.close();
  });

  it('decrypt and encrypt send the AAD and its CRC32C; getPublicKey is a GET of /publicKey', async () => {
    const s = await scripted([
      ok({ plaintext: b64('p'), plaintextCrc32c: crc('p') }),
      ok({
        ciphertext: b64('c'),
        ciphertextCrc32c: crc('c'),
        verifiedPlaintextCrc32c: true,
        verifiedAdditionalAuthenticatedDataCrc32c: true,
      }),
      ok({ pem: 'PEM', pemCrc32c: crc('PEM'), name: VERSION }),
      ok({ mac: b64('m'), macCrc32c: crc('m'), verifiedDataCrc32c: true, name: VERSION }),
    ]);
    const keys = s.keys();
    assert.deepEqual(await keys.decrypt(KEY, bytes('c'), bytes('a')), bytes('p'));
    assert.deepEqual(await keys.encrypt(KEY, bytes('p'), bytes('a')), bytes('c'));
    assert.equal(await keys.getPublicKeyPem(VERSION), 'PEM');
    assert.deepEqual(await keys.macSign(VERSION, bytes('d')), bytes('m'));
    assert.deepEqual(
      s.seen.map((r) => `${r.method} ${r.url}`),
      [
        `POST /v1/${KEY}:decrypt`,
        `POST /v1/${KEY}:encrypt`,
        `GET /v1/${VERSION}/publicKey`,
        `POST /v1/${VERSION}:macSign`,
      ],
    );
    assert.deepEqual(s.seen[0]?.body, {
      ciphertext: b64('c'),
      ciphertextCrc32c: crc('c'),
      additionalAuthenticatedData: b64('a'),
      additionalAuthenticatedDataCrc32c: crc('a'),
    });
    assert.equal(s.seen[2]?.body, undefined);
    assert.deepEqual(s.seen[3]?.body, { data: b64('d'), dataCrc32c: crc('d') });
    await s.close();
  });

  it('refuses a key name that is not a Cloud KMS resource name before sending anything', async () => {
    const s = await scripted([]);
    await assert.rejects(s.keys().signDigest(`${VERSION}/../../../x`, new Uint8Array(32)), (e) =>
      isWardenError(e, 'unavailable'),
    );
    assert.equal(s.seen.length, 0);
    await s.close();
  });
});

describe('KmsRestKeyService: integrity checks on every answer (fail closed)', () => {
  const cases: {
    name: string;
    call: (k: KmsRestKeyService) => Promise<unknown>;
    json: Record<string, unknown>;
  }[] = [
    {
      name: 'a decrypt whose plaintext CRC32C does not match',
      call: (k) => k.decrypt(KEY, bytes('c')),
      json: { plaintext: b64('secret'), plaintextCrc32c: String(crc32c(bytes('secret')) + 1) },
    },
    {
      name: 'a decrypt without a plaintext CRC32C',
      call: (k) => k.decrypt(KEY, bytes('c')),
      json: { plaintext: b64('secret') },
    },
    {
      name: 'a decrypt whose CRC32C is a number, not an Int64Value string',
      call: (k) => k.decrypt(KEY, bytes('c')),
      json: { plaintext: b64('secret'), plaintextCrc32c: crc32c(bytes('secret')) },
    },
    {
      name: 'a decrypt whose plaintext is not base64',
      call: (k) => k.decrypt(KEY, bytes('c')),
      json: { plaintext: 'not base64!', plaintextCrc32c: crc('x') },
    },
    {
      name: 'an encrypt KMS did not verify (the flag left out, as proto3 JSON leaves out false)',
      call: (k) => k.encrypt(KEY, bytes('p')),
      json: { ciphertext: b64('c'), ciphertextCrc32c: crc('c') },
    },
    {
      name: 'an encrypt whose AAD KMS did not verify',
      call: (k) => k.encrypt(KEY, bytes('p'), bytes('a')),
      json: { ciphertext: b64('c'), ciphertextCrc32c: crc('c'), verifiedPlaintextCrc32c: true },
    },
    {
      name: 'an encrypt whose ciphertext CRC32C does not match',
      call: (k) => k.encrypt(KEY, bytes('p')),
      json: { ciphertext: b64('c'), ciphertextCrc32c: '1', verifiedPlaintextCrc32c: true },
    },
    {
      name: 'a signature for another key version',
      call: (k) => k.signDigest(VERSION, new Uint8Array(32)),
      json: { ...signed, name: `${KEY}/cryptoKeyVersions/2` },
    },
    {
      name: 'a signature whose digest KMS did not verify',
      call: (k) => k.signDigest(VERSION, new Uint8Array(32)),
      json: { ...signed, verifiedDigestCrc32c: undefined },
    },
    {
      name: 'a signature whose CRC32C does not match',
      call: (k) => k.signDigest(VERSION, new Uint8Array(32)),
      json: { ...signed, signatureCrc32c: crc('other') },
    },
    {
      name: 'a public key for another key version',
      call: (k) => k.getPublicKeyPem(VERSION),
      json: { pem: 'PEM', pemCrc32c: crc('PEM'), name: `${KEY}/cryptoKeyVersions/2` },
    },
    {
      name: 'a public key whose PEM CRC32C does not match',
      call: (k) => k.getPublicKeyPem(VERSION),
      json: { pem: 'PEM', pemCrc32c: crc('PEN'), name: VERSION },
    },
    {
      name: 'a MAC whose data KMS did not verify',
      call: (k) => k.macSign(VERSION, bytes('d')),
      json: { mac: b64('m'), macCrc32c: crc('m'), name: VERSION },
    },
    {
      name: 'a MAC for another key version',
      call: (k) => k.macSign(VERSION, bytes('d')),
      json: { mac: b64('m'), macCrc32c: crc('m'), verifiedDataCrc32c: true, name: KEY },
    },
    {
      name: 'a MAC whose CRC32C does not match',
      call: (k) => k.macSign(VERSION, bytes('d')),
      json: { mac: b64('m'), macCrc32c: crc('n'), verifiedDataCrc32c: true, name: VERSION },
    },
  ];
  for (const c of cases)
    it(`rejects ${c.name}`, async () => {
      const s = await scripted([ok(c.json)]);
      await assert.rejects(c.call(s.keys()), (e) => isWardenError(e, 'integrity'));
      assert.equal(s.seen.length, 1, 'an integrity failure is not retried');
      await s.close();
    });

  it('maps 400 INVALID_ARGUMENT on Decrypt to integrity (corrupt, or sealed with another key or AAD)', async () => {
    const s = await scripted([rpcError(400, 'INVALID_ARGUMENT')]);
    await assert.rejects(s.keys().decrypt(KEY, bytes('c')), (e) => isWardenError(e, 'integrity'));
    await s.close();
  });

  it('maps 400 FAILED_PRECONDITION on Decrypt (a disabled key, say) and 400 on AsymmetricSign to unavailable', async () => {
    const s = await scripted([rpcError(400, 'FAILED_PRECONDITION'), rpcError(400, 'INVALID_ARGUMENT')]);
    await assert.rejects(s.keys().decrypt(KEY, bytes('c')), (e) => isWardenError(e, 'unavailable'));
    await assert.rejects(s.keys().signDigest(VERSION, new Uint8Array(32)), (e) =>
      isWardenError(e, 'unavailable'),
    );
    assert.equal(s.seen.length, 2, 'neither is retried');
    await s.close();
  });
});

describe('KmsRestKeyService: retries, deadlines and failures as the official client', () => {
  for (const status of [503, 504])
    it(`retries HTTP ${status} (${status === 503 ? 'UNAVAILABLE' : 'DEADLINE_EXCEEDED'}), then succeeds`, async () => {
      const s = await scripted([rpcError(status, 'X'), 'close', ok(signed)]);
      assert.deepEqual(await s.keys().signDigest(VERSION, new Uint8Array(32)), bytes('sig'));
      assert.equal(s.seen.length, 3);
      await s.close();
    });

  it('keeps retrying 5xx until its deadline, then fails unavailable with the last error', async () => {
    const s = await scripted(Array.from({ length: 10_000 }, () => rpcError(503, 'UNAVAILABLE')));
    const t0 = performance.now();
    await assert.rejects(s.keys(300).getPublicKeyPem(VERSION), (e) => {
      assert.ok(isWardenError(e, 'unavailable'));
      assert.match(String((e.cause as Error).message), /HTTP 503 UNAVAILABLE/);
      return true;
    });
    assert.ok(performance.now() - t0 < 2000);
    assert.ok(s.seen.length > 2, `retried (${s.seen.length} calls)`);
    await s.close();
  });

  for (const status of [500, 403, 404, 429])
    it(`does not retry HTTP ${status}: unavailable at once`, async () => {
      const s = await scripted([rpcError(status, 'X'), ok(signed)]);
      await assert.rejects(s.keys().signDigest(VERSION, new Uint8Array(32)), (e) =>
        isWardenError(e, 'unavailable'),
      );
      assert.equal(s.seen.length, 1);
      await s.close();
    });

  it('fails a server that never answers at the deadline', async () => {
    const s = await scripted(['silent', 'silent']);
    const t0 = performance.now();
    await assert.rejects(s.keys(300).signDigest(VERSION, new Uint8Array(32)), (e) =>
      isWardenError(e, 'unavailable'),
    );
    const took = performance.now() - t0;
    assert.ok(took >= 250 && took < 2000, `failed after ${took} ms`);
    await s.close();
  });

  it('fails a refused connection unavailable within its deadline', async () => {
    const free = net.createServer();
    await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
    const port = (free.address() as AddressInfo).port;
    await new Promise<void>((r) => free.close(() => r()));
    const keys = new KmsRestKeyService({
      ...kmsRestTarget(`127.0.0.1:${port}`),
      deadlineMs: 200,
      retryDelayMs: 1,
    });
    await assert.rejects(keys.decrypt(KEY, bytes('c')), (e) => {
      assert.ok(isWardenError(e, 'unavailable'));
      assert.equal((e.cause as NodeJS.ErrnoException).code, 'ECONNREFUSED');
      return true;
    });
  });

  it('fails a 200 whose body is not JSON unavailable', async () => {
    const server = http.createServer((_, res) => res.end('<html>'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const keys = new KmsRestKeyService(kmsRestTarget(`127.0.0.1:${(server.address() as AddressInfo).port}`));
    await assert.rejects(keys.getPublicKeyPem(VERSION), (e) => isWardenError(e, 'unavailable'));
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('fails at once, without sending, when the credentials cannot be had', async () => {
    const s = await scripted([ok(signed)]);
    const keys = new KmsRestKeyService({
      baseUrl: s.url,
      headers: async () => {
        throw new Error('Could not load the default credentials');
      },
    });
    await assert.rejects(keys.signDigest(VERSION, new Uint8Array(32)), (e) =>
      isWardenError(e, 'unavailable'),
    );
    assert.equal(s.seen.length, 0);
    await s.close();
  });
});

describe('kmsRestTarget', () => {
  it('sends a stand-in no credentials, over plain HTTP', async () => {
    const target = kmsRestTarget('127.0.0.1:8085');
    assert.equal(target.baseUrl, 'http://127.0.0.1:8085');
    assert.deepEqual(await target.headers(), {});
  });

  it('calls Cloud KMS itself over HTTPS with the cloudkms scope when no endpoint is given', () => {
    assert.equal(kmsRestTarget().baseUrl, 'https://cloudkms.googleapis.com');
    assert.equal(KMS_SCOPE, 'https://www.googleapis.com/auth/cloudkms');
  });
});
