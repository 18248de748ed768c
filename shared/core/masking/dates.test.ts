// Tests for date-cell parsing, year truncation and shifting.

import assert from 'node:assert/strict';
import { civilFromDays, daysFromCivil, parseDateCell, shiftDate, truncateToYear, yearOf } from './dates.ts';

describe('civil day numbers', () => {
  it('round-trips dates across centuries and leap days', () => {
    for (const [y, m, d] of [
      [1970, 1, 1],
      [1900, 2, 28],
      [2000, 2, 29],
      [1952, 3, 14],
      [9999, 12, 31],
    ] as const) {
      assert.deepEqual(civilFromDays(daysFromCivil(y, m, d)), { year: y, month: m, day: d });
    }
    assert.equal(daysFromCivil(1970, 1, 1), 0);
  });
});

describe('parseDateCell', () => {
  it('reads DATE, DATETIME, TIMESTAMP and US dates, keeping the rest', () => {
    assert.deepEqual(parseDateCell('1952-03-14'), {
      year: 1952,
      month: 3,
      day: 14,
      style: 'iso',
      padded: true,
      time: '',
    });
    assert.equal(parseDateCell('2019-03-14T14:18:41.000000Z')?.time, 'T14:18:41.000000Z');
    assert.equal(parseDateCell('2019-03-14 14:18:41 UTC')?.time, ' 14:18:41 UTC');
    assert.deepEqual(parseDateCell('3/14/1952'), {
      year: 1952,
      month: 3,
      day: 14,
      style: 'us',
      padded: false,
      time: '',
    });
  });
  it('rejects what is not a calendar date', () => {
    for (const text of ['2020-02-30', '2020-13-01', '14/03/1952', 'March 14', '', '1952-3-14']) {
      assert.equal(parseDateCell(text), undefined, text);
    }
  });
});

describe('truncateToYear (BigQuery date year mask)', () => {
  const cases = [
    { in: '1952-03-14', out: '1952-01-01' },
    { in: '2019-03-14T14:18:41', out: '2019-01-01T00:00:00' },
    { in: '2019-03-14T14:18:41.123456Z', out: '2019-01-01T00:00:00.000000Z' },
    { in: '2019-03-14 14:18:41 UTC', out: '2019-01-01 00:00:00 UTC' },
    { in: '2020-01-01T02:00:00+05:00', out: '2019-01-01T00:00:00Z' },
    { in: '03/14/1952', out: '01/01/1952' },
    { in: 'not a date', out: undefined },
  ];
  for (const c of cases) it(`${c.in} → ${c.out}`, () => assert.equal(truncateToYear(c.in), c.out));
  it('reads the UTC year of an offset timestamp', () =>
    assert.equal(yearOf('2020-01-01T02:00:00+05:00'), 2019));
});

describe('shiftDate', () => {
  const cases = [
    { in: '1952-03-14', days: 30, out: '1952-04-13' },
    { in: '2024-02-28', days: 1, out: '2024-02-29' },
    { in: '2020-01-05T08:00:00.000000Z', days: -10, out: '2019-12-26T08:00:00.000000Z' },
    { in: '3/14/1952', days: -14, out: '2/29/1952' },
    { in: 'soon', days: 3, out: undefined },
  ];
  for (const c of cases)
    it(`moves ${c.in} by ${c.days} days`, () => assert.equal(shiftDate(c.in, c.days), c.out));
});
