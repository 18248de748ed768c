// GoogleSQL strictness: DuckDB-only SQL is refused as BigQuery refuses it (dry runs and jobs); valid GoogleSQL runs.

import assert from 'node:assert/strict';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDBInstance } from '@duckdb/node-api';
import type { AliasVerdict, ProbeRunner } from './alias-reuse.ts';
import { aliasVerdict } from './alias-reuse.ts';
import { sameNamedFunctions } from './googlesql-functions.ts';
import { tokenize } from './sql-lexer.ts';
import { stringLiteral, translate } from './sql-translate.ts';
import type { TestStandIn } from './test-seed.ts';
import { startTestStandIn } from './test-seed.ts';

interface ApiErrorLike {
  code?: number;
  message: string;
  errors?: { reason?: string; message?: string }[];
}

interface Rejected {
  name: string;
  sql: string;
  params?: Record<string, unknown>;
  /** The whole error message. */
  message: string;
}

interface Accepted {
  name: string;
  sql: string;
  /** Rows the query returns (checked when given). */
  rows?: Record<string, unknown>[];
  /** Only dry-run it (scripts, DML and DDL, which would change the shared seed). */
  dryRunOnly?: boolean;
}

const P = 'clinical.patients';
const E = 'clinical.encounters';

/** Forms GoogleSQL refuses and DuckDB would run, with the error BigQuery-style. */
const rejected: Rejected[] = [
  // DuckDB operators and keywords
  {
    name: 'ILIKE',
    sql: `SELECT name FROM ${P} WHERE name ILIKE 'patient%'`,
    message: 'Syntax error: Unexpected keyword ILIKE at [1:47]',
  },
  {
    name: 'NOT ILIKE',
    sql: `SELECT name FROM ${P} WHERE name NOT ILIKE 'x%'`,
    message: 'Syntax error: Unexpected keyword ILIKE at [1:51]',
  },
  {
    name: 'ILIKE on a later line, with the position of that line',
    sql: `SELECT name\nFROM ${P}\nWHERE name ILIKE 'p%'`,
    message: 'Syntax error: Unexpected keyword ILIKE at [3:12]',
  },
  {
    name: 'GLOB',
    sql: `SELECT name FROM ${P} WHERE name GLOB 'P*'`,
    message: 'Syntax error: Unexpected keyword GLOB at [1:47]',
  },
  {
    name: 'SIMILAR TO',
    sql: `SELECT name FROM ${P} WHERE name SIMILAR TO 'P.*'`,
    message: 'Syntax error: Unexpected keyword SIMILAR at [1:47]',
  },
  {
    name: 'a :: cast',
    sql: `SELECT zip::INT64 AS z FROM ${P}`,
    message: 'Syntax error: Unexpected "::" at [1:11]',
  },
  {
    name: 'a :: cast in a DELETE',
    sql: `DELETE ${P} WHERE zip::INT64 = 1`,
    message: 'Syntax error: Unexpected "::" at [1:35]',
  },
  {
    name: 'integer division //',
    sql: 'SELECT 7 // 2 AS x',
    message: 'Syntax error: Unexpected "/" at [1:11]',
  },
  { name: 'power **', sql: 'SELECT 2 ** 3 AS x', message: 'Syntax error: Unexpected "*" at [1:11]' },
  { name: 'modulo %', sql: 'SELECT 7 % 2 AS x', message: 'Syntax error: Unexpected "%" at [1:10]' },
  { name: 'equality ==', sql: 'SELECT 1 == 1 AS x', message: 'Syntax error: Unexpected "=" at [1:11]' },
  { name: 'negation !', sql: 'SELECT !TRUE AS x', message: 'Syntax error: Unexpected "!" at [1:8]' },
  { name: 'a $1 parameter', sql: 'SELECT $1 AS x', message: 'Syntax error: Unexpected "$" at [1:8]' },
  {
    name: 'JSON arrows ->>',
    sql: "SELECT '{}' ->> '$' AS x",
    message: 'Syntax error: Unexpected "->" at [1:13]',
  },
  {
    name: '^, which DuckDB reads as power and GoogleSQL as bitwise XOR',
    sql: 'SELECT 5 ^ 3 AS x',
    message: 'The ^ operator (bitwise XOR) is not supported by the local BigQuery stand-in at [1:10]',
  },
  {
    name: 'a lambda',
    sql: 'SELECT ARRAY_TO_STRING([1, 2], x -> CAST(x AS STRING)) AS l',
    message: 'Syntax error: Unexpected "->" at [1:34]',
  },
  {
    name: 'a lambda keyword',
    sql: 'SELECT ARRAY_TO_STRING([1, 2], lambda x: x) AS l',
    message: 'Syntax error: Unexpected ":" at [1:40]',
  },
  {
    name: 'a list comprehension',
    sql: 'SELECT [x * 2 FOR x IN [1, 2]] AS l',
    message: 'Syntax error: Unexpected keyword FOR at [1:15]',
  },
  {
    name: 'list slicing',
    sql: 'SELECT [1, 2, 3][1:2] AS s',
    message: 'Syntax error: Unexpected ":" at [1:19]',
  },
  { name: 'a struct literal', sql: "SELECT {'a': 1} AS s", message: 'Syntax error: Unexpected "{" at [1:8]' },
  {
    name: 'a MAP literal',
    sql: "SELECT MAP {'a': 1} AS m",
    message: 'Syntax error: Unexpected "{" at [1:12]',
  },
  {
    name: 'an E string',
    sql: "SELECT E'a\\nb' AS x",
    message: "Syntax error: Unexpected string literal 'a\\nb' at [1:9]",
  },
  {
    name: 'a DuckDB typed literal',
    sql: "SELECT VARCHAR 'x' AS x",
    message: "Syntax error: Unexpected string literal 'x' at [1:16]",
  },
  {
    name: 'an interval without a date part',
    sql: "SELECT INTERVAL '1 day' AS x",
    message: 'Syntax error: Unexpected keyword AS at [1:25]',
  },
  {
    name: 'a plural interval unit',
    sql: 'SELECT INTERVAL 2 DAYS AS x',
    message: 'Syntax error: Unexpected keyword DAYS at [1:19]',
  },
  // DuckDB star expressions and aggregates
  {
    name: 'COLUMNS(...)',
    sql: `SELECT COLUMNS('na.*') FROM ${P}`,
    message: 'Function not found: COLUMNS at [1:8]',
  },
  {
    name: '* EXCLUDE',
    sql: `SELECT * EXCLUDE (name) FROM ${P}`,
    message: 'Syntax error: Unexpected keyword EXCLUDE at [1:10]',
  },
  {
    name: '* RENAME',
    sql: `SELECT * RENAME (name AS n) FROM ${P}`,
    message: 'Syntax error: Unexpected keyword RENAME at [1:10]',
  },
  {
    name: '* LIKE',
    sql: `SELECT * LIKE 'na%' FROM ${P}`,
    message: 'Syntax error: Unexpected keyword LIKE at [1:10]',
  },
  {
    name: 'an aggregate FILTER (WHERE ...)',
    sql: `SELECT COUNT(*) FILTER (WHERE zip = '02100') AS n FROM ${P}`,
    message: 'Syntax error: Unexpected keyword FILTER at [1:17]',
  },
  {
    name: 'WITHIN GROUP',
    sql: `SELECT STRING_AGG(name, ',') WITHIN GROUP (ORDER BY name) AS s FROM ${P}`,
    message: 'Syntax error: Unexpected keyword WITHIN at [1:30]',
  },
  {
    name: 'DISTINCT ON',
    sql: `SELECT DISTINCT ON (zip) name FROM ${P}`,
    message: 'Syntax error: Unexpected keyword ON at [1:17]',
  },
  {
    name: 'OFFSET without LIMIT',
    sql: `SELECT * FROM ${P} OFFSET 5`,
    message: 'Syntax error: Unexpected keyword OFFSET at [1:33]',
  },
  {
    name: 'FETCH FIRST',
    sql: `SELECT * FROM ${P} FETCH FIRST 2 ROWS ONLY`,
    message: 'Syntax error: Unexpected keyword FETCH at [1:33]',
  },
  {
    name: 'COLLATE with a collation name',
    sql: `SELECT name COLLATE NOCASE AS n FROM ${P}`,
    message: 'Syntax error: Unexpected keyword NOCASE at [1:21]',
  },
  {
    name: 'ORDER BY ALL',
    sql: `SELECT name FROM ${P} ORDER BY ALL`,
    message: 'Syntax error: Unexpected keyword ALL at [1:45]',
  },
  // select-list aliases where GoogleSQL cannot see them
  {
    name: 'a select-list alias reused in the same SELECT list',
    sql: `SELECT SUBSTR(name, 1, 3) AS a, CONCAT(a, 'x') AS b FROM ${P}`,
    message: 'Unrecognized name: a at [1:40]',
  },
  {
    name: 'an implicit select-list alias reused in the same SELECT list',
    sql: `SELECT SUBSTR(name, 1, 3) a, CONCAT(a, 'x') b FROM ${P}`,
    message: 'Unrecognized name: a at [1:37]',
  },
  {
    name: 'a select-list alias in WHERE',
    sql: `SELECT SUBSTR(name, 1, 3) AS a FROM ${P} WHERE a = 'Pat'`,
    message: 'Unrecognized name: a at [1:61]',
  },
  {
    name: 'a select-list alias in a subquery of the SELECT list',
    sql: `SELECT SUBSTR(name, 1, 3) AS a, (SELECT a) AS b FROM ${P}`,
    message: 'Unrecognized name: a at [1:41]',
  },
  {
    name: 'a select-list alias in a correlated subquery',
    sql: `SELECT e.patient_id AS pid, (SELECT COUNT(*) FROM ${P} p WHERE p.patient_id = pid) AS c FROM ${E} e`,
    message: 'Unrecognized name: pid at [1:92]',
  },
  {
    name: 'a field of a select-list alias',
    sql: `SELECT STRUCT(1 AS f) AS s, s.f AS g FROM ${P}`,
    message: 'Unrecognized name: s at [1:29]',
  },
  {
    name: 'a select-list alias in a window of the same SELECT list',
    sql: `SELECT SUBSTR(name, 1, 3) AS a, ROW_NUMBER() OVER (ORDER BY a) AS r FROM ${P}`,
    message: 'Unrecognized name: a at [1:61]',
  },
  {
    name: 'an aggregate alias reused in the same SELECT list',
    sql: `SELECT COUNT(*) AS n, n + 1 AS m FROM ${P}`,
    message: 'Unrecognized name: n at [1:23]',
  },
  {
    name: 'an alias of an UNNEST column reused in the same SELECT list',
    sql: 'SELECT x + 1 AS y, y + 1 AS z FROM UNNEST([1]) AS x',
    message: 'Unrecognized name: y at [1:20]',
  },
  {
    name: 'a select-list alias reused next to a field of a STRUCT parameter (which defers DuckDB’s binding)',
    sql: `SELECT @s.city AS c, SUBSTR(name, 1, 3) AS a, CONCAT(a, 'x') AS b FROM ${P}`,
    params: { s: { city: 'Oslo' } },
    message: 'Unrecognized name: a at [1:54]',
  },
  {
    name: 'the alias of a query parameter reused in the same SELECT list',
    sql: `SELECT @p AS a, a AS b FROM ${P}`,
    params: { p: 'x' },
    message: 'Unrecognized name: a at [1:17]',
  },
  {
    name: 'a select-list alias reused inside a CTE',
    sql: `WITH c AS (SELECT name AS a, a || 'x' AS b FROM ${P}) SELECT b FROM c`,
    message: 'Unrecognized name: a at [1:30]',
  },
  {
    name: 'a select-list alias reused in INSERT ... SELECT',
    sql: `INSERT ${P} (patient_id, name) SELECT SUBSTR(name, 1, 3) AS a, CONCAT(a, 'x') FROM ${P}`,
    message: 'Unrecognized name: a at [1:84]',
  },
  {
    name: 'a select-list alias in the WHERE of CREATE TABLE AS SELECT',
    sql: `CREATE TABLE reference.t4 AS SELECT name AS a FROM ${P} WHERE a > 'x'`,
    message: 'Unrecognized name: a at [1:76]',
  },
  {
    name: 'an unknown column, with BigQuery’s message and position',
    sql: `SELECT patient_id, shoe_size FROM ${P}`,
    message: 'Unrecognized name: shoe_size at [1:20]',
  },
  {
    name: 'a select-list alias in a JOIN condition',
    sql: `SELECT p.zip AS k FROM ${P} p JOIN ${E} e ON k = e.patient_id`,
    message: 'Unrecognized name: k at [1:74]',
  },
  // query shapes
  {
    name: 'a FROM-first query',
    sql: `FROM ${P} SELECT name`,
    message: 'Syntax error: Unexpected keyword FROM at [1:1]',
  },
  {
    name: 'a FROM-first subquery',
    sql: `SELECT * FROM (FROM ${P})`,
    message: 'Syntax error: Unexpected keyword FROM at [1:16]',
  },
  {
    name: 'a FROM-first set operation branch',
    sql: `SELECT name FROM ${P} UNION ALL FROM reference.icd_codes`,
    message: 'Syntax error: Unexpected keyword FROM at [1:46]',
  },
  {
    name: 'FROM inside a function call',
    sql: `SELECT SUBSTRING(name FROM 2) AS n FROM ${P}`,
    message: 'Syntax error: Unexpected keyword FROM at [1:23]',
  },
  {
    name: 'a set operation without ALL or DISTINCT',
    sql: `SELECT name FROM ${P} UNION SELECT title FROM reference.icd_codes`,
    message: 'Syntax error: Expected keyword ALL or keyword DISTINCT but got keyword SELECT at [1:42]',
  },
  {
    name: 'a VALUES table',
    sql: 'SELECT * FROM (VALUES (1), (2)) AS v',
    message: 'Syntax error: Unexpected keyword VALUES at [1:16]',
  },
  {
    name: 'UNNEST in the SELECT list',
    sql: 'SELECT UNNEST([1, 2]) AS x',
    message: 'Syntax error: Unexpected keyword UNNEST at [1:8]',
  },
  {
    name: 'USING SAMPLE with a percentage',
    sql: `SELECT * FROM ${P} USING SAMPLE 10%`,
    message: 'Syntax error: Unexpected keyword SAMPLE at [1:39]',
  },
  {
    name: 'USING SAMPLE with a row count',
    sql: `SELECT * FROM ${P} USING SAMPLE 5 ROWS`,
    message: 'Syntax error: Unexpected keyword SAMPLE at [1:39]',
  },
  {
    name: 'TABLESAMPLE with a bare percentage',
    sql: `SELECT * FROM ${P} TABLESAMPLE 10%`,
    message: 'Syntax error: Unexpected number 10 at [1:45]',
  },
  {
    name: 'TABLESAMPLE reservoir',
    sql: `SELECT * FROM ${P} TABLESAMPLE reservoir(5 ROWS)`,
    message: 'Syntax error: Unexpected keyword RESERVOIR at [1:45]',
  },
  {
    name: 'LIMIT n%',
    sql: `SELECT * FROM ${P} LIMIT 10%`,
    message: 'Syntax error: Unexpected "%" at [1:41]',
  },
  {
    name: 'LIMIT n PERCENT',
    sql: `SELECT * FROM ${P} LIMIT 10 PERCENT`,
    message: 'Syntax error: Unexpected keyword PERCENT at [1:42]',
  },
  // DuckDB statements and DML clauses
  {
    name: 'DML RETURNING',
    sql: `DELETE FROM ${P} WHERE patient_id = 'x' RETURNING name`,
    message: 'Syntax error: Unexpected keyword RETURNING at [1:54]',
  },
  {
    name: 'INSERT ... ON CONFLICT',
    sql: `INSERT INTO ${P} (patient_id) VALUES ('x') ON CONFLICT DO NOTHING`,
    message: 'Syntax error: Unexpected keyword CONFLICT at [1:60]',
  },
  {
    name: 'INSERT BY NAME',
    sql: `INSERT INTO ${P} BY NAME SELECT 'x' AS patient_id`,
    message: 'Syntax error: Unexpected keyword BY at [1:31]',
  },
  {
    name: 'LOAD of a DuckDB extension',
    sql: 'LOAD httpfs',
    message: 'Syntax error: Unexpected keyword HTTPFS at [1:6]',
  },
  // joins
  {
    name: 'a POSITIONAL JOIN',
    sql: `SELECT p.name FROM ${P} p POSITIONAL JOIN ${E} e`,
    message: 'Syntax error: Unexpected keyword POSITIONAL at [1:40]',
  },
  {
    name: 'an ASOF JOIN',
    sql: `SELECT p.name FROM ${P} p ASOF JOIN ${E} e ON p.patient_id >= e.patient_id`,
    message: 'Syntax error: Unexpected keyword ASOF at [1:40]',
  },
  {
    name: 'an ANTI JOIN',
    sql: `SELECT p.name FROM ${P} p ANTI JOIN ${E} e ON p.patient_id = e.patient_id`,
    message: 'Syntax error: Unexpected keyword ANTI at [1:40]',
  },
  {
    name: 'a LEFT SEMI JOIN',
    sql: `SELECT p.name FROM ${P} p LEFT SEMI JOIN ${E} e ON p.patient_id = e.patient_id`,
    message: 'Syntax error: Unexpected keyword SEMI at [1:45]',
  },
  {
    name: 'a NATURAL JOIN',
    sql: `SELECT * FROM ${P} NATURAL JOIN ${E}`,
    message: 'Syntax error: Unexpected keyword NATURAL at [1:33]',
  },
  // strings where GoogleSQL wants identifiers
  {
    name: 'a double-quoted table name (a string in GoogleSQL; a file path in DuckDB)',
    sql: `SELECT * FROM "${P}"`,
    message: `Syntax error: Unexpected string literal "${P}" at [1:15]`,
  },
  {
    name: 'a file path as a table',
    sql: "SELECT * FROM '/etc/passwd'",
    message: "Syntax error: Unexpected string literal '/etc/passwd' at [1:15]",
  },
  {
    name: 'a double-quoted alias',
    sql: 'SELECT 1 AS "x"',
    message: 'Syntax error: Unexpected string literal "x" at [1:13]',
  },
  {
    name: 'a single-quoted alias',
    sql: "SELECT 1 AS 'x'",
    message: "Syntax error: Unexpected string literal 'x' at [1:13]",
  },
  // functions GoogleSQL does not have
  {
    name: 'a DuckDB list function',
    sql: 'SELECT list_value(1, 2) AS l',
    message: 'Function not found: list_value at [1:8]',
  },
  { name: 'getenv', sql: "SELECT getenv('HOME') AS h", message: 'Function not found: getenv at [1:8]' },
  {
    name: 'current_setting',
    sql: "SELECT current_setting('threads') AS h",
    message: 'Function not found: current_setting at [1:8]',
  },
  { name: 'version()', sql: 'SELECT version() AS v', message: 'Function not found: version at [1:8]' },
  {
    name: 'a DuckDB function inside EXTRACT',
    sql: 'SELECT EXTRACT(DAY FROM today()) AS d',
    message: 'Function not found: today at [1:25]',
  },
  {
    name: 'a reserved keyword called like a function',
    sql: `SELECT CONTAINS(name, 'x') FROM ${P}`,
    message: 'Syntax error: Unexpected keyword CONTAINS at [1:8]',
  },
  {
    name: 'DuckDB method-call syntax on a column',
    sql: `SELECT name.upper() AS n FROM ${P}`,
    message: 'Function not found: name.upper at [1:8]',
  },
  {
    name: 'DuckDB method-call syntax on a literal',
    sql: "SELECT 'abc'.upper() AS n",
    message: 'Syntax error: Unexpected "(" at [1:19]',
  },
  {
    name: 'a UDF that does not exist',
    sql: `SELECT \`attacker-proj.udfs.send\`(name) AS ok FROM ${P}`,
    message: 'Function not found: attacker-proj.udfs.send at [1:8]',
  },
  {
    name: 'a function the script did not define',
    sql: `CREATE TEMP FUNCTION mask(x STRING) AS (x); SELECT list_value(name) AS m FROM ${P}`,
    message: 'Function not found: list_value at [1:52]',
  },
  {
    name: 'a GoogleSQL function the stand-in does not have, clearly',
    sql: "SELECT NET.HOST('https://example.org/') AS h",
    message: 'Function NET.HOST is not supported by the local BigQuery stand-in at [1:8]',
  },
  {
    name: 'the SAFE. prefix, clearly',
    sql: `SELECT SAFE.SUBSTR(name, 1) AS s FROM ${P}`,
    message: 'Function SAFE.SUBSTR is not supported by the local BigQuery stand-in at [1:8]',
  },
];

/** Valid GoogleSQL that must keep working. */
const accepted: Accepted[] = [
  {
    name: 'select aliases in GROUP BY, HAVING and ORDER BY',
    sql: `SELECT SUBSTR(name, 1, 3) AS a, COUNT(*) AS n FROM ${P} GROUP BY a HAVING n > 0 ORDER BY a`,
    rows: [{ a: 'Pat', n: 25 }],
  },
  {
    name: 'a select alias inside a HAVING condition',
    sql: `SELECT SUBSTR(name, 1, 3) AS a FROM ${P} GROUP BY a HAVING a > 'A'`,
    rows: [{ a: 'Pat' }],
  },
  {
    name: 'a select alias in QUALIFY',
    sql: `SELECT zip AS z, ROW_NUMBER() OVER (ORDER BY name) AS r FROM ${P} QUALIFY r = 1`,
    rows: [{ z: '02100', r: 1 }],
  },
  {
    name: 'a select alias in ORDER BY of a set operation',
    sql: `SELECT zip AS a FROM ${P} UNION ALL SELECT code FROM reference.icd_codes ORDER BY a DESC LIMIT 1`,
    rows: [{ a: 'I10' }],
  },
  {
    name: 'a column named like a select alias of the same list',
    sql: `SELECT zip AS name, name AS full_name FROM ${P} ORDER BY patient_id LIMIT 1`,
    rows: [{ name: '02100', full_name: 'Patient 1' }],
  },
  {
    name: 'an aggregate aliased like the column it aggregates, and that column used again',
    sql: `SELECT SUM(cost) AS cost, MAX(cost) AS top FROM ${E}`,
    rows: [{ cost: 7785, top: 159.25 }],
  },
  {
    name: 'a grouped column aliased like itself after a function',
    sql: `SELECT UPPER(zip) AS zip, CONCAT(zip, 'x') AS z FROM ${P} GROUP BY zip ORDER BY zip LIMIT 1`,
    rows: [{ zip: '02100', z: '02100x' }],
  },
  {
    name: 'a column of a subquery named like an alias (the subquery is its own scope)',
    sql: `SELECT v, v || '!' AS w FROM (SELECT SUBSTR(name, 1, 3) AS v FROM ${P}) WHERE v = 'Pat' LIMIT 1`,
    rows: [{ v: 'Pat', w: 'Pat!' }],
  },
  {
    name: 'a CTE column named like an alias',
    sql: `WITH c AS (SELECT name AS a FROM ${P}) SELECT a, LENGTH(a) AS n FROM c ORDER BY a LIMIT 1`,
    rows: [{ a: 'Patient 1', n: 9 }],
  },
  {
    name: 'a correlated reference to an outer column',
    sql: `SELECT e.patient_id AS patient_id, (SELECT COUNT(*) FROM ${P} p WHERE p.patient_id = e.patient_id) AS c FROM ${E} e ORDER BY e.encounter_id LIMIT 1`,
    rows: [{ patient_id: 'P001', c: 1 }],
  },
  {
    name: 'a struct field of a column aliased in the same list',
    sql: 'SELECT address AS a, address.city AS c FROM types.all_types WHERE address IS NOT NULL',
    rows: [{ a: { city: 'Boston', since: { value: '2001-02-03' }, codes: [7, 8] }, c: 'Boston' }],
  },
  {
    name: 'a struct field of a subquery column named like an alias',
    sql: 'SELECT a.city AS city FROM (SELECT address AS a FROM types.all_types) WHERE a.city IS NOT NULL',
    rows: [{ city: 'Boston' }],
  },
  {
    name: 'an UNNEST alias used next to select aliases',
    sql: 'SELECT x + 1 AS y, x AS x FROM UNNEST([1, 2]) AS x WHERE x > 1',
    rows: [{ y: 3, x: 2 }],
  },
  {
    name: 'UNNEST with an alias after a comma join',
    sql: `SELECT p.name, tag FROM ${P} p, UNNEST(['a', 'b']) AS tag ORDER BY p.name, tag LIMIT 2`,
    rows: [
      { name: 'Patient 1', tag: 'a' },
      { name: 'Patient 1', tag: 'b' },
    ],
  },
  {
    name: 'window functions with PARTITION BY, ORDER BY and a frame',
    sql: `SELECT patient_id, SUM(cost) OVER (PARTITION BY patient_id ORDER BY started ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running FROM ${E} ORDER BY 1, 2 LIMIT 1`,
    rows: [{ patient_id: 'P001', running: 100.25 }],
  },
  {
    name: 'a named WINDOW',
    sql: `SELECT ROW_NUMBER() OVER w AS r FROM ${P} WINDOW w AS (ORDER BY name) ORDER BY r LIMIT 1`,
    rows: [{ r: 1 }],
  },
  {
    name: 'SELECT * EXCEPT',
    sql: `SELECT * EXCEPT (name, birth_date) FROM ${P} ORDER BY patient_id LIMIT 1`,
    rows: [{ patient_id: 'P001', zip: '02100' }],
  },
  {
    name: 'SELECT * REPLACE',
    sql: `SELECT * EXCEPT (birth_date) REPLACE (UPPER(name) AS name) FROM ${P} ORDER BY patient_id LIMIT 1`,
    rows: [{ patient_id: 'P001', name: 'PATIENT 1', zip: '02100' }],
  },
  {
    name: 'STRUCT(...), ARRAY[...] and array literals',
    sql: "SELECT STRUCT(1 AS a, 'x' AS b) AS s, ARRAY[1, 2] AS arr, [3] AS arr2",
    rows: [{ s: { a: 1, b: 'x' }, arr: [1, 2], arr2: [3] }],
  },
  {
    name: '|| and LIKE',
    sql: `SELECT 'a' || name AS x FROM ${P} WHERE name LIKE 'Patient 1%' ORDER BY x LIMIT 1`,
    rows: [{ x: 'aPatient 1' }],
  },
  {
    name: 'a double-quoted string, which GoogleSQL reads as a string literal',
    sql: `SELECT "name" AS n FROM ${P} LIMIT 1`,
    rows: [{ n: 'name' }],
  },
  {
    name: 'IN UNNEST, UNION ALL and EXCEPT DISTINCT',
    sql: `SELECT name FROM ${P} WHERE patient_id IN UNNEST(['P001', 'P002']) EXCEPT DISTINCT SELECT 'Patient 2'`,
    rows: [{ name: 'Patient 1' }],
  },
  {
    name: 'IS DISTINCT FROM, EXISTS and a scalar subquery',
    sql: `SELECT (SELECT MAX(encounter_id) FROM ${E}) AS mx FROM ${P} p WHERE p.zip IS DISTINCT FROM 'x' AND EXISTS (SELECT 1 FROM ${E} e WHERE e.patient_id = p.patient_id) LIMIT 1`,
    rows: [{ mx: 60 }],
  },
  {
    name: 'GoogleSQL functions, typed literals and intervals',
    sql: "SELECT IF(TRUE, 'y', 'n') AS i, IFNULL(NULL, 1) AS f, COALESCE(NULL, 2) AS c, EXTRACT(YEAR FROM DATE '2024-03-01') AS y, DATE_DIFF(DATE '2024-01-02', DATE '2024-01-01', DAY) AS d, CAST('1' AS INT64) AS n, SAFE_CAST('x' AS INT64) AS s, TIMESTAMP_SUB(TIMESTAMP '2024-01-01 01:00:00', INTERVAL 1 HOUR) = TIMESTAMP '2024-01-01 00:00:00' AS t",
    rows: [{ i: 'y', f: 1, c: 2, y: 2024, d: 1, n: 1, s: null, t: true }],
  },
  {
    name: 'aggregates: COUNT(DISTINCT), COUNTIF, LOGICAL_OR, STRING_AGG',
    sql: `SELECT COUNT(DISTINCT zip) AS n, COUNTIF(zip > '0') AS m, LOGICAL_OR(TRUE) AS o, (SELECT STRING_AGG(code, ',' ORDER BY code) FROM reference.icd_codes) AS s FROM ${P}`,
    rows: [{ n: 25, m: 25, o: true, s: 'E11,I10' }],
  },
  {
    name: 'bitwise operators other than ^',
    sql: 'SELECT ~1 AS b, 1 << 2 AS s, 5 & 3 AS a, 5 | 3 AS o',
    rows: [{ b: -2, s: 4, a: 1, o: 7 }],
  },
  {
    name: 'TABLESAMPLE SYSTEM (n PERCENT)',
    sql: `SELECT COUNT(*) AS n FROM ${P} TABLESAMPLE SYSTEM (100 PERCENT)`,
    rows: [{ n: 25 }],
  },
  {
    name: 'LIMIT with OFFSET',
    sql: `SELECT patient_id FROM ${P} ORDER BY patient_id LIMIT 1 OFFSET 2`,
    rows: [{ patient_id: 'P003' }],
  },
  { name: 'GROUP BY ALL', sql: `SELECT zip, COUNT(*) AS n FROM ${P} GROUP BY ALL ORDER BY zip LIMIT 1` },
  {
    name: 'ROLLUP and NULLS LAST',
    sql: `SELECT zip, COUNT(*) AS n FROM ${P} GROUP BY ROLLUP(zip) ORDER BY zip NULLS LAST`,
  },
  {
    name: 'a table aliased semi (an inner join, not a semi join)',
    sql: `SELECT COUNT(*) AS n FROM ${P} semi JOIN ${E} e ON semi.patient_id = e.patient_id`,
    rows: [{ n: 60 }],
  },
  {
    name: 'a table aliased asof',
    sql: `SELECT COUNT(*) AS n FROM ${P} AS asof LEFT JOIN ${E} USING (patient_id)`,
    rows: [{ n: 60 }],
  },
  {
    name: 'columns named ilike, glob and similar',
    sql: 'SELECT ilike, glob, similar FROM (SELECT 1 AS ilike, 2 AS glob, 3 AS similar)',
    rows: [{ ilike: 1, glob: 2, similar: 3 }],
  },
  {
    name: 'a temporary function called by the script that defines it',
    sql: `CREATE TEMP FUNCTION mask(x STRING) AS (CONCAT('x', x)); SELECT mask(name) AS m FROM ${P}`,
    dryRunOnly: true,
  },
  {
    name: 'a script with DECLARE',
    sql: `DECLARE n INT64 DEFAULT 3; SELECT name FROM ${P} WHERE LENGTH(zip) > n`,
    dryRunOnly: true,
  },
  {
    name: 'INSERT VALUES',
    sql: `INSERT INTO ${P} (patient_id, name) VALUES ('P999', 'x')`,
    dryRunOnly: true,
  },
  {
    name: 'MERGE with INSERT VALUES',
    sql: `MERGE ${P} T USING reference.icd_codes S ON T.patient_id = S.code WHEN NOT MATCHED THEN INSERT (patient_id, name) VALUES (S.code, S.title)`,
    dryRunOnly: true,
  },
  {
    name: 'CREATE TABLE with parameterized types and OPTIONS',
    sql: 'CREATE TABLE reference.t2 (a INT64, b NUMERIC(10, 2), c STRING(5) OPTIONS(description="x")) OPTIONS(labels=[("k","v")])',
    dryRunOnly: true,
  },
  {
    name: 'CREATE TABLE AS SELECT with PARTITION BY and CLUSTER BY',
    sql: 'CREATE TABLE reference.t3 PARTITION BY DATE(ts) CLUSTER BY a AS SELECT 1 AS a, CURRENT_TIMESTAMP() AS ts',
    dryRunOnly: true,
  },
  {
    name: 'ASSERT with a message',
    sql: `ASSERT (SELECT COUNT(*) FROM ${P}) > 0 AS 'has rows'`,
    dryRunOnly: true,
  },
];

function apiError(message: string): (err: ApiErrorLike) => boolean {
  return (err) => {
    assert.equal(err.code, 400);
    assert.equal(err.errors?.[0]?.reason, 'invalidQuery');
    assert.equal(err.message, message);
    return true;
  };
}

/** Client values in comparable form: wrappers by their value, Big numbers as numbers. */
function plain(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(plain);
  if (value.constructor?.name === 'Big') return Number(value);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
}

describe('GoogleSQL strictness', () => {
  let t: TestStandIn;
  before(async () => {
    t = await startTestStandIn();
  });
  after(() => t.standIn.close());

  describe('refuses what GoogleSQL refuses', () => {
    for (const c of rejected) {
      it(`refuses ${c.name}, in a dry run and in a job`, async () => {
        for (const dryRun of [true, false]) {
          const job = { query: c.sql, dryRun, ...(c.params ? { params: c.params } : {}) };
          await assert.rejects(t.bigquery.createQueryJob(job), apiError(c.message));
        }
      });
    }
  });

  describe('accepts valid GoogleSQL', () => {
    for (const c of accepted) {
      it(`${c.dryRunOnly ? 'dry-runs' : 'runs'} ${c.name}`, async () => {
        await t.bigquery.createQueryJob({ query: c.sql, dryRun: true });
        if (c.dryRunOnly) return;
        const [rows] = await t.bigquery.query(c.sql);
        if (c.rows) assert.deepEqual(rows.map(plain), c.rows);
      });
    }
  });
});

describe('GoogleSQL function allow-list', () => {
  it('lists only functions that DuckDB has under the same name', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    try {
      const reader = await connection.runAndReadAll(
        'SELECT DISTINCT upper(function_name) FROM duckdb_functions()',
      );
      const known = new Set(reader.getRows().map((row) => String(row[0])));
      assert.deepEqual(
        sameNamedFunctions().filter((name) => !known.has(name)),
        [],
      );
    } finally {
      connection.closeSync();
      db.closeSync();
    }
  });
});

describe('alias-reuse probe', () => {
  let db: DuckDBInstance;
  let connection: DuckDBConnection;
  const scalar = async (sql: string): Promise<string> =>
    String((await connection.runAndReadAll(sql)).getRows()[0]?.[0] ?? '');
  const runner: ProbeRunner = {
    serialize: (sql) => scalar(`SELECT json_serialize_sql(${stringLiteral(sql)})`),
    deserialize: (tree) => scalar(`SELECT json_deserialize_sql(${stringLiteral(tree)})`),
    prepare: async (sql) => (await connection.prepare(sql)).destroySync(),
  };
  const verdictOf = async (googleSql: string): Promise<AliasVerdict> => {
    const sql = translate(tokenize(googleSql), {
      resolveParameter: (_kind, name) => `CAST($p_${name} AS VARCHAR)`,
    });
    return aliasVerdict(await runner.serialize(sql), runner);
  };

  before(async () => {
    db = await DuckDBInstance.create(':memory:');
    connection = await db.connect();
    await connection.run(
      'CREATE TABLE t (name VARCHAR, zip VARCHAR, y VARCHAR, cost DOUBLE, tags VARCHAR[], address STRUCT(city VARCHAR))',
    );
    await connection.run('CREATE TABLE u (k VARCHAR, name VARCHAR)');
  });
  after(() => {
    connection.closeSync();
    db.closeSync();
  });

  const cases: { name: string; sql: string; verdict: AliasVerdict }[] = [
    {
      name: 'finds an alias reused in the same SELECT list',
      sql: "SELECT SUBSTR(name, 1, 3) AS a, CONCAT(a, 'x') AS b FROM t",
      verdict: { kind: 'reused', name: 'a' },
    },
    {
      name: 'finds an alias reused in WHERE',
      sql: "SELECT SUBSTR(name, 1, 3) AS a FROM t WHERE a = 'x'",
      verdict: { kind: 'reused', name: 'a' },
    },
    {
      name: 'finds an alias reused behind a GROUP BY that would fail once the alias is renamed',
      sql: "SELECT UPPER(zip) AS zip, zip AS z2, SUBSTR(name, 1, 3) AS a, CONCAT(a, 'x') AS b FROM t GROUP BY zip, name",
      verdict: { kind: 'reused', name: 'a' },
    },
    {
      name: 'finds an alias reused in a subquery of a derived table, keeping the outer names',
      sql: "SELECT b FROM (SELECT SUBSTR(name, 1, 3) AS a, CONCAT(a, 'x') AS b FROM t) WHERE b > ''",
      verdict: { kind: 'reused', name: 'a' },
    },
    {
      name: 'finds an alias reused next to a second item with the same alias',
      sql: "SELECT b FROM (SELECT SUBSTR(name, 1, 3) AS a, CONCAT(a, 'x') AS b, zip AS a FROM t)",
      verdict: { kind: 'reused', name: 'a' },
    },
    {
      name: 'finds an alias reused with a parameter, STRUCT, UNNEST and a window function around it',
      sql: 'SELECT @p AS a, STRUCT(a AS f) AS s, ROW_NUMBER() OVER (ORDER BY x) AS r FROM t, UNNEST(t.tags) AS x',
      verdict: { kind: 'reused', name: 'a' },
    },
    {
      name: 'decides a column named like an alias is the column',
      sql: 'SELECT zip AS y, y AS z FROM t',
      verdict: { kind: 'clean' },
    },
    {
      name: 'decides a grouped column aliased like itself is the column',
      sql: "SELECT UPPER(zip) AS zip, CONCAT(zip, 'x') AS z FROM t GROUP BY zip HAVING COUNT(*) > 0 ORDER BY zip",
      verdict: { kind: 'clean' },
    },
    {
      name: 'decides an aggregate aliased like its column',
      sql: 'SELECT SUM(cost) AS cost, MAX(cost) AS top FROM t',
      verdict: { kind: 'clean' },
    },
    {
      name: 'decides a correlated reference to a column named like an alias',
      sql: 'SELECT name AS k, (SELECT COUNT(*) FROM u WHERE u.k = k) AS n FROM t',
      verdict: { kind: 'clean' },
    },
    {
      name: 'decides a table alias named like a select alias, and a struct field next to it',
      sql: 'SELECT address AS a, address.city AS c, a.name AS n FROM t AS a',
      verdict: { kind: 'clean' },
    },
    {
      name: 'decides an UNNEST alias named like a select alias',
      sql: 'SELECT x || name AS y, x AS x FROM t, UNNEST(t.tags) AS x WHERE x > name',
      verdict: { kind: 'clean' },
    },
    {
      name: 'decides aliases in a CTE and a set operation',
      sql: "WITH c AS (SELECT name AS zip, zip AS z FROM t) SELECT zip FROM c UNION ALL SELECT y AS zip FROM t WHERE zip > ''",
      verdict: { kind: 'clean' },
    },
    {
      name: 'decides through doubles and sampling in the parse tree (exact number round trip)',
      sql: 'SELECT zip AS y, y AS z, 1.5 AS f FROM t TABLESAMPLE SYSTEM (50 PERCENT) WHERE cost > 2.0',
      verdict: { kind: 'clean' },
    },
    {
      name: 'finds nothing to probe when no alias is mentioned',
      sql: 'SELECT name AS n, COUNT(*) AS c FROM t GROUP BY n ORDER BY c',
      verdict: { kind: 'none' },
    },
  ];
  for (const c of cases) it(c.name, async () => assert.deepEqual(await verdictOf(c.sql), c.verdict));
});
