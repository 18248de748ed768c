import assert from 'node:assert/strict';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { BridgeError } from './errors.ts';
import { type Relay, startRelay } from './relay.ts';

/** A gateway transport the test drives: it records what is sent and answers when told to. */
class FakeGateway implements Transport {
  sent: JSONRPCMessage[] = [];
  protocolVersion: string | undefined;
  closed = false;
  /** Makes send reject with this error. */
  failWith: Error | undefined;
  /** Makes send wait for this promise before resolving. */
  hold: Promise<void> | undefined;
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  async start(): Promise<void> {}
  async close(): Promise<void> {
    this.closed = true;
  }
  async send(message: JSONRPCMessage): Promise<void> {
    this.sent.push(message);
    if (this.failWith) throw this.failWith;
    await this.hold;
  }
  setProtocolVersion(version: string): void {
    this.protocolVersion = version;
  }
  /** Answers as the gateway would. */
  reply(message: JSONRPCMessage): void {
    this.onmessage?.(message);
  }
}

async function setup() {
  const [clientSide, bridgeSide] = InMemoryTransport.createLinkedPair();
  const gateway = new FakeGateway();
  const logs: string[] = [];
  const received: JSONRPCMessage[] = [];
  clientSide.onmessage = (m) => void received.push(m);
  await clientSide.start();
  const relay: Relay = await startRelay({ client: bridgeSide, gateway, log: (l) => void logs.push(l) });
  const fromClient = async (m: JSONRPCMessage) => {
    await clientSide.send(m);
    await tick();
  };
  return { gateway, relay, logs, received, fromClient, clientSide };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('bridge relay', () => {
  it('forwards client messages and gateway answers unchanged', async () => {
    const { gateway, received, fromClient } = await setup();
    const request: JSONRPCMessage = {
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'x', extra: [1] },
    };
    await fromClient(request);
    const answer: JSONRPCMessage = {
      jsonrpc: '2.0',
      id: 7,
      result: { content: [], isError: true, custom: { a: 1 } },
    };
    gateway.reply(answer);
    await tick();
    assert.deepEqual(gateway.sent, [request]);
    assert.deepEqual(received, [answer]);
  });

  it('adopts the protocol version the gateway negotiated on initialize', async () => {
    const { gateway, fromClient } = await setup();
    await fromClient({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25' },
    });
    assert.equal(gateway.protocolVersion, undefined);
    gateway.reply({ jsonrpc: '2.0', id: 0, result: { protocolVersion: '2025-06-18', capabilities: {} } });
    assert.equal(gateway.protocolVersion, '2025-06-18');
  });

  it('ignores protocolVersion in answers to requests other than initialize', async () => {
    const { gateway, fromClient } = await setup();
    await fromClient({ jsonrpc: '2.0', id: 1, method: 'tools/call' });
    gateway.reply({ jsonrpc: '2.0', id: 1, result: { protocolVersion: 'bogus' } });
    assert.equal(gateway.protocolVersion, undefined);
  });

  it('answers a request it could not forward with the failure as a JSON-RPC error', async () => {
    const { gateway, received, fromClient, logs } = await setup();
    gateway.failWith = new BridgeError(-32001, 'no token for you');
    await fromClient({ jsonrpc: '2.0', id: 'a', method: 'tools/list' });
    assert.deepEqual(received, [
      { jsonrpc: '2.0', id: 'a', error: { code: -32001, message: 'no token for you' } },
    ]);
    assert.deepEqual(logs, ['tools/list (id a) failed: no token for you']);
  });

  it('answers an unexpected failure with -32603', async () => {
    const { gateway, received, fromClient } = await setup();
    gateway.failWith = new Error('socket hang up');
    await fromClient({ jsonrpc: '2.0', id: 2, method: 'ping' });
    assert.deepEqual(received, [
      {
        jsonrpc: '2.0',
        id: 2,
        error: { code: -32603, message: 'warden bridge could not forward the request: socket hang up' },
      },
    ]);
  });

  it('does not answer a notification it could not forward, but logs it', async () => {
    const { gateway, received, fromClient, logs } = await setup();
    gateway.failWith = new Error('down');
    await fromClient({ jsonrpc: '2.0', method: 'notifications/initialized' });
    assert.deepEqual(received, []);
    assert.deepEqual(logs, ['could not forward a message to the gateway: down']);
  });

  it('drops the answer to a request the client cancelled, and forwards the cancellation', async () => {
    const { gateway, received, fromClient } = await setup();
    await fromClient({ jsonrpc: '2.0', id: 5, method: 'tools/call' });
    const cancel: JSONRPCMessage = {
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 5 },
    };
    await fromClient(cancel);
    gateway.reply({ jsonrpc: '2.0', id: 5, result: { content: [] } });
    await tick();
    assert.deepEqual(received, []);
    assert.deepEqual(gateway.sent.at(-1), cancel);
  });

  it('drain waits for requests in flight, then closes both sides', async () => {
    const { gateway, relay, received, fromClient } = await setup();
    let release!: () => void;
    gateway.hold = new Promise((r) => {
      release = r;
    });
    await fromClient({ jsonrpc: '2.0', id: 9, method: 'tools/call' });
    const drained = relay.drain();
    await tick();
    assert.equal(gateway.closed, false);
    gateway.reply({ jsonrpc: '2.0', id: 9, result: { content: [] } });
    release();
    await drained;
    assert.equal(gateway.closed, true);
    assert.deepEqual(received, [{ jsonrpc: '2.0', id: 9, result: { content: [] } }]);
  });

  it('closes when the client side closes', async () => {
    const { gateway, relay, clientSide } = await setup();
    await clientSide.close();
    await relay.closed;
    assert.equal(gateway.closed, true);
  });
});
