// Converts BigQuery's REST row format (`{f:[{v}]}` with `formatOptions.useInt64Timestamp`) into JSON-safe
// values without losing precision: INT64, NUMERIC and BIGNUMERIC stay decimal strings.

import type { Cell, ColumnSchema } from '../../../shared/ports/warehouse.ts';

/** A row as the REST API returns it. */
export interface WireRow {
  f: { v: unknown }[];
}

/** Converts wire rows with their schema into records keyed by column name. */
export function decodeRows(schema: ColumnSchema[], rows: WireRow[]): Record<string, Cell>[] {
  return rows.map((row) => decodeRecord(schema, row));
}

function decodeRecord(fields: ColumnSchema[], row: WireRow): Record<string, Cell> {
  const out: Record<string, Cell> = {};
  for (const [i, field] of fields.entries()) out[field.name] = decodeField(field, row.f[i]?.v ?? null);
  return out;
}

function decodeField(field: ColumnSchema, v: unknown): Cell {
  if (v === null || v === undefined) return field.mode === 'REPEATED' ? [] : null;
  if (field.mode === 'REPEATED') return (v as { v: unknown }[]).map((item) => decodeScalar(field, item.v));
  return decodeScalar(field, v);
}

function decodeScalar(field: ColumnSchema, v: unknown): Cell {
  if (v === null || v === undefined) return null;
  switch (field.type) {
    case 'RECORD':
    case 'STRUCT':
      return decodeRecord(field.fields ?? [], v as WireRow);
    case 'FLOAT':
    case 'FLOAT64': {
      const n = Number(v);
      // NaN and infinities have no JSON number form; keep BigQuery's spelling.
      return Number.isFinite(n) ? n : String(v);
    }
    case 'BOOLEAN':
    case 'BOOL':
      return v === 'true' || v === true;
    case 'TIMESTAMP':
      return timestampFromMicros(String(v));
    default:
      // INTEGER, NUMERIC, BIGNUMERIC, STRING, BYTES (base64), DATE, TIME, DATETIME, GEOGRAPHY (WKT), JSON.
      return String(v);
  }
}

/** Microseconds since the epoch (decimal string) → RFC 3339 UTC with microsecond precision. */
export function timestampFromMicros(micros: string): string {
  if (!/^-?\d+$/.test(micros)) return micros;
  const us = BigInt(micros);
  const ms = us / 1000n - (us % 1000n < 0n ? 1n : 0n);
  const sub = ((us % 1_000_000n) + 1_000_000n) % 1_000_000n;
  const iso = new Date(Number(ms)).toISOString();
  return `${iso.slice(0, 19)}.${String(sub).padStart(6, '0')}Z`;
}
