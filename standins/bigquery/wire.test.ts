// Tests for the wire formats: timestamps, datetimes, intervals, decimals and WKB → WKT.

import assert from 'node:assert/strict';
import { DuckDBDecimalValue, DuckDBIntervalValue } from '@duckdb/node-api';
import {
  formatDatetime,
  formatDecimal,
  formatInterval,
  formatTimeOfDay,
  formatTimestamp,
  timestampFormatOf,
} from './wire.ts';
import { wkbToWkt } from './wkb.ts';

describe('formatTimestamp', () => {
  const cases: [string, bigint, 'int64' | 'iso' | 'float', string][] = [
    ['int64 microseconds', 1709210096123456n, 'int64', '1709210096123456'],
    ['ISO-8601 with six fractional digits', 1709210096123456n, 'iso', '2024-02-29T12:34:56.123456Z'],
    ['float seconds', 1709210096123456n, 'float', '1709210096.123456'],
    ['negative float seconds', -1500000n, 'float', '-1.500000'],
    ['a pre-epoch ISO timestamp', -500000n, 'iso', '1969-12-31T23:59:59.500000Z'],
  ];
  for (const [name, micros, format, expected] of cases) {
    it(`writes ${name}`, () => assert.equal(formatTimestamp(micros, format), expected));
  }
});

describe('timestampFormatOf', () => {
  const cases: [unknown, unknown, string][] = [
    [true, undefined, 'int64'],
    ['true', undefined, 'int64'],
    [undefined, 'INT64', 'int64'],
    [undefined, 'ISO8601_STRING', 'iso'],
    [false, undefined, 'float'],
    [undefined, undefined, 'float'],
  ];
  for (const [useInt64, outputFormat, expected] of cases) {
    it(`picks ${expected} for useInt64Timestamp=${useInt64}, timestampOutputFormat=${outputFormat}`, () => {
      assert.equal(timestampFormatOf(useInt64, outputFormat), expected);
    });
  }
});

describe('civil time formats', () => {
  it('writes a DATETIME with a T and trims a zero fraction', () => {
    assert.equal(formatDatetime(1704110400000000n), '2024-01-01T12:00:00');
  });
  it('writes a pre-epoch DATETIME', () => assert.equal(formatDatetime(-1n), '1969-12-31T23:59:59.999999'));
  it('writes a TIME with microseconds', () => assert.equal(formatTimeOfDay(45296500000n), '12:34:56.500000'));
  it('writes an INTERVAL in canonical Y-M D H:M:S form', () => {
    assert.equal(formatInterval(new DuckDBIntervalValue(14, 3, 3723500000n)), '1-2 3 1:2:3.5');
  });
  it('drops trailing zeros from decimals', () => {
    assert.deepEqual(
      [
        formatDecimal(new DuckDBDecimalValue(1500000000n, 38, 9)),
        formatDecimal(new DuckDBDecimalValue(-2000000000n, 38, 9)),
      ],
      ['1.5', '-2'],
    );
  });
});

describe('wkbToWkt', () => {
  function wkb(type: number, body: number[], counts: number[] = []): Uint8Array {
    const buffer = Buffer.alloc(5 + counts.length * 4 + body.length * 8);
    buffer.writeUInt8(1, 0);
    buffer.writeUInt32LE(type, 1);
    let offset = 5;
    for (const count of counts) {
      buffer.writeUInt32LE(count, offset);
      offset += 4;
    }
    for (const value of body) {
      buffer.writeDoubleLE(value, offset);
      offset += 8;
    }
    return buffer;
  }

  const cases: [string, Uint8Array, string][] = [
    ['a point', wkb(1, [1, 2]), 'POINT(1 2)'],
    ['an empty point', wkb(1, [Number.NaN, Number.NaN]), 'POINT EMPTY'],
    ['a line string', wkb(2, [0, 0, 1.5, 2.5], [2]), 'LINESTRING(0 0, 1.5 2.5)'],
    ['a polygon', wkb(3, [0, 0, 1, 0, 1, 1, 0, 0], [1, 4]), 'POLYGON((0 0, 1 0, 1 1, 0 0))'],
    ['a point with Z, dropping Z', wkb(1001, [1, 2, 3]), 'POINT(1 2)'],
  ];
  for (const [name, bytes, expected] of cases) {
    it(`writes ${name} as ${expected}`, () => assert.equal(wkbToWkt(bytes), expected));
  }

  it('writes a multipoint with bare coordinates', () => {
    const parts = [wkb(1, [1, 2]), wkb(1, [3, 4])];
    const header = Buffer.alloc(9);
    header.writeUInt8(1, 0);
    header.writeUInt32LE(4, 1);
    header.writeUInt32LE(2, 5);
    assert.equal(wkbToWkt(Buffer.concat([header, ...parts])), 'MULTIPOINT(1 2, 3 4)');
  });
});
