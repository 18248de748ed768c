// The gateway's side of the executor hop for dry runs: what it sends, and that every failure fails closed.

import assert from 'node:assert/strict';
import { WardenError } from '../../core/errors.ts';
import type { WarehouseMetadata } from '../../ports/warehouse.ts';
import { dryRunsThroughExecutor, HttpQueryRunner } from './http-query-runner.ts';

const FACTS = {
  statementType: 'SELECT',
  referencedTables: [{ projectId: 'p', datasetId: 'd', tableId: 't' }],
  totalBytesProcessed: '10',
};
const signer = { attest: async () => ({ signature: 'sig', certificate: {} as never }) };

function runner(answer: () => Promise<Response>, sent: { url: string; body: unknown }[] = []) {
  return new HttpQueryRunner({
    url: 'https://executor.internal/',
    audience: 'https://executor.internal',
    tokens: { idToken: async () => 'service-token' },
    grants: signer,
    fetch: (async (url: string, init: RequestInit) => {
      sent.push({ url, body: JSON.parse(String(init.body)) });
      return answer();
    }) as unknown as typeof fetch,
  });
}
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const request = { op: 'dry-run' as const, requestId: 'r1', projectId: 'p', sql: 'SELECT 1' };

describe('HttpQueryRunner.dryRun', () => {
  it('posts a dry-run grant to /dry-run and returns exactly the facts', async () => {
    const sent: { url: string; body: unknown }[] = [];
    const facts = await runner(async () => json(200, { result: { ...FACTS, extra: 'x' } }), sent).dryRun(
      request,
    );
    assert.deepEqual(facts, FACTS);
    assert.equal(sent[0]?.url, 'https://executor.internal/dry-run');
    assert.deepEqual(
      (sent[0]!.body as { grant: { body: { request: unknown } } }).grant.body.request,
      request,
    );
  });

  const failures: { name: string; answer: () => Promise<Response>; kind: string; message: RegExp }[] = [
    {
      name: 'the executor cannot be reached',
      answer: async () => {
        throw new TypeError('fetch failed');
      },
      kind: 'unavailable',
      message: /could not be reached/,
    },
    {
      name: 'the executor answers 500 without a typed error',
      answer: async () => new Response('oops', { status: 500 }),
      kind: 'unavailable',
      message: /HTTP 500/,
    },
    {
      name: 'the executor answers malformed facts',
      answer: async () => json(200, { result: { statementType: 'SELECT', referencedTables: 'all' } }),
      kind: 'unavailable',
      message: /malformed facts/,
    },
    {
      name: 'the executor answers a byte count that is not a number',
      answer: async () => json(200, { result: { ...FACTS, totalBytesProcessed: '-1' } }),
      kind: 'unavailable',
      message: /malformed facts/,
    },
    {
      name: 'the executor refuses (a typed error passes through, without a second request id)',
      answer: async () =>
        json(403, { error: { kind: 'forbidden', message: 'BigQuery dry run: access denied. (request r1)' } }),
      kind: 'forbidden',
      message: /^BigQuery dry run: access denied\.$/,
    },
    {
      name: 'the executor answers an unknown error kind',
      answer: async () => json(500, { error: { kind: 'internal', message: 'stack' } }),
      kind: 'unavailable',
      message: /HTTP 500/,
    },
  ];
  for (const c of failures)
    it(`fails closed when ${c.name}`, async () => {
      await assert.rejects(runner(c.answer).dryRun(request), (err: unknown) => {
        assert.ok(err instanceof WardenError);
        assert.equal(err.kind, c.kind);
        assert.match(err.message, c.message);
        return true;
      });
    });

  it('sends nothing when the grant cannot be signed', async () => {
    const sent: { url: string; body: unknown }[] = [];
    const r = new HttpQueryRunner({
      url: 'https://executor.internal',
      audience: 'a',
      tokens: { idToken: async () => 't' },
      grants: { attest: async () => Promise.reject(new Error('KMS down')) },
      fetch: (async (url: string) => {
        sent.push({ url, body: undefined });
        return json(200, { result: FACTS });
      }) as unknown as typeof fetch,
    });
    await assert.rejects(r.dryRun(request), /could not be authorized/);
    assert.equal(sent.length, 0);
  });
});

describe('dryRunsThroughExecutor', () => {
  const calls: string[] = [];
  const metadata = new Proxy({} as WarehouseMetadata, {
    get: (_, name) => async () => {
      calls.push(String(name));
      return name === 'dryRun' ? FACTS : [];
    },
  });

  it('sends dry runs to the executor with the request id, and every other read to the gateway’s client', async () => {
    const asked: unknown[] = [];
    const m = dryRunsThroughExecutor(metadata, {
      dryRun: async (r) => {
        asked.push(r);
        return FACTS;
      },
    });
    assert.deepEqual(
      await m.dryRun({ requestId: 'r9', projectId: 'p', sql: 'SELECT 1', location: 'EU' }),
      FACTS,
    );
    assert.deepEqual(asked, [
      { op: 'dry-run', requestId: 'r9', projectId: 'p', sql: 'SELECT 1', location: 'EU' },
    ]);
    await m.listDatasets('p');
    await m.describeTable({ projectId: 'p', datasetId: 'd', tableId: 't' });
    assert.deepEqual(calls, ['listDatasets', 'describeTable']);
  });

  it('refuses a dry run without a request id (nothing to tie the grant to)', async () => {
    const m = dryRunsThroughExecutor(metadata, { dryRun: async () => FACTS });
    await assert.rejects(m.dryRun({ projectId: 'p', sql: 'SELECT 1' }), /needs a request id/);
  });
});

describe('HttpQueryRunner.warmUp', () => {
  it("asks the token source for the executor audience's ID token, and sends nothing to the executor", async () => {
    const audiences: string[] = [];
    const sent: string[] = [];
    const r = new HttpQueryRunner({
      url: 'https://executor.internal/',
      audience: 'https://executor.internal',
      tokens: {
        idToken: async (audience) => {
          audiences.push(audience);
          return 'service-token';
        },
      },
      grants: signer,
      fetch: (async (url: string) => {
        sent.push(url);
        return json(200, {});
      }) as unknown as typeof fetch,
    });
    assert.equal(await r.warmUp(), 'service-token');
    assert.deepEqual(audiences, ['https://executor.internal']);
    assert.deepEqual(sent, []);
  });
});
