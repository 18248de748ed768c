// Test helper: runs the `warden` command (cli/cli.ts, or bin/warden.js) as a child process and collects what it
// printed, as a person would see it. Killed after a minute, so a hung command fails its test.

import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** What a run printed and how it exited (`null`: killed). */
export interface CliRun {
  code: number | null;
  out: string;
  err: string;
}

export interface SpawnCliOptions {
  /** bin/warden.js, the installed entry point, instead of cli/cli.ts. */
  bin?: boolean;
  /** The child's whole environment (default this process's). */
  env?: NodeJS.ProcessEnv;
  /** Flags for node before the script (`--disable-warning=ExperimentalWarning`). */
  nodeArgs?: string[];
  cwd?: string;
}

const CLI = join(import.meta.dirname, 'cli.ts');
const BIN = join(import.meta.dirname, '..', 'bin', 'warden.js');

/** Runs `warden ARGS` in a child process. */
export function spawnCli(args: string[], o: SpawnCliOptions = {}): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...(o.nodeArgs ?? []), o.bin ? BIN : CLI, ...args], {
      env: o.env ?? process.env,
      ...(o.cwd ? { cwd: o.cwd } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, out, err });
    });
  });
}
