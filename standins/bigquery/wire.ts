// DuckDB result values to BigQuery's JSON row format (`{f:[{v}]}`), column type by column type.

import type { DuckDBType, DuckDBValue } from '@duckdb/node-api';
import {
  type DuckDBBlobValue,
  type DuckDBDateValue,
  type DuckDBDecimalValue,
  type DuckDBGeometryValue,
  type DuckDBIntervalValue,
  DuckDBListType,
  DuckDBListValue,
  DuckDBStructType,
  type DuckDBStructValue,
  type DuckDBTimestampTZValue,
  type DuckDBTimestampValue,
  type DuckDBTimeValue,
  DuckDBTypeId,
} from '@duckdb/node-api';
import { fieldSchemaOfDuckType, scalarBigQueryType } from './types.ts';
import { wkbToWkt } from './wkb.ts';

/** A cell on the wire: `{v: ...}` where v is a string, null, an array of cells or a record. */
export interface WireCell {
  v: WireValue;
}
/** A value on the wire. */
export type WireValue = string | null | WireCell[] | WireRow;
/** A row (or RECORD value) on the wire. */
export interface WireRow {
  f: WireCell[];
}

/**
 * How TIMESTAMP values are sent, following the request's `formatOptions`: int64 microseconds (what the Node
 * client asks for), ISO-8601 strings, or BigQuery's historical default of floating-point seconds.
 */
export type TimestampFormat = 'int64' | 'iso' | 'float';

/** Converts one DuckDB value of a known type. */
export type ValueConverter = (value: DuckDBValue) => WireValue;

/** Picks the timestamp format from `formatOptions.useInt64Timestamp` / `formatOptions.timestampOutputFormat`. */
export function timestampFormatOf(useInt64Timestamp: unknown, outputFormat: unknown): TimestampFormat {
  if (outputFormat === 'ISO8601_STRING') return 'iso';
  if (outputFormat === 'INT64' || useInt64Timestamp === true || useInt64Timestamp === 'true') return 'int64';
  return 'float';
}

/** Builds a row converter for result columns of `types`. */
export function rowConverter(
  types: readonly DuckDBType[],
  format: TimestampFormat,
): (row: DuckDBValue[]) => WireRow {
  const converters = types.map((type) => converterFor(type, format));
  return (row) => ({ f: converters.map((convert, i) => ({ v: convert(row[i] ?? null) })) });
}

/** The converter for one DuckDB type (recursing into lists and structs). */
export function converterFor(type: DuckDBType, format: TimestampFormat): ValueConverter {
  if (type instanceof DuckDBListType || type.typeId === DuckDBTypeId.ARRAY) {
    return listConverter(type as DuckDBListType, format);
  }
  if (type instanceof DuckDBStructType) return structConverter(type, format);
  const scalar = scalarConverter(type, format);
  return (value) => (value === null ? null : scalar(value));
}

function listConverter(type: DuckDBListType, format: TimestampFormat): ValueConverter {
  const nested =
    fieldSchemaOfDuckType('', type).type === 'STRING' && type.valueType.typeId === DuckDBTypeId.LIST;
  const item = nested
    ? (v: DuckDBValue) => (v === null ? null : String(v))
    : converterFor(type.valueType, format);
  return (value) => {
    if (value === null) return [];
    const items =
      value instanceof DuckDBListValue ? value.items : ((value as { items?: DuckDBValue[] }).items ?? []);
    return items.map((v) => ({ v: item(v) }));
  };
}

function structConverter(type: DuckDBStructType, format: TimestampFormat): ValueConverter {
  const converters = type.entryTypes.map((t) => converterFor(t, format));
  return (value) => {
    if (value === null) return null;
    const entries = (value as DuckDBStructValue).entries;
    return {
      f: type.entryNames.map((name, i) => ({ v: (converters[i] as ValueConverter)(entries[name] ?? null) })),
    };
  };
}

function scalarConverter(type: DuckDBType, format: TimestampFormat): (value: DuckDBValue) => string {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return (v) => (v ? 'true' : 'false');
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return (v) => formatFloat(Number(v));
    case DuckDBTypeId.DECIMAL:
      return (v) => formatDecimal(v as DuckDBDecimalValue);
    case DuckDBTypeId.BLOB:
      return (v) => Buffer.from((v as DuckDBBlobValue).bytes).toString('base64');
    case DuckDBTypeId.DATE:
      return (v) => formatDate((v as DuckDBDateValue).days);
    case DuckDBTypeId.TIME:
      return (v) => formatTimeOfDay((v as DuckDBTimeValue).micros);
    case DuckDBTypeId.TIMESTAMP:
      return (v) => formatDatetime((v as DuckDBTimestampValue).micros);
    case DuckDBTypeId.TIMESTAMP_TZ:
      return (v) => formatTimestamp((v as DuckDBTimestampTZValue).micros, format);
    case DuckDBTypeId.INTERVAL:
      return (v) => formatInterval(v as DuckDBIntervalValue);
    case DuckDBTypeId.GEOMETRY:
      return (v) => wkbToWkt((v as DuckDBGeometryValue).bytes);
    default:
      return scalarBigQueryType(type) === 'BYTES'
        ? (v) => Buffer.from(String(v)).toString('base64')
        : (v) => String(v);
  }
}

/** Doubles as BigQuery sends them: shortest round-trip text, `NaN`, `Infinity`, `-Infinity`. */
export function formatFloat(value: number): string {
  return String(value);
}

/** A DECIMAL without trailing fractional zeros, e.g. `1.500000000` → `1.5`. */
export function formatDecimal(value: DuckDBDecimalValue): string {
  const text = value.toString();
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

const MICROS_PER_DAY = 86_400_000_000n;

/** `YYYY-MM-DD` for days since the epoch. */
export function formatDate(days: number): string {
  return isoDate(new Date(days * 86_400_000));
}

function isoDate(date: Date): string {
  const year = date.getUTCFullYear();
  const yyyy = year < 0 ? `-${String(-year).padStart(4, '0')}` : String(year).padStart(4, '0');
  return `${yyyy}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** `HH:MM:SS[.ffffff]` for microseconds since midnight. */
export function formatTimeOfDay(micros: bigint): string {
  const seconds = micros / 1_000_000n;
  const fraction = micros % 1_000_000n;
  const hms = `${pad(Number(seconds / 3600n))}:${pad(Number((seconds / 60n) % 60n))}:${pad(Number(seconds % 60n))}`;
  return fraction === 0n ? hms : `${hms}.${String(fraction).padStart(6, '0')}`;
}

/** `YYYY-MM-DDTHH:MM:SS[.ffffff]` for microseconds since the epoch (a DATETIME). */
export function formatDatetime(micros: bigint): string {
  const { days, timeOfDay } = splitMicros(micros);
  return `${formatDate(Number(days))}T${formatTimeOfDay(timeOfDay)}`;
}

function splitMicros(micros: bigint): { days: bigint; timeOfDay: bigint } {
  let days = micros / MICROS_PER_DAY;
  let timeOfDay = micros % MICROS_PER_DAY;
  if (timeOfDay < 0n) {
    days -= 1n;
    timeOfDay += MICROS_PER_DAY;
  }
  return { days, timeOfDay };
}

/** A TIMESTAMP in the requested wire format. */
export function formatTimestamp(micros: bigint, format: TimestampFormat): string {
  if (format === 'int64') return micros.toString();
  if (format === 'iso') {
    const { days, timeOfDay } = splitMicros(micros);
    const fraction = timeOfDay % 1_000_000n;
    const hms = formatTimeOfDay(timeOfDay - fraction);
    return `${formatDate(Number(days))}T${hms}.${String(fraction).padStart(6, '0')}Z`;
  }
  const negative = micros < 0n;
  const abs = negative ? -micros : micros;
  return `${negative ? '-' : ''}${abs / 1_000_000n}.${String(abs % 1_000_000n).padStart(6, '0')}`;
}

/** BigQuery's canonical INTERVAL text, `Y-M D H:M:S[.F]`. */
export function formatInterval(value: DuckDBIntervalValue): string {
  const years = Math.trunc(value.months / 12);
  const months = value.months % 12;
  const negative = value.micros < 0n;
  const abs = negative ? -value.micros : value.micros;
  const seconds = abs / 1_000_000n;
  const fraction = abs % 1_000_000n;
  const time = `${negative ? '-' : ''}${seconds / 3600n}:${(seconds / 60n) % 60n}:${seconds % 60n}`;
  const frac = fraction === 0n ? '' : `.${String(fraction).padStart(6, '0').replace(/0+$/, '')}`;
  return `${years}-${Math.abs(months)} ${value.days} ${time}${frac}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
