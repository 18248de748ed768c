// Benchmark: cold start of the `gateway` and `executor` functions and the size of their deployable bundles.
// Each start is a fresh functions-framework process with the environment the local stack gives its
// functions, timed from spawn until it serves its first request (GET /healthz), then until it serves its
// first real call (execute_sql through the gateway; POST /execute on the executor, which decrypts its
// credential and masking key with KMS on first use), then a second call (warm: what the first one costs over
// it is the cold part). Sources (node running .ts) and, when `npm run build:functions` works, the esbuild
// bundles in dist/functions/<name>/ with the compile cache their `npm run gcp-build` makes (as Cloud Functions'
// build does), those once more with WARM_UP=false (shared/adapters/warm-up.ts) and once more with
// NODE_DISABLE_COMPILE_CACHE=1, so the effect of each is measured in the same run, under the same load.
// Goals (issue 10): under 500 ms to the first served request, under 5 MB per bundle; issue 22: the first
// query after a cold start cut from 650–720 ms.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { localGrant } from '../dev/grants.ts';
import { REPO_ROOT } from '../dev/stack.ts';
import { freePort } from '../standins/net.ts';
import { folderBytes } from '../tools/build/functions.ts';
import { BENCH_QUERY, executionRequest } from './gateway.bench.ts';
import type { BenchStack } from './local-stack.ts';

export interface StartTimes {
  /** Median of the runs: spawn → first 200 from GET /healthz. */
  firstRequestMs: number;
  /** Median of the runs: spawn → first successful real call (execute_sql, or POST /execute). */
  firstCallMs: number;
  /** Median of the runs: the second call's own duration (a warm call, made right after the first). */
  secondCallMs: number;
  /** Every run's figures, in order. */
  runs: StartRun[];
  /** The function's warm-up log line of the last run (its steps and their times), if it logged one. */
  warmUp?: string;
}

/** One cold start's figures. */
export interface StartRun {
  firstRequestMs: number;
  firstCallMs: number;
  secondCallMs: number;
}

export interface ColdStartResult {
  runsPerVariant: number;
  /** node itself: spawn → an empty script has exited (the floor under every figure). */
  nodeStartMs: number;
  source: Record<'gateway' | 'executor', StartTimes>;
  /** Absent when the bundles could not be built (see `bundleStatus`). */
  bundle?: Record<'gateway' | 'executor', StartTimes>;
  /** The bundles again with WARM_UP=false: the first query as it was before the warm-up. */
  bundleWithoutWarmUp?: Record<'gateway' | 'executor', StartTimes>;
  /** The bundles again with NODE_DISABLE_COMPILE_CACHE=1: every module compiled from its source, as before the cache. */
  bundleWithoutCompileCache?: Record<'gateway' | 'executor', StartTimes>;
  /** What `npm run gcp-build` (the bundle's compile cache, made as the deployment's build makes it) printed. */
  compileCache?: Record<'gateway' | 'executor', string>;
  bundleStatus: string;
  /** Bytes of dist/functions/<name>/main.js (the bundle; index.js only loads it), and of the whole folder (what is uploaded, before npm install). */
  bundleBytes?: Record<'gateway' | 'executor', { mainJs: number; folder: number }>;
}

const FRAMEWORK_MAIN = join(
  dirname(createRequire(import.meta.url).resolve('@google-cloud/functions-framework')),
  'main.js',
);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
};

/** Runs `npm run build:functions` when package.json has it; returns a status line. */
export function buildBundles(log: (line: string) => void): string {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  if (!pkg.scripts?.['build:functions']) return 'not built: package.json has no build:functions script';
  log('  npm run build:functions …');
  const run = spawnSync('npm', ['run', '--silent', 'build:functions'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (run.status !== 0)
    return `not built: npm run build:functions failed (${(run.stderr || run.stdout || '').trim().split('\n').slice(-3).join(' | ')})`;
  return 'built with npm run build:functions';
}

/** Starts one function process; resolves when it exits after `stop`. */
function startProcess(
  target: string,
  source: string,
  port: number,
  env: Record<string, string>,
  nodeArgs: string[] = [],
) {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--disable-warning=ExperimentalWarning',
      ...nodeArgs,
      FRAMEWORK_MAIN,
      `--target=${target}`,
      `--source=${source}`,
      `--port=${port}`,
    ],
    {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      cwd: existsSync(source) && statSync(source).isDirectory() ? source : REPO_ROOT,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '',
        NODE_ENV: 'production',
        ...env,
      },
    },
  );
  let stderr = '';
  let warmUp: string | undefined;
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
    // The warm-up's summary (shared/adapters/warm-up.ts): one JSON line whose message starts "warm-up finished".
    warmUp ??= /"message":"(warm-up finished[^"]*)"/.exec(stderr)?.[1];
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    stderr: () => stderr,
    warmUp: () => warmUp,
    exited: () => child.exitCode !== null,
    stop: async () => {
      if (child.exitCode === null && child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // already gone
        }
        const timer = setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            // already gone
          }
        }, 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** Runs a bundle's `npm run gcp-build` (its compile cache) as the buildpack does; returns what it printed. */
function gcpBuild(dir: string): string {
  const run = spawnSync('npm', ['run', '--silent', 'gcp-build'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.status !== 0)
    throw new Error(`npm run gcp-build failed in ${dir}: ${(run.stderr || run.stdout).trim()}`);
  return run.stdout.trim();
}

/** Polls `fn` every 2 ms until it resolves true; throws after 30 s or if the process exited. */
async function until(
  fn: () => Promise<boolean>,
  proc: { exited(): boolean; stderr(): string },
): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if (await fn()) return;
    } catch {
      // not listening yet
    }
    if (proc.exited()) throw new Error(`the function exited during start:\n${proc.stderr()}`);
    if (Date.now() > deadline) throw new Error(`the function did not start within 30 s:\n${proc.stderr()}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function healthy(url: string): Promise<boolean> {
  const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return res.status === 200;
}

/** How one start is run: more environment (e.g. WARM_UP=false) and node flags (e.g. --cpu-prof). */
export interface StartOptions {
  env?: Record<string, string>;
  nodeArgs?: string[];
}

/**
 * Times one cold start of `name` from `source`: to /healthz, to its first real call, and a second call right
 * after (warm). Exported for one-off profiling (a script passing `nodeArgs: ['--cpu-prof']`).
 */
export async function timeStart(
  bench: BenchStack,
  name: 'gateway' | 'executor',
  source: string,
  options: StartOptions = {},
): Promise<StartRun & { warmUp?: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const info = bench.stack.info;
  const env = {
    ...(name === 'gateway' ? bench.gatewayEnv(port) : { ...bench.stack.executorEnv, EXECUTOR_AUDIENCE: url }),
    ...options.env,
  };
  // Tokens (and the executor's grants: each is used once) are made before the clock starts: the caller's cost.
  const grants =
    name === 'gateway'
      ? []
      : await Promise.all(
          ['first', 'second'].map((n) =>
            localGrant(
              info.endpoints.kms,
              executionRequest(info.issuer, info.projectId, `bench-${process.pid}-${Date.now()}-${n}`),
            ),
          ),
        );
  const callerToken =
    name === 'gateway'
      ? await bench.token('ann@example.org', ['analysts'], url)
      : await (
          await fetch(
            `http://${info.gatewayMetadataHost}/computeMetadata/v1/instance/service-accounts/default/identity?audience=${encodeURIComponent(url)}`,
            { headers: { 'metadata-flavor': 'Google' } },
          )
        ).text();
  const call = async (i: number) => {
    const res =
      name === 'gateway'
        ? await fetch(`${url}/mcp`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${callerToken}`,
              'content-type': 'application/json',
              accept: 'application/json, text/event-stream',
            },
            body: JSON.stringify({
              jsonrpc: '2.0',
              id: i + 1,
              method: 'tools/call',
              params: { name: 'execute_sql', arguments: { projectId: info.projectId, query: BENCH_QUERY } },
            }),
          })
        : await fetch(`${url}/execute`, {
            method: 'POST',
            headers: { authorization: `Bearer ${callerToken}`, 'content-type': 'application/json' },
            body: JSON.stringify({ grant: grants[i] }),
          });
    const body = await res.text();
    if (res.status !== 200 || body.includes('"isError":true'))
      throw new Error(
        `${i === 0 ? 'first' : 'second'} ${name} call failed: HTTP ${res.status} ${body.slice(0, 300)}`,
      );
  };
  const t0 = performance.now();
  const proc = startProcess(name, source, port, env, options.nodeArgs);
  try {
    await until(() => healthy(url), proc);
    const firstRequestMs = Math.round(performance.now() - t0);
    await call(0);
    const firstCallMs = Math.round(performance.now() - t0);
    const t1 = performance.now();
    await call(1);
    const secondCallMs = Math.round(performance.now() - t1);
    // The warm-up's summary comes when its last step is done (its idle steps wait for no request in flight).
    for (let i = 0; i < 150 && options.env?.['WARM_UP'] !== 'false' && !proc.warmUp(); i++)
      await new Promise((r) => setTimeout(r, 20));
    const warmUp = proc.warmUp();
    return { firstRequestMs, firstCallMs, secondCallMs, ...(warmUp ? { warmUp } : {}) };
  } finally {
    await proc.stop();
  }
}

/**
 * Times every variant (each a way of starting the same sources), run by run in turn, so that a change of load
 * on the machine during the bench weighs on each variant alike.
 */
async function timeVariants(
  bench: BenchStack,
  sources: Record<'gateway' | 'executor', string>,
  runs: number,
  variants: StartOptions[],
): Promise<Record<'gateway' | 'executor', StartTimes>[]> {
  const out = variants.map(() => ({}) as Record<'gateway' | 'executor', StartTimes>);
  for (const name of ['gateway', 'executor'] as const) {
    // One unmeasured start first: the OS file cache holds the sources afterwards, as on a warm host.
    await timeStart(bench, name, sources[name], variants[0]);
    const all = variants.map(() => [] as (StartRun & { warmUp?: string })[]);
    for (let i = 0; i < runs; i++)
      for (const [v, options] of variants.entries())
        all[v]!.push(await timeStart(bench, name, sources[name], options));
    for (const [v, these] of all.entries()) {
      const warmUp = these.at(-1)?.warmUp;
      out[v]![name] = {
        firstRequestMs: median(these.map((r) => r.firstRequestMs)),
        firstCallMs: median(these.map((r) => r.firstCallMs)),
        secondCallMs: median(these.map((r) => r.secondCallMs)),
        runs: these.map(({ firstRequestMs, firstCallMs, secondCallMs }) => ({
          firstRequestMs,
          firstCallMs,
          secondCallMs,
        })),
        ...(warmUp ? { warmUp } : {}),
      };
    }
  }
  return out;
}

function nodeStart(runs: number): number {
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    if (i > 0) times.push(performance.now() - t0);
  }
  return Math.round(median(times));
}

/** Measures cold starts against a running bench stack (its emulators and stand-ins serve the functions). */
export async function benchColdStart(
  bench: BenchStack,
  options: { runs?: number; build?: boolean; log?: (line: string) => void } = {},
): Promise<ColdStartResult> {
  const runs = options.runs ?? 3;
  const log = options.log ?? (() => {});
  const [source] = (await timeVariants(
    bench,
    {
      gateway: join(REPO_ROOT, 'functions', 'gateway', 'index.ts'),
      executor: join(REPO_ROOT, 'functions', 'executor', 'index.ts'),
    },
    runs,
    [{}],
  )) as [Record<'gateway' | 'executor', StartTimes>];
  log(`  source: gateway ${source.gateway.firstRequestMs} ms, executor ${source.executor.firstRequestMs} ms`);

  let bundleStatus = options.build === false ? 'not rebuilt (--no-build)' : buildBundles(log);
  const dist = join(REPO_ROOT, 'dist', 'functions');
  const dirs = { gateway: join(dist, 'gateway'), executor: join(dist, 'executor') };
  const present = existsSync(join(dirs.gateway, 'main.js')) && existsSync(join(dirs.executor, 'main.js'));
  if (!present) {
    if (!bundleStatus.startsWith('not built')) bundleStatus = 'not built: dist/functions has no bundles';
    return { runsPerVariant: runs, nodeStartMs: nodeStart(runs), source, bundleStatus };
  }
  const bundleBytes = {
    gateway: { mainJs: statSync(join(dirs.gateway, 'main.js')).size, folder: folderBytes(dirs.gateway) },
    executor: { mainJs: statSync(join(dirs.executor, 'main.js')).size, folder: folderBytes(dirs.executor) },
  };
  let bundle: ColdStartResult['bundle'];
  let bundleWithoutWarmUp: ColdStartResult['bundleWithoutWarmUp'];
  let bundleWithoutCompileCache: ColdStartResult['bundleWithoutCompileCache'];
  let compileCache: ColdStartResult['compileCache'];
  try {
    // The compile cache as Cloud Functions' buildpack makes it during the deployment's build (tools/build/functions.ts).
    compileCache = { gateway: gcpBuild(dirs.gateway), executor: gcpBuild(dirs.executor) };
    for (const name of ['gateway', 'executor'] as const) log(`  bundle ${name}: ${compileCache[name]}`);
    // The bundles as deployed, without their warm-up (WARM_UP=false) and without their compile cache, run by run
    // in turn: the after and the befores of issue 22 item 4 under the same load.
    const [on, off, compiled] = (await timeVariants(bench, dirs, runs, [
      {},
      { env: { WARM_UP: 'false' } },
      { env: { NODE_DISABLE_COMPILE_CACHE: '1' } },
    ])) as [
      Record<'gateway' | 'executor', StartTimes>,
      Record<'gateway' | 'executor', StartTimes>,
      Record<'gateway' | 'executor', StartTimes>,
    ];
    bundle = on;
    bundleWithoutWarmUp = off;
    bundleWithoutCompileCache = compiled;
    log(`  bundle: gateway ${on.gateway.firstRequestMs} ms, executor ${on.executor.firstRequestMs} ms`);
    for (const name of ['gateway', 'executor'] as const) {
      if (on[name].warmUp) log(`  bundle ${name}: ${on[name].warmUp}`);
      const f = (t: StartTimes) => `${t.firstRequestMs} / ${t.firstCallMs} / ${t.secondCallMs} ms`;
      log(
        `  bundle ${name}, to /healthz / first query / second query: ${f(on[name])} as deployed, ` +
          `${f(off[name])} with WARM_UP=false, ${f(compiled[name])} with NODE_DISABLE_COMPILE_CACHE=1`,
      );
    }
  } catch (err) {
    bundleStatus = `${bundleStatus}; the bundle did not start: ${String(err).split('\n').slice(0, 3).join(' | ')}`;
  }
  return {
    runsPerVariant: runs,
    nodeStartMs: nodeStart(runs),
    source,
    ...(bundle ? { bundle } : {}),
    ...(bundleWithoutWarmUp ? { bundleWithoutWarmUp } : {}),
    ...(bundleWithoutCompileCache ? { bundleWithoutCompileCache } : {}),
    ...(compileCache ? { compileCache } : {}),
    bundleStatus,
    bundleBytes,
  };
}
