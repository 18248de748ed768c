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

describe('warden approvals break-glass | review-break-glass', () => {
  let server: Server;
  let url: string;
  const seen: { method?: string; url?: string; body: string }[] = [];
  let answer: { status: number; body: unknown } = { status: 200, body: {} };

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({
          ...(req.method ? { method: req.method } : {}),
          ...(req.url ? { url: req.url } : {}),
          body,
        });
        res.statusCode = answer.status;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => server.close());

  async function run(args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await approvalsCommand([...args, '--url', url, '--token', 't'], '/nonexistent', {
      out: (l) => void out.push(l),
      err: (l) => void err.push(l),
    });
    return { code, out, err };
  }

  const use = {
    requestId: 'bg-1',
    status: 'reviewed',
    at: '2026-12-07T10:00:00.000Z',
    rule: 'er-break-glass',
    user: { email: 'dana@example.org' },
    review: { reviewer: 'olga@example.org', outcome: 'appropriate', at: '2026-12-07T11:00:00.000Z' },
  };

  it('posts the outcome and the note to the use and prints the review on one line', async () => {
    answer = { status: 200, body: use };
    const r = await run([
      'review-break-glass',
      'bg-1',
      '--outcome',
      'appropriate',
      '--note',
      'ER log confirms',
    ]);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.deepEqual(seen.at(-1), {
      method: 'POST',
      url: '/approvals/break-glass/bg-1:review',
      body: JSON.stringify({ outcome: 'appropriate', note: 'ER log confirms' }),
    });
    assert.deepEqual(r.out, [
      'bg-1  reviewed  2026-12-07T10:00:00.000Z  dana@example.org  er-break-glass  appropriate by olga@example.org at 2026-12-07T11:00:00.000Z',
    ]);
  });

  it('lists pending uses by default, and the state asked for', async () => {
    answer = { status: 200, body: { uses: [{ ...use, status: 'pending', review: undefined }] } };
    const r = await run(['break-glass']);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.equal(seen.at(-1)?.url, '/approvals/break-glass');
    assert.deepEqual(r.out, ['bg-1  pending   2026-12-07T10:00:00.000Z  dana@example.org  er-break-glass']);
    await run(['break-glass', '--state', 'all', '--limit', '5']);
    assert.equal(seen.at(-1)?.url, '/approvals/break-glass?state=all&limit=5');
  });

  const mistakes = [
    { args: ['review-break-glass', 'bg-1'], want: /needs --outcome appropriate\|inappropriate/ },
    {
      args: ['review-break-glass', 'bg-1', '--outcome', 'ok'],
      want: /--outcome "ok" is not appropriate or inappropriate/,
    },
    {
      args: ['review-break-glass', '--outcome', 'appropriate'],
      want: /review-break-glass needs a request id/,
    },
    {
      args: ['review-break-glass', 'bg-1', '--outcome', 'appropriate', '--note', ' '],
      want: /--note is empty/,
    },
    { args: ['approve', 'x', '--note', 'n'], want: /--note is for review-break-glass/ },
    { args: ['break-glass', '--state', 'open'], want: /--state "open" is not pending, reviewed or all/ },
  ];
  for (const c of mistakes)
    it(`refuses "${c.args.join(' ')}" before calling anything (exit 2, one line)`, async () => {
      const before = seen.length;
      const r = await run(c.args);
      assert.equal(r.code, 2);
      assert.equal(r.err.length, 1);
      assert.match(r.err[0]!, c.want);
      assert.equal(seen.length, before);
    });

  it("says in one line why the gateway refused, with the gateway's message", async () => {
    answer = {
      status: 403,
      body: { error: { kind: 'forbidden', message: 'You may not review your own break-glass use.' } },
    };
    const r = await run(['review-break-glass', 'bg-1', '--outcome', 'inappropriate']);
    assert.equal(r.code, 1);
    assert.deepEqual(r.err, [
      `warden approvals: You may not review your own break-glass use. (HTTP 403 from POST ${url}/approvals/break-glass/bg-1:review)`,
    ]);
  });

  it('names the new actions in --help', async () => {
    const r = await run(['--help']);
    assert.match(
      r.out.join('\n'),
      /review-break-glass ID --outcome appropriate\|inappropriate \[--note TEXT\]/,
    );
  });
});
