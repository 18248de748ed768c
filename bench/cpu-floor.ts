// The measured CPU floor of an allowed execute_sql (issue 22, goal "Warden CPU per allowed call ≤ 5 ms"):
// starts the bench's local stack (the real stand-ins, the Firestore emulator and the real functions), then a
// pair of bare Node processes (bench/floor/server.ts: floor-gateway and floor-executor) that do per call exactly
// the network and crypto protocol ARCHITECTURE.md asks of an allowed call (service hop, two durable barriers,
// signed hash-chained records, signed one-time grants, the dry run as the executor's identity) and nothing else,
// against the same stand-ins. Both paths get the same allowed execute_sql calls (varied SQL, bench/varied-query.ts),
// one in flight, in interleaved rounds (as bench/interleave.ts does, so a shared machine's load falls on both
// alike), and each process's user + system CPU per call is read from /proc (bench/local-stack.ts cpuMs).
//
//   node bench/cpu-floor.ts [calls] [--warmup N] [--rounds N] [--split]
//
// calls: measured calls per path (default 400), in --rounds rounds (default 8) after --warmup calls per path
// (default 100). --split adds two more bare pairs, run in the same rounds: `no-crypto` (no ECDSA sign/verify, no
// SHA-256) and `no-json` (no crypto, and every JSON body built and parsed once, then sent as fixed bytes), so the
// floor splits into network (no-json), JSON (no-crypto − no-json) and crypto (full − no-crypto).

import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { FloorConfig, FloorMode } from './floor/server.ts';
import { leastMedian } from './interleave.ts';
import { cpuMs, functionPid, startBenchStack } from './local-stack.ts';
import { allowedCall } from './varied-query.ts';

const PROJECT = 'demo-warden';
const FLOOR_BUCKET = 'warden-floor-audit';

interface Pair {
  name: string;
  mcpUrl: string;
  pids: { gateway: number | undefined; executor: number | undefined };
  /** The bare processes' own counters (GET /stats), when the path is a floor pair. */
  statsUrls?: { gateway: string; executor: string };
}

interface PathFigures {
  /** CPU ms per call per round, by process. */
  rounds: { gateway: number[]; executor: number[] };
  /** CPU ms and calls over every round, by process. */
  cpu: { gateway: number; executor: number };
  /** Of which system (kernel) CPU ms, by process. */
  sys: { gateway: number; executor: number };
  /** Bytes read and written by syscalls (/proc/<pid>/io rchar + wchar), over every round, by process. */
  io: { gateway: number; executor: number };
  calls: number;
  wall: number[];
}

/** System (kernel) CPU milliseconds a process has used so far (Linux /proc/<pid>/stat field 15, 10 ms ticks). */
function systemMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[12]) * 10;
  } catch {
    return Number.NaN;
  }
}

/** Bytes a process read and wrote through syscalls so far (/proc/<pid>/io rchar + wchar: here, its sockets). */
function ioBytes(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    const field = (k: string) => Number(new RegExp(`^${k}: (\\d+)`, 'm').exec(io)?.[1] ?? Number.NaN);
    return field('rchar') + field('wchar');
  } catch {
    return Number.NaN;
  }
}

/** Starts one bare process of a floor pair and returns it with the port it listens on. */
async function startFloorProcess(
  role: 'gateway' | 'executor',
  config: FloorConfig,
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', join(import.meta.dirname, 'floor', 'server.ts'), role],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, FLOOR_CONFIG: JSON.stringify(config) } },
  );
  const [line] = (await Promise.race([
    once(child.stdout!, 'data'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`floor ${role} (${config.mode}) exited with ${code} before listening`);
    }),
  ])) as [Buffer];
  return { child, port: Number(line.toString().trim()) };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      warmup: { type: 'string', default: '100' },
      rounds: { type: 'string', default: '8' },
      split: { type: 'boolean', default: false },
    },
  });
  const calls = Number(positionals[0] ?? 400);
  const warmup = Number(values.warmup);
  const roundCount = Number(values.rounds);
  const perRound = Math.ceil(calls / roundCount);
  if (!(perRound > 0) || !(warmup >= 0))
    throw new Error('calls, --rounds and --warmup must be positive numbers');
  const load0 = loadavg();

  const bench = await startBenchStack((line) => process.stderr.write(`${line}\n`));
  const children: ChildProcess[] = [];
  try {
    const info = bench.stack.info;
    // The floor's own bucket on the same Cloud Storage stand-in: its objects never mix with the real trail.
    const made = await fetch(`${info.endpoints.storage}/storage/v1/b?project=${PROJECT}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: FLOOR_BUCKET }),
    });
    if (!made.ok) throw new Error(`creating the floor bucket: HTTP ${made.status} ${await made.text()}`);
    // The "KMS" key that certifies the floor gateway's instance key (once, at start), as KMS certifies Warden's.
    const kms = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const modes: FloorMode[] = values.split ? ['full', 'no-crypto', 'no-json'] : ['full'];
    const pairs: Pair[] = [];
    for (const mode of modes) {
      const base = {
        mode,
        storageUrl: info.endpoints.storage,
        bigqueryUrl: `${info.endpoints.bigquery}/bigquery/v2`,
        firestoreHost: info.endpoints.firestore,
        projectId: PROJECT,
        bucket: FLOOR_BUCKET,
      };
      const executor = await startFloorProcess('executor', {
        ...base,
        stream: `streams/floor-${mode}-executor`,
        kmsPublicKeyPem: kms.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      });
      children.push(executor.child);
      const gateway = await startFloorProcess('gateway', {
        ...base,
        stream: `streams/floor-${mode}-gateway`,
        executorUrl: `http://127.0.0.1:${executor.port}`,
        kmsPrivateKeyPem: kms.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        groupEvery: 8,
      });
      children.push(gateway.child);
      pairs.push({
        name: `floor ${mode}`,
        mcpUrl: `http://127.0.0.1:${gateway.port}/mcp`,
        pids: { gateway: gateway.child.pid, executor: executor.child.pid },
        statsUrls: {
          gateway: `http://127.0.0.1:${gateway.port}/stats`,
          executor: `http://127.0.0.1:${executor.port}/stats`,
        },
      });
    }
    pairs.push({
      name: 'real functions',
      mcpUrl: info.mcpUrl,
      pids: {
        gateway: functionPid(new URL(info.gatewayUrl).port),
        executor: functionPid(new URL(info.executorUrl).port),
      },
    });
    for (const p of pairs)
      if (p.pids.gateway === undefined || p.pids.executor === undefined)
        throw new Error(`no pid for ${p.name}: /proc is needed to read each process's CPU`);

    const token = await bench.token('ann@example.org', ['analysts']);
    let id = 0;
    let n = 0;
    // The bench's own allowed execute_sql, as bench/cpu-profile.ts sends it; a call that fails fails the run.
    const call = (pair: Pair) =>
      allowedCall(pair.mcpUrl, token, PROJECT, ++id, n++, `${pair.name}: execute_sql`);

    for (const p of pairs) for (let i = 0; i < warmup; i++) await call(p);
    const stats0 = await Promise.all(pairs.map((p) => floorStats(p)));
    const figures = new Map<Pair, PathFigures>(
      pairs.map((p) => [
        p,
        {
          rounds: { gateway: [], executor: [] },
          cpu: { gateway: 0, executor: 0 },
          sys: { gateway: 0, executor: 0 },
          io: { gateway: 0, executor: 0 },
          calls: 0,
          wall: [],
        },
      ]),
    );
    for (let round = 0; round < roundCount; round++)
      for (const p of pairs) {
        const f = figures.get(p)!;
        const cpu0 = { gateway: cpuMs(p.pids.gateway)!, executor: cpuMs(p.pids.executor)! };
        const io0 = { gateway: ioBytes(p.pids.gateway), executor: ioBytes(p.pids.executor) };
        const sys0 = { gateway: systemMs(p.pids.gateway), executor: systemMs(p.pids.executor) };
        for (let i = 0; i < perRound; i++) {
          const t0 = performance.now();
          await call(p);
          f.wall.push(performance.now() - t0);
        }
        for (const role of ['gateway', 'executor'] as const) {
          const cpu = cpuMs(p.pids[role])! - cpu0[role];
          f.cpu[role] += cpu;
          f.rounds[role].push(cpu / perRound);
          f.io[role] += ioBytes(p.pids[role]) - io0[role];
          f.sys[role] += systemMs(p.pids[role]) - sys0[role];
        }
        f.calls += perRound;
      }
    const stats1 = await Promise.all(pairs.map((p) => floorStats(p)));
    const load1 = loadavg();

    const fmt = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');
    console.log(
      `${perRound * roundCount} allowed execute_sql calls per path, one in flight, in ${roundCount} interleaved rounds of ${perRound} (varied SQL, ${warmup} warm-up calls per path)`,
    );
    console.log(
      `load average (1, 5, 15 min) at start ${load0.map((x) => x.toFixed(2)).join(' ')}, at end ${load1.map((x) => x.toFixed(2)).join(' ')}\n`,
    );
    console.log(
      `${'CPU ms per call (/proc user + system)'.padEnd(40)}${'gateway'.padStart(9)}${'executor'.padStart(10)}${'sum'.padStart(8)}${'p50 wall ms'.padStart(13)}   rounds least / median (gateway; executor)`,
    );
    const sums = new Map<string, { gateway: number; executor: number; sum: number }>();
    for (const p of pairs) {
      const f = figures.get(p)!;
      const g = f.cpu.gateway / f.calls;
      const e = f.cpu.executor / f.calls;
      sums.set(p.name, { gateway: g, executor: e, sum: g + e });
      const wall = [...f.wall].sort((a, b) => a - b)[Math.floor(f.wall.length / 2)]!;
      console.log(
        `${p.name.padEnd(40)}${fmt(g).padStart(9)}${fmt(e).padStart(10)}${fmt(g + e).padStart(8)}${fmt(wall).padStart(13)}   ${leastMedian(f.rounds.gateway, 2)}; ${leastMedian(f.rounds.executor, 2)}`,
      );
    }
    const full = sums.get('floor full')!;
    const real = sums.get('real functions')!;
    console.log(
      `\nreal − floor: gateway ${fmt(real.gateway - full.gateway)}, executor ${fmt(real.executor - full.executor)}, sum ${fmt(real.sum - full.sum)} ms per call (the floor is ${fmt((100 * full.sum) / real.sum, 0)}% of the real functions' CPU)`,
    );
    const noCrypto = sums.get('floor no-crypto');
    const noJson = sums.get('floor no-json');
    if (noCrypto && noJson)
      console.log(
        `floor split, ms per call (gateway + executor): network and HTTP (no-json) ${fmt(noJson.sum)}, JSON (no-crypto − no-json) ${fmt(noCrypto.sum - noJson.sum)}, crypto (full − no-crypto) ${fmt(full.sum - noCrypto.sum)}`,
      );

    console.log(
      `\nof which system (kernel) CPU, ms per call (/proc stime): ${pairs
        .map((p) => {
          const f = figures.get(p)!;
          return `${p.name} ${fmt(f.sys.gateway / f.calls)} + ${fmt(f.sys.executor / f.calls)}`;
        })
        .join('; ')}`,
    );
    console.log(
      `\nper call: bytes through syscalls (/proc/<pid>/io rchar + wchar), and the floor's own counters`,
    );
    for (const p of pairs) {
      const f = figures.get(p)!;
      const i = pairs.indexOf(p);
      const per = (s1?: FloorCounters, s0?: FloorCounters) => {
        if (!s1 || !s0) return '';
        const d = (k: Exclude<keyof FloorCounters, 'waitMs'>) => (s1[k] - s0[k]) / f.calls;
        return `; requests in ${fmt(d('inbound'), 1)} (${fmt(d('inboundBytes'), 0)} B in, ${fmt(d('answeredBytes'), 0)} B answered), out ${fmt(d('outbound'), 2)} (${fmt(d('sentBytes'), 0)} B sent, ${fmt(d('receivedBytes'), 0)} B received), bodies only`;
      };
      for (const role of ['gateway', 'executor'] as const)
        console.log(
          `${`${p.name} ${role}`.padEnd(32)}${fmt(f.io[role] / f.calls, 0).padStart(7)} B${per(stats1[i]?.[role], stats0[i]?.[role])}`,
        );
    }
    console.log(`\nthe floor's waits, wall ms per call (summed over the calls that make them)`);
    for (const p of pairs) {
      const i = pairs.indexOf(p);
      const f = figures.get(p)!;
      for (const role of ['gateway', 'executor'] as const) {
        const s1 = stats1[i]?.[role];
        const s0 = stats0[i]?.[role];
        if (!s1 || !s0) continue;
        const waits = Object.entries(s1.waitMs).map(
          ([what, ms]) => `${what} ${fmt((ms - (s0.waitMs[what] ?? 0)) / f.calls)}`,
        );
        console.log(`${`${p.name} ${role}`.padEnd(32)}${waits.join(', ')}`);
      }
    }
  } finally {
    for (const c of children) c.kill();
    await bench.stop();
  }
}

interface FloorCounters {
  inbound: number;
  inboundBytes: number;
  answeredBytes: number;
  outbound: number;
  sentBytes: number;
  receivedBytes: number;
  waitMs: Record<string, number>;
}

/** A floor pair's counters (GET /stats of each bare process); nothing for the real functions. */
async function floorStats(p: Pair): Promise<{ gateway: FloorCounters; executor: FloorCounters } | undefined> {
  if (!p.statsUrls) return undefined;
  const get = async (url: string) => (await (await fetch(url)).json()) as FloorCounters;
  return { gateway: await get(p.statsUrls.gateway), executor: await get(p.statsUrls.executor) };
}

if (import.meta.main) await main();
