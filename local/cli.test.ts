import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { main } from './cli.ts';

/** Runs the CLI capturing stdout and stderr. */
async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  try {
    const code = await main(args);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

describe('warden CLI', () => {
  it('rejects an unknown command with usage and exit code 2', async () => {
    const r = await run(['frobnicate']);
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown command "frobnicate"[\s\S]*Usage: warden/);
  });

  it('prints a token for the given email and groups from the local issuer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warden-cli-'));
    writeFileSync(
      join(dir, 'stack.json'),
      JSON.stringify({ issuer: 'http://127.0.0.1:8702', audience: 'http://127.0.0.1:8700' }),
    );
    const r = await run([
      'token',
      '--email',
      'Ann@Example.org',
      '--groups',
      'clinicians, analysts',
      '--state-dir',
      dir,
    ]);
    assert.equal(r.code, 0);
    const claims = decodeJwt(r.out.trim());
    assert.equal(claims.iss, 'http://127.0.0.1:8702');
    assert.equal(claims.aud, 'http://127.0.0.1:8700');
    assert.equal(claims['email'], 'ann@example.org');
    assert.deepEqual(claims['groups'], ['clinicians', 'analysts']);
    assert.equal(decodeProtectedHeader(r.out.trim()).alg, 'ES256');
  });

  const bad = [
    { name: 'a token without --email', args: ['token'], want: /--email is required/ },
    {
      name: 'a token for a stack that never started',
      args: ['token', '--email', 'a@b.c', '--state-dir', '/nonexistent/warden'],
      want: /run "npm start" first/,
    },
    { name: 'a start with a bad port base', args: ['start', '--port-base', '80'], want: /--port-base/ },
  ];
  for (const c of bad) {
    it(`refuses ${c.name} with a clear message`, async () => {
      const r = await run(c.args);
      assert.equal(r.code, 1);
      assert.match(r.err, c.want);
    });
  }

  it('runs policy cases, printing each decision, and exits 1 on a mismatch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warden-policy-'));
    writeFileSync(
      join(dir, 'p.yaml'),
      'version: 1\nrules:\n  - id: all\n    effect: allow\n    when: { groups: [a] }\n',
    );
    const cases = (effect: string) =>
      `cases:\n  - name: member\n    principal: { email: x@y.z, groups: [a] }\n    tool: list_dataset_ids\n    expect: { effect: ${effect} }\n`;
    writeFileSync(join(dir, 'ok.yaml'), cases('allow'));
    writeFileSync(join(dir, 'bad.yaml'), cases('deny'));
    const ok = await run(['policy', 'test', join(dir, 'p.yaml'), join(dir, 'ok.yaml')]);
    assert.equal(ok.code, 0);
    assert.match(ok.out, /PASS {2}member: allow \(all\)[\s\S]*1 passed, 0 failed/);
    const bad = await run(['policy', 'test', join(dir, 'p.yaml'), join(dir, 'bad.yaml')]);
    assert.equal(bad.code, 1);
    assert.match(bad.out, /FAIL {2}member: expected deny, got allow \(all\)/);
  });

  it('refuses a broken policy with the field path and line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warden-policy-'));
    writeFileSync(join(dir, 'p.yaml'), 'version: 1\nrules:\n  - id: x\n    effect: perhaps\n');
    writeFileSync(join(dir, 'c.yaml'), 'cases: []\n');
    const r = await run(['policy', 'test', join(dir, 'p.yaml'), join(dir, 'c.yaml')]);
    assert.equal(r.code, 1);
    assert.match(r.err, /rules\.0\.effect \(line 4\)/);
  });
});
