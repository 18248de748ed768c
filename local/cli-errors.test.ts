// How CLI failures become one line: cause chains, option mistakes, exit codes.

import assert from 'node:assert/strict';
import { WardenError } from '../shared/core/errors.ts';
import { describeError, parseCommandArgs, reportFailure, UsageError } from './cli-errors.ts';

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
