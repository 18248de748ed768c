// Tests of the SQL text analysis: tables, columns, flags, fail-closed parsing and the bypass corpus.

import assert from 'node:assert/strict';
import { type BooleanFlag, BYPASS_CORPUS, BYPASS_DEFAULTS, unmetExpectations } from './bypass-corpus.ts';
import { formatTableRef } from './facts.ts';
import {
  analyzeSql,
  type InformationSchemaScope,
  type SqlAnalysis,
  type SqlAnalysisOptions,
} from './sql-analysis.ts';

const DEFAULTS: SqlAnalysisOptions = { defaultProject: 'demo-warden' };
const WITH_DATASET: SqlAnalysisOptions = { defaultProject: 'demo-warden', defaultDataset: 'clinical' };
const P = 'demo-warden.clinical.patients';
const ICD = 'demo-warden.reference.icd10_codes';

const tablesOf = (a: SqlAnalysis) => a.tables.map(formatTableRef).sort();
const columnsOf = (a: SqlAnalysis) =>
  a.columns.map((c) => `${c.table ? formatTableRef(c.table) : '?'}.${c.column}`).sort();
const trueFlags = (a: SqlAnalysis) =>
  Object.entries(a.flags)
    .filter(([, v]) => v === true)
    .map(([k]) => k)
    .sort();

describe('analyzeSql', () => {
  describe('counts statements with a lexer', () => {
    const cases: { name: string; sql: string; count: number }[] = [
      { name: 'one statement', sql: 'SELECT 1', count: 1 },
      { name: 'a trailing semicolon adds none', sql: 'SELECT 1;', count: 1 },
      { name: 'empty statements are ignored', sql: ';; SELECT 1 ;; ', count: 1 },
      { name: 'two statements', sql: 'SELECT 1; SELECT 2', count: 2 },
      { name: 'a semicolon in a single-quoted string', sql: "SELECT ';'", count: 1 },
      { name: 'a semicolon in a double-quoted string', sql: 'SELECT ";"', count: 1 },
      { name: 'a semicolon in a triple-quoted string', sql: "SELECT '''a;\nb'''", count: 1 },
      { name: 'a semicolon after an escaped quote', sql: "SELECT 'it\\'s;'", count: 1 },
      { name: 'a semicolon in a raw string', sql: "SELECT r'\\d;'", count: 1 },
      { name: 'a semicolon in a quoted identifier', sql: 'SELECT `a;b` FROM t', count: 1 },
      { name: 'a semicolon in a line comment', sql: 'SELECT 1 -- ; SELECT 2', count: 1 },
      { name: 'a semicolon in a hash comment', sql: 'SELECT 1 # ; SELECT 2', count: 1 },
      { name: 'a semicolon in a block comment', sql: 'SELECT 1 /* ; SELECT 2 */', count: 1 },
      { name: 'a statement after a line comment ends', sql: 'SELECT 1 -- c\n; SELECT 2', count: 2 },
      { name: 'a comment alone is no statement', sql: '-- nothing\n/* at all */', count: 0 },
      { name: 'a script block counts its inner statements', sql: 'BEGIN SELECT 1; SELECT 2; END', count: 3 },
      { name: 'an unparseable text is counted too', sql: 'FOO BAR; BAZ', count: 2 },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const a = analyzeSql(c.sql, DEFAULTS);
        assert.equal(a.statementCount, c.count);
        assert.equal(a.flags.multiStatement, c.count > 1);
      });
    }
  });

  describe('resolves table names', () => {
    const cases: { name: string; sql: string; options?: SqlAnalysisOptions; tables: string[] }[] = [
      {
        name: 'p.d.t in one backtick pair',
        sql: 'SELECT 1 FROM `demo-warden.clinical.patients`',
        tables: [P],
      },
      { name: 'quoted project only', sql: 'SELECT 1 FROM `demo-warden`.clinical.patients', tables: [P] },
      { name: 'quoted project.dataset', sql: 'SELECT 1 FROM `demo-warden.clinical`.patients', tables: [P] },
      {
        name: 'every part quoted',
        sql: 'SELECT 1 FROM `demo-warden`.`clinical`.`patients`',
        tables: [P],
      },
      { name: 'unquoted dashed project', sql: 'SELECT 1 FROM demo-warden.clinical.patients', tables: [P] },
      { name: 'd.t takes the default project', sql: 'SELECT 1 FROM clinical.patients', tables: [P] },
      {
        name: 't takes the default project and dataset',
        sql: 'SELECT 1 FROM patients',
        options: WITH_DATASET,
        tables: [P],
      },
      {
        name: 't without a default dataset keeps an empty dataset',
        sql: 'SELECT 1 FROM patients',
        tables: ['demo-warden..patients'],
      },
      {
        name: 'project ids are lower-cased',
        sql: 'SELECT 1 FROM `Demo-Warden.clinical.patients`',
        tables: [P],
      },
      {
        name: 'dataset and table keep their case',
        sql: 'SELECT 1 FROM `demo-warden.CLINICAL.Patients`',
        tables: ['demo-warden.CLINICAL.Patients'],
      },
      { name: 'whitespace around dots', sql: 'SELECT 1 FROM clinical . patients', tables: [P] },
      {
        name: 'tables in CTEs, subqueries and joins, not the CTE name',
        sql:
          'WITH a AS (SELECT * FROM clinical.patients) SELECT * FROM a JOIN (SELECT * FROM reference.icd10_codes) c ON TRUE ' +
          'WHERE EXISTS (SELECT 1 FROM clinical.encounters)',
        tables: ['demo-warden.clinical.encounters', P, ICD],
      },
      {
        name: 'UNNEST sources',
        sql: 'SELECT x FROM UNNEST((SELECT ARRAY_AGG(ssn) FROM clinical.patients)) AS x',
        tables: [P],
      },
      {
        name: 'a correlated array path is not a table',
        sql: 'SELECT c FROM clinical.patients p, p.codes AS c',
        tables: [P],
      },
      {
        name: 'a parenthesised join the parser rejects',
        sql: 'SELECT 1 FROM (clinical.patients p JOIN reference.icd10_codes c ON c.code = p.dx), x.y z',
        tables: [P, ICD, 'demo-warden.x.y'],
      },
      {
        name: 'DML and DDL targets',
        sql: 'INSERT INTO reference.copy (a) SELECT ssn FROM clinical.patients',
        tables: [P, 'demo-warden.reference.copy'],
      },
      {
        name: 'MERGE target and source',
        sql: 'MERGE reference.t T USING clinical.patients S ON T.k = S.k WHEN MATCHED THEN DELETE',
        tables: [P, 'demo-warden.reference.t'],
      },
      {
        name: 'sources of CREATE TABLE … LIKE / COPY / CLONE',
        sql: 'CREATE TABLE r.a LIKE clinical.patients; CREATE TABLE r.b COPY clinical.encounters; CREATE SNAPSHOT TABLE r.c CLONE clinical.notes',
        tables: [
          P,
          'demo-warden.clinical.encounters',
          'demo-warden.clinical.notes',
          'demo-warden.r.a',
          'demo-warden.r.b',
          'demo-warden.r.c',
        ],
      },
      {
        name: 'a TVF is not a table, its TABLE argument is',
        sql: 'SELECT * FROM APPENDS(TABLE clinical.patients)',
        tables: [P],
      },
      {
        name: 'EXTRACT … FROM names no table',
        sql: 'SELECT EXTRACT(YEAR FROM birth_date) FROM clinical.patients',
        tables: [P],
      },
      {
        name: 'INFORMATION_SCHEMA is no table',
        sql: 'SELECT * FROM clinical.INFORMATION_SCHEMA.TABLES',
        tables: [],
      },
      {
        name: 'table names inside strings are not tables',
        sql: "SELECT 'FROM clinical.patients' AS x",
        tables: [],
      },
    ];
    for (const c of cases) {
      it(c.name, () => assert.deepEqual(tablesOf(analyzeSql(c.sql, c.options ?? DEFAULTS)), c.tables.sort()));
    }
  });

  describe('resolves columns to their tables', () => {
    const cases: { name: string; sql: string; columns: string[]; selectStar?: boolean }[] = [
      { name: 'unqualified, one table', sql: 'SELECT ssn FROM clinical.patients', columns: [`${P}.ssn`] },
      {
        name: 'through a table alias, in every clause',
        sql: 'SELECT p.ssn FROM clinical.patients p WHERE p.mrn = "1" GROUP BY p.ssn, p.sex HAVING COUNT(p.zip) > 1 ORDER BY p.city',
        columns: ['city', 'mrn', 'sex', 'ssn', 'zip'].map((c) => `${P}.${c}`),
      },
      {
        name: 'the table name is an implicit alias',
        sql: 'SELECT patients.ssn FROM clinical.patients',
        columns: [`${P}.ssn`],
      },
      {
        name: 'function arguments, CASE, CAST and window specs',
        sql: "SELECT CONCAT(first_name, ' ', last_name), CASE WHEN sex = 'F' THEN 1 END, CAST(zip AS INT64), ROW_NUMBER() OVER (PARTITION BY city ORDER BY birth_date) FROM clinical.patients",
        columns: ['birth_date', 'city', 'first_name', 'last_name', 'sex', 'zip'].map((c) => `${P}.${c}`),
      },
      {
        name: 'through a CTE that renames',
        sql: 'WITH a AS (SELECT ssn AS s FROM clinical.patients) SELECT a.s FROM a',
        columns: [`${P}.ssn`],
      },
      {
        name: 'through a CTE that passes * on',
        sql: 'WITH a AS (SELECT * FROM clinical.patients) SELECT mrn FROM a',
        columns: [`${P}.*`, `${P}.mrn`],
        selectStar: true,
      },
      {
        name: 'through a subquery alias',
        sql: 'SELECT x.v FROM (SELECT birth_date AS v FROM clinical.patients) x',
        columns: [`${P}.birth_date`],
      },
      {
        name: 'set operation branches',
        sql: 'SELECT code FROM reference.icd10_codes UNION ALL SELECT ssn FROM clinical.patients',
        columns: [`${ICD}.code`, `${P}.ssn`],
      },
      {
        name: '* reads every column of every table in scope',
        sql: 'SELECT * FROM clinical.patients, reference.icd10_codes',
        columns: [`${ICD}.*`, `${P}.*`],
        selectStar: true,
      },
      {
        name: 't.* reads the columns of t only',
        sql: 'SELECT c.* FROM clinical.patients p JOIN reference.icd10_codes c ON c.code = p.dx',
        columns: [`${ICD}.*`, `${ICD}.code`, `${P}.dx`],
        selectStar: true,
      },
      {
        name: 'a whole-row reference is *',
        sql: 'SELECT TO_JSON_STRING(p) FROM clinical.patients p',
        columns: [`${P}.*`],
        selectStar: true,
      },
      {
        name: 'an unqualified name of a join is reported for each table',
        sql: 'SELECT ssn FROM clinical.patients JOIN reference.icd10_codes ON TRUE',
        columns: [`${ICD}.ssn`, `${P}.ssn`],
      },
      {
        name: 'a correlated reference resolves to the outer table',
        sql: 'SELECT code FROM reference.icd10_codes c WHERE EXISTS (SELECT 1 FROM clinical.patients p WHERE p.dx = c.code)',
        columns: [`${ICD}.code`, `${P}.dx`],
      },
      {
        name: 'JOIN USING reads the column on both sides',
        sql: 'SELECT 1 FROM clinical.patients JOIN clinical.encounters USING (patient_id)',
        columns: [`${P}.patient_id`, 'demo-warden.clinical.encounters.patient_id'],
      },
      {
        name: 'UNNEST of a column reads the column; its alias may also be a column of the table',
        sql: 'SELECT code FROM clinical.patients p CROSS JOIN UNNEST(p.codes) AS code',
        columns: [`${P}.code`, `${P}.codes`],
      },
      {
        name: 'STRUCT field paths read the top-level column',
        sql: 'SELECT p.address.city FROM clinical.patients p',
        columns: [`${P}.address`],
      },
      {
        name: 'ORDER BY a SELECT alias reads nothing more',
        sql: 'SELECT ssn AS s FROM clinical.patients ORDER BY s',
        columns: [`${P}.ssn`],
      },
      {
        name: 'EXCEPT columns are not read, * is',
        sql: 'SELECT * EXCEPT (ssn) FROM clinical.patients',
        columns: [`${P}.*`],
        selectStar: true,
      },
      {
        name: 'the bare table name is the whole row',
        sql: 'SELECT patients FROM clinical.patients',
        columns: [`${P}.*`],
        selectStar: true,
      },
      {
        name: 'a name in a later set-operation branch reaches every branch',
        sql: 'SELECT first_name FROM (SELECT first_name FROM clinical.patients UNION ALL SELECT ssn FROM clinical.patients)',
        columns: [`${P}.first_name`, `${P}.ssn`],
      },
      {
        name: 'a CTE of the first branch is no table in later branches',
        sql: 'WITH a AS (SELECT ssn FROM clinical.patients) SELECT 1 AS x UNION ALL SELECT ssn FROM a',
        columns: [`${P}.ssn`],
      },
      {
        name: 'an unknown name of a subquery reaches its unnamed columns',
        sql: 'SELECT f0_ FROM (SELECT UPPER(ssn), mrn AS m FROM clinical.patients)',
        columns: [`${P}.mrn`, `${P}.ssn`],
      },
      { name: 'a quoted alias path', sql: 'SELECT `p.ssn` FROM clinical.patients p', columns: [`${P}.ssn`] },
      { name: 'COUNT(*) is no *', sql: 'SELECT COUNT(*) FROM clinical.patients', columns: [] },
      { name: 'names without a table in scope', sql: 'SELECT ssn', columns: ['?.ssn'] },
      {
        name: 'column names are lower-cased',
        sql: 'SELECT SSN, `Mrn` FROM clinical.patients',
        columns: [`${P}.mrn`, `${P}.ssn`],
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const a = analyzeSql(c.sql, DEFAULTS);
        assert.equal(a.parsed, true);
        assert.deepEqual(columnsOf(a), c.columns.sort());
        assert.equal(a.selectStar, c.selectStar ?? false);
      });
    }
  });

  describe('raises flags', () => {
    const cases: { name: string; sql: string; flags: BooleanFlag[] }[] = [
      { name: 'none for a plain SELECT', sql: 'SELECT ssn FROM clinical.patients', flags: [] },
      { name: 'multiStatement', sql: 'SELECT 1; SELECT 2', flags: ['multiStatement'] },
      {
        name: 'none for keywords inside a dashed project id',
        sql: 'SELECT 1 FROM my-create-proj.d.t',
        flags: [],
      },
      { name: 'scripting: DECLARE', sql: 'DECLARE x INT64', flags: ['scripting'] },
      { name: 'scripting: SET', sql: 'SET @@dataset_id = "clinical"', flags: ['scripting'] },
      { name: 'scripting: BEGIN … END', sql: 'BEGIN SELECT 1; END', flags: ['multiStatement', 'scripting'] },
      { name: 'scripting: BEGIN TRANSACTION', sql: 'BEGIN TRANSACTION', flags: ['scripting'] },
      { name: 'scripting: IF', sql: 'IF TRUE THEN SELECT 1; END IF', flags: ['multiStatement', 'scripting'] },
      {
        name: 'scripting: LOOP with a label',
        sql: 'l: LOOP LEAVE l; END LOOP',
        flags: ['multiStatement', 'scripting'],
      },
      {
        name: 'scripting: WHILE',
        sql: 'WHILE FALSE DO SELECT 1; END WHILE',
        flags: ['multiStatement', 'scripting'],
      },
      { name: 'scripting: CALL', sql: 'CALL staging.proc(1)', flags: ['scripting'] },
      {
        name: 'scripting: CREATE PROCEDURE',
        sql: 'CREATE PROCEDURE staging.p() BEGIN SELECT 1; END',
        flags: ['ddl', 'multiStatement', 'scripting'],
      },
      {
        name: 'executeImmediate',
        sql: "EXECUTE IMMEDIATE 'SELECT 1'",
        flags: ['executeImmediate', 'scripting'],
      },
      {
        name: 'executeImmediate across a comment and line break',
        sql: "execute -- x\n /* y */ Immediate 'SELECT 1'",
        flags: ['executeImmediate', 'scripting'],
      },
      {
        name: 'exportData',
        sql: "EXPORT DATA OPTIONS (uri = 'gs://b/*.csv', format = 'CSV') AS SELECT 1 AS x",
        flags: ['exportData'],
      },
      {
        name: 'externalQuery: EXTERNAL_QUERY',
        sql: "SELECT * FROM EXTERNAL_QUERY('c', 'SELECT 1')",
        flags: ['externalQuery'],
      },
      {
        name: 'externalQuery: quoted function name',
        sql: "SELECT * FROM `external_query`('c', 'SELECT 1')",
        flags: ['externalQuery'],
      },
      {
        name: 'externalQuery: external table',
        sql: "CREATE EXTERNAL TABLE staging.x OPTIONS (format = 'CSV', uris = ['gs://b/x.csv'])",
        flags: ['ddl', 'externalQuery'],
      },
      {
        name: 'externalQuery and dml: LOAD DATA FROM FILES',
        sql: "LOAD DATA INTO staging.x FROM FILES (format = 'CSV', uris = ['gs://b/x.csv'])",
        flags: ['dml', 'externalQuery'],
      },
      {
        name: 'temporaryFunction',
        sql: 'CREATE TEMP FUNCTION f(x INT64) AS (x + 1); SELECT f(1)',
        flags: ['ddl', 'multiStatement', 'temporaryFunction'],
      },
      {
        name: 'temporaryFunction: TEMPORARY TABLE FUNCTION',
        sql: 'CREATE OR REPLACE TEMPORARY TABLE FUNCTION f() AS (SELECT 1 AS x)',
        flags: ['ddl', 'temporaryFunction'],
      },
      {
        name: 'remoteFunction: JavaScript UDF',
        sql: "CREATE TEMP FUNCTION f(x STRING) RETURNS STRING LANGUAGE js AS 'return x;'",
        flags: ['ddl', 'remoteFunction', 'temporaryFunction'],
      },
      {
        name: 'remoteFunction: REMOTE WITH CONNECTION',
        sql: 'CREATE FUNCTION staging.f(x STRING) RETURNS STRING REMOTE WITH CONNECTION `demo-warden.us.c`',
        flags: ['ddl', 'externalQuery', 'remoteFunction'],
      },
      {
        name: 'remoteFunction: generative model call',
        sql: 'SELECT * FROM ML.GENERATE_TEXT(MODEL staging.m, (SELECT note_text AS prompt FROM clinical.clinical_notes))',
        flags: ['remoteFunction'],
      },
      { name: 'dml: UPDATE', sql: 'UPDATE clinical.patients SET ssn = NULL WHERE TRUE', flags: ['dml'] },
      { name: 'dml: DELETE', sql: 'DELETE FROM clinical.patients WHERE TRUE', flags: ['dml'] },
      { name: 'dml: TRUNCATE', sql: 'TRUNCATE TABLE clinical.patients', flags: ['dml'] },
      { name: 'ddl: DROP', sql: 'DROP TABLE clinical.patients', flags: ['ddl'] },
      { name: 'ddl: ALTER', sql: 'ALTER TABLE clinical.patients ADD COLUMN x INT64', flags: ['ddl'] },
      {
        name: 'ddl: GRANT',
        sql: 'GRANT `roles/bigquery.dataViewer` ON TABLE clinical.patients TO "user:a@b.c"',
        flags: ['ddl'],
      },
    ];
    for (const c of cases)
      it(c.name, () => assert.deepEqual(trueFlags(analyzeSql(c.sql, DEFAULTS)), c.flags.sort()));
  });

  describe('does not raise flags for keywords in strings, comments and names', () => {
    const cases: { name: string; sql: string }[] = [
      { name: 'EXECUTE IMMEDIATE in a string', sql: "SELECT 'EXECUTE IMMEDIATE' AS x" },
      { name: 'keywords in a double-quoted string', sql: 'SELECT "DECLARE x; DROP TABLE t" AS x' },
      { name: 'keywords in a triple-quoted string', sql: "SELECT '''\nBEGIN CALL p(); END\n''' AS x" },
      {
        name: 'keywords in raw and bytes strings',
        sql: "SELECT r'EXPORT DATA', b'CREATE TEMP FUNCTION', RB'x' AS x",
      },
      { name: 'keywords in a line comment', sql: 'SELECT 1 -- EXECUTE IMMEDIATE; DELETE FROM t' },
      { name: 'keywords in a hash comment', sql: 'SELECT 1 # EXTERNAL_QUERY(x); INSERT INTO t' },
      { name: 'keywords in a block comment', sql: 'SELECT 1 /* CREATE TEMP FUNCTION f; LANGUAGE js */' },
      { name: 'INFORMATION_SCHEMA in a string', sql: "SELECT 'region-us.INFORMATION_SCHEMA.TABLES' AS x" },
      { name: 'wildcard and suffix in a string', sql: "SELECT '`p.d.t*` _TABLE_SUFFIX' AS x" },
      { name: 'keywords as struct field names', sql: 'SELECT t.update, t.delete.create FROM staging.t' },
      {
        name: 'IF() function and IS DISTINCT FROM',
        sql: 'SELECT IF(a IS DISTINCT FROM b, 1, 2) FROM staging.t',
      },
      { name: 'UPDATE in an identifier', sql: 'SELECT last_update, created_at FROM staging.t' },
      {
        name: 'keywords glued by dashes are names',
        sql: 'SELECT a-update AS x FROM `demo-warden`.d.t',
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const a = analyzeSql(c.sql, DEFAULTS);
        assert.deepEqual(trueFlags(a), []);
        assert.deepEqual(a.flags.informationSchema, []);
        assert.deepEqual(a.flags.wildcardTables, []);
        assert.deepEqual(a.flags.crossProjects, []);
        assert.equal(a.statementCount, 1);
      });
    }
  });

  describe('reports INFORMATION_SCHEMA scopes', () => {
    const cases: {
      name: string;
      sql: string;
      options?: SqlAnalysisOptions;
      scopes: InformationSchemaScope[];
    }[] = [
      {
        name: 'project.dataset',
        sql: 'SELECT * FROM `demo-warden.clinical.INFORMATION_SCHEMA.COLUMNS`',
        scopes: [{ projectId: 'demo-warden', datasetId: 'clinical' }],
      },
      {
        name: 'dataset with the default project',
        sql: 'SELECT * FROM clinical.INFORMATION_SCHEMA.TABLES',
        scopes: [{ projectId: 'demo-warden', datasetId: 'clinical' }],
      },
      {
        name: 'quoted region',
        sql: 'SELECT * FROM `region-us`.INFORMATION_SCHEMA.TABLES',
        scopes: [{ projectId: 'demo-warden', region: 'us' }],
      },
      {
        name: 'project and region, lower case',
        sql: 'SELECT * FROM `other-proj`.`region-eu`.information_schema.jobs',
        scopes: [{ projectId: 'other-proj', region: 'eu' }],
      },
      {
        name: 'unqualified with a default dataset',
        sql: 'SELECT * FROM INFORMATION_SCHEMA.TABLES',
        options: WITH_DATASET,
        scopes: [{ projectId: 'demo-warden', datasetId: 'clinical' }],
      },
      {
        name: 'inside a subquery',
        sql: 'SELECT 1 FROM staging.t WHERE x IN (SELECT table_name FROM region-us.INFORMATION_SCHEMA.TABLES)',
        scopes: [{ projectId: 'demo-warden', region: 'us' }],
      },
    ];
    for (const c of cases) {
      it(c.name, () =>
        assert.deepEqual(analyzeSql(c.sql, c.options ?? DEFAULTS).flags.informationSchema, c.scopes),
      );
    }
  });

  describe('reports wildcard tables and cross-project names', () => {
    const cases: { name: string; sql: string; wildcards: string[]; projects: string[] }[] = [
      {
        name: 'prefix wildcard',
        sql: 'SELECT 1 FROM `demo-warden.clinical.pat*`',
        wildcards: ['demo-warden.clinical.pat*'],
        projects: [],
      },
      {
        name: 'unquoted wildcard, default project',
        sql: 'SELECT 1 FROM clinical.pat*',
        wildcards: ['demo-warden.clinical.pat*'],
        projects: [],
      },
      {
        name: '_TABLE_SUFFIX alone still flags a wildcard',
        sql: "SELECT _TABLE_SUFFIX FROM staging.t WHERE _TABLE_SUFFIX > ''",
        wildcards: ['demo-warden..*'],
        projects: [],
      },
      {
        name: 'table of another project',
        sql: 'SELECT 1 FROM `other-proj.d.t`',
        wildcards: [],
        projects: ['other-proj'],
      },
      {
        name: 'the default project named is no cross project',
        sql: 'SELECT 1 FROM `demo-warden.d.t`',
        wildcards: [],
        projects: [],
      },
      {
        name: 'routine of another project',
        sql: 'SELECT `other-proj.d.f`(1)',
        wildcards: [],
        projects: ['other-proj'],
      },
      { name: 'unquoted routine path', sql: 'SELECT other.d.f(1)', wildcards: [], projects: ['other'] },
      {
        name: 'connection id of EXTERNAL_QUERY',
        sql: "SELECT * FROM EXTERNAL_QUERY('other-proj.us.pg', 'SELECT 1')",
        wildcards: [],
        projects: ['other-proj'],
      },
      {
        name: 'INFORMATION_SCHEMA of another project',
        sql: 'SELECT * FROM `other-proj.region-us.INFORMATION_SCHEMA.JOBS`',
        wildcards: [],
        projects: ['other-proj'],
      },
      {
        name: 'struct paths name no project',
        sql: 'SELECT p.a.b.c FROM staging.t p',
        wildcards: [],
        projects: [],
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const a = analyzeSql(c.sql, DEFAULTS);
        assert.deepEqual(a.flags.wildcardTables.map(formatTableRef), c.wildcards);
        assert.deepEqual(a.flags.crossProjects, c.projects);
      });
    }
  });

  describe('analyses the SQL dynamic SQL may run', () => {
    const cases: { name: string; sql: string; tables: string[] }[] = [
      { name: 'a literal', sql: "EXECUTE IMMEDIATE 'SELECT ssn FROM clinical.patients'", tables: [P] },
      {
        name: 'a concatenation split inside names',
        sql: "EXECUTE IMMEDIATE 'SELECT ssn FROM `demo-war' || 'den.clinical.patients`'",
        tables: [P],
      },
      {
        name: 'CONCAT of literals',
        sql: "EXECUTE IMMEDIATE CONCAT('SELECT ssn ', 'FROM clinical.', 'patients')",
        tables: [P],
      },
      {
        name: 'a variable set in an earlier statement',
        sql: "DECLARE q STRING; SET q = 'SELECT ssn FROM clinical.patients'; EXECUTE IMMEDIATE q",
        tables: [P],
      },
      {
        name: 'nested EXECUTE IMMEDIATE',
        sql: 'EXECUTE IMMEDIATE "EXECUTE IMMEDIATE \'SELECT ssn FROM clinical.patients\'"',
        tables: [P],
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const a = analyzeSql(c.sql, DEFAULTS);
        assert.equal(a.flags.executeImmediate, true);
        for (const t of c.tables) assert.ok(tablesOf(a).includes(t), `${t} in ${tablesOf(a).join(', ')}`);
      });
    }

    it('reports what the literal does', () => {
      const a = analyzeSql(
        'EXECUTE IMMEDIATE \'EXPORT DATA OPTIONS (uri = "gs://b/*") AS SELECT 1\'',
        DEFAULTS,
      );
      assert.equal(a.flags.exportData, true);
    });
  });

  describe('fails closed when the parser cannot vouch for the text', () => {
    const cases: { name: string; sql: string; flags: BooleanFlag[]; tables: string[] }[] = [
      { name: 'gibberish', sql: 'FROB clinical.patients WITH ssn', flags: [], tables: [] },
      {
        name: 'scripting the parser does not know',
        sql: 'DECLARE x INT64 DEFAULT 1; SELECT ssn FROM clinical.patients',
        flags: ['multiStatement', 'scripting'],
        tables: [P],
      },
      {
        name: 'a MERGE the parser rejects',
        sql: 'MERGE reference.t T USING clinical.patients S ON T.k = S.k WHEN MATCHED THEN UPDATE SET v = S.ssn',
        flags: ['dml'],
        tables: [P, 'demo-warden.reference.t'],
      },
      {
        name: 'an unterminated string',
        sql: "SELECT ssn FROM clinical.patients WHERE x = 'oops",
        flags: [],
        tables: [P],
      },
      {
        name: 'an unterminated comment hides nothing from the flags before it',
        sql: "EXECUTE IMMEDIATE 'SELECT 1' /* trailing",
        flags: ['executeImmediate', 'scripting'],
        tables: [],
      },
      {
        name: 'a triple-quoted string the parser does not know',
        sql: 'SELECT """a"b""" AS x FROM clinical.patients; DROP TABLE clinical.patients',
        flags: ['ddl', 'multiStatement'],
        tables: [P],
      },
      {
        name: 'a clause the parser drops (UPDATE … FROM)',
        sql: 'UPDATE reference.t SET v = p.ssn FROM clinical.patients p WHERE p.mrn = t.k',
        flags: ['dml'],
        tables: [P, 'demo-warden.reference.t'],
      },
      {
        name: 'a misread DELETE',
        sql: 'DELETE FROM clinical.patients WHERE ssn IS NULL',
        flags: ['dml'],
        tables: [P],
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const a = analyzeSql(c.sql, DEFAULTS);
        assert.equal(a.parsed, false);
        assert.deepEqual(trueFlags(a), c.flags.sort());
        assert.deepEqual(tablesOf(a), c.tables.sort());
      });
    }

    it('never throws, and an empty text is not parsed', () => {
      for (const sql of ['', ';', '`', "'", '/*', '(((', ')))', '\u0000', 'SELECT `a`.`', '\u200b']) {
        const a = analyzeSql(sql, DEFAULTS);
        assert.equal(a.parsed, false, JSON.stringify(sql));
      }
    });

    it('still gives best-effort columns of the queries inside', () => {
      const a = analyzeSql(
        'EXPORT DATA OPTIONS (uri = "gs://b/*") AS SELECT ssn FROM clinical.patients',
        DEFAULTS,
      );
      assert.equal(a.parsed, false);
      assert.deepEqual(columnsOf(a), [`${P}.ssn`]);
    });
  });

  describe('bypass corpus', () => {
    it('has at least 45 variants with distinct names', () => {
      assert.ok(BYPASS_CORPUS.length >= 45);
      assert.equal(new Set(BYPASS_CORPUS.map((c) => c.name)).size, BYPASS_CORPUS.length);
    });
    for (const c of BYPASS_CORPUS) {
      it(`catches: ${c.name}`, () => {
        const a = analyzeSql(c.sql, BYPASS_DEFAULTS);
        assert.deepEqual(unmetExpectations(a, c.expect), []);
        // Every variant is caught by a fact a policy acts on: PHI read, a flag, or unparsed SQL.
        const phi = a.tables.some((t) => /patients|clinical_notes|pat\*|\*$/.test(t.tableId));
        const caught =
          phi ||
          !a.parsed ||
          trueFlags(a).length > 0 ||
          a.flags.informationSchema.length > 0 ||
          a.flags.crossProjects.length > 0 ||
          a.tables.some((t) => t.tableId.endsWith('_v'));
        assert.ok(caught, 'nothing in the analysis would stop it');
      });
    }
  });
});
