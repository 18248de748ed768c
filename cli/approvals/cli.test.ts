// The approvals CLI's token sources: --token-command is split and run as `warden bridge` runs it (no shell,
// quotes kept), and its failures are reported, not swallowed.

import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { approvalsCommand } from './cli.ts';

describe('warden approvals --token-command', () => {
  let server: Server;
  let url: string;
  const seen: (string | undefined)[] = [];

  before(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ requests: [] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => server.close());

  async function run(command: string): Promise<{ code: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const saved = process.env['WARDEN_TOKEN'];
    delete process.env['WARDEN_TOKEN'];
    try {
      const code = await approvalsCommand(
        ['list', '--url', url, '--token-command', command],
        '/nonexistent',
        {
          out: (l) => void out.push(l),
          err: (l) => void err.push(l),
        },
      );
      return { code, out, err };
    } finally {
      if (saved !== undefined) process.env['WARDEN_TOKEN'] = saved;
    }
  }

  it('runs the command with its quoted arguments intact and sends its output as the bearer token', async () => {
    const r = await run(`${process.execPath} -e "process.stdout.write('aaa.bbb.ccc')"`);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.deepEqual(r.out, ['no requests']);
    assert.equal(seen.at(-1), 'Bearer aaa.bbb.ccc');
  });

  it('says why when the command fails, and calls nothing', async () => {
    const before = seen.length;
    const r = await run(`${process.execPath} -e "console.error('not logged in'); process.exit(3)"`);
    assert.equal(r.code, 1);
    assert.match(
      r.err.join('\n'),
      /^warden approvals: --token-command could not obtain an ID token: .*exited with status 3: not logged in$/,
    );
    assert.equal(seen.length, before);
  });

  it('refuses shell syntax instead of passing it to the command', async () => {
    const r = await run('gcloud auth print-identity-token | cat');
    assert.equal(r.code, 1);
    assert.match(r.err.join('\n'), /shell syntax is refused/);
  });
});
