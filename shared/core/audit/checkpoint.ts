// Warden's checkpoints: a C2SP tlog-checkpoint (note.ts) per record stream, signed by the KMS audit key, with
// extension lines that anchor what the writer knew when it signed (docs/audit-format.md "Checkpoints"): when,
// which instance, whether it was closing, its newest digest, and every other stream it knew with its size.
// A rollback, a deleted instance or a deleted newest checkpoint leaves a checkpoint naming what is gone.

import { WardenError } from '../errors.ts';
import { type Checkpoint, ecdsaVerifier, formatCheckpoint, openNote, parseCheckpoint } from './note.ts';

/** The log name an origin starts with unless a writer is given another: `<log name>/<stream id>`. */
export const DEFAULT_LOG_NAME = 'warden/audit';

/** A stream another checkpoint names, at the size of a checkpoint of it that exists (or is written with it). */
export interface KnownStream {
  stream: string;
  size: number;
}

/** A checkpoint with Warden's extension lines read. */
export interface WardenCheckpoint {
  origin: string;
  /** The record stream it is the tree of: the origin's last path segment. */
  stream: string;
  size: number;
  rootHash: Uint8Array;
  /** When it was signed (RFC 3339, UTC): `warden-time`. */
  time: string;
  /** The writer instance (one AuditLog, one process) that signed it: `warden-instance`. */
  instance: string;
  /** Written by the instance's close(): it writes nothing more (`warden-closed`). */
  closed: boolean;
  /** The instance's newest digest when it signed: `warden-digest <digest stream> <seq>`. */
  digest?: { stream: string; seq: number };
  /** Every other stream the writer knew, with its checkpointed size: `warden-known <stream> <size>`. */
  known: KnownStream[];
}

const ID = /^[A-Za-z0-9._-]+$/;
const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** The origin line of a stream's checkpoints: `<logName>/<stream>` (no space and no "+", a valid key name). */
export function checkpointOrigin(logName: string, stream: string): string {
  return `${logName}/${stream}`;
}

/** The stream an origin names (its last "/" segment). */
export function streamOfOrigin(origin: string): string {
  return origin.slice(origin.lastIndexOf('/') + 1);
}

/** The tree a checkpoint states: its log's origin, size and root hash. */
export type TreeHead = Pick<Checkpoint, 'origin' | 'size' | 'rootHash'>;

/**
 * True when two checkpoints state the same tree: origin, size and root hash. Their notes may differ (a heartbeat
 * re-signs one size with a new time), so checkpoints are compared by this, never by note text.
 */
export function isSameTree(a: TreeHead, b: TreeHead): boolean {
  return (
    a.origin === b.origin && a.size === b.size && Buffer.from(a.rootHash).equals(Buffer.from(b.rootHash))
  );
}

/**
 * The newest checkpoint of each group (`groupOf`: its stream, or its origin): the largest tree, and of one size
 * the one written last (the highest `n`, the checkpoint's number in its stream; without one, the later given).
 */
export function newestCheckpoints<T extends { size: number; n?: number }>(
  checkpoints: Iterable<T>,
  groupOf: (c: T) => string,
): Map<string, T> {
  const out = new Map<string, T>();
  for (const c of checkpoints) {
    const key = groupOf(c);
    const held = out.get(key);
    if (held && (held.size > c.size || (held.size === c.size && (held.n ?? 0) > (c.n ?? 0)))) continue;
    out.set(key, c);
  }
  return out;
}

/** The note text (tlog-checkpoint body with Warden's extension lines) of a checkpoint. */
export function formatWardenCheckpoint(c: Omit<WardenCheckpoint, 'stream'>): string {
  for (const id of [c.instance, c.digest?.stream, ...c.known.map((k) => k.stream)])
    if (id !== undefined && !ID.test(id))
      throw new WardenError('invalid_argument', `"${id}" is not a stream id`);
  const extensions = [
    `warden-time ${c.time}`,
    `warden-instance ${c.instance}`,
    ...(c.closed ? ['warden-closed'] : []),
    ...(c.digest ? [`warden-digest ${c.digest.stream} ${c.digest.seq}`] : []),
    ...[...c.known]
      .sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0))
      .map((k) => `warden-known ${k.stream} ${k.size}`),
  ];
  const checkpoint: Checkpoint = { origin: c.origin, size: c.size, rootHash: c.rootHash, extensions };
  return formatCheckpoint(checkpoint);
}

/** Reads Warden's extension lines from a checkpoint's text; throws on a malformed one (unknown lines are kept out). */
export function parseWardenCheckpoint(text: string): WardenCheckpoint {
  const c = parseCheckpoint(text);
  const bad = (line: string) =>
    new WardenError('invalid_argument', `checkpoint extension line "${line.slice(0, 60)}" is malformed`);
  let time: string | undefined;
  let instance: string | undefined;
  let closed = false;
  let digest: { stream: string; seq: number } | undefined;
  const known: KnownStream[] = [];
  for (const line of c.extensions) {
    const [key, ...args] = line.split(' ');
    if (key === 'warden-time') {
      if (args.length !== 1 || Number.isNaN(Date.parse(args[0]!))) throw bad(line);
      time = args[0];
    } else if (key === 'warden-instance') {
      if (args.length !== 1 || !ID.test(args[0]!)) throw bad(line);
      instance = args[0];
    } else if (key === 'warden-closed') {
      if (args.length !== 0) throw bad(line);
      closed = true;
    } else if (key === 'warden-digest' || key === 'warden-known') {
      if (args.length !== 2 || !ID.test(args[0]!) || !DECIMAL.test(args[1]!)) throw bad(line);
      const n = Number(args[1]);
      if (!Number.isSafeInteger(n)) throw bad(line);
      if (key === 'warden-digest') digest = { stream: args[0]!, seq: n };
      else known.push({ stream: args[0]!, size: n });
    }
    // Other extension lines are another version's: ignored, as c2sp.org/tlog-checkpoint lets verifiers do.
  }
  if (!time || !instance)
    throw new WardenError(
      'invalid_argument',
      'a Warden checkpoint has warden-time and warden-instance lines',
    );
  return {
    origin: c.origin,
    stream: streamOfOrigin(c.origin),
    size: c.size,
    rootHash: c.rootHash,
    time,
    instance,
    closed,
    ...(digest ? { digest } : {}),
    known,
  };
}

/**
 * Opens a stored checkpoint note with the KMS audit key (type 0x02, key named after the origin) and reads it.
 * Throws a WardenError: 'integrity' for a signature that does not verify, 'invalid_argument' for a malformed note.
 */
export function openWardenCheckpoint(note: Uint8Array | string, kmsPublicKeyPem: string): WardenCheckpoint {
  const text = typeof note === 'string' ? note : new TextDecoder().decode(note);
  const firstLine = text.slice(0, text.indexOf('\n'));
  const opened = openNote(note, [ecdsaVerifier(firstLine, kmsPublicKeyPem)]);
  return parseWardenCheckpoint(opened.text);
}
