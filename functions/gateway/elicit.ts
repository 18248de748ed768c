// Ask a 2025-era client for a missing reason (MCP 2025-11-25 client/elicitation, form mode), across instances.
//
// The 2025 revisions send elicitation as a server-to-client request: the gateway answers the client's tools/call
// POST with an SSE stream (basic/transports, "Sending Messages to the Server": the server MAY send JSON-RPC
// requests on that stream before the response), writes `elicitation/create` on it, and the client posts its
// answer as a separate POST, which a load balancer may send to any instance. The two meet in Firestore
// (ports/elicitation-store.ts): the question is a document created before the request is sent, named by the
// request's random 256-bit JSON-RPC id and bound to the caller, the tool and the exact arguments; the instance
// that receives the answer checks it comes from the same caller and writes it once, in a transaction; the
// waiting instance watches the document, takes it (deleting it: a replayed answer finds nothing), and runs the
// call again with the reason, as a 2026-07-28 retry does. No answer in time, a decline, or any store failure:
// the denial, never a hang.
//
// Capabilities are declared once, in `initialize`, and the gateway is stateless (no session store). Spec 2025-11-25
// basic/transports "Session Management" lets a server assign an `Mcp-Session-Id` in its InitializeResult response
// ("a JWT, or a cryptographic hash"), which the client MUST send on every later request. A client that declared
// form elicitation gets one that carries the fact, MACed with a key derived in Cloud KMS and bound to the caller,
// so any instance can read it without a lookup; an altered, foreign or expired one is answered 404, after which
// the client must initialize again (same section). Clients that did not declare it get no session, as before.

import { randomBytes } from 'node:crypto';
import { createRequestStateCodec, type RequestStateCodec } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { recordableReason } from '../../shared/core/gateway/reason.ts';
import type { Principal } from '../../shared/core/identity/principal.ts';
import type { Decision } from '../../shared/core/policy/policy.ts';
import type { Clock } from '../../shared/ports/clock.ts';
import type { ElicitationStore, QuestionAnswer } from '../../shared/ports/elicitation-store.ts';
import type { KeyService } from '../../shared/ports/key-service.ts';
import { callerTag, callTag, REASON_INPUT, reasonForm } from './ask.ts';

/**
 * How long a call waits for its answer: under the gateway function's timeout (300 s, terraform scaling.gateway)
 * with room left for the query the answer lets run. Unanswered by then, the question is withdrawn.
 */
export const ELICIT_WAIT_MS = 120_000;
/** How long an Mcp-Session-Id stays valid; then the client initializes again. */
const SESSION_TTL_SECONDS = 24 * 3600;
/** What the KMS MAC key signs to derive the session key (apart from the requestState key). */
const SESSION_KEY_LABEL = 'warden.mcp.session.v1';
/** Every elicitation id Warden sends starts so: responses to anything else go to the SDK as before. */
const ID_PREFIX = 'warden-elicit-';

interface SessionState {
  v: 1;
  /** callerTag of the principal that initialized. */
  caller: string;
  /** The client declared form elicitation (the only sessions minted). */
  form: true;
}

/** How an asked question ended. */
export type LegacyAnswer =
  | { kind: 'reason'; reason: string }
  | { kind: 'none'; why: 'declined' | 'cancelled' | 'timeout' | 'failed' };

/** What asking needs from the call in flight: its SSE stream and its audit record. */
export interface AskIo {
  /** Writes a JSON-RPC request on the call's SSE stream. */
  send: (message: Record<string, unknown>) => Promise<void>;
  /** Records that the client was asked (before the question is sent). */
  recordAsked: () => Promise<unknown>;
  /** 2025-11-25 sends `mode: "form"`; 2025-06-18 knows only form and no `mode`. */
  formMode: boolean;
  log: (message: string, cause?: unknown) => void;
}

/** The client's answer as MCP 2025-11-25 ElicitResult defines it; anything else counts as a cancel. */
const ElicitResult = z.looseObject({
  action: z.enum(['accept', 'decline', 'cancel']),
  content: z.looseObject({ [REASON_INPUT]: z.string().optional() }).optional(),
});

export class LegacyElicitation {
  readonly #keys: KeyService;
  readonly #keyVersion: string;
  readonly #store: ElicitationStore;
  readonly #clock: Clock;
  readonly #waitMs: number;
  #codec: Promise<RequestStateCodec<SessionState>> | undefined;

  constructor(options: {
    keys: KeyService;
    keyVersion: string;
    store: ElicitationStore;
    clock: Clock;
    waitMs?: number;
  }) {
    this.#keys = options.keys;
    this.#keyVersion = options.keyVersion;
    this.#store = options.store;
    this.#clock = options.clock;
    this.#waitMs = options.waitMs ?? ELICIT_WAIT_MS;
  }

  #codecOnce(): Promise<RequestStateCodec<SessionState>> {
    this.#codec ??= this.#keys
      .macSign(this.#keyVersion, new TextEncoder().encode(SESSION_KEY_LABEL))
      .then((key) => createRequestStateCodec<SessionState>({ key, ttlSeconds: SESSION_TTL_SECONDS }));
    this.#codec.catch(() => {
      this.#codec = undefined;
    });
    return this.#codec;
  }

  /** The Mcp-Session-Id for a client that declared form elicitation in `initialize`. */
  async mintSession(principal: Principal): Promise<string> {
    return (await this.#codecOnce()).mint({ v: 1, caller: callerTag(principal), form: true });
  }

  /** Whether a session id is one Warden minted for this caller and still valid (a KMS failure rejects). */
  async isSession(sessionId: string, principal: Principal): Promise<boolean> {
    const codec = await this.#codecOnce();
    try {
      const s = await codec.verify(sessionId, undefined as never);
      return s?.v === 1 && s.form === true && s.caller === callerTag(principal);
    } catch {
      return false;
    }
  }

  /**
   * Asks for the reason on the call's stream and waits for the answer, wherever it lands. Fails closed: any store
   * failure, a send that fails, or no answer by the deadline is `none`.
   */
  async ask(
    call: { tool: string; args: Record<string, unknown>; principal: Principal; requestId: string },
    decision: Decision,
    io: AskIo,
  ): Promise<LegacyAnswer> {
    const id = `${ID_PREFIX}${randomBytes(32).toString('base64url')}`;
    const caller = callerTag(call.principal);
    const tag = callTag(call.args);
    const deadline = new Date(this.#clock.now().getTime() + this.#waitMs);
    try {
      await this.#store.ask({
        id,
        caller,
        tool: call.tool,
        call: tag,
        askedIn: call.requestId,
        expiresAt: deadline,
      });
    } catch (err) {
      io.log(`elicitation store failed for request ${call.requestId}`, err);
      return { kind: 'none', why: 'failed' };
    }
    // The audit trail failing fails the call, as every barrier write does.
    await io.recordAsked();
    try {
      const form = reasonForm(decision, call.requestId);
      await io.send({
        jsonrpc: '2.0',
        id,
        method: 'elicitation/create',
        params: { ...(io.formMode ? { mode: 'form' } : {}), ...form },
      });
      // The wall clock bounds the wait (the injected clock may be a test's), so it can never outlive the function.
      await this.#store.waitForAnswer(id, new Date(Date.now() + this.#waitMs));
    } catch (err) {
      io.log(`elicitation failed for request ${call.requestId}`, err);
      await this.#store.take(id).catch(() => undefined);
      return { kind: 'none', why: 'failed' };
    }
    let taken: Awaited<ReturnType<ElicitationStore['take']>>;
    try {
      taken = await this.#store.take(id);
    } catch (err) {
      io.log(`elicitation store failed for request ${call.requestId}`, err);
      return { kind: 'none', why: 'failed' };
    }
    // The question this call created, untouched but for its answer.
    if (!taken || taken.caller !== caller || taken.call !== tag || taken.tool !== call.tool)
      return { kind: 'none', why: 'failed' };
    const a = taken.answer;
    if (!a) return { kind: 'none', why: 'timeout' };
    if (a.action === 'accept') return { kind: 'reason', reason: a.reason };
    return { kind: 'none', why: a.action === 'decline' ? 'declined' : 'cancelled' };
  }

  /**
   * A client's answer to an `elicitation/create` (any instance): recorded once, for the caller it was asked of.
   * False when there is no open question with its id for this caller; rejects when the store cannot be reached.
   */
  async receive(message: Record<string, unknown>, principal: Principal): Promise<boolean> {
    const id = message['id'] as string;
    const parsed = ElicitResult.safeParse(message['result']);
    const given =
      parsed.success && parsed.data.action === 'accept' ? parsed.data.content?.[REASON_INPUT] : '';
    let answer: QuestionAnswer;
    if (!parsed.success) answer = { action: 'cancel' };
    else if (parsed.data.action !== 'accept') answer = { action: parsed.data.action };
    else {
      // Masked before it is stored: the store never holds identifiers the person typed.
      const reason = recordableReason(given ?? '');
      answer = reason.trim() === '' ? { action: 'decline' } : { action: 'accept', reason };
    }
    return this.#store.answer(id, callerTag(principal), answer, this.#clock.now());
  }
}

/** Whether a body is one JSON-RPC response to an elicitation Warden sent. */
export function isElicitationAnswer(body: unknown): body is Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const m = body as Record<string, unknown>;
  return (
    m['method'] === undefined &&
    typeof m['id'] === 'string' &&
    m['id'].startsWith(ID_PREFIX) &&
    ('result' in m || 'error' in m)
  );
}

/** Whether an `initialize` declares form elicitation (2025-11-25: `form`, or an empty object meaning form). */
export function initializeDeclaresForms(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const m = body as { method?: unknown; params?: { capabilities?: { elicitation?: unknown } } };
  if (m.method !== 'initialize') return false;
  const e = m.params?.capabilities?.elicitation;
  if (typeof e !== 'object' || e === null) return false;
  return Object.keys(e).length === 0 || Object.hasOwn(e, 'form');
}

/** Whether a body is one tools/call of a query tool: the calls that may be asked for a reason. */
export function isQueryCall(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const m = body as { method?: unknown; params?: { name?: unknown } };
  return (
    m.method === 'tools/call' &&
    (m.params?.name === 'execute_sql' || m.params?.name === 'execute_sql_readonly')
  );
}
