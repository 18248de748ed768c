// Load against the local stack, then reconciliation: every request id has its complete audit records, none
// lost or duplicated, and the gateway's memory stays flat. `npm test` runs a short version (500 requests at
// concurrency 50); `npm run test:stress` (WARDEN_STRESS=1) runs 10,000 at concurrency 100 and bounds memory.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { auditRecords, theStack, tokenFor } from './harness.ts';

const STRESS = process.env['WARDEN_STRESS'] === '1';
const TOTAL = Number(process.env['WARDEN_LOAD_REQUESTS'] ?? (STRESS ? 10_000 : 500));
const CONCURRENCY = Number(process.env['WARDEN_LOAD_CONCURRENCY'] ?? (STRESS ? 100 : 50));

const REFERENCE = 'SELECT code, description FROM `demo-warden.reference.icd10_codes` ORDER BY code LIMIT 3';
const SSN = 'SELECT ssn FROM `demo-warden.clinical.patients` LIMIT 1';

/** The request mix, by request index modulo 10, with the status and audit records each must produce. */
type Kind = 'allowed' | 'denied' | 'list' | 'unauthenticated' | 'malformed';
const MIX: Kind[] = [
  'allowed',
  'allowed',
  'allowed',
  'allowed',
  'allowed',
  'allowed',
  'denied',
  'list',
  'unauthenticated',
  'malformed',
];
const EXPECTED: Record<Kind, { status: number; records: string[] }> = {
  allowed: {
    status: 200,
    records: ['mcp.request', 'policy.decision', 'query.start', 'query.end', 'mcp.response'],
  },
  denied: { status: 200, records: ['mcp.request', 'policy.decision', 'mcp.response'] },
  list: { status: 200, records: ['mcp.request', 'mcp.response'] },
  unauthenticated: { status: 401, records: ['mcp.unauthenticated'] },
  malformed: { status: 400, records: ['mcp.rejected'] },
};

/** The pid of a functions-framework process of the stack, found by its command line. */
function functionPid(target: string, port: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmd.includes(`--target=${target}`) && cmd.includes(`--port=${port}`)) return Number(entry);
    } catch {
      // the process ended while we looked
    }
  }
  return undefined;
}

/** Resident set size in MiB (Linux), or NaN where /proc is unavailable. */
function rssMiB(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

describe(`load: ${TOTAL} requests at concurrency ${CONCURRENCY}, then reconciliation`, function () {
  this.timeout(STRESS ? 3_600_000 : 240_000);

  it('answers every request as expected and leaves exactly its audit records, once each', async () => {
    const { mcpUrl, gatewayUrl, executorUrl } = theStack().info;
    const analyst = await tokenFor('ann@example.org', ['analysts'], { ttlSeconds: 3600 });
    const bodies: Record<Kind, { headers: Record<string, string>; body: string }> = {
      allowed: rpcBody(analyst, {
        name: 'execute_sql',
        arguments: { projectId: 'demo-warden', query: REFERENCE },
      }),
      denied: rpcBody(analyst, { name: 'execute_sql', arguments: { projectId: 'demo-warden', query: SSN } }),
      list: { ...rpcBody(analyst), body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) },
      unauthenticated: {
        ...rpcBody(undefined),
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      },
      malformed: { ...rpcBody(analyst), body: '{"jsonrpc": "2.0", "method": ' },
    };
    const send = async (kind: Kind) => {
      const res = await fetch(mcpUrl, { method: 'POST', ...bodies[kind] });
      const text = await res.text();
      return { kind, status: res.status, requestId: res.headers.get('x-warden-request-id') ?? '', text };
    };

    const gatewayPid = functionPid('gateway', Number(new URL(gatewayUrl).port));
    const executorPid = functionPid('executor', Number(new URL(executorUrl).port));
    // Warm up (JIT, connection pools, audit signers, the table catalog) before the baseline.
    for (const kind of MIX) await send(kind);
    const rss = [{ done: 0, gateway: rssMiB(gatewayPid), executor: rssMiB(executorPid) }];

    const results: Awaited<ReturnType<typeof send>>[] = [];
    let next = 0;
    const sampleEvery = Math.max(1, Math.floor(TOTAL / 10));
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < TOTAL) {
          const i = next++;
          results.push(await send(MIX[i % MIX.length]!));
          if (results.length % sampleEvery === 0)
            rss.push({ done: results.length, gateway: rssMiB(gatewayPid), executor: rssMiB(executorPid) });
        }
      }),
    );
    const seconds = (Date.now() - t0) / 1000;

    const wrong = results.filter((r) => r.status !== EXPECTED[r.kind].status);
    assert.deepEqual(
      wrong.slice(0, 5).map((r) => `${r.kind}: ${r.status} ${r.text.slice(0, 200)}`),
      [],
      `${wrong.length} unexpected statuses`,
    );
    for (const r of results.filter((x) => x.kind === 'allowed'))
      assert.match(r.text, /"rows":\[\{/, 'an allowed query returns rows');
    assert.equal(new Set(results.map((r) => r.requestId)).size, TOTAL, 'request ids are unique');

    // Reconciliation: read the whole bucket back, group by request id.
    const t1 = Date.now();
    const byId = new Map<string, string[]>();
    for (const record of await auditRecords()) {
      const id = record.event?.requestId;
      if (typeof id !== 'string') continue;
      const list = byId.get(id) ?? [];
      list.push(record.event.type);
      byId.set(id, list);
    }
    let lost = 0;
    let duplicated = 0;
    const problems: string[] = [];
    for (const r of results) {
      const want = [...EXPECTED[r.kind].records].sort();
      const have = [...(byId.get(r.requestId) ?? [])].sort();
      const missing = want.filter((t) => !have.includes(t));
      const extra = have.length - (want.length - missing.length);
      lost += missing.length;
      duplicated += extra;
      if ((missing.length || extra) && problems.length < 5)
        problems.push(`${r.kind} ${r.requestId}: want ${want.join(',')}, have ${have.join(',')}`);
    }
    const last = rss.at(-1)!;
    console.log(
      `      ${TOTAL} requests at concurrency ${CONCURRENCY} in ${seconds.toFixed(1)} s (${(TOTAL / seconds).toFixed(0)} req/s); ` +
        `reconciled ${TOTAL} request ids in ${((Date.now() - t1) / 1000).toFixed(1)} s: ${lost} records lost, ${duplicated} duplicated\n` +
        `      RSS MiB gateway ${rss.map((s) => s.gateway).join(' → ')}; executor ${rss.map((s) => s.executor).join(' → ')}`,
    );
    assert.deepEqual(problems, [], `${lost} lost, ${duplicated} duplicated`);
    assert.equal(lost + duplicated, 0);

    if (STRESS && Number.isFinite(last.gateway)) {
      // Generous bounds only: growth over the run, and over its second half (a leak keeps growing).
      const half = rss[Math.floor(rss.length / 2)]!;
      assert.ok(
        last.gateway - rss[0]!.gateway < 400,
        `gateway RSS grew ${last.gateway - rss[0]!.gateway} MiB`,
      );
      assert.ok(
        last.gateway - half.gateway < 200,
        `gateway RSS grew ${last.gateway - half.gateway} MiB in the second half`,
      );
    }
  });
});

function rpcBody(token: string | undefined, params?: { name: string; arguments: unknown }) {
  return {
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params }),
  };
}
