// Turns the SQL text analysis into the facts policy decides on: columns read and guarded constructs.

import type { Construct, SqlFacts } from '../policy/policy.ts';
import { analyzeSql, type SqlAnalysis } from '../query/sql-analysis.ts';

/** Analyses `sql` for policy: columns read, constructs present, projects named. */
export function sqlFactsFor(sql: string, defaultProject: string): SqlFacts {
  return sqlFactsFrom(analyzeSql(sql, { defaultProject }));
}

/** The policy view of an analysis. */
export function sqlFactsFrom(a: SqlAnalysis): SqlFacts {
  const f = a.flags;
  const constructs: Construct[] = [];
  if (f.multiStatement || a.statementCount > 1) constructs.push('multi_statement');
  if (f.scripting) constructs.push('scripting');
  if (f.executeImmediate) constructs.push('execute_immediate');
  if (f.dml) constructs.push('dml');
  if (f.ddl) constructs.push('ddl');
  if (f.exportData) constructs.push('export_data');
  if (f.externalQuery) constructs.push('external_query');
  if (f.informationSchema.length > 0) constructs.push('information_schema');
  if (f.wildcardTables.length > 0) constructs.push('wildcard_table');
  if (f.temporaryFunction) constructs.push('temporary_function');
  if (f.remoteFunction) constructs.push('remote_function');
  const projects = new Set([...f.crossProjects, ...a.tables.map((t) => t.projectId)]);
  const refs = (list: SqlAnalysis['columns']) =>
    list.map((c) => ({ ...(c.table ? { table: c.table } : {}), column: c.column }));
  return {
    parsed: a.parsed,
    columns: refs(a.columns),
    predicateColumns: refs(a.predicateColumns),
    joinKeyColumns: refs(a.joinKeyColumns),
    constructs,
    projects: [...projects],
  };
}
