// Queries through the official client: parameters, pagination, and every type's wire-format round trip.

import assert from 'node:assert/strict';
import type { QueryOptions } from '@google-cloud/bigquery';
import { BigQuery } from '@google-cloud/bigquery';
import type { TestStandIn } from './test-seed.ts';
import { ENCOUNTER_ROWS, PROJECT, startTestStandIn } from './test-seed.ts';

/** Decoded client values in comparable form: `Class:value` for wrappers, `Big:…`, `hex:…` for bytes. */
function plain(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value)) return `hex:${value.toString('hex')}`;
  if (Array.isArray(value)) return value.map(plain);
  const name = value.constructor?.name;
  if (name === 'Big') return `Big:${(value as { toFixed(): string }).toFixed()}`;
  if ('value' in value && name !== 'Object') return `${name}:${String((value as { value: unknown }).value)}`;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
}

describe('queries', () => {
  let t: TestStandIn;
  before(async () => {
    t = await startTestStandIn();
  });
  after(() => t.standIn.close());

  describe('named and positional parameters', () => {
    const cases: [string, string, Record<string, unknown> | unknown[], unknown[], Record<string, string>?][] =
      [
        [
          'a STRING',
          'SELECT name FROM clinical.patients WHERE patient_id = @id',
          { id: 'P003' },
          [{ name: 'Patient 3' }],
        ],
        [
          'an ARRAY<STRING> in IN UNNEST',
          'SELECT patient_id FROM clinical.patients WHERE patient_id IN UNNEST(@ids) ORDER BY 1',
          { ids: ['P002', 'P001'] },
          [{ patient_id: 'P001' }, { patient_id: 'P002' }],
        ],
        [
          'a DATE',
          'SELECT COUNT(*) AS n FROM clinical.patients WHERE birth_date < @d',
          { d: BigQuery.date('1953-01-01') },
          [{ n: 3 }],
        ],
        [
          'a TIMESTAMP from a Date',
          'SELECT COUNT(*) AS n FROM clinical.encounters WHERE started >= @since',
          { since: new Date('2024-02-20T00:00:00Z') },
          [{ n: 10 }],
        ],
        [
          'an INT64 beyond 2^53',
          'SELECT @n + 1 AS n',
          { n: BigQuery.int('9007199254740993') },
          [{ n: 'BigQueryInt:9007199254740994' }],
        ],
        [
          'a STRUCT, reading a field',
          'SELECT @s.city AS city, @s.n * 2 AS n2',
          { s: { city: 'Oslo', n: 21 } },
          [{ city: 'Oslo', n2: 42 }],
        ],
        [
          'BYTES given as base64 with a type',
          'SELECT @b AS b',
          { b: Buffer.from([1, 2, 3]).toString('base64') },
          [{ b: 'hex:010203' }],
          { b: 'BYTES' },
        ],
        ['a typed NULL', 'SELECT @x IS NULL AS is_null', { x: null }, [{ is_null: true }], { x: 'STRING' }],
        [
          'positional parameters',
          'SELECT patient_id FROM clinical.patients WHERE patient_id = ? OR patient_id = ? ORDER BY 1',
          ['P010', 'P011'],
          [{ patient_id: 'P010' }, { patient_id: 'P011' }],
        ],
      ];
    for (const [name, query, params, expected, types] of cases) {
      it(`binds ${name}`, async () => {
        const [rows] = await t.bigquery.query({
          query,
          params,
          ...(types ? { types } : {}),
          wrapIntegers: name.includes('2^53'),
        });
        assert.deepEqual(rows.map(plain), expected);
      });
    }

    it('rejects a Buffer parameter, which the client sends as a JSON object instead of base64, like BigQuery', async () => {
      await assert.rejects(t.bigquery.query({ query: 'SELECT @b AS b', params: { b: Buffer.from([1]) } }), {
        code: 400,
        message: /Invalid value at 'query_parameters.parameter_value.value'/,
      });
    });

    it('rejects a parameter the request does not define with invalidQuery', async () => {
      await assert.rejects(
        t.bigquery.query({ query: 'SELECT @nope', params: { other: 1 } }),
        (err: { code: number; errors: { reason: string; message: string }[] }) => {
          assert.equal(err.code, 400);
          assert.equal(err.errors[0]?.reason, 'invalidQuery');
          assert.match(err.errors[0]?.message ?? '', /Query parameter 'nope' not found/);
          return true;
        },
      );
    });
  });

  describe('pagination', () => {
    const ids = ENCOUNTER_ROWS.map((r) => r[0]);
    const query = 'SELECT encounter_id FROM clinical.encounters ORDER BY encounter_id';

    it('pages getQueryResults by maxResults and pageToken', async () => {
      const [job] = await t.bigquery.createQueryJob({ query });
      const sizes: number[] = [];
      const seen: unknown[] = [];
      let options: Record<string, unknown> | null = { maxResults: 25, autoPaginate: false };
      while (options) {
        const [rows, next] = (await job.getQueryResults(options)) as unknown as [
          { encounter_id: number }[],
          Record<string, unknown> | null,
        ];
        sizes.push(rows.length);
        seen.push(...rows.map((r) => r.encounter_id));
        options = next;
      }
      assert.deepEqual({ sizes, seen }, { sizes: [25, 25, 10], seen: ids });
    });

    it('starts a page at startIndex', async () => {
      const [job] = await t.bigquery.createQueryJob({ query });
      const [rows] = await job.getQueryResults({ startIndex: '55', maxResults: 100, autoPaginate: false });
      assert.deepEqual(
        rows.map((r: { encounter_id: number }) => r.encounter_id),
        ids.slice(55),
      );
    });

    it('splits large results into pages that query() follows to the end', async () => {
      const response = await fetch(`${t.standIn.url}/bigquery/v2/projects/${PROJECT}/queries`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'SELECT * FROM clinical.encounters', useLegacySql: false }),
      });
      const firstPage = (await response.json()) as { rows: unknown[]; pageToken?: string; totalRows: string };
      const [rows] = await t.bigquery.query('SELECT * FROM clinical.encounters');
      assert.ok(
        firstPage.pageToken && firstPage.rows.length < ENCOUNTER_ROWS.length,
        'the first page is partial',
      );
      assert.equal(firstPage.totalRows, String(ENCOUNTER_ROWS.length));
      assert.equal(rows.length, ENCOUNTER_ROWS.length);
    });
  });

  describe('type round trips', () => {
    let row: Record<string, unknown>;
    let nullRow: Record<string, unknown>;
    before(async () => {
      const [rows] = await t.bigquery.query({
        query: 'SELECT * FROM types.all_types ORDER BY int64 NULLS LAST',
        wrapIntegers: true,
      });
      row = plain(rows[0]) as Record<string, unknown>;
      nullRow = plain(rows[1]) as Record<string, unknown>;
    });

    const cases: [string, unknown][] = [
      ['int64', 'BigQueryInt:9223372036854775807'],
      ['float64', 1.25],
      ['numeric', 'Big:123456789012345678901234567.123456789'],
      ['bignumeric', 'Big:12345678901234567890.123456789012345678'],
      ['bool', true],
      ['string', 'héllo ✓'],
      ['bytes', 'hex:0001feff'],
      ['timestamp', 'BigQueryTimestamp:2024-02-29T12:34:56.123456000Z'],
      ['date', 'BigQueryDate:2024-02-29'],
      ['time', 'BigQueryTime:12:34:56.500000'],
      ['datetime', 'BigQueryDatetime:2024-02-29T12:34:56.789000'],
      ['geography', 'Geography:POINT(-122.35 47.62)'],
      ['json', '{"a":[1,2],"b":null}'],
      [
        'address',
        { city: 'Boston', since: 'BigQueryDate:2001-02-03', codes: ['BigQueryInt:7', 'BigQueryInt:8'] },
      ],
      ['ints', ['BigQueryInt:1', 'BigQueryInt:2', 'BigQueryInt:3']],
      [
        'pairs',
        [
          { k: 'x', v: 1.5 },
          { k: 'y', v: null },
        ],
      ],
    ];
    for (const [column, expected] of cases) {
      it(`decodes ${column} as the client expects`, () => assert.deepEqual(row[column], expected));
      it(`decodes a NULL ${column}`, () => {
        assert.deepEqual(nullRow[column], Array.isArray(expected) ? [] : null);
      });
    }

    const literals: [string, string, unknown][] = [
      ['INT64 arithmetic beyond 2^53', 'SELECT 9007199254740993 + 2 AS v', 'BigQueryInt:9007199254740995'],
      [
        'a microsecond TIMESTAMP literal',
        "SELECT TIMESTAMP '2024-01-01 00:00:00.000001+00' AS v",
        'BigQueryTimestamp:2024-01-01T00:00:00.000001000Z',
      ],
      [
        'a pre-epoch TIMESTAMP',
        "SELECT TIMESTAMP '1969-12-31 23:59:59+00' AS v",
        'BigQueryTimestamp:1969-12-31T23:59:59.000Z',
      ],
      [
        'a DATETIME literal',
        "SELECT DATETIME '2024-01-01 10:11:12' AS v",
        'BigQueryDatetime:2024-01-01T10:11:12',
      ],
      ['a NUMERIC computation', "SELECT NUMERIC '1.1' * 3 AS v", 'Big:3.3'],
      ['a JSON literal, parsed on request', 'SELECT JSON \'{"x": 1}\' AS v', { x: 1 }],
      ['a STRUCT constructor', "SELECT STRUCT(1 AS a, 'x' AS b) AS v", { a: 'BigQueryInt:1', b: 'x' }],
      ['SAFE_DIVIDE by zero', 'SELECT SAFE_DIVIDE(1, 0) AS v', null],
      [
        'an ARRAY of STRUCTs from SQL',
        'SELECT [STRUCT(1 AS a), STRUCT(2 AS a)] AS v',
        [{ a: 'BigQueryInt:1' }, { a: 'BigQueryInt:2' }],
      ],
    ];
    for (const [name, query, expected] of literals) {
      it(`round-trips ${name}`, async () => {
        const [rows] = await t.bigquery.query({ query, wrapIntegers: true, parseJSON: true });
        assert.deepEqual(plain(rows[0]?.v), expected);
      });
    }

    it('answers in the timestamp format the request asks for', async () => {
      const query = 'SELECT started FROM clinical.encounters WHERE encounter_id = 1';
      const formats: QueryOptions[] = [
        {},
        { 'formatOptions.useInt64Timestamp': false },
        { 'formatOptions.timestampOutputFormat': 'ISO8601_STRING' },
      ];
      const decoded: unknown[] = [];
      for (const options of formats) {
        const [rows] = await t.bigquery.query(query, options);
        decoded.push(plain(rows[0]?.started));
      }
      assert.deepEqual(decoded, Array(3).fill('BigQueryTimestamp:2024-01-01T09:30:00.000Z'));
    });

    it('sends timestamps as int64 microseconds when the client asks for useInt64Timestamp', async () => {
      const [job] = await t.bigquery.createQueryJob({
        query: 'SELECT timestamp FROM types.all_types WHERE int64 IS NOT NULL',
      });
      const [, , response] = await job.getQueryResults({ autoPaginate: false, skipParsing: true });
      assert.equal((response as { rows: { f: { v: string }[] }[] }).rows[0]?.f[0]?.v, '1709210096123456');
    });
  });
});

describe('GoogleSQL functions the stand-in rewrites for DuckDB', () => {
  let t: TestStandIn;
  before(async () => {
    t = await startTestStandIn();
  });
  after(() => t.standIn.close());
  const cases: [string, string, unknown][] = [
    ['FORMAT with printf-style placeholders', "SELECT FORMAT('%s/%05d', 'a', 42) AS v", 'a/00042'],
    ['UNIX_DATE', "SELECT UNIX_DATE(DATE '1970-01-11') AS v", 10],
    ['TO_CODE_POINTS', "SELECT TO_CODE_POINTS('AB') AS v", [65, 66]],
    ['CODE_POINTS_TO_STRING', "SELECT CODE_POINTS_TO_STRING(TO_CODE_POINTS('Hi')) AS v", 'Hi'],
    ['JSON_EXTRACT_SCALAR', `SELECT JSON_EXTRACT_SCALAR('{"a":"x"}', '$.a') AS v`, 'x'],
    ['JSON_QUERY of an object', `SELECT JSON_QUERY('{"a":{"b":1}}', '$.a') AS v`, '{"b":1}'],
    [
      'ARRAY_CONCAT_AGG',
      'SELECT ARRAY_CONCAT_AGG(x ORDER BY k) AS v FROM (SELECT 1 AS k, [1, 2] AS x UNION ALL SELECT 2 AS k, [3] AS x)',
      [1, 2, 3],
    ],
    ['SAFE_CONVERT_BYTES_TO_STRING', "SELECT SAFE_CONVERT_BYTES_TO_STRING(b'abc') AS v", 'abc'],
  ];
  for (const [name, query, want] of cases)
    it(`runs ${name} as BigQuery does`, async () => {
      const [rows] = await t.bigquery.query({ query });
      assert.deepEqual(plain((rows[0] as { v: unknown }).v), want);
    });
});
