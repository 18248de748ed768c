// Audit search: one filter, applied in memory to records read from the bucket (local mode) or compiled to a
// parameterized query over the BigQuery external table on the same objects (deployed mode).

import type { QueryParameter } from '../../ports/warehouse.ts';
import { WardenError } from '../errors.ts';
import { type AuditRecord, decisionOf, identitiesOf, parse, queryOf } from './schema.ts';

export interface AuditFilter {
  from?: Date;
  to?: Date;
  /** Email or subject of the caller, the person acted for, the requester or the reviewer. */
  principal?: string;
  /** A referenced table: `project.dataset.table`, or `dataset.table` in any project. */
  table?: string;
  /** A decision's effect: allow, deny or require_approval. */
  decision?: string;
  /** A request id. */
  request?: string;
}

const EFFECTS = new Set(['allow', 'deny', 'require_approval']);

/** Rejects a filter that cannot match what it means to (bad dates, unknown effects, odd table names). */
export function validateFilter(f: AuditFilter): AuditFilter {
  if (f.from && Number.isNaN(f.from.getTime()))
    throw new WardenError('invalid_argument', '--from is not a date.');
  if (f.to && Number.isNaN(f.to.getTime())) throw new WardenError('invalid_argument', '--to is not a date.');
  if (f.from && f.to && f.from > f.to) throw new WardenError('invalid_argument', '--from is after --to.');
  if (f.decision && !EFFECTS.has(f.decision))
    throw new WardenError('invalid_argument', '--decision is one of allow, deny, require_approval.');
  if (f.table && !/^[\w-]+(\.[\w-]+){1,2}$/.test(f.table))
    throw new WardenError('invalid_argument', '--table is dataset.table or project.dataset.table.');
  return f;
}

/** True when a record matches every given part of the filter. */
export function matchesFilter(record: AuditRecord, f: AuditFilter): boolean {
  const t = Date.parse(record.time);
  if (f.from && t < f.from.getTime()) return false;
  if (f.to && t > f.to.getTime()) return false;
  const event = record.event;
  if (f.request && event.requestId !== f.request) return false;
  if (f.decision && decisionOf(event)?.effect !== f.decision) return false;
  if (f.principal) {
    const who = f.principal.toLowerCase();
    const hit = identitiesOf(event).some(
      (i) => (i.email ?? '').toLowerCase() === who || i.subject === f.principal,
    );
    if (!hit) return false;
  }
  if (f.table) {
    const tables = queryOf(event)?.referencedTables;
    const want = f.table.toLowerCase();
    const hit = tables?.some((x) => {
      const name = x.toLowerCase();
      return name === want || name.endsWith(`.${want}`);
    });
    if (!hit) return false;
  }
  return true;
}

/** Records matching the filter, in time order. */
export function searchRecords(records: AuditRecord[], f: AuditFilter): AuditRecord[] {
  return records
    .filter((r) => matchesFilter(r, f))
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.seq - b.seq));
}

/**
 * The object names a search may read rows from: record objects as `layout.ts` writes them, under any bucket
 * and prefix. Anything else the table's `streams/*` source URI matches (a forged object under another name) is
 * outside the layout, never searched, and reported by `warden audit verify` (`outside-layout`).
 */
export const RECORD_OBJECT_PATTERN = String.raw`/streams/\d{4}/\d{2}/\d{2}/\d{2}/[A-Za-z0-9._-]+/\d{12}\.jsonl$`;

/**
 * The same search as a BigQuery query over the audit external table (columns v, stream, seq, prev, time
 * TIMESTAMP, event JSON, sig; see terraform/modules/audit). Values travel as named parameters, never as SQL.
 * Only rows of objects named as the layout names record objects are read: the external table's `_FILE_NAME`
 * pseudo-column (the row's gs:// object path; BigQuery "Query Cloud Storage data in external tables").
 */
export function searchQuery(
  table: string,
  f: AuditFilter,
  limit: number,
): { sql: string; params: QueryParameter[] } {
  if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(table))
    throw new WardenError('invalid_argument', 'The audit table is project.dataset.table.');
  const where: string[] = ['REGEXP_CONTAINS(_FILE_NAME, @record_object_pattern)'];
  const params: QueryParameter[] = [
    { name: 'record_object_pattern', type: 'STRING', value: RECORD_OBJECT_PATTERN },
  ];
  if (f.from) {
    where.push('time >= @from_time');
    params.push({ name: 'from_time', type: 'TIMESTAMP', value: sqlTimestamp(f.from) });
  }
  if (f.to) {
    where.push('time <= @to_time');
    params.push({ name: 'to_time', type: 'TIMESTAMP', value: sqlTimestamp(f.to) });
  }
  if (f.request) {
    where.push("JSON_VALUE(event, '$.requestId') = @request_id");
    params.push({ name: 'request_id', type: 'STRING', value: f.request });
  }
  if (f.decision) {
    where.push("JSON_VALUE(event, '$.decision.effect') = @effect");
    params.push({ name: 'effect', type: 'STRING', value: f.decision });
  }
  if (f.principal) {
    const paths = ['$.principal', '$.principal.onBehalfOf', '$.requester', '$.onBehalfOf', '$.actor'];
    where.push(
      `(${paths
        .flatMap((p) => [
          `LOWER(JSON_VALUE(event, '${p}.email')) = LOWER(@principal)`,
          `JSON_VALUE(event, '${p}.subject') = @principal`,
        ])
        .join(' OR ')})`,
    );
    params.push({ name: 'principal', type: 'STRING', value: f.principal });
  }
  if (f.table) {
    where.push(
      "EXISTS (SELECT 1 FROM UNNEST(JSON_VALUE_ARRAY(event, '$.query.referencedTables')) AS t " +
        "WHERE LOWER(t) = LOWER(@table_name) OR ENDS_WITH(LOWER(t), CONCAT('.', LOWER(@table_name))))",
    );
    params.push({ name: 'table_name', type: 'STRING', value: f.table });
  }
  const sql =
    `SELECT TO_JSON_STRING(STRUCT(v, stream, seq, prev, time, event, sig)) AS record FROM \`${table}\`` +
    ` WHERE ${where.join(' AND ')}` +
    ` ORDER BY time, stream, seq LIMIT ${Math.max(1, Math.floor(limit))}`;
  return { sql, params };
}

/**
 * A record from a row of {@link searchQuery} (its `record` column, JSON), read through `parse` (schema.ts), so
 * a row that is not a record this build reads fails with the field named. `sig` is NULL in the table only for
 * a line stripped of its signature; the record then has no `sig`, as in the bucket (verify reports `unsigned`).
 */
export function recordFromSearchRow(json: string): AuditRecord {
  const row = JSON.parse(json) as { sig?: string | null };
  if (row.sig === null) delete row.sig;
  return parse(row);
}

/** A TIMESTAMP parameter value in BigQuery's canonical form (`2026-03-01 10:30:00.000+00:00`). */
function sqlTimestamp(t: Date): string {
  return `${t.toISOString().replace('T', ' ').replace('Z', '')}+00:00`;
}
