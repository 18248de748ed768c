// The audit writer: chains, signs and durably stores records, with group commit so concurrent requests
// share one storage write while each caller still waits until its own record is durable. Writes run in a few
// lanes, each its own stream, so a barrier record that arrives while a write is under way starts its own
// write at once instead of waiting for that one to land first.

import { createHash, randomBytes } from 'node:crypto';
import type { AuditSink } from '../../ports/audit-sink.ts';
import type { Clock } from '../../ports/clock.ts';
import type { KeyService } from '../../ports/key-service.ts';
import { WardenError } from '../errors.ts';
import { canonicalize } from './canonical-json.ts';
import {
  checkpointOrigin,
  DEFAULT_LOG_NAME,
  formatWardenCheckpoint,
  type KnownStream,
} from './checkpoint.ts';
import { type DigestEntry, hashDigestBody, nextDigestBody, signDigest } from './digest.ts';
import { sha256Hex, streamStartEvent } from './events.ts';
import {
  checkpointObjectName,
  DEFAULT_PREFIX,
  digestObjectName as digestName,
  hourFolder,
  kindPrefix,
  parseObjectName,
  recordObjectName,
  STREAM_MAX_AGE_MS,
} from './layout.ts';
import { appendLeaf, EMPTY_FRONTIER, frontierRoot, type MerkleFrontier } from './merkle.ts';
import { kmsNoteSigner, type NoteSigner, signNote } from './note.ts';
import { type AuditEvent, chainBody, type RecordBody } from './record.ts';
import { createInstanceSigner, type InstanceSigner, type KeyCertificate } from './signing-key.ts';

/** Where a record landed. */
export interface AppendedRecord {
  stream: string;
  seq: number;
  hash: string;
  object: string;
}

export interface AuditLogOptions {
  sink: AuditSink;
  keys: KeyService;
  clock: Clock;
  /** The KMS asymmetric key version that certifies instance keys. */
  kmsKeyVersion: string;
  /** Which deployable writes ("gateway", "executor"): part of stream ids and the certificate. */
  writer: string;
  /** Object name prefix inside the bucket, e.g. "v1/". */
  prefix?: string;
  /** Most records in one object. */
  maxBatch?: number;
  /** A digest is written once this many record objects are undigested… */
  digestEvery?: number;
  /** …or this long after the first undigested object was stored, whichever comes first. */
  digestIntervalMs?: number;
  /**
   * A checkpoint of every stream that grew is written once this many records were stored since the last
   * checkpoints (default 10,000)… or `checkpointIntervalMs` after the first of them (default: the digest interval).
   */
  checkpointEvery?: number;
  checkpointIntervalMs?: number;
  /** An idle instance re-signs its newest stream's checkpoint this often (default 10 minutes): its heartbeat. */
  heartbeatMs?: number;
  /** The log name checkpoint origins start with: `<logName>/<stream>` (default "warden/audit"). */
  logName?: string;
  /** Failures of background work (digests, checkpoints, deferred records), which never fail a request. */
  onBackgroundError?: (err: unknown) => void;
  /** How long a deferred record may wait for a barrier write to share before it is written on its own (ms). */
  deferMs?: number;
  /**
   * Most object writes in flight at once (default 1; the functions set `AUDIT_WRITE_LANES`, default 4). Each lane is its own hash-chained stream with one
   * write in flight; a lane opens only when a barrier record is queued and every open lane is busy.
   */
  lanes?: number;
}

interface Pending {
  event: AuditEvent;
  time: Date;
  /** A caller waits for it ({@link AuditLog.append}), so it may open a lane. */
  barrier: boolean;
  resolve: (r: AppendedRecord) => void;
  reject: (e: unknown) => void;
}

/** One stream with at most one object write in flight. */
interface Lane {
  stream: { id: string; started: Date } | undefined;
  last: { stream: string; seq: number; hash: string } | undefined;
  busy: boolean;
}

type Written = { ok: true; placed: AppendedRecord[] } | { ok: false; error: WardenError };

/** A stream's Merkle tree as its writer keeps it (merkle.ts frontier), and its checkpoints so far. */
interface StreamTree {
  stream: string;
  frontier: MerkleFrontier;
  /** Size of the newest checkpoint written (or attempted), -1 before the first. */
  checkpointed: number;
  /** The next checkpoint's number in this stream (object names; a failed write still uses one up). */
  n: number;
  /** No lane writes to it any more (rotated, or its write failed): dropped once checkpointed. */
  retired: boolean;
}

/** Default heartbeat: well under an hour, so a writer listing the last two hour folders sees every live one. */
export const DEFAULT_HEARTBEAT_MS = 10 * 60 * 1000;

interface InFlight {
  ids: Set<string>;
  written: Promise<Written>;
}

function requestIdsOf(batch: Pending[]): Set<string> {
  const ids = new Set<string>();
  for (const p of batch) if (typeof p.event.requestId === 'string') ids.add(p.event.requestId);
  return ids;
}

const utf8 = new TextEncoder();
const LEAF_PREFIX = Uint8Array.of(0x00);

/**
 * An append-only, hash-chained, signed audit stream per instance. `append` resolves once the record is
 * durable in the sink and rejects (fail closed) if it could not be made durable.
 */
export class AuditLog {
  readonly #o: Required<AuditLogOptions>;
  #signer: Promise<InstanceSigner> | undefined;
  readonly #lanes: Lane[] = [];
  #queue: Pending[] = [];
  /** Batches written or being written and not yet answered, with the requests they hold records of. */
  readonly #inFlight = new Set<InFlight>();
  readonly #answering = new Set<Promise<void>>();
  #drained: (() => void)[] = [];
  #signerReady = false;
  #pumpQueued = false;
  // Digests: the objects stored since the last digest, and this instance's digest chain.
  #undigested: DigestEntry[] = [];
  #digestStream: string | undefined;
  #lastDigest: { seq: number; hash: string } | undefined;
  #digesting: Promise<void> = Promise.resolve();
  #digestTimer: ReturnType<typeof setTimeout> | undefined;
  #deferTimer: ReturnType<typeof setTimeout> | undefined;
  // Checkpoints: a Merkle frontier per stream (leaf i = the line of record seq i, as stored), signed by KMS.
  readonly #instance: string;
  readonly #trees = new Map<string, StreamTree>();
  #uncheckpointed = 0;
  #checkpointing: Promise<void> = Promise.resolve();
  #checkpointTimer: ReturnType<typeof setTimeout> | undefined;
  #heartbeatTimer: ReturnType<typeof setTimeout> | undefined;
  #noteSigner: Promise<NoteSigner> | undefined;
  /** The stream written last: the one a heartbeat re-signs. */
  #newestStream: string | undefined;
  #closed = false;
  /** Other writers' streams and checkpointed sizes, from the last listing, and when it was made (ms). */
  #others = new Map<string, number>();
  #othersListedAt = Number.NEGATIVE_INFINITY;

  constructor(options: AuditLogOptions) {
    this.#o = {
      prefix: DEFAULT_PREFIX,
      maxBatch: 500,
      digestEvery: 1000,
      digestIntervalMs: 60_000,
      checkpointEvery: 10_000,
      checkpointIntervalMs: options.digestIntervalMs ?? 60_000,
      heartbeatMs: DEFAULT_HEARTBEAT_MS,
      logName: DEFAULT_LOG_NAME,
      onBackgroundError: () => {},
      deferMs: 25,
      lanes: 1,
      ...options,
    };
    if (!Number.isInteger(this.#o.lanes) || this.#o.lanes < 1)
      throw new RangeError(`AuditLog lanes must be a positive integer (got ${this.#o.lanes})`);
    this.#instance = newStreamId(`${this.#o.writer}-instance`, this.#o.clock.now());
  }

  /** Appends an event; resolves when durable (a barrier: the caller waits for it). */
  append(event: AuditEvent): Promise<AppendedRecord> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ event, time: this.#o.clock.now(), barrier: true, resolve, reject });
      // Appends made in the same turn of the event loop share one object.
      if (this.#pumpQueued) return;
      this.#pumpQueued = true;
      queueMicrotask(() => {
        this.#pumpQueued = false;
        this.#pump();
      });
    });
  }

  /**
   * Queues an event without holding the caller (group commit): it is written with the next barrier
   * ({@link append}), in order before it, or on its own within `deferMs`. A barrier is answered only once every
   * batch holding an earlier record of its own request has settled, whatever lane wrote it, so once a later
   * barrier record of the same request is durable this one is durable or its failure is known. If its write fails, `onBackgroundError` hears of it and the request's
   * records are incomplete, which `reconcileRequests` reports (ARCHITECTURE.md, step 7).
   */
  defer(event: AuditEvent): void {
    this.#queue.push({
      event,
      time: this.#o.clock.now(),
      barrier: false,
      resolve: () => {},
      reject: (err) => this.#o.onBackgroundError(err),
    });
    if (this.#deferTimer) return;
    this.#deferTimer = setTimeout(() => {
      this.#deferTimer = undefined;
      this.#pump(true);
    }, this.#o.deferMs);
    this.#deferTimer.unref?.();
  }

  /**
   * Resolves once this instance can sign records (its key certified by KMS, once per instance); rejects when
   * it cannot. A caller about to do work whose records are group-committed checks this first, so a writer that
   * could record nothing does nothing.
   */
  async ready(): Promise<void> {
    try {
      await this.#instanceSigner();
    } catch (err) {
      throw new WardenError('unavailable', 'The audit trail could not record this request.', { cause: err });
    }
  }

  /** Writes every queued record now (deferred ones included) and waits until they are durable or failed. */
  async settle(): Promise<void> {
    clearTimeout(this.#deferTimer);
    this.#deferTimer = undefined;
    this.#pump(true);
    if (this.#queue.length > 0 || this.#lanes.some((l) => l.busy))
      await new Promise<void>((resolve) => this.#drained.push(resolve));
    await Promise.all(this.#answering);
  }

  /**
   * Waits for pending records, then writes a digest of every object not yet digested and a closing checkpoint
   * (`warden-closed`) of every stream. Call on shutdown (SIGTERM) so the last objects of an instance are covered
   * and verify knows it ended; rejects if the digest or a checkpoint could not be stored.
   */
  async close(): Promise<void> {
    await this.settle();
    clearTimeout(this.#digestTimer);
    this.#digestTimer = undefined;
    const digested = this.#digest();
    const checkpointed = digested.then(
      () => this.#checkpoint('close'),
      () => this.#checkpoint('close'),
    );
    await Promise.all([digested, checkpointed]);
  }

  /** Writes a checkpoint now of every stream that grew since its last one (no-op when none did). */
  checkpoint(): Promise<void> {
    return this.#checkpoint('due');
  }

  /** Writes a digest now of every object stored since the last one (no-op when there is none). */
  digest(): Promise<void> {
    return this.#digest();
  }

  /**
   * Starts a write on every free lane while records wait: a lane opens for a queued barrier record when every
   * open lane is busy (or, with `deferred`, for deferred records too when no lane is open yet).
   */
  #pump(deferred = false): void {
    while (this.#queue.length > 0) {
      let lane = this.#lanes.find((l) => !l.busy);
      if (!lane) {
        // More lanes only once the instance key is certified: until then every lane would wait on that one
        // KMS call, and each would open a stream for nothing.
        const opens =
          this.#lanes.length === 0
            ? deferred || this.#queue.some((p) => p.barrier)
            : this.#lanes.length < this.#o.lanes && this.#signerReady && this.#queue.some((p) => p.barrier);
        if (!opens) return;
        lane = { stream: undefined, last: undefined, busy: false };
        this.#lanes.push(lane);
      }
      const batch = this.#queue.splice(0, this.#o.maxBatch);
      const taken = lane;
      taken.busy = true;
      const written = this.#write(taken, batch).finally(() => {
        taken.busy = false;
        this.#pump(true);
        if (this.#queue.length === 0 && !this.#lanes.some((l) => l.busy))
          for (const done of this.#drained.splice(0)) done();
      });
      // A barrier never resolves before the records of its own request queued ahead of it (in a batch still
      // being written on another lane) are settled: the intent barrier covers the request record deferred
      // before it. Other requests' writes do not hold it (a slow write on one lane delays only its requests).
      const entry: InFlight = { ids: requestIdsOf(batch), written };
      const barriers = batch.filter((p) => p.barrier);
      const needsAll = barriers.some((p) => typeof p.event.requestId !== 'string');
      const ids = new Set(barriers.map((p) => p.event.requestId));
      const ahead = [...this.#inFlight].filter((e) => needsAll || [...e.ids].some((id) => ids.has(id)));
      this.#inFlight.add(entry);
      const answered = Promise.all(ahead.map((e) => e.written)).then(async () => {
        const w = await written;
        this.#inFlight.delete(entry);
        for (const [i, p] of batch.entries()) {
          if (w.ok) p.resolve(w.placed[i]!);
          else p.reject(w.error);
        }
      });
      this.#answering.add(answered);
      const done = () => void this.#answering.delete(answered);
      answered.then(done, done);
    }
  }

  /** Writes one object of `batch` on `lane`; never rejects. */
  async #write(lane: Lane, batch: Pending[]): Promise<Written> {
    try {
      const signer = await this.#instanceSigner();
      const lines = new ObjectLines(signer);
      let last = lane.last;
      const now = this.#o.clock.now();
      if (!lane.stream || !last || now.getTime() - lane.stream.started.getTime() >= STREAM_MAX_AGE_MS) {
        // A new stream (at least hourly, so a time range lists cheaply) opens with the KMS certificate of the
        // key that signs it.
        if (lane.stream) this.#retire(lane.stream.id);
        lane.stream = { id: newStreamId(this.#o.writer, now), started: now };
        last = lines.add(chainBody(undefined, lane.stream.id, now, streamStartEvent(signer.certificate)));
      }
      const stream = lane.stream.id;
      const placed: AppendedRecord[] = [];
      for (const p of batch) {
        last = lines.add(chainBody(last, stream, p.time, p.event));
        placed.push({ ...last, object: '' });
      }
      const firstSeq = lines.firstSeq;
      const name = recordObjectName(this.#o.prefix, lane.stream.started, stream, firstSeq);
      const data = lines.seal();
      await this.#o.sink.create(name, data, 'application/x-ndjson');
      lane.last = last;
      this.#grow(stream, firstSeq, lines.leaves);
      this.#stored({
        object: name,
        sha256: sha256Hex(data),
        size: data.length,
        stream,
        firstSeq,
        lastSeq: last.seq,
        lastHash: last.hash,
      });
      return { ok: true, placed: placed.map((p) => ({ ...p, object: name })) };
    } catch (err) {
      // The write may or may not have landed; continuing this chain could fork it, so the lane's next
      // batch starts a fresh stream. The verifier sees this stream simply end (at its last checkpoint).
      if (lane.stream) this.#retire(lane.stream.id);
      lane.stream = undefined;
      lane.last = undefined;
      return {
        ok: false,
        error: new WardenError('unavailable', 'The audit trail could not record this request.', {
          cause: err,
        }),
      };
    }
  }

  #stored(entry: DigestEntry): void {
    this.#undigested.push(entry);
    if (this.#undigested.length >= this.#o.digestEvery) {
      void this.#digest().catch(this.#o.onBackgroundError);
    } else if (!this.#digestTimer) {
      this.#digestTimer = setTimeout(() => {
        this.#digestTimer = undefined;
        void this.#digest().catch(this.#o.onBackgroundError);
      }, this.#o.digestIntervalMs);
      this.#digestTimer.unref?.();
    }
  }

  /** Digests are written one at a time, in order; each lists the objects stored since the one before. */
  #digest(): Promise<void> {
    const run = this.#digesting.then(async () => {
      const objects = this.#undigested.splice(0);
      if (objects.length === 0) return;
      clearTimeout(this.#digestTimer);
      this.#digestTimer = undefined;
      try {
        const now = this.#o.clock.now();
        this.#digestStream ??= newStreamId(`${this.#o.writer}-digest`, now);
        const body = nextDigestBody(this.#lastDigest, {
          writer: this.#o.writer,
          stream: this.#digestStream,
          time: now,
          kmsKeyVersion: this.#o.kmsKeyVersion,
          objects,
        });
        const digest = await signDigest(this.#o.keys, body);
        await this.#o.sink.create(
          digestName(this.#o.prefix, now, body.stream, body.seq),
          new TextEncoder().encode(`${JSON.stringify(digest)}\n`),
          'application/json',
        );
        this.#lastDigest = { seq: body.seq, hash: hashDigestBody(body) };
      } catch (err) {
        // Keep the objects for the next digest. The failed write may have landed, so continuing this chain
        // could fork it: the next digest opens a new digest stream.
        this.#undigested.unshift(...objects);
        this.#digestStream = undefined;
        this.#lastDigest = undefined;
        throw new WardenError('unavailable', 'The audit digest could not be written.', { cause: err });
      }
    });
    this.#digesting = run.catch(() => {});
    return run;
  }

  /** Adds a stored object's leaves to its stream's tree, and schedules the checkpoint that will cover them. */
  #grow(stream: string, firstSeq: number, leaves: Uint8Array[]): void {
    let tree = this.#trees.get(stream);
    if (!tree) {
      tree = { stream, frontier: EMPTY_FRONTIER, checkpointed: -1, n: 0, retired: false };
      this.#trees.set(stream, tree);
    }
    // A lane writes its stream's objects one at a time, in order, so leaves arrive in seq order.
    if (tree.frontier.size !== firstSeq) {
      // Cannot happen (one write in flight per lane); were it to, no checkpoint of a wrong tree is signed.
      this.#trees.delete(stream);
      this.#o.onBackgroundError(new Error(`audit stream ${stream} grew out of order: not checkpointed`));
      return;
    }
    for (const leaf of leaves) tree.frontier = appendLeaf(tree.frontier, leaf);
    this.#newestStream = stream;
    this.#uncheckpointed += leaves.length;
    if (this.#uncheckpointed >= this.#o.checkpointEvery) {
      void this.#checkpoint('due').catch(this.#o.onBackgroundError);
    } else if (!this.#checkpointTimer) {
      this.#checkpointTimer = setTimeout(() => {
        this.#checkpointTimer = undefined;
        void this.#checkpoint('due').catch(this.#o.onBackgroundError);
      }, this.#o.checkpointIntervalMs);
      this.#checkpointTimer.unref?.();
    }
  }

  #retire(stream: string): void {
    const tree = this.#trees.get(stream);
    if (tree) tree.retired = true;
  }

  /** (Re)arms the heartbeat: an idle instance still signs a checkpoint every `heartbeatMs`. */
  #armHeartbeat(): void {
    clearTimeout(this.#heartbeatTimer);
    if (this.#closed) return;
    this.#heartbeatTimer = setTimeout(() => {
      this.#heartbeatTimer = undefined;
      void this.#checkpoint('heartbeat').catch(this.#o.onBackgroundError);
    }, this.#o.heartbeatMs);
    this.#heartbeatTimer.unref?.();
  }

  /**
   * Checkpoints are written one round at a time. A round signs (one KMS call each) a checkpoint of every stream
   * that grew; a heartbeat round re-signs the newest stream when none did; the closing round signs every stream
   * still held, marked `warden-closed`. Each checkpoint names the other streams this writer knows at their
   * checkpointed sizes: its own, and every other writer's with a checkpoint in the last two hour folders.
   */
  #checkpoint(why: 'due' | 'heartbeat' | 'close'): Promise<void> {
    const run = this.#checkpointing.then(async () => {
      clearTimeout(this.#checkpointTimer);
      this.#checkpointTimer = undefined;
      if (why === 'close') {
        this.#closed = true;
        clearTimeout(this.#heartbeatTimer);
        this.#heartbeatTimer = undefined;
      }
      const trees = [...this.#trees.values()];
      let due = trees.filter((t) => t.frontier.size > t.checkpointed || (why === 'close' && !t.retired));
      if (why === 'heartbeat' && due.length === 0) {
        const newest = this.#newestStream ? this.#trees.get(this.#newestStream) : undefined;
        if (newest) due = [newest];
      }
      if (due.length === 0) return void (why !== 'close' && this.#armHeartbeat());
      this.#uncheckpointed = 0;
      const now = this.#o.clock.now();
      let failure: unknown;
      try {
        const signer = await this.#checkpointSigner();
        // Other writers are listed at most once per heartbeat (and on close): a listing of a busy hour folder
        // is thousands of names, and a size named from an older listing is still a checkpoint that exists.
        if (why === 'close' || now.getTime() - this.#othersListedAt >= this.#o.heartbeatMs) {
          this.#others = await this.#othersCheckpoints(now);
          this.#othersListedAt = now.getTime();
        }
        const others = this.#others;
        // One synchronous snapshot of every tree this round signs, so the sizes it names are the sizes it signs.
        const round = due.map((tree) => ({
          tree,
          size: tree.frontier.size,
          root: frontierRoot(tree.frontier),
          n: tree.n++,
        }));
        const known = new Map<string, number>(others);
        for (const t of this.#trees.values()) known.set(t.stream, t.checkpointed);
        for (const r of round) known.set(r.tree.stream, r.size);
        const digest =
          this.#digestStream && this.#lastDigest
            ? { digest: { stream: this.#digestStream, seq: this.#lastDigest.seq } }
            : {};
        await Promise.all(
          round.map(async ({ tree, size, root, n }) => {
            try {
              // Warden's key name is the origin (docs/audit-format.md); an ECDSA key id does not depend on it.
              const origin = checkpointOrigin(this.#o.logName, tree.stream);
              const text = formatWardenCheckpoint({
                origin,
                size,
                rootHash: root,
                time: now.toISOString(),
                instance: this.#instance,
                closed: why === 'close',
                ...digest,
                known: [...known]
                  .filter(([s, k]) => s !== tree.stream && k >= 0)
                  .map(([s, k]): KnownStream => ({ stream: s, size: k })),
              });
              const note = await signNote(text, [{ ...signer, name: origin }]);
              await this.#o.sink.create(
                checkpointObjectName(this.#o.prefix, now, tree.stream, size, n),
                utf8.encode(note),
                'text/plain; charset=utf-8',
              );
              tree.checkpointed = size;
              if (tree.retired) this.#trees.delete(tree.stream);
            } catch (err) {
              failure ??= err;
            }
          }),
        );
      } catch (err) {
        failure ??= err;
      }
      if (why !== 'close') this.#armHeartbeat();
      if (failure !== undefined) {
        // The streams keep their trees: the next round checkpoints them (a failed write still used its number).
        this.#uncheckpointed = this.#o.checkpointEvery;
        throw new WardenError('unavailable', 'An audit checkpoint could not be written.', { cause: failure });
      }
    });
    this.#checkpointing = run.catch(() => {});
    return run;
  }

  /** The note signer of the KMS audit key (its public key is read once, for the key id). */
  #checkpointSigner(): Promise<NoteSigner> {
    this.#noteSigner ??= this.#o.keys
      .getPublicKeyPem(this.#o.kmsKeyVersion)
      .then((pem) => kmsNoteSigner(this.#o.keys, this.#o.kmsKeyVersion, this.#o.logName, pem));
    const signer = this.#noteSigner;
    signer.catch(() => {
      if (this.#noteSigner === signer) this.#noteSigner = undefined;
    });
    return signer;
  }

  /**
   * Other writers' streams and their newest checkpointed sizes, from the names of the checkpoints in this hour's
   * and the previous hour's folders (a listing, no reads). A failed listing leaves them out of this round.
   */
  async #othersCheckpoints(now: Date): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const folders = [new Date(now.getTime() - 3_600_000), now].map(
      (t) => `${kindPrefix(this.#o.prefix, 'checkpoints')}${hourFolder(t)}/`,
    );
    try {
      for (const folder of folders)
        for (const name of await this.#o.sink.list(folder)) {
          const parsed = parseObjectName(name.slice(this.#o.prefix.length));
          if (parsed?.kind !== 'checkpoint' || this.#trees.has(parsed.stream)) continue;
          out.set(parsed.stream, Math.max(out.get(parsed.stream) ?? 0, parsed.size!));
        }
    } catch {
      // Knowing fewer streams weakens this round's anchor only; the checkpoint itself still matters more.
    }
    return out;
  }

  /**
   * Signs `bytes` with this instance's KMS-certified key (the key its audit records are signed with), for
   * statements other parts verify back to KMS: the gateway's execution grants. Callers tag what they sign
   * with their own type, so a signed statement is never mistaken for an audit record.
   */
  async attest(bytes: Uint8Array): Promise<{ signature: string; certificate: KeyCertificate }> {
    const signer = await this.#instanceSigner();
    return { signature: signer.sign(bytes), certificate: signer.certificate };
  }

  #instanceSigner(): Promise<InstanceSigner> {
    this.#signer ??= createInstanceSigner(
      this.#o.keys,
      this.#o.kmsKeyVersion,
      this.#o.writer,
      this.#o.clock.now(),
    );
    const signer = this.#signer;
    signer.then(
      () => {
        if (this.#signer === signer) this.#signerReady = true;
      },
      () => {
        if (this.#signer === signer) this.#signer = undefined;
      },
    );
    return signer;
  }
}

/**
 * The lines of one record object. Each record is serialized once: the SHA-256 of its canonical bytes is its
 * hash (the next record's `prev`), and the signature covers the same bytes; its line is those bytes with `sig`
 * added as the last member (docs/audit-format.md). Every record is signed, so each one verifies on its own.
 */
class ObjectLines {
  readonly #signer: InstanceSigner;
  readonly #chunks: Uint8Array[] = [];
  /** The RFC 9162 leaf hash of each line: SHA-256(0x00 || the line without its newline). */
  readonly leaves: Uint8Array[] = [];
  #firstSeq: number | undefined;

  constructor(signer: InstanceSigner) {
    this.#signer = signer;
  }

  /** Signs a record and adds its line; returns its place in the chain. */
  add(body: RecordBody): { stream: string; seq: number; hash: string } {
    const bytes = utf8.encode(canonicalize(body));
    // The canonical body ends with '}': `sig` goes in before it. Member order does not matter to readers
    // (verification re-canonicalizes the body without `sig`).
    const head = bytes.subarray(0, -1);
    const tail = utf8.encode(`,"sig":"${this.#signer.sign(bytes)}"}\n`);
    this.#chunks.push(head, tail);
    this.leaves.push(
      new Uint8Array(
        createHash('sha256').update(LEAF_PREFIX).update(head).update(tail.subarray(0, -1)).digest(),
      ),
    );
    this.#firstSeq ??= body.seq;
    return { stream: body.stream, seq: body.seq, hash: sha256Hex(bytes) };
  }

  /** The seq of the object's first line: its name (a batch that opens a stream starts at its stream.start). */
  get firstSeq(): number {
    if (this.#firstSeq === undefined) throw new Error('an audit object needs at least one record');
    return this.#firstSeq;
  }

  /** The object's bytes: its JSON lines. */
  seal(): Uint8Array {
    if (this.#firstSeq === undefined) throw new Error('an audit object needs at least one record');
    return Buffer.concat(this.#chunks);
  }
}

function newStreamId(writer: string, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${writer}-${stamp}-${randomBytes(6).toString('hex')}`;
}
