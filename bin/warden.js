#!/usr/bin/env node
// The `warden` command. Warden runs on Node 24 (pinned as a devDependency); this shim re-runs the CLI with
// that Node when the one on PATH is older, so `npx warden …` works from any shell.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'cli', 'cli.ts');
const major = Number(process.versions.node.split('.')[0]);
const pinned = join(root, 'node_modules', 'node', 'bin', 'node');
const node = major >= 24 ? process.execPath : existsSync(pinned) ? pinned : undefined;
if (!node) {
  console.error(
    'warden: Node 24 is required. Run "npm ci" in the Warden checkout (it installs Node 24 locally).',
  );
  process.exit(1);
}
// MetadataLookupWarning: google-auth-library's note that it found no metadata server, printed ahead of the
// one-line error the CLI gives when it has no credentials.
const child = spawn(
  node,
  [
    '--disable-warning=ExperimentalWarning',
    '--disable-warning=MetadataLookupWarning',
    cli,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);
// Pass termination on: `warden bridge` and `warden start` stop cleanly on SIGTERM/SIGINT.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
