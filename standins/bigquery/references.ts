// Reads DuckDB's parse tree (json_serialize_sql) for the tables, columns and output names of a query.

import { invalidQuery } from './errors.ts';

/** A table reference as written in the query, before resolution against the catalog. */
export interface RawTableRef {
  catalog: string;
  schema: string;
  table: string;
  alias: string;
}

/** One item of the outermost SELECT list. */
export interface SelectItem {
  kind: 'star' | 'column' | 'expression';
  alias: string;
  /** For `column`: the last name part (`t.a.b` → `b`). */
  column?: string;
}

/** What a query reads: base tables, column names mentioned anywhere, and tables read in full via `*`. */
export interface QueryReferences {
  tables: RawTableRef[];
  /** Every identifier used in a column reference, lowercased (an over-approximation of columns read). */
  columnNames: Set<string>;
  /** Tables whose every column a `*` reads. */
  starTables: RawTableRef[];
  /** Table-valued functions called (lowercased). */
  tableFunctions: string[];
  /** The outermost SELECT list (the leftmost branch of a set operation). */
  selectItems: SelectItem[];
}

type Json = Record<string, unknown>;

/** Analyses the output of `json_serialize_sql`; throws `invalidQuery` when DuckDB could not parse the query. */
export function referencesOf(serialized: string): QueryReferences {
  const tree = JSON.parse(serialized) as Json;
  if (tree['error']) throw invalidQuery(parserMessage(tree));
  const refs: QueryReferences = {
    tables: [],
    columnNames: new Set(),
    starTables: [],
    tableFunctions: [],
    selectItems: [],
  };
  const statements = (tree['statements'] as Json[] | undefined) ?? [];
  for (const statement of statements) walk(statement['node'], { ctes: new Set(), direct: [] }, refs);
  const first = statements[0]?.['node'];
  refs.selectItems = outerSelectItems(first);
  return refs;
}

function parserMessage(tree: Json): string {
  const message = String(tree['error_message'] ?? 'could not parse the query');
  return tree['error_type'] === 'parser' ? `Syntax error: ${message.replace(/^syntax error /, '')}` : message;
}

interface Scope {
  /** CTE names visible here, lowercased. */
  ctes: Set<string>;
  /** Base tables directly in the enclosing SELECT's FROM clause (what an unqualified `*` expands over). */
  direct: RawTableRef[];
}

function walk(node: unknown, scope: Scope, refs: QueryReferences): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, scope, refs);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const obj = node as Json;
  const inner = withCtes(obj, scope, refs);
  if (obj['type'] === 'SELECT_NODE') {
    walkSelect(obj, inner, refs);
    return;
  }
  if (obj['type'] === 'BASE_TABLE') {
    baseTable(obj, inner, refs);
    return;
  }
  if (obj['type'] === 'TABLE_FUNCTION') tableFunction(obj, refs);
  if (obj['class'] === 'COLUMN_REF') columnRef(obj, refs);
  if (obj['class'] === 'STAR') star(obj, inner, refs);
  for (const [key, value] of Object.entries(obj)) {
    if (key !== 'cte_map' && value && typeof value === 'object') walk(value, inner, refs);
  }
}

/** Walks a node's CTE definitions (each sees the earlier ones, recursive ones see themselves). */
function withCtes(obj: Json, scope: Scope, refs: QueryReferences): Scope {
  const entries = ((obj['cte_map'] as Json | undefined)?.['map'] as Json[] | undefined) ?? [];
  if (entries.length === 0) return scope;
  const ctes = new Set(scope.ctes);
  for (const entry of entries) {
    const name = String(entry['key']).toLowerCase();
    const query = (entry['value'] as Json)['query'] as Json;
    const recursive = (query['node'] as Json | undefined)?.['type'] === 'RECURSIVE_CTE_NODE';
    walk(query, { ctes: recursive ? new Set([...ctes, name]) : new Set(ctes), direct: [] }, refs);
    ctes.add(name);
  }
  return { ctes, direct: scope.direct };
}

function walkSelect(obj: Json, scope: Scope, refs: QueryReferences): void {
  const direct: RawTableRef[] = [];
  collectDirect(obj['from_table'], scope, direct);
  const inner = { ctes: scope.ctes, direct };
  for (const [key, value] of Object.entries(obj)) {
    if (key !== 'cte_map' && value && typeof value === 'object') walk(value, inner, refs);
  }
}

/** Base tables reachable from a FROM clause through joins only (not through subqueries). */
function collectDirect(from: unknown, scope: Scope, out: RawTableRef[]): void {
  if (!from || typeof from !== 'object') return;
  const obj = from as Json;
  if (obj['type'] === 'BASE_TABLE') {
    const ref = rawRef(obj);
    if (!isCte(ref, scope)) out.push(ref);
  }
  if (obj['type'] === 'JOIN') {
    collectDirect(obj['left'], scope, out);
    collectDirect(obj['right'], scope, out);
  }
}

function rawRef(obj: Json): RawTableRef {
  return {
    catalog: String(obj['catalog_name'] ?? ''),
    schema: String(obj['schema_name'] ?? ''),
    table: String(obj['table_name'] ?? ''),
    alias: String(obj['alias'] ?? ''),
  };
}

function isCte(ref: RawTableRef, scope: Scope): boolean {
  return ref.catalog === '' && ref.schema === '' && scope.ctes.has(ref.table.toLowerCase());
}

function baseTable(obj: Json, scope: Scope, refs: QueryReferences): void {
  const ref = rawRef(obj);
  if (!isCte(ref, scope)) refs.tables.push(ref);
}

function tableFunction(obj: Json, refs: QueryReferences): void {
  const fn = obj['function'] as Json | undefined;
  refs.tableFunctions.push(String(fn?.['function_name'] ?? '').toLowerCase());
}

function columnRef(obj: Json, refs: QueryReferences): void {
  for (const name of (obj['column_names'] as string[] | undefined) ?? [])
    refs.columnNames.add(name.toLowerCase());
}

function star(obj: Json, scope: Scope, refs: QueryReferences): void {
  const relation = String(obj['relation_name'] ?? '').toLowerCase();
  const matches = relation
    ? scope.direct.filter((t) => t.alias.toLowerCase() === relation || t.table.toLowerCase() === relation)
    : scope.direct;
  refs.starTables.push(...matches);
}

/** The outermost select list; for set operations, the leftmost branch's (which names the columns). */
function outerSelectItems(node: unknown): SelectItem[] {
  let current = node as Json | undefined;
  while (current?.['type'] === 'SET_OPERATION_NODE') current = current['left'] as Json | undefined;
  if (current?.['type'] !== 'SELECT_NODE') return [];
  return ((current['select_list'] as Json[] | undefined) ?? []).map(selectItem);
}

function selectItem(item: Json): SelectItem {
  const alias = String(item['alias'] ?? '');
  if (item['class'] === 'STAR') return { kind: 'star', alias };
  if (item['class'] === 'COLUMN_REF') {
    const names = (item['column_names'] as string[] | undefined) ?? [];
    return { kind: 'column', alias, column: names[names.length - 1] ?? '' };
  }
  return { kind: 'expression', alias };
}
