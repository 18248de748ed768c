// The audit writer: chains, signs and durably stores records, with group commit so concurrent requests
// share one storage write while each caller still waits until its own record is durable. Writes run in a few
// lanes, each its own stream, so a barrier record that arrives while a write is under way starts its own
// write at once instead of waiting for that one to land first.

import { randomBytes } from 'node:crypto';
import type { AuditSink } from '../../ports/audit-sink.ts';
import type { Clock } from '../../ports/clock.ts';
import type { KeyService } from '../../ports/key-service.ts';
import { WardenError } from '../errors.ts';
import { canonicalize } from './canonical-json.ts';
import { type DigestEntry, hashDigestBody, nextDigestBody, signDigest } from './digest.ts';
import { sha256Hex, streamStartEvent } from './events.ts';
import {
  DEFAULT_PREFIX,
  digestObjectName as digestName,
  recordObjectName,
  STREAM_MAX_AGE_MS,
} from './layout.ts';
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
  /** Failures of background work (digests, deferred records), which never fail a request. */
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

  constructor(options: AuditLogOptions) {
    this.#o = {
      prefix: DEFAULT_PREFIX,
      maxBatch: 500,
      digestEvery: 1000,
      digestIntervalMs: 60_000,
      onBackgroundError: () => {},
      deferMs: 25,
      lanes: 1,
      ...options,
    };
    if (!Number.isInteger(this.#o.lanes) || this.#o.lanes < 1)
      throw new RangeError(`AuditLog lanes must be a positive integer (got ${this.#o.lanes})`);
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
   * Waits for pending records, then writes a digest of every object not yet digested. Call on shutdown
   * (SIGTERM) so the last objects of an instance are covered; rejects if that digest could not be stored.
   */
  async close(): Promise<void> {
    await this.settle();
    clearTimeout(this.#digestTimer);
    this.#digestTimer = undefined;
    await this.#digest();
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
      // batch starts a fresh stream. The verifier sees this stream simply end.
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
  #firstSeq: number | undefined;

  constructor(signer: InstanceSigner) {
    this.#signer = signer;
  }

  /** Signs a record and adds its line; returns its place in the chain. */
  add(body: RecordBody): { stream: string; seq: number; hash: string } {
    const bytes = utf8.encode(canonicalize(body));
    // The canonical body ends with '}': `sig` goes in before it. Member order does not matter to readers
    // (verification re-canonicalizes the body without `sig`).
    this.#chunks.push(bytes.subarray(0, -1), utf8.encode(`,"sig":"${this.#signer.sign(bytes)}"}\n`));
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
