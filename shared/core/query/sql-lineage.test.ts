import assert from 'node:assert/strict';
import { analyzeSql, analyzeSqlStatements } from './sql-analysis.ts';
import { analyzeAstLineage } from './sql-ast.ts';
import { analyzeResultLineage } from './sql-lineage.ts';
import { scanSql } from './sql-scan.ts';

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
      name: 'keeps a derived value derived when a CTE renames it back to its source column',
      sql: `WITH x AS (SELECT SUBSTR(ssn, 1, 3) AS ssn FROM ${T}) SELECT ssn FROM x`,
      column: 'ssn',
      want: { sources: [at('ssn')], direct: false },
    },
    {
      name: 'keeps a derived value derived through SELECT * of a subquery',
      sql: `SELECT * FROM (SELECT CONCAT('ZZZZZ', SUBSTR(ssn, 1, 3)) AS ssn FROM ${T})`,
      column: 'ssn',
      want: { sources: [at('ssn')], direct: false },
    },
    {
      name: 'passes a plain column through SELECT * of a subquery as direct',
      sql: `SELECT * FROM (SELECT ssn FROM ${T})`,
      column: 'ssn',
      want: { sources: [at('ssn')], direct: true },
    },
    {
      name: 'treats the elements of an array a function computed as derived (UNNEST(SPLIT(…)))',
      sql: `SELECT w FROM ${T} p, UNNEST(SPLIT(p.ssn, '-')) AS w`,
      column: 'w',
      want: { sources: [at('ssn'), at('w')], direct: false },
    },
    {
      name: 'treats the row of a subquery that computes its columns as derived',
      sql: `SELECT x FROM (SELECT SUBSTR(ssn, 1, 3) AS s FROM ${T}) x`,
      column: 'x',
      want: { sources: [at('ssn')], direct: false },
    },
    {
      name: 'treats a window value over a column as derived',
      sql: `SELECT LAG(ssn) OVER (ORDER BY patient_id) AS prev FROM ${T}`,
      column: 'prev',
      want: { sources: [at('ssn')], direct: false },
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

  const folds: { name: string; sql: string; column: string; collects: boolean; folds: boolean }[] = [
    {
      name: 'an array aggregate shows its elements',
      sql: `SELECT ARRAY_AGG(STRUCT(ssn, first_name)) AS a FROM ${T}`,
      column: 'a',
      collects: false,
      folds: true,
    },
    {
      name: 'an ARRAY subquery shows its elements',
      sql: `SELECT ARRAY(SELECT ssn FROM ${T}) AS a`,
      column: 'a',
      collects: false,
      folds: true,
    },
    {
      name: 'an array aggregate passed through a CTE still shows its elements',
      sql: `WITH a AS (SELECT ARRAY_AGG(ssn) AS arr FROM ${T}) SELECT arr FROM a`,
      column: 'arr',
      collects: false,
      folds: true,
    },
    {
      name: 'STRING_AGG folds rows into a scalar',
      sql: `SELECT STRING_AGG(ssn, ',') AS a FROM ${T}`,
      column: 'a',
      collects: true,
      folds: false,
    },
    {
      name: 'an array aggregate serialised to JSON hides its elements',
      sql: `SELECT TO_JSON_STRING(ARRAY_AGG(p)) AS a FROM ${T} p`,
      column: 'a',
      collects: true,
      folds: false,
    },
    {
      name: 'an array from a CTE joined into a string hides its elements',
      sql: `WITH a AS (SELECT ARRAY_AGG(ssn) AS arr FROM ${T}) SELECT ARRAY_TO_STRING(arr, ',') AS s FROM a`,
      column: 's',
      collects: true,
      folds: false,
    },
    {
      name: 'an array aggregate of folded values hides them',
      sql: `SELECT ARRAY_AGG((SELECT STRING_AGG(ssn) FROM ${T})) AS a FROM ${T}`,
      column: 'a',
      collects: true,
      folds: false,
    },
    {
      name: 'a plain column folds nothing',
      sql: `SELECT MAX(ssn) AS m FROM ${T}`,
      column: 'm',
      collects: false,
      folds: false,
    },
  ];
  for (const c of folds)
    it(`tells whether rows are folded: ${c.name}`, () => {
      const s = analyzeResultLineage(c.sql, { defaultProject: P })?.sourcesOf(c.column);
      assert.deepEqual([s?.collects, s?.folds], [c.collects, c.folds]);
    });

  it('walks the analysis’s own AST: the same lineage as a fresh parse of the statement, for every case', () => {
    const d = { defaultProject: P };
    const key = (r: { table?: { projectId: string; datasetId: string; tableId: string }; column: string }) =>
      `${r.table ? `${r.table.projectId}.${r.table.datasetId}.${r.table.tableId}` : '?'}.${r.column}`;
    let compared = 0;
    for (const c of [...cases, ...folds]) {
      const { analysis, statements } = analyzeSqlStatements(c.sql, d);
      const lineage = analyzeResultLineage(c.sql, d);
      if (!analysis.parsed || analysis.statementCount !== 1) {
        assert.equal(lineage, undefined, c.name);
        continue;
      }
      assert.equal(statements[0]?.text, scanSql(c.sql).statements[0], c.name);
      const fresh = analyzeAstLineage(statements[0]!.text, d);
      assert.equal(lineage === undefined, fresh === undefined, c.name);
      const a = lineage?.sourcesOf(c.column);
      const b = fresh?.sourcesOf(c.column);
      assert.deepEqual(
        a && { ...a, sources: a.sources.map(key).sort() },
        b && {
          sources: [...new Set(b.origins.map(key))].sort(),
          direct: b.direct,
          collects: b.collects,
          folds: b.folds,
        },
        c.name,
      );
      compared++;
    }
    assert.ok(compared > 20, `only ${compared} cases compared`);
  });
});

describe('analyzeSql: predicate reads', () => {
  const read = (sql: string) => {
    const a = analyzeSql(sql, { defaultProject: P });
    const name = (r: { table?: { tableId: string }; column: string }) =>
      `${r.table?.tableId ?? '?'}.${r.column}`;
    return {
      parsed: a.parsed,
      predicates: a.predicateColumns.map(name).sort(),
      keys: a.joinKeyColumns.map(name).sort(),
    };
  };
  const E = `\`${P}.clinical.encounters\``;
  const cases: { name: string; sql: string; predicates: string[]; keys?: string[] }[] = [
    {
      name: 'a digit-by-digit WHERE oracle',
      sql: `SELECT pos, d FROM ${T} p CROSS JOIN UNNEST(GENERATE_ARRAY(1, 11)) pos CROSS JOIN UNNEST(['0', '1']) d WHERE p.patient_id = 'P000001' AND SUBSTR(p.ssn, pos, 1) = d`,
      predicates: ['patients.patient_id', 'patients.ssn'],
    },
    {
      name: 'a counting oracle',
      sql: `SELECT COUNT(*) FROM ${T} WHERE SUBSTR(ssn, 1, 1) = '1'`,
      predicates: ['patients.ssn'],
    },
    {
      name: 'GROUP BY and HAVING through a SELECT alias',
      sql: `SELECT SUBSTR(ssn, 1, 1) AS d, COUNT(*) AS n FROM ${T} GROUP BY d HAVING d = '1'`,
      predicates: ['patients.ssn'],
    },
    {
      name: 'ORDER BY a column not in the output',
      sql: `SELECT patient_id FROM ${T} ORDER BY last_name`,
      predicates: ['patients.last_name'],
    },
    {
      name: 'QUALIFY',
      sql: `SELECT patient_id FROM ${T} WHERE TRUE QUALIFY ROW_NUMBER() OVER (PARTITION BY zip ORDER BY birth_date) = 1`,
      predicates: ['patients.birth_date', 'patients.zip'],
    },
    {
      name: 'a window in the SELECT list',
      sql: `SELECT RANK() OVER (ORDER BY ssn) AS r FROM ${T}`,
      predicates: ['patients.ssn'],
    },
    {
      name: 'a scalar subquery with a filter',
      sql: `SELECT (SELECT COUNT(*) FROM ${T} WHERE ssn LIKE '1%') AS n`,
      predicates: ['patients.ssn'],
    },
    {
      name: 'the SELECT list of an IN subquery',
      sql: `SELECT patient_id FROM ${E} WHERE patient_id IN (SELECT ssn FROM ${T})`,
      predicates: ['encounters.patient_id', 'patients.ssn'],
    },
    {
      name: 'a column of a CTE used only to filter',
      sql: `WITH x AS (SELECT patient_id, ssn FROM ${T}) SELECT patient_id FROM x WHERE ssn > '5'`,
      predicates: ['patients.ssn'],
    },
    {
      name: 'a join: equality of columns as keys, the rest as predicates',
      sql: `SELECT a.patient_id FROM ${T} a JOIN ${E} b ON a.patient_id = b.patient_id AND a.ssn LIKE '1%'`,
      predicates: ['patients.ssn'],
      keys: ['encounters.patient_id', 'patients.patient_id'],
    },
    {
      name: 'USING names join keys',
      sql: `SELECT encounter_id FROM ${T} JOIN ${E} USING (patient_id)`,
      predicates: [],
      keys: ['encounters.patient_id', 'patients.patient_id'],
    },
    {
      name: 'a plain projection reads no predicate',
      sql: `SELECT ssn, SUBSTR(ssn, 1, 3) FROM ${T}`,
      predicates: [],
    },
    {
      name: 'SELECT DISTINCT, which compares its values',
      sql: `SELECT DISTINCT SUBSTR(ssn, 1, 1) AS d FROM ${T}`,
      predicates: ['patients.ssn'],
    },
    {
      name: 'INTERSECT DISTINCT as a membership oracle',
      sql: `SELECT ssn FROM ${T} INTERSECT DISTINCT SELECT '123-45-6789'`,
      predicates: ['patients.ssn'],
    },
    {
      name: 'EXCEPT DISTINCT',
      sql: `SELECT patient_id FROM ${T} EXCEPT DISTINCT SELECT last_name FROM ${T}`,
      predicates: ['patients.last_name', 'patients.patient_id'],
    },
    {
      name: 'UNION DISTINCT',
      sql: `SELECT ssn FROM ${T} UNION DISTINCT SELECT '1'`,
      predicates: ['patients.ssn'],
    },
    {
      name: 'UNION ALL, which compares nothing',
      sql: `SELECT ssn FROM ${T} UNION ALL SELECT '1'`,
      predicates: [],
    },
  ];
  for (const c of cases)
    it(`reports ${c.name}`, () => {
      const r = read(c.sql);
      assert.equal(r.parsed, true);
      for (const p of c.predicates) assert.ok(r.predicates.includes(p), `${p} in ${r.predicates.join(', ')}`);
      if (c.predicates.length === 0) assert.deepEqual(r.predicates, []);
      for (const k of c.keys ?? []) assert.ok(r.keys.includes(k), `${k} in ${r.keys.join(', ')}`);
    });
});
