// Ask instead of refuse: when a call is denied only because its rule needs a reason (or break-glass needs one),
// a client that can fill in a form is asked for one, in its protocol era's way.
//
// MCP 2026-07-28 (multi round-trip requests, basic/patterns/mrtr): an `input_required` result with a form
// elicitation, and the client retries the same call with the answer. The state it echoes back is MACed with a
// key derived in Cloud KMS and bound to the caller and the exact call, so it cannot be altered or replayed for
// another query.
//
// MCP 2025-11-25 and 2025-06-18 (client/elicitation): the server sends `elicitation/create` on the SSE stream of
// the call's own POST, and the client answers on a separate POST that may reach any instance; elicit.ts ties the
// two together through Firestore. Older revisions have no elicitation and get the denial, which names the rule
// and the `reason` argument to pass.
//
// Either way the reason is untrusted text, masked like any other (gateway/reason.ts).

import { createHash } from 'node:crypto';
import {
  type CallToolResult,
  createRequestStateCodec,
  type InputRequiredResult,
  inputRequired,
  inputResponse,
  ProtocolError,
  ProtocolErrorCode,
  type RequestStateCodec,
} from '@modelcontextprotocol/server';
import { canonicalize } from '../../shared/core/audit/canonical-json.ts';
import { auditPrincipal } from '../../shared/core/audit/events.ts';
import { MAX_REASON_LENGTH } from '../../shared/core/gateway/reason.ts';
import type { Principal } from '../../shared/core/identity/principal.ts';
import type { Decision } from '../../shared/core/policy/policy.ts';
import type { KeyService } from '../../shared/ports/key-service.ts';

/** The key of the one input Warden asks for. */
export const REASON_INPUT = 'reason';
/** How long an asked question may be answered (the SDK codec rejects older state). */
export const ASK_TTL_SECONDS = 600;
/** What the KMS MAC key signs to derive the requestState key (a new label is a new key). */
const KEY_LABEL = 'warden.mcp.requestState.v1';

/** What the client echoes back: readable by it, but MACed, so not alterable. */
export interface AskState {
  v: 1;
  /** The tool called (execute_sql or execute_sql_readonly). */
  tool: string;
  /** SHA-256 of the call's arguments without `reason`, canonical JSON: the retry must be the same call. */
  call: string;
  /** SHA-256 of the caller (issuer, subject, and whom they act for): nobody else may answer. */
  caller: string;
  /** The request whose answer asked (the retry's decision record names it). */
  askedIn: string;
  /** The rule that needs the reason. */
  rule: string;
}

/** Verified state of a retried call, or nothing: the client's answer to Warden's question. */
export type Answer =
  | { kind: 'none' }
  | { kind: 'reason'; reason: string; askedIn: string }
  | { kind: 'declined'; askedIn: string };

/**
 * Mints and verifies the state of asked calls. The MAC key is derived once per instance from a Cloud KMS MAC
 * key (HMAC-SHA256 of a fixed label, computed in KMS), so every instance derives the same key and none stores
 * one; rotating the KMS key version (REQUEST_STATE_KMS_KEY_VERSION) invalidates unanswered questions only.
 */
export class ReasonAsker {
  readonly #keys: KeyService;
  readonly #keyVersion: string;
  #codec: Promise<RequestStateCodec<AskState>> | undefined;

  constructor(keys: KeyService, keyVersion: string) {
    this.#keys = keys;
    this.#keyVersion = keyVersion;
  }

  #codecOnce(): Promise<RequestStateCodec<AskState>> {
    this.#codec ??= this.#keys
      .macSign(this.#keyVersion, new TextEncoder().encode(KEY_LABEL))
      .then((key) => createRequestStateCodec<AskState>({ key, ttlSeconds: ASK_TTL_SECONDS }));
    // A KMS failure fails this call closed and lets the next one try again.
    this.#codec.catch(() => {
      this.#codec = undefined;
    });
    return this.#codec;
  }

  /** The SDK's requestState hook: any state that fails (MAC, expiry, shape) is refused with -32602. */
  readonly verify = async (state: string): Promise<AskState> => {
    const codec = await this.#codecOnce();
    // The SDK's context is not needed: the payload itself is bound to the caller and the call (answerOf).
    const payload = await codec.verify(state, undefined as never);
    if (payload?.v !== 1) throw new Error('malformed');
    return payload;
  };

  /** The `input_required` result that asks for a reason, for a call `decision` denied for lack of one. */
  async ask(
    call: { tool: string; args: Record<string, unknown>; principal: Principal; requestId: string },
    decision: Decision,
  ): Promise<InputRequiredResult> {
    const state: AskState = {
      v: 1,
      tool: call.tool,
      call: callTag(call.args),
      caller: callerTag(call.principal),
      askedIn: call.requestId,
      rule: decision.rule,
    };
    const codec = await this.#codecOnce();
    return inputRequired({
      inputRequests: { [REASON_INPUT]: inputRequired.elicit(reasonForm(decision, call.requestId)) },
      requestState: await codec.mint(state),
    });
  }
}

/** The form that asks for a reason (both eras ask the same): one string, at most MAX_REASON_LENGTH long. */
export function reasonForm(decision: Decision, requestId: string) {
  const minLength = decision.missingReason?.minLength ?? 1;
  return {
    message: `Policy rule "${decision.rule}" needs a reason for this query (at least ${minLength} characters). It is recorded in the audit trail, and shown to approvers, with identifiers masked. (request ${requestId})`,
    requestedSchema: {
      type: 'object' as const,
      properties: {
        [REASON_INPUT]: {
          type: 'string' as const,
          title: 'Reason for access',
          description: 'Why this data is needed (no patient identifiers needed).',
          minLength,
          maxLength: MAX_REASON_LENGTH,
        },
      },
      required: [REASON_INPUT],
    },
  };
}

/**
 * The answer a retried call carries. `state` is what the SDK's hook verified (or undefined when the call carried
 * none); it must name this caller and this exact call, or the retry is refused as invalid state.
 */
export function answerOf(
  state: unknown,
  responses: Record<string, unknown> | undefined,
  call: { tool: string; args: Record<string, unknown>; principal: Principal },
): Answer {
  if (state === undefined) return { kind: 'none' };
  const s = state as Partial<AskState> | null;
  if (
    typeof s !== 'object' ||
    s === null ||
    s.tool !== call.tool ||
    s.call !== callTag(call.args) ||
    s.caller !== callerTag(call.principal) ||
    typeof s.askedIn !== 'string'
  )
    // The same answer the SDK gives for a bad MAC: nothing about why.
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'Invalid or expired requestState', {
      reason: 'invalid_request_state',
    });
  const answer = inputResponse(responses, REASON_INPUT);
  const reason =
    answer.kind === 'elicit' && answer.action === 'accept' ? answer.content?.[REASON_INPUT] : undefined;
  if (typeof reason === 'string' && reason.trim() !== '')
    return { kind: 'reason', reason: reason.slice(0, MAX_REASON_LENGTH), askedIn: s.askedIn };
  return { kind: 'declined', askedIn: s.askedIn };
}

/** Whether the request's client declared form elicitation (an empty `elicitation` object means form). */
export function canAnswerForms(envelope: Record<string, unknown> | undefined): boolean {
  const caps = envelope?.['io.modelcontextprotocol/clientCapabilities'] as
    | { elicitation?: Record<string, unknown> }
    | undefined;
  const e = caps?.elicitation;
  if (typeof e !== 'object' || e === null) return false;
  return Object.keys(e).length === 0 || Object.hasOwn(e, 'form');
}

/** The denial when the client declined to give a reason: the rule's own, saying so. */
export function declinedText(result: CallToolResult): CallToolResult {
  const first = result.content?.[0];
  if (first?.type !== 'text') return result;
  return { ...result, content: [{ type: 'text', text: `No reason was given when asked. ${first.text}` }] };
}

/** SHA-256 of a call's arguments without `reason`, canonical JSON. */
export function callTag(args: Record<string, unknown>): string {
  const { reason: _reason, ...rest } = args;
  return sha256(canonicalize(rest));
}

/** SHA-256 of the caller as the audit trail names them (issuer, subject, whom they act for). */
export function callerTag(principal: Principal): string {
  return sha256(canonicalize(auditPrincipal(principal)));
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}
