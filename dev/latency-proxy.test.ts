import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyManagementServiceClient } from '@google-cloud/kms';
import { status } from '@grpc/grpc-js';
import { type KmsStandIn, kmsClientOptions, startKmsStandIn } from '../standins/kms/server.ts';
import { listen } from '../standins/net.ts';
import { SpyLatency } from '../standins/spy-latency.ts';
import {
  grpcMethodOf,
  type LatencyProxy,
  startGrpcLatencyProxy,
  startHttpLatencyProxy,
} from './latency-proxy.ts';

const SIG = 'projects/warden-local/locations/us/keyRings/warden/cryptoKeys/audit-signing';

describe('latency proxies', () => {
  describe('gRPC (HTTP/2) proxy in front of the KMS stand-in', () => {
    let stateDir: string;
    let kms: KmsStandIn;
    let proxy: LatencyProxy;
    let client: KeyManagementServiceClient;
    const standInSpy = new SpyLatency();
    const proxySpy = new SpyLatency();

    before(async () => {
      stateDir = await mkdtemp(join(tmpdir(), 'warden-latency-proxy-'));
      kms = await startKmsStandIn({
        stateDir,
        keys: [{ name: SIG, purpose: 'ASYMMETRIC_SIGN' }],
        latency: standInSpy,
      });
      proxy = await startGrpcLatencyProxy({
        target: kms.endpoint,
        latency: proxySpy,
        kindOf: (_, path) => `kms-proxy.${grpcMethodOf(path)}`,
      });
      client = new KeyManagementServiceClient(kmsClientOptions(proxy.host));
    });
    after(async () => {
      await client.close();
      await proxy.close();
      await kms.close();
      await rm(stateDir, { recursive: true, force: true });
    });

    it('forwards a call and its answer, asking the model for the call kind of its path', async () => {
      const [key] = await client.getPublicKey({ name: `${SIG}/cryptoKeyVersions/1` });
      assert.match(String(key.pem), /BEGIN PUBLIC KEY/);
      assert.ok(proxySpy.kinds.includes('kms-proxy.GetPublicKey'));
      // The stand-in itself asks for `kms.<Method>`.
      assert.ok(standInSpy.kinds.includes('kms.GetPublicKey'));
    });

    it("passes a trailers-only error answer through with the server's status", async () => {
      await assert.rejects(
        client.getPublicKey({ name: `${SIG}-missing/cryptoKeyVersions/1` }),
        (err: { code?: number }) => err.code === status.NOT_FOUND,
      );
    });
  });

  describe('HTTP proxy for a hop', () => {
    let target: Server;
    let proxy: LatencyProxy;
    let seen: { method?: string; url?: string; headers: IncomingHttpHeaders; body: string } | undefined;
    const spy = new SpyLatency();

    before(async () => {
      target = createServer((req, res) => {
        let body = '';
        req.on('data', (d: Buffer) => {
          body += d.toString();
        });
        req.on('end', () => {
          seen = { method: req.method, url: req.url, headers: req.headers, body };
          res.writeHead(201, { 'content-type': 'application/json', 'x-answer': 'yes' }).end('{"ok":true}');
        });
      });
      const port = await listen(target, 0, '127.0.0.1', 'test target');
      proxy = await startHttpLatencyProxy({
        target: `127.0.0.1:${port}`,
        latency: spy,
        kindOf: (method, path) => `hop ${method} ${path}`,
      });
    });
    after(async () => {
      await proxy.close();
      await new Promise<void>((r) => target.close(() => r()));
    });

    it("forwards method, path, headers and body, with the target's Host, and returns its answer", async () => {
      const res = await fetch(`${proxy.url}/execute?x=1`, {
        method: 'POST',
        headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
        body: '{"grant":"g"}',
      });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('x-answer'), 'yes');
      assert.deepEqual(await res.json(), { ok: true });
      assert.equal(seen?.method, 'POST');
      assert.equal(seen?.url, '/execute?x=1');
      assert.equal(seen?.body, '{"grant":"g"}');
      assert.equal(seen?.headers.authorization, 'Bearer t');
      assert.notEqual(seen?.headers.host, new URL(proxy.url).host);
      assert.deepEqual(spy.kinds, ['hop POST /execute?x=1']);
    });
  });

  it('names the method of a gRPC path', () => {
    assert.equal(grpcMethodOf('/google.firestore.v1.Firestore/Commit'), 'Commit');
  });
});
