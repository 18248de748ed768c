// `warden audit witness init|add|show --state DIR`: a witness an auditor runs outside the operator's control
// (c2sp.org/tlog-witness semantics, shared/core/audit/witness.ts). `add` reads the trail's checkpoints (the
// bucket, a local copy of it, or the local stack), computes each consistency proof from the records, and has
// the witness cosign every checkpoint that extends what it cosigned before; it refuses, by name, a fork, a
// rollback or records altered under a witnessed checkpoint. State (key, config, latest cosigned checkpoint per
// log) lives in DIR, which the gateway's identity must not be able to write.

import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { isSameTree, newestCheckpoints } from '../../shared/core/audit/checkpoint.ts';
import { DEFAULT_PREFIX, parseObjectName } from '../../shared/core/audit/layout.ts';
import { consistencyProof, hashLeaf } from '../../shared/core/audit/merkle.ts';
import {
  decodeBase64,
  describeKey,
  ecdsaVerifier,
  type NoteVerifier,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
} from '../../shared/core/audit/note.ts';
import { parseEnvelope } from '../../shared/core/audit/schema.ts';
import { readTrail } from '../../shared/core/audit/trail.ts';
import type { TrailObject } from '../../shared/core/audit/verify.ts';
import type { CosignedNote } from '../../shared/core/audit/verify-witness.ts';
import {
  addCheckpoint,
  type CosignerKey,
  cosignerKey,
  ed25519Cosigner,
  formatCosignerKey,
  parseCosignerKey,
  type WitnessState,
} from '../../shared/core/audit/witness.ts';
import type { AuditSink } from '../../shared/ports/audit-sink.ts';
import { parseCommandArgs, readInput, reportFailure, UsageError } from '../cli-errors.ts';
import { filesUnder, openTrailSink, resolveTrailSource } from './trail-source.ts';

export const WITNESS_USAGE = `  audit witness init --state DIR --name NAME --log-key kms.pem [--origin-prefix P]
  audit witness add --state DIR [--bucket B [--storage-endpoint URL] [--prefix v1/] | --trail-dir DIR]
  audit witness show --state DIR
            A witness an auditor runs (c2sp.org/tlog-witness): init makes its Ed25519 key in DIR and prints its
            verifier key; add reads the trail's checkpoints, proves each extends the one it cosigned before
            (RFC 9162 consistency, computed from the records) and cosigns it (c2sp.org/tlog-cosignature), or
            refuses it by name (fork, rollback, inconsistent, stale, bad-signature); show lists what it holds.
            Without --bucket or --trail-dir (a local copy of the bucket), the local stack's trail; exit 1 on a
            refusal.`;

/** The options `warden audit witness` takes (beyond those `warden audit` shares: bucket, prefix, …). */
export const WITNESS_OPTIONS = {
  state: { type: 'string' },
  name: { type: 'string' },
  'log-key': { type: 'string' },
  'origin-prefix': { type: 'string' },
  'trail-dir': { type: 'string' },
} as const;

const OPTIONS = {
  ...WITNESS_OPTIONS,
  bucket: { type: 'string' },
  prefix: { type: 'string' },
  project: { type: 'string' },
  'storage-endpoint': { type: 'string' },
  'state-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const COMMAND = 'warden audit witness';
const CONFIG_FILE = 'witness.json';
const KEY_FILE = 'witness-key.pem';
const STATE_FILE = 'state.json';

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

const defaultIo: Io = { out: (l) => console.log(l), err: (l) => console.error(l) };

/** What `init` writes to DIR/witness.json. */
interface WitnessFileConfig {
  version: 1;
  name: string;
  /** The witness's verifier key (vkey type 0x04), for those who require its cosignature. */
  vkey: string;
  /** The log's key: a PEM public key (the KMS audit key) or C2SP verifier keys, one a line. */
  logKey: string;
  /** Only origins that start with this are served (default: every origin the key signs). */
  originPrefix: string;
}

/** Runs `warden audit witness` on `args` (after the verb "witness"); returns the exit code (0, 1, 2 usage). */
export async function witnessCommand(args: string[], stateDir: string, io: Io = defaultIo): Promise<number> {
  try {
    const { values, positionals } = parseCommandArgs(COMMAND, args, OPTIONS);
    if (values.help) {
      io.out(`Usage: warden ${WITNESS_USAGE.trimStart()}`);
      return 0;
    }
    const [action, extra] = positionals;
    if (!action || !['init', 'add', 'show'].includes(action))
      throw new UsageError(
        action ? `unknown action "${action}" (init, add, show)` : 'what to do? (init, add, show)',
      );
    if (extra) throw new UsageError(`unexpected argument "${extra}"`);
    if (!values.state) throw new UsageError("pass --state DIR (the witness's own directory)");
    const dir = resolve(values.state);
    if (action === 'init') return init(dir, values, io);
    const config = loadConfig(dir);
    if (action === 'show') return show(dir, config, io);
    const source = await resolveTrailSource(
      values,
      values['state-dir'] ? resolve(values['state-dir']) : stateDir,
      false,
    );
    return await add(dir, config, await openTrailSink(source), source.prefix, io);
  } catch (err) {
    return reportFailure(COMMAND, err, io.err);
  }
}

function init(
  dir: string,
  values: { name?: string; 'log-key'?: string; 'origin-prefix'?: string },
  io: Io,
): number {
  if (!values.name)
    throw new UsageError("pass --name (the witness's key name, e.g. witness.example.org/audit)");
  if (!values['log-key']) throw new UsageError('pass --log-key (the audit key: PEM, or C2SP verifier keys)');
  if (existsSync(join(dir, CONFIG_FILE))) throw new Error(`${dir} already holds a witness (${CONFIG_FILE})`);
  const logKey = readInput(values['log-key'], '--log-key').toString('utf8');
  logVerifiers(logKey, values['log-key'], ''); // a key that cannot be read fails now, not at the first add
  const { privateKey } = generateKeyPairSync('ed25519');
  const cosigner = ed25519Cosigner(values.name, privateKey); // checks the name
  const vkey = formatCosignerKey(cosignerKey(cosigner.name, createPublicKey(privateKey)));
  mkdirSync(join(dir, 'cosigned'), { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, KEY_FILE), privateKey.export({ type: 'pkcs8', format: 'pem' }), {
    mode: 0o600,
    flag: 'wx',
  });
  const config: WitnessFileConfig = {
    version: 1,
    name: values.name,
    vkey,
    logKey,
    originPrefix: values['origin-prefix'] ?? '',
  };
  writeFileSync(join(dir, CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`, { flag: 'wx' });
  writeAtomically(join(dir, STATE_FILE), `${JSON.stringify({ logs: {} } satisfies WitnessState)}\n`);
  io.out(`witness ${values.name} initialised in ${dir}`);
  io.out(`verifier key (give it to those who require this witness): ${vkey}`);
  return 0;
}

function loadConfig(dir: string): WitnessFileConfig {
  const path = join(dir, CONFIG_FILE);
  if (!existsSync(path))
    throw new Error(`no witness in ${dir} (run "warden audit witness init --state ${dir}" first)`);
  const config = JSON.parse(readFileSync(path, 'utf8')) as WitnessFileConfig;
  if (config.version !== 1 || typeof config.name !== 'string' || typeof config.logKey !== 'string')
    throw new Error(`${path} is not a witness configuration this build reads`);
  return config;
}

function loadState(dir: string): WitnessState {
  const state = JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as WitnessState;
  if (typeof state !== 'object' || state === null || typeof state.logs !== 'object')
    throw new Error(`${join(dir, STATE_FILE)} is not a witness state`);
  return state;
}

/** Replaces a file in one step (write beside it, then rename), so a crash leaves the old state or the new. */
function writeAtomically(path: string, data: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode: 0o600 });
  renameSync(tmp, path);
}

/** The log keys for an origin: a PEM key signs every origin (Warden names its key after each), vkeys by name. */
function logVerifiers(
  text: string,
  path: string,
  prefix: string,
): (origin: string) => NoteVerifier[] | undefined {
  if (text.includes('-----BEGIN')) {
    try {
      createPublicKey(text);
    } catch {
      throw new Error(`--log-key ${path} is not a PEM public key`);
    }
    return (origin) => (origin.startsWith(prefix) ? [ecdsaVerifier(origin, text)] : undefined);
  }
  let keys: NoteVerifier[];
  try {
    keys = text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map(parseVerifierKey);
  } catch (err) {
    throw new Error(`--log-key ${path}: ${(err as Error).message}`);
  }
  if (keys.length === 0) throw new Error(`--log-key ${path} holds no key`);
  return (origin) => {
    const mine = keys.filter((k) => k.name === origin);
    return origin.startsWith(prefix) && mine.length > 0 ? mine : undefined;
  };
}

/** One checkpoint object of the trail, read. */
interface TrailCheckpoint {
  object: string;
  stream: string;
  n: number;
  note: string;
  origin: string;
  size: number;
  rootHash: Uint8Array;
}

/** The trail's checkpoints by stream, in the order written (size, then number); malformed ones are named. */
function checkpointsIn(objects: TrailObject[], io: Io): Map<string, TrailCheckpoint[]> {
  const out = new Map<string, TrailCheckpoint[]>();
  for (const o of objects) {
    const name = parseObjectName(o.name);
    if (name?.kind !== 'checkpoint') continue;
    const note = new TextDecoder().decode(o.data);
    try {
      const { origin, size, rootHash } = parseCheckpoint(parseNote(note).text);
      const list = out.get(name.stream) ?? [];
      list.push({ object: o.name, stream: name.stream, n: name.n ?? 0, note, origin, size, rootHash });
      out.set(name.stream, list);
    } catch (err) {
      io.out(`SKIPPED ${o.name}: not a checkpoint (${(err as Error).message})`);
    }
  }
  for (const list of out.values()) list.sort((a, b) => a.size - b.size || a.n - b.n);
  return out;
}

/** Leaf hashes per stream, by seq: the RFC 9162 leaf hash of each record's line as stored. */
function leavesIn(objects: TrailObject[]): Map<string, Map<number, Uint8Array>> {
  const out = new Map<string, Map<number, Uint8Array>>();
  const utf8 = new TextEncoder();
  for (const o of objects) {
    if (parseObjectName(o.name)?.kind !== 'records') continue;
    for (const line of new TextDecoder().decode(o.data).split('\n')) {
      if (!line) continue;
      let stream: string;
      let seq: number;
      try {
        ({ stream, seq } = parseEnvelope(line));
      } catch {
        continue; // verify names malformed lines; a stream missing a leaf is refused below
      }
      const leaves = out.get(stream) ?? new Map<number, Uint8Array>();
      if (!leaves.has(seq)) leaves.set(seq, hashLeaf(utf8.encode(line)));
      out.set(stream, leaves);
    }
  }
  return out;
}

/**
 * `witness add` over any trail sink: reads its checkpoints and records, has the witness in `dir` cosign each
 * checkpoint that extends what it holds, and stores them; returns the exit code (0, or 1 on any problem).
 */
export async function witnessTrail(
  dir: string,
  sink: AuditSink,
  io: Io = defaultIo,
  prefix = DEFAULT_PREFIX,
): Promise<number> {
  return add(resolve(dir), loadConfig(resolve(dir)), sink, prefix, io);
}

async function add(
  dir: string,
  config: WitnessFileConfig,
  sink: AuditSink,
  prefix: string,
  io: Io,
): Promise<number> {
  const lock = join(dir, 'lock');
  let fd: number;
  try {
    // One add at a time: checking the old size and storing the new must be atomic (c2sp.org/tlog-witness).
    fd = openSync(lock, 'wx');
  } catch {
    throw new Error(`another "witness add" holds ${lock} (remove it if none runs)`);
  }
  try {
    let state = loadState(dir);
    const cosigner = ed25519Cosigner(config.name, createPrivateKey(readFileSync(join(dir, KEY_FILE))));
    const logKeys = logVerifiers(config.logKey, CONFIG_FILE, config.originPrefix);
    const trail = await readTrail(sink, { prefix });
    const checkpoints = checkpointsIn(trail.objects, io);
    const leaves = leavesIn(trail.objects);
    let cosigned = 0;
    let unchanged = 0;
    let refused = 0;
    for (const [stream, list] of [...checkpoints].sort(([a], [b]) => a.localeCompare(b))) {
      for (const c of list) {
        const held = state.logs[c.origin];
        if (held && c.size < held.size) continue; // older than what was cosigned: verify checks those pairs
        if (
          held &&
          isSameTree(c, {
            origin: c.origin,
            size: held.size,
            rootHash: decodeBase64(held.rootHash, 'the stored root hash'),
          })
        ) {
          unchanged++;
          continue;
        }
        const oldSize = held?.size ?? 0;
        let consistency: Uint8Array[] = [];
        if (oldSize > 0 && c.size > oldSize) {
          const hashes = contiguous(leaves.get(stream), c.size);
          if (!hashes) {
            refused++;
            io.out(
              `REFUSED not-provable ${c.origin}: the trail lacks records of ${stream} below ${c.size}, so no ` +
                `consistency proof from size ${oldSize} can be computed (${c.object})`,
            );
            continue;
          }
          consistency = consistencyProof(oldSize, hashes);
        }
        const r = addCheckpoint(
          state,
          { oldSize, consistency, checkpoint: c.note },
          { logKeys, cosigner, now: new Date() },
        );
        if (!r.ok) {
          refused++;
          io.out(`REFUSED ${r.kind} (${r.status}) ${c.object}: ${r.message}`);
          continue;
        }
        state = r.state;
        const file = join(
          dir,
          'cosigned',
          safeName(c.origin),
          `${String(c.size).padStart(12, '0')}.checkpoint`,
        );
        mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
        writeFileSync(file, r.cosigned);
        writeAtomically(join(dir, STATE_FILE), `${JSON.stringify(state, null, 1)}\n`);
        cosigned++;
        io.out(`COSIGNED ${c.origin} size ${c.size} (from ${oldSize})`);
      }
    }
    // What the witness holds must still be in the trail: a log whose newest checkpoint is smaller than the one
    // cosigned was rolled back, and one with no checkpoint left was deleted (its instance's objects removed).
    const newest = newestCheckpoints([...checkpoints.values()].flat(), (c) => c.origin);
    for (const [origin, held] of Object.entries(state.logs).sort(([a], [b]) => a.localeCompare(b))) {
      const size = newest.get(origin)?.size;
      if (size === undefined) {
        refused++;
        io.out(
          `MISSING ${origin}: the witness cosigned size ${held.size}, and the trail has no checkpoint of it`,
        );
      } else if (size < held.size) {
        refused++;
        io.out(
          `ROLLBACK ${origin}: the trail's newest checkpoint has size ${size}, the witness cosigned size ${held.size}`,
        );
      }
    }
    const total = [...checkpoints.values()].reduce((n, l) => n + l.length, 0);
    io.out(
      `${refused ? 'FAILED' : 'OK'}: ${total} checkpoints in ${checkpoints.size} logs read; ${cosigned} cosigned, ` +
        `${unchanged} already cosigned, ${refused} problems (witness ${describeKey(cosigner)})`,
    );
    return refused ? 1 : 0;
  } finally {
    closeSync(fd);
    rmSync(lock, { force: true });
  }
}

/** The first `size` leaf hashes of a stream, or undefined when one of them is missing. */
function contiguous(leaves: Map<number, Uint8Array> | undefined, size: number): Uint8Array[] | undefined {
  const out: Uint8Array[] = [];
  for (let i = 0; i < size; i++) {
    const leaf = leaves?.get(i);
    if (!leaf) return undefined;
    out.push(leaf);
  }
  return out;
}

/** A file name for an origin: its characters outside [A-Za-z0-9._-] replaced. */
function safeName(origin: string): string {
  return origin.replace(/[^A-Za-z0-9._-]/g, '_');
}

function show(dir: string, config: WitnessFileConfig, io: Io): number {
  const state = loadState(dir);
  io.out(`witness ${config.name}: ${config.vkey}`);
  const logs = Object.entries(state.logs).sort(([a], [b]) => a.localeCompare(b));
  for (const [origin, log] of logs)
    io.out(`${origin}  size ${log.size}  root ${log.rootHash}  cosigned ${log.cosignedAt}`);
  io.out(`${logs.length} log(s) witnessed`);
  return 0;
}

/**
 * The witness keys `verify --witness-key` requires: a C2SP vkey (`name+id+base64`), or a file of them, one a
 * line (blank lines and `#` comments ignored). One clear error names what is wrong.
 */
export function readWitnessKeys(arg: string): CosignerKey[] {
  const text = existsSync(arg) ? readInput(arg, '--witness-key').toString('utf8') : arg;
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length === 0) throw new UsageError(`--witness-key ${arg}: no witness key in it`);
  return lines.map((l) => {
    try {
      return parseCosignerKey(l);
    } catch (err) {
      throw new UsageError(`--witness-key ${arg}: ${(err as Error).message}`);
    }
  });
}

/** Every cosigned checkpoint a witness stored under `<state>/cosigned/` (what `witness add` writes). */
export function readCosignedNotes(stateDir: string): CosignedNote[] {
  const root = join(resolve(stateDir), 'cosigned');
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw new Error(
      `--witnessed ${stateDir}: no cosigned/ directory in it (pass the witness's --state directory)`,
    );
  return filesUnder(root)
    .filter((name) => name.endsWith('.checkpoint'))
    .map((name) => ({ name: `cosigned/${name}`, note: readFileSync(join(root, ...name.split('/')), 'utf8') }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
