// The mapping between BigQuery column types and the DuckDB types that store and compute them.

import type { DuckDBType } from '@duckdb/node-api';
import { DuckDBDecimalType, DuckDBListType, DuckDBStructType, DuckDBTypeId } from '@duckdb/node-api';
import type { BigQueryType, FieldSeed } from './seed.ts';

/** A `schema.fields[]` entry as the REST API reports it. */
export interface TableFieldSchema {
  name: string;
  type: BigQueryType | 'INTERVAL';
  mode: 'NULLABLE' | 'REQUIRED' | 'REPEATED';
  description?: string;
  policyTags?: { names: string[] };
  fields?: TableFieldSchema[];
}

/**
 * DuckDB storage of each BigQuery type. NUMERIC is exact (38, 9). BIGNUMERIC is DECIMAL(38, 18): exact, but
 * limited to 20 integer and 18 fractional digits (BigQuery allows ~77 digits). GEOGRAPHY is DuckDB's core
 * GEOMETRY (planar, WKT in and out). TIMESTAMP is TIMESTAMPTZ in a UTC session; DATETIME is TIMESTAMP.
 */
const DUCK_SCALAR: Record<Exclude<BigQueryType, 'RECORD'>, string> = {
  STRING: 'VARCHAR',
  BYTES: 'BLOB',
  INTEGER: 'BIGINT',
  FLOAT: 'DOUBLE',
  NUMERIC: 'DECIMAL(38, 9)',
  BIGNUMERIC: 'DECIMAL(38, 18)',
  BOOLEAN: 'BOOLEAN',
  TIMESTAMP: 'TIMESTAMPTZ',
  DATE: 'DATE',
  TIME: 'TIME',
  DATETIME: 'TIMESTAMP',
  GEOGRAPHY: 'GEOMETRY',
  JSON: 'JSON',
};

/** GoogleSQL type names (standard and legacy spellings) to the BigQuery type they denote. */
const GOOGLESQL_NAMES: Record<string, Exclude<BigQueryType, 'RECORD'>> = {
  STRING: 'STRING',
  BYTES: 'BYTES',
  INT64: 'INTEGER',
  INT: 'INTEGER',
  INTEGER: 'INTEGER',
  SMALLINT: 'INTEGER',
  BIGINT: 'INTEGER',
  TINYINT: 'INTEGER',
  BYTEINT: 'INTEGER',
  FLOAT64: 'FLOAT',
  FLOAT: 'FLOAT',
  NUMERIC: 'NUMERIC',
  DECIMAL: 'NUMERIC',
  BIGNUMERIC: 'BIGNUMERIC',
  BIGDECIMAL: 'BIGNUMERIC',
  BOOL: 'BOOLEAN',
  BOOLEAN: 'BOOLEAN',
  TIMESTAMP: 'TIMESTAMP',
  DATE: 'DATE',
  TIME: 'TIME',
  DATETIME: 'DATETIME',
  GEOGRAPHY: 'GEOGRAPHY',
  JSON: 'JSON',
};

/** Quotes an identifier for DuckDB. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The DuckDB column type for a seed field, including REPEATED (list) and RECORD (struct). */
export function duckTypeOfField(field: FieldSeed): string {
  const base = field.type === 'RECORD' ? duckStructOf(field.fields ?? []) : DUCK_SCALAR[field.type];
  return field.mode === 'REPEATED' ? `${base}[]` : base;
}

function duckStructOf(fields: readonly FieldSeed[]): string {
  if (fields.length === 0) throw new Error('A RECORD field needs at least one sub-field');
  return `STRUCT(${fields.map((f) => `${quoteIdent(f.name)} ${duckTypeOfField(f)}`).join(', ')})`;
}

/** The DuckDB type for a scalar GoogleSQL type name (`INT64`, `STRING`, …), or undefined if not a scalar type. */
export function duckTypeOfGoogleSqlName(name: string): string | undefined {
  const type = GOOGLESQL_NAMES[name.toUpperCase()];
  return type ? DUCK_SCALAR[type] : undefined;
}

/** The BigQuery type a GoogleSQL scalar type name denotes (`INT64` → `INTEGER`), or undefined. */
export function bigQueryTypeOfGoogleSqlName(name: string): Exclude<BigQueryType, 'RECORD'> | undefined {
  return GOOGLESQL_NAMES[name.toUpperCase()];
}

/** The schema entry of a seed field, as `tables.get` returns it. */
export function fieldSchemaOfSeed(field: FieldSeed): TableFieldSchema {
  return {
    name: field.name,
    type: field.type,
    mode: field.mode ?? 'NULLABLE',
    ...(field.description !== undefined ? { description: field.description } : {}),
    ...(field.policyTags?.length ? { policyTags: { names: [...field.policyTags] } } : {}),
    ...(field.type === 'RECORD' ? { fields: (field.fields ?? []).map(fieldSchemaOfSeed) } : {}),
  };
}

/** The schema entry BigQuery would report for a DuckDB result column of type `type`. */
export function fieldSchemaOfDuckType(name: string, type: DuckDBType): TableFieldSchema {
  if (type instanceof DuckDBListType || type.typeId === DuckDBTypeId.ARRAY) {
    const element = (type as DuckDBListType).valueType;
    const inner = fieldSchemaOfDuckType(name, element);
    // BigQuery has no arrays of arrays; a nested list is reported (and sent) as a JSON-like string.
    return inner.mode === 'REPEATED'
      ? { name, type: 'STRING', mode: 'REPEATED' }
      : { ...inner, mode: 'REPEATED' };
  }
  if (type instanceof DuckDBStructType) {
    const fields = type.entryNames.map((entry, i) =>
      fieldSchemaOfDuckType(entry, type.entryTypes[i] as DuckDBType),
    );
    return { name, type: 'RECORD', mode: 'NULLABLE', fields };
  }
  return { name, type: scalarBigQueryType(type), mode: 'NULLABLE' };
}

/** The BigQuery scalar type a DuckDB scalar type is reported as. */
export function scalarBigQueryType(type: DuckDBType): TableFieldSchema['type'] {
  if (type.alias?.toUpperCase() === 'JSON') return 'JSON';
  if (type instanceof DuckDBDecimalType)
    return isNumericRange(type.width, type.scale) ? 'NUMERIC' : 'BIGNUMERIC';
  return SCALAR_BY_TYPE_ID[type.typeId] ?? 'STRING';
}

/** True when DECIMAL(width, scale) fits BigQuery NUMERIC (29 integer digits, 9 fractional). */
function isNumericRange(width: number, scale: number): boolean {
  return scale <= 9 && width - scale <= 29;
}

const SCALAR_BY_TYPE_ID: Partial<Record<DuckDBTypeId, TableFieldSchema['type']>> = {
  [DuckDBTypeId.BOOLEAN]: 'BOOLEAN',
  [DuckDBTypeId.TINYINT]: 'INTEGER',
  [DuckDBTypeId.SMALLINT]: 'INTEGER',
  [DuckDBTypeId.INTEGER]: 'INTEGER',
  [DuckDBTypeId.BIGINT]: 'INTEGER',
  [DuckDBTypeId.UTINYINT]: 'INTEGER',
  [DuckDBTypeId.USMALLINT]: 'INTEGER',
  [DuckDBTypeId.UINTEGER]: 'INTEGER',
  [DuckDBTypeId.UBIGINT]: 'INTEGER',
  [DuckDBTypeId.HUGEINT]: 'INTEGER',
  [DuckDBTypeId.UHUGEINT]: 'INTEGER',
  [DuckDBTypeId.BIGNUM]: 'INTEGER',
  [DuckDBTypeId.SQLNULL]: 'INTEGER',
  [DuckDBTypeId.INTEGER_LITERAL]: 'INTEGER',
  [DuckDBTypeId.FLOAT]: 'FLOAT',
  [DuckDBTypeId.DOUBLE]: 'FLOAT',
  [DuckDBTypeId.VARCHAR]: 'STRING',
  [DuckDBTypeId.STRING_LITERAL]: 'STRING',
  [DuckDBTypeId.BLOB]: 'BYTES',
  [DuckDBTypeId.DATE]: 'DATE',
  [DuckDBTypeId.TIME]: 'TIME',
  [DuckDBTypeId.TIME_NS]: 'TIME',
  [DuckDBTypeId.TIME_TZ]: 'TIME',
  [DuckDBTypeId.TIMESTAMP]: 'DATETIME',
  [DuckDBTypeId.TIMESTAMP_S]: 'DATETIME',
  [DuckDBTypeId.TIMESTAMP_MS]: 'DATETIME',
  [DuckDBTypeId.TIMESTAMP_NS]: 'DATETIME',
  [DuckDBTypeId.TIMESTAMP_TZ]: 'TIMESTAMP',
  [DuckDBTypeId.INTERVAL]: 'INTERVAL',
  [DuckDBTypeId.GEOMETRY]: 'GEOGRAPHY',
};
