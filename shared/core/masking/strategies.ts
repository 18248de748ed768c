// Column masking strategies: BigQuery dynamic data masking parity plus Safe Harbor generalisations.

import { hash } from 'node:crypto';
import type { Cell } from '../../ports/warehouse.ts';
import { shiftDate, truncateToYear, yearOf } from './dates.ts';
import type { MaskingStrategy } from './profile.ts';

/** Three-digit ZIP prefixes Safe Harbor requires to be written as 000 (20,000 people or fewer, 2000 Census). */
export const RESTRICTED_ZIP3: ReadonlySet<string> = new Set([
  '036',
  '059',
  '063',
  '102',
  '203',
  '556',
  '692',
  '790',
  '821',
  '823',
  '830',
  '831',
  '878',
  '879',
  '884',
  '890',
  '893',
]);

/** What strategies need beyond the value: the keyed hash, the reference year, and the row's date shift. */
export interface StrategyEnv {
  /** HMAC-SHA256 of `text` under the masking key, lower-case hex. */
  hmac(text: string): string;
  /** Year the result is produced in, for Safe Harbor's ages-over-89 rule; undefined if unknown. */
  asOfYear: number | undefined;
}

/** Masks one scalar cell of a column; `row` is the whole (unmasked) row, for per-patient date shifts. */
export type CellMasker = (value: Cell, row: Readonly<Record<string, Cell>>) => Cell;

/** Normalises BigQuery type aliases: INTEGER → INT64, FLOAT → FLOAT64, BOOLEAN → BOOL, RECORD → STRUCT. */
export function canonicalType(type: string): string {
  const t = type.toUpperCase();
  switch (t) {
    case 'INTEGER':
      return 'INT64';
    case 'FLOAT':
      return 'FLOAT64';
    case 'BOOLEAN':
      return 'BOOL';
    case 'RECORD':
      return 'STRUCT';
    default:
      return t;
  }
}

/**
 * BigQuery's default masking value for a type, as a result cell: '' for STRING and BYTES, '0' for INT64 and
 * NUMERIC (decimal strings), 0 for FLOAT64, false, 1970-01-01 dates, midnight, POINT(0 0); JSON gets null.
 */
export function defaultValue(type: string): Cell {
  switch (canonicalType(type)) {
    case 'STRING':
    case 'BYTES':
      return '';
    case 'INT64':
    case 'NUMERIC':
    case 'BIGNUMERIC':
      return '0';
    case 'FLOAT64':
      return 0;
    case 'BOOL':
      return false;
    case 'DATE':
      return '1970-01-01';
    case 'DATETIME':
      return '1970-01-01T00:00:00';
    case 'TIMESTAMP':
      return '1970-01-01T00:00:00.000000Z';
    case 'TIME':
      return '00:00:00';
    case 'GEOGRAPHY':
      return 'POINT(0 0)';
    default:
      return null;
  }
}

const EMAIL =
  /^[^@\s]+@([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+)$/;
const ZIP = /^\s*(\d{3})(?:\d{2}(?:-?\d{4})?)?\s*$/;
const NUMBER = /^\s*-?\d+(?:\.\d+)?\s*$/;

/** A scalar as text for hashing and character masks: strings as they are, numbers and booleans spelled out. */
function text(value: Cell): string {
  return typeof value === 'string'
    ? value
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);
}

/** BigQuery's last-four mask: `XXXXX` and the last four characters; four or fewer characters are hashed. */
export function lastFour(value: string, hmac: (s: string) => string): string {
  return value.length > 4 ? `XXXXX${value.slice(-4)}` : hmac(value);
}

/** BigQuery's first-four mask: the first four characters and `XXXXX`; four or fewer characters are hashed. */
export function firstFour(value: string, hmac: (s: string) => string): string {
  return value.length > 4 ? `${value.slice(0, 4)}XXXXX` : hmac(value);
}

/** BigQuery's e-mail mask: `XXXXX@domain` for a syntactically valid address, otherwise the hash. */
export function emailMask(value: string, hmac: (s: string) => string): string {
  const m = EMAIL.exec(value);
  return m ? `XXXXX@${m[1]}` : hmac(value);
}

/** Safe Harbor ZIP3: the first three digits, or 000 for restricted prefixes; undefined when not a ZIP. */
export function zip3(value: string): string | undefined {
  const m = ZIP.exec(value);
  if (!m) return undefined;
  return RESTRICTED_ZIP3.has(m[1]!) ? '000' : m[1]!;
}

/** Safe Harbor ages: above 89 becomes `90+`; other ages are kept; undefined when not a number. */
export function ageOver89(value: Cell): Cell | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? (value > 89 ? '90+' : value) : undefined;
  if (typeof value === 'string' && NUMBER.test(value)) return Number(value) > 89 ? '90+' : value;
  return undefined;
}

/** The year mask, with dates in or before `asOfYear - 90` nulled when `over89` asks for it. */
export function yearMask(
  value: string,
  over89: 'keep' | 'nullify',
  asOfYear: number | undefined,
): string | null {
  const masked = truncateToYear(value);
  if (masked === undefined) return null;
  if (over89 === 'nullify') {
    if (asOfYear === undefined) return null;
    // The masked value's year is the (UTC) year of the input.
    const year = masked.charCodeAt(4) === 45 ? Number(masked.slice(0, 4)) : yearOf(value)!;
    if (year <= asOfYear - 90) return null;
  }
  return masked;
}

/**
 * The date shift, in days, for one patient key: derived from HMAC(key, "warden-date-shift", maxDays, patient),
 * uniform over [-maxDays, -1] ∪ [1, maxDays], so every date of a patient moves by the same non-zero amount.
 */
export function dateShiftDays(hmac: (s: string) => string, maxDays: number, patientKey: string): number {
  const digest = hmac(`warden-date-shift\u0000${maxDays}\u0000${patientKey}`);
  const n = Number.parseInt(digest.slice(0, 12), 16) % (2 * maxDays);
  return n < maxDays ? n - maxDays : n - maxDays + 1;
}

/**
 * HMAC-SHA256 (RFC 2104) of strings under `key`, lower-case hex, with a per-call cache (result sets repeat
 * values). The padded key blocks are computed once and the one-shot hash is used on reused buffers: several
 * times faster than `createHmac` per value.
 */
export function hmacHex(key: Uint8Array): (text: string) => string {
  const block = Buffer.alloc(64);
  if (key.length > 64) Buffer.from(hash('sha256', key, 'buffer')).copy(block);
  else block.set(key);
  let inner = Buffer.alloc(64 + 256);
  const outer = Buffer.alloc(64 + 32);
  for (let i = 0; i < 64; i++) {
    inner[i] = block[i]! ^ 0x36;
    outer[i] = block[i]! ^ 0x5c;
  }
  const cache = new Map<string, string>();
  return (value) => {
    let h = cache.get(value);
    if (h === undefined) {
      const need = 64 + Buffer.byteLength(value, 'utf8');
      if (need > inner.length) {
        const bigger = Buffer.alloc(need * 2);
        inner.copy(bigger, 0, 0, 64);
        inner = bigger;
      }
      const len = 64 + inner.write(value, 64, 'utf8');
      outer.set(hash('sha256', inner.subarray(0, len), 'buffer'), 64);
      h = hash('sha256', outer, 'hex');
      if (cache.size >= 65_536) cache.clear();
      cache.set(value, h);
    }
    return h;
  };
}

/** How a date shift finds the patient key in a row: the output column holding it, if the result has one. */
export interface ShiftKey {
  column: string | undefined;
}

/**
 * The masker for one scalar column of `type` under `strategy`, or undefined for `keep` and `scrub` (the value
 * stays, and only the content detectors may change it). `tag` is the replacement for `replace`.
 */
export function cellMasker(
  strategy: MaskingStrategy,
  type: string,
  tag: string,
  env: StrategyEnv,
  shiftKey: ShiftKey,
): CellMasker | undefined {
  const t = canonicalType(type);
  switch (strategy.type) {
    case 'keep':
    case 'scrub':
      return undefined;
    case 'nullify':
      return () => null;
    case 'default_value': {
      const d = defaultValue(t);
      return () => d;
    }
    case 'replace':
      return () => strategy.tag ?? tag;
    case 'sha256':
      return (v) => env.hmac(text(v));
    case 'last_four':
      return (v) => lastFour(text(v), env.hmac);
    case 'first_four':
      return (v) => firstFour(text(v), env.hmac);
    case 'email_mask':
      return (v) => emailMask(text(v), env.hmac);
    case 'zip3':
      return (v) => zip3(text(v)) ?? null;
    case 'age_over_89':
      return (v) => ageOver89(v) ?? null;
    case 'date_year_mask': {
      const over89 = strategy.over89;
      return (v) => (typeof v === 'string' ? yearMask(v, over89, env.asOfYear) : null);
    }
    case 'date_shift': {
      const { maxDays, withoutKey } = strategy;
      const column = shiftKey.column;
      const shifts = new Map<string, number>();
      const fallback: CellMasker =
        withoutKey === 'date_year_mask'
          ? (v) => (typeof v === 'string' ? yearMask(v, 'keep', env.asOfYear) : null)
          : () => null;
      if (column === undefined) return fallback;
      return (v, row) => {
        const key = row[column];
        if (key === null || key === undefined || typeof v !== 'string') return fallback(v, row);
        const k = text(key);
        let days = shifts.get(k);
        if (days === undefined) {
          days = dateShiftDays(env.hmac, maxDays, k);
          shifts.set(k, days);
        }
        return shiftDate(v, days) ?? null;
      };
    }
  }
}

/** True for strategies that need the masking key. */
export function needsKey(strategy: MaskingStrategy): boolean {
  return (
    strategy.type === 'sha256' ||
    strategy.type === 'last_four' ||
    strategy.type === 'first_four' ||
    strategy.type === 'email_mask' ||
    strategy.type === 'date_shift'
  );
}
