// The executor on its own: only the gateway's service identity may call it; a KMS failure or a corrupt
// sealed credential makes it refuse with a clear, audited error; and no credential material reaches any log.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { status as grpcStatus } from '@grpc/grpc-js';
import { localGrant } from '../dev/grants.ts';
import { KEYS, LOCAL, startFunction } from '../dev/stack.ts';
import { createKmsClient } from '../shared/adapters/kms/client.ts';
import { KmsKeyService } from '../shared/adapters/kms/key-service.ts';
import { openCredential } from '../shared/core/credential/sealed-credential.ts';
import type { ExecutionRequest } from '../shared/ports/query-runner.ts';
import { freePort } from '../standins/net.ts';
import { loadIssuerKey, mintToken } from '../standins/oidc/dev-issuer.ts';
import { auditRecordsFor, theStack, tokenFor } from './harness.ts';

const REQUEST = (requestId: string) => ({
  requestId,
  principal: {
    subject: 'dev:cleo@example.org',
    issuer: 'https://idp',
    email: 'cleo@example.org',
    groups: ['clinicians'],
    actorChain: [],
  },
  projectId: 'demo-warden',
  sql: 'SELECT code FROM `demo-warden.reference.icd10_codes` ORDER BY code LIMIT 2',
  decision: {
    effect: 'allow',
    rule: 'test',
    reasons: ['test'],
    policyVersion: 'sha256:test',
    rowLimit: 10,
    cellLimit: 1000,
    byteLimit: 1_000_000,
    maximumBytesBilled: 100000000,
    maskingProfile: 'none',
    touchesPhi: false,
    phiClasses: [],
  },
  facts: {
    statementType: 'SELECT',
    referencedTables: [{ projectId: 'demo-warden', datasetId: 'reference', tableId: 'icd10_codes' }],
    totalBytesProcessed: '100',
  },
});

async function gatewayToken(audience: string, email: string = LOCAL.gatewayServiceAccount): Promise<string> {
  const { issuer, stateDir } = theStack().info;
  return mintToken(await loadIssuerKey(stateDir), issuer, {
    sub: `sa:${email}`,
    aud: audience,
    email,
    email_verified: true,
  });
}

async function execute(url: string, token: string | undefined, requestId: string) {
  const res = await fetch(`${url}/execute`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    // As the gateway sends it: a grant signed with a key the KMS stand-in certified.
    body: JSON.stringify({
      grant: await localGrant(theStack().info.endpoints.kms, REQUEST(requestId) as ExecutionRequest),
    }),
  });
  return {
    status: res.status,
    body: (await res.json()) as { result?: { rows: unknown[] }; error?: { kind: string; message: string } },
  };
}

/** Starts a second executor with `overrides`, runs `fn` against it, stops it. */
async function withExecutor(
  overrides: Record<string, string>,
  fn: (url: string) => Promise<void>,
): Promise<void> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const stop = await startFunction(
    'executor',
    port,
    join(theStack().info.stateDir, 'logs'),
    { ...theStack().executorEnv, EXECUTOR_AUDIENCE: url, ...overrides },
    { logName: `executor-${port}` },
  );
  try {
    await fn(url);
  } finally {
    await stop();
  }
}

describe('executor', () => {
  it('runs an allowed query for the gateway and records start and end', async () => {
    const { executorUrl } = theStack().info;
    const res = await execute(executorUrl, await gatewayToken(executorUrl), 'exec-ok-1');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.result?.rows.length, 2);
    assert.deepEqual(
      (await auditRecordsFor('exec-ok-1')).map((r) => r.event.type),
      ['query.start', 'query.end'],
    );
  });

  const refused = [
    { name: 'no token', token: async () => undefined, status: 401 },
    {
      name: "a person's token",
      token: () => tokenFor('cleo@example.org', ['clinicians'], { audience: theStack().info.executorUrl }),
      status: 403,
    },
    {
      name: 'a gateway token for another audience',
      token: () => gatewayToken('https://other.example'),
      status: 401,
    },
    {
      name: 'a token of another service account',
      token: () => gatewayToken(theStack().info.executorUrl, 'intruder@demo-warden.iam.gserviceaccount.com'),
      status: 403,
    },
  ];
  for (const c of refused) {
    it(`refuses ${c.name} with ${c.status} and runs nothing`, async () => {
      const id = `exec-refused-${c.status}-${Math.random().toString(36).slice(2)}`;
      const res = await execute(theStack().info.executorUrl, await c.token(), id);
      assert.equal(res.status, c.status);
      assert.equal(res.body.result, undefined);
      assert.deepEqual(await auditRecordsFor(id), []);
    });
  }

  // Trust boundary: a valid service token is not enough; the request must be a grant the gateway signed.
  const forgeries: { name: string; body: (id: string) => Promise<unknown> }[] = [
    {
      name: 'a made-up decision sent without a grant',
      body: async (id) => ({ ...REQUEST(id), decision: { ...REQUEST(id).decision, maskingProfile: 'none' } }),
    },
    {
      name: 'a grant whose decision was altered (masking profile none, a huge row limit)',
      body: async (id) => {
        const grant = await localGrant(theStack().info.endpoints.kms, REQUEST(id) as ExecutionRequest);
        const decision = (grant.body.request as unknown as ExecutionRequest).decision;
        decision.maskingProfile = 'none';
        decision.rowLimit = 1_000_000;
        return { grant };
      },
    },
    {
      name: 'a grant replayed',
      body: async (id) => {
        const grant = await localGrant(theStack().info.endpoints.kms, REQUEST(id) as ExecutionRequest);
        const { executorUrl } = theStack().info;
        const first = await fetch(`${executorUrl}/execute`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${await gatewayToken(executorUrl)}`,
          },
          body: JSON.stringify({ grant }),
        });
        assert.equal(first.status, 200);
        return { grant };
      },
    },
  ];
  for (const c of forgeries)
    it(`refuses ${c.name} from a valid gateway token: 403, audited, nothing released`, async () => {
      const { executorUrl } = theStack().info;
      const id = `exec-forged-${Math.random().toString(36).slice(2)}`;
      const res = await fetch(`${executorUrl}/execute`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${await gatewayToken(executorUrl)}`,
        },
        body: JSON.stringify(await c.body(id)),
      });
      const body = (await res.json()) as { result?: unknown; error?: { kind: string } };
      assert.equal(res.status, 403, JSON.stringify(body));
      assert.equal(body.result, undefined);
      const records = await auditRecordsFor(id);
      assert.ok(
        records.some((r) => r.event.type === 'execution.refused'),
        'the refusal is audited',
      );
      // A replayed grant ran once (its first, legitimate use); a forged one never.
      const starts = records.filter((r) => r.event.type === 'query.start').length;
      assert.equal(starts, c.name === 'a grant replayed' ? 1 : 0);
    });

  it('refuses with an audited integrity error when the sealed credential is corrupt', async () => {
    const corrupt = join(theStack().info.stateDir, 'corrupt-credential.enc');
    const sealed = readFileSync(theStack().executorEnv['CREDENTIAL_CIPHERTEXT_PATH']!);
    sealed[sealed.length - 3]! ^= 0xff;
    writeFileSync(corrupt, sealed);
    await withExecutor({ CREDENTIAL_CIPHERTEXT_PATH: corrupt }, async (url) => {
      const res = await execute(url, await gatewayToken(url), 'exec-corrupt-1');
      assert.equal(res.status, 500);
      assert.equal(res.body.error?.kind, 'integrity');
      assert.doesNotMatch(res.body.error?.message ?? '', /PRIVATE|BEGIN|at .*\.ts/);
      const end = (await auditRecordsFor('exec-corrupt-1')).find((r) => r.event.type === 'query.end');
      assert.equal(end?.event['outcome'], 'error');
      assert.equal((end?.event['error'] as { kind: string } | undefined)?.kind, 'integrity');
    });
  });

  it('refuses with an audited error when KMS fails, and recovers on the next request', async () => {
    // Without the warm-up, so the query's own request is the first to decrypt (the warm-up's case is below).
    await withExecutor({ WARM_UP: 'false' }, async (url) => {
      theStack().kms.failNext('Decrypt', grpcStatus.PERMISSION_DENIED, 1);
      const res = await execute(url, await gatewayToken(url), 'exec-kms-1');
      assert.equal(res.status, 503);
      assert.equal(res.body.error?.kind, 'unavailable');
      assert.equal(
        (await auditRecordsFor('exec-kms-1')).find((r) => r.event.type === 'query.end')?.event['outcome'],
        'error',
      );
      const again = await execute(url, await gatewayToken(url), 'exec-kms-2');
      assert.equal(again.status, 200, 'a failed decryption is not cached');
    });
  });

  it('caches no KMS failure of the warm-up: the first query decrypts again and runs', async () => {
    // The warm-up starts on the instance's first request (the start's /healthz) and decrypts the credential and
    // the masking key; the next Decrypt fails.
    theStack().kms.failNext('Decrypt', grpcStatus.PERMISSION_DENIED, 1);
    await withExecutor({}, async (url) => {
      // Wait for the warm-up to end (its summary line), so the query joins no step still in flight.
      const log = join(theStack().info.stateDir, 'logs', `executor-${new URL(url).port}.log`);
      let text = '';
      for (let i = 0; i < 200 && !/warm-up finished/.test(text); i++) {
        await new Promise((r) => setTimeout(r, 50));
        text = existsSync(log) ? readFileSync(log, 'utf8') : '';
      }
      assert.match(
        text,
        /warm-up: (credential|masking key) failed; the first request that needs it tries again/,
      );
      assert.match(text, /warm-up finished/);
      // A 200 also shows the failure was spent by the warm-up: the query's own Decrypt would have been refused.
      const res = await execute(url, await gatewayToken(url), 'exec-kms-warm-1');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.result?.rows.length, 2);
    });
  });

  it('never writes credential material (private key, key id, client email) to any log', async () => {
    const info = theStack().info;
    // Exercise the full path first, so the credential is decrypted and used.
    await execute(info.executorUrl, await gatewayToken(info.executorUrl), 'exec-logs-1');
    const keys = new KmsKeyService(await createKmsClient(info.endpoints.kms));
    const sealed = readFileSync(theStack().executorEnv['CREDENTIAL_CIPHERTEXT_PATH']!);
    const plaintext = await keys.decrypt(
      KEYS.credential,
      sealed,
      new TextEncoder().encode('warden:executor-credential:v1'),
    );
    const key = JSON.parse(new TextDecoder().decode(plaintext)) as {
      private_key: string;
      private_key_id: string;
    };
    assert.ok((await openCredential(keys, KEYS.credential, sealed)).private_key.includes('PRIVATE KEY'));
    const secrets = [key.private_key_id, ...key.private_key.split('\n').filter((l) => l.length > 40)];
    assert.ok(
      secrets.length > 10 && secrets.every((x) => x.length >= 20),
      'the secrets are distinctive enough to search for',
    );
    const logDir = join(info.stateDir, 'logs');
    const logs = readdirSync(logDir).map((f) => ({ f, text: readFileSync(join(logDir, f), 'utf8') }));
    assert.ok(
      logs.some((l) => l.text.length > 0),
      'there are logs to check',
    );
    for (const [i, secret] of secrets.entries()) {
      const leaks = logs.filter((l) => l.text.includes(secret)).map((l) => l.f);
      assert.deepEqual(
        leaks,
        [],
        `credential material #${i} (${i === 0 ? 'key id' : 'a private key line'}) is in ${leaks.join(', ')}`,
      );
    }
  });
});
