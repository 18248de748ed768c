// The local stack as the commands that default to it see it: its <stateDir>/stack.json, and whether the
// stand-ins it names still answer (stack.json outlives the stack).

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Warden checkout this command runs from. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** What a running stack exposes; also written to `<stateDir>/stack.json` for `warden token`. */
export interface StackInfo {
  projectId: string;
  gatewayUrl: string;
  mcpUrl: string;
  executorUrl: string;
  issuer: string;
  audience: string;
  /** The audience of a person's token in X-Warden-On-Behalf-Of (the gateway's ON_BEHALF_OF_AUDIENCE default). */
  onBehalfOfAudience: string;
  stateDir: string;
  auditBucket: string;
  auditKeyVersion: string;
  endpoints: { firestore: string; pubsub: string; kms: string; storage: string; bigquery: string };
  /** Metadata-server stand-in of the gateway's identity (GCE_METADATA_HOST). */
  gatewayMetadataHost: string;
  /** The chat webhook stand-in the notifier posts to (`GET <url>/messages` lists what it received). */
  chatInboxUrl: string;
}

/** The default state directory's name under the checkout (`warden start` without --state-dir). */
export const DEFAULT_STATE_DIR_NAME = '.warden';

/**
 * The stack.json of `stateDir`, or undefined when there is none. A file that is not one (unreadable, not JSON,
 * no gateway URL) is an error naming it.
 */
export function readStackFile(stateDir: string): StackInfo | undefined {
  const path = join(stateDir, 'stack.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${path}: ${(err as Error).message}`);
  }
  let info: Partial<StackInfo>;
  try {
    info = JSON.parse(text) as Partial<StackInfo>;
  } catch {
    throw new Error(`${path} is not a local stack's description (not JSON): run "npm start" again`);
  }
  if (typeof info?.gatewayUrl !== 'string' || typeof info.issuer !== 'string')
    throw new Error(`${path} is not a local stack's description (no gatewayUrl): run "npm start" again`);
  return info as StackInfo;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * False when nothing accepts connections at a loopback `endpoint` (host:port or a URL). Other hosts are not
 * probed (true): their clients' retries and deadlines apply.
 */
export async function isAnswering(endpoint: string): Promise<boolean> {
  let url: URL;
  try {
    url = new URL(/^[a-z]+:\/\//.test(endpoint) ? endpoint : `tcp://${endpoint}`);
  } catch {
    throw new Error(`${endpoint} is not host:port or a URL`);
  }
  if (!LOOPBACK.has(url.hostname)) return true;
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return isListening(url.hostname.replace(/^\[|\]$/g, ''), port);
}

/** Throws "nothing answers at <endpoint> (<flag>)" unless {@link isAnswering}. */
export async function ensureListening(endpoint: string, flag: string): Promise<void> {
  if (!(await isAnswering(endpoint))) throw new Error(`nothing answers at ${endpoint} (${flag})`);
}

// The stand-ins' net.ts has the same probe; the shipped CLI keeps its own, as it imports nothing of the stand-ins.
/** True when something accepts a TCP connection on host:port within `timeoutMs`. */
function isListening(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Creates `dir` and its missing parents one level at a time, failing on the first that cannot be made.
 * (`mkdirSync(dir, { recursive: true })` never returns where a parent exists but cannot hold children, as under
 * /proc: mkdir answers ENOENT, the parent EEXIST, and the walk starts over; the loop oven-sh/bun#36162 fixed.)
 */
export function makeDirectory(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d) && dirname(d) !== d; d = dirname(d)) missing.unshift(d);
  for (const d of missing)
    try {
      mkdirSync(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
}
