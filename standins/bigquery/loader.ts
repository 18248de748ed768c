// Creates the seeded projects (DuckDB catalogs), datasets (schemas) and tables, and bulk-loads their rows.

import type { DuckDBConnection, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import {
  BIGINT,
  BLOB,
  BOOLEAN,
  DECIMAL,
  DOUBLE,
  DuckDBBlobValue,
  DuckDBDataChunk,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBStructValue,
  DuckDBTimestampTZValue,
  LIST,
  STRUCT,
  TIMESTAMPTZ,
  VARCHAR,
} from '@duckdb/node-api';
import type { DatasetSeed, FieldSeed, ProjectSeed, SeedValue, TableSeed } from './seed.ts';
import { duckTypeOfField, quoteIdent } from './types.ts';

/** Rows appended per DuckDB data chunk (DuckDB's standard vector size). */
const CHUNK_ROWS = 2048;

/** How one column's seed values are handed to DuckDB: a staging type the appender casts from, and a converter. */
interface ColumnLoader {
  type: DuckDBType;
  convert: (value: SeedValue, where: () => string) => DuckDBValue;
}

/** Creates every catalog, schema and table of `seeds` and appends their rows; returns the rows loaded. */
export async function loadSeeds(
  connection: DuckDBConnection,
  seeds: readonly ProjectSeed[],
): Promise<number> {
  let rows = 0;
  for (const project of seeds) {
    await connection.run(`ATTACH ':memory:' AS ${quoteIdent(project.projectId)}`);
    for (const dataset of project.datasets) rows += await loadDataset(connection, project.projectId, dataset);
  }
  return rows;
}

async function loadDataset(
  connection: DuckDBConnection,
  projectId: string,
  dataset: DatasetSeed,
): Promise<number> {
  await connection.run(`CREATE SCHEMA ${quoteIdent(projectId)}.${quoteIdent(dataset.datasetId)}`);
  let rows = 0;
  for (const table of dataset.tables) {
    await connection.run(createTableSql(projectId, dataset.datasetId, table));
    await appendRows(connection, projectId, dataset.datasetId, table);
    rows += table.rows.length;
  }
  return rows;
}

/** The CREATE TABLE statement for a seeded table (REQUIRED columns are NOT NULL). */
export function createTableSql(projectId: string, datasetId: string, table: TableSeed): string {
  if (table.schema.length === 0)
    throw new Error(`Seed table ${projectId}.${datasetId}.${table.tableId} has no columns`);
  const columns = table.schema.map(
    (f) => `${quoteIdent(f.name)} ${duckTypeOfField(f)}${f.mode === 'REQUIRED' ? ' NOT NULL' : ''}`,
  );
  return `CREATE TABLE ${[projectId, datasetId, table.tableId].map(quoteIdent).join('.')} (${columns.join(', ')})`;
}

async function appendRows(
  connection: DuckDBConnection,
  projectId: string,
  datasetId: string,
  table: TableSeed,
): Promise<void> {
  if (table.rows.length === 0) return;
  const loaders = table.schema.map(columnLoader);
  const types = loaders.map((l) => l.type);
  const appender = await connection.createAppender(table.tableId, datasetId, projectId);
  try {
    for (let offset = 0; offset < table.rows.length; offset += CHUNK_ROWS) {
      const slice = table.rows.slice(offset, offset + CHUNK_ROWS);
      const columns = columnsOf(slice, offset, table, loaders);
      const chunk = DuckDBDataChunk.create(types, slice.length);
      chunk.setColumns(columns);
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } catch (err) {
    throw new Error(`Loading ${projectId}.${datasetId}.${table.tableId}: ${(err as Error).message}`, {
      cause: err,
    });
  } finally {
    appender.closeSync();
  }
}

function columnsOf(
  rows: readonly SeedValue[][],
  offset: number,
  table: TableSeed,
  loaders: readonly ColumnLoader[],
): DuckDBValue[][] {
  const columns: DuckDBValue[][] = loaders.map(() => new Array(rows.length));
  rows.forEach((row, r) => {
    if (row.length !== loaders.length) {
      throw new Error(
        `row ${offset + r} has ${row.length} values but the schema has ${loaders.length} columns`,
      );
    }
    loaders.forEach((loader, c) => {
      const where = () => `row ${offset + r}, column ${table.schema[c]?.name}`;
      (columns[c] as DuckDBValue[])[r] = loader.convert(row[c] ?? null, where);
    });
  });
  return columns;
}

/** The staging type and converter for a field; REPEATED and RECORD recurse. */
export function columnLoader(field: FieldSeed): ColumnLoader {
  const element = field.type === 'RECORD' ? recordLoader(field.fields ?? []) : scalarLoader(field);
  if (field.mode !== 'REPEATED') return element;
  return {
    type: LIST(element.type),
    convert: (value, where) => {
      if (value === null) return new DuckDBListValue([]);
      if (!Array.isArray(value)) throw new Error(`${where()}: a REPEATED value must be an array`);
      return new DuckDBListValue(value.map((v) => element.convert(v, where)));
    },
  };
}

function recordLoader(fields: readonly FieldSeed[]): ColumnLoader {
  const loaders = fields.map((f) => [f.name, columnLoader(f)] as const);
  return {
    type: STRUCT(Object.fromEntries(loaders.map(([name, l]) => [name, l.type]))),
    convert: (value, where) => {
      if (value === null) return null;
      if (
        typeof value !== 'object' ||
        Array.isArray(value) ||
        value instanceof Date ||
        value instanceof Uint8Array
      ) {
        throw new Error(`${where()}: a RECORD value must be a plain object`);
      }
      const record = value as { [k: string]: SeedValue };
      return new DuckDBStructValue(
        Object.fromEntries(loaders.map(([name, l]) => [name, l.convert(record[name] ?? null, where)])),
      );
    },
  };
}

function scalarLoader(field: FieldSeed): ColumnLoader {
  switch (field.type) {
    case 'INTEGER':
      return { type: BIGINT, convert: nullable(toBigInt) };
    case 'FLOAT':
      return { type: DOUBLE, convert: nullable((v) => Number(v)) };
    case 'BOOLEAN':
      return { type: BOOLEAN, convert: nullable((v) => v === true || v === 'true') };
    case 'BYTES':
      return { type: BLOB, convert: nullable(toBlob) };
    case 'NUMERIC':
      return { type: DECIMAL(38, 9), convert: nullable((v) => decimalOf(v, 9)) };
    case 'BIGNUMERIC':
      return { type: DECIMAL(38, 18), convert: nullable((v) => decimalOf(v, 18)) };
    case 'TIMESTAMP':
      return { type: TIMESTAMPTZ, convert: nullable((v) => new DuckDBTimestampTZValue(timestampMicros(v))) };
    case 'JSON':
      return {
        type: VARCHAR,
        convert: nullable((v) => (typeof v === 'string' ? v : JSON.stringify(v, jsonReplacer))),
      };
    default:
      return { type: VARCHAR, convert: nullable((v) => String(v)) };
  }
}

function nullable(convert: (value: SeedValue, where: () => string) => DuckDBValue): ColumnLoader['convert'] {
  return (value, where) => {
    if (value === null || value === undefined) return null;
    try {
      return convert(value, where);
    } catch (err) {
      throw new Error(`${where()}: ${(err as Error).message}`, { cause: err });
    }
  };
}

function toBigInt(value: SeedValue): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && !Number.isSafeInteger(value))
    throw new Error(`${value} is not a safe integer; use a bigint`);
  return BigInt(value as number | string);
}

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/** An exact DECIMAL(38, scale) from a decimal string, bigint or number (no exponent notation). */
export function decimalOf(value: SeedValue, scale: number): DuckDBDecimalValue {
  const text = typeof value === 'number' ? numberText(value, scale) : String(value).trim();
  const match = DECIMAL_TEXT.exec(text);
  if (!match || (match[2] === '' && !match[3])) throw new Error(`${text} is not a decimal number`);
  const [, sign = '', whole = '', fraction = ''] = match;
  if (fraction.replace(/0+$/, '').length > scale)
    throw new Error(`${text} has more than ${scale} fractional digits`);
  const scaled = BigInt(`${sign}${whole || '0'}${fraction.padEnd(scale, '0')}`);
  if ((scaled < 0n ? -scaled : scaled) >= 10n ** 38n)
    throw new Error(`${text} is out of range for DECIMAL(38, ${scale})`);
  return new DuckDBDecimalValue(scaled, 38, scale);
}

/** A number as a plain decimal rounded to `scale` digits (as BigQuery rounds NUMERIC input). */
function numberText(value: number, scale: number): string {
  if (!Number.isFinite(value) || Math.abs(value) >= 1e21)
    throw new Error(`${value} is not a decimal in range`);
  return value.toFixed(scale);
}

const TIMESTAMP_TEXT =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Microseconds since the epoch of a `Date` or an ISO-8601 timestamp string (no zone means UTC). */
export function timestampMicros(value: SeedValue): bigint {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new Error('invalid Date');
    return BigInt(value.getTime()) * 1000n;
  }
  const match = TIMESTAMP_TEXT.exec(String(value));
  if (!match)
    throw new Error(
      `${String(value)} is not a timestamp (use a Date or YYYY-MM-DDTHH:MM:SS[.ffffff][Z|±HH:MM])`,
    );
  const [, y, mo, d, h, mi, sec, fraction = '', zone = 'Z'] = match;
  const seconds = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec)) / 1000;
  return BigInt(seconds - zoneOffsetSeconds(zone)) * 1_000_000n + BigInt(fraction.padEnd(6, '0'));
}

function zoneOffsetSeconds(zone: string): number {
  if (/^(Z|UTC)$/i.test(zone)) return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2, 4) || '0') * 60);
}

function toBlob(value: SeedValue): DuckDBBlobValue {
  if (value instanceof Uint8Array) return new DuckDBBlobValue(value);
  if (typeof value === 'string') return new DuckDBBlobValue(Buffer.from(value, 'base64'));
  throw new Error('a BYTES value must be a Uint8Array (or a base64 string)');
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
