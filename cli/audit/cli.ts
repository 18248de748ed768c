// `warden audit verify|reconcile|search|report`: an auditor's tools over the audit bucket (or its BigQuery table).
// Against a deployed trail: --bucket and --kms-key-version (or --public-key); with neither, the local stack's.

import { createPublicKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BigQueryWarehouse } from '../../shared/adapters/bigquery/warehouse.ts';
import { createBigQueryClient } from '../../shared/adapters/clients.ts';
import { createKmsClient } from '../../shared/adapters/kms/client.ts';
import { KmsKeyService } from '../../shared/adapters/kms/key-service.ts';
import { reconcileRequests } from '../../shared/core/audit/reconcile.ts';
import {
  type AuditRecord,
  actorOf,
  decisionOf,
  principalOf,
  queryOf,
} from '../../shared/core/audit/schema.ts';
import {
  type AuditFilter,
  recordFromSearchRow,
  searchQuery,
  searchRecords,
  validateFilter,
} from '../../shared/core/audit/search.ts';
import { readTrail, recordsIn } from '../../shared/core/audit/trail.ts';
import { type VerifyReport, verifyTrail } from '../../shared/core/audit/verify.ts';
import { verifyWitnessed } from '../../shared/core/audit/verify-witness.ts';
import { parseCommandArgs, readInput, reportFailure, UsageError, writeOutput } from '../cli-errors.ts';
import { ensureListening } from '../stack-file.ts';
import { openTrailSink, resolveTrailSource, type TrailSource } from './trail-source.ts';
import { CHECK_PROOF_USAGE, PROVE_USAGE } from './usage.ts';
import { readCosignedNotes, readWitnessKeys, WITNESS_OPTIONS, WITNESS_USAGE } from './witness.ts';

export const AUDIT_USAGE = `  audit verify [--from T --to T]
            Recompute hashes and chains, check every signature, certificate, digest and checkpoint (roots,
            consistency, the streams and digests they name, heartbeats against the time now); print every problem
            with its object (objects outside the layout too); exit 1 on any problem.
            --witness-key VKEY|FILE --witnessed DIR [--witness-quorum N]: also require each stream's newest
            checkpoint to be cosigned by the witness (keys: C2SP vkeys, one a line; DIR: its --state directory);
            names unwitnessed, and a rollback, fork or deleted stream against what the witness cosigned.
  audit reconcile [--from T --to T]
            Verify the trail as verify does, then name every request whose records are incomplete (a lost
            group-committed record, an execution without its intent record, a crash mid-request); exit 1 if any.
  audit search [--from T --to T] [--principal P --table T --decision E --request ID] [--format jsonl|table]
            Find records: in the bucket, or with --bigquery-table PROJECT.DATASET.TABLE in the BigQuery audit table
            (the external table Terraform creates over the bucket; at most --limit N records, default 1000).
            --table is a referenced table (dataset.table).
  audit report --from T --to T --out report.html [--sql text|hash]
            One self-contained HTML report for auditors, with its own SHA-256 and the checkpoints it was built
            from (printed and embedded); --sql hash shows each query's SHA-256 instead of its SQL.
${PROVE_USAGE}
${CHECK_PROOF_USAGE}
${WITNESS_USAGE}
            Source:   --bucket B [--storage-endpoint URL] [--prefix v1/]   (default: the local stack's bucket;
                      --state-dir DIR names its state, default .warden, env WARDEN_STATE_DIR)
                      | --trail-dir DIR   (a local copy: gcloud storage cp -r gs://B/v1 DIR)
            Key:      --kms-key-version NAME [--kms-endpoint HOST:PORT] | --public-key kms.pem
            T is an RFC 3339 time or date (2026-11-01, 2026-11-01T09:00:00Z).`;

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Progress lines (stderr); overwritten in place on a terminal. */
  progress: (line: string) => void;
}

/** On a terminal, a progress line is rewritten in place; the next line of output replaces it. */
let progressShown = false;
const clearProgress = () => {
  if (progressShown) process.stderr.write('\r\u001b[K');
  progressShown = false;
};

const defaultIo: Io = {
  out: (l) => {
    clearProgress();
    console.log(l);
  },
  err: (l) => {
    clearProgress();
    console.error(l);
  },
  progress: (l) => {
    if (!process.stderr.isTTY) return void process.stderr.write(`${l}\n`);
    process.stderr.write(`\r${l}\u001b[K`);
    progressShown = true;
  },
};

/** The options `warden audit` takes. */
export const AUDIT_OPTIONS = {
  from: { type: 'string' },
  to: { type: 'string' },
  principal: { type: 'string' },
  table: { type: 'string' },
  decision: { type: 'string' },
  request: { type: 'string' },
  format: { type: 'string' },
  limit: { type: 'string' },
  out: { type: 'string' },
  bucket: { type: 'string' },
  prefix: { type: 'string' },
  project: { type: 'string' },
  'storage-endpoint': { type: 'string' },
  'kms-key-version': { type: 'string' },
  'kms-endpoint': { type: 'string' },
  'bigquery-endpoint': { type: 'string' },
  'bigquery-table': { type: 'string' },
  'public-key': { type: 'string' },
  record: { type: 'string' }, // check-proof (cli/audit/proof.ts)
  'state-dir': { type: 'string' },
  sql: { type: 'string' }, // report (cli/audit/report.ts)
  'witness-key': { type: 'string' }, // verify --witness-key (shared/core/audit/verify-witness.ts)
  witnessed: { type: 'string' },
  'witness-quorum': { type: 'string' },
  ...WITNESS_OPTIONS, // witness (cli/audit/witness.ts)
  help: { type: 'boolean', short: 'h' },
} as const;

/** The audit commands. */
export const AUDIT_VERBS = [
  'verify',
  'reconcile',
  'search',
  'report',
  'prove',
  'check-proof',
  'witness',
] as const;

/**
 * Runs one audit command; returns the exit code (0 ok, 1 problems or failure, 2 usage). `stateDir` is the
 * local stack's unless --state-dir names another.
 */
export async function auditCommand(args: string[], stateDir: string, io: Io = defaultIo): Promise<number> {
  try {
    if (args[0] === 'check-proof') return (await import('./proof.ts')).checkProofCommand(args.slice(1), io);
    if (args[0] === 'witness')
      return (await import('./witness.ts')).witnessCommand(args.slice(1), stateDir, io);
    return await audit(args, stateDir, io);
  } catch (err) {
    return reportFailure('warden audit', err, io.err);
  }
}

async function audit(args: string[], defaultStateDir: string, io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('warden audit', args, AUDIT_OPTIONS);
  if (values.help) {
    io.out(`Usage: warden ${AUDIT_USAGE.trimStart()}`);
    return 0;
  }
  const [verb, ...extra] = positionals;
  const verbs = AUDIT_VERBS.join(', ');
  if (!verb) throw new UsageError(`what to do? (${verbs})`);
  if (!(AUDIT_VERBS as readonly string[]).includes(verb))
    throw new UsageError(`unknown action "${verb}" (${verbs})`);
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  let filter: AuditFilter;
  try {
    filter = validateFilter({
      ...(values.from ? { from: parseTime(values.from, 'start', '--from') } : {}),
      ...(values.to ? { to: parseTime(values.to, 'end', '--to') } : {}),
      ...(values.principal ? { principal: values.principal } : {}),
      ...(values.table ? { table: values.table } : {}),
      ...(values.decision ? { decision: values.decision } : {}),
      ...(values.request ? { request: values.request } : {}),
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const format = values.format ?? 'jsonl';
  if (!['jsonl', 'table'].includes(format)) throw new UsageError('--format is jsonl or table');
  if (values.sql !== undefined && !['text', 'hash'].includes(values.sql))
    throw new UsageError('--sql is text or hash');
  if (verb === 'prove' && !values.request) throw new UsageError('prove needs --request ID');
  if ((values['witness-key'] === undefined) !== (values.witnessed === undefined))
    throw new UsageError(
      "--witness-key and --witnessed go together (the witness's keys and its --state directory)",
    );
  const quorum = values['witness-quorum'] === undefined ? 1 : Number(values['witness-quorum']);
  if (!Number.isInteger(quorum) || quorum < 1)
    throw new UsageError('--witness-quorum must be a positive integer');
  if (verb === 'report' && (!values.out || !filter.from || !filter.to))
    throw new UsageError('report needs --from, --to and --out');
  // A report of a long trail is not read only to fail at the end for want of a directory to write it to.
  if (verb === 'report' && !existsSync(dirname(resolve(values.out!))))
    throw new Error(`cannot write --out ${values.out}: its directory does not exist`);
  const stateDir = values['state-dir'] ? resolve(values['state-dir']) : defaultStateDir;
  if (verb === 'search' && values['bigquery-table']) {
    const limit = Number(values.limit ?? 1000);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive integer');
    const records = await searchTable(values, values['bigquery-table'], filter, limit);
    printRecords(records, format, io);
    return 0;
  }
  const source = await resolveTrailSource(values, stateDir);
  const sink = await openTrailSink(source);
  const range = { ...(filter.from ? { from: filter.from } : {}), ...(filter.to ? { to: filter.to } : {}) };
  let last = 0;
  const trail = await readTrail(sink, {
    range,
    prefix: source.prefix,
    onProgress: (read, total) => {
      if ((verb !== 'verify' && verb !== 'reconcile') || (read !== total && Date.now() - last < 500)) return;
      last = Date.now();
      io.progress(`read ${read}/${total} objects`);
    },
  });
  // Every reader below reads records through the one parser; a line it cannot read is named, never dropped silently.
  const read = () =>
    recordsIn(trail.objects, (r) => io.err(`not read: ${r.object} line ${r.line}: ${r.error.message}`));
  if (verb === 'search') {
    printRecords(searchRecords(read(), filter), format, io);
    return 0;
  }
  const pem = await publicKey(source);
  if (verb === 'prove')
    return (await import('./proof.ts')).proveCommand(
      trail.objects,
      pem,
      values.request!,
      values.out ?? '.',
      io,
    );
  const complete = !filter.from && !filter.to;
  const report = verifyTrail(trail.objects, pem, {
    covers: trail.covers,
    complete,
    outsideLayout: trail.outsideLayout,
    // Heartbeats are judged against the time verify runs, on a whole-trail verification only.
    ...(complete ? { now: new Date() } : {}),
    onProgress: (done, total) => {
      if (done !== total && Date.now() - last < 500) return;
      last = Date.now();
      io.progress(`verified ${done}/${total} objects`);
    },
  });
  if (values['witness-key'] !== undefined) {
    const found = verifyWitnessed(
      report.checkpoints,
      readCosignedNotes(values.witnessed!),
      readWitnessKeys(values['witness-key']),
      { quorum, now: new Date() },
    );
    report.problems.push(...found);
    if (found.length > 0) report.ok = false;
  }
  if (verb === 'report') {
    const records = searchRecords(read(), filter);
    const { renderAuditReport, reportAnchors, describeAnchors, reportSha256, parseSqlMode } = await import(
      './report.ts'
    );
    const anchors = reportAnchors(trail.objects);
    const html = renderAuditReport({
      records,
      verification: report,
      from: filter.from!,
      to: filter.to!,
      anchors,
      sql: parseSqlMode(values.sql),
    });
    writeOutput(values.out!, html, '--out');
    io.out(
      `wrote ${values.out} (${records.length} records; verification ${report.ok ? 'passed' : 'FAILED'})`,
    );
    io.out(`report sha256 ${reportSha256(html)} (of the file without its hash line)`);
    io.out(`built from ${describeAnchors(anchors)}`);
    return report.ok ? 0 : 1;
  }
  printReport(report, io);
  if (verb === 'reconcile') {
    const incomplete = reconcileRequests(searchRecords(read(), filter));
    for (const r of incomplete)
      io.out(`INCOMPLETE  ${r.requestId}  ${r.problems.join('; ')}  (has ${r.have.join(', ')})`);
    io.out(
      incomplete.length === 0
        ? 'every request has its records'
        : `${incomplete.length} request(s) with incomplete records`,
    );
    return report.ok && incomplete.length === 0 ? 0 : 1;
  }
  return report.ok ? 0 : 1;
}

async function publicKey(source: TrailSource): Promise<string> {
  if (source.publicKeyPath) {
    const pem = readInput(source.publicKeyPath, '--public-key').toString('utf8');
    try {
      createPublicKey(pem);
    } catch {
      // Otherwise every certificate would be reported bad, hiding that the key file is the problem.
      throw new Error(`--public-key ${source.publicKeyPath} is not a PEM public key`);
    }
    return pem;
  }
  if (!source.kmsKeyVersion)
    throw new UsageError('pass --kms-key-version (the audit signing key version) or --public-key');
  const client = await createKmsClient(source.kmsEndpoint);
  try {
    return await new KmsKeyService(client).getPublicKeyPem(source.kmsKeyVersion);
  } finally {
    // A client left open keeps retrying (and the process alive) after a failure.
    await client.close().catch(() => {});
  }
}

/** `audit search --bigquery-table`: a deployed table, on Google's BigQuery unless --bigquery-endpoint. */
async function searchTable(
  values: { project?: string | undefined; 'bigquery-endpoint'?: string | undefined },
  table: string,
  filter: AuditFilter,
  limit: number,
): Promise<AuditRecord[]> {
  let query: ReturnType<typeof searchQuery>;
  try {
    query = searchQuery(table, filter, limit);
  } catch (err) {
    throw new UsageError(`--bigquery-table "${table}": ${(err as Error).message}`);
  }
  const endpoint = values['bigquery-endpoint'];
  if (endpoint) await ensureListening(endpoint, '--bigquery-endpoint');
  const projectId = values.project ?? table.split('.')[0]!;
  const bigquery = await createBigQueryClient(projectId, endpoint);
  try {
    const result = await new BigQueryWarehouse(bigquery).execute(
      { projectId, sql: query.sql, params: query.params },
      { rowLimit: limit, labels: { 'warden-tool': 'audit-search' }, timeoutMs: 120_000 },
    );
    return result.rows.map((r) => recordFromSearchRow(String(r['record'])));
  } catch (err) {
    throw new Error(`searching ${table} failed`, { cause: err });
  }
}

function printRecords(records: AuditRecord[], format: string, io: Io): void {
  if (format === 'jsonl') {
    for (const r of records) io.out(JSON.stringify(r));
    return;
  }
  io.out(['time', 'type', 'request', 'who', 'decision', 'tables'].join('\t'));
  for (const r of records) {
    const e = r.event;
    const who = principalOf(e) ?? (e.type === 'approval.requested' ? e.requester : undefined) ?? actorOf(e);
    const name = who && ('service' in who ? String(who.service) : (who.email ?? who.subject));
    const tables = (queryOf(e)?.referencedTables ?? []).join(',');
    io.out([r.time, e.type, e.requestId ?? '', name ?? '', decisionOf(e)?.effect ?? '', tables].join('\t'));
  }
  io.err(`${records.length} record(s)`);
}

function printReport(report: VerifyReport, io: Io): void {
  for (const p of report.problems)
    io.out(
      `PROBLEM ${p.kind} ${p.object}${p.stream ? ` stream=${p.stream}` : ''}${p.seq !== undefined ? ` seq=${p.seq}` : ''}: ${p.detail}`,
    );
  io.out(
    `${report.ok ? 'OK' : 'FAILED'}: ${report.records} records in ${report.streams.length} streams, ${report.digests} digests checked, ${report.checkpoints.length} checkpoints checked, ` +
      `${report.undigested.length} objects not yet digested, ${report.problems.length} problems`,
  );
}

/** An RFC 3339 time, or a date (its start for --from, its end for --to); `flag` names it in the error. */
export function parseTime(value: string, end: 'start' | 'end', flag = 'the time'): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const d = new Date(`${value}T00:00:00.000Z`);
    // --to 2026-11-01 means the whole day: up to its last millisecond.
    if (end === 'end') d.setTime(d.getTime() + 86_400_000 - 1);
    if (!Number.isNaN(d.getTime())) return d;
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    const d = new Date(value);
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw new Error(
    `${flag} "${value}" is not an RFC 3339 time or a date (e.g. 2026-11-01 or 2026-11-01T09:00:00Z)`,
  );
}
