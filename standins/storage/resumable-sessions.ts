// Resumable upload sessions: what a session start recorded, and the bytes received so far (in memory).

import { randomBytes } from 'node:crypto';
import type { UploadRange } from './byte-range.ts';
import { invalid } from './errors.ts';
import type { ClaimedHashes } from './object-metadata.ts';
import type { Preconditions } from './preconditions.ts';
import type { ObjectDescription } from './records.ts';

/** An open (or finished) resumable upload. */
export interface UploadSession {
  id: string;
  bucket: string;
  name: string;
  description: ObjectDescription;
  claims: ClaimedHashes[];
  preconditions: Preconditions;
  declaredSize?: number;
  chunks: Buffer[];
  received: number;
  /** The object resource once the upload completed; later PUTs answer with it. */
  result?: Record<string, unknown>;
}

/** What a PUT to a session asks for once its bytes are appended. */
export type SessionStep = { kind: 'incomplete' } | { kind: 'complete'; data: Buffer };

/** Open resumable upload sessions, keyed by upload id. Sessions do not survive a restart. */
export class ResumableSessions {
  readonly #sessions = new Map<string, UploadSession>();

  /** Opens a session and returns it (its `id` goes into the session URI). */
  open(fields: Omit<UploadSession, 'id' | 'chunks' | 'received'>): UploadSession {
    const session: UploadSession = {
      ...fields,
      id: randomBytes(16).toString('hex'),
      chunks: [],
      received: 0,
    };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** The session with `id`, if open. */
  get(id: string): UploadSession | undefined {
    return this.#sessions.get(id);
  }

  /** Forgets a session (after cancellation). */
  delete(id: string): void {
    this.#sessions.delete(id);
  }
}

/**
 * Appends `body` (sent for `range`) to `session` and says whether the object is now complete.
 * Bytes the session already has are skipped, so a client re-sending after a lost reply is safe.
 */
export function appendToSession(session: UploadSession, range: UploadRange, body: Buffer): SessionStep {
  if (range.start !== undefined) appendChunk(session, range.start, body);
  const total = range.total ?? session.declaredSize;
  if (total !== undefined && session.received > total) {
    throw invalid(`Upload received ${session.received} bytes, more than the declared ${total}.`);
  }
  const complete = range.isFinal && (total === undefined || session.received === total);
  if (!complete) return { kind: 'incomplete' };
  return { kind: 'complete', data: Buffer.concat(session.chunks) };
}

function appendChunk(session: UploadSession, start: number, body: Buffer): void {
  if (start > session.received) {
    throw invalid(`Upload chunk starts at ${start} but only ${session.received} bytes were received.`);
  }
  const fresh = body.subarray(session.received - start);
  if (fresh.length === 0) return;
  session.chunks.push(fresh);
  session.received += fresh.length;
}

/** The `Range` header of a 308 reply: the bytes persisted so far, or none. */
export function receivedRangeHeader(session: UploadSession): Record<string, string> {
  return session.received === 0 ? {} : { range: `bytes=0-${session.received - 1}` };
}
