// `npm run bench`: runs Warden's benchmarks, prints a table and writes bench/results.json. Figures, never
// assertions: the test suite has no timing checks.
//
//   npm run bench                         every benchmark (a few minutes on two cores)
//   npm run bench -- gateway cold-start   only these (policy, masking, audit, gateway, cold-start)
//   npm run bench -- --seconds 3 --runs 2 --no-build
//   npm run bench -- gateway --gcp-latency  the stand-ins, emulators and hops answer after Google Cloud's
//                                         latencies (bench/gcp-latency.ts); figures under gatewayGcp
//
// A filtered run keeps the other sections of bench/results.json from the previous run.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { type LatencyProxy, startHttpLatencyProxy } from '../dev/latency-proxy.ts';
import { LatencyModel, RecordingLatency } from '../standins/latency.ts';
import { type AuditBenchResult, benchAudit } from './audit.bench.ts';
import { benchColdStart, type ColdStartResult } from './cold-start.bench.ts';
import { benchGateway, type GatewayBenchResult } from './gateway.bench.ts';
import {
  BARRIERS_AND_DRY_RUN,
  CRITICAL_PATH,
  GCP_CALLS,
  GCP_PROFILE,
  sampledFloorP50,
  sumOfP50s,
} from './gcp-latency.ts';
import { type BenchStack, startBenchStack } from './local-stack.ts';
import { benchMasking } from './masking.bench.ts';
import { benchPolicy } from './policy.bench.ts';

const SECTIONS = ['policy', 'masking', 'audit', 'gateway', 'cold-start'] as const;
type Section = (typeof SECTIONS)[number];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    seconds: { type: 'string' },
    runs: { type: 'string' },
    'no-build': { type: 'boolean' },
    'gcp-latency': { type: 'boolean' },
  },
});
const gcp = values['gcp-latency'] === true;
// One seed per run of the model: the same delays, call kind by call kind, every time.
const latency = gcp ? new RecordingLatency(new LatencyModel(GCP_PROFILE, 'bench')) : undefined;
const unknown = positionals.filter((p) => !(SECTIONS as readonly string[]).includes(p));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${SECTIONS.join(', ')}`);
  process.exit(2);
}
const selected = new Set<Section>(positionals.length > 0 ? (positionals as Section[]) : SECTIONS);
const seconds = values.seconds ? Number(values.seconds) : 6;
const runs = values.runs ? Number(values.runs) : 3;

const resultsUrl = new URL('./results.json', import.meta.url);
const previous: Record<string, unknown> =
  positionals.length > 0 && existsSync(resultsUrl) ? JSON.parse(readFileSync(resultsUrl, 'utf8')) : {};
const results: Record<string, unknown> = {
  ...previous,
  at: new Date().toISOString(),
  command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  machine: {
    node: process.version,
    platform: platform(),
    arch: arch(),
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
  },
};

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => `${n.toFixed(1)} ms`;
const row = (name: string, figure: string, goal = '') =>
  console.log(`${name.padEnd(58)} ${figure.padStart(16)}  ${goal}`);
const progress = (line: string) => console.error(line);

console.log(`${'benchmark'.padEnd(58)} ${'figure'.padStart(16)}  goal`);

if (selected.has('policy')) {
  const policy = benchPolicy();
  results['policy'] = policy;
  row(`policy: decisions/s (${policy.rules} rules, 1 core)`, fmt(policy.decisionsPerSecond), '≥ 100,000');
}

if (selected.has('masking')) {
  const masking = benchMasking(2000);
  results['masking'] = masking;
  row('masking: column rules, cells/s (1 core)', fmt(masking.cellsPerSecond), '≥ 5,000,000');
  row('masking: HMAC pseudonyms, cells/s', fmt(masking.hashCellsPerSecond));
  row('masking: detectors over notes, MB/s', masking.scanMBPerSecond.toFixed(1), '≥ 50');
  row('masking: detectors over PHI-free text, MB/s', masking.cleanScanMBPerSecond.toFixed(1));
  row('masking: safe-harbor profile, cells/s', fmt(masking.safeHarborCellsPerSecond));
  row('masking: safe-harbor profile over notes, MB/s', masking.safeHarborNotesMBPerSecond.toFixed(1));
}

if (selected.has('audit')) {
  const audit: AuditBenchResult = await benchAudit(2000);
  results['audit'] = audit;
  row('audit: records appended/s, one at a time (1 core)', fmt(audit.sequentialRecordsPerSecond), '≥ 20,000');
  row(
    `audit: records appended/s, ${audit.burst} in flight (1 core)`,
    fmt(audit.groupCommitRecordsPerSecond),
    '≥ 20,000',
  );
  row(
    `audit: bytes per record, one at a time / ${audit.burst} in flight`,
    `${fmt(audit.bytesPerRecord)} / ${fmt(audit.bytesPerRecordGrouped)}`,
  );
  row('audit: KMS calls per 1,000 records', audit.kmsCallsPerThousandRecords.toFixed(2), 'none per record');
  row(
    `audit: of which checkpoints (${fmt(audit.checkpoints)} written)`,
    audit.checkpointKmsCallsPerThousandRecords.toFixed(2),
    '< 1',
  );
  row(
    `audit: receipt in ${fmt(audit.proofRecords)} records: hashes / bytes (no record)`,
    `${audit.proofHashes} / ${fmt(audit.proofBytes)} (${fmt(audit.proofBytesWithoutRecord)})`,
  );
  row(
    `audit: verifyTrail records/s, one at a time / ${audit.burst} in flight`,
    `${fmt(audit.verifyRecordsPerSecond)} / ${fmt(audit.verifyGroupedRecordsPerSecond)}`,
  );
}

let bench: BenchStack | undefined;
let ingress: LatencyProxy | undefined;
try {
  if (selected.has('gateway') || selected.has('cold-start')) {
    progress(`starting the local stack${gcp ? ' with the Google Cloud latency model' : ''} …`);
    bench = await startBenchStack(() => {}, latency ? { latency } : {});
    progress(`local stack up in ${bench.startMs} ms`);
  }

  if (selected.has('gateway') && bench && latency) {
    // The client reaches the gateway as it would reach a Cloud Run service: through one modelled hop.
    ingress = await startHttpLatencyProxy({
      target: new URL(bench.stack.info.gatewayUrl).host,
      latency,
      name: 'gateway ingress proxy',
      kindOf: () => 'run.hop',
    });
    const g: GatewayBenchResult = await benchGateway(bench, {
      seconds,
      log: progress,
      ingressUrl: `${ingress.url}/mcp`,
      queryDelayMs: () => latency.totalMs('bigquery.query'),
    });
    const floor = {
      criticalPath: [...CRITICAL_PATH],
      sumOfP50sMs: sumOfP50s(GCP_PROFILE, CRITICAL_PATH),
      sampledP50Ms: Math.round(sampledFloorP50(GCP_PROFILE, CRITICAL_PATH) * 10) / 10,
      barriersAndDryRunP50sMs: sumOfP50s(GCP_PROFILE, BARRIERS_AND_DRY_RUN),
    };
    results['gatewayGcp'] = { model: GCP_CALLS, floor, ...g };
    const c1 = g.levels.find((l) => l.concurrency === 1);
    row('modelled Google Cloud (bench/gcp-latency.ts), per call kind', 'p50 / p99');
    for (const kind of [
      'storage.write',
      'bigquery.dryRun',
      'bigquery.query',
      'firestore.commit',
      'pubsub.publish',
      'run.hop',
    ])
      row(`  ${kind}`, `${GCP_CALLS[kind]!.p50Ms} / ${GCP_CALLS[kind]!.p99Ms} ms`);
    for (const l of g.levels) {
      row(`gcp c=${l.concurrency}: direct p50 / p99`, `${ms(l.direct.p50Ms)} / ${ms(l.direct.p99Ms)}`);
      row(
        `gcp c=${l.concurrency}: execute_sql p50 / p99`,
        `${ms(l.gateway.p50Ms)} / ${ms(l.gateway.p99Ms)}`,
        `(${l.gateway.requests} calls)`,
      );
      row(`gcp c=${l.concurrency}: added p50 / p99`, `${ms(l.addedP50Ms)} / ${ms(l.addedP99Ms)}`);
      if (l.netAddedP50Ms !== undefined)
        row(
          `gcp c=${l.concurrency}: added p50, net of each call's own jobs.query delay`,
          ms(l.netAddedP50Ms),
        );
      row(
        `gcp c=${l.concurrency}: throughput direct / execute_sql, calls/s`,
        `${fmt(l.direct.throughputPerSecond)} / ${fmt(l.gateway.throughputPerSecond)}`,
      );
    }
    row('gcp floor: 2 barriers + dry run, sum of p50s', ms(floor.barriersAndDryRunP50sMs));
    row('gcp floor: + 3 hops + grant-ledger commit, sum of p50s', ms(floor.sumOfP50sMs));
    row('gcp floor: the same, p50 of the modelled sum', ms(floor.sampledP50Ms));
    if (c1) {
      const added = c1.netAddedP50Ms ?? c1.addedP50Ms;
      row(
        'gcp c=1: added p50 (net) / floor (whole critical path, sum of p50s)',
        `${(added / floor.sumOfP50sMs).toFixed(2)}×`,
        '≤ 1.2×',
      );
      row(
        'gcp c=1: added p50 (net) / floor (p50 of the modelled sum)',
        `${(added / floor.sampledP50Ms).toFixed(2)}×`,
      );
      row(
        'gcp c=1: added p50 (net) / floor (2 barriers + dry run only)',
        `${(added / floor.barriersAndDryRunP50sMs).toFixed(2)}×`,
      );
    }
    const b = g.breakdownP50Ms;
    row('gcp c=1 parts, p50: dry run / one audit write', `${ms(b.dryRun)} / ${ms(b.auditObjectWrite)}`);
    row('gcp c=1 parts, p50: dry run through the executor', ms(b.dryRunViaExecutor));
    row('gcp c=1 parts, p50: executor alone / whole call', `${ms(b.executor)} / ${ms(b.gateway)}`);
    if (g.phasesP50Ms) {
      const p = g.phasesP50Ms;
      row(
        'gcp c=1 phases, p50: to mcp.request / to policy.decision',
        `${ms(p.toRequestRecord)} / ${ms(p.toDecisionRecord)}`,
      );
      row(
        'gcp c=1 phases, p50: to query.start / to query.end',
        `${ms(p.toQueryStart)} / ${ms(p.toQueryEnd)}`,
      );
      row(
        'gcp c=1 phases, p50: to mcp.response / to client',
        `${ms(p.toResponseRecord)} / ${ms(p.toClient)}`,
      );
    }
    const a = g.approvalFlow;
    row('gcp approval flow: approve → SUCCEEDED, p50', ms(a.approvedToSucceededP50Ms));
  }

  if (selected.has('gateway') && bench && !latency) {
    const g: GatewayBenchResult = await benchGateway(bench, { seconds, log: progress });
    results['gateway'] = g;
    for (const l of g.levels) {
      row(`gateway c=${l.concurrency}: direct p50 / p99`, `${ms(l.direct.p50Ms)} / ${ms(l.direct.p99Ms)}`);
      row(
        `gateway c=${l.concurrency}: execute_sql p50 / p99`,
        `${ms(l.gateway.p50Ms)} / ${ms(l.gateway.p99Ms)}`,
      );
      row(
        `gateway c=${l.concurrency}: added p50 / p99`,
        `${ms(l.addedP50Ms)} / ${ms(l.addedP99Ms)}`,
        l.concurrency === 1 ? '≤ 10 ms at p50' : '',
      );
      row(
        `gateway c=${l.concurrency}: throughput direct / execute_sql, calls/s`,
        `${fmt(l.direct.throughputPerSecond)} / ${fmt(l.gateway.throughputPerSecond)}`,
      );
      row(
        `gateway c=${l.concurrency}: throughput execute_sql / direct`,
        `${Math.round((100 * l.gateway.throughputPerSecond) / Math.max(1, l.direct.throughputPerSecond))}%`,
        l.concurrency === 64 ? '≥ 50%' : '',
      );
      row(
        `gateway c=${l.concurrency}: audit objects / records per call`,
        `${l.auditObjectsPerCall} / ${l.auditRecordsPerCall}`,
      );
    }
    const b = g.breakdownP50Ms;
    row('gateway c=1 parts, p50: dry run / one audit write', `${ms(b.dryRun)} / ${ms(b.auditObjectWrite)}`);
    row('gateway c=1 parts, p50: dry run through the executor', ms(b.dryRunViaExecutor));
    row('gateway c=1 parts, p50: executor alone / whole call', `${ms(b.executor)} / ${ms(b.gateway)}`);
    if (g.cpuMsPerCall) {
      const c = g.cpuMsPerCall;
      row('gateway c=1 CPU per direct call: stand-in + client', ms(c.direct.benchProcess));
      row(
        'gateway c=1 CPU per execute_sql: gateway / executor / stand-ins',
        `${c.gateway.gatewayProcess.toFixed(1)} / ${c.gateway.executorProcess.toFixed(1)} / ${c.gateway.benchProcess.toFixed(1)} ms`,
      );
      row(
        'gateway c=1 CPU per execute_sql: gateway + executor',
        ms(c.gateway.gatewayProcess + c.gateway.executorProcess),
        '≤ 5 ms',
      );
    }
    if (g.phasesP50Ms) {
      const p = g.phasesP50Ms;
      row(
        'gateway c=1 phases, p50: to mcp.request / to policy.decision',
        `${ms(p.toRequestRecord)} / ${ms(p.toDecisionRecord)}`,
      );
      row(
        'gateway c=1 phases, p50: to query.start / to query.end',
        `${ms(p.toQueryStart)} / ${ms(p.toQueryEnd)}`,
      );
      row(
        'gateway c=1 phases, p50: to mcp.response / to client',
        `${ms(p.toResponseRecord)} / ${ms(p.toClient)}`,
      );
    }
    row('gateway: bytes per stored audit record', fmt(g.bytesPerRecord));
    const a = g.approvalFlow;
    row(
      'approval flow: audit objects / records per flow',
      `${a.auditObjectsPerFlow} / ${a.auditRecordsPerFlow}`,
      `(${a.statusPollsPerFlow} status polls)`,
    );
    row('approval flow: approve → SUCCEEDED, p50', ms(a.approvedToSucceededP50Ms));
  }

  if (selected.has('cold-start') && bench) {
    const c: ColdStartResult = await benchColdStart(bench, {
      runs,
      build: !values['no-build'],
      log: progress,
    });
    results[gcp ? 'coldStartGcp' : 'coldStart'] = c;
    if (gcp)
      row(
        'cold start under the Google Cloud latency model (first query includes KMS, Storage, BigQuery)',
        '',
      );
    row('cold start: node itself (empty script)', ms(c.nodeStartMs));
    for (const name of ['gateway', 'executor'] as const) {
      row(`cold start: ${name} from source, to /healthz`, ms(c.source[name].firstRequestMs), '< 500 ms');
      row(`cold start: ${name} from source, to first query`, ms(c.source[name].firstCallMs));
      if (c.bundle) {
        row(`cold start: ${name} bundle, to /healthz`, ms(c.bundle[name].firstRequestMs), '< 500 ms');
        row(
          `cold start: ${name} bundle, to first query`,
          ms(c.bundle[name].firstCallMs),
          gcp ? '' : '< 650 ms (cut from 650–720)',
        );
      }
      if (c.bundleWithoutCompileCache)
        row(
          `cold start: ${name} bundle without its compile cache, to /healthz / first query`,
          `${ms(c.bundleWithoutCompileCache[name].firstRequestMs)} / ${ms(c.bundleWithoutCompileCache[name].firstCallMs)}`,
        );
      if (c.bundleWithoutWarmUp)
        row(
          `cold start: ${name} bundle without its warm-up, to /healthz / first query`,
          `${ms(c.bundleWithoutWarmUp[name].firstRequestMs)} / ${ms(c.bundleWithoutWarmUp[name].firstCallMs)}`,
        );
      if (c.bundleBytes)
        row(
          `bundle size: ${name} main.js / folder, bytes`,
          `${fmt(c.bundleBytes[name].mainJs)} / ${fmt(c.bundleBytes[name].folder)}`,
          '< 5 MB',
        );
    }
    if (!c.bundle || !c.bundleBytes) row('bundles', c.bundleStatus);
  }
} finally {
  await ingress?.close();
  await bench?.stop();
}

// Other work on a shared machine skews every figure: the load averages say how busy it was.
(results['machine'] as Record<string, unknown>)['loadAverageAtEnd'] = loadavg().map(
  (l) => Math.round(l * 100) / 100,
);
console.log(
  `\n${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}; load average ${(results['machine'] as { loadAverageAtStart: number[] }).loadAverageAtStart[0]} at start, ${loadavg()[0]?.toFixed(2)} at end`,
);
writeFileSync(resultsUrl, `${JSON.stringify(results, null, 2)}\n`);
console.log('\nwritten to bench/results.json');
