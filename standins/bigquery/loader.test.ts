// Tests for seed loading: value conversions and the errors a malformed seed produces.

import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import { createTableSql, decimalOf, loadSeeds, timestampMicros } from './loader.ts';
import type { ProjectSeed } from './seed.ts';

describe('decimalOf', () => {
  const cases: [string, string | number | bigint, number, string][] = [
    ['a plain decimal string', '123.45', 9, '123.450000000'],
    ['a negative string without integer digits', '-.5', 9, '-0.500000000'],
    ['a bigint', 42n, 9, '42.000000000'],
    ['a number, rounded to the scale', 1 / 3, 9, '0.333333333'],
    [
      'a BIGNUMERIC-scale string',
      '12345678901234567890.123456789012345678',
      18,
      '12345678901234567890.123456789012345678',
    ],
  ];
  for (const [name, input, scale, expected] of cases) {
    it(`converts ${name}`, () => assert.equal(decimalOf(input, scale).toString(), expected));
  }

  const invalid: [string, string, number][] = [
    ['exponent notation', '1e5', 9],
    ['too many fractional digits', '0.1234567891', 9],
    ['too many digits for DECIMAL(38, 18)', '123456789012345678901.5', 18],
    ['text', 'abc', 9],
  ];
  for (const [name, input, scale] of invalid) {
    it(`rejects ${name}`, () => assert.throws(() => decimalOf(input, scale)));
  }
});

describe('timestampMicros', () => {
  const cases: [string, Date | string, bigint][] = [
    ['a Date', new Date('2024-01-01T00:00:00.123Z'), 1704067200123000n],
    ['an ISO string with microseconds', '2024-01-01T00:00:00.123456Z', 1704067200123456n],
    ['a string without a zone, as UTC', '2024-01-01 00:00:00', 1704067200000000n],
    ['a string with an offset', '2024-01-01T01:00:00+01:00', 1704067200000000n],
    ['a pre-epoch string', '1969-12-31T23:59:59.5Z', -500000n],
  ];
  for (const [name, input, expected] of cases) {
    it(`reads ${name}`, () => assert.equal(timestampMicros(input), expected));
  }

  it('rejects text that is not a timestamp', () =>
    assert.throws(() => timestampMicros('yesterday'), /not a timestamp/));
});

describe('loadSeeds', () => {
  async function load(seeds: ProjectSeed[]): Promise<number> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      return await loadSeeds(connection, seeds);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  }

  function seedWith(rows: unknown[][]): ProjectSeed[] {
    const schema = [
      { name: 'id', type: 'INTEGER' as const, mode: 'REQUIRED' as const },
      { name: 'tags', type: 'STRING' as const, mode: 'REPEATED' as const },
    ];
    return [
      {
        projectId: 'p',
        datasets: [{ datasetId: 'd', tables: [{ tableId: 't', schema, rows: rows as never }] }],
      },
    ];
  }

  it('returns the number of rows loaded', async () => {
    assert.equal(
      await load(
        seedWith([
          [1, ['a']],
          [2, []],
        ]),
      ),
      2,
    );
  });

  const errors: [string, unknown[][], RegExp][] = [
    [
      'a row with the wrong number of values',
      [[1]],
      /p\.d\.t: row 0 has 1 values but the schema has 2 columns/,
    ],
    ['a non-array REPEATED value', [[1, 'a']], /row 0, column tags: a REPEATED value must be an array/],
    ['an unsafe integer given as a number', [[2 ** 53 + 2, []]], /not a safe integer; use a bigint/],
    ['a NULL in a REQUIRED column', [[null, []]], /NOT NULL|null/i],
  ];
  for (const [name, rows, pattern] of errors) {
    it(`names the table, row and column for ${name}`, async () => {
      await assert.rejects(load(seedWith(rows)), pattern);
    });
  }

  it('declares REQUIRED columns NOT NULL and quotes every identifier', () => {
    const sql = createTableSql('my-proj', 'd', {
      tableId: 't',
      schema: [{ name: 'a b', type: 'INTEGER', mode: 'REQUIRED' }],
      rows: [],
    });
    assert.equal(sql, 'CREATE TABLE "my-proj"."d"."t" ("a b" BIGINT NOT NULL)');
  });
});
