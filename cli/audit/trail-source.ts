// Where every `warden audit` command reads the trail from (verify, reconcile, search, report, prove, witness):
// --trail-dir (a local copy of the bucket), --bucket, or (with neither) the local stack's bucket, checked to be
// running. The objects are then read by the one trail reader, shared/core/audit/trail.ts `readTrail`.

import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { createStorageClient } from '../../shared/adapters/clients.ts';
import { GcsAuditSink } from '../../shared/adapters/storage/audit-sink.ts';
import { DEFAULT_PREFIX } from '../../shared/core/audit/layout.ts';
import type { AuditSink } from '../../shared/ports/audit-sink.ts';
import { UsageError } from '../cli-errors.ts';
import { ensureListening, isAnswering, readStackFile } from '../stack-file.ts';

/** Where a trail is, and (for the commands that check signatures) where its key is. */
export interface TrailSource {
  /** A directory holding a copy of the bucket (`--trail-dir`); unset: the bucket. */
  trailDir: string | undefined;
  bucket: string;
  prefix: string;
  projectId: string;
  /** Unset: Google's endpoints (and, for the key, --public-key). */
  storageEndpoint: string | undefined;
  kmsKeyVersion: string | undefined;
  kmsEndpoint: string | undefined;
  publicKeyPath: string | undefined;
}

/**
 * Where the trail is: the flags, or (without --bucket or --trail-dir) the local stack in `stateDir`, checked to
 * be running. `needsKey` false (the witness, which has its own log key) skips checking the local KMS stand-in.
 */
export async function resolveTrailSource(
  values: Record<string, string | boolean | undefined>,
  stateDir: string,
  needsKey = true,
): Promise<TrailSource> {
  const flag = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const trailDir = flag('trail-dir') ? resolve(flag('trail-dir')!) : undefined;
  if (trailDir && flag('bucket')) throw new UsageError('pass --bucket or --trail-dir, not both');
  const local = flag('bucket') || trailDir ? undefined : readStackFile(stateDir);
  if (!flag('bucket') && !trailDir && !local)
    throw new Error(
      `no --bucket given and no local stack in ${stateDir} (run "npm start", or pass --bucket or --trail-dir)`,
    );
  const source: TrailSource = {
    trailDir,
    bucket: flag('bucket') ?? local?.auditBucket ?? '',
    prefix: flag('prefix') ?? DEFAULT_PREFIX,
    projectId: flag('project') ?? local?.projectId ?? process.env['GOOGLE_CLOUD_PROJECT'] ?? '',
    storageEndpoint: trailDir
      ? undefined
      : (flag('storage-endpoint') ?? local?.endpoints.storage) || undefined,
    kmsKeyVersion: (flag('kms-key-version') ?? local?.auditKeyVersion) || undefined,
    kmsEndpoint: (flag('kms-endpoint') ?? local?.endpoints.kms) || undefined,
    publicKeyPath: flag('public-key') || undefined,
  };
  // stack.json outlives the stack: say so at once, instead of after the clients' retries.
  const check = async (endpoint: string | undefined, option: string, service: string) => {
    if (!endpoint) return;
    if (flag(option)) return ensureListening(endpoint, `--${option}`);
    if (!(await isAnswering(endpoint)))
      throw new Error(
        `the local stack in ${stateDir} is not running: nothing answers at ${endpoint}, its ${service} stand-in ` +
          '(run "npm start", or pass --bucket for a deployed trail)',
      );
  };
  await check(source.storageEndpoint, 'storage-endpoint', 'Cloud Storage');
  if (needsKey && !source.publicKeyPath) await check(source.kmsEndpoint, 'kms-endpoint', 'Cloud KMS');
  return source;
}

/** The sink the trail is read through: the directory copy, or the bucket. */
export async function openTrailSink(source: TrailSource): Promise<AuditSink> {
  if (source.trailDir) return new DirectorySink(source.trailDir);
  const storage = await createStorageClient(source.projectId || 'warden', source.storageEndpoint);
  return new GcsAuditSink(storage.bucket(source.bucket));
}

/**
 * A read-only sink over a directory holding a copy of the bucket (`gcloud storage cp -r gs://B/v1 DIR`). Nothing
 * outside the directory is read: its listing names every entry that is not a directory, symbolic links included
 * (a link to a directory is then a name outside the layout, which verify reports), and reading follows no link,
 * so a link where an object should be fails the read instead of vanishing from the trail or reading elsewhere.
 */
export class DirectorySink implements AuditSink {
  readonly root: string;
  readonly #realRoot: string;
  constructor(root: string) {
    if (!existsSync(root) || !statSync(root).isDirectory())
      throw new Error(`--trail-dir ${root} is not a directory`);
    this.root = root;
    this.#realRoot = realpathSync(root);
  }
  async create(): Promise<never> {
    throw new Error('a --trail-dir copy is read-only');
  }
  async read(name: string): Promise<Uint8Array> {
    const parts = name.split('/');
    if (parts.some((p) => p === '' || p === '.' || p === '..' || p.includes(sep)))
      throw new Error(`--trail-dir: ${JSON.stringify(name)} is not an object name of the copy`);
    const path = join(this.root, ...parts);
    // The folders on the way must be the copy's own, and the object itself no link (O_NOFOLLOW).
    const folder = realpathSync(dirname(path));
    if (folder !== this.#realRoot && !folder.startsWith(this.#realRoot + sep))
      throw new Error(`--trail-dir: ${name} lies outside the directory (a linked folder is not followed)`);
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ELOOP')
        throw new Error(`--trail-dir: ${name} is a symbolic link, which is not followed`, { cause: err });
      throw err;
    }
    try {
      if (!fstatSync(fd).isFile()) throw new Error(`--trail-dir: ${name} is not a regular file`);
      return new Uint8Array(readFileSync(fd));
    } finally {
      closeSync(fd);
    }
  }
  async list(prefix: string): Promise<string[]> {
    return entriesUnder(this.root)
      .filter((name) => name.startsWith(prefix))
      .sort();
  }
}

/** Every entry below `root` that is not a directory (files, links, anything else), as `/`-separated names. */
function entriesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, e.name);
      if (e.isDirectory()) walk(path);
      else out.push(relative(root, path).split(sep).join('/'));
    }
  };
  walk(root);
  return out;
}

/** The files below `root` (every depth), as `/`-separated names relative to it. */
export function filesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.isFile()) out.push(relative(root, path).split(sep).join('/'));
    }
  };
  walk(root);
  return out;
}
