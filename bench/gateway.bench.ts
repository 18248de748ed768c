// Benchmark: the gateway's overhead. The same small query as an `execute_sql` MCP call through the local
// stack (token check, dry run, policy, executor, masking, two durable audit barriers) and straight to the
// local BigQuery stand-in (REST jobs.query), interleaved in the same run, at several concurrencies. Also a
// c=1 breakdown of where the added time goes, the audit-bucket counts per call, and the approval flow's.
// With `ingressUrl` (the --gcp-latency mode) the stack's dependencies answer after modelled Google Cloud
// delays (bench/gcp-latency.ts) and the client reaches the gateway through a delaying hop.
// Goals (issue 22): added p50 at c=1 ≤ 10 ms; gateway + executor CPU ≤ 5 ms per call; throughput at 64 in
// flight ≥ 50% of direct; modelled: added p50 within 1.2× of the floor.

import { localGrant, localGrantSigner } from '../dev/grants.ts';
import { createStorageClient } from '../shared/adapters/clients.ts';
import { GcsAuditSink } from '../shared/adapters/storage/audit-sink.ts';
import { issueGrant } from '../shared/core/execution/grant.ts';
import type { ExecutionRequest } from '../shared/ports/query-runner.ts';
import { type AuditCounts, type BenchStack, cpuMs, functionPid } from './local-stack.ts';

/** The query of every measured call: PHI-free reference data, five rows (an allowed call, small result). */
export const BENCH_QUERY =
  'SELECT code, description FROM `demo-warden.reference.icd10_codes` ORDER BY code LIMIT 5';

/**
 * BENCH_QUERY with a literal that differs from call to call (the same five rows): no cache keyed by SQL text can
 * hide work, neither in Warden nor in the stand-in (issue 22).
 */
export function benchQuery(n: number): string {
  return `SELECT code, description FROM \`demo-warden.reference.icd10_codes\` WHERE code <> 'bench-${n}' ORDER BY code LIMIT 5`;
}
/** A PHI query analysts may run only with approval (dev/policy.yaml, analysts-phi-with-approval). */
const APPROVAL_QUERY =
  'SELECT patient_id, birth_date FROM `demo-warden.clinical.patients` ORDER BY patient_id LIMIT 3';
const PROJECT = 'demo-warden';

export interface LatencyStats {
  requests: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** Completed requests per second over the measured time. */
  throughputPerSecond: number;
}

export interface OverheadLevel {
  concurrency: number;
  direct: LatencyStats;
  gateway: LatencyStats;
  /** gateway p50 − direct p50, and the same at p99. */
  addedP50Ms: number;
  addedP99Ms: number;
  /**
   * Modelled mode, c=1: the same p50 difference with each call's own modelled jobs.query delay taken out of
   * it (the delay is common to both paths but drawn apart, and its spread would swamp a difference of medians).
   */
  netAddedP50Ms?: number;
  /** Audit-bucket growth per gateway call at this concurrency (group commit batches under load). */
  auditObjectsPerCall: number;
  auditRecordsPerCall: number;
  /** Digest objects per 1,000 calls; each digest is one KMS AsymmetricSign (no KMS call per record). */
  digestsPerThousandCalls: number;
}

export interface GatewayBenchResult {
  query: string;
  caller: string;
  /** Seconds measured per mode and concurrency (interleaved in rounds). */
  secondsPerMode: number;
  stackStartMs: number;
  levels: OverheadLevel[];
  /** c=1 p50 of the parts of a gateway call, each measured alone. */
  breakdownP50Ms: {
    /** jobs.query straight to the stand-in (the baseline). */
    directQuery: number;
    /** A dry run (jobs.insert, dryRun) straight to the stand-in: the gateway does one per call. */
    dryRun: number;
    /**
     * The same dry run as the gateway makes it (DRY_RUN=executor): POST /dry-run to the executor with a
     * dry-run grant and the gateway's service token; the hop, the grant check and the executor's dry run.
     */
    dryRunViaExecutor: number;
    /** One audit object written through the official Storage client to the stand-in (it fsyncs). */
    auditObjectWrite: number;
    /** The executor alone (POST /execute with the gateway's service token): 2 audit writes + the query. */
    executor: number;
    /** The whole execute_sql through the gateway. */
    gateway: number;
  };
  /**
   * CPU milliseconds per call at c=1, by process (Linux /proc; absent elsewhere): the bench process holds
   * the load generator and the in-process stand-ins (BigQuery on DuckDB, Cloud Storage, KMS).
   */
  cpuMsPerCall?: {
    direct: { benchProcess: number };
    gateway: { gatewayProcess: number; executorProcess: number; benchProcess: number };
  };
  /**
   * c=1 p50 of the phases of an execute_sql call, from the `time` of its five audit records (when each was
   * appended, ms resolution) and the client's clock: each phase ends when the next record is appended, so it
   * includes the durable write of the record that opens it.
   */
  phasesP50Ms?: {
    /** Client send → `mcp.request` appended: HTTP, transport checks, token verification. */
    toRequestRecord: number;
    /** `mcp.request` written, dry run, SQL analysis, classification, policy → `policy.decision` appended. */
    toDecisionRecord: number;
    /** `policy.decision` written, call to the executor, its token check → `query.start` appended. */
    toQueryStart: number;
    /** `query.start` written, BigQuery job and results, masking → `query.end` appended. */
    toQueryEnd: number;
    /** `query.end` written, result back to the gateway, MCP response built → `mcp.response` appended. */
    toResponseRecord: number;
    /** `mcp.response` written, response sent → the client has it. */
    toClient: number;
  };
  /** Bytes per stored audit record in the live bucket (JSON Lines, signature included). */
  bytesPerRecord: number;
  /** Record streams opened during the measured calls (an instance's first, or hourly); 0 in steady state. */
  streamsOpenedWhileMeasuring: number;
  /** One approval-required call taken through park → approve → executor → status → result. */
  approvalFlow: {
    flows: number;
    /** Per flow: audit objects and records written, MCP calls and approvals API calls made. */
    auditObjectsPerFlow: number;
    auditRecordsPerFlow: number;
    digestsPerFlow: number;
    mcpCallsPerFlow: number;
    apiCallsPerFlow: number;
    /** get_query_status calls per flow (polling every 25 ms until SUCCEEDED); each is one MCP call. */
    statusPollsPerFlow: number;
    /** Time from the approve call's answer until get_query_status reports SUCCEEDED (Pub/Sub push + run). */
    approvedToSucceededP50Ms: number;
  };
}

/** Closed-loop load: `concurrency` workers call `fn` back to back for `ms`; latencies in ms. */
async function closedLoop(
  fn: () => Promise<void>,
  concurrency: number,
  ms: number,
): Promise<{ latencies: number[]; errors: number; elapsedMs: number; firstError?: unknown }> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: unknown;
  const t0 = performance.now();
  const deadline = t0 + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const s = performance.now();
        try {
          await fn();
          latencies.push(performance.now() - s);
        } catch (err) {
          errors++;
          firstError ??= err;
        }
      }
    }),
  );
  return { latencies, errors, elapsedMs: performance.now() - t0, ...(firstError ? { firstError } : {}) };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function stats(latencies: number[], errors: number, elapsedMs: number): LatencyStats {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    p50Ms: round2(percentile(sorted, 50)),
    p99Ms: round2(percentile(sorted, 99)),
    meanMs: round2(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)),
    throughputPerSecond: Math.round((latencies.length * 1000) / elapsedMs),
  };
}

async function p50Of(fn: () => Promise<void>, n: number): Promise<number> {
  for (let i = 0; i < Math.min(10, n); i++) await fn();
  const latencies: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await fn();
    latencies.push(performance.now() - s);
  }
  return round2(
    percentile(
      latencies.sort((a, b) => a - b),
      50,
    ),
  );
}

/** Calls for the local stack. Each throws unless the answer is what a successful call returns. */
function callers(bench: BenchStack, token: string, mcpUrl = bench.stack.info.mcpUrl) {
  const info = bench.stack.info;
  const rpc = (id: number, name: string, args: Record<string, unknown>, bearer = token) =>
    fetch(mcpUrl, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${bearer}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } }),
    });
  let id = 0;
  const toolCall = async (name: string, args: Record<string, unknown>, bearer = token) => {
    const res = await rpc(++id, name, args, bearer);
    const body = (await res.json()) as {
      result?: { isError?: boolean; structuredContent?: Record<string, unknown>; content?: unknown };
      error?: unknown;
    };
    if (res.status !== 200 || !body.result || body.result.isError)
      throw new Error(`${name} failed: HTTP ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
    return body.result.structuredContent ?? {};
  };
  let n = 0;
  const gateway = async () => {
    const out = await toolCall('execute_sql', { projectId: PROJECT, query: benchQuery(n++) });
    if ((out['rows'] as unknown[] | undefined)?.length !== 5) throw new Error('expected 5 rows');
  };
  const bq = `${info.endpoints.bigquery}/bigquery/v2/projects/${PROJECT}`;
  const bqPost = async (path: string, body: unknown) => {
    const res = await fetch(`${bq}/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok)
      throw new Error(`BigQuery ${path}: HTTP ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
    return json;
  };
  const direct = async () => {
    const out = await bqPost('queries', { query: benchQuery(n++), useLegacySql: false, maxResults: 1001 });
    if ((out['rows'] as unknown[] | undefined)?.length !== 5) throw new Error('expected 5 rows');
  };
  const dryRun = async () => {
    await bqPost('jobs', {
      configuration: { dryRun: true, query: { query: benchQuery(n++), useLegacySql: false } },
    });
  };
  return { toolCall, gateway, direct, dryRun };
}

/** Runs the overhead benchmark against a running bench stack. */
export async function benchGateway(
  bench: BenchStack,
  options: {
    seconds?: number;
    concurrencies?: number[];
    rounds?: number;
    log?: (line: string) => void;
    /**
     * The MCP endpoint the client calls instead of the gateway's own (the --gcp-latency mode: a delaying hop in
     * front of it). Calls then take hundreds of milliseconds: c=1 is measured three times as long, and the
     * breakdowns take a fifth of the samples.
     */
    ingressUrl?: string;
    /** Modelled mode: the sum of the jobs.query delays the BigQuery stand-in has given so far. */
    queryDelayMs?: () => number;
  } = {},
): Promise<GatewayBenchResult> {
  const seconds = options.seconds ?? 6;
  const concurrencies = options.concurrencies ?? [1, 16, 64];
  // Modelled calls are timers, not CPU: one round per mode (long enough for its throughput to settle).
  const rounds = options.rounds ?? (options.ingressUrl ? 1 : 3);
  const log = options.log ?? (() => {});
  const modelled = options.ingressUrl !== undefined;
  const samples = (n: number) => (modelled ? Math.max(10, Math.round(n / 5)) : n);
  const info = bench.stack.info;
  const caller = 'ann@example.org (analysts)';
  const token = await bench.token('ann@example.org', ['analysts']);
  const call = callers(bench, token, options.ingressUrl);

  // Warm-up: JIT in every process, the functions' lazy clients, JWKS, ID-token and table-metadata caches,
  // the instance signing keys' KMS certification, the executor's credential decryption.
  for (let i = 0; i < (modelled ? 5 : 20); i++) await Promise.all([call.gateway(), call.direct()]);
  await closedLoop(call.gateway, 16, modelled ? 3000 : 1000);
  await closedLoop(call.direct, 16, 500);

  const streamsBefore = (await bench.auditCounts()).streams;
  const levels: OverheadLevel[] = [];
  for (const c of concurrencies) {
    // A short warm-up at this concurrency (connections in the pools), then interleaved rounds so that
    // background load on a shared machine falls on both modes alike.
    await closedLoop(call.direct, c, 300);
    await closedLoop(call.gateway, c, 600);
    const d = { latencies: [] as number[], errors: 0, elapsedMs: 0 };
    const g = { latencies: [] as number[], errors: 0, elapsedMs: 0 };
    const before = await bench.auditCounts();
    let firstError: unknown;
    const levelMs = seconds * 1000 * (modelled && c === 1 ? 5 : 1);
    // At c=1 a call's own jobs.query delay is known: its latency net of that delay is kept as well.
    const net = { direct: [] as number[], gateway: [] as number[] };
    const queryDelayMs = c === 1 ? options.queryDelayMs : undefined;
    const netted = (fn: () => Promise<void>, into: number[]) =>
      queryDelayMs
        ? async () => {
            const q0 = queryDelayMs();
            const s = performance.now();
            await fn();
            into.push(performance.now() - s - (queryDelayMs() - q0));
          }
        : fn;
    for (let r = 0; r < rounds; r++) {
      for (const [acc, fn] of [
        [d, netted(call.direct, net.direct)],
        [g, netted(call.gateway, net.gateway)],
      ] as const) {
        const run = await closedLoop(fn, c, levelMs / rounds);
        acc.latencies.push(...run.latencies);
        acc.errors += run.errors;
        acc.elapsedMs += run.elapsedMs;
        firstError ??= run.firstError;
      }
    }
    const after = await bench.auditCounts();
    if (firstError) log(`  first error at c=${c}: ${String(firstError)}`);
    const direct = stats(d.latencies, d.errors, d.elapsedMs);
    const gateway = stats(g.latencies, g.errors, g.elapsedMs);
    const calls = gateway.requests + gateway.errors;
    levels.push({
      concurrency: c,
      direct,
      gateway,
      addedP50Ms: round2(gateway.p50Ms - direct.p50Ms),
      addedP99Ms: round2(gateway.p99Ms - direct.p99Ms),
      ...(net.gateway.length > 0
        ? {
            netAddedP50Ms: round2(
              percentile(
                net.gateway.sort((a, b) => a - b),
                50,
              ) -
                percentile(
                  net.direct.sort((a, b) => a - b),
                  50,
                ),
            ),
          }
        : {}),
      auditObjectsPerCall: round2((after.objects - before.objects) / calls),
      auditRecordsPerCall: round2((after.records - before.records) / calls),
      digestsPerThousandCalls: round2(((after.digests - before.digests) * 1000) / calls),
    });
    log(
      `  c=${c}: direct p50 ${direct.p50Ms} ms, gateway p50 ${gateway.p50Ms} ms (${gateway.requests} calls, ${gateway.errors} errors)`,
    );
  }
  const countsAfterLevels = await bench.auditCounts();

  // Where the time of one call goes (c=1, each part alone).
  const sink = new GcsAuditSink(
    (await createStorageClient(info.projectId, info.endpoints.storage)).bucket(info.auditBucket),
  );
  const record = new TextEncoder().encode(`${'x'.repeat(800)}\n`);
  let n = 0;
  const auditObjectWrite = await p50Of(async () => {
    await sink.create(
      `bench/write-${process.pid}-${Date.now()}-${n++}.jsonl`,
      record,
      'application/x-ndjson',
    );
  }, samples(50));
  const executor = await p50Of(executorCall(bench), samples(50));
  const dryRun = await p50Of(call.dryRun, samples(200));
  const dryRunViaExecutor = await p50Of(executorDryRun(bench), samples(200));
  const pids = {
    gateway: functionPid(new URL(info.gatewayUrl).port),
    executor: functionPid(new URL(info.executorUrl).port),
  };
  const cpuBefore = {
    bench: process.cpuUsage(),
    gateway: cpuMs(pids.gateway),
    executor: cpuMs(pids.executor),
  };
  // p50Of makes min(10, n) warm-up calls before its n measured ones: CPU is divided by both.
  const directCalls = samples(200);
  const gatewayCalls = samples(100);
  const directQuery = await p50Of(call.direct, directCalls);
  const directCpu = process.cpuUsage(cpuBefore.bench);
  const mid = { bench: process.cpuUsage(), gateway: cpuMs(pids.gateway), executor: cpuMs(pids.executor) };
  const gatewayP50 = await p50Of(call.gateway, gatewayCalls);
  const gatewayCpu = process.cpuUsage(mid.bench);
  const after = { gateway: cpuMs(pids.gateway), executor: cpuMs(pids.executor) };
  const perCall = (us: NodeJS.CpuUsage, calls: number) => round2((us.user + us.system) / 1000 / calls);
  const cpuMsPerCall =
    after.gateway !== undefined && after.executor !== undefined
      ? {
          direct: { benchProcess: perCall(directCpu, directCalls + Math.min(10, directCalls)) },
          gateway: {
            gatewayProcess: round2(
              (after.gateway - mid.gateway!) / (gatewayCalls + Math.min(10, gatewayCalls)),
            ),
            executorProcess: round2(
              (after.executor - mid.executor!) / (gatewayCalls + Math.min(10, gatewayCalls)),
            ),
            benchProcess: perCall(gatewayCpu, gatewayCalls + Math.min(10, gatewayCalls)),
          },
        }
      : undefined;
  const breakdownP50Ms = {
    directQuery,
    dryRun,
    dryRunViaExecutor,
    auditObjectWrite,
    executor,
    gateway: gatewayP50,
  };
  const phasesP50Ms = await callPhases(bench, call.toolCall, samples(60));

  const approvalFlow = await benchApprovalFlow(bench, call.toolCall, 5);

  return {
    query: BENCH_QUERY,
    caller,
    secondsPerMode: seconds,
    stackStartMs: bench.startMs,
    levels,
    breakdownP50Ms,
    ...(cpuMsPerCall ? { cpuMsPerCall } : {}),
    ...(phasesP50Ms ? { phasesP50Ms } : {}),
    bytesPerRecord: Math.round(countsAfterLevels.recordBytes / countsAfterLevels.records),
    streamsOpenedWhileMeasuring: countsAfterLevels.streams - streamsBefore,
    approvalFlow,
  };
}

/** Times `n` calls one at a time and splits each by the times of its audit records (see phasesP50Ms). */
async function callPhases(
  bench: BenchStack,
  toolCall: (name: string, args: Record<string, unknown>) => Promise<Record<string, unknown>>,
  n: number,
): Promise<GatewayBenchResult['phasesP50Ms']> {
  const info = bench.stack.info;
  const bucket = (await createStorageClient(info.projectId, info.endpoints.storage)).bucket(info.auditBucket);
  const [before] = await bucket.getFiles({ autoPaginate: true });
  const seen = new Set(before.map((f) => f.name));
  const calls = new Map<string, { sent: number; received: number }>();
  for (let i = 0; i < n; i++) {
    const sent = Date.now();
    const out = await toolCall('execute_sql', { projectId: PROJECT, query: benchQuery(1_000_000 + i) });
    calls.set(String(out['requestId']), { sent, received: Date.now() });
  }
  // Let the last records' objects land (they are durable before the response, but listing is separate).
  const [after] = await bucket.getFiles({ autoPaginate: true });
  const times = new Map<string, Record<string, number>>();
  for (const f of after) {
    if (seen.has(f.name) || !f.name.endsWith('.jsonl')) continue;
    const [data] = await f.download();
    for (const line of data.toString('utf8').trim().split('\n')) {
      const r = JSON.parse(line) as { time: string; event: { type: string; requestId?: string } };
      if (!r.event.requestId || !calls.has(r.event.requestId)) continue;
      const t = times.get(r.event.requestId) ?? {};
      t[r.event.type] = Date.parse(r.time);
      times.set(r.event.requestId, t);
    }
  }
  const order = ['mcp.request', 'policy.decision', 'query.start', 'query.end', 'mcp.response'];
  const phases: number[][] = [[], [], [], [], [], []];
  for (const [id, c] of calls) {
    const t = times.get(id);
    if (!t || order.some((type) => t[type] === undefined)) continue;
    const points = [c.sent, ...order.map((type) => t[type]!), c.received];
    for (let i = 0; i < 6; i++) phases[i]!.push(points[i + 1]! - points[i]!);
  }
  if (phases[0]!.length < n / 2) return undefined;
  const p50 = (xs: number[]) =>
    round2(
      percentile(
        xs.sort((a, b) => a - b),
        50,
      ),
    );
  return {
    toRequestRecord: p50(phases[0]!),
    toDecisionRecord: p50(phases[1]!),
    toQueryStart: p50(phases[2]!),
    toQueryEnd: p50(phases[3]!),
    toResponseRecord: p50(phases[4]!),
    toClient: p50(phases[5]!),
  };
}

/** The executor called as the gateway calls it, with the gateway's service ID token from its metadata stand-in. */
function executorCall(bench: BenchStack): () => Promise<void> {
  const info = bench.stack.info;
  let token: string | undefined;
  let i = 0;
  return async () => {
    token ??= await (
      await fetch(
        `http://${info.gatewayMetadataHost}/computeMetadata/v1/instance/service-accounts/default/identity?audience=${encodeURIComponent(info.executorUrl)}`,
        { headers: { 'metadata-flavor': 'Google' } },
      )
    ).text();
    const res = await fetch(`${info.executorUrl}/execute`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      // As the gateway sends it: a grant (the signature is part of what the gateway spends per call).
      body: JSON.stringify({
        grant: await localGrant(
          info.endpoints.kms,
          executionRequest(info.issuer, PROJECT, `bench-executor-${process.pid}-${i++}`),
        ),
      }),
    });
    const body = (await res.json()) as { result?: { rows?: unknown[] } };
    if (res.status !== 200 || body.result?.rows?.length !== 5)
      throw new Error(`executor: HTTP ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  };
}

/** A dry run through the executor, as the gateway asks for one (DRY_RUN=executor): grant, token, hop. */
function executorDryRun(bench: BenchStack): () => Promise<void> {
  const info = bench.stack.info;
  let token: string | undefined;
  let i = 0;
  return async () => {
    token ??= await (
      await fetch(
        `http://${info.gatewayMetadataHost}/computeMetadata/v1/instance/service-accounts/default/identity?audience=${encodeURIComponent(info.executorUrl)}`,
        { headers: { 'metadata-flavor': 'Google' } },
      )
    ).text();
    const n = i++;
    const grant = await issueGrant(
      await localGrantSigner(info.endpoints.kms),
      {
        op: 'dry-run',
        requestId: `bench-dry-run-${process.pid}-${n}`,
        projectId: PROJECT,
        sql: benchQuery(n),
      },
      new Date(),
    );
    const res = await fetch(`${info.executorUrl}/dry-run`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ grant }),
    });
    const body = (await res.json()) as { result?: { statementType?: string } };
    if (res.status !== 200 || body.result?.statementType !== 'SELECT')
      throw new Error(`executor dry run: HTTP ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  };
}

/**
 * Takes `flows` approval-required calls through the whole flow one after another: park (execute_sql), approve
 * (approvals API), Pub/Sub push to the executor, get_query_status until SUCCEEDED, get_query_result.
 */
async function benchApprovalFlow(
  bench: BenchStack,
  toolCall: (
    name: string,
    args: Record<string, unknown>,
    bearer?: string,
  ) => Promise<Record<string, unknown>>,
  flows: number,
): Promise<GatewayBenchResult['approvalFlow']> {
  const info = bench.stack.info;
  const requester = await bench.token('ann@example.org', ['analysts']);
  const approver = await bench.token('priya@example.org', ['privacy-office']);
  const waits: number[] = [];
  let mcpCalls = 0;
  let apiCalls = 0;
  let polls = 0;
  let before: AuditCounts | undefined;
  // One unmeasured flow first (warms the event function and the Firestore and Pub/Sub clients).
  for (let f = 0; f <= flows; f++) {
    if (f === 1) {
      before = await bench.auditCounts();
      mcpCalls = 0;
      apiCalls = 0;
      polls = 0;
    }
    const parked = await toolCall(
      'execute_sql',
      { projectId: PROJECT, query: APPROVAL_QUERY, reason: 'readmission study (bench)' },
      requester,
    );
    mcpCalls++;
    const id = String(parked['requestId']);
    if (parked['state'] !== 'PENDING') throw new Error(`expected PENDING, got ${JSON.stringify(parked)}`);
    // The approver reads the request (as the console does) and approves the binding it was shown.
    const shown = (await (
      await fetch(`${info.gatewayUrl}/approvals/${id}`, { headers: { authorization: `Bearer ${approver}` } })
    ).json()) as { bindingSha256?: string };
    apiCalls++;
    const res = await fetch(`${info.gatewayUrl}/approvals/${id}:approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${approver}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'approved for the benchmark', binding: shown.bindingSha256 }),
    });
    apiCalls++;
    if (res.status !== 200) throw new Error(`approve: HTTP ${res.status} ${await res.text()}`);
    const approvedAt = performance.now();
    const deadline = Date.now() + 60_000;
    for (;;) {
      const s = await toolCall('get_query_status', { requestId: id }, requester);
      mcpCalls++;
      polls++;
      if (s['state'] === 'SUCCEEDED') break;
      if (s['state'] === 'FAILED' || Date.now() > deadline)
        throw new Error(`approval flow: request ${id} is ${String(s['state'])}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    if (f > 0) waits.push(performance.now() - approvedAt);
    const result = await toolCall('get_query_result', { requestId: id }, requester);
    mcpCalls++;
    if ((result['rows'] as unknown[] | undefined)?.length !== 3) throw new Error('expected 3 rows');
  }
  // The executor's last transition of the last flow may land just after SUCCEEDED is visible.
  await new Promise((r) => setTimeout(r, 500));
  const after = await bench.auditCounts();
  const b = before!;
  return {
    flows,
    auditObjectsPerFlow: round2((after.objects - b.objects) / flows),
    auditRecordsPerFlow: round2((after.records - b.records) / flows),
    digestsPerFlow: round2((after.digests - b.digests) / flows),
    mcpCallsPerFlow: round2(mcpCalls / flows),
    apiCallsPerFlow: round2(apiCalls / flows),
    statusPollsPerFlow: round2(polls / flows),
    approvedToSucceededP50Ms: round2(
      percentile(
        [...waits].sort((a, b) => a - b),
        50,
      ),
    ),
  };
}

/** The executor's request for BENCH_QUERY, as the gateway sends it for an allowed call. */
export function executionRequest(
  issuer: string,
  projectId: string,
  requestId = `bench-${process.pid}-${Date.now()}`,
): ExecutionRequest {
  return {
    requestId,
    principal: {
      subject: 'dev:ann@example.org',
      issuer,
      email: 'ann@example.org',
      groups: ['analysts'],
      actorChain: [],
    },
    projectId,
    sql: BENCH_QUERY,
    decision: {
      effect: 'allow',
      rule: 'reference-data',
      reasons: ['bench'],
      policyVersion: 'bench',
      rowLimit: 1000,
      cellLimit: 50_000,
      byteLimit: 5_242_880,
      maximumBytesBilled: 10_000_000_000,
      maskingProfile: 'none',
      touchesPhi: false,
      phiClasses: [],
    },
    facts: {
      statementType: 'SELECT',
      referencedTables: [{ projectId, datasetId: 'reference', tableId: 'icd10_codes' }],
      totalBytesProcessed: '0',
    },
  };
}
