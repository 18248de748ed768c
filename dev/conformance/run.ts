// Runs the official MCP conformance suite against a fresh local stack, through the token proxy, and compares
// the result with dev/conformance/expected-failures.yaml. Exit code 0 only when every failure is expected
// and every expected failure still fails. Always stops what it started. See docs/conformance.md.
//
//   node dev/conformance/run.ts [--suite active|all|pending] [--scenario NAME] [--patients N]
//                                 [--results DIR] [--keep-state]

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePortBlock, PortInUseError } from '../../standins/net.ts';
import { type Stack, startStack } from '../stack.ts';
import { compare, readExpectedFailures, readResults, report } from './baseline.ts';
import { devTokenSource, startTokenProxy, type TokenProxy } from './token-proxy.ts';

/** Pinned: a new suite version can add scenarios; update deliberately, then the baseline. */
export const CONFORMANCE_PACKAGE = '@modelcontextprotocol/conformance@0.1.16';
export const EXPECTED_FAILURES = join(dirname(fileURLToPath(import.meta.url)), 'expected-failures.yaml');
/** Whose development token the proxy adds (groups decide what dev/policy.yaml allows). */
export const CONFORMANCE_IDENTITY = { email: 'conformance@example.org', groups: ['analysts'] };

const SUITE_TIMEOUT_MS = 10 * 60_000;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      suite: { type: 'string', default: 'active' },
      scenario: { type: 'string' },
      patients: { type: 'string', default: '200' },
      results: { type: 'string' },
      'keep-state': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(
      'Usage: node dev/conformance/run.ts [--suite active|all|pending] [--scenario NAME] [--patients N] [--results DIR] [--keep-state]',
    );
    return 0;
  }
  if (Number(process.versions.node.split('.')[0]) < 22) {
    console.error('conformance: the MCP conformance suite needs Node 22+ (run with the pinned Node 24)');
    return 1;
  }
  const baseline = readExpectedFailures(EXPECTED_FAILURES);
  const root = mkdtempSync(join(tmpdir(), 'warden-conformance-'));
  const stateDir = join(root, 'state');
  const resultsDir = resolve(values.results ?? join(root, 'results'));
  if (existsSync(resultsDir) && readdirSync(resultsDir).length > 0) {
    console.error(`conformance: ${resultsDir} is not empty (results of another run would mix in)`);
    rmSync(root, { recursive: true, force: true });
    return 1;
  }
  mkdirSync(resultsDir, { recursive: true });

  let stack: Stack | undefined;
  let proxy: TokenProxy | undefined;
  let child: ChildProcess | undefined;
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\nconformance: ${signal}, stopping …`);
    if (child?.pid) killGroup(child.pid);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    for (let attempt = 1; !stack; attempt++) {
      const portBase = await freePortBlock();
      console.log(
        `conformance: starting the local stack on ports ${portBase}-${portBase + 9} (state ${stateDir})`,
      );
      try {
        stack = await startStack({
          stateDir,
          portBase,
          patients: Number(values.patients),
          seed: 'conformance',
          log: (line) => console.log(`  ${line}`),
        });
      } catch (err) {
        // Another process took one of the ports between the probe and the start: try another base.
        if (!(err instanceof PortInUseError) || attempt >= 3) throw err;
      }
      if (interrupted) return 130;
    }
    const tokenFor = await devTokenSource({ stateDir, ...CONFORMANCE_IDENTITY });
    proxy = await startTokenProxy({ target: stack.info.gatewayUrl, tokenFor });
    const url = `${proxy.url}/mcp`;
    console.log(`conformance: gateway ${stack.info.mcpUrl}, token proxy ${url}`);
    if (interrupted) return 130;

    const args = ['-y', '--prefer-offline', CONFORMANCE_PACKAGE, 'server', '--url', url];
    args.push('--expected-failures', EXPECTED_FAILURES, '--output-dir', resultsDir);
    if (values.scenario) args.push('--scenario', values.scenario);
    else args.push('--suite', values.suite);
    console.log(`conformance: npx ${args.join(' ')}`);
    child = spawn('npx', args, {
      stdio: 'inherit',
      detached: true, // its own process group, so that stopping it stops npm's children too
      // The suite needs Node 22+: run it on the Node that runs this script.
      env: { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env['PATH'] ?? ''}` },
    });
    const running = child;
    const timer = setTimeout(() => {
      console.error(`conformance: the suite ran longer than ${SUITE_TIMEOUT_MS / 1000} s, stopping it`);
      if (running.pid) killGroup(running.pid);
    }, SUITE_TIMEOUT_MS);
    const code = await new Promise<number | null>((done) => {
      running.once('exit', (c) => done(c));
      running.once('error', (err) => {
        console.error(`conformance: could not run npx: ${err.message}`);
        done(null);
      });
    });
    clearTimeout(timer);
    child = undefined;
    if (interrupted) return 130;

    const results = readResults(resultsDir);
    const comparison = compare(results, baseline);
    console.log(report(results, baseline, comparison));
    console.log(`conformance: results in ${resultsDir}`);
    if (code !== 0 && comparison.ok)
      console.error(`conformance: the suite exited with ${code} although the baseline comparison passed`);
    return comparison.ok && code === 0 ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (child?.pid) killGroup(child.pid);
    await proxy?.close();
    await stack?.stop();
    if (values['keep-state']) console.log(`conformance: stack state kept in ${stateDir}`);
    else rmSync(stateDir, { recursive: true, force: true });
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

if (import.meta.main) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (err) {
    console.error(`conformance: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  }
}
