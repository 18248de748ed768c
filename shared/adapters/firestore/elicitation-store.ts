// ElicitationStore on Firestore (official @google-cloud/firestore client): one document per question Warden asks
// a 2025-era MCP client, created before the question is sent, answered once in a transaction by whichever
// gateway instance the client's answer reaches, watched (onSnapshot) by the instance whose call waits for it.

import { createHash, randomUUID } from 'node:crypto';
import type { DocumentData, Firestore, Timestamp } from '@google-cloud/firestore';
import { WardenError } from '../../core/errors.ts';
import type { ElicitationStore, PendingQuestion, QuestionAnswer } from '../../ports/elicitation-store.ts';
import { within } from '../deadline.ts';

/** The collection; a TTL policy on `expiresAt` deletes questions nobody took (Terraform sets it). */
export const ELICITATIONS_COLLECTION = 'mcpElicitations';

type Stored = Omit<PendingQuestion, 'id' | 'expiresAt'> & {
  expiresAt: Timestamp | Date;
  createdAt: Date;
  answer?: QuestionAnswer;
  answeredAt?: Date;
  /** Names the answer() call that wrote the answer, so a retried transaction recognises its own commit. */
  answeredBy?: string;
};

export class FirestoreElicitationStore implements ElicitationStore {
  readonly #db: Firestore;
  readonly #collection: string;
  readonly #ms: number;
  /** `deadlineMs` bounds every call but the wait, which has its own deadline. */
  constructor(db: Firestore, deadlineMs: number, collection = ELICITATIONS_COLLECTION) {
    this.#db = db;
    this.#ms = deadlineMs;
    this.#collection = collection;
  }

  async ask(q: PendingQuestion): Promise<void> {
    const { id: _id, ...rest } = q;
    const doc: Stored = { ...rest, createdAt: new Date() };
    await this.#bounded('ask', () => this.#doc(q.id).create(doc as DocumentData));
  }

  async answer(id: string, caller: string, answer: QuestionAnswer, now: Date): Promise<boolean> {
    const ref = this.#doc(id);
    // The client retries the whole transaction when a commit's outcome is unknown (ABORTED, UNAVAILABLE): a commit
    // that did apply must then read back as this call's answer, not as an earlier one.
    const attempt = randomUUID();
    return this.#bounded('answer', () =>
      this.#db.runTransaction(async (tx) => {
        const snap = await tx.get(ref);
        const doc = snap.data() as Stored | undefined;
        if (doc?.answer && doc.answeredBy === attempt) return true;
        if (!doc || doc.caller !== caller || doc.answer || toDate(doc.expiresAt) <= now) return false;
        tx.update(ref, { answer, answeredAt: now, answeredBy: attempt });
        return true;
      }),
    );
  }

  // A listener rather than a poll: the answer arrives as soon as it commits (a poll would add up to its interval
  // to a person's wait, and cost one read per interval for minutes); a listener error fails the wait closed.
  waitForAnswer(id: string, deadline: Date): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let stop = () => {};
      const timer = setTimeout(
        () => {
          stop();
          resolve();
        },
        Math.max(0, deadline.getTime() - Date.now()),
      );
      stop = this.#doc(id).onSnapshot(
        (snap) => {
          const doc = snap.data() as Stored | undefined;
          if (doc && !doc.answer) return;
          clearTimeout(timer);
          stop();
          resolve();
        },
        (err) => {
          clearTimeout(timer);
          reject(unavailable(err));
        },
      );
    });
  }

  async take(id: string): Promise<(PendingQuestion & { answer?: QuestionAnswer }) | undefined> {
    const ref = this.#doc(id);
    return this.#bounded('take', () =>
      this.#db.runTransaction(async (tx) => {
        const snap = await tx.get(ref);
        const doc = snap.data() as Stored | undefined;
        if (!doc) return undefined;
        tx.delete(ref);
        const { createdAt: _c, answeredAt: _a, answeredBy: _b, ...q } = doc;
        return { ...q, id, expiresAt: toDate(doc.expiresAt) };
      }),
    );
  }

  // Document ids have a restricted alphabet and length, and the id answers the question: its hash names it.
  #doc(id: string) {
    return this.#db.collection(this.#collection).doc(createHash('sha256').update(id).digest('hex'));
  }

  async #bounded<T>(method: string, work: () => Promise<T>): Promise<T> {
    try {
      return await within(work(), this.#ms, 'Firestore', method);
    } catch (err) {
      throw unavailable(err);
    }
  }
}

function toDate(v: Timestamp | Date): Date {
  return v instanceof Date ? v : v.toDate();
}

function unavailable(err: unknown): WardenError {
  if (err instanceof WardenError) return err;
  return new WardenError('unavailable', 'The elicitation store is unavailable.', { cause: err });
}
