import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { ManualClock } from '../../shared/test-support/memory-ports.ts';
import { startBridge } from './bridge.ts';
import { CommandTokenSource } from './command-token-source.ts';
import type { Relay } from './relay.ts';
import {
  ECHO_TOOL,
  INSTRUCTIONS,
  SERVER_INFO,
  startTestGateway,
  type TestGateway,
  testToken,
  UNAUTHENTICATED,
} from './test-gateway.ts';
import type { TokenSource } from './token-source.ts';

const T0 = Date.UTC(2026, 0, 1);
const PERSON = testToken({ sub: 'person', email: 'ann@example.org' });

/** Mints tok-1, tok-2, … as JWTs for the gateway, expiring an hour after the fake clock's now. */
function fakeTokens(clock: ManualClock) {
  const minted: string[] = [];
  const source: TokenSource = {
    description: 'fake tokens',
    async mint() {
      const token = testToken({
        sub: `tok-${minted.length + 1}`,
        exp: Math.floor(clock.millis() / 1000) + 3600,
      });
      minted.push(token);
      return token;
    },
  };
  return { source, minted };
}

describe('warden bridge (in process, loopback gateway)', () => {
  const open: { gateway?: TestGateway; relay?: Relay; client?: Client }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0)) {
      await o.client?.close();
      await o.relay?.close();
      await o.gateway?.close();
    }
  });

  /** A gateway accepting `accept`, a bridge in front of it, and an MCP client; `connect: false` leaves it unconnected. */
  async function setup(
    options: { accept?: (token: string, minted: string[]) => boolean; tokens?: TokenSource } = {},
  ) {
    const clock = new ManualClock(T0);
    const fake = fakeTokens(clock);
    const gateway = await startTestGateway(
      (t) => options.accept?.(t, fake.minted) ?? fake.minted.includes(t),
    );
    const logs: string[] = [];
    const [clientSide, bridgeSide] = InMemoryTransport.createLinkedPair();
    const relay = await startBridge({
      url: new URL(gateway.url),
      tokens: options.tokens ?? fake.source,
      headers: [['x-warden-on-behalf-of', PERSON]],
      client: bridgeSide,
      log: (line) => void logs.push(line),
      now: clock.millis,
    });
    const client = new Client({ name: 'test-client', version: '1.0.0' });
    open.push({ gateway, relay, client });
    return {
      gateway,
      relay,
      client,
      clock,
      logs,
      minted: fake.minted,
      connect: () => client.connect(clientSide),
    };
  }

  /** The McpError `promise` rejects with. */
  async function rpcFailure(promise: Promise<unknown>): Promise<McpError> {
    const err = await promise.then(
      () => assert.fail('expected a JSON-RPC error'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof McpError, `not an McpError: ${String(err)}`);
    return err;
  }

  it("mirrors the gateway's server info, capabilities and instructions on initialize", async () => {
    const { client, connect, gateway } = await setup();
    await connect();
    assert.deepEqual(client.getServerVersion(), SERVER_INFO);
    assert.deepEqual(client.getServerCapabilities(), { tools: {} });
    assert.equal(client.getInstructions(), INSTRUCTIONS);
    assert.equal(gateway.posts()[0]?.rpc, 'initialize');
  });

  it('passes tools/list through unchanged', async () => {
    const { client, connect } = await setup();
    await connect();
    assert.deepEqual((await client.listTools()).tools, [ECHO_TOOL]);
  });

  const calls = [
    {
      name: 'a result with structuredContent',
      text: 'hello',
      want: { content: [{ type: 'text', text: 'hello' }], structuredContent: { echoed: 'hello' } },
    },
    {
      name: 'a tool error (isError)',
      text: 'fail',
      want: { isError: true, content: [{ type: 'text', text: 'echo refused: fail' }] },
    },
  ];
  for (const c of calls) {
    it(`passes tools/call through unchanged: ${c.name}`, async () => {
      const { client, connect } = await setup();
      await connect();
      assert.deepEqual(await client.callTool({ name: 'echo', arguments: { text: c.text } }), c.want);
    });
  }

  it("passes the gateway's JSON-RPC error through with its code and message", async () => {
    const { client, connect } = await setup();
    await connect();
    const err = await rpcFailure(client.callTool({ name: 'nope', arguments: {} }));
    assert.equal(err.code, -32602);
    assert.equal(err.message, 'MCP error -32602: Unknown tool: nope');
  });

  it('forwards ping to the gateway rather than answering it itself', async () => {
    const { client, connect, gateway } = await setup();
    await connect();
    assert.deepEqual(await client.ping(), {});
    assert.equal(gateway.posts().at(-1)?.rpc, 'ping');
  });

  it('sends the ID token as a bearer header and the fixed headers on every request', async () => {
    const { client, connect, gateway, minted } = await setup();
    await connect();
    await client.listTools();
    const posts = gateway.posts();
    assert.deepEqual(
      posts.map((p) => p.rpc),
      ['initialize', 'notifications/initialized', 'tools/list'],
    );
    for (const p of posts) {
      assert.equal(p.headers.authorization, `Bearer ${minted[0]}`);
      assert.equal(p.headers['x-warden-on-behalf-of'], PERSON);
    }
    assert.equal(posts.at(-1)?.headers['mcp-protocol-version'], '2025-11-25');
  });

  const reuse = [
    { name: 'reuses the token until 60 s before its exp', after: 3600 - 61, mints: 1 },
    { name: 're-mints the token within 60 s of its exp', after: 3600 - 59, mints: 2 },
  ];
  for (const c of reuse) {
    it(c.name, async () => {
      const { client, connect, gateway, minted, clock } = await setup();
      await connect();
      await client.listTools();
      clock.advance(c.after * 1000);
      await client.listTools();
      assert.equal(minted.length, c.mints);
      assert.equal(gateway.posts().at(-1)?.token, minted.at(-1));
    });
  }

  it('after a 401, mints one fresh token and retries once', async () => {
    const { connect, gateway, minted, logs } = await setup({ accept: (t, minted) => t === minted[1] });
    await connect();
    const initialize = gateway.posts().filter((p) => p.rpc === 'initialize');
    assert.deepEqual(
      initialize.map((p) => [p.token, p.status]),
      [
        [minted[0], 401],
        [minted[1], 200],
      ],
    );
    assert.equal(minted.length, 2);
    assert.ok(
      logs.some((l) => /answered 401 Unauthorized: minting a fresh ID token and retrying once/.test(l)),
    );
  });

  it('after a second 401, answers a clear JSON-RPC error without minting again', async () => {
    const { connect, gateway, minted } = await setup({ accept: () => false });
    const err = await rpcFailure(connect());
    assert.equal(err.code, -32001);
    assert.match(
      err.message,
      /rejected the bridge's ID token \(HTTP 401\) even after a fresh one was minted/,
    );
    assert.ok(err.message.includes(UNAUTHENTICATED));
    assert.equal(minted.length, 2);
    assert.equal(gateway.posts().length, 2);
  });

  it('a failing token command answers a clear error and sends nothing to the gateway', async () => {
    const tokens = new CommandTokenSource(`sh -c 'echo "ERROR: not logged in" >&2; exit 3'`);
    const { connect, gateway } = await setup({ tokens });
    const err = await rpcFailure(connect());
    assert.equal(err.code, -32001);
    assert.match(
      err.message,
      /could not obtain an ID token: the token command "sh" exited with status 3: ERROR: not logged in/,
    );
    assert.deepEqual(gateway.seen, []);
  });

  const failures = [
    {
      name: 'an HTTP error carrying a JSON-RPC error keeps its code and message',
      answer: {
        status: 503,
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: null,
          error: { code: -32603, message: 'Warden is down (request r1)' },
        }),
      },
      code: -32603,
      message: 'MCP error -32603: Warden is down (request r1)',
    },
    {
      name: 'an HTTP error without one names the status',
      answer: { status: 502, body: '<html>bad gateway</html>', contentType: 'text/html' },
      code: -32603,
      message: 'MCP error -32603: The gateway answered HTTP 502 Bad Gateway.',
    },
  ];
  for (const c of failures) {
    it(`a gateway failure: ${c.name}`, async () => {
      const { client, connect, gateway } = await setup();
      await connect();
      gateway.answer = (rpc) => (rpc === 'tools/call' ? c.answer : undefined);
      const err = await rpcFailure(client.callTool({ name: 'echo', arguments: { text: 'x' } }));
      assert.equal(err.code, c.code);
      assert.equal(err.message, c.message);
    });
  }

  it('an unreachable gateway answers a clear error', async () => {
    const { connect, gateway } = await setup();
    await gateway.close();
    const err = await rpcFailure(connect());
    assert.equal(err.code, -32603);
    assert.match(
      err.message,
      /could not reach the gateway at http:\/\/127\.0\.0\.1:\d+: fetch failed \(ECONNREFUSED\)/,
    );
  });

  it('never writes a token to the log, not even one a failing command printed', async () => {
    const { client, connect, minted, logs, clock } = await setup({ accept: (t, minted) => t !== minted[0] });
    await connect();
    clock.advance(3600 * 1000);
    await client.callTool({ name: 'echo', arguments: { text: 'x' } });
    const leaky = testToken({ sub: 'leaky' });
    const failing = await setup({
      tokens: new CommandTokenSource(`sh -c 'echo "got ${leaky}" >&2; exit 1'`),
    });
    const err = await rpcFailure(failing.connect());
    const allLogs = [...logs, ...failing.logs];
    assert.equal(minted.length, 3);
    assert.ok(allLogs.length >= 4, 'the flows logged');
    for (const token of [...minted, leaky, PERSON])
      assert.ok(!allLogs.some((l) => l.includes(token)), `a log line carries ${token}`);
    assert.ok(!err.message.includes(leaky));
    assert.match(err.message, /got \[redacted\]/);
  });

  it('warns when a token carries another audience than the one asked for', async () => {
    const clock = new ManualClock(T0);
    const gateway = await startTestGateway(() => true);
    const logs: string[] = [];
    const [clientSide, bridgeSide] = InMemoryTransport.createLinkedPair();
    const relay = await startBridge({
      url: new URL(gateway.url),
      tokens: {
        description: 'user credentials',
        audience: 'https://gateway.example',
        mint: async () =>
          testToken({ aud: '764086051850.apps.googleusercontent.com', email: 'ann@example.org' }),
      },
      client: bridgeSide,
      log: (line) => void logs.push(line),
      now: clock.millis,
    });
    const client = new Client({ name: 'test-client', version: '1.0.0' });
    open.push({ gateway, relay, client });
    await client.connect(clientSide);
    assert.ok(logs.includes('new ID token from user credentials for ann@example.org (no exp claim)'));
    assert.ok(
      logs.some((l) =>
        l.startsWith(
          "warning: the token's audience is 764086051850.apps.googleusercontent.com, not https://gateway.example",
        ),
      ),
    );
  });
});
