// The official Firestore and Pub/Sub emulators: reuse running ones (FIRESTORE_EMULATOR_HOST,
// PUBSUB_EMULATOR_HOST, as `firebase emulators:exec` sets), or launch the Google Cloud CLI's binaries.

import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

/** A running emulator, and how to stop it (a no-op for one we did not start). */
export interface Emulator {
  name: string;
  host: string;
  stop(): Promise<void>;
}

const INSTALL_HELP = `The Firestore and Pub/Sub emulators were not found.
Install them with the Google Cloud CLI:
  gcloud components install cloud-firestore-emulator pubsub-emulator
or, on Debian/Ubuntu with Google's apt repository:
  apt-get install google-cloud-cli-firestore-emulator google-cloud-cli-pubsub-emulator default-jre-headless
Or start them yourself and set FIRESTORE_EMULATOR_HOST and PUBSUB_EMULATOR_HOST (firebase emulators:exec does).`;

/** Thrown when no emulator can be found; its message says how to install them. */
export class EmulatorsMissingError extends Error {
  constructor(detail: string) {
    super(`${INSTALL_HELP}\n(${detail})`);
    this.name = 'EmulatorsMissingError';
  }
}

/** Where Debian packages and the interactive installer put the Google Cloud CLI. */
const USUAL_ROOTS = ['/usr/lib/google-cloud-sdk', '/usr/share/google-cloud-sdk', '/opt/google-cloud-sdk'];

/** The Google Cloud CLI's install root: CLOUDSDK_ROOT_DIR, or where `gcloud` on PATH really lives. */
export function findCloudSdkRoot(
  env: NodeJS.ProcessEnv = process.env,
  usual = USUAL_ROOTS,
): string | undefined {
  const candidates: string[] = [];
  if (env['CLOUDSDK_ROOT_DIR']) candidates.push(env['CLOUDSDK_ROOT_DIR']);
  for (const dir of (env['PATH'] ?? '').split(delimiter).filter(Boolean)) {
    const gcloud = join(dir, 'gcloud');
    // bin/gcloud lives in the SDK root; a symlink (e.g. /usr/bin/gcloud) leads there.
    if (existsSync(gcloud)) candidates.push(dirname(dirname(realpathSync(gcloud))));
  }
  candidates.push(...usual);
  return candidates.find((c) => existsSync(join(c, 'platform')));
}

/** Starts (or adopts) the Firestore emulator on host:port. */
export function startFirestore(
  port: number,
  logDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Emulator> {
  const existing = env['FIRESTORE_EMULATOR_HOST'];
  if (existing) return adopt('Firestore emulator', existing);
  const script = join(requireSdk(env), 'platform', 'cloud-firestore-emulator', 'cloud_firestore_emulator');
  if (!existsSync(script)) throw new EmulatorsMissingError(`missing ${script}`);
  return launch('Firestore emulator', script, ['start', '--host=127.0.0.1', `--port=${port}`], port, logDir);
}

/** Starts (or adopts) the Pub/Sub emulator on host:port. */
export function startPubSub(
  port: number,
  logDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Emulator> {
  const existing = env['PUBSUB_EMULATOR_HOST'];
  if (existing) return adopt('Pub/Sub emulator', existing);
  const script = join(requireSdk(env), 'platform', 'pubsub-emulator', 'bin', 'cloud-pubsub-emulator');
  if (!existsSync(script)) throw new EmulatorsMissingError(`missing ${script}`);
  return launch('Pub/Sub emulator', script, ['--host=127.0.0.1', `--port=${port}`], port, logDir);
}

function requireSdk(env: NodeJS.ProcessEnv): string {
  // WARDEN_CLOUDSDK_SEARCH=env-only restricts the search to CLOUDSDK_ROOT_DIR and PATH (used by tests).
  const root = findCloudSdkRoot(env, env['WARDEN_CLOUDSDK_SEARCH'] === 'env-only' ? [] : USUAL_ROOTS);
  if (!root) throw new EmulatorsMissingError('no Google Cloud CLI installation found');
  return root;
}

async function adopt(name: string, host: string): Promise<Emulator> {
  await waitReady(name, `http://${host}/`, 30_000);
  return { name, host, stop: async () => {} };
}

async function launch(
  name: string,
  cmd: string,
  args: string[],
  port: number,
  logDir: string,
): Promise<Emulator> {
  const log = createWriteStream(
    join(logDir, `${name.split(' ')[0]!.toLowerCase().replace('/', '')}-emulator.log`),
  );
  // Its own process group, so stopping it also stops the JVM the script starts.
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const host = `127.0.0.1:${port}`;
  const ready = waitReady(name, `http://${host}/`, 60_000);
  const early = exited.then((code) => {
    throw new Error(`${name} exited early (code ${code}); see ${logDir}`);
  });
  try {
    await Promise.race([ready, early]);
  } catch (err) {
    await stopGroup(child, exited);
    throw err;
  }
  early.catch(() => {});
  return { name, host, stop: () => stopGroup(child, exited) };
}

/** Stops a detached child's whole process group: SIGTERM, then SIGKILL after 5 s. */
export async function stopGroup(
  child: ChildProcess,
  exited: Promise<unknown>,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const kill = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // already gone
    }
  };
  kill(signal);
  const timer = setTimeout(() => kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Polls `url` until it answers 200 (or, with `anyAnswer`, anything at all: event functions answer only POST). */
export async function waitReady(
  name: string,
  url: string,
  timeoutMs: number,
  anyAnswer = false,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok || anyAnswer) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline)
      throw new Error(`${name} did not become ready at ${url} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
