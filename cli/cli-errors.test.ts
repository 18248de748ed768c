// How CLI failures become one line: cause chains, option mistakes, exit codes; and every failure of every
// command, run as a process.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { REPO_ROOT } from '../dev/stack.ts';
import { WardenError } from '../shared/core/errors.ts';
import { freePort } from '../standins/net.ts';
import { type StorageStandIn, startStorageStandIn } from '../standins/storage/server.ts';
import {
  debugTrace,
  describeError,
  parseCommandArgs,
  quietWarnings,
  reportFailure,
  UsageError,
} from './cli-errors.ts';
import { spawnCli as runWarden } from './test-spawn.ts';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });

describe('describeError', () => {
  const cases: { name: string; err: unknown; want: string }[] = [
    {
      name: 'follows the cause chain, dropping the full stop of each part that has a cause',
      err: new WardenError('unavailable', 'Cloud KMS Encrypt with projects/p/…/k failed.', {
        cause: new Error('Could not load the default credentials.'),
      }),
      want: 'Cloud KMS Encrypt with projects/p/…/k failed: Could not load the default credentials.',
    },
    {
      name: 'names a system error code once',
      err: new TypeError('fetch failed', { cause: refused() }),
      want: 'fetch failed: connect ECONNREFUSED 127.0.0.1:9',
    },
    {
      name: 'adds a code the message does not name',
      err: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      want: 'socket hang up (ECONNRESET)',
    },
    {
      name: 'describes an AggregateError (a host with several addresses) by its errors',
      err: new TypeError('fetch failed', { cause: new AggregateError([refused(), refused()], '') }),
      want: 'fetch failed: connect ECONNREFUSED 127.0.0.1:9',
    },
    {
      name: 'skips a cause that says nothing new',
      err: new Error('Cloud Storage list failed: timeout', { cause: new Error('timeout') }),
      want: 'Cloud Storage list failed: timeout',
    },
    {
      name: 'folds a multi-line message (policy issues) onto one line',
      err: new WardenError(
        'invalid_argument',
        'p.yaml is not valid:\n  rules.0.effect (line 4): bad\n  rules.1.id: missing',
      ),
      want: 'p.yaml is not valid: rules.0.effect (line 4): bad; rules.1.id: missing',
    },
    { name: 'describes a thrown string', err: 'boom', want: 'boom' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(describeError(c.err), c.want));

  it('stops at a cycle and keeps every part short', () => {
    const a = new Error('a'.repeat(1000));
    (a as { cause?: unknown }).cause = a;
    const line = describeError(a);
    assert.ok(line.length <= 300 && !line.includes('\n'), line);
  });
});

describe('parseCommandArgs', () => {
  const options = { email: { type: 'string' }, help: { type: 'boolean' } } as const;
  const cases: { name: string; args: string[]; want: RegExp }[] = [
    {
      name: 'an unknown option, listing the ones the command takes',
      args: ['--emial', 'a@b'],
      want: /^unknown option --emial; warden x takes --email or --help$/,
    },
    { name: 'a missing value', args: ['--email'], want: /^--email needs a value/ },
    { name: 'a value given to a switch', args: ['--help=yes'], want: /^--help takes no value$/ },
  ];
  for (const c of cases)
    it(`refuses ${c.name} with a UsageError`, () =>
      assert.throws(
        () => parseCommandArgs('warden x', c.args, options),
        (e) => e instanceof UsageError && c.want.test(e.message),
      ));

  it('returns values and positionals', () => {
    const { values, positionals } = parseCommandArgs('warden x', ['list', '--email=a@b'], options);
    assert.equal(values.email, 'a@b');
    assert.deepEqual(positionals, ['list']);
  });
});

describe('reportFailure', () => {
  it('reports a usage error with a pointer to --help, exit 2; anything else in one line, exit 1', () => {
    const lines: string[] = [];
    assert.equal(
      reportFailure('warden audit', new UsageError('--format is jsonl or table'), (l) => lines.push(l)),
      2,
    );
    assert.equal(
      reportFailure('warden audit', new Error('fetch failed', { cause: refused() }), (l) => lines.push(l)),
      1,
    );
    assert.deepEqual(lines, [
      'warden audit: --format is jsonl or table (warden audit --help shows the usage)',
      'warden audit: fetch failed: connect ECONNREFUSED 127.0.0.1:9',
    ]);
  });
});

describe('debugTrace (WARDEN_DEBUG=1)', () => {
  it('prints the stacks of the error and its causes, and none of their fields (a request’s headers)', () => {
    const cause = Object.assign(new Error('Unauthorized'), {
      request: { headers: { Authorization: 'Bearer ya29.secret-token' } },
    });
    const trace = debugTrace(new Error('Cloud Storage read of gs://b/o failed', { cause }));
    assert.match(trace, /^Error: Cloud Storage read of gs:\/\/b\/o failed\n\s+at /);
    assert.match(trace, /\nCaused by: Error: Unauthorized\n\s+at /);
    assert.doesNotMatch(trace, /secret-token|Authorization/);
  });
});

describe('quietWarnings', () => {
  const debug = process.env['WARDEN_DEBUG'];
  beforeEach(() => delete process.env['WARDEN_DEBUG']);
  afterEach(() => {
    if (debug === undefined) delete process.env['WARDEN_DEBUG'];
    else process.env['WARDEN_DEBUG'] = debug;
  });
  const warning = (name: string, message: string) => Object.assign(new Error(message), { name });
  it('drops the client libraries’ warnings and puts any other on one line', () => {
    const proc = new EventEmitter();
    const printed: string[] = [];
    proc.on('warning', () => printed.push('default printer'));
    quietWarnings(proc, (l) => printed.push(l));
    proc.emit(
      'warning',
      warning('MetadataLookupWarning', 'received unexpected error = All promises were rejected'),
    );
    proc.emit('warning', warning('DeprecationWarning', 'Buffer() is deprecated\nUse Buffer.from()'));
    assert.deepEqual(printed, ['warden: DeprecationWarning: Buffer() is deprecated; Use Buffer.from()']);
  });

  it('prints every warning whole with WARDEN_DEBUG=1', () => {
    const proc = new EventEmitter();
    const printed: string[] = [];
    quietWarnings(proc, (l) => printed.push(l));
    process.env['WARDEN_DEBUG'] = '1';
    proc.emit('warning', warning('MetadataLookupWarning', 'no metadata server'));
    assert.equal(printed.length, 1);
    assert.match(printed[0]!, /MetadataLookupWarning: no metadata server\n\s+at /);
  });
});

// The CLI as a person meets it: `node cli/cli.ts …` in its own process (so a late rejection, a warning or a
// client library's own logging would show), with no Google credentials and nothing reachable but loopback.
// Every mistake and failure is one line on stderr naming what and where, with an exit code, and no stack frame.
describe('warden CLI errors, run as a process: one line naming what and where, never a stack trace', function () {
  this.timeout(120_000);
  const KEY = 'projects/p/locations/l/keyRings/r/cryptoKeys/k';
  const DAMAGED = 'v1/streams/2026/01/01/00/gateway-s1/000000000001.jsonl';
  const dir = mkdtempSync(join(tmpdir(), 'warden-cli-errors-'));
  const none = join(dir, 'no-stack');
  const stale = join(dir, 'stale');
  const corrupt = join(dir, 'corrupt');
  const keyless = join(dir, 'keyless');
  const env = {
    PATH: process.env['PATH'] ?? '',
    HOME: dir,
    // Credentials that cannot load, and no metadata server: nothing leaves the machine.
    GOOGLE_APPLICATION_CREDENTIALS: join(dir, 'no-credentials.json'),
    METADATA_SERVER_DETECTION: 'none',
  };
  let storage: StorageStandIn;
  let dead: number;
  const results = new Map<string, Promise<{ code: number | null; out: string; err: string }>>();

  /** Runs the CLI (or bin/warden.js) as a child process, in this test's environment. */
  const spawnCli = (args: string[], o: { bin?: boolean; env?: Record<string, string> } = {}) =>
    runWarden(args, { ...(o.bin ? { bin: true } : {}), env: { ...env, ...o.env } });

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
    writeFileSync(join(dir, 'cases.yaml'), 'cases: [unclosed\n');
    writeFileSync(
      join(dir, 'sa.json'),
      JSON.stringify({
        type: 'service_account',
        client_email: 'a@b',
        private_key: '-----BEGIN PRIVATE KEY-----',
      }),
    );

    // All cases start now, two at a time (each is a Node process, and the machine is shared); each test awaits its own.
    const lanes: Promise<unknown>[] = [Promise.resolve(), Promise.resolve()];
    cases.forEach((c, i) => {
      const lane = i % lanes.length;
      const p = lanes[lane]!.then(() => spawnCli(c.args(), c.bin ? { bin: true } : {}));
      lanes[lane] = p.catch(() => {});
      results.set(c.name, p);
    });
  });

  after(() => storage?.close());

  const damaged = () => ['--bucket', 'audit-damaged', '--storage-endpoint', storage.url];
  const empty = () => ['--bucket', 'audit-empty', '--storage-endpoint', storage.url];
  const seal = (...more: string[]) => [
    'credential',
    'seal',
    '--key',
    KEY,
    '--in',
    join(dir, 'sa.json'),
    '--out',
    join(dir, 'o'),
    ...more,
  ];
  const cases: {
    name: string;
    args: () => string[];
    code: number;
    want: () => RegExp;
    bin?: boolean;
  }[] = [
    // approvals
    {
      name: 'approvals --state-dir without its value',
      args: () => ['approvals', '--state-dir'],
      code: 2,
      want: () =>
        /^warden approvals: --state-dir needs a value .*\(warden approvals --help shows the usage\)$/,
    },
    {
      name: 'approvals --state-dir DIR without an action',
      args: () => ['approvals', '--state-dir', '/nonexistent'],
      code: 2,
      want: () =>
        /^warden approvals: what to do\? \(list, show, approve, deny, cancel, break-glass, review-break-glass\)/,
    },
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
      name: 'approvals with a --url nothing answers at',
      args: () => ['approvals', 'list', '--url', `http://127.0.0.1:${dead}`, '--token', 't'],
      code: 1,
      want: () =>
        new RegExp(
          `^warden approvals: could not reach http://127\\.0\\.0\\.1:${dead} \\(fetch failed: .*ECONNREFUSED`,
        ),
    },
    {
      name: 'approvals with an unknown option',
      args: () => ['approvals', 'list', '--bogus'],
      code: 2,
      want: () => /^warden approvals: unknown option --bogus; warden approvals takes --url, .*--state-dir/,
    },
    {
      name: 'approvals with an unknown action',
      args: () => ['approvals', 'accept', 'r1'],
      code: 2,
      want: () =>
        /^warden approvals: unknown action "accept" \(list, show, approve, deny, cancel, break-glass, review-break-glass\)/,
    },
    {
      name: 'approvals with a --url that is not one',
      args: () => ['approvals', 'list', '--url', 'gateway', '--token', 't'],
      code: 2,
      want: () => /^warden approvals: --url "gateway" is not an http\(s\) URL \(warden approvals --help/,
    },
    {
      name: 'approvals approve without the --binding reviewed',
      args: () => ['approvals', 'approve', 'r1', '--reason', 'ok', '--state-dir', stale],
      code: 2,
      want: () =>
        /^warden approvals: approve needs --binding: the bindingSha256 that "warden approvals show r1" prints \(warden approvals --help/,
    },
    {
      name: 'approvals with a --token-command that cannot run',
      args: () => ['approvals', 'list', '--state-dir', stale, '--token-command', join(dir, 'no-such-tool')],
      code: 1,
      want: () =>
        /^warden approvals: --token-command could not obtain an ID token: could not run the token command "no-such-tool": .*ENOENT/,
    },
    // audit
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
      name: 'audit verify on a damaged object, naming it',
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
      name: 'audit verify with an unreachable --storage-endpoint',
      args: () => ['audit', 'verify', '--bucket', 'b', '--storage-endpoint', `http://127.0.0.1:${dead}`],
      code: 1,
      want: () =>
        new RegExp(
          `^warden audit: nothing answers at http://127\\.0\\.0\\.1:${dead} \\(--storage-endpoint\\)$`,
        ),
    },
    {
      name: 'audit verify of a deployed trail without a key',
      args: () => ['audit', 'verify', ...empty()],
      code: 2,
      want: () => /^warden audit: pass --kms-key-version \(the audit signing key version\) or --public-key/,
    },
    {
      name: 'audit search in a bucket that does not exist',
      args: () => ['audit', 'search', '--bucket', 'no-such-bucket', '--storage-endpoint', storage.url],
      code: 1,
      want: () =>
        /^warden audit: Cloud Storage list of gs:\/\/no-such-bucket\/v1\/ failed: The specified bucket does not exist\.$/,
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
      name: 'audit search with a --limit that is not a number',
      args: () => ['audit', 'search', '--bigquery-table', 'p.d.t', '--limit', 'all'],
      code: 2,
      want: () => /^warden audit: --limit must be a positive integer/,
    },
    {
      name: 'audit search with an unknown --format',
      args: () => ['audit', 'search', '--format', 'csv', '--state-dir', none],
      code: 2,
      want: () => /^warden audit: --format is jsonl or table/,
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
      name: 'audit report without its range',
      args: () => ['audit', 'report', '--out', 'r.html'],
      code: 2,
      want: () => /^warden audit: report needs --from, --to and --out/,
    },
    {
      name: 'audit with an unknown action',
      args: () => ['audit', 'explode'],
      code: 2,
      want: () =>
        /^warden audit: unknown action "explode" \(verify, reconcile, search, report[^)]*\) \(warden audit --help/,
    },
    {
      name: 'audit with a time that is not one',
      args: () => ['audit', 'verify', '--from', 'yesterday'],
      code: 2,
      want: () => /^warden audit: --from "yesterday" is not an RFC 3339 time/,
    },
    {
      name: 'audit with a value given to --help, naming it by its long name',
      args: () => ['audit', 'verify', '--help=yes'],
      code: 2,
      want: () => /^warden audit: --help takes no value /,
    },
    {
      name: 'audit with an unknown option (the Terraform docs once said --table for --bigquery-table)',
      args: () => ['audit', 'search', '--bigquery', 'p.d.t'],
      code: 2,
      want: () => /^warden audit: unknown option --bigquery; warden audit takes .*--bigquery-table/,
    },
    // credential
    {
      name: 'credential seal without Google credentials, naming the key and why, via bin/warden.js',
      args: () => seal(),
      bin: true,
      code: 1,
      want: () =>
        new RegExp(
          `^warden credential: could not seal \\S+sa\\.json: Cloud KMS Encrypt with ${KEY} failed: .*no-credentials\\.json`,
        ),
    },
    {
      name: 'credential seal without Google credentials, run directly (no warning after the line)',
      args: () => seal(),
      code: 1,
      want: () =>
        new RegExp(
          `^warden credential: could not seal \\S+sa\\.json: Cloud KMS Encrypt with ${KEY} failed: `,
        ),
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
      name: 'credential seal with a --key that is not a key name',
      args: () => [
        'credential',
        'seal',
        '--key',
        'my-key',
        '--in',
        join(dir, 'sa.json'),
        '--out',
        join(dir, 'o'),
      ],
      code: 2,
      want: () => /^warden credential: --key must be a KMS crypto key name: projects\/P\//,
    },
    {
      name: 'credential seal with an unreachable --kms-endpoint',
      args: () => seal('--kms-endpoint', `127.0.0.1:${dead}`),
      code: 1,
      want: () =>
        new RegExp(`^warden credential: nothing answers at 127\\.0\\.0\\.1:${dead} \\(--kms-endpoint\\)$`),
    },
    {
      name: 'credential seal with --state-dir and no stack there',
      args: () => seal('--state-dir', none),
      code: 1,
      want: () =>
        new RegExp(
          `^warden credential: no local stack in ${none} \\(run "npm start", or pass --kms-endpoint\\)$`,
        ),
    },
    {
      name: 'credential seal with --state-dir of a stopped stack',
      args: () => seal('--state-dir', stale),
      code: 1,
      want: () =>
        new RegExp(
          `^warden credential: nothing answers at 127\\.0\\.0\\.1:${dead} \\(the KMS stand-in of the local stack in ${stale}: is it running\\?`,
        ),
    },
    {
      name: 'credential seal with an unknown option',
      args: () => ['credential', 'seal', '--kye', KEY],
      code: 2,
      want: () => /^warden credential: unknown option --kye; warden credential takes --key, --in, --out/,
    },
    {
      name: 'credential without an action',
      args: () => ['credential', '--key', KEY],
      code: 2,
      want: () => /^warden credential: what to do\? \(seal\)/,
    },
    // start
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
      args: () => ['start', '--port-base', '80', '--state-dir', none],
      code: 2,
      want: () =>
        /^warden start: --port-base must be an integer between 1024 and 65525 \(warden start --help/,
    },
    {
      // A recursive mkdir never returns under /proc (ENOENT, then EEXIST on the parent, forever).
      name: 'start with a --state-dir that cannot be created, at once',
      args: () => ['start', '--state-dir', '/proc/nope'],
      code: 1,
      want: () =>
        /^warden start: cannot create --state-dir \/proc\/nope: ENOENT: no such file or directory, mkdir '\/proc\/nope'$/,
    },
    {
      name: 'start with a --state-dir under a file',
      args: () => ['start', '--state-dir', join(dir, 'stale', 'stack.json', 'state')],
      code: 1,
      want: () => /^warden start: cannot create --state-dir \S+stack\.json\/state: ENOTDIR: not a directory/,
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
    // token
    {
      name: 'token without --email',
      args: () => ['token', '--state-dir', stale],
      code: 2,
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
    // policy
    {
      name: 'policy test with a missing file',
      args: () => ['policy', 'test', join(dir, 'nope.yaml'), join(dir, 'c.yaml')],
      code: 1,
      want: () => /^warden policy: cannot read the policy \S+nope\.yaml: no such file$/,
    },
    {
      name: 'policy test with cases that are not YAML, naming the file',
      args: () => ['policy', 'test', join(REPO_ROOT, 'dev', 'policy.yaml'), join(dir, 'cases.yaml')],
      code: 1,
      want: () => new RegExp(`^warden policy: the cases ${join(dir, 'cases.yaml')}: cases: YAML error`),
    },
    {
      name: 'policy with an unknown action',
      args: () => ['policy', 'check', 'p.yaml'],
      code: 2,
      want: () => /^warden policy: unknown action "check" \(test\)/,
    },
    // bridge
    {
      name: 'bridge with an unknown option',
      args: () => ['bridge', '--bogus'],
      code: 2,
      want: () => /^warden bridge: unknown option --bogus; warden bridge takes --url/,
    },
    {
      name: 'bridge with --state-dir and no stack there',
      args: () => ['bridge', '--state-dir', none],
      code: 1,
      want: () =>
        new RegExp(`^warden bridge: no local stack in ${none} \\(run "npm start", or pass --url\\)$`),
    },
    {
      name: 'bridge with plain http to another host',
      args: () => ['bridge', '--url', 'http://gateway.example/mcp'],
      code: 2,
      want: () => /^warden bridge: --url must be https \(plain http only on loopback/,
    },
    // the command itself
    {
      name: 'an unknown command',
      args: () => ['frobnicate'],
      code: 2,
      want: () =>
        /^warden: unknown command "frobnicate" \(start, token, bridge, approvals, audit, credential, policy, help;/,
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
      const r = await results.get(c.name)!;
      const lines = r.err.trimEnd().split('\n');
      assert.equal(r.code, c.code, r.err);
      assert.equal(lines.length, 1, `one line:\n${r.err}`);
      assert.match(lines[0]!, c.want());
      assert.doesNotMatch(r.err, /^\s+at |\(file:\/\/|node:internal/m);
      assert.equal(r.out, '', 'nothing on stdout');
    });
  }

  it('adds the stack trace with WARDEN_DEBUG=1, after the same first line', async () => {
    const r = await spawnCli(['audit', 'verify', '--state-dir', none], { env: { WARDEN_DEBUG: '1' } });
    assert.equal(r.code, 1);
    const [first, ...rest] = r.err.trimEnd().split('\n');
    assert.match(first!, new RegExp(`^warden audit: no --bucket given and no local stack in ${none} `));
    assert.match(rest.join('\n'), /^\s+at /m);
  });
});
