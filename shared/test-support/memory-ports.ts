// In-memory implementations of the ports, shared by unit tests (real cryptography, no I/O).

import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createPrivateKey,
  generateKeyPairSync,
  randomBytes,
  sign,
} from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { crc32cBase64 } from '../core/crc32c.ts';
import { WardenError } from '../core/errors.ts';
import type {
  ApprovalRequest,
  ApprovalState,
  ApprovalStore,
  BreakGlassReview,
  BreakGlassUse,
  ResultStore,
  StoredResult,
} from '../ports/approval-store.ts';
import type { AuditSink, StoredObject } from '../ports/audit-sink.ts';
import type { Clock } from '../ports/clock.ts';
import type { ElicitationStore, PendingQuestion, QuestionAnswer } from '../ports/elicitation-store.ts';
import type { BusMessage, EventBus } from '../ports/event-bus.ts';
import type { GrantLedger } from '../ports/grant-ledger.ts';
import type { KeyService } from '../ports/key-service.ts';

/**
 * The one clock Warden's tests move by hand, in milliseconds. `now` and `millis` are bound, so they can be
 * passed on their own where a `() => Date` (a `Clock`) or a `Date.now` (`() => number`) is wanted. The
 * stand-ins keep a copy of their own (standins/storage/test-fixture.ts): they import nothing of Warden.
 */
export class ManualClock implements Clock {
  #ms: number;
  /** Starts at `start`: an RFC 3339 time or milliseconds since the epoch. */
  constructor(start: string | number = '2026-01-01T00:00:00.000Z') {
    this.#ms = typeof start === 'number' ? start : Date.parse(start);
  }
  /** The current time. */
  readonly now = (): Date => new Date(this.#ms);
  /** The current time in milliseconds since the epoch (what `Date.now` returns). */
  readonly millis = (): number => this.#ms;
  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.#ms += ms;
  }
}

/** A create-only object store; `failNext` makes the next writes fail. */
export class MemorySink implements AuditSink {
  readonly objects = new Map<string, Uint8Array>();
  failures = 0;
  async create(name: string, data: Uint8Array, _contentType?: string): Promise<StoredObject> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('injected storage failure');
    }
    if (this.objects.has(name)) throw new WardenError('conflict', `object ${name} exists`);
    this.objects.set(name, new Uint8Array(data));
    return { name, generation: '1', size: data.length, crc32c: crc32cBase64(data) };
  }
  async read(name: string): Promise<Uint8Array> {
    const data = this.objects.get(name);
    if (!data) throw new WardenError('not_found', `object ${name} not found`);
    return data;
  }
  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
}

/** KMS with real AES-256-GCM and P-256 keys; counts calls; `failures` makes calls fail. */
export class MemoryKeys implements KeyService {
  readonly #aes = randomBytes(32);
  readonly #ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  readonly #mac = randomBytes(32);
  calls = { encrypt: 0, decrypt: 0, sign: 0, publicKey: 0, mac: 0 };
  failures = 0;

  #maybeFail(): void {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('injected KMS failure');
    }
  }
  async encrypt(_key: string, plaintext: Uint8Array, aad?: Uint8Array): Promise<Uint8Array> {
    this.#maybeFail();
    this.calls.encrypt++;
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.#aes, iv);
    if (aad) c.setAAD(aad);
    const body = Buffer.concat([c.update(plaintext), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]);
  }
  async decrypt(_key: string, ciphertext: Uint8Array, aad?: Uint8Array): Promise<Uint8Array> {
    this.#maybeFail();
    this.calls.decrypt++;
    const buf = Buffer.from(ciphertext);
    const d = createDecipheriv('aes-256-gcm', this.#aes, buf.subarray(0, 12));
    d.setAuthTag(buf.subarray(12, 28));
    if (aad) d.setAAD(aad);
    return Buffer.concat([d.update(buf.subarray(28)), d.final()]);
  }
  async signDigest(_key: string, digest: Uint8Array): Promise<Uint8Array> {
    this.#maybeFail();
    this.calls.sign++;
    // KMS signs a precomputed digest; node:crypto would hash again, so sign the digest with noble.
    const jwk = createPrivateKey(this.#ec.privateKey.export({ type: 'pkcs8', format: 'pem' })).export({
      format: 'jwk',
    });
    const d = Buffer.from(jwk.d!, 'base64url');
    return p256.sign(digest, d, { prehash: false, format: 'der' });
  }
  async getPublicKeyPem(): Promise<string> {
    this.#maybeFail();
    this.calls.publicKey++;
    return this.#ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }
  async macSign(_key: string, data: Uint8Array): Promise<Uint8Array> {
    this.#maybeFail();
    this.calls.mac++;
    return createHmac('sha256', this.#mac).update(data).digest();
  }
  /** Signs raw data the way node:crypto would (for tests that need a reference signature). */
  signData(data: Uint8Array): Buffer {
    return sign('sha256', data, this.#ec.privateKey);
  }
}

/** Records published messages. */
export class MemoryBus implements EventBus {
  readonly published: { topic: string; message: BusMessage }[] = [];
  async publish(topic: string, message: BusMessage): Promise<string> {
    this.published.push({ topic, message });
    return String(this.published.length);
  }
}

/** Approval requests in a Map, with the same conflict semantics as the Firestore adapter. */
export class MemoryApprovals implements ApprovalStore {
  readonly docs = new Map<string, ApprovalRequest>();
  async create(request: ApprovalRequest): Promise<void> {
    if (this.docs.has(request.id)) throw new WardenError('conflict', `approval request ${request.id} exists`);
    this.docs.set(request.id, structuredClone(request));
  }
  async get(id: string): Promise<ApprovalRequest | undefined> {
    const doc = this.docs.get(id);
    return doc && structuredClone(doc);
  }
  async update(
    id: string,
    update: (current: ApprovalRequest) => ApprovalRequest,
  ): Promise<{ before: ApprovalRequest; after: ApprovalRequest }> {
    const doc = this.docs.get(id);
    if (!doc) throw new WardenError('not_found', `approval request ${id} not found`);
    const after = { ...update(structuredClone(doc)), version: doc.version + 1 };
    this.docs.set(id, structuredClone(after));
    return { before: structuredClone(doc), after };
  }
  async list(filter: {
    state?: ApprovalState;
    limit: number;
    oldestFirst?: boolean;
  }): Promise<ApprovalRequest[]> {
    const sign = filter.oldestFirst ? -1 : 1;
    return [...this.docs.values()]
      .filter((d) => !filter.state || d.state === filter.state)
      .sort((a, b) => sign * (b.createdAt.getTime() - a.createdAt.getTime()))
      .slice(0, filter.limit)
      .map((d) => structuredClone(d));
  }
  readonly breakGlass = new Map<string, BreakGlassUse>();
  async recordBreakGlass(use: BreakGlassUse): Promise<void> {
    if (this.breakGlass.has(use.requestId))
      throw new WardenError('conflict', `break-glass use ${use.requestId} exists`);
    this.breakGlass.set(use.requestId, structuredClone(use));
  }
  async getBreakGlass(requestId: string): Promise<BreakGlassUse | undefined> {
    const use = this.breakGlass.get(requestId);
    return use && structuredClone(use);
  }
  async reviewBreakGlass(requestId: string, review: Omit<BreakGlassReview, 'count'>): Promise<BreakGlassUse> {
    const use = this.breakGlass.get(requestId);
    if (!use) throw new WardenError('not_found', `break-glass use ${requestId} not found`);
    const after = { ...use, review: { ...review, count: (use.review?.count ?? 0) + 1 } };
    this.breakGlass.set(requestId, structuredClone(after));
    return structuredClone(after);
  }
  async listBreakGlass(filter: { reviewed?: boolean; limit: number }): Promise<BreakGlassUse[]> {
    return [...this.breakGlass.values()]
      .filter((u) => filter.reviewed === undefined || !!u.review === filter.reviewed)
      .sort((a, b) => b.at.getTime() - a.at.getTime())
      .slice(0, filter.limit)
      .map((u) => structuredClone(u));
  }
}

/** Masked results in a Map. */
export class MemoryResults implements ResultStore {
  readonly docs = new Map<string, StoredResult>();
  async put(result: StoredResult): Promise<string> {
    this.docs.set(result.requestId, structuredClone(result));
    return `memory://${result.requestId}`;
  }
  async get(requestId: string): Promise<StoredResult | undefined> {
    const doc = this.docs.get(requestId);
    return doc && structuredClone(doc);
  }
}

/** A GrantLedger in memory. */
export class MemoryGrantLedger implements GrantLedger {
  readonly used = new Map<string, Date>();
  async useOnce(id: string, expiresAt: Date): Promise<boolean> {
    if (this.used.has(id)) return false;
    this.used.set(id, expiresAt);
    return true;
  }
}

/**
 * Asked questions in a Map, shared by every "instance" a test builds over it. `failing` makes every call reject,
 * as an unreachable Firestore would.
 */
export class MemoryElicitations implements ElicitationStore {
  readonly docs = new Map<string, PendingQuestion & { answer?: QuestionAnswer }>();
  failing = false;
  readonly #waiters = new Map<string, Set<() => void>>();

  async ask(question: PendingQuestion): Promise<void> {
    this.#check();
    if (this.docs.has(question.id)) throw new WardenError('conflict', 'question exists');
    this.docs.set(question.id, structuredClone(question));
  }
  async answer(id: string, caller: string, answer: QuestionAnswer, now: Date): Promise<boolean> {
    this.#check();
    const doc = this.docs.get(id);
    if (!doc || doc.caller !== caller || doc.answer || doc.expiresAt <= now) return false;
    doc.answer = structuredClone(answer);
    this.#wake(id);
    return true;
  }
  async waitForAnswer(id: string, deadline: Date): Promise<void> {
    this.#check();
    if (!this.docs.get(id) || this.docs.get(id)?.answer) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.get(id)?.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, deadline.getTime() - Date.now()));
      this.#waiters.set(id, (this.#waiters.get(id) ?? new Set()).add(done));
    });
    this.#check();
  }
  async take(id: string): Promise<(PendingQuestion & { answer?: QuestionAnswer }) | undefined> {
    this.#check();
    const doc = this.docs.get(id);
    this.docs.delete(id);
    this.#wake(id);
    return doc && structuredClone(doc);
  }
  #wake(id: string): void {
    for (const w of this.#waiters.get(id) ?? []) w();
  }
  #check(): void {
    if (this.failing) throw new WardenError('unavailable', 'Firestore did not answer.');
  }
}
