import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startTestGateway, type TestGateway, testToken } from './test-gateway.ts';

const MAIN = join(import.meta.dirname, 'main.ts');

/** The bridge as a child process, with a JSON-RPC helper over its stdio. */
function spawnBridge(args: string[]) {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', MAIN, ...args],
    { stdio: 'pipe' },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  const waiting = new Map<number, (m: Record<string, unknown>) => void>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    const message = JSON.parse(line) as { id?: number };
    if (typeof message.id === 'number') waiting.get(message.id)?.(message);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let nextId = 1;
  return {
    child,
    exited,
    stderr: () => stderr,
    request(method: string, params: unknown = {}): Promise<Record<string, unknown>> {
      const id = nextId++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
      });
    },
    notify(method: string) {
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method })}\n`);
    },
  };
}

describe('warden bridge as a child process (node cli/bridge/main.ts)', function () {
  this.timeout(20_000);
  const token = testToken({ sub: 'u', email: 'ann@example.org', exp: Math.floor(Date.now() / 1000) + 3600 });
  let gateway: TestGateway;
  beforeEach(async () => {
    gateway = await startTestGateway((t) => t === token);
  });
  afterEach(() => gateway.close());

  it('speaks MCP on stdio, forwards to the gateway, and exits 0 when stdin ends', async () => {
    const bridge = spawnBridge(['--url', gateway.url, '--token-command', `printf %s ${token}`]);
    const init = await bridge.request('initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'spawn-test', version: '1' },
    });
    bridge.notify('notifications/initialized');
    const list = await bridge.request('tools/list');
    const call = await bridge.request('tools/call', { name: 'echo', arguments: { text: 'over stdio' } });
    bridge.child.stdin.end();
    assert.equal(await bridge.exited, 0);
    assert.deepEqual((init['result'] as { serverInfo: unknown }).serverInfo, {
      name: 'test-gateway',
      version: '9.9.9',
    });
    assert.equal((list['result'] as { tools: { name: string }[] }).tools[0]?.name, 'echo');
    assert.deepEqual(call['result'], {
      content: [{ type: 'text', text: 'over stdio' }],
      structuredContent: { echoed: 'over stdio' },
    });
    assert.ok(gateway.posts().every((p) => p.token === token));
    assert.match(bridge.stderr(), /new ID token from token command "printf" for ann@example\.org/);
    assert.ok(!bridge.stderr().includes(token), 'stderr carries the token');
  });

  it('exits 0 on SIGTERM', async () => {
    const bridge = spawnBridge(['--url', gateway.url, '--token-command', `printf %s ${token}`]);
    await bridge.request('ping');
    bridge.child.kill('SIGTERM');
    assert.equal(await bridge.exited, 0);
    assert.match(bridge.stderr(), /SIGTERM: stopping/);
  });

  it('exits 2 with the usage for bad arguments', async () => {
    const bridge = spawnBridge(['--url', 'http://gw.example/mcp']);
    assert.equal(await bridge.exited, 2);
    assert.match(bridge.stderr(), /--url must be https/);
  });
});
