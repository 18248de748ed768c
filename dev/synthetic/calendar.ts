// Calendar arithmetic on UTC day numbers (days since 1970-01-01) and the date spellings clinical notes use.

const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

const MS_PER_DAY = 86_400_000;

/** A calendar date split into parts; `month` is 1–12. */
import { civilFromDays, daysFromCivil } from '../../shared/core/masking/dates.ts';

export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** The ways a date is written in generated free text. */
export const DATE_STYLES = ['us', 'long', 'iso', 'us-unpadded'] as const;

/** One of {@link DATE_STYLES}: `03/14/1952`, `March 14, 1952`, `1952-03-14`, `3/14/1952`. */
export type DateStyle = (typeof DATE_STYLES)[number];

/** Day numbers and civil dates convert as the masking engine does (Hinnant's algorithms). */
export { civilFromDays, daysFromCivil };

/** Day number of a `YYYY-MM-DD` string. */
export function parseIsoDate(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) throw new RangeError(`not a YYYY-MM-DD date: ${text}`);
  return daysFromCivil(Number(match[1]), Number(match[2]), Number(match[3]));
}

const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;

/** `YYYY-MM-DD`, the form BigQuery DATE values take (for years 1000–9999). */
export function isoDate(dayNumber: number): string {
  const { year, month, day } = civilFromDays(dayNumber);
  return `${year}-${pad2(month)}-${pad2(day)}`;
}

/** A date written in one of the {@link DATE_STYLES}. */
export function formatDate(dayNumber: number, style: DateStyle): string {
  const { year, month, day } = civilFromDays(dayNumber);
  switch (style) {
    case 'us':
      return `${pad2(month)}/${pad2(day)}/${year}`;
    case 'long':
      return `${MONTH_NAMES[month - 1]} ${day}, ${year}`;
    case 'iso':
      return `${year}-${pad2(month)}-${pad2(day)}`;
    case 'us-unpadded':
      return `${month}/${day}/${year}`;
  }
}

/** Whole years from `birthDay` to `onDay`. */
export function ageOn(birthDay: number, onDay: number): number {
  const birth = civilFromDays(birthDay);
  const on = civilFromDays(onDay);
  const hadBirthday = on.month > birth.month || (on.month === birth.month && on.day >= birth.day);
  return on.year - birth.year - (hadBirthday ? 0 : 1);
}

/** The instant `secondOfDay` seconds after midnight UTC on `dayNumber`. */
export function timestampAt(dayNumber: number, secondOfDay: number): Date {
  return new Date(dayNumber * MS_PER_DAY + secondOfDay * 1000);
}

const FIRST_FOUR_DIGIT_DAY = daysFromCivil(1000, 1, 1);
const LAST_FOUR_DIGIT_DAY = daysFromCivil(9999, 12, 31);

/** `date.toISOString()` for whole-second instants, computed without `Date` formatting (several times faster). */
export function isoTimestamp(date: Date): string {
  const ms = date.getTime();
  const dayNumber = Math.floor(ms / MS_PER_DAY);
  const millis = ms - dayNumber * MS_PER_DAY;
  if (millis % 1000 !== 0 || dayNumber < FIRST_FOUR_DIGIT_DAY || dayNumber > LAST_FOUR_DIGIT_DAY) {
    return date.toISOString();
  }
  const seconds = millis / 1000;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return `${isoDate(dayNumber)}T${pad2(h)}:${pad2(m)}:${pad2(seconds % 60)}.000Z`;
}
