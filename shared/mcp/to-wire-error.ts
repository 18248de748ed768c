// The one mapper from core errors to the wire: HTTP statuses, JSON-RPC codes and caller-safe messages.

import { isWardenError, type WardenErrorKind } from '../core/errors.ts';

/** How a failure is answered. `toolResult` means: an `isError` tool result the agent can react to. */
export interface WireError {
  httpStatus: number;
  jsonRpcCode: number;
  message: string;
  toolResult: boolean;
}

/** Client-facing messages for failures whose detail must stay in the logs. */
export const MESSAGES = {
  unavailable: 'Warden could not complete the request because a dependency is unavailable. Nothing was run.',
  internal: 'Warden could not complete the request. Nothing was run.',
  integrity: 'Warden could not complete the request because an integrity check failed. Nothing was run.',
  unauthenticated: 'Authentication required: send an OIDC ID token as Authorization: Bearer.',
} as const;

const BY_KIND: Record<WardenErrorKind, Omit<WireError, 'message'> & { safeMessage: boolean }> = {
  unauthenticated: { httpStatus: 401, jsonRpcCode: -32001, toolResult: false, safeMessage: true },
  forbidden: { httpStatus: 403, jsonRpcCode: -32003, toolResult: true, safeMessage: true },
  invalid_argument: { httpStatus: 400, jsonRpcCode: -32602, toolResult: true, safeMessage: true },
  not_found: { httpStatus: 404, jsonRpcCode: -32602, toolResult: true, safeMessage: true },
  conflict: { httpStatus: 409, jsonRpcCode: -32603, toolResult: true, safeMessage: true },
  failed_precondition: { httpStatus: 412, jsonRpcCode: -32603, toolResult: true, safeMessage: true },
  unavailable: { httpStatus: 503, jsonRpcCode: -32603, toolResult: false, safeMessage: false },
  integrity: { httpStatus: 500, jsonRpcCode: -32603, toolResult: false, safeMessage: false },
  internal: { httpStatus: 500, jsonRpcCode: -32603, toolResult: false, safeMessage: false },
};

/**
 * Maps any thrown value. Only WardenError messages of caller-facing kinds are shown; adapters' messages
 * never are (they may carry internal detail). The request id lets operators find the logged cause.
 */
export function toWireError(err: unknown, requestId: string): WireError {
  const kind: WardenErrorKind = isWardenError(err) ? err.kind : 'internal';
  const { safeMessage, ...wire } = BY_KIND[kind];
  const base =
    safeMessage && isWardenError(err)
      ? err.message
      : (MESSAGES[kind as keyof typeof MESSAGES] ?? MESSAGES.internal);
  return { ...wire, message: `${base} (request ${requestId})` };
}

/**
 * An error the MCP SDK answers as a JSON-RPC error with exactly this code and message (the SDK's McpError
 * would prefix the message with "MCP error <code>:").
 */
export function jsonRpcError(code: number, message: string): Error & { code: number } {
  return Object.assign(new Error(message), { code });
}
