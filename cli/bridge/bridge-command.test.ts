import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { BRIDGE_USAGE, bridgeCommand, parseBridgeArgs } from './bridge.ts';
import { startTestGateway, testToken } from './test-gateway.ts';

/** Runs bridgeCommand on in-memory stdio: writes `input` lines, ends stdin, and collects stdout and stderr. */
async function run(args: string[], input: unknown[] = []) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.setEncoding('utf8').on('data', (s: string) => {
    out += s;
  });
  stderr.setEncoding('utf8').on('data', (s: string) => {
    err += s;
  });
  const done = bridgeCommand(args, { stdin, stdout, stderr });
  for (const message of input) stdin.write(`${JSON.stringify(message)}\n`);
  stdin.end();
  const code = await done;
  const messages = () =>
    out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { id?: number; result?: unknown; error?: unknown });
  return { code, out, err, messages };
}

describe('warden bridge command line', () => {
  const usage = [
    { name: 'no --url', args: [], want: /--url is required/ },
    { name: 'a --url that is not a URL', args: ['--url', 'gateway'], want: /is not a URL/ },
    { name: 'plain http to a remote host', args: ['--url', 'http://gw.example/mcp'], want: /must be https/ },
    {
      name: 'a --url with credentials',
      args: ['--url', 'https://u:p@gw.example/mcp'],
      want: /may not carry credentials/,
    },
    {
      name: 'a --url with a token in it',
      args: ['--url', 'https://gw.example/mcp?access_token=x'],
      want: /may not carry a token/,
    },
    {
      name: 'an unknown option',
      args: ['--url', 'https://gw.example/mcp', '--frob'],
      want: /unknown option --frob; warden bridge takes --url, --audience, .* or --help/,
    },
    {
      name: 'an option without its value',
      args: ['--url'],
      want: /--url needs a value/,
    },
    {
      name: 'a positional argument',
      args: ['--url', 'https://gw.example/mcp', 'extra'],
      want: /unexpected argument "extra"/,
    },
    {
      name: 'a header with CR/LF',
      args: ['--url', 'https://gw.example/mcp', '--header', 'X-A=1\r\nX-B: 2'],
      want: /--header x-a has a control character/,
    },
    {
      name: 'an authorization header',
      args: ['--url', 'https://gw.example/mcp', '--header', 'Authorization=Bearer x'],
      want: /may not set authorization/,
    },
    {
      name: 'both token options',
      args: [
        '--url',
        'https://gw.example/mcp',
        '--token-command',
        'true',
        '--impersonate',
        'a@b.iam.gserviceaccount.com',
      ],
      want: /exclude each other/,
    },
    {
      name: 'a service account that is not an email',
      args: ['--url', 'https://gw.example/mcp', '--impersonate', 'sa/../../x'],
      want: /is not a service account email/,
    },
    {
      name: 'a token command with shell syntax',
      args: ['--url', 'https://gw.example/mcp', '--token-command', 'cat f | tr -d x'],
      want: /--token-command: .*contains "\|"/,
    },
  ];
  for (const c of usage) {
    it(`refuses ${c.name} with exit code 2 in one line that points at --help`, async () => {
      const r = await run(c.args);
      assert.equal(r.code, 2);
      assert.match(r.err, c.want);
      assert.match(r.err, /^warden bridge: [^\n]* \(warden bridge --help shows the usage\)\n$/);
      assert.equal(r.out, '');
    });
  }

  it('prints its usage for --help', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0);
    assert.equal(r.out, `${BRIDGE_USAGE}\n`);
  });

  const sources = [
    { name: 'application default credentials by default', args: [], want: 'application default credentials' },
    {
      name: 'an impersonated service account',
      args: ['--impersonate', 'sa@p.iam.gserviceaccount.com'],
      want: 'service account sa@p.iam.gserviceaccount.com (impersonated)',
    },
    {
      name: 'a token command',
      args: ['--token-command', 'gcloud auth print-identity-token'],
      want: 'token command "gcloud"',
    },
  ];
  for (const c of sources) {
    it(`chooses ${c.name}, with the origin of --url as the default audience`, () => {
      const config = parseBridgeArgs(['--url', 'https://gw.example/mcp', ...c.args]);
      assert.ok(config !== 'help');
      assert.equal(config.tokens.description, c.want);
      assert.equal(config.audience, 'https://gw.example');
    });
  }

  it('takes --audience and repeated --header', () => {
    const config = parseBridgeArgs([
      '--url',
      'http://127.0.0.1:8700/mcp',
      '--audience',
      'custom-aud',
      '--header',
      'X-A=1',
      '--header',
      'X-B=2',
    ]);
    assert.ok(config !== 'help');
    assert.equal(config.audience, 'custom-aud');
    assert.equal(config.tokens.audience, 'custom-aud');
    assert.deepEqual(config.headers, [
      ['x-a', '1'],
      ['x-b', '2'],
    ]);
  });

  it('serves stdio until stdin ends, answering the requests already sent first', async () => {
    const token = testToken({ sub: 'u', exp: Math.floor(Date.now() / 1000) + 3600 });
    const gateway = await startTestGateway((t) => t === token);
    try {
      const r = await run(
        ['--url', gateway.url, '--token-command', `printf %s ${token}`],
        [
          {
            jsonrpc: '2.0',
            id: 1,
            method: 'initialize',
            params: {
              protocolVersion: '2025-06-18',
              capabilities: {},
              clientInfo: { name: 't', version: '1' },
            },
          },
          { jsonrpc: '2.0', method: 'notifications/initialized' },
          {
            jsonrpc: '2.0',
            id: 2,
            method: 'tools/call',
            params: { name: 'echo', arguments: { text: 'hi' } },
          },
        ],
      );
      assert.equal(r.code, 0);
      assert.deepEqual(
        r
          .messages()
          .map((m) => m.id)
          .sort(),
        [1, 2],
      );
      const call = r.messages().find((m) => m.id === 2);
      assert.deepEqual(call?.result, {
        content: [{ type: 'text', text: 'hi' }],
        structuredContent: { echoed: 'hi' },
      });
      assert.match(
        r.err,
        /forwarding stdio to http:\/\/127\.0\.0\.1:\d+\/mcp \(tokens: token command "printf"/,
      );
      assert.match(r.err, /stopped\n$/);
      assert.ok(!r.err.includes(token));
    } finally {
      await gateway.close();
    }
  });
});
