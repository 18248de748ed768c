import assert from 'node:assert/strict';
import { analyzeResultLineage } from './sql-lineage.ts';

const P = 'demo-warden';
const T = `\`${P}.clinical.patients\``;
const at = (column: string, tableId = 'patients') => `${P}.clinical.${tableId}.${column}`;

/** Sources of `name` as `project.dataset.table.column` strings (`?.column` without a table), and directness. */
function sources(sql: string, name: string): { sources: string[]; direct: boolean } | undefined | 'unknown' {
  const l = analyzeResultLineage(sql, { defaultProject: P });
  if (l === undefined) return 'unknown';
  const s = l.sourcesOf(name);
  if (s === undefined) return undefined;
  return {
    sources: s.sources
      .map((r) =>
        r.table
          ? `${r.table.projectId}.${r.table.datasetId}.${r.table.tableId}.${r.column}`
          : `?.${r.column}`,
      )
      .sort(),
    direct: s.direct,
  };
}

describe('analyzeResultLineage', () => {
  const cases: { name: string; sql: string; column: string; want: ReturnType<typeof sources> }[] = [
    {
      name: 'follows a renamed column to its source',
      sql: `SELECT ssn AS x FROM ${T}`,
      column: 'x',
      want: { sources: [at('ssn')], direct: true },
    },
    {
      name: 'matches output names case-insensitively',
      sql: `SELECT p.SSN AS Masked FROM ${T} p`,
      column: 'MASKED',
      want: { sources: [at('ssn')], direct: true },
    },
    {
      name: 'names every column a CONCAT reads',
      sql: `SELECT CONCAT(first_name, ' ', last_name) AS n FROM ${T}`,
      column: 'n',
      want: { sources: [at('first_name'), at('last_name')], direct: false },
    },
    {
      name: "gives BigQuery's generated names (f0_) the sources of the unnamed expressions",
      sql: `SELECT patient_id, UPPER(email) FROM ${T}`,
      column: 'f0_',
      want: { sources: [at('email')], direct: false },
    },
    {
      name: 'reports a whole row read into one value as column *',
      sql: `SELECT JSON_EXTRACT_SCALAR(TO_JSON_STRING(p), '$.ssn') AS j FROM ${T} p`,
      column: 'j',
      want: { sources: [at('*')], direct: false },
    },
    {
      name: 'resolves the columns of SELECT * by name',
      sql: `SELECT * FROM ${T}`,
      column: 'phone',
      want: { sources: [at('phone')], direct: true },
    },
    {
      name: 'follows a column through a CTE and a subquery',
      sql: `WITH t AS (SELECT ssn AS s FROM ${T}) SELECT z FROM (SELECT s AS z FROM t)`,
      column: 'z',
      want: { sources: [at('ssn')], direct: true },
    },
    {
      name: 'adds the columns of other UNION branches to every output',
      sql: `SELECT first_name AS v FROM ${T} UNION ALL SELECT ssn FROM ${T}`,
      column: 'v',
      want: { sources: [at('first_name'), at('ssn')], direct: false },
    },
    {
      name: 'gives a constant no sources',
      sql: `SELECT 1 AS one, COUNT(*) AS n FROM ${T}`,
      column: 'n',
      want: { sources: [], direct: false },
    },
    {
      name: 'knows nothing of a column the query does not name',
      sql: `SELECT ssn AS x FROM ${T}`,
      column: 'y',
      want: undefined,
    },
    {
      name: 'knows nothing of several statements',
      sql: `SELECT ssn AS x FROM ${T}; SELECT 1 AS x`,
      column: 'x',
      want: 'unknown',
    },
    {
      name: 'knows nothing of text the parser rejects',
      sql: 'SELECT ssn AS x FROM',
      column: 'x',
      want: 'unknown',
    },
    {
      name: 'knows nothing of statements other than queries',
      sql: `DELETE FROM ${T} WHERE TRUE`,
      column: 'x',
      want: 'unknown',
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.deepEqual(sources(c.sql, c.column), c.want);
    });
});
