// `warden audit verify|reconcile|search|report`: an auditor's tools over the audit bucket (or its BigQuery table).
// Against a deployed trail: --bucket and --kms-key-version (or --public-key); with neither, the local stack's.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BigQueryWarehouse } from '../../shared/adapters/bigquery/warehouse.ts';
import { createBigQueryClient, createKmsClient, createStorageClient } from '../../shared/adapters/clients.ts';
import { KmsKeyService } from '../../shared/adapters/kms/key-service.ts';
import { GcsAuditSink } from '../../shared/adapters/storage/audit-sink.ts';
import { reconcileRequests } from '../../shared/core/audit/reconcile.ts';
import type { AuditRecord } from '../../shared/core/audit/record.ts';
import {
  type AuditFilter,
  recordFromSearchRow,
  searchQuery,
  searchRecords,
  validateFilter,
} from '../../shared/core/audit/search.ts';
import { readTrail, recordsIn } from '../../shared/core/audit/trail.ts';
import { type VerifyReport, verifyTrail } from '../../shared/core/audit/verify.ts';
import { isWardenError } from '../../shared/core/errors.ts';
import type { AuditSink } from '../../shared/ports/audit-sink.ts';
import type { StackInfo } from '../stack.ts';

export const AUDIT_USAGE = `  audit verify [--from T --to T]
            Recompute hashes and chains, check every signature, certificate and digest; print every problem with
            its object; exit 1 on any problem.
  audit reconcile [--from T --to T]
            Verify the trail as verify does, then name every request whose records are incomplete (a lost
            group-committed record, an execution without its intent record, a crash mid-request); exit 1 if any.
  audit search [--from T --to T] [--principal P --table T --decision E --request ID] [--format jsonl|table]
            Find records: in the bucket, or with --bigquery-table PROJECT.DATASET.TABLE in the BigQuery audit table
            (the external table Terraform creates over the bucket). --table is a referenced table (dataset.table).
  audit report --from T --to T --out report.html
            One self-contained HTML report for auditors.
            Source:   --bucket B [--storage-endpoint URL] [--prefix v1/]   (default: the local stack's bucket)
            Key:      --kms-key-version NAME [--kms-endpoint HOST:PORT] | --public-key kms.pem
            T is an RFC 3339 time or date (2026-11-01, 2026-11-01T09:00:00Z).`;

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Progress lines (stderr); overwritten in place on a terminal. */
  progress: (line: string) => void;
}

const defaultIo: Io = {
  out: (l) => console.log(l),
  err: (l) => console.error(l),
  progress: (l) => {
    if (process.stderr.isTTY) process.stderr.write(`\r${l}\u001b[K`);
    else process.stderr.write(`${l}\n`);
  },
};

const OPTIONS = {
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
} as const;

/** Runs one audit command; returns the exit code (0 ok, 1 problems or failure, 2 usage). */
export async function auditCommand(args: string[], stateDir: string, io: Io = defaultIo): Promise<number> {
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true });
  } catch (err) {
    io.err(`warden audit: ${(err as Error).message}\n${AUDIT_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [verb, ...extra] = positionals;
  const usage = (m: string) => {
    io.err(`warden audit: ${m}\n${AUDIT_USAGE}`);
    return 2;
  };
  if (!verb || !['verify', 'reconcile', 'search', 'report'].includes(verb))
    return usage('verify, reconcile, search or report?');
  if (extra.length) return usage(`unexpected ${extra.join(' ')}`);
  let filter: AuditFilter;
  try {
    filter = validateFilter({
      ...(values.from ? { from: parseTime(values.from, 'start') } : {}),
      ...(values.to ? { to: parseTime(values.to, 'end') } : {}),
      ...(values.principal ? { principal: values.principal } : {}),
      ...(values.table ? { table: values.table } : {}),
      ...(values.decision ? { decision: values.decision } : {}),
      ...(values.request ? { request: values.request } : {}),
    });
  } catch (err) {
    return usage((err as Error).message);
  }
  const format = values.format ?? 'jsonl';
  if (!['jsonl', 'table'].includes(format)) return usage('--format is jsonl or table');
  if (verb === 'report' && (!values.out || !filter.from || !filter.to))
    return usage('report needs --from, --to and --out');
  try {
    const source = resolveSource(values, stateDir);
    if (verb === 'search' && values['bigquery-table']) {
      const limit = Number(values.limit ?? 1000);
      if (!Number.isInteger(limit) || limit < 1) return usage('--limit must be a positive integer');
      const records = await searchTable(source, values['bigquery-table'], filter, limit);
      printRecords(records, format, io);
      return 0;
    }
    const sink = await openSink(source);
    const range = { ...(filter.from ? { from: filter.from } : {}), ...(filter.to ? { to: filter.to } : {}) };
    let last = 0;
    const trail = await readTrail(sink, {
      range,
      prefix: source.prefix,
      onProgress: (read, total) => {
        if ((verb !== 'verify' && verb !== 'reconcile') || (read !== total && Date.now() - last < 500))
          return;
        last = Date.now();
        io.progress(`read ${read}/${total} objects`);
      },
    });
    if (verb === 'search') {
      printRecords(searchRecords(recordsIn(trail.objects), filter), format, io);
      return 0;
    }
    const pem = await publicKey(source);
    const report = verifyTrail(trail.objects, pem, {
      covers: trail.covers,
      complete: !filter.from && !filter.to,
      onProgress: (done, total) => {
        if (done !== total && Date.now() - last < 500) return;
        last = Date.now();
        io.progress(`verified ${done}/${total} objects`);
      },
    });
    if (verb === 'report') {
      const records = searchRecords(recordsIn(trail.objects), filter);
      const { renderAuditReport } = await import('./report.ts');
      writeFileSync(
        values.out!,
        renderAuditReport({ records, verification: report, from: filter.from!, to: filter.to! }),
      );
      io.out(
        `wrote ${values.out} (${records.length} records; verification ${report.ok ? 'passed' : 'FAILED'})`,
      );
      return report.ok ? 0 : 1;
    }
    printReport(report, io);
    if (verb === 'reconcile') {
      const incomplete = reconcileRequests(searchRecords(recordsIn(trail.objects), filter));
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
  } catch (err) {
    io.err(`warden audit: ${describe(err)}`);
    return 1;
  }
}

interface Source {
  bucket: string;
  prefix: string;
  projectId: string;
  /** Unset: Google's endpoints (and, for the key, --public-key). */
  storageEndpoint: string | undefined;
  kmsKeyVersion: string | undefined;
  kmsEndpoint: string | undefined;
  bigqueryEndpoint: string | undefined;
  publicKeyPath: string | undefined;
}

function resolveSource(values: Record<string, string | undefined>, stateDir: string): Source {
  let local: StackInfo | undefined;
  if (!values['bucket']) {
    try {
      local = JSON.parse(readFileSync(join(stateDir, 'stack.json'), 'utf8')) as StackInfo;
    } catch {
      throw new Error(
        `no --bucket given and no local stack in ${stateDir} (run "npm start", or pass --bucket)`,
      );
    }
  }
  return {
    bucket: values['bucket'] ?? local!.auditBucket,
    prefix: values['prefix'] ?? 'v1/',
    projectId: values['project'] ?? local?.projectId ?? process.env['GOOGLE_CLOUD_PROJECT'] ?? '',
    storageEndpoint: (values['storage-endpoint'] ?? local?.endpoints.storage) || undefined,
    kmsKeyVersion: (values['kms-key-version'] ?? local?.auditKeyVersion) || undefined,
    kmsEndpoint: (values['kms-endpoint'] ?? local?.endpoints.kms) || undefined,
    bigqueryEndpoint: (values['bigquery-endpoint'] ?? local?.endpoints.bigquery) || undefined,
    publicKeyPath: values['public-key'] || undefined,
  };
}

async function openSink(source: Source): Promise<AuditSink> {
  const storage = await createStorageClient(source.projectId || 'warden', source.storageEndpoint);
  return new GcsAuditSink(storage.bucket(source.bucket));
}

async function publicKey(source: Source): Promise<string> {
  if (source.publicKeyPath) return readFileSync(source.publicKeyPath, 'utf8');
  if (!source.kmsKeyVersion)
    throw new Error('pass --kms-key-version (the audit signing key version) or --public-key');
  return new KmsKeyService(await createKmsClient(source.kmsEndpoint)).getPublicKeyPem(source.kmsKeyVersion);
}

async function searchTable(
  source: Source,
  table: string,
  filter: AuditFilter,
  limit: number,
): Promise<AuditRecord[]> {
  const [project] = table.split('.');
  const bigquery = await createBigQueryClient(source.projectId || project!, source.bigqueryEndpoint);
  const { sql, params } = searchQuery(table, filter, limit);
  const result = await new BigQueryWarehouse(bigquery).execute(
    { projectId: source.projectId || project!, sql, params },
    { rowLimit: limit, labels: { 'warden-tool': 'audit-search' }, timeoutMs: 120_000 },
  );
  return result.rows.map((r) => recordFromSearchRow(String(r['record'])));
}

function printRecords(records: AuditRecord[], format: string, io: Io): void {
  if (format === 'jsonl') {
    for (const r of records) io.out(JSON.stringify(r));
    return;
  }
  io.out(['time', 'type', 'request', 'who', 'decision', 'tables'].join('\t'));
  for (const r of records) {
    const e = r.event as Record<string, unknown>;
    const who = (e['principal'] ?? e['requester'] ?? e['actor']) as
      | { email?: string; subject?: string; service?: string }
      | undefined;
    const decision = (e['decision'] as { effect?: string } | undefined)?.effect ?? '';
    const tables = ((e['query'] as { referencedTables?: string[] } | undefined)?.referencedTables ?? []).join(
      ',',
    );
    io.out(
      [
        r.time,
        e['type'],
        e['requestId'] ?? '',
        who?.email ?? who?.subject ?? who?.service ?? '',
        decision,
        tables,
      ].join('\t'),
    );
  }
  io.err(`${records.length} record(s)`);
}

function printReport(report: VerifyReport, io: Io): void {
  for (const p of report.problems)
    io.out(
      `PROBLEM ${p.kind} ${p.object}${p.stream ? ` stream=${p.stream}` : ''}${p.seq !== undefined ? ` seq=${p.seq}` : ''}: ${p.detail}`,
    );
  io.out(
    `${report.ok ? 'OK' : 'FAILED'}: ${report.records} records in ${report.streams.length} streams, ${report.digests} digests checked, ` +
      `${report.undigested.length} objects not yet digested, ${report.problems.length} problems`,
  );
}

/** An RFC 3339 time, or a date (its start for --from, its end for --to). */
export function parseTime(value: string, end: 'start' | 'end'): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const d = new Date(`${value}T00:00:00.000Z`);
    // --to 2026-11-01 means the whole day: up to its last millisecond.
    if (end === 'end') d.setTime(d.getTime() + 86_400_000 - 1);
    if (!Number.isNaN(d.getTime())) return d;
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    const d = new Date(value);
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw new Error(`"${value}" is not an RFC 3339 time or a date (e.g. 2026-11-01 or 2026-11-01T09:00:00Z)`);
}

function describe(err: unknown): string {
  if (isWardenError(err)) return err.message;
  return err instanceof Error ? err.message : String(err);
}
