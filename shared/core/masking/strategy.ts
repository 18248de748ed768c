// What one masking strategy is: its name, config schema, strictness, key need and cell masker (strategies/*.ts).

import type { z } from 'zod';
import type { Cell } from '../../ports/warehouse.ts';

/** Strategies a column rule may name; each has one module in `strategies/` and one entry in `STRATEGIES`. */
export const STRATEGY_TYPES = [
  'nullify',
  'default_value',
  'sha256',
  'last_four',
  'first_four',
  'email_mask',
  'date_year_mask',
  'replace',
  'zip3',
  'age_over_89',
  'date_shift',
  'keep',
  'scrub',
] as const;

/** One of {@link STRATEGY_TYPES}. */
export type StrategyType = (typeof STRATEGY_TYPES)[number];

/**
 * How strict a strategy is: lower is stricter. A computed column from several sources gets the strictest of
 * their strategies; format-keeping strategies share a rank, and two different ones cannot both hold.
 */
export const STRICTNESS = {
  withheld: 0,
  defaulted: 1,
  replaced: 2,
  hashed: 3,
  formatKeeping: 4,
  scrubbed: 5,
  kept: 6,
} as const;

/** One of the {@link STRICTNESS} ranks. */
export type Strictness = (typeof STRICTNESS)[keyof typeof STRICTNESS];

/** What strategies need beyond the value: the keyed hash, the reference year, and the row's date shift. */
export interface StrategyEnv {
  /** HMAC-SHA256 of `text` under the masking key, lower-case hex. */
  hmac(text: string): string;
  /** Year the result is produced in, for Safe Harbor's ages-over-89 rule; undefined if unknown. */
  asOfYear: number | undefined;
}

/** Masks one scalar cell of a column; `row` is the whole (unmasked) row, for per-patient date shifts. */
export type CellMasker = (value: Cell, row: Readonly<Record<string, Cell>>) => Cell;

/** The column a masker is built for. */
export interface MaskerContext {
  /** The column's BigQuery type, canonical (`INT64`, not `INTEGER`). */
  type: string;
  /** The replacement tag of the column's kind or PHI class, e.g. `[SSN]`. */
  tag: string;
  env: StrategyEnv;
  /** The result column holding `name` (an output name or source column), if the result has one. */
  resultColumn(name: string): string | undefined;
}

/** What a computed value (several sources, or a function over the column) gets for a source's strategy. */
export type OnComputed = 'same' | 'replace' | 'nullify';

/**
 * One masking strategy. `T` is its name and `Options` its validated config object (`{type: T, …options}`).
 */
export interface Strategy<T extends StrategyType = StrategyType, Options extends { type: T } = { type: T }> {
  /** The config object's schema (strict: unknown options are refused), defaults filled in on output. */
  readonly schema: z.ZodType<Options, { type: T }>;
  readonly strictness: Strictness;
  /** True when the masker uses the masking key (`env.hmac`). */
  readonly needsKey: boolean;
  /**
   * A computed value's strategy: `same` (this one), or `replace` / `nullify`. A partial mask (`last_four`,
   * `zip3`, a year, a date shift, a hash) relies on the value being the column's own: over
   * `CONCAT('ZZZZZ', SUBSTR(ssn, 1, 3))` the caller would choose which four characters show, so the value is
   * withheld. `scrub` vouches for text the detectors see as written; text a function rewrote (REVERSE,
   * TRANSLATE, SPLIT) is replaced whole.
   */
  readonly onComputed: OnComputed;
  /** The masker for one scalar column, or undefined when the value stays (only content detectors may change it). */
  masker(options: Options, column: MaskerContext): CellMasker | undefined;
}

/** A scalar as text for hashing and character masks: strings as they are, numbers and booleans spelled out. */
export function cellText(value: Cell): string {
  return typeof value === 'string'
    ? value
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);
}

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
