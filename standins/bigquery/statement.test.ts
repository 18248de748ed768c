// Tests for statement classification and the DML/DDL targets found in each statement.

import assert from 'node:assert/strict';
import { BigQueryError } from './errors.ts';
import { tokenize } from './sql-lexer.ts';
import { shapeOf, splitStatements } from './statement.ts';

function shape(sql: string) {
  const s = shapeOf(tokenize(sql));
  return {
    type: s.type,
    dmlTarget: s.dmlTarget,
    ddlTarget: s.ddlTarget,
    ddlTargetDataset: s.ddlTargetDataset,
  };
}

describe('shapeOf', () => {
  const cases: [string, string, ReturnType<typeof shape>][] = [
    [
      'SELECT',
      'SELECT 1',
      { type: 'SELECT', dmlTarget: undefined, ddlTarget: undefined, ddlTargetDataset: undefined },
    ],
    [
      'WITH … SELECT',
      'WITH a AS (SELECT 1) SELECT * FROM a',
      { type: 'SELECT', dmlTarget: undefined, ddlTarget: undefined, ddlTargetDataset: undefined },
    ],
    [
      'parenthesised query',
      '(SELECT 1) UNION ALL (SELECT 2)',
      { type: 'SELECT', dmlTarget: undefined, ddlTarget: undefined, ddlTargetDataset: undefined },
    ],
    [
      'INSERT with INTO',
      'INSERT INTO `p.d.t` (a) VALUES (1)',
      { type: 'INSERT', dmlTarget: ['p', 'd', 't'], ddlTarget: undefined, ddlTargetDataset: undefined },
    ],
    [
      'INSERT without INTO',
      'INSERT d.t SELECT * FROM d.s',
      { type: 'INSERT', dmlTarget: ['d', 't'], ddlTarget: undefined, ddlTargetDataset: undefined },
    ],
    [
      'UPDATE',
      'UPDATE `p`.`d`.`t` x SET a = 1 WHERE true',
      { type: 'UPDATE', dmlTarget: ['p', 'd', 't'], ddlTarget: undefined, ddlTargetDataset: undefined },
    ],
    [
      'DELETE without FROM',
      'DELETE d.t WHERE a = 1',
      { type: 'DELETE', dmlTarget: ['d', 't'], ddlTarget: undefined, ddlTargetDataset: undefined },
    ],
    [
      'MERGE',
      'MERGE d.t USING d.s ON t.id = s.id WHEN MATCHED THEN DELETE',
      { type: 'MERGE', dmlTarget: ['d', 't'], ddlTarget: undefined, ddlTargetDataset: undefined },
    ],
    [
      'TRUNCATE TABLE',
      'TRUNCATE TABLE d.t',
      { type: 'TRUNCATE_TABLE', dmlTarget: ['d', 't'], ddlTarget: undefined, ddlTargetDataset: undefined },
    ],
    [
      'CREATE TABLE',
      'CREATE TABLE d.t (a INT64)',
      { type: 'CREATE_TABLE', dmlTarget: undefined, ddlTarget: ['d', 't'], ddlTargetDataset: undefined },
    ],
    [
      'CREATE OR REPLACE TABLE … AS SELECT',
      'CREATE OR REPLACE TABLE d.t AS SELECT 1 AS a',
      {
        type: 'CREATE_TABLE_AS_SELECT',
        dmlTarget: undefined,
        ddlTarget: ['d', 't'],
        ddlTargetDataset: undefined,
      },
    ],
    [
      'CREATE TEMP TABLE',
      'CREATE TEMP TABLE t (a INT64)',
      { type: 'CREATE_TABLE', dmlTarget: undefined, ddlTarget: ['t'], ddlTargetDataset: undefined },
    ],
    [
      'CREATE VIEW',
      'CREATE VIEW IF NOT EXISTS d.v AS SELECT 1 AS a',
      { type: 'CREATE_VIEW', dmlTarget: undefined, ddlTarget: ['d', 'v'], ddlTargetDataset: undefined },
    ],
    [
      'CREATE MATERIALIZED VIEW',
      'CREATE MATERIALIZED VIEW d.v AS SELECT 1 AS a',
      {
        type: 'CREATE_MATERIALIZED_VIEW',
        dmlTarget: undefined,
        ddlTarget: ['d', 'v'],
        ddlTargetDataset: undefined,
      },
    ],
    [
      'CREATE SCHEMA',
      'CREATE SCHEMA `p.d2`',
      { type: 'CREATE_SCHEMA', dmlTarget: undefined, ddlTarget: undefined, ddlTargetDataset: ['p', 'd2'] },
    ],
    [
      'CREATE TEMP FUNCTION',
      'CREATE TEMP FUNCTION f(x INT64) AS (x + 1)',
      { type: 'CREATE_FUNCTION', dmlTarget: undefined, ddlTarget: undefined, ddlTargetDataset: undefined },
    ],
    [
      'DROP TABLE',
      'DROP TABLE IF EXISTS d.t',
      { type: 'DROP_TABLE', dmlTarget: undefined, ddlTarget: ['d', 't'], ddlTargetDataset: undefined },
    ],
    [
      'DROP VIEW',
      'DROP VIEW d.v',
      { type: 'DROP_VIEW', dmlTarget: undefined, ddlTarget: ['d', 'v'], ddlTargetDataset: undefined },
    ],
    [
      'DROP SCHEMA',
      'DROP SCHEMA d CASCADE',
      { type: 'DROP_SCHEMA', dmlTarget: undefined, ddlTarget: undefined, ddlTargetDataset: ['d'] },
    ],
    [
      'ALTER TABLE',
      'ALTER TABLE d.t ADD COLUMN b STRING',
      { type: 'ALTER_TABLE', dmlTarget: undefined, ddlTarget: ['d', 't'], ddlTargetDataset: undefined },
    ],
    [
      'EXPORT DATA',
      "EXPORT DATA OPTIONS(uri='gs://b/*') AS SELECT 1",
      { type: 'EXPORT_DATA', dmlTarget: undefined, ddlTarget: undefined, ddlTargetDataset: undefined },
    ],
    [
      'DECLARE (scripting)',
      'DECLARE x INT64',
      { type: 'SCRIPT', dmlTarget: undefined, ddlTarget: undefined, ddlTargetDataset: undefined },
    ],
    [
      'CALL',
      'CALL d.proc()',
      { type: 'CALL', dmlTarget: undefined, ddlTarget: undefined, ddlTargetDataset: undefined },
    ],
  ];
  for (const [name, sql, expected] of cases) {
    it(`classifies ${name} as ${expected.type}`, () => assert.deepEqual(shape(sql), expected));
  }

  it('rejects DML after a WITH clause, which GoogleSQL does not allow', () => {
    assert.throws(() => shape('WITH a AS (SELECT 1) DELETE FROM d.t WHERE true'), BigQueryError);
  });

  it('rejects statements that are not GoogleSQL (DuckDB ATTACH/COPY/PRAGMA)', () => {
    for (const sql of ["ATTACH 'x.db' AS x", "COPY d.t TO '/tmp/x.csv'", 'PRAGMA version']) {
      assert.throws(
        () => shape(sql),
        (err: unknown) => err instanceof BigQueryError && err.reason === 'invalidQuery',
        sql,
      );
    }
  });
});

describe('splitStatements', () => {
  it('splits at top-level semicolons and ignores a trailing one', () => {
    assert.equal(splitStatements(tokenize("SELECT ';'; SELECT (1);")).length, 2);
  });
});
