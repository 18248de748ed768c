// Monitoring as code matches the code: every log-based metric's filter names a component and a message that
// the functions (shared/adapters/logging.ts lines) or the scheduled audit check (deploy/verify/monitor.ts)
// actually write, and the audit check logs what those filters expect.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  breakGlassQuery,
  type LogEntry,
  loadMonitorConfig,
  MONITOR_COMPONENT,
  MONITOR_MESSAGES,
  type MonitorConfig,
  runMonitor,
} from '../deploy/verify/monitor.ts';
import { readBlocks } from './checks.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A logged line as the code writes it: its component and its message, with every `${…}` rendered as 1. */
interface Logged {
  component: string;
  message: string;
  file: string;
}

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** The first string or template literal of every `log(` call in functions/ and shared/adapters/. */
function loggedByFunctions(): Logged[] {
  const out: Logged[] = [];
  const components = new Set<string>();
  for (const path of [...sources('functions'), ...sources('shared/adapters')]) {
    const code = readFileSync(path, 'utf8');
    for (const [, c = ''] of code.matchAll(/logLine\('([\w-]+)'\)/g)) components.add(c);
    for (const [, , text = ''] of code.matchAll(/\blog\(\s*(['`])((?:\\.|(?!\1)[^\\])*)\1/g))
      out.push({ component: '', message: text.replace(/\$\{[^}]*\}/g, '1'), file: path });
  }
  // Every function logs through logLine(component): a message may come from any of them.
  return [...components].flatMap((component) => out.map((l) => ({ ...l, component })));
}

const loggedByMonitor = (): Logged[] =>
  Object.values(MONITOR_MESSAGES).map((message) => ({
    component: MONITOR_COMPONENT,
    message,
    file: 'deploy/verify/monitor.ts',
  }));

/** Parses a Cloud Logging filter's message and component conditions (`=` exact, `=~` RE2 regex). */
function conditionsOf(filter: string) {
  const message = /jsonPayload\.message(=~|=)"((?:[^"\\]|\\.)*)"/g;
  const component = /jsonPayload\.component="([^"]*)"/.exec(filter)?.[1];
  const messages = [...filter.matchAll(message)].map(([, op, value = '']) =>
    op === '=~' ? new RegExp(value) : new RegExp(`^${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
  );
  return { component, messages };
}

/** The metrics whose filter names no message the code writes (with the component the filter requires). */
function unmatchedMetrics(metrics: Record<string, { filter?: string }>, logged: Logged[]): string[] {
  return Object.entries(metrics)
    .filter(([, m]) => {
      const { component, messages } = conditionsOf(m.filter ?? '');
      if (messages.length === 0) return true;
      return !messages.every((re) =>
        logged.some((l) => (component === undefined || l.component === component) && re.test(l.message)),
      );
    })
    .map(([name]) => name);
}

async function monitoringLocals(): Promise<Record<string, Record<string, Record<string, string>>>> {
  const blocks = await readBlocks(join(ROOT, 'terraform'));
  const locals = blocks
    .filter((b) => b.type === 'locals' && b.file.startsWith('modules/monitoring'))
    .flatMap((b) => b.body['locals'] as Record<string, Record<string, Record<string, string>>>[]);
  return Object.assign({}, ...locals);
}

describe('terraform/modules/monitoring', () => {
  it('has a metric filter per logged condition, each naming a message the code writes', async () => {
    const { metrics = {} } = await monitoringLocals();
    assert.deepEqual(Object.keys(metrics).sort(), [
      'approvals_expired',
      'audit_write_failures',
      'break_glass',
      'verify_failures',
    ]);
    assert.deepEqual(unmatchedMetrics(metrics, [...loggedByFunctions(), ...loggedByMonitor()]), []);
  });

  it('finds the sweep line only when approvals expired', async () => {
    const { metrics = {} } = await monitoringLocals();
    const [re] = conditionsOf(metrics['approvals_expired']?.['filter'] ?? '').messages;
    assert.ok(re?.test('sweep: 3 expired, 0 stuck executions failed, 0 approvals announced again'));
    assert.ok(!re?.test('sweep: 0 expired, 1 stuck executions failed, 0 approvals announced again'));
  });

  it('reports a metric whose message the code does not write (a deliberate violation)', async () => {
    const { metrics = {} } = await monitoringLocals();
    const broken = {
      ...metrics,
      audit_write_failures: { filter: 'jsonPayload.message=~"^audit record lost"' },
      break_glass: { filter: 'jsonPayload.component="gateway" AND jsonPayload.message="break-glass access"' },
    };
    assert.deepEqual(unmatchedMetrics(broken, [...loggedByFunctions(), ...loggedByMonitor()]).sort(), [
      'audit_write_failures',
      'break_glass',
    ]);
  });

  it('alerts on every metric it defines, and on dead letters through Pub/Sub', async () => {
    const { metrics = {}, alerts = {} } = await monitoringLocals();
    for (const name of Object.keys(metrics))
      assert.match(
        String(alerts[name]?.['metric']),
        new RegExp(`logging\\.googleapis\\.com/user/.*-${name}$`),
      );
    assert.equal(
      alerts['dead_letters']?.['metric'],
      'pubsub.googleapis.com/subscription/dead_letter_message_count',
    );
  });
});

describe('deploy/verify/monitor.ts (the scheduled audit check)', () => {
  const config: MonitorConfig = {
    bucket: 'b',
    keyVersion: 'projects/p/locations/l/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1',
    table: 'p.warden_audit.records',
    windowMinutes: 60,
    verifyDays: 2,
  };
  const now = new Date('2026-12-07T10:00:00Z');
  const run = async (
    verify: number | Error,
    decisions: { requestId: string; rule: string; time: string }[],
  ) => {
    const lines: LogEntry[] = [];
    const calls: { from?: Date; window?: [Date, Date] } = {};
    const code = await runMonitor(config, {
      now: () => now,
      verify: async (from) => {
        calls.from = from;
        if (verify instanceof Error) throw verify;
        return verify;
      },
      breakGlass: async (from, to) => {
        calls.window = [from, to];
        return decisions;
      },
      log: (l) => lines.push(l),
    });
    return { code, lines, calls };
  };

  it('logs "audit verify failed" and exits 1 when verification finds problems', async () => {
    const { code, lines, calls } = await run(1, []);
    assert.equal(code, 1);
    assert.equal(calls.from?.toISOString(), '2026-12-05T10:00:00.000Z');
    const failed = lines.filter((l) => l.message === MONITOR_MESSAGES.verifyFailed);
    assert.equal(failed.length, 1);
    assert.equal(failed[0]?.severity, 'ERROR');
    assert.equal(failed[0]?.component, 'audit-monitor');
  });

  it('logs "audit verify failed" when verification cannot run', async () => {
    const { code, lines } = await run(new Error('spawn failed'), []);
    assert.equal(code, 1);
    assert.ok(
      lines.some((l) => l.message === MONITOR_MESSAGES.verifyFailed && l['cause'] === 'spawn failed'),
    );
  });

  it('logs one line per break-glass decision of the window, with its request id and rule only', async () => {
    const { code, lines, calls } = await run(0, [
      { requestId: 'r1', rule: 'er-break-glass', time: '2026-12-07T09:30:00Z' },
      { requestId: 'r2', rule: 'er-break-glass', time: '2026-12-07T09:40:00Z' },
    ]);
    assert.equal(code, 0, 'break-glass use is allowed: it alerts, the job does not fail');
    assert.deepEqual(
      calls.window?.map((d) => d.toISOString()),
      ['2026-12-07T09:00:00.000Z', '2026-12-07T10:00:00.000Z'],
    );
    const found = lines.filter((l) => l.message === MONITOR_MESSAGES.breakGlass);
    assert.deepEqual(
      found.map((l) => Object.keys(l).sort()),
      [
        ['component', 'message', 'requestId', 'rule', 'severity', 'time'],
        ['component', 'message', 'requestId', 'rule', 'severity', 'time'],
      ],
    );
    assert.deepEqual(
      found.map((l) => l.requestId),
      ['r1', 'r2'],
    );
    assert.ok(!lines.some((l) => l.message === MONITOR_MESSAGES.verifyFailed));
  });

  it('queries break-glass decisions with parameters, and refuses a table name that is not project.dataset.table', () => {
    const q = breakGlassQuery(config.table, new Date(0), now);
    assert.match(q.query, /FROM `p\.warden_audit\.records`/);
    assert.match(q.query, /'\$\.decision\.effect'\) = 'break_glass'/);
    assert.match(q.query, /time >= @from AND time < @to/);
    assert.deepEqual(q.params, { from: '1970-01-01T00:00:00.000Z', to: '2026-12-07T10:00:00.000Z' });
    assert.throws(() => breakGlassQuery('p.d.t` WHERE 1=1 --', new Date(0), now), /project\.dataset\.table/);
  });

  it('names the missing or wrong environment variable', () => {
    const env = { AUDIT_BUCKET: 'b', AUDIT_KMS_KEY_VERSION: 'k', AUDIT_TABLE: 'p.d.t' };
    assert.deepEqual(loadMonitorConfig(env), {
      bucket: 'b',
      keyVersion: 'k',
      table: 'p.d.t',
      windowMinutes: 60,
      verifyDays: 2,
    });
    assert.throws(() => loadMonitorConfig({ ...env, AUDIT_BUCKET: '' }), /^Error: AUDIT_BUCKET is not set$/);
    assert.throws(() => loadMonitorConfig({ ...env, WINDOW_MINUTES: '0' }), /WINDOW_MINUTES/);
    assert.throws(() => loadMonitorConfig({ ...env, AUDIT_TABLE: 'd.t' }), /AUDIT_TABLE/);
  });
});
