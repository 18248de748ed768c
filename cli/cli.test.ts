// The `warden` command as a person runs it: its output, its errors (one line, exit code, what and where) and
// the banner `warden start` prints.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { REPO_ROOT, type StackInfo } from '../dev/stack.ts';
import { createKmsClient } from '../shared/adapters/kms/client.ts';
import { KmsKeyService } from '../shared/adapters/kms/key-service.ts';
import { openCredential } from '../shared/core/credential/sealed-credential.ts';
import { loadPolicy } from '../shared/core/policy/policy.ts';
import { startKmsStandIn } from '../standins/kms/server.ts';
import { loadIssuerKey } from '../standins/oidc/dev-issuer.ts';
import { parseBridgeArgs } from './bridge/bridge.ts';
import { main, parseInvocation, startBanner } from './cli.ts';
import { UsageError } from './cli-errors.ts';

/** Runs the CLI capturing stdout and stderr (console and direct writes, as `warden bridge` makes). */
async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  const write = process.stderr.write;
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  process.stderr.write = ((chunk: string | Uint8Array) => {
    err.push(String(chunk).replace(/\n$/, ''));
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
    process.stderr.write = write;
  }
}

const KEY = 'projects/p/locations/l/keyRings/r/cryptoKeys/k';

describe('warden CLI', () => {
  it('rejects an unknown command in one line naming the commands, exit code 2', async () => {
    const r = await run(['frobnicate']);
    assert.equal(r.code, 2);
    assert.equal(
      r.err,
      'warden: unknown command "frobnicate" (start, token, bridge, approvals, audit, credential, policy, help; "warden help" shows the usage)',
    );
  });

  it('prints a token for the given email and groups, signed with the local issuer key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warden-cli-'));
    writeFileSync(
      join(dir, 'stack.json'),
      JSON.stringify({
        gatewayUrl: 'http://127.0.0.1:8700',
        issuer: 'http://127.0.0.1:8702',
        audience: 'http://127.0.0.1:8700',
      }),
    );
    const key = await loadIssuerKey(dir);
    const r = await run([
      'token',
      '--email',
      'Ann@Example.org',
      '--groups',
      'clinicians, analysts',
      '--state-dir',
      dir,
    ]);
    assert.equal(r.code, 0, r.err);
    const claims = decodeJwt(r.out.trim());
    assert.equal(claims.iss, 'http://127.0.0.1:8702');
    assert.equal(claims.aud, 'http://127.0.0.1:8700');
    assert.equal(claims['email'], 'ann@example.org');
    assert.deepEqual(claims['groups'], ['clinicians', 'analysts']);
    assert.equal(decodeProtectedHeader(r.out.trim()).alg, 'ES256');
    await jwtVerify(r.out.trim(), await importJWK(key.publicJwk, 'ES256'));
  });

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

  it('prints one command’s usage for --help and for help COMMAND', async () => {
    for (const args of [
      ['audit', '--help'],
      ['help', 'audit'],
    ]) {
      const r = await run(args);
      assert.equal(r.code, 0);
      assert.match(r.out, /^Usage: warden audit verify/);
      assert.match(r.out, /--state-dir DIR/);
    }
  });
});

describe('warden commands against the local stack in --state-dir', () => {
  const stack = (dir: string, endpoints: Partial<StackInfo['endpoints']> = {}) =>
    writeFileSync(
      join(dir, 'stack.json'),
      JSON.stringify({
        gatewayUrl: 'http://127.0.0.1:8711',
        mcpUrl: 'http://127.0.0.1:8711/mcp',
        issuer: 'http://127.0.0.1:8712',
        audience: 'http://127.0.0.1:8711',
        endpoints,
      }),
    );

  it('credential seal uses the KMS stand-in of the stack in --state-dir', async function () {
    this.timeout(20_000);
    const dir = mkdtempSync(join(tmpdir(), 'warden-seal-'));
    const kms = await startKmsStandIn({
      stateDir: join(dir, 'kms'),
      keys: [{ name: KEY, purpose: 'ENCRYPT_DECRYPT' }],
    });
    try {
      stack(dir, { kms: kms.endpoint });
      const plain = JSON.stringify({
        type: 'service_account',
        client_email: 'a@b.c',
        private_key: '-----BEGIN PRIVATE KEY-----',
      });
      writeFileSync(join(dir, 'sa.json'), plain);
      const r = await run([
        'credential',
        'seal',
        '--key',
        KEY,
        '--in',
        join(dir, 'sa.json'),
        '--out',
        join(dir, 'sa.json.enc'),
        '--state-dir',
        dir,
      ]);
      assert.equal(r.code, 0, r.err);
      // The stand-in in that stack opens it: it was sealed there, not with Cloud KMS.
      const client = await createKmsClient(kms.endpoint);
      const opened = await openCredential(
        new KmsKeyService(client),
        KEY,
        readFileSync(join(dir, 'sa.json.enc')),
      ).finally(() => client.close());
      assert.equal(opened.client_email, 'a@b.c');
      assert.equal(r.out, `sealed ${join(dir, 'sa.json')} with ${KEY} → ${join(dir, 'sa.json.enc')}`);
    } finally {
      await kms.close();
    }
  });

  it('bridge --state-dir forwards to that stack’s MCP endpoint', () => {
    const dir = mkdtempSync(join(tmpdir(), 'warden-bridge-'));
    stack(dir);
    const config = parseBridgeArgs(['--state-dir', dir, '--token-command', 'true']);
    assert.ok(config !== 'help');
    assert.equal(config.url.href, 'http://127.0.0.1:8711/mcp');
    assert.equal(config.audience, 'http://127.0.0.1:8711');
  });
});

describe('parseInvocation: a command line parsed as its command parses it, nothing run', () => {
  it('returns the options and the action', () => {
    const p = parseInvocation(['audit', 'verify', '--state-dir', '/x', '--from', '2026-01-01']);
    assert.equal(p.command, 'audit');
    assert.deepEqual(p.positionals, ['verify']);
    assert.equal(p.values['state-dir'], '/x');
  });

  const refused: { args: string[]; want: RegExp }[] = [
    {
      args: ['audit', 'verify', '--table-name', 't'],
      want: /^unknown option --table-name; warden audit takes/,
    },
    {
      args: ['audit', 'explode'],
      want: /^unknown action "explode" \(verify, reconcile, search, report[^)]*\)$/,
    },
    {
      args: ['approvals', '--state-dir', 'x'],
      want: /^what to do\? \(list, show, approve, deny, cancel, break-glass, review-break-glass\)$/,
    },
    { args: ['token', '--email'], want: /^--email needs a value/ },
    { args: ['credential', 'seal', '--help=yes'], want: /^--help takes no value$/ },
    { args: ['policy', 'check'], want: /^unknown action "check" \(test\)$/ },
    { args: ['frobnicate'], want: /^unknown command "frobnicate"/ },
  ];
  for (const c of refused)
    it(`refuses warden ${c.args.join(' ')}`, () =>
      assert.throws(
        () => parseInvocation(c.args),
        (e) => e instanceof UsageError && c.want.test(e.message),
      ));

  it('lets --help through without an action', () => {
    assert.equal(parseInvocation(['approvals', '--help']).values['help'], true);
  });
});

describe('warden start banner', () => {
  const policy = loadPolicy(readFileSync(join(REPO_ROOT, 'dev', 'policy.yaml'), 'utf8'));
  const info = (stateDir: string) =>
    ({ mcpUrl: 'http://127.0.0.1:8700/mcp', gatewayUrl: 'http://127.0.0.1:8700', stateDir }) as StackInfo;

  it('shows the commands without --state-dir for the default state dir, with the policy’s groups', () => {
    const banner = startBanner({
      info: info(join(REPO_ROOT, '.warden')),
      policy,
      policyPath: 'dev/policy.yaml',
      seconds: 1,
    });
    assert.ok(!banner.includes('--state-dir'));
    assert.match(banner, /npx warden token --email ann@example\.org --groups analysts\n/);
    assert.match(
      banner,
      /groups in dev\/policy\.yaml: analysts, clinicians, er-physicians, research-analysts\)/,
    );
    assert.match(
      banner,
      /npx warden approvals list --token "\$\(npx warden token --email priya@example\.org --groups privacy-office\)"/,
    );
    assert.match(banner, /approver groups: privacy-office;/);
    assert.match(
      banner,
      /npx warden bridge --url http:\/\/127\.0\.0\.1:8700\/mcp --token-command "npx warden token --email ann@example\.org --groups analysts"\n/,
    );
  });

  it('puts the state dir in use into every command, quoted for the shell', () => {
    const banner = startBanner({ info: info('/tmp/my stack'), policy, policyPath: 'p.yaml', seconds: 1 });
    assert.match(banner, /npx warden token --state-dir '\/tmp\/my stack' --email ann@example\.org/);
    assert.match(
      banner,
      /npx warden approvals list --state-dir '\/tmp\/my stack' --token "\$\(npx warden token --state-dir '\/tmp\/my stack' --email priya/,
    );
    assert.match(banner, /npx warden audit verify --state-dir '\/tmp\/my stack'\n/);
    assert.match(
      banner,
      /npx warden bridge --state-dir '\/tmp\/my stack' --token-command "npx warden token --state-dir '\/tmp\/my stack' --email ann@example\.org --groups analysts"\n/,
    );
  });

  it('names the groups of the policy in use, and no approvals line when it has no approvers', () => {
    const own = loadPolicy(
      'version: 1\nrules:\n  - id: a\n    effect: allow\n    when: { groups: [nurses, pharmacists] }\n  - id: d\n    effect: deny\n    when: { groups: [interns] }\n',
    );
    const banner = startBanner({ info: info('/srv/w'), policy: own, policyPath: 'own.yaml', seconds: 1 });
    assert.match(banner, /--groups nurses\n\s+\(groups in own\.yaml: nurses, pharmacists\)/);
    assert.ok(!banner.includes('approvals'));
  });
});
