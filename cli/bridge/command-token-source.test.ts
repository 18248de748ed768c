import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../shared/test-support/memory-ports.ts';
import { CommandTokenSource, splitCommand } from './command-token-source.ts';
import { BridgeError } from './errors.ts';
import { testToken } from './test-gateway.ts';
import { TokenCache } from './token-source.ts';

describe('bridge token command: splitting', () => {
  const ok = [
    { line: 'gcloud auth print-identity-token', argv: ['gcloud', 'auth', 'print-identity-token'] },
    { line: '  a   b\tc ', argv: ['a', 'b', 'c'] },
    { line: `sh -c 'echo $HOME | tr a b'`, argv: ['sh', '-c', 'echo $HOME | tr a b'] },
    { line: 'a "b c" d\\ e', argv: ['a', 'b c', 'd e'] },
    { line: 'a "q\\"uote \\\\ \\$x" ""', argv: ['a', 'q"uote \\ $x', ''] },
    { line: 'a "back\\slash"', argv: ['a', 'back\\slash'] },
    {
      line: 'npx warden token --email=ann@example.org',
      argv: ['npx', 'warden', 'token', '--email=ann@example.org'],
    },
  ];
  for (const c of ok)
    it(`splits ${JSON.stringify(c.line)} into argv`, () => assert.deepEqual(splitCommand(c.line), c.argv));

  const bad = [
    { line: 'cat token | tr -d x', want: /contains "\|".*without a shell/ },
    { line: 'echo $(id)', want: /contains "\$"/ },
    { line: 'echo "$HOME"', want: /contains "\$"/ },
    { line: 'a; rm -rf /', want: /contains ";"/ },
    { line: 'a > out', want: /contains ">"/ },
    { line: 'echo `id`', want: /contains "`"/ },
    { line: "a 'open", want: /unterminated ' quote/ },
    { line: 'a \\', want: /lone backslash/ },
    { line: '   ', want: /empty/ },
  ];
  for (const c of bad)
    it(`refuses ${JSON.stringify(c.line)}`, () => assert.throws(() => splitCommand(c.line), c.want));
});

describe('bridge token command: minting', () => {
  const jwt = testToken({ sub: 'u', exp: 2_000_000_000 });

  it('uses the trimmed standard output as the token', async () => {
    assert.equal(await new CommandTokenSource(`printf '  %s\\n\\n' ${jwt}`).mint(), jwt);
  });

  const failures = [
    {
      name: 'a non-zero exit, with its stderr',
      command: `sh -c 'echo "ERROR: no credentials" >&2; exit 3'`,
      want: /could not obtain an ID token: the token command "sh" exited with status 3: ERROR: no credentials$/,
    },
    { name: 'empty output', command: 'true', want: /printed nothing on standard output/ },
    {
      name: 'output that is not a token',
      command: `printf 'two words'`,
      want: /printed something that is not a token .*9 characters/,
    },
    { name: 'a missing program', command: 'warden-no-such-program-xyz', want: /could not run .*ENOENT/ },
    { name: 'a command that hangs', command: 'sleep 5', timeoutMs: 200, want: /did not finish within 0.2 s/ },
    {
      name: 'stderr carrying a token (redacted)',
      command: `sh -c 'echo "bad ${jwt}" >&2; exit 1'`,
      want: /exited with status 1: bad \[redacted\]$/,
    },
  ];
  for (const c of failures) {
    it(`rejects ${c.name} with a clear BridgeError`, async () => {
      const source = new CommandTokenSource(c.command, c.timeoutMs ? { timeoutMs: c.timeoutMs } : {});
      const err = await source.mint().then(
        () => assert.fail('mint resolved'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof BridgeError);
      assert.equal(err.code, -32001);
      assert.match(err.message, c.want);
      assert.ok(!err.message.includes(jwt));
    });
  }

  it('runs the command again when the cached token is within 60 s of expiry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warden-bridge-'));
    const runs = join(dir, 'runs');
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, testToken({ sub: 'u', exp: 1000 }));
    const clock = new ManualClock(900_000);
    const cache = new TokenCache(
      new CommandTokenSource(`sh -c 'echo run >> "$0"; cat "$1"' ${runs} ${tokenFile}`),
      { now: clock.millis },
    );
    await cache.get();
    await cache.get();
    assert.equal(readFileSync(runs, 'utf8'), 'run\n');
    clock.advance(41_000); // at 941 s: 59 s before exp
    await cache.get();
    assert.equal(readFileSync(runs, 'utf8'), 'run\nrun\n');
  });

  it('names only the program in its description (arguments may be secret)', () => {
    assert.equal(
      new CommandTokenSource('/usr/bin/gcloud auth print-identity-token --x=secret').description,
      'token command "gcloud"',
    );
  });
});
