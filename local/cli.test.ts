// The `warden` command as a person runs it: its output, its errors (one line, exit code, what and where) and
// the banner `warden start` prints.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { loadPolicy } from '../shared/core/policy/policy.ts';
import { main, startBanner } from './cli.ts';
import { freePort } from './net.ts';
import { loadIssuerKey } from './oidc/dev-issuer.ts';
import { REPO_ROOT, type StackInfo } from './stack.ts';
import { type StorageStandIn, startStorageStandIn } from './storage/server.ts';

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
const DAMAGED = 'v1/streams/2026/01/01/00/gateway-s1/000000000001.jsonl';

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

describe('warden CLI errors: one line naming what and where, never a stack trace', function () {
  this.timeout(20_000);
  const dir = mkdtempSync(join(tmpdir(), 'warden-cli-errors-'));
  const none = join(dir, 'no-stack');
  const stale = join(dir, 'stale');
  const corrupt = join(dir, 'corrupt');
  const keyless = join(dir, 'keyless');
  let storage: StorageStandIn;
  let dead: number;

  before(async () => {
    dead = await freePort();
    const storageDir = join(dir, 'storage');
    storage = await startStorageStandIn({
      stateDir: storageDir,
      buckets: [{ name: 'audit-damaged' }, { name: 'audit-empty' }],
    });
    const client = new Storage({ apiEndpoint: storage.url, projectId: 'warden-test' });
    await client.bucket('audit-damaged').file(DAMAGED).save('{"v":1}\n', { resumable: false });
    // Damage the stored bytes behind the stand-in's back: their CRC32C no longer matches the object's.
    const objects = join(storageDir, 'buckets', 'audit-damaged', 'objects');
    for (const f of readdirSync(objects))
      if (f.endsWith('.bin')) writeFileSync(join(objects, f), '{"v":2}\n');

    // stack.json outlives the stack: this one names ports nothing listens on.
    const deadUrl = `http://127.0.0.1:${dead}`;
    for (const d of [stale, corrupt, keyless]) mkdirSync(d, { recursive: true });
    const info = {
      projectId: 'demo-warden',
      gatewayUrl: deadUrl,
      mcpUrl: `${deadUrl}/mcp`,
      issuer: deadUrl,
      audience: deadUrl,
      stateDir: stale,
      auditBucket: 'warden-audit',
      auditKeyVersion: `${KEY}/cryptoKeyVersions/1`,
      endpoints: { kms: `127.0.0.1:${dead}`, storage: deadUrl, bigquery: deadUrl },
    };
    writeFileSync(join(stale, 'stack.json'), JSON.stringify(info));
    writeFileSync(join(keyless, 'stack.json'), JSON.stringify(info));
    writeFileSync(join(corrupt, 'stack.json'), '{"gatewayUrl": ');
    writeFileSync(join(dir, 'not-a-key.pem'), 'hello');
    writeFileSync(
      join(dir, 'audit.pem'),
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }),
    );
    writeFileSync(
      join(dir, 'broken.yaml'),
      'version: 1\nrules:\n  - id: x\n    effect: perhaps\n  - id: y\n    effect: maybe\n',
    );
    writeFileSync(
      join(dir, 'sa.json'),
      JSON.stringify({
        type: 'service_account',
        client_email: 'a@b',
        private_key: '-----BEGIN PRIVATE KEY-----',
      }),
    );
  });

  after(() => storage.close());

  const damaged = () => ['--bucket', 'audit-damaged', '--storage-endpoint', storage.url];
  const empty = () => ['--bucket', 'audit-empty', '--storage-endpoint', storage.url];
  const cases: { name: string; args: () => string[]; code: number; want: () => RegExp }[] = [
    {
      name: 'approvals with --state-dir and no stack there',
      args: () => ['approvals', 'list', '--state-dir', none, '--token', 't'],
      code: 1,
      want: () => new RegExp(`^warden approvals: no --url given and no local stack in ${none} `),
    },
    {
      name: 'approvals against a stopped local stack',
      args: () => ['approvals', '--state-dir', stale, 'list', '--token', 't'],
      code: 1,
      want: () =>
        new RegExp(
          `^warden approvals: the local stack in ${stale} does not answer at http://127\\.0\\.0\\.1:${dead} \\(fetch failed: .*ECONNREFUSED.*\\): is it running\\?`,
        ),
    },
    {
      name: 'approvals with an unknown option',
      args: () => ['approvals', 'list', '--bogus'],
      code: 2,
      want: () => /^warden approvals: unknown option --bogus; warden approvals takes --url, .*--state-dir/,
    },
    {
      name: 'approvals with a --url that is not one',
      args: () => ['approvals', 'list', '--url', 'gateway', '--token', 't'],
      code: 1,
      want: () => /^warden approvals: --url "gateway" is not an http\(s\) URL$/,
    },
    {
      name: 'audit verify with --state-dir and no stack there',
      args: () => ['audit', 'verify', '--state-dir', none],
      code: 1,
      want: () => new RegExp(`^warden audit: no --bucket given and no local stack in ${none} `),
    },
    {
      name: 'audit verify against a stopped local stack',
      args: () => ['audit', 'verify', '--state-dir', stale],
      code: 1,
      want: () =>
        new RegExp(
          `^warden audit: the local stack in ${stale} is not running: nothing answers at http://127\\.0\\.0\\.1:${dead}, its Cloud Storage stand-in`,
        ),
    },
    {
      name: 'audit verify on a damaged object',
      args: () => ['audit', 'verify', ...damaged(), '--public-key', join(dir, 'audit.pem')],
      code: 1,
      want: () =>
        new RegExp(
          `^warden audit: Audit object gs://audit-damaged/${DAMAGED}: the bytes read do not match its stored CRC32C`,
        ),
    },
    {
      name: 'audit verify with a missing --public-key file',
      args: () => ['audit', 'verify', ...empty(), '--public-key', join(dir, 'nope.pem')],
      code: 1,
      want: () =>
        new RegExp(`^warden audit: cannot read --public-key ${join(dir, 'nope.pem')}: no such file$`),
    },
    {
      name: 'audit verify with a --public-key that is not a key',
      args: () => ['audit', 'verify', ...empty(), '--public-key', join(dir, 'not-a-key.pem')],
      code: 1,
      want: () => /^warden audit: --public-key \S+not-a-key\.pem is not a PEM public key$/,
    },
    {
      name: 'audit verify with an unreachable --kms-endpoint',
      args: () => [
        'audit',
        'verify',
        ...empty(),
        '--kms-key-version',
        `${KEY}/cryptoKeyVersions/1`,
        '--kms-endpoint',
        `127.0.0.1:${dead}`,
      ],
      code: 1,
      want: () =>
        new RegExp(`^warden audit: nothing answers at 127\\.0\\.0\\.1:${dead} \\(--kms-endpoint\\)$`),
    },
    {
      name: 'audit search in a bucket that does not exist',
      args: () => ['audit', 'search', '--bucket', 'no-such-bucket', '--storage-endpoint', storage.url],
      code: 1,
      want: () =>
        /^warden audit: Cloud Storage list of gs:\/\/no-such-bucket\/v1\/streams\/ failed: The specified bucket does not exist\.$/,
    },
    {
      name: 'audit search in a BigQuery table that is not project.dataset.table',
      args: () => ['audit', 'search', '--bigquery-table', 'records'],
      code: 2,
      want: () => /^warden audit: --bigquery-table "records": The audit table is project\.dataset\.table\./,
    },
    {
      name: 'audit search with an unreachable --bigquery-endpoint',
      args: () => [
        'audit',
        'search',
        '--bigquery-table',
        'p.d.t',
        '--bigquery-endpoint',
        `http://127.0.0.1:${dead}`,
      ],
      code: 1,
      want: () =>
        new RegExp(
          `^warden audit: nothing answers at http://127\\.0\\.0\\.1:${dead} \\(--bigquery-endpoint\\)$`,
        ),
    },
    {
      name: 'audit report into a directory that does not exist',
      args: () => [
        'audit',
        'report',
        ...empty(),
        '--public-key',
        join(dir, 'audit.pem'),
        '--from',
        '2026-01-01',
        '--to',
        '2026-01-02',
        '--out',
        join(dir, 'nodir', 'r.html'),
      ],
      code: 1,
      want: () => /^warden audit: cannot write --out \S+nodir\/r\.html: its directory does not exist$/,
    },
    {
      name: 'audit with an unknown action',
      args: () => ['audit', 'explode'],
      code: 2,
      want: () =>
        /^warden audit: unknown action "explode" \(verify, reconcile, search, report\) \(warden audit --help/,
    },
    {
      name: 'audit with a time that is not one',
      args: () => ['audit', 'verify', '--from', 'yesterday'],
      code: 2,
      want: () => /^warden audit: --from "yesterday" is not an RFC 3339 time/,
    },
    {
      name: 'credential seal of a missing --in file',
      args: () => [
        'credential',
        'seal',
        '--key',
        KEY,
        '--in',
        join(dir, 'nope.json'),
        '--out',
        join(dir, 'o'),
      ],
      code: 1,
      want: () => /^warden credential: cannot read --in \S+nope\.json: no such file$/,
    },
    {
      name: 'credential seal with an unreachable --kms-endpoint',
      args: () => [
        'credential',
        'seal',
        '--key',
        KEY,
        '--in',
        join(dir, 'sa.json'),
        '--out',
        join(dir, 'o'),
        '--kms-endpoint',
        `127.0.0.1:${dead}`,
      ],
      code: 1,
      want: () =>
        new RegExp(`^warden credential: nothing answers at 127\\.0\\.0\\.1:${dead} \\(--kms-endpoint\\)$`),
    },
    {
      name: 'credential seal with an unknown option',
      args: () => ['credential', 'seal', '--kye', KEY],
      code: 2,
      want: () => /^warden credential: unknown option --kye; warden credential takes --key, --in, --out/,
    },
    {
      name: 'start with an unknown option',
      args: () => ['start', '--bogus'],
      code: 2,
      want: () => /^warden start: unknown option --bogus; warden start takes --patients, .*--state-dir/,
    },
    {
      name: 'start with an option missing its value',
      args: () => ['start', '--patients'],
      code: 2,
      want: () => /^warden start: --patients needs a value/,
    },
    {
      name: 'start with a bad port base',
      args: () => ['start', '--port-base', '80'],
      code: 1,
      want: () => /^warden start: --port-base must be an integer between 1024 and 65525$/,
    },
    {
      name: 'start with a missing --policy file, before anything starts',
      args: () => ['start', '--policy', join(dir, 'nope.yaml'), '--state-dir', none],
      code: 1,
      want: () => /^warden start: cannot read --policy \S+nope\.yaml: no such file$/,
    },
    {
      name: 'start with a broken policy, naming every field and line',
      args: () => ['start', '--policy', join(dir, 'broken.yaml'), '--state-dir', none],
      code: 1,
      want: () =>
        /^warden start: \S*broken\.yaml is not valid: rules\.0\.effect \(line 4\): .*; rules\.1\.effect \(line 6\): /,
    },
    {
      name: 'token without --email',
      args: () => ['token'],
      code: 1,
      want: () => /^warden token: --email is required/,
    },
    {
      name: 'token for a stack that never started',
      args: () => ['token', '--email', 'a@b.c', '--state-dir', none],
      code: 1,
      want: () => new RegExp(`^warden token: no local stack found in ${none}: run "npm start" first$`),
    },
    {
      name: 'token with a stack.json that is not one',
      args: () => ['token', '--email', 'a@b.c', '--state-dir', corrupt],
      code: 1,
      want: () => new RegExp(`^warden token: ${corrupt}/stack\\.json is not a local stack's description`),
    },
    {
      name: 'token for a stack whose issuer never made its key (none is made up)',
      args: () => ['token', '--email', 'a@b.c', '--state-dir', keyless],
      code: 1,
      want: () => new RegExp(`^warden token: ${keyless}/oidc-key\\.json is missing`),
    },
    {
      name: 'token with a stray argument',
      args: () => ['token', 'ann@example.org'],
      code: 2,
      want: () => /^warden token: unexpected argument "ann@example\.org"/,
    },
    {
      name: 'policy test with a missing file',
      args: () => ['policy', 'test', join(dir, 'nope.yaml'), join(dir, 'c.yaml')],
      code: 1,
      want: () => /^warden policy: cannot read the policy \S+nope\.yaml: no such file$/,
    },
    {
      name: 'bridge with an unknown option',
      args: () => ['bridge', '--bogus'],
      code: 2,
      want: () => /^warden bridge: unknown option --bogus; warden bridge takes --url/,
    },
    {
      name: 'help for a command that does not exist',
      args: () => ['help', 'nope'],
      code: 2,
      want: () => /^warden help: no command "nope"/,
    },
  ];
  for (const c of cases) {
    it(`refuses ${c.name} (exit ${c.code})`, async () => {
      const r = await run(c.args());
      assert.equal(r.code, c.code, r.err);
      assert.equal(r.err.split('\n').length, 1, `one line:\n${r.err}`);
      assert.match(r.err, c.want());
      assert.doesNotMatch(r.err, /\n\s+at |\(file:\/\/|node:internal/);
    });
  }

  it('credential seal without Google credentials: one line naming the key and why, nothing after it', function () {
    this.timeout(30_000);
    // As a person runs it (bin/warden.js), with credentials that cannot load: nothing leaves the machine.
    const r = spawnSync(
      process.execPath,
      [
        join(REPO_ROOT, 'bin', 'warden.js'),
        'credential',
        'seal',
        '--key',
        KEY,
        '--in',
        join(dir, 'sa.json'),
        '--out',
        join(dir, 'o'),
      ],
      {
        encoding: 'utf8',
        env: {
          PATH: process.env['PATH'] ?? '',
          HOME: dir,
          GOOGLE_APPLICATION_CREDENTIALS: join(dir, 'no-credentials.json'),
          METADATA_SERVER_DETECTION: 'none',
        },
        timeout: 25_000,
      },
    );
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(
      lines[0]!,
      new RegExp(
        `^warden credential: could not seal \\S+sa\\.json: Cloud KMS Encrypt with ${KEY} failed: .*no-credentials\\.json`,
      ),
    );
  });
});

describe('warden start banner', () => {
  const policy = loadPolicy(readFileSync(join(REPO_ROOT, 'local', 'policy.yaml'), 'utf8'));
  const info = (stateDir: string) =>
    ({ mcpUrl: 'http://127.0.0.1:8700/mcp', gatewayUrl: 'http://127.0.0.1:8700', stateDir }) as StackInfo;

  it('shows the commands without --state-dir for the default state dir, with the policy’s groups', () => {
    const banner = startBanner({
      info: info(join(REPO_ROOT, '.warden')),
      policy,
      policyPath: 'local/policy.yaml',
      seconds: 1,
    });
    assert.ok(!banner.includes('--state-dir'));
    assert.match(banner, /npx warden token --email ann@example\.org --groups analysts\n/);
    assert.match(
      banner,
      /groups in local\/policy\.yaml: analysts, clinicians, er-physicians, research-analysts\)/,
    );
    assert.match(
      banner,
      /npx warden approvals list --token "\$\(npx warden token --email priya@example\.org --groups privacy-office\)"/,
    );
    assert.match(banner, /approver groups: privacy-office;/);
  });

  it('puts the state dir in use into every command, quoted for the shell', () => {
    const banner = startBanner({ info: info('/tmp/my stack'), policy, policyPath: 'p.yaml', seconds: 1 });
    assert.match(banner, /npx warden token --state-dir '\/tmp\/my stack' --email ann@example\.org/);
    assert.match(
      banner,
      /npx warden approvals list --state-dir '\/tmp\/my stack' --token "\$\(npx warden token --state-dir '\/tmp\/my stack' --email priya/,
    );
    assert.match(banner, /npx warden audit verify --state-dir '\/tmp\/my stack'\n/);
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
