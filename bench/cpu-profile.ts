// Where the CPU of an allowed execute_sql goes: starts the bench's local stack with the functions under V8's CPU
// profiler (WARDEN_FUNCTION_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=…", read by dev/stack.ts), makes warm-up
// calls, then N allowed calls one at a time with varied SQL (no cache keyed by SQL text can hide work, issue 22),
// stops the stack (the functions write their profiles on exit) and prints, per function, the CPU of the measured
// calls per call, attributed to the nearest package or Warden file on each sample's stack.
//
//   node bench/cpu-profile.ts [calls] [--warmup N] [--interval US] [--files] [--top N] [--keep DIR] [--bundles]
//   node bench/cpu-profile.ts --analyze DIR [--files] [--top N] [--expand OWNER]
//
// --interval is V8's sampling interval (default 250 µs; 0 runs no profiler and prints the /proc figures alone, for
// A/B runs: the profiler's sampling costs the functions CPU of its own); --files lists Warden's files one by one (default:
// grouped by folder); --top N prints the N functions with the most self time in each function process too;
// --keep DIR keeps the .cpuprofile files there with the measured window (run.json; open the profiles in Chrome
// DevTools), and --analyze DIR prints the tables of a kept run again; --expand OWNER (a row's name, repeatable)
// lists the functions that row's samples ran; --bundles runs the deployable bundles of dist/functions (build them
// first: `npm run build:functions`) instead of the sources, for /proc figures of what is deployed (a bundle's
// samples all fall in its one file, so its table says little). Each process's user + system CPU over the measured calls (/proc)
// is shared out by its samples: on a loaded machine the wall-clock gaps between samples include time spent
// waiting for a core, so they are counted, not summed.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuMs, functionPid, startBenchStack } from './local-stack.ts';
import { allowedCall } from './varied-query.ts';

const REPO = resolve(import.meta.dirname, '..');
const PROJECT = 'demo-warden';
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** What a frame is charged to: a package (`undici`, `@google-cloud/firestore`) or a Warden file or folder. */
export function ownerOf(url: string, byFile: boolean): string | undefined {
  if (!url || url.startsWith('node:')) return undefined;
  const path = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = path.slice(nm + '/node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (!path.startsWith('/')) return undefined;
  const rel = relative(REPO, path);
  if (rel.startsWith('..')) return undefined;
  if (byFile) return rel;
  const dirs = rel.split('/');
  return dirs.length > 2 ? dirs.slice(0, dirs.length - 1).join('/') : rel;
}

/**
 * Microseconds of samples in [fromUs, toUs] (the profile's clock: CLOCK_MONOTONIC, as process.hrtime), by owner:
 * each sample goes to the nearest frame on its stack that has an owner (node internals and native frames are
 * charged to the code that called them); a stack with none is `node core from the event loop` (socket writes,
 * the HTTP parser, timers), or the VM's own rows (`garbage collector`, `V8 outside JS`). Idle is left out.
 */
export function attribute(
  profile: CpuProfile,
  fromUs: number,
  toUs: number,
  byFile: boolean,
  intervalUs = 0,
): {
  byOwner: Map<string, number>;
  selfByFunction: Map<string, number>;
  /** Self time by function within each owner's samples (`--expand OWNER`). */
  selfWithin: Map<string, Map<string, number>>;
  /** Non-idle samples in the window (the maps above count samples too). */
  totalUs: number;
  /** Mean wall-clock microseconds between samples in the window. */
  meanIntervalUs: number;
  /** Samples left out: each followed a gap of more than three intervals. */
  gaps: number;
} {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const c of node.children ?? []) parent.set(c, node.id);
  }
  const ownerCache = new Map<number, string | null>();
  const ownerOfNode = (id: number): string | null => {
    const cached = ownerCache.get(id);
    if (cached !== undefined) return cached;
    const node = byId.get(id)!;
    const name = node.callFrame.functionName;
    let owner: string | null;
    if (name === '(idle)') owner = null;
    else if (name === '(garbage collector)') owner = 'garbage collector';
    else if (name === '(program)') owner = 'V8 outside JS (program)';
    else {
      owner = ownerOf(node.callFrame.url, byFile) ?? null;
      if (owner === null) {
        const up = parent.get(id);
        const root = up === undefined || byId.get(up)?.callFrame.functionName === '(root)';
        owner = root ? 'node core from the event loop' : ownerOfNode(up);
      }
    }
    ownerCache.set(id, owner);
    return owner;
  };
  const byOwner = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  const selfWithin = new Map<string, Map<string, number>>();
  let t = profile.startTime;
  let totalUs = 0;
  let windowUs = 0;
  let windowSamples = 0;
  let gaps = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (t < fromUs || t > toUs) continue;
    windowUs += profile.timeDeltas[i] ?? 0;
    windowSamples++;
    // A sample after a long gap was taken when the thread got a core back (the profiler's signal waited for it):
    // it shows where the thread was preempted, mostly a socket write that woke another process, not where its
    // CPU went. Such samples are left out (with --interval known); the rest are scaled to the CPU time.
    if (intervalUs > 0 && (profile.timeDeltas[i] ?? 0) > 3 * intervalUs) {
      gaps++;
      continue;
    }
    // Each sample counts once: under load the gaps between samples include time the process waited for a
    // core, so the report scales the counts to the process's own CPU time (/proc) instead of summing the gaps.
    const us = 1;
    const id = profile.samples[i]!;
    const owner = ownerOfNode(id);
    if (owner === null) continue;
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + us);
    const f = byId.get(id)!.callFrame;
    const where = f.url
      ? `${ownerOf(f.url, true) ?? f.url.replace(/^file:\/\//, '')}:${f.lineNumber + 1}`
      : '';
    const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
    selfByFunction.set(key, (selfByFunction.get(key) ?? 0) + us);
    const within = selfWithin.get(owner) ?? new Map<string, number>();
    selfWithin.set(owner, within.set(key, (within.get(key) ?? 0) + us));
    totalUs += us;
  }
  return {
    byOwner,
    selfByFunction,
    selfWithin,
    totalUs,
    meanIntervalUs: windowUs / Math.max(1, windowSamples),
    gaps,
  };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      warmup: { type: 'string', default: '100' },
      files: { type: 'boolean', default: false },
      top: { type: 'string', default: '0' },
      keep: { type: 'string' },
      bundles: { type: 'boolean' },
      analyze: { type: 'string' },
      interval: { type: 'string', default: '250' },
      expand: { type: 'string', multiple: true, default: [] },
    },
  });
  if (values.analyze) {
    const dir = resolve(values.analyze);
    const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as Run;
    report(run, dir, values.files, Number(values.top), values.expand);
    return;
  }
  const calls = Number(positionals[0] ?? 300);
  const warmup = Number(values.warmup);
  const top = Number(values.top);
  const profDir = values.keep ? resolve(values.keep) : mkdtempSync(join(tmpdir(), 'warden-cpu-prof-'));
  mkdirSync(profDir, { recursive: true });
  const before = new Set(readdirSync(profDir));
  // --interval 0: no profiler, the /proc figures alone (the profiler's own sampling costs the functions CPU).
  const profiling = Number(values.interval) > 0;
  if (profiling)
    process.env['WARDEN_FUNCTION_NODE_OPTIONS'] =
      `--cpu-prof --cpu-prof-dir=${profDir} --cpu-prof-interval=${Number(values.interval)}`;
  else delete process.env['WARDEN_FUNCTION_NODE_OPTIONS'];
  const load0 = (await import('node:os')).loadavg()[0]!;

  const bench = await startBenchStack(
    (line) => process.stderr.write(`${line}\n`),
    values.bundles ? { functionsDir: join(REPO, 'dist', 'functions') } : {},
  );
  const info = bench.stack.info;
  const pids = {
    gateway: functionPid(new URL(info.gatewayUrl).port),
    executor: functionPid(new URL(info.executorUrl).port),
  };
  const token = await bench.token('ann@example.org', ['analysts']);
  let id = 0;
  const call = (n: number) => allowedCall(info.mcpUrl, token, PROJECT, ++id, n);
  let window: Pick<Run, 'fromUs' | 'toUs' | 'cpu'>;
  try {
    for (let i = 0; i < warmup; i++) await call(i);
    const cpu0 = { gateway: cpuMs(pids.gateway), executor: cpuMs(pids.executor) };
    const fromUs = Number(process.hrtime.bigint() / 1000n);
    for (let i = 0; i < calls; i++) await call(warmup + i);
    const toUs = Number(process.hrtime.bigint() / 1000n);
    const cpu1 = { gateway: cpuMs(pids.gateway), executor: cpuMs(pids.executor) };
    const per = (a?: number, b?: number) =>
      a !== undefined && b !== undefined ? (b - a) / calls : undefined;
    window = {
      fromUs,
      toUs,
      cpu: { gateway: per(cpu0.gateway, cpu1.gateway), executor: per(cpu0.executor, cpu1.executor) },
    };
  } finally {
    await bench.stop();
  }
  const load1 = (await import('node:os')).loadavg()[0]!;

  const run: Run = {
    calls,
    warmup,
    ...window,
    pids,
    load: [load0, load1],
    intervalUs: Number(values.interval),
    files: readdirSync(profDir).filter((f) => !before.has(f) && f.endsWith('.cpuprofile')),
  };
  if (values.keep) writeFileSync(join(profDir, 'run.json'), `${JSON.stringify(run, null, 2)}\n`);
  if (profiling) report(run, profDir, values.files, top, values.expand);
  else
    console.log(
      `${run.calls} allowed execute_sql calls one at a time, no profiler; load average ${load0.toFixed(2)} at start, ${load1.toFixed(2)} at end\nuser + system (/proc), ms per call: ${Object.entries(
        run.cpu,
      )
        .map(([name, ms]) => `${name} ${ms?.toFixed(2) ?? '-'}`)
        .join(', ')}`,
    );
  if (values.keep)
    console.log(`\nprofiles kept in ${profDir} (again: node bench/cpu-profile.ts --analyze ${profDir})`);
  else rmSync(profDir, { recursive: true, force: true });
}

/** One measured run: the window of the measured calls (profile clock) and the functions' CPU over it. */
interface Run {
  calls: number;
  warmup: number;
  fromUs: number;
  toUs: number;
  /** User + system CPU ms per call over the window (/proc), by function. */
  cpu: Record<string, number | undefined>;
  pids: Record<string, number | undefined>;
  load: [number, number];
  /** The profiles this run wrote. */
  files: string[];
  /** V8's sampling interval (µs). */
  intervalUs?: number;
}

function report(run: Run, profDir: string, byFile: boolean, top: number, expand: string[] = []): void {
  const { calls, warmup } = run;
  // The functions write CPU.<date>.<time>.<pid>.<tid>.<seq>.cpuprofile on exit.
  const byPid = new Map<number, string>();
  for (const f of run.files) byPid.set(Number(f.split('.')[3]), join(profDir, f));
  const wallS = (run.toUs - run.fromUs) / 1e6;
  console.log(
    `${calls} allowed execute_sql calls one at a time (varied SQL, ${warmup} warm-up calls) in ${wallS.toFixed(1)} s; load average ${run.load[0].toFixed(2)} at start, ${run.load[1].toFixed(2)} at end`,
  );
  const tables: { name: string; result: ReturnType<typeof attribute> }[] = [];
  for (const [name, pid] of Object.entries(run.pids)) {
    const file = pid !== undefined ? byPid.get(pid) : undefined;
    if (!file) {
      console.log(`${name}: no profile written (pid ${pid})`);
      continue;
    }
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    tables.push({ name, result: attribute(profile, run.fromUs, run.toUs, byFile, run.intervalUs ?? 0) });
  }
  const owners = new Map<string, number>();
  for (const t of tables) for (const [o, us] of t.result.byOwner) owners.set(o, (owners.get(o) ?? 0) + us);
  // Milliseconds per sample: the process's CPU over the window (/proc) shared out by samples; without /proc,
  // the mean sampling interval (wall clock: an over-estimate on a loaded machine).
  const msPerSample = new Map(
    tables.map((t) => {
      const cpu = run.cpu[t.name];
      return [
        t,
        cpu !== undefined && t.result.totalUs > 0
          ? (cpu * calls) / t.result.totalUs
          : t.result.meanIntervalUs / 1000,
      ] as const;
    }),
  );
  const ms = (t: (typeof tables)[number], samples: number | undefined) =>
    (((samples ?? 0) * (msPerSample.get(t) ?? 0)) / calls).toFixed(2);
  const width = Math.max(44, ...[...owners.keys()].map((o) => o.length + 2));
  console.log(
    `\nCPU ms per call (each function's /proc CPU shared out by its profile samples)\n${'where'.padEnd(width)}${tables.map((t) => t.name.padStart(10)).join('')}`,
  );
  for (const [o] of [...owners].sort((a, b) => b[1] - a[1])) {
    const cells = tables.map((t) => ms(t, t.result.byOwner.get(o)).padStart(10));
    if (cells.every((c) => c.trim() === '0.00')) continue;
    console.log(`${o.padEnd(width)}${cells.join('')}`);
  }
  console.log(
    `${'samples per call'.padEnd(width)}${tables.map((t) => (t.result.totalUs / calls).toFixed(1).padStart(10)).join('')}`,
  );
  console.log(
    `${'samples after a gap, left out, per call'.padEnd(width)}${tables.map((t) => (t.result.gaps / calls).toFixed(1).padStart(10)).join('')}`,
  );
  console.log(
    `${'wall ms per sample (profile)'.padEnd(width)}${tables.map((t) => (t.result.meanIntervalUs / 1000).toFixed(2).padStart(10)).join('')}`,
  );
  console.log(
    `${'user + system (/proc)'.padEnd(width)}${tables.map((t) => (run.cpu[t.name]?.toFixed(2) ?? '-').padStart(10)).join('')}`,
  );
  for (const owner of expand)
    for (const t of tables) {
      const within = t.result.selfWithin.get(owner);
      if (!within) continue;
      console.log(`\n${t.name}: ${owner}, top functions by self time, ms per call`);
      for (const [f, us] of [...within].sort((a, b) => b[1] - a[1]).slice(0, Math.max(top, 15)))
        console.log(`${ms(t, us).padStart(7)}  ${f}`);
    }
  for (const t of top > 0 ? tables : []) {
    console.log(`\n${t.name}: top ${top} functions by self time, ms per call`);
    for (const [f, us] of [...t.result.selfByFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
      console.log(`${ms(t, us).padStart(7)}  ${f}`);
  }
}

if (import.meta.main) await main();
