// Failures the bridge answers a forwarded request with: a JSON-RPC code and a message fit for the MCP client.

/** JSON-RPC codes the bridge answers with (-32001 is also what the gateway uses for authentication failures). */
export const RPC_CODE = { unauthenticated: -32001, internal: -32603 } as const;

/** A failure of the bridge or of its call to the gateway, answered as a JSON-RPC error with this code. */
export class BridgeError extends Error {
  readonly code: number;
  constructor(code: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = 'BridgeError';
  }
}

/** The JSON-RPC error a request is answered with when forwarding it failed. */
export function toRpcError(err: unknown): { code: number; message: string } {
  if (err instanceof BridgeError) return { code: err.code, message: err.message };
  return {
    code: RPC_CODE.internal,
    message: `warden bridge could not forward the request: ${errorMessage(err)}`,
  };
}

/** A one-line description of a thrown value, including a system error code from its cause (fetch failures). */
export function errorMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause as { code?: unknown; message?: unknown } | undefined;
  const detail =
    typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : '';
  return detail && !err.message.includes(detail) ? `${err.message} (${detail})` : err.message;
}

/** True for the error a fetch rejects with when its signal aborted (the bridge is shutting down). */
export function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');
}
