// Column-level facts and dangerous-construct flags from GoogleSQL text, for policy; fails closed.

import type { ColumnRef, TableRef } from './facts.ts';
import { type AstFacts, analyzeAst } from './sql-ast.ts';
import {
  type InformationSchemaScope,
  informationSchemaScope,
  type NameDefaults,
  resolveTableName,
} from './sql-names.ts';
import { RESERVED, type ScanFlags, scanSql } from './sql-scan.ts';
import { isOp, isWord, type Token, tokenize } from './sql-tokens.ts';

export type { InformationSchemaScope } from './sql-names.ts';

/** Flags for constructs a dry run does not report, raised from a token scan (over-reported, never missed). */
export interface SqlFlags extends ScanFlags {
  /** More than one statement (`;`-separated, empty ones ignored). */
  multiStatement: boolean;
  /** INFORMATION_SCHEMA views referenced, with their scope (region without its `region-` prefix). */
  informationSchema: InformationSchemaScope[];
  /** Wildcard tables (`tableId` keeps the trailing `*`); `_TABLE_SUFFIX` alone gives `tableId: '*'`. */
  wildcardTables: TableRef[];
  /** Project ids named explicitly, other than the default project (lower case). */
  crossProjects: string[];
}

/** What the SQL text tells beyond a dry run. */
export interface SqlAnalysis {
  /**
   * Every statement parsed, and the parser's AST accounts for every identifier the lexer saw. When false,
   * `columns` are best effort and callers must fail closed when PHI may be involved.
   */
  parsed: boolean;
  /** Statements, counted by a lexer that respects strings, quoted identifiers and comments. */
  statementCount: number;
  /** Every table named in the text, resolved with the defaults (INFORMATION_SCHEMA views are in flags). */
  tables: TableRef[];
  /**
   * Columns read (lower case), resolved through aliases, CTEs and subqueries to their base tables; an
   * unqualified name that several tables in scope may hold is reported for each of them. `*`, `t.*` and
   * whole-row references (`TO_JSON_STRING(p)`) are reported as column `*`.
   */
  columns: ColumnRef[];
  /**
   * Columns (also in `columns`) read where they decide which rows, groups or order come back: WHERE, JOIN … ON,
   * GROUP BY, HAVING, QUALIFY, ORDER BY, window clauses, and everything inside them. Filtering on a column
   * reads its values as surely as outputting it does (a `COUNT(*) … WHERE SUBSTR(ssn, 1, 1) = '1'` oracle).
   */
  predicateColumns: ColumnRef[];
  /** Columns compared as equi-join keys (`ON a.k = b.k`, `USING (k)`), apart from other predicates. */
  joinKeyColumns: ColumnRef[];
  /** `*`, `t.*` or a whole-row reference was read. */
  selectStar: boolean;
  flags: SqlFlags;
}

/** Defaults for unqualified table names. */
export interface SqlAnalysisOptions {
  defaultProject: string;
  defaultDataset?: string;
}

// Non-reserved keywords the parser may keep only in the AST's shape, not in its strings.
const STRUCTURAL = new Set(
  (
    'offset ordinal safe_offset safe_ordinal system_time system percent value replace only ' +
    'first last zone row nulls include exclude asc desc distinct'
  ).split(' '),
);
const BOOLEAN_FLAGS = [
  'multiStatement',
  'scripting',
  'executeImmediate',
  'exportData',
  'externalQuery',
  'temporaryFunction',
  'remoteFunction',
  'dml',
  'ddl',
] as const satisfies readonly (keyof SqlFlags)[];
// Dynamic SQL is analysed this deep (EXECUTE IMMEDIATE in EXECUTE IMMEDIATE …), this many texts in all.
const MAX_DEPTH = 2;
const MAX_DYNAMIC = 64;
// Inner queries tried in a statement the parser rejects.
const MAX_INNER = 32;
// Characters handed to the parser per analysis, dynamic SQL and inner queries included.
const PARSE_BUDGET = 200_000;
const UNPARSED: AstFacts = {
  parsed: false,
  tables: [],
  columns: [],
  predicateColumns: [],
  joinKeyColumns: [],
  selectStar: false,
  words: new Set(),
};

/**
 * Analyses GoogleSQL text: tables, columns and flags. Pure and total: never throws, and reports
 * `parsed: false` when the parser cannot vouch for the text. Flags come from a token scan and hold
 * even when the parser fails; string literals that dynamic SQL may run are analysed in turn.
 */
export function analyzeSql(sql: string, options: SqlAnalysisOptions): SqlAnalysis {
  return analyzeSqlStatements(sql, options).analysis;
}

/**
 * {@link analyzeSql}, with each top-level statement's text and the parser's AST of it (when it parsed), for a
 * caller that walks the same statements again (result lineage): one analysis parses each statement once.
 */
export function analyzeSqlStatements(
  sql: string,
  options: SqlAnalysisOptions,
): { analysis: SqlAnalysis; statements: { text: string; ast?: unknown }[] } {
  const d = { defaultProject: options.defaultProject, defaultDataset: options.defaultDataset };
  const statements: { text: string; ast?: unknown }[] = [];
  const analysis = analyze(sql, d, 0, { chars: PARSE_BUDGET, dynamic: MAX_DYNAMIC }, statements);
  return { analysis, statements };
}

/** What one analysis may still spend: characters to parse, dynamic SQL texts to analyse. */
interface Budget {
  chars: number;
  dynamic: number;
}

function analyze(
  sql: string,
  d: NameDefaults,
  depth: number,
  budget: Budget,
  statements?: { text: string; ast?: unknown }[],
): SqlAnalysis {
  // The parser is slow on long texts: past a budget, texts are left unparsed (so `parsed` is false).
  const parse = (text: string, ctes?: ReadonlySet<string>) => {
    budget.chars -= text.length;
    return budget.chars >= 0 ? analyzeAst(text, d, ctes) : UNPARSED;
  };
  const scan = scanSql(sql);
  const tables: TableRef[] = [];
  const columns: ColumnRef[] = [];
  const predicateColumns: ColumnRef[] = [];
  const joinKeyColumns: ColumnRef[] = [];
  let selectStar = false;
  let parsed = scan.statementCount > 0 && scan.lexErrors.length === 0;
  for (const text of scan.statements) {
    const ast = parse(text);
    statements?.push(ast.ast === undefined ? { text } : { text, ast: ast.ast });
    const pieces = [ast];
    if (!ast.parsed || !coversIdentifiers(text, ast.words)) {
      parsed = false;
      // Best effort: the queries inside a statement the parser rejects (EXPORT DATA … AS SELECT, IF …).
      for (const q of innerQueries(text)) pieces.push(parse(q, scan.cteNames));
    }
    for (const p of pieces) {
      tables.push(...p.tables);
      columns.push(...p.columns);
      predicateColumns.push(...p.predicateColumns);
      joinKeyColumns.push(...p.joinKeyColumns);
      selectStar ||= p.selectStar;
    }
  }
  const informationSchema = scan.informationSchemaScopes.map((p) => informationSchemaScope(p, d));
  const wildcardTables: TableRef[] = [];
  for (const p of scan.tablePaths) {
    const r = resolveTableName(p.parts, d);
    if (r.kind === 'table') tables.push(r.ref);
  }
  for (const p of scan.wildcardPaths) {
    const r = resolveTableName(p.parts, d);
    if (r.kind === 'table') wildcardTables.push(r.ref);
  }
  wildcardTables.push(...tables.filter((t) => t.tableId.endsWith('*')));
  if (scan.tableSuffix && wildcardTables.length === 0) {
    wildcardTables.push({ projectId: d.defaultProject, datasetId: d.defaultDataset ?? '', tableId: '*' });
  }
  const projects = [...tables.map((t) => t.projectId), ...scan.connectionProjects];
  for (const p of scan.qualifiedPaths) {
    const head = p.parts[0] ?? '';
    if (p.parts.length >= 3 || (p.parts.length === 2 && head.includes('-'))) projects.push(head);
  }
  for (const s of informationSchema) if (s.projectId !== undefined) projects.push(s.projectId);
  const result: SqlAnalysis = {
    parsed,
    statementCount: scan.statementCount,
    tables,
    columns,
    predicateColumns,
    joinKeyColumns,
    selectStar,
    flags: {
      ...scan.flags,
      multiStatement: scan.statementCount > 1,
      informationSchema,
      wildcardTables,
      crossProjects: projects
        .map((p) => p.toLowerCase())
        .filter((p) => p !== '' && p !== d.defaultProject.toLowerCase() && !p.startsWith('region-')),
    },
  };
  for (const text of depth < MAX_DEPTH ? scan.dynamicSql : []) {
    if (budget.dynamic-- <= 0) break;
    merge(result, analyze(text, d, depth + 1, budget));
  }
  return dedupe(result);
}

/** The parser saw every identifier the lexer saw (else it may have dropped part of the statement). */
function coversIdentifiers(statement: string, words: Set<string>): boolean {
  for (const t of tokenize(statement).tokens) {
    const parts =
      t.kind === 'quoted'
        ? t.value.split(/[^\p{L}\p{N}_]+/u)
        : t.kind === 'word' && !RESERVED.has(t.text.toUpperCase())
          ? [t.text]
          : [];
    for (const p of parts) {
      const w = p.toLowerCase();
      if (w !== '' && !words.has(w) && !STRUCTURAL.has(w)) return false;
    }
  }
  return true;
}

/** Query texts inside a statement: from each SELECT or WITH … AS ( to the end of its parentheses or statement. */
function innerQueries(statement: string): string[] {
  const ts = tokenize(statement).tokens;
  const closeOf = new Map<number, number>();
  const open: number[] = [];
  const enclosing: (number | undefined)[] = [];
  ts.forEach((t, i) => {
    enclosing.push(open[open.length - 1]);
    if (isOp(t, '(')) open.push(i);
    else if (isOp(t, ')')) {
      const o = open.pop();
      if (o !== undefined) closeOf.set(o, i);
    }
  });
  const out: string[] = [];
  for (let i = 1; i < ts.length && out.length < MAX_INNER; i++) {
    const t = ts[i] as Token;
    const cte = isWord(t, 'WITH') && isWord(ts[i + 2], 'AS') && isOp(ts[i + 3], '(');
    if (!isWord(t, 'SELECT') && !cte) continue;
    const o = enclosing[i];
    const last = o === undefined ? ts[ts.length - 1] : ts[(closeOf.get(o) ?? ts.length) - 1];
    if (last !== undefined && last.end > t.start) out.push(statement.slice(t.start, last.end));
  }
  return out;
}

/** Adds what dynamic SQL would read and do to `into` (its statements are not counted). */
function merge(into: SqlAnalysis, from: SqlAnalysis): void {
  into.tables.push(...from.tables);
  into.columns.push(...from.columns);
  into.predicateColumns.push(...from.predicateColumns);
  into.joinKeyColumns.push(...from.joinKeyColumns);
  into.selectStar ||= from.selectStar;
  const f = into.flags;
  const g = from.flags;
  for (const k of BOOLEAN_FLAGS) f[k] ||= g[k];
  f.informationSchema.push(...g.informationSchema);
  f.wildcardTables.push(...g.wildcardTables);
  f.crossProjects.push(...g.crossProjects);
}

function uniqueBy<T>(xs: T[], key: (x: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const x of xs) if (!seen.has(key(x))) seen.set(key(x), x);
  return [...seen.values()];
}

const tableKey = (t: TableRef) => `${t.projectId}\u0000${t.datasetId}\u0000${t.tableId}`;

function dedupe(a: SqlAnalysis): SqlAnalysis {
  a.tables = uniqueBy(a.tables, tableKey);
  const columnKey = (c: ColumnRef) => `${c.table ? tableKey(c.table) : ''}\u0001${c.column}`;
  a.columns = uniqueBy(a.columns, columnKey);
  a.predicateColumns = uniqueBy(a.predicateColumns, columnKey);
  a.joinKeyColumns = uniqueBy(a.joinKeyColumns, columnKey);
  a.flags.informationSchema = uniqueBy(a.flags.informationSchema, (s) => JSON.stringify(s));
  a.flags.wildcardTables = uniqueBy(a.flags.wildcardTables, tableKey);
  a.flags.crossProjects = [...new Set(a.flags.crossProjects)];
  return a;
}
