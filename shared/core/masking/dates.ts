// Calendar arithmetic on date cells (DATE, DATETIME, TIMESTAMP and date-like strings) for year masks and shifts.

import { daysInMonth } from './validators.ts';

/** True for a real date in BigQuery's range, years 1–9999. */
function isCalendarDate(year: number, month: number, day: number): boolean {
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(month, year);
}

/** Day number (days since 1970-01-01) of a civil date (Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Civil date of a day number (Hinnant's civil_from_days). */
export function civilFromDays(dayNumber: number): { year: number; month: number; day: number } {
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** A date cell split into its date and the rest (time of day and zone), remembering how it was written. */
export interface DateParts {
  year: number;
  month: number;
  day: number;
  /** `iso`: YYYY-MM-DD; `us`: M/D/YYYY (zero-padded when `padded`). */
  style: 'iso' | 'us';
  padded: boolean;
  /** Everything after the date, e.g. `T14:18:41.000000Z` or ` 08:00:00 UTC`; '' for a bare date. */
  time: string;
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})((?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,12})?)?(?:Z| ?UTC|[+-]\d{2}(?::?\d{2})?)?)?)$/;
const US = /^(\d{1,2})\/(\d{1,2})\/(\d{4})((?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?: ?[AP]M)?)?)$/;

/** Parses `YYYY-MM-DD[ time]` (DATE, DATETIME, TIMESTAMP) or `M/D/YYYY[ time]`; undefined if not a real date. */
export function parseDateCell(text: string): DateParts | undefined {
  let m = ISO.exec(text);
  if (m) {
    const year = Number(m[1]);
    const month = Number(m[2]);
    const day = Number(m[3]);
    if (!isCalendarDate(year, month, day)) return undefined;
    return { year, month, day, style: 'iso', padded: true, time: m[4] ?? '' };
  }
  m = US.exec(text);
  if (m) {
    const month = Number(m[1]);
    const day = Number(m[2]);
    const year = Number(m[3]);
    if (!isCalendarDate(year, month, day)) return undefined;
    return {
      year,
      month,
      day,
      style: 'us',
      padded: m[1]!.length === 2 && m[2]!.length === 2,
      time: m[4] ?? '',
    };
  }
  return undefined;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** Writes a date in the style `like` was written in, with `time` after it. */
export function formatDateParts(
  like: DateParts,
  year: number,
  month: number,
  day: number,
  time: string,
): string {
  if (like.style === 'iso') return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}${time}`;
  return like.padded ? `${pad(month, 2)}/${pad(day, 2)}/${year}${time}` : `${month}/${day}/${year}${time}`;
}

const UTC_TIME = /^[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,12})?)?(?:Z| ?UTC)?$/;
const DIGIT = /\d/g;

/** True when `text` starts with a real YYYY-MM-DD date (years 0001–9999). */
function isoDatePrefix(text: string): boolean {
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return false;
  let year = 0;
  for (let i = 0; i < 4; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    year = year * 10 + d;
  }
  const m1 = text.charCodeAt(5) - 48;
  const m2 = text.charCodeAt(6) - 48;
  const d1 = text.charCodeAt(8) - 48;
  const d2 = text.charCodeAt(9) - 48;
  if (m1 < 0 || m1 > 9 || m2 < 0 || m2 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return false;
  return isCalendarDate(year, m1 * 10 + m2, d1 * 10 + d2);
}

/** `14:18:41.123456Z` → `00:00:00.000000Z`: every digit of the time of day zeroed, separators and zone kept. */
function midnight(time: string): string {
  let zone = '';
  const z = /(Z| ?UTC|[+-]\d{2}(?::?\d{2})?)$/.exec(time);
  let clock = time;
  if (z) {
    zone = z[1]!;
    clock = time.slice(0, z.index);
  }
  return clock.replace(/\d/g, '0').replace(/ ?[AP]M$/, (s) => s.replace('P', 'A')) + zone;
}

/** The UTC calendar date of a timestamp with a non-zero offset, or undefined when it has none. */
function utcDateOf(parts: DateParts): { year: number; month: number; day: number } | undefined {
  const off = /([+-])(\d{2}):?(\d{2})?$/.exec(parts.time);
  if (!off || parts.style !== 'iso') return undefined;
  const hm = /^[T ](\d{2}):(\d{2})/.exec(parts.time);
  if (!hm) return undefined;
  const sign = off[1] === '-' ? 1 : -1;
  const minutes = Number(hm[1]) * 60 + Number(hm[2]) + sign * (Number(off[2]) * 60 + Number(off[3] ?? 0));
  const dayNumber = daysFromCivil(parts.year, parts.month, parts.day) + Math.floor(minutes / 1440);
  return civilFromDays(dayNumber);
}

/**
 * BigQuery's date year mask: the value truncated to January 1 of its (UTC) year, time of day zeroed, written
 * as the input was. Undefined when `text` is not a date.
 */
export function truncateToYear(text: string): string | undefined {
  // Fast path for DATE and UTC DATETIME/TIMESTAMP cells, the common case.
  if (text.length >= 10 && isoDatePrefix(text)) {
    if (text.length === 10) return `${text.slice(0, 4)}-01-01`;
    const rest = text.slice(10);
    if (UTC_TIME.test(rest)) return `${text.slice(0, 4)}-01-01${rest.replace(DIGIT, '0')}`;
  }
  const parts = parseDateCell(text);
  if (!parts) return undefined;
  const year = utcDateOf(parts)?.year ?? parts.year;
  let time = midnight(parts.time);
  if (/[+-]\d{2}(?::?\d{2})?$/.test(time)) time = time.replace(/[+-]\d{2}(?::?\d{2})?$/, 'Z');
  return formatDateParts(parts, year, 1, 1, time);
}

/** The year of a date cell, or undefined when it is not one. */
export function yearOf(text: string): number | undefined {
  const parts = parseDateCell(text);
  return parts ? (utcDateOf(parts)?.year ?? parts.year) : undefined;
}

/** The date moved by `days` (time of day and zone kept), written as the input was; undefined if not a date. */
export function shiftDate(text: string, days: number): string | undefined {
  const parts = parseDateCell(text);
  if (!parts) return undefined;
  const { year, month, day } = civilFromDays(daysFromCivil(parts.year, parts.month, parts.day) + days);
  return formatDateParts(parts, year, month, day, parts.time);
}
