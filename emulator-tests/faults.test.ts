// Faults that are cheap to make real (docs/reliability.md): an identity provider that is down or silent, real
// Google clients talking to a server that accepts and never answers (the deadline decorator fails them
// closed), and BigQuery errors from the stand-in through the real gateway and executor. The port-level
// matrix is in functions/gateway/faults.test.ts and functions/executor/faults.test.ts.

import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { generateKeyPair, SignJWT } from 'jose';
import { localGrant } from '../dev/grants.ts';
import { LOCAL } from '../dev/stack.ts';
import { createStorageClient } from '../shared/adapters/clients.ts';
import { withDeadline } from '../shared/adapters/deadline.ts';
import { createKmsClient } from '../shared/adapters/kms/client.ts';
import { KmsKeyService } from '../shared/adapters/kms/key-service.ts';
import { KmsRestKeyService, kmsRestTarget } from '../shared/adapters/kms/rest.ts';
import { OidcTokenVerifier } from '../shared/adapters/oidc/token-verifier.ts';
import { GcsAuditSink } from '../shared/adapters/storage/audit-sink.ts';
import type { WardenError } from '../shared/core/errors.ts';
import { freePort } from '../standins/net.ts';
import { loadIssuerKey, mintToken } from '../standins/oidc/dev-issuer.ts';
import { auditRecordsFor, theStack, tokenFor } from './harness.ts';

/** A TCP server that accepts connections and never says a word (a hung dependency). */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

const isUnavailable = (err: unknown) => (err as WardenError).kind === 'unavailable';

async function tokenFrom(issuer: string): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256');
  return new SignJWT({ sub: 'x', aud: 'https://warden.example' })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setIssuer(issuer)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);
}

describe('faults: the identity provider', function () {
  this.timeout(30_000);

  it('fails closed (unavailable, not unauthenticated) when the issuer refuses connections', async () => {
    const issuer = `http://127.0.0.1:${await freePort()}`;
    const verifier = new OidcTokenVerifier({
      issuers: [{ issuer, audiences: ['https://warden.example'] }],
      fetchTimeoutMs: 500,
    });
    await assert.rejects(verifier.verify(await tokenFrom(issuer)), isUnavailable);
  });

  it('fails closed within the fetch timeout when discovery or the JWKS never answers', async () => {
    const silent = await silentServer();
    let jwksSilent: HttpServer | undefined;
    try {
      // Discovery itself is silent.
      const issuer = `http://127.0.0.1:${silent.port}`;
      const v1 = new OidcTokenVerifier({
        issuers: [{ issuer, audiences: ['https://warden.example'] }],
        fetchTimeoutMs: 300,
      });
      let t0 = Date.now();
      await assert.rejects(v1.verify(await tokenFrom(issuer)), isUnavailable);
      assert.ok(Date.now() - t0 < 5000, 'the discovery fetch has a deadline');

      // Discovery answers; its jwks_uri is silent.
      jwksSilent = createHttpServer((_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ issuer: issuer2, jwks_uri: `http://127.0.0.1:${silent.port}/jwks` }));
      });
      await new Promise<void>((r) => jwksSilent!.listen(0, '127.0.0.1', r));
      const issuer2 = `http://127.0.0.1:${(jwksSilent.address() as { port: number }).port}`;
      const v2 = new OidcTokenVerifier({
        issuers: [{ issuer: issuer2, audiences: ['https://warden.example'] }],
        fetchTimeoutMs: 300,
      });
      t0 = Date.now();
      await assert.rejects(v2.verify(await tokenFrom(issuer2)), isUnavailable);
      assert.ok(Date.now() - t0 < 5000, 'the JWKS fetch has a deadline');
    } finally {
      await silent.close();
      await new Promise<void>((r) => (jwksSilent ? jwksSilent.close(() => r()) : r()));
    }
  });
});

describe('faults: real Google clients against a dependency that never answers', function () {
  this.timeout(30_000);
  let silent: Awaited<ReturnType<typeof silentServer>>;
  before(async () => {
    silent = await silentServer();
  });
  after(() => silent.close());

  it('fails a KMS AsymmetricSign closed at the deadline', async () => {
    const kms = withDeadline(
      new KmsKeyService(await createKmsClient(`127.0.0.1:${silent.port}`)),
      500,
      'Cloud KMS',
    );
    const t0 = Date.now();
    await assert.rejects(kms.signDigest(theStack().info.auditKeyVersion, new Uint8Array(32)), isUnavailable);
    assert.ok(Date.now() - t0 < 5000);
  });

  it('fails a KMS AsymmetricSign over REST (the functions’ adapter) closed at the deadline', async () => {
    const kms = withDeadline(
      new KmsRestKeyService(kmsRestTarget(`127.0.0.1:${silent.port}`)),
      500,
      'Cloud KMS',
    );
    const t0 = Date.now();
    await assert.rejects(kms.signDigest(theStack().info.auditKeyVersion, new Uint8Array(32)), isUnavailable);
    assert.ok(Date.now() - t0 < 5000);
  });

  it('fails a Cloud Storage audit write closed at the deadline', async () => {
    const storage = await createStorageClient(LOCAL.projectId, `http://127.0.0.1:${silent.port}`);
    const sink = withDeadline(new GcsAuditSink(storage.bucket(LOCAL.auditBucket)), 500, 'Cloud Storage');
    const t0 = Date.now();
    await assert.rejects(
      sink.create('v1/x.jsonl', new Uint8Array([1]), 'application/x-ndjson'),
      isUnavailable,
    );
    assert.ok(Date.now() - t0 < 5000);
  });
});

describe('faults: BigQuery errors from the stand-in, through the real functions', function () {
  this.timeout(60_000);

  it('refuses a query with a syntax error at the dry run: recorded, nothing run', async () => {
    const res = await fetch(theStack().info.mcpUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${await tokenFor('ann@example.org', ['analysts'])}`,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: {
          name: 'execute_sql',
          arguments: {
            projectId: 'demo-warden',
            query: 'SELEC code FROM `demo-warden.reference.icd10_codes`',
          },
        },
      }),
    });
    const body = (await res.json()) as { result?: { isError?: boolean; content: { text: string }[] } };
    assert.equal(body.result?.isError, true, JSON.stringify(body));
    assert.match(body.result?.content[0]?.text ?? '', /not valid/);
    const records = await auditRecordsFor(res.headers.get('x-warden-request-id') ?? '');
    const decision = records.find((r) => r.event.type === 'policy.decision');
    assert.equal((decision?.event['decision'] as { rule?: string } | undefined)?.rule, 'dry-run-failed');
    assert.ok(!records.some((r) => r.event.type === 'query.start'));
  });

  it('stops a job over the bytes limit in the executor: audited start and error end, no rows', async () => {
    const { executorUrl, issuer, stateDir } = theStack().info;
    const token = await mintToken(await loadIssuerKey(stateDir), issuer, {
      sub: `sa:${LOCAL.gatewayServiceAccount}`,
      aud: executorUrl,
      email: LOCAL.gatewayServiceAccount,
      email_verified: true,
    });
    const requestId = `fault-bytes-${Date.now()}`;
    const res = await fetch(`${executorUrl}/execute`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        grant: await localGrant(theStack().info.endpoints.kms, {
          requestId,
          principal: { subject: 'dev:ann', issuer, groups: ['analysts'], actorChain: [] },
          projectId: 'demo-warden',
          sql: 'SELECT code FROM `demo-warden.reference.icd10_codes`',
          decision: {
            effect: 'allow',
            rule: 'test',
            reasons: ['test'],
            policyVersion: 'sha256:test',
            rowLimit: 10,
            cellLimit: 1000,
            byteLimit: 1_000_000,
            maximumBytesBilled: 1,
            maskingProfile: 'none',
            touchesPhi: false,
            phiClasses: [],
          },
          facts: {
            statementType: 'SELECT',
            referencedTables: [{ projectId: 'demo-warden', datasetId: 'reference', tableId: 'icd10_codes' }],
            totalBytesProcessed: '100',
          },
        }),
      }),
    });
    const body = (await res.json()) as { result?: unknown; error?: { kind: string; message: string } };
    assert.equal(res.status, 412, JSON.stringify(body));
    assert.equal(body.error?.kind, 'failed_precondition');
    assert.match(body.error?.message ?? '', /more bytes than the policy allows/);
    assert.equal(body.result, undefined);
    const types = (await auditRecordsFor(requestId)).map((r) => r.event.type);
    assert.deepEqual(types, ['query.start', 'query.end']);
    const end = (await auditRecordsFor(requestId)).find((r) => r.event.type === 'query.end');
    assert.equal(end?.event['outcome'], 'error');
  });
});
