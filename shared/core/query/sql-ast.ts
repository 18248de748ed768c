// Column and table facts from node-sql-parser's BigQuery AST, with alias, CTE and subquery resolution.

import sqlParser from 'node-sql-parser/build/bigquery.js';
import type { TableRef } from './facts.ts';
import type { ColumnRef } from './sql-analysis.ts';
import { type NameDefaults, resolveTableName } from './sql-names.ts';
import { RESERVED } from './sql-scan.ts';

/** What the AST of one statement tells. */
export interface AstFacts {
  /** The parser produced an AST. */
  parsed: boolean;
  tables: TableRef[];
  columns: ColumnRef[];
  selectStar: boolean;
  /** Every word found in the AST's strings, lower case: to check that the parser saw every identifier. */
  words: Set<string>;
}

type Node = Record<string, unknown>;

const parser = new sqlParser.Parser();

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isNode(v) && typeof v['value'] === 'string') return v['value'];
  return undefined;
}

/** A range variable: what a FROM item gives the names of its query. */
interface Relation {
  /** Range variable name, lower case. */
  alias?: string;
  /** Columns read by the unqualified or qualified `name`; undefined when the relation surely lacks it. */
  lookup(name: string): ColumnRef[] | undefined;
  /** The relation surely has `name` (a named output of a subquery or CTE). */
  definite(name: string): boolean;
  /** Columns read by `alias.*` or the whole row `alias`. */
  all(): ColumnRef[];
  /** The range variable is a row of a table or subquery (reading it whole is a `*`), not an array element. */
  row: boolean;
}

/** The output of a query expression (subquery, CTE, set operation). */
interface Derived {
  /** `direct`: the item is a plain column reference (`ssn`, `p.ssn AS x`), not an expression. */
  outputs: { name?: string; origins: ColumnRef[]; direct?: boolean }[];
  /** Relations `*` or `t.*` passed through. */
  stars: Relation[];
  /** Columns of other set-operation branches (not matched by position: over-reported to every name). */
  extra: ColumnRef[];
}

interface Scope {
  relations: Relation[];
  parent?: Scope;
  ctes: Map<string, Derived>;
  /** SELECT-list aliases, visible to GROUP BY, HAVING, QUALIFY and ORDER BY. */
  selectAliases: Set<string>;
}

function tableRelation(ref: TableRef, alias: string | undefined): Relation {
  return {
    alias,
    lookup: (name) => [{ table: ref, column: name }],
    definite: () => false,
    all: () => [{ table: ref, column: '*' }],
    row: true,
  };
}

function derivedAll(d: Derived): ColumnRef[] {
  return [...d.outputs.flatMap((o) => o.origins), ...d.stars.flatMap((r) => r.all()), ...d.extra];
}

function derivedRelation(d: Derived, alias: string | undefined): Relation {
  return {
    alias,
    lookup: (name) => {
      let named = d.outputs.filter((o) => o.name === name);
      // Unnamed outputs (`UPPER(ssn)`) may be reached by generated names such as `f0_`.
      if (named.length === 0) named = d.outputs.filter((o) => o.name === undefined);
      const fromStars = d.stars.map((r) => r.lookup(name)).filter((r) => r !== undefined);
      if (named.length === 0 && fromStars.length === 0) return undefined;
      return [...named.flatMap((o) => o.origins), ...fromStars.flat(), ...d.extra];
    },
    definite: (name) => d.outputs.some((o) => o.name === name),
    all: () => derivedAll(d),
    row: true,
  };
}

/** UNNEST(expr) or a correlated array path: every field read reads the array's origins. */
function arrayRelation(origins: ColumnRef[], alias: string | undefined): Relation {
  return {
    alias,
    // Without an alias, the fields of a STRUCT element are visible unqualified.
    lookup: () => (alias === undefined ? origins : undefined),
    definite: () => false,
    all: () => origins,
    row: false,
  };
}

/** A table-valued function, INFORMATION_SCHEMA view or WITH OFFSET: no table columns behind it. */
function opaqueRelation(alias: string | undefined): Relation {
  return { alias, lookup: () => [], definite: () => false, all: () => [], row: false };
}

function lower(s: string | undefined): string | undefined {
  return s === undefined ? undefined : s.toLowerCase();
}

class Walker {
  readonly tables: TableRef[] = [];
  readonly columns: ColumnRef[] = [];
  selectStar = false;
  /** The outputs of the statement's top-level query, when it is a query. */
  output: Derived | undefined;
  /** The AST had a shape that misreads the text (e.g. a reserved word as table name). */
  suspect = false;
  private readonly collectors: ColumnRef[][] = [];
  private readonly defaults: NameDefaults;

  constructor(defaults: NameDefaults) {
    this.defaults = defaults;
  }

  private emit(refs: ColumnRef[]): void {
    this.columns.push(...refs);
    for (const c of this.collectors) c.push(...refs);
  }

  /** Walks `fn` collecting the columns it reads. */
  private collect(fn: () => void): ColumnRef[] {
    const c: ColumnRef[] = [];
    this.collectors.push(c);
    try {
      fn();
    } finally {
      this.collectors.pop();
    }
    return c;
  }

  statement(ast: Node, knownCtes: ReadonlySet<string>): void {
    const ctes = new Map<string, Derived>(
      [...knownCtes].map((n) => [n, { outputs: [], stars: [], extra: [] }]),
    );
    const root: Scope = { relations: [], ctes, selectAliases: new Set() };
    if (ast['type'] === 'select') {
      this.output = this.query(ast, root);
      return;
    }
    // UPDATE / DELETE read their target's columns; INSERT / CREATE / DROP / ALTER … only name theirs.
    const reads = ast['type'] === 'update' || ast['type'] === 'delete';
    const view = ast['view']; // CREATE VIEW names it `{ db, view }`
    if (isNode(view) && typeof view['view'] === 'string') this.addTable({ ...view, table: view['view'] });
    for (const key of ['table', 'name', 'from']) {
      const v = ast[key];
      for (const t of Array.isArray(v) ? v : [v]) {
        if (!isNode(t)) continue;
        if (reads || key === 'from') root.relations.push(...this.fromItem(t, root));
        else if (isTableNode(t)) this.addTable(t);
      }
    }
    for (const [k, v] of Object.entries(ast)) {
      if (['table', 'name', 'from', 'view', 'columns', 'loc'].includes(k)) continue;
      this.walk(v, root, false);
    }
  }

  private addTable(node: Node): Relation {
    if (misreadName(node)) this.suspect = true;
    const r = resolveTableName(tableParts(node), this.defaults);
    if (r.kind === 'informationSchema' || r.ref.tableId === '') return opaqueRelation(undefined);
    this.tables.push(r.ref);
    return tableRelation(r.ref, undefined);
  }

  /** A SELECT (and its set-operation chain) in `outer`'s scope. */
  private query(node: Node, outer: Scope | undefined): Derived {
    const scope: Scope = {
      relations: [],
      parent: outer,
      ctes: new Map(outer?.ctes ?? []),
      selectAliases: new Set(),
    };
    for (const w of Array.isArray(node['with']) ? node['with'] : []) {
      if (!isNode(w)) continue;
      const name = lower(str(w['name']));
      const stmt = isNode(w['stmt']) ? w['stmt'] : undefined;
      const body = stmt !== undefined && isNode(stmt['ast']) ? stmt['ast'] : stmt;
      // A CTE body sees earlier CTEs but no range variables of the query around it.
      const d = body
        ? this.query(body, { relations: [], ctes: scope.ctes, selectAliases: new Set() })
        : undefined;
      if (name !== undefined && d !== undefined) scope.ctes.set(name, d);
    }
    const from = node['from'];
    for (const item of Array.isArray(from) ? from : from === undefined || from === null ? [] : [from]) {
      if (!isNode(item)) continue;
      scope.relations.push(...this.fromItem(item, scope));
      this.walk(item['on'], scope, false);
      for (const u of Array.isArray(item['using']) ? item['using'] : []) {
        const name = lower(str(u));
        if (name !== undefined) this.emit(this.resolveName(name, scope));
      }
    }
    this.walk(node['for_sys_time_as_of'], scope, false);
    this.walk(node['where'], scope, false);
    const out: Derived = { outputs: [], stars: [], extra: [] };
    for (const col of Array.isArray(node['columns']) ? node['columns'] : []) {
      if (!isNode(col)) continue;
      const expr = col['expr'];
      if (isNode(expr) && expr['type'] === 'column_ref' && expr['column'] === '*') {
        out.stars.push(...this.star(expr, scope));
        if (col['type'] === 'replace') this.selectItems(col['expr_list'], scope, out);
        // SELECT * EXCEPT (…): the excepted columns are not read; `*` is over-reported as is.
        continue;
      }
      this.selectItems([col], scope, out);
    }
    for (const o of out.outputs) if (o.name !== undefined) scope.selectAliases.add(o.name);
    const groupby = node['groupby'];
    this.walk(isNode(groupby) ? groupby['columns'] : groupby, scope, true);
    for (const k of ['having', 'qualify', 'window', 'orderby', '_orderby']) this.walk(node[k], scope, true);
    const next = node['_next'];
    // Later branches of a set operation see the CTEs of the first (the parser hangs WITH on it).
    const branchScope: Scope = { relations: [], parent: outer, ctes: scope.ctes, selectAliases: new Set() };
    if (isNode(next)) out.extra.push(...derivedAll(this.query(next, branchScope)));
    return out;
  }

  private selectItems(items: unknown, scope: Scope, out: Derived): void {
    for (const col of Array.isArray(items) ? items : []) {
      if (!isNode(col)) continue;
      const expr = col['expr'];
      const origins = this.collect(() => this.walk(expr, scope, false));
      let name = lower(str(col['as']));
      const direct = isNode(expr) && expr['type'] === 'column_ref';
      if (name === undefined && direct) name = refName(expr);
      out.outputs.push({ name, origins, direct });
    }
  }

  /** `*` or `t.*`: every column of the relations it names. */
  private star(ref: Node, scope: Scope): Relation[] {
    this.selectStar = true;
    const t = lower(str(ref['table']));
    let rels = scope.relations;
    if (t !== undefined) {
      const r = findRelation(t, scope);
      // `s.*` of a STRUCT column: the column itself.
      if (r === undefined) {
        this.emit(this.resolveName(t.split('.')[0] ?? t, scope));
        return [];
      }
      rels = [r];
    }
    for (const r of rels) this.emit(r.all());
    return rels;
  }

  /** The relations a FROM item adds. */
  private fromItem(item: Node, scope: Scope): Relation[] {
    const alias = lower(str(item['as']) ?? undefined);
    this.walk(item['operator'], scope, false); // PIVOT / UNPIVOT
    if (item['type'] === 'unnest') {
      const origins = this.collect(() => this.walk(item['expr'], scope, false));
      const rels = [arrayRelation(origins, alias)];
      const off = item['with_offset'];
      if (isNode(off)) rels.push(opaqueRelation(lower(str(off['as']))));
      return rels;
    }
    const sub = item['expr'];
    if (isNode(sub) && isNode(sub['ast'])) return [derivedRelation(this.query(sub['ast'], scope), alias)];
    if (isNode(sub) && sub['type'] === 'select') return [derivedRelation(this.query(sub, scope), alias)];
    if (isTableNode(item)) {
      const parts = tableParts(item);
      const head = (parts[0] ?? '').toLowerCase();
      const last = (parts[parts.length - 1] ?? '').toLowerCase();
      const cte = parts.length === 1 ? scope.ctes.get(head) : undefined;
      if (cte !== undefined) return [derivedRelation(cte, alias ?? head)];
      const corr = parts.length >= 2 ? findRelation(head, scope) : undefined;
      if (corr !== undefined) {
        // FROM p.codes: a correlated array path, not a table.
        const name = (parts[1] ?? '').toLowerCase();
        const origins = corr.lookup(name) ?? corr.all();
        this.emit(origins);
        return [arrayRelation(origins, alias ?? last)];
      }
      const rel = this.addTable(item);
      return [{ ...rel, alias: alias ?? last }];
    }
    // Table-valued functions (EXTERNAL_QUERY(…), ML.PREDICT(…)) and anything unknown.
    this.walk(sub ?? item, scope, false);
    return [opaqueRelation(alias)];
  }

  /** Columns read by an unqualified name, searched from the innermost scope outwards. */
  private resolveName(name: string, scope: Scope): ColumnRef[] {
    const out: ColumnRef[] = [];
    let found = false;
    for (let s: Scope | undefined = scope; s !== undefined; s = s.parent) {
      let definite = false;
      for (const r of s.relations) {
        if (r.alias === name) {
          // The whole row as a STRUCT value, as in TO_JSON_STRING(p).
          if (r.row) this.selectStar = true;
          out.push(...r.all());
          found = definite = true;
          continue;
        }
        const cols = r.lookup(name);
        if (cols !== undefined) {
          out.push(...cols);
          found = true;
          if (r.definite(name)) definite = true;
        }
      }
      if (definite) break;
    }
    if (!found) out.push({ column: name });
    return out;
  }

  private columnRef(node: Node, scope: Scope, selectAliasesVisible: boolean): void {
    const col = node['column'];
    if (isNode(col)) {
      this.walk(col['offset'], scope, false);
      if (isNode(col['expr']) && col['expr']['type'] === 'column_ref') {
        this.columnRef(col['expr'], scope, selectAliasesVisible);
        return;
      }
    }
    const name = refName(node);
    if (name === undefined) return;
    if (name === '*') {
      this.star(node, scope);
      return;
    }
    let table = lower(str(node['table']));
    let column = name;
    if (table === undefined && name.includes('.')) {
      // A quoted `p.ssn` is read as the path it spells.
      const dot = name.indexOf('.');
      table = name.slice(0, dot);
      column = name.slice(dot + 1).split('.')[0] ?? '';
    }
    if (table === undefined) {
      if (selectAliasesVisible && scope.selectAliases.has(name)) return;
      this.emit(this.resolveName(name, scope));
      return;
    }
    const rel = findRelation(table, scope) ?? findRelation(table.split('.').pop() ?? table, scope);
    if (rel !== undefined) this.emit(rel.lookup(column) ?? rel.all());
    // `a.b` where `a` is no range variable: field `b` of the STRUCT column `a`.
    else this.emit(this.resolveName(table.split('.')[0] ?? table, scope));
  }

  /** Walks any expression, statement part or subquery. */
  private walk(v: unknown, scope: Scope, selectAliasesVisible: boolean): void {
    if (Array.isArray(v)) {
      for (const x of v) this.walk(x, scope, selectAliasesVisible);
      return;
    }
    if (!isNode(v)) return;
    if (isNode(v['ast']) && ('tableList' in v || 'columnList' in v)) {
      this.query(v['ast'], scope); // a subquery: scalar, IN, EXISTS, ARRAY(…)
      return;
    }
    switch (v['type']) {
      case 'select':
        this.query(v, scope);
        return;
      case 'column_ref':
        this.columnRef(v, scope, selectAliasesVisible);
        return;
      case 'star':
        return; // COUNT(*)
    }
    if (isTableNode(v)) {
      this.addTable(v);
      return;
    }
    for (const [k, child] of Object.entries(v)) {
      if (k === 'loc' || k === 'tableList' || k === 'columnList' || k === 'surround') continue;
      this.walk(child, scope, selectAliasesVisible);
    }
  }
}

function refName(ref: Node): string | undefined {
  const c = ref['column'];
  if (typeof c === 'string') return c === '*' ? c : c.toLowerCase();
  if (isNode(c)) return lower(str(c['expr']));
  return undefined;
}

function findRelation(alias: string, scope: Scope): Relation | undefined {
  for (let s: Scope | undefined = scope; s !== undefined; s = s.parent) {
    const r = s.relations.find((x) => x.alias === alias);
    if (r !== undefined) return r;
  }
  return undefined;
}

/** A table name node of the parser: `{ db, schema, catalog, table }` without an expression type. */
function isTableNode(n: Node): boolean {
  return typeof n['table'] === 'string' && n['type'] === undefined && ('db' in n || 'surround' in n);
}

/** An unquoted reserved word as a name part: the parser misread the text (`DELETE FROM t` as table `FROM`). */
function misreadName(n: Node): boolean {
  const surround = isNode(n['surround']) ? n['surround'] : {};
  return ['table', 'db', 'schema'].some((k) => {
    const v = str(n[k]);
    return v !== undefined && surround[k] !== '`' && RESERVED.has(v.toUpperCase());
  });
}

/** The parts of a table node's name, backtick parts split at dots. */
function tableParts(n: Node): string[] {
  const table = str(n['table']) ?? '';
  const db = str(n['db']);
  const schema = str(n['schema']);
  const catalog = str(n['catalog']);
  const raw = schema !== undefined ? [catalog ?? db ?? '', schema, table] : db ? [db, table] : [table];
  return raw.flatMap((p) => p.split('.')).filter((p) => p !== '');
}

/** Every word in the AST's strings, lower case. */
function astWords(v: unknown, out: Set<string>): void {
  if (typeof v === 'string') {
    for (const w of v.toLowerCase().split(/[^\p{L}\p{N}_]+/u)) if (w !== '') out.add(w);
  } else if (Array.isArray(v)) for (const x of v) astWords(x, out);
  else if (isNode(v)) for (const [k, x] of Object.entries(v)) if (k !== 'loc') astWords(x, out);
}

/**
 * Parses one statement with the BigQuery dialect and extracts its facts; never throws. `knownCtes` are
 * names of CTEs defined around the text (when it is a query cut out of a larger statement): not tables.
 */
export function analyzeAst(
  statement: string,
  defaults: NameDefaults,
  knownCtes: ReadonlySet<string> = new Set(),
): AstFacts {
  let ast: unknown;
  try {
    ast = parser.astify(statement, { database: 'bigquery' });
  } catch {
    return { parsed: false, tables: [], columns: [], selectStar: false, words: new Set() };
  }
  const w = new Walker(defaults);
  const words = new Set<string>();
  let parsed = true;
  for (const a of Array.isArray(ast) ? ast : [ast]) {
    if (!isNode(a)) {
      parsed = false;
      continue;
    }
    try {
      astWords(a, words);
      w.statement(a, knownCtes);
    } catch {
      parsed = false; // an AST shape this walker does not know
    }
  }
  return {
    parsed: parsed && !w.suspect,
    tables: w.tables,
    columns: w.columns,
    selectStar: w.selectStar,
    words,
  };
}

/** Where the columns of a query's result come from (see {@link analyzeResultLineage}). */
export interface AstLineage {
  /**
   * Source columns of the output column `name` (lower case): for a star, the star's relations; for an
   * unnamed expression (BigQuery names it `f0_`, `f1_`, …), every unnamed expression's. Undefined when the
   * name matches nothing.
   */
  sourcesOf(name: string): { origins: ColumnRef[]; direct: boolean } | undefined;
}

/**
 * Parses one SELECT statement and returns where its output columns come from; undefined when the statement
 * does not parse, is not a query, or the parser missed part of it. Never throws.
 */
export function analyzeAstLineage(statement: string, defaults: NameDefaults): AstLineage | undefined {
  let ast: unknown;
  try {
    ast = parser.astify(statement, { database: 'bigquery' });
  } catch {
    return undefined;
  }
  const list = Array.isArray(ast) ? ast : [ast];
  const first = list[0];
  if (list.length !== 1 || !isNode(first) || first['type'] !== 'select') return undefined;
  const w = new Walker(defaults);
  try {
    w.statement(first, new Set());
  } catch {
    return undefined;
  }
  const out = w.output;
  if (w.suspect || out === undefined) return undefined;
  return {
    sourcesOf(name) {
      const n = name.toLowerCase();
      const named = out.outputs.filter((o) => o.name === n);
      if (named.length > 0)
        return {
          origins: [...named.flatMap((o) => o.origins), ...out.extra],
          direct: named.length === 1 && named[0]!.direct === true && out.extra.length === 0,
        };
      const fromStars = out.stars.map((r) => r.lookup(n)).filter((r) => r !== undefined);
      if (fromStars.length > 0) {
        const origins = [...fromStars.flat(), ...out.extra];
        return { origins, direct: origins.length === 1 };
      }
      const unnamed = out.outputs.filter((o) => o.name === undefined);
      if (unnamed.length > 0)
        return { origins: [...unnamed.flatMap((o) => o.origins), ...out.extra], direct: false };
      return undefined;
    },
  };
}
