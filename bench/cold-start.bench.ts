// Benchmark: cold start of the `gateway` and `executor` functions and the size of their deployable bundles.
// Each start is a fresh functions-framework process with the environment the local stack gives its
// functions, timed from spawn until it serves its first request (GET /healthz), then until it serves its
// first real call (execute_sql through the gateway; POST /execute on the executor, which decrypts its
// credential and masking key with KMS on first use). Sources (node running .ts) and, when
// `npm run build:functions` works, the esbuild bundles in dist/functions/<name>/.
// Goals (issue 10): under 500 ms to the first served request, under 5 MB per bundle.

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
  /** Every run's figures, in order. */
  runs: { firstRequestMs: number; firstCallMs: number }[];
}

export interface ColdStartResult {
  runsPerVariant: number;
  /** node itself: spawn → an empty script has exited (the floor under every figure). */
  nodeStartMs: number;
  source: Record<'gateway' | 'executor', StartTimes>;
  /** Absent when the bundles could not be built (see `bundleStatus`). */
  bundle?: Record<'gateway' | 'executor', StartTimes>;
  bundleStatus: string;
  /** Bytes of dist/functions/<name>/index.js, and of the whole folder (what is uploaded, before npm install). */
  bundleBytes?: Record<'gateway' | 'executor', { indexJs: number; folder: number }>;
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
function startProcess(target: string, source: string, port: number, env: Record<string, string>) {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--disable-warning=ExperimentalWarning',
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
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    stderr: () => stderr,
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

/** Times one cold start of `name` from `source`, to /healthz and to its first real call. */
async function timeStart(
  bench: BenchStack,
  name: 'gateway' | 'executor',
  source: string,
): Promise<{ firstRequestMs: number; firstCallMs: number }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const info = bench.stack.info;
  const env =
    name === 'gateway' ? bench.gatewayEnv(port) : { ...bench.stack.executorEnv, EXECUTOR_AUDIENCE: url };
  // Tokens (and the executor's grant) are made before the clock starts: they are the caller's cost.
  const grant =
    name === 'gateway'
      ? undefined
      : await localGrant(info.endpoints.kms, executionRequest(info.issuer, info.projectId));
  const callerToken =
    name === 'gateway'
      ? await bench.token('ann@example.org', ['analysts'], url)
      : await (
          await fetch(
            `http://${info.gatewayMetadataHost}/computeMetadata/v1/instance/service-accounts/default/identity?audience=${encodeURIComponent(url)}`,
            { headers: { 'metadata-flavor': 'Google' } },
          )
        ).text();
  const t0 = performance.now();
  const proc = startProcess(name, source, port, env);
  try {
    await until(() => healthy(url), proc);
    const firstRequestMs = Math.round(performance.now() - t0);
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
              id: 1,
              method: 'tools/call',
              params: { name: 'execute_sql', arguments: { projectId: info.projectId, query: BENCH_QUERY } },
            }),
          })
        : await fetch(`${url}/execute`, {
            method: 'POST',
            headers: { authorization: `Bearer ${callerToken}`, 'content-type': 'application/json' },
            body: JSON.stringify({ grant }),
          });
    const body = await res.text();
    if (res.status !== 200 || body.includes('"isError":true'))
      throw new Error(`first ${name} call failed: HTTP ${res.status} ${body.slice(0, 300)}`);
    return { firstRequestMs, firstCallMs: Math.round(performance.now() - t0) };
  } finally {
    await proc.stop();
  }
}

async function timeVariant(
  bench: BenchStack,
  sources: Record<'gateway' | 'executor', string>,
  runs: number,
): Promise<Record<'gateway' | 'executor', StartTimes>> {
  const out = {} as Record<'gateway' | 'executor', StartTimes>;
  for (const name of ['gateway', 'executor'] as const) {
    // One unmeasured start first: the OS file cache holds the sources afterwards, as on a warm host.
    await timeStart(bench, name, sources[name]);
    const all = [];
    for (let i = 0; i < runs; i++) all.push(await timeStart(bench, name, sources[name]));
    out[name] = {
      firstRequestMs: median(all.map((r) => r.firstRequestMs)),
      firstCallMs: median(all.map((r) => r.firstCallMs)),
      runs: all,
    };
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
  const source = await timeVariant(
    bench,
    {
      gateway: join(REPO_ROOT, 'functions', 'gateway', 'index.ts'),
      executor: join(REPO_ROOT, 'functions', 'executor', 'index.ts'),
    },
    runs,
  );
  log(`  source: gateway ${source.gateway.firstRequestMs} ms, executor ${source.executor.firstRequestMs} ms`);

  let bundleStatus = options.build === false ? 'not rebuilt (--no-build)' : buildBundles(log);
  const dist = join(REPO_ROOT, 'dist', 'functions');
  const dirs = { gateway: join(dist, 'gateway'), executor: join(dist, 'executor') };
  const present = existsSync(join(dirs.gateway, 'index.js')) && existsSync(join(dirs.executor, 'index.js'));
  if (!present) {
    if (!bundleStatus.startsWith('not built')) bundleStatus = 'not built: dist/functions has no bundles';
    return { runsPerVariant: runs, nodeStartMs: nodeStart(runs), source, bundleStatus };
  }
  const bundleBytes = {
    gateway: { indexJs: statSync(join(dirs.gateway, 'index.js')).size, folder: folderBytes(dirs.gateway) },
    executor: { indexJs: statSync(join(dirs.executor, 'index.js')).size, folder: folderBytes(dirs.executor) },
  };
  let bundle: ColdStartResult['bundle'];
  try {
    bundle = await timeVariant(bench, dirs, runs);
    log(
      `  bundle: gateway ${bundle.gateway.firstRequestMs} ms, executor ${bundle.executor.firstRequestMs} ms`,
    );
  } catch (err) {
    bundleStatus = `${bundleStatus}; the bundle did not start: ${String(err).split('\n').slice(0, 3).join(' | ')}`;
  }
  return {
    runsPerVariant: runs,
    nodeStartMs: nodeStart(runs),
    source,
    ...(bundle ? { bundle } : {}),
    bundleStatus,
    bundleBytes,
  };
}
