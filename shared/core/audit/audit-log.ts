// The audit writer: chains, signs and durably stores records, with group commit so concurrent requests
// share one storage write while each caller still waits until its own record is durable.

import { randomBytes } from 'node:crypto';
import type { AuditSink } from '../../ports/audit-sink.ts';
import type { Clock } from '../../ports/clock.ts';
import type { KeyService } from '../../ports/key-service.ts';
import { WardenError } from '../errors.ts';
import { canonicalBytes, type Json } from './canonical-json.ts';
import { type AuditEvent, type AuditRecord, chainBody, hashBody, type RecordBody } from './record.ts';
import { createInstanceSigner, type InstanceSigner } from './signing-key.ts';

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
}

interface Pending {
  event: AuditEvent;
  time: Date;
  resolve: (r: AppendedRecord) => void;
  reject: (e: unknown) => void;
}

/** Object name of a batch: streams sort by start time, objects by first sequence number. */
export function objectName(prefix: string, stream: string, firstSeq: number): string {
  return `${prefix}streams/${stream}/${String(firstSeq).padStart(12, '0')}.jsonl`;
}

/** Serializes records as JSON Lines; each line parses back to the stored record. */
export function encodeBatch(records: AuditRecord[]): Uint8Array {
  return new TextEncoder().encode(records.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

/**
 * An append-only, hash-chained, signed audit stream per instance. `append` resolves once the record is
 * durable in the sink and rejects (fail closed) if it could not be made durable.
 */
export class AuditLog {
  readonly #o: Required<AuditLogOptions>;
  #signer: Promise<InstanceSigner> | undefined;
  #stream: string | undefined;
  #last: { stream: string; seq: number; hash: string } | undefined;
  #queue: Pending[] = [];
  #flushing = false;

  constructor(options: AuditLogOptions) {
    this.#o = { prefix: 'v1/', maxBatch: 500, ...options };
  }

  /** Appends an event; resolves when durable. */
  append(event: AuditEvent): Promise<AppendedRecord> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ event, time: this.#o.clock.now(), resolve, reject });
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#o.maxBatch);
        await this.#write(batch);
      }
    } finally {
      this.#flushing = false;
    }
  }

  async #write(batch: Pending[]): Promise<void> {
    try {
      const signer = await this.#instanceSigner();
      const records: AuditRecord[] = [];
      let last = this.#last;
      if (!this.#stream || !last) {
        // A new stream opens with the KMS certificate of the key that signs it.
        this.#stream = newStreamId(this.#o.writer, this.#o.clock.now());
        const start = chainBody(undefined, this.#stream, this.#o.clock.now(), {
          type: 'stream.start',
          certificate: signer.certificate as unknown as Json,
        });
        records.push(signRecord(start, signer));
        last = { stream: this.#stream, seq: 0, hash: hashBody(start) };
      }
      const placed: AppendedRecord[] = [];
      for (const p of batch) {
        const body = chainBody(last, this.#stream, p.time, p.event);
        const hash = hashBody(body);
        records.push(signRecord(body, signer));
        last = { stream: this.#stream, seq: body.seq, hash };
        placed.push({ stream: this.#stream, seq: body.seq, hash, object: '' });
      }
      const name = objectName(this.#o.prefix, this.#stream, records[0]!.seq);
      await this.#o.sink.create(name, encodeBatch(records), 'application/x-ndjson');
      this.#last = last;
      for (const [i, p] of batch.entries()) p.resolve({ ...placed[i]!, object: name });
    } catch (err) {
      // The write may or may not have landed; continuing this chain could fork it, so the next
      // batch starts a fresh stream. The verifier sees this stream simply end.
      this.#stream = undefined;
      this.#last = undefined;
      const failure = new WardenError('unavailable', 'The audit trail could not record this request.', {
        cause: err,
      });
      for (const p of batch) p.reject(failure);
    }
  }

  #instanceSigner(): Promise<InstanceSigner> {
    this.#signer ??= createInstanceSigner(
      this.#o.keys,
      this.#o.kmsKeyVersion,
      this.#o.writer,
      this.#o.clock.now(),
    );
    const signer = this.#signer;
    signer.catch(() => {
      if (this.#signer === signer) this.#signer = undefined;
    });
    return signer;
  }
}

function signRecord(body: RecordBody, signer: InstanceSigner): AuditRecord {
  return { ...body, sig: signer.sign(canonicalBytes(body)) };
}

function newStreamId(writer: string, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${writer}-${stamp}-${randomBytes(6).toString('hex')}`;
}
