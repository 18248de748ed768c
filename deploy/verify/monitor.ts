// The scheduled audit check (a Cloud Run job built from deploy/verify/Dockerfile, started by Cloud Scheduler;
// terraform/modules/monitoring): runs `warden audit verify` over the recent trail and looks for break-glass
// decisions in the last window, logging one structured line per finding for the log-based metrics and alerts.
// Emergency access is allowed but reviewed after the fact (45 CFR 164.312(a)(2)(ii)); a failed verification
// means records were modified, removed or never written (164.312(b), (c)(1)). Lines carry request ids and rule
// names only: never SQL, principals or rows.

import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `jsonPayload.component` of every line this job writes. */
export const MONITOR_COMPONENT = 'audit-monitor';

/** `jsonPayload.message` of each finding; terraform/modules/monitoring's metrics filter on these. */
export const MONITOR_MESSAGES = {
  verifyFailed: 'audit verify failed',
  breakGlass: 'break-glass access',
  finished: 'audit monitor finished',
} as const;

/** What the job checks, from its environment (terraform/modules/monitoring sets it). */
export interface MonitorConfig {
  /** The audit bucket (`warden audit verify --bucket`). */
  bucket: string;
  /** The KMS key version that certifies the writers (`--kms-key-version`). */
  keyVersion: string;
  /** The BigQuery table over the records, project.dataset.table. */
  table: string;
  /** Break-glass decisions newer than this many minutes are reported (the schedule's interval). */
  windowMinutes: number;
  /** `warden audit verify --from` this many days back. */
  verifyDays: number;
}

/** One line for Cloud Logging's structured format (severity, message, and the finding's fields). */
export interface LogEntry {
  severity: 'INFO' | 'WARNING' | 'ERROR';
  component: typeof MONITOR_COMPONENT;
  message: string;
  [field: string]: string | number;
}

/** A break-glass decision: which request, under which rule, when. */
export interface BreakGlassDecision {
  requestId: string;
  rule: string;
  time: string;
}

export interface MonitorDeps {
  now: () => Date;
  /** Runs `warden audit verify --from from`; resolves to its exit code. */
  verify: (from: Date) => Promise<number>;
  breakGlass: (from: Date, to: Date) => Promise<BreakGlassDecision[]>;
  log: (entry: LogEntry) => void;
}

const TABLE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+){2}$/;

/** Reads the job's environment; throws one line naming the variable that is missing or wrong. */
export function loadMonitorConfig(env: NodeJS.ProcessEnv = process.env): MonitorConfig {
  const need = (name: string) => {
    const v = env[name];
    if (!v) throw new Error(`${name} is not set`);
    return v;
  };
  const positive = (name: string, fallback: number) => {
    const v = env[name] === undefined || env[name] === '' ? fallback : Number(env[name]);
    if (!Number.isInteger(v) || v < 1) throw new Error(`${name} is a whole number of at least 1`);
    return v;
  };
  const table = need('AUDIT_TABLE');
  if (!TABLE.test(table)) throw new Error('AUDIT_TABLE is project.dataset.table');
  return {
    bucket: need('AUDIT_BUCKET'),
    keyVersion: need('AUDIT_KMS_KEY_VERSION'),
    table,
    windowMinutes: positive('WINDOW_MINUTES', 60),
    verifyDays: positive('VERIFY_DAYS', 2),
  };
}

/** The parameterized query for break-glass `policy.decision` records in [from, to) (docs/audit-format.md). */
export function breakGlassQuery(table: string, from: Date, to: Date) {
  if (!TABLE.test(table)) throw new Error('AUDIT_TABLE is project.dataset.table');
  return {
    query:
      "SELECT JSON_VALUE(event, '$.requestId') AS requestId, JSON_VALUE(event, '$.decision.rule') AS rule, " +
      `FORMAT_TIMESTAMP('%FT%TZ', time) AS time FROM \`${table}\` ` +
      "WHERE time >= @from AND time < @to AND JSON_VALUE(event, '$.type') = 'policy.decision' " +
      "AND JSON_VALUE(event, '$.decision.effect') = 'break_glass' ORDER BY time",
    params: { from: from.toISOString(), to: to.toISOString() },
    types: { from: 'TIMESTAMP', to: 'TIMESTAMP' },
  };
}

/**
 * Runs both checks and logs every finding; resolves to the job's exit code: 1 when verification failed or a
 * check could not run (the job's failed execution alerts too), else 0. Break-glass use alerts through its
 * metric, not the exit code: it is allowed, only flagged.
 */
export async function runMonitor(config: MonitorConfig, deps: MonitorDeps): Promise<number> {
  const log = (
    severity: LogEntry['severity'],
    message: string,
    fields: Record<string, string | number> = {},
  ) => deps.log({ severity, component: MONITOR_COMPONENT, message, ...fields });
  const now = deps.now();
  let failed = false;

  const from = new Date(now.getTime() - config.verifyDays * 86_400_000);
  let code: number;
  try {
    code = await deps.verify(from);
  } catch (err) {
    code = -1;
    log('ERROR', MONITOR_MESSAGES.verifyFailed, { from: from.toISOString(), cause: (err as Error).message });
  }
  if (code > 0) log('ERROR', MONITOR_MESSAGES.verifyFailed, { from: from.toISOString(), exitCode: code });
  if (code !== 0) failed = true;

  const since = new Date(now.getTime() - config.windowMinutes * 60_000);
  let found = -1;
  try {
    const decisions = await deps.breakGlass(since, now);
    found = decisions.length;
    for (const d of decisions)
      log('WARNING', MONITOR_MESSAGES.breakGlass, { requestId: d.requestId, rule: d.rule, time: d.time });
  } catch (err) {
    failed = true;
    log('ERROR', 'break-glass search failed', { cause: (err as Error).message });
  }
  log(failed ? 'ERROR' : 'INFO', MONITOR_MESSAGES.finished, { verifyExitCode: code, breakGlass: found });
  return failed ? 1 : 0;
}

async function main(): Promise<number> {
  const config = loadMonitorConfig();
  const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'cli', 'cli.ts');
  const { BigQuery } = await import('@google-cloud/bigquery');
  const project = config.table.split('.')[0];
  const bigquery = new BigQuery(project ? { projectId: project } : {});
  return runMonitor(config, {
    now: () => new Date(),
    verify: async (from) =>
      spawnSync(
        process.execPath,
        [
          '--disable-warning=ExperimentalWarning',
          cli,
          'audit',
          'verify',
          '--bucket',
          config.bucket,
          '--kms-key-version',
          config.keyVersion,
          '--from',
          from.toISOString(),
        ],
        { stdio: 'inherit' },
      ).status ?? 1,
    breakGlass: async (from, to) => {
      const [rows] = await bigquery.query(breakGlassQuery(config.table, from, to));
      return (rows as BreakGlassDecision[]).map((r) => ({
        requestId: String(r.requestId),
        rule: String(r.rule),
        time: String(r.time),
      }));
    },
    log: (entry) => process.stdout.write(`${JSON.stringify(entry)}\n`),
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stdout.write(
        `${JSON.stringify({ severity: 'ERROR', component: MONITOR_COMPONENT, message: MONITOR_MESSAGES.verifyFailed, cause: err.message })}\n`,
      );
      process.exit(1);
    },
  );
}
