import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Check, compare, type ExpectedFailures, readExpectedFailures, readResults } from './baseline.ts';

const BASELINE = join(dirname(fileURLToPath(import.meta.url)), 'expected-failures.yaml');

const dirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

function yamlFile(text: string): string {
  const path = join(tempDir('warden-baseline-'), 'expected-failures.yaml');
  writeFileSync(path, text);
  return path;
}

const check = (status: Check['status']): Check => ({ id: 'c', status });

describe('conformance baseline', () => {
  after(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('reads the repository baseline: every expected failure has a reason', () => {
    const b = readExpectedFailures(BASELINE);
    assert.ok(b.server.length > 0);
    for (const name of b.server) assert.ok(b.reasons[name]?.trim(), name);
    // The scenarios Warden must pass are never in it.
    for (const name of ['server-initialize', 'ping', 'tools-list', 'dns-rebinding-protection'])
      assert.ok(!b.server.includes(name), name);
  });

  const bad = [
    {
      name: 'an entry without a reason',
      text: 'server: [a, b]\nreasons: { a: why }\n',
      want: /"b" has no reason/,
    },
    {
      name: 'a reason without an entry',
      text: 'server: [a]\nreasons: { a: why, c: why }\n',
      want: /unlisted "c"/,
    },
    { name: 'a duplicate entry', text: 'server: [a, a]\nreasons: { a: why }\n', want: /"a" is listed twice/ },
    { name: 'a server map', text: 'server: { a: why }\n', want: /must be a list/ },
  ];
  for (const { name, text, want } of bad) {
    it(`rejects ${name}`, () => assert.throws(() => readExpectedFailures(yamlFile(text)), want));
  }

  it('judges as the suite does: a FAILURE or WARNING check fails the scenario', () => {
    const baseline: ExpectedFailures = { server: ['x', 'y', 'z'], reasons: { x: '.', y: '.', z: '.' } };
    const c = compare(
      [
        { scenario: 'ok', checks: [check('SUCCESS'), check('INFO')] },
        { scenario: 'x', checks: [check('SUCCESS'), check('FAILURE')] },
        { scenario: 'y', checks: [check('WARNING')] },
        { scenario: 'z', checks: [check('SUCCESS')] },
        { scenario: 'new', checks: [check('FAILURE')] },
      ],
      baseline,
    );
    assert.deepEqual(c.passed, ['ok']);
    assert.deepEqual(c.expected, ['x', 'y']);
    assert.deepEqual(c.stale, ['z']);
    assert.deepEqual(c.unexpected, ['new']);
    assert.equal(c.ok, false);
    assert.equal(compare([{ scenario: 'x', checks: [check('FAILURE')] }], baseline).ok, true);
    assert.equal(compare([], baseline).ok, false, 'no results is no pass');
  });

  it('reads the checks the suite wrote to its output directory', () => {
    const dir = tempDir('warden-results-');
    for (const [name, checks] of [
      ['server-tools-list-2026-11-24T02-00-37-370Z', [{ id: 'tools-list', status: 'SUCCESS' }]],
      ['server-dns-rebinding-protection-2026-11-24T02-00-38-710Z', [{ id: 'a', status: 'FAILURE' }]],
    ] as const) {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'checks.json'), JSON.stringify(checks));
    }
    mkdirSync(join(dir, 'unrelated'));
    assert.deepEqual(
      readResults(dir).map((r) => [r.scenario, r.checks.map((c) => c.status)]),
      [
        ['dns-rebinding-protection', ['FAILURE']],
        ['tools-list', ['SUCCESS']],
      ],
    );
  });
});
