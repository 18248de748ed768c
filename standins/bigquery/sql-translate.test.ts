// Tests for the GoogleSQL → DuckDB translation: identifiers, literals, parameters, types and UNNEST forms.

import assert from 'node:assert/strict';
import { BigQueryError } from './errors.ts';
import { tokenize } from './sql-lexer.ts';
import { parseType, translate } from './sql-translate.ts';
import { shapeOf } from './statement.ts';

const resolveParameter = (kind: 'named' | 'positional', nameOrIndex: string | number): string =>
  kind === 'named' ? `$p_${nameOrIndex}` : `$pos${Number(nameOrIndex) + 1}`;

function tr(sql: string): string {
  const shape = shapeOf(tokenize(sql));
  const base = { resolveParameter, ddl: shape.type.startsWith('CREATE') };
  return translate(
    shape.tokens,
    shape.columnListAt === undefined ? base : { ...base, columnListAt: shape.columnListAt },
  );
}

describe('translate', () => {
  const cases: [string, string, string][] = [
    ['quotes a backtick path part by part', 'SELECT * FROM `proj-a.ds.t`', 'SELECT * FROM "proj-a"."ds"."t"'],
    [
      'quotes separately backticked parts',
      'SELECT * FROM `proj-a`.`ds`.`t`',
      'SELECT * FROM "proj-a"."ds"."t"',
    ],
    ['keeps a dataset.table path as written', 'SELECT a FROM ds.t', 'SELECT a FROM ds.t'],
    ['keeps a backticked alias whole', 'SELECT 1 AS `a.b`', 'SELECT 1 AS "a.b"'],
    ['turns double-quoted strings into single-quoted ones', 'SELECT "it\'s"', "SELECT 'it''s'"],
    ['decodes escapes in strings', "SELECT 'a\\nb'", "SELECT 'a\nb'"],
    ['keeps raw strings raw', "SELECT r'a\\d'", "SELECT 'a\\d'"],
    ['reads triple-quoted strings', "SELECT '''x'y'''", "SELECT 'x''y'"],
    ['writes bytes literals as hex', "SELECT b'\\x01A'", "SELECT from_hex('0141')"],
    [
      'replaces named parameters',
      'SELECT * FROM t WHERE a = @id AND b IN UNNEST(@ids)',
      'SELECT * FROM t WHERE a = $p_id AND b IN (SELECT UNNEST($p_ids))',
    ],
    ['numbers positional parameters', 'SELECT ?, ?', 'SELECT $pos1, $pos2'],
    [
      'types float literals as DOUBLE',
      'SELECT 1.5, 2e3, 7',
      'SELECT CAST(1.5 AS DOUBLE), CAST(2e3 AS DOUBLE), 7',
    ],
    [
      'casts typed literals',
      "SELECT TIMESTAMP '2024-01-01 00:00:00', DATETIME '2024-01-01 10:00:00'",
      "SELECT CAST('2024-01-01 00:00:00' AS TIMESTAMPTZ), CAST('2024-01-01 10:00:00' AS TIMESTAMP)",
    ],
    [
      'types NUMERIC and BIGNUMERIC literals',
      "SELECT NUMERIC '1.5', BIGNUMERIC '2.5'",
      "SELECT CAST('1.5' AS DECIMAL(38, 9)), CAST('2.5' AS DECIMAL(38, 18))",
    ],
    [
      'translates CAST and SAFE_CAST types',
      'SELECT CAST(a AS INT64), SAFE_CAST(b AS FLOAT64)',
      'SELECT CAST(a AS BIGINT), TRY_CAST(b AS DOUBLE)',
    ],
    [
      'translates ARRAY and STRUCT cast types',
      'SELECT CAST(x AS ARRAY<STRUCT<a INT64, b ARRAY<STRING>>>)',
      'SELECT CAST(x AS STRUCT("a" BIGINT, "b" VARCHAR[])[])',
    ],
    [
      'leaves AS aliases inside a cast argument alone',
      'SELECT CAST((SELECT 1 AS one) AS STRING)',
      'SELECT CAST((SELECT 1 AS one) AS VARCHAR)',
    ],
    [
      'names the column of a FROM UNNEST alias',
      'SELECT x FROM UNNEST([1, 2]) AS x',
      'SELECT x FROM UNNEST([1, 2]) AS "x"("x")',
    ],
    [
      'handles UNNEST after a comma join',
      'SELECT tag FROM t, UNNEST(t.tags) tag',
      'SELECT tag FROM t, UNNEST(t.tags) AS "tag"("tag")',
    ],
    ['turns SELECT * EXCEPT into EXCLUDE', 'SELECT * EXCEPT (ssn) FROM t', 'SELECT * EXCLUDE (ssn) FROM t'],
    [
      'keeps set-operation EXCEPT',
      'SELECT a FROM t EXCEPT DISTINCT SELECT a FROM u',
      'SELECT a FROM t EXCEPT DISTINCT SELECT a FROM u',
    ],
    [
      'maps current-time functions',
      'SELECT CURRENT_DATE(), CURRENT_TIMESTAMP',
      'SELECT current_date(), get_current_timestamp()',
    ],
    [
      'adds the INTO that GoogleSQL lets INSERT omit',
      'INSERT ds.t (a) VALUES (1)',
      'INSERT INTO ds.t (a) VALUES (1)',
    ],
    [
      'adds the FROM that GoogleSQL lets DELETE omit',
      'DELETE ds.t WHERE a = 1',
      'DELETE FROM ds.t WHERE a = 1',
    ],
    [
      'builds STRUCT(...) with struct_pack, naming fields by alias or path',
      'SELECT STRUCT(1 AS a, t.b)',
      'SELECT struct_pack("a" := 1, "b" := t.b)',
    ],
    [
      'quotes STRUCT field names DuckDB reserves (time, order)',
      'SELECT STRUCT(time, 1 AS order)',
      'SELECT struct_pack("time" := time, "order" := 1)',
    ],
    [
      'reorders DATE_DIFF arguments and quotes the part',
      'SELECT DATE_DIFF(a, b, DAY)',
      "SELECT date_diff('day', b, a)",
    ],
    [
      'keeps DATE_ADD a DATE',
      'SELECT DATE_ADD(d, INTERVAL 1 DAY)',
      'SELECT CAST((d + INTERVAL 1 DAY) AS DATE)',
    ],
    ['swaps FORMAT_DATE arguments', "SELECT FORMAT_DATE('%Y', d)", "SELECT strftime(d, '%Y')"],
    [
      'rewrites nested calls inside out',
      'SELECT SAFE_DIVIDE(DATE_DIFF(a, b, DAY), 7)',
      "SELECT (CASE WHEN (7) = 0 THEN NULL ELSE (date_diff('day', b, a)) / (7) END)",
    ],
    ['leaves a method-like call on a path alone', 'SELECT t.split(x)', 'SELECT t.split(x)'],
    [
      'quotes words DuckDB reserves for its joins and operators, which GoogleSQL reads as names',
      'SELECT semi.glob FROM t semi JOIN u asof ON TRUE',
      'SELECT "semi"."glob" FROM t "semi" JOIN u "asof" ON TRUE',
    ],
    ['turns # comments into whitespace', 'SELECT 1 # note\nFROM t', 'SELECT 1\nFROM t'],
    [
      'translates CREATE TABLE column types and drops OPTIONS',
      'CREATE TABLE ds.t (a INT64 NOT NULL, b NUMERIC(10, 2) OPTIONS(description="x")) OPTIONS(labels=[("k","v")])',
      'CREATE TABLE ds.t (a BIGINT NOT NULL, b DECIMAL(10, 2))',
    ],
    [
      'drops PARTITION BY and CLUSTER BY in CREATE TABLE AS',
      'CREATE TABLE ds.t PARTITION BY DATE(ts) CLUSTER BY a AS SELECT 1 AS a',
      'CREATE TABLE ds.t AS SELECT 1 AS a',
    ],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.equal(tr(input), expected));
  }

  const errors: [string, string, RegExp][] = [
    ['rejects an unterminated string', "SELECT 'abc", /Unclosed string literal/],
    ['rejects an unterminated backtick identifier', 'SELECT * FROM `a.b', /Unclosed identifier/],
    [
      'rejects UNNEST WITH OFFSET',
      'SELECT x FROM UNNEST([1]) AS x WITH OFFSET off',
      /WITH OFFSET is not supported/,
    ],
    ['rejects system variables', 'SELECT @@project_id', /System variable/],
    ['rejects unknown cast types', 'SELECT CAST(1 AS WIDGET)', /Type not found: WIDGET/],
  ];
  for (const [name, input, pattern] of errors) {
    it(name, () => {
      assert.throws(
        () => tr(input),
        (err: unknown) =>
          err instanceof BigQueryError && err.reason === 'invalidQuery' && pattern.test(err.message),
      );
    });
  }
});

describe('parseType', () => {
  const cases: [string, string][] = [
    ['INT64', 'BIGINT'],
    ['STRING(20)', 'VARCHAR'],
    ['BIGNUMERIC', 'DECIMAL(38, 18)'],
    ['GEOGRAPHY', 'GEOMETRY'],
    ['STRUCT<INT64, b BOOL>', 'STRUCT("_field_1" BIGINT, "b" BOOLEAN)'],
    ['ARRAY<ARRAY<INT64>>', 'BIGINT[][]'],
  ];
  for (const [input, expected] of cases) {
    it(`maps ${input} to ${expected}`, () => {
      const tokens = tokenize(input).filter((t) => t.kind !== 'space');
      assert.deepEqual(parseType(tokens, 0), { sql: expected, next: tokens.length });
    });
  }
});
