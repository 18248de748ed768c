// Result-column lineage: which source table columns each output column of a query is computed from, so
// masking rules keyed by table.column or PHI class follow a column through aliases and expressions.

import type { ColumnRef, TableRef } from './facts.ts';
import { analyzeSqlStatements, type SqlAnalysisOptions } from './sql-analysis.ts';
import { analyzeAstLineage } from './sql-ast.ts';

/** The source columns of one output column. */
export interface OutputSources {
  /**
   * Columns the output is computed from (lower case), resolved through aliases, CTEs and subqueries;
   * `column: '*'` for a whole row (`TO_JSON_STRING(p)`); `table` absent when it cannot be told.
   */
  sources: ColumnRef[];
  /** The output is one source column as it is (`ssn`, `p.ssn AS x`, a `*` column), not an expression. */
  direct: boolean;
  /** The output folds many rows into one value (ARRAY_AGG, STRING_AGG, ARRAY(SELECT …)), perhaps in a scalar. */
  collects: boolean;
  /** The output is an array that folds many rows (`ARRAY_AGG(…)`): its elements count as released values. */
  folds: boolean;
}

/** Lineage of a query's result columns. */
export interface ResultLineage {
  /** Sources of the output column `name` (case-insensitive); undefined when the analysis cannot tell. */
  sourcesOf(name: string): OutputSources | undefined;
  /** Every table the query reads. */
  tables: TableRef[];
}

/**
 * Lineage of a single SELECT statement's output columns; undefined when the text is not one query the
 * parser fully vouches for (then callers know nothing about the result's columns, and content detection
 * alone protects them). Over-reports, never under-reports: an output computed from several columns names
 * them all, set-operation branches add theirs to every output. Pure; never throws.
 */
export function analyzeResultLineage(sql: string, options: SqlAnalysisOptions): ResultLineage | undefined {
  try {
    // One parse: the analysis's AST of the statement is walked again for its lineage.
    const { analysis, statements } = analyzeSqlStatements(sql, options);
    if (!analysis.parsed || analysis.statementCount !== 1) return undefined;
    const statement = statements[0];
    if (statement === undefined || !('ast' in statement)) return undefined;
    const ast = analyzeAstLineage(
      statement.text,
      { defaultProject: options.defaultProject, defaultDataset: options.defaultDataset },
      { ast: statement.ast },
    );
    if (ast === undefined) return undefined;
    return {
      tables: analysis.tables,
      sourcesOf(name) {
        const s = ast.sourcesOf(name);
        return s === undefined
          ? undefined
          : { sources: dedupe(s.origins), direct: s.direct, collects: s.collects, folds: s.folds };
      },
    };
  } catch {
    return undefined;
  }
}

function dedupe(refs: ColumnRef[]): ColumnRef[] {
  const seen = new Map<string, ColumnRef>();
  for (const r of refs) {
    const t = r.table;
    const key = `${t ? `${t.projectId}.${t.datasetId}.${t.tableId}` : ''}\u0000${r.column}`;
    if (!seen.has(key)) seen.set(key, r);
  }
  return [...seen.values()];
}
