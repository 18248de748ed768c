// Tests for day-number calendar arithmetic and the date spellings used in notes.

import assert from 'node:assert/strict';
import {
  ageOn,
  civilFromDays,
  daysFromCivil,
  formatDate,
  isoDate,
  isoTimestamp,
  parseIsoDate,
  timestampAt,
} from './calendar.ts';

const utcDay = (y: number, m: number, d: number): number => Date.UTC(y, m - 1, d) / 86_400_000;

describe('calendar', () => {
  const dates = [
    { y: 1970, m: 1, d: 1 },
    { y: 1969, m: 12, d: 31 },
    { y: 1900, m: 2, d: 28 },
    { y: 1952, m: 3, d: 14 },
    { y: 2000, m: 2, d: 29 },
    { y: 2024, m: 12, d: 31 },
  ];
  for (const { y, m, d } of dates) {
    it(`numbers ${y}-${m}-${d} as Date.UTC does and converts back`, () => {
      const day = daysFromCivil(y, m, d);
      assert.equal(day, utcDay(y, m, d));
      assert.deepEqual(civilFromDays(day), { year: y, month: m, day: d });
    });
  }

  it('agrees with Date for every day from 1900 to 2030', () => {
    for (let day = utcDay(1900, 1, 1); day <= utcDay(2030, 12, 31); day++) {
      assert.equal(isoDate(day), new Date(day * 86_400_000).toISOString().slice(0, 10));
    }
  });

  const styles = [
    { style: 'us', want: '03/14/1952' },
    { style: 'long', want: 'March 14, 1952' },
    { style: 'iso', want: '1952-03-14' },
    { style: 'us-unpadded', want: '3/14/1952' },
  ] as const;
  for (const { style, want } of styles) {
    it(`writes 1952-03-14 in ${style} style as ${want}`, () => {
      assert.equal(formatDate(daysFromCivil(1952, 3, 14), style), want);
    });
  }

  const ages = [
    { birth: '1952-03-14', on: '2025-03-13', want: 72 },
    { birth: '1952-03-14', on: '2025-03-14', want: 73 },
    { birth: '2000-02-29', on: '2025-02-28', want: 24 },
    { birth: '2000-02-29', on: '2025-03-01', want: 25 },
    { birth: '2025-06-01', on: '2025-06-30', want: 0 },
  ];
  for (const { birth, on, want } of ages) {
    it(`counts someone born ${birth} as ${want} on ${on}`, () => {
      assert.equal(ageOn(parseIsoDate(birth), parseIsoDate(on)), want);
    });
  }

  it('rejects a date that is not YYYY-MM-DD', () => {
    assert.throws(() => parseIsoDate('03/14/1952'), RangeError);
  });

  it('builds a UTC timestamp from a day number and second of day', () => {
    assert.equal(timestampAt(daysFromCivil(2024, 5, 6), 3_661).toISOString(), '2024-05-06T01:01:01.000Z');
  });

  const instants = [
    { name: 'a whole-second instant', ms: Date.UTC(2024, 4, 6, 1, 1, 1) },
    { name: 'midnight', ms: Date.UTC(1999, 11, 31) },
    { name: 'the last second of a leap day', ms: Date.UTC(2000, 1, 29, 23, 59, 59) },
    { name: 'a pre-1970 instant', ms: Date.UTC(1921, 8, 27, 13, 5, 9) },
    { name: 'an instant with milliseconds', ms: Date.UTC(2024, 0, 1, 0, 0, 0, 123) },
    { name: 'a year before 1000', ms: Date.UTC(999, 0, 1) },
  ];
  for (const { name, ms } of instants) {
    it(`writes ${name} exactly as toISOString does`, () => {
      assert.equal(isoTimestamp(new Date(ms)), new Date(ms).toISOString());
    });
  }
});
