// Relays JSON-RPC messages, unchanged, between the MCP client's transport (stdio) and the gateway's
// (Streamable HTTP); a request is answered by the bridge itself only when it could not be forwarded.

import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { BridgeError, errorMessage, isAbort, toRpcError } from './errors.ts';
import type { Log } from './log.ts';

/** A running relay. */
export interface Relay {
  /** Settles once both transports are closed. */
  readonly closed: Promise<void>;
  /** Waits until every forwarded request is answered, then closes (the client closed its input). */
  drain(): Promise<void>;
  /** Closes both transports now; unanswered requests are abandoned. */
  close(): Promise<void>;
}

/** The two sides of a relay. */
export interface RelayOptions {
  /** Where the MCP client is (the bridge is its server). */
  client: Transport;
  /** Where the gateway is (the bridge is its client). */
  gateway: Transport;
  log: Log;
}

/**
 * Starts both transports and relays every message between them: initialize (so the client sees the gateway's
 * protocol version, capabilities, server info and instructions), ping, tools and anything added later.
 * Responses to requests the client cancelled are dropped, as MCP asks.
 */
export async function startRelay({ client, gateway, log }: RelayOptions): Promise<Relay> {
  const pending = new Map<RequestId, string>();
  const cancelled = new Set<RequestId>();
  const forwarding = new Set<Promise<void>>();
  let closing = false;
  let markClosed!: () => void;
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });

  const toClient = async (message: JSONRPCMessage) => {
    if (closing) return;
    try {
      await client.send(message);
    } catch (err) {
      log(`could not write to the client: ${errorMessage(err)}`);
    }
  };

  const forward = async (message: JSONRPCMessage) => {
    try {
      await gateway.send(message);
    } catch (err) {
      if (closing && isAbort(err)) return;
      if (!isRequest(message) || !pending.delete(message.id)) {
        log(`could not forward a message to the gateway: ${errorMessage(err)}`);
        return;
      }
      const error = toRpcError(err);
      log(`${message.method} (id ${String(message.id)}) failed: ${error.message}`);
      if (!cancelled.delete(message.id)) await toClient({ jsonrpc: '2.0', id: message.id, error });
    }
  };

  client.onmessage = (message) => {
    if (closing) return;
    if (isRequest(message)) pending.set(message.id, message.method);
    const cancelledId = cancelledRequestId(message);
    if (cancelledId !== undefined && pending.has(cancelledId)) cancelled.add(cancelledId);
    const done = forward(message).finally(() => forwarding.delete(done));
    forwarding.add(done);
  };

  gateway.onmessage = (message) => {
    if (isResponse(message)) {
      const method = pending.get(message.id);
      pending.delete(message.id);
      if (method === 'initialize') adoptProtocolVersion(gateway, message);
      if (cancelled.delete(message.id)) return;
    }
    void toClient(message);
  };

  client.onerror = (err) => log(`client transport: ${errorMessage(err)}`);
  // Failures of forwarded requests are reported above, as the requests' answers.
  gateway.onerror = (err) => {
    if (!(err instanceof BridgeError) && !isAbort(err)) log(`gateway transport: ${errorMessage(err)}`);
  };

  const close = async () => {
    if (closing) return closed;
    closing = true;
    await Promise.allSettled([gateway.close(), client.close()]);
    markClosed();
    return closed;
  };
  client.onclose = () => void close();

  await gateway.start();
  await client.start();
  return {
    closed,
    close,
    async drain() {
      while (forwarding.size > 0 && !closing) await Promise.allSettled([...forwarding]);
      await close();
    },
  };
}

type RpcRequest = JSONRPCMessage & { id: RequestId; method: string };
type RpcResponse = JSONRPCMessage & { id: RequestId } & ({ result: unknown } | { error: unknown });

function isRequest(message: JSONRPCMessage): message is RpcRequest {
  return 'method' in message && 'id' in message && message.id !== undefined;
}

function isResponse(message: JSONRPCMessage): message is RpcResponse {
  return !('method' in message) && 'id' in message && message.id !== undefined;
}

/** The request id a `notifications/cancelled` names, if `message` is one. */
function cancelledRequestId(message: JSONRPCMessage): RequestId | undefined {
  if (!('method' in message) || message.method !== 'notifications/cancelled' || 'id' in message)
    return undefined;
  const id = (message.params as { requestId?: unknown } | undefined)?.requestId;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}

/** After initialize, the gateway transport sends the negotiated version (MCP-Protocol-Version) on each request. */
function adoptProtocolVersion(gateway: Transport, message: RpcResponse): void {
  const version =
    'result' in message ? (message.result as { protocolVersion?: unknown }).protocolVersion : undefined;
  if (typeof version === 'string') gateway.setProtocolVersion?.(version);
}
