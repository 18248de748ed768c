// Column and table facts from node-sql-parser's BigQuery AST, with alias, CTE and subquery resolution.

import sqlParser from 'node-sql-parser/build/bigquery.js';
import type { ColumnRef, TableRef } from './facts.ts';
import { type NameDefaults, resolveTableName } from './sql-names.ts';
import { RESERVED } from './sql-scan.ts';

/** What the AST of one statement tells. */
export interface AstFacts {
  /** The parser produced an AST. */
  parsed: boolean;
  tables: TableRef[];
  columns: ColumnRef[];
  selectStar: boolean;
  /**
   * Columns read where they decide which rows, groups or orders come back rather than which values (WHERE,
   * JOIN … ON, GROUP BY, HAVING, QUALIFY, ORDER BY, window clauses, and everything inside them): a query
   * that filters on a column learns about its values even when it never outputs them.
   */
  predicateColumns: ColumnRef[];
  /** Columns compared as equi-join keys (`ON a.k = b.k`, `USING (k)`), reported apart from other predicates. */
  joinKeyColumns: ColumnRef[];
  /** Every word found in the AST's strings, lower case: to check that the parser saw every identifier. */
  words: Set<string>;
  /**
   * The parser's AST of the statement, when it produced one: read-only, for a caller that walks the same text
   * again ({@link analyzeAstLineage}), so one analysis parses each statement once.
   */
  ast?: unknown;
}

/** How values reach an expression from the columns it reads. */
export interface FlowTraits {
  /** The value is computed from its sources, not one source value passed through unchanged. */
  derived: boolean;
  /**
   * The value folds many rows into one in a form whose elements cannot be counted: STRING_AGG, or an array
   * aggregate turned into a scalar (`TO_JSON_STRING(ARRAY_AGG(p))`, `ARRAY_TO_STRING(ARRAY(SELECT …), ',')`).
   */
  collects: boolean;
  /** The value is an array that folds many rows (`ARRAY_AGG(…)`, `ARRAY(SELECT …)`): its elements count. */
  folds: boolean;
}

const PLAIN: FlowTraits = { derived: false, collects: false, folds: false };
const COMPUTED: FlowTraits = { derived: true, collects: false, folds: false };

// Aggregates that fold the values of many rows into one array, whose elements a result's schema shows.
const ARRAY_FOLDS = new Set([
  'array_agg',
  'array_concat_agg',
  'approx_top_count',
  'approx_top_sum',
  'approx_quantiles',
]);
// Aggregates that fold many rows into one scalar.
const SCALAR_FOLDS = new Set(['string_agg']);

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
  /** How the value named `name` flows from its sources (a derived relation's expressions are computed). */
  traits(name: string): FlowTraits;
  /** How the whole row flows from its sources. */
  allTraits(): FlowTraits;
  /** The range variable is a row of a table or subquery (reading it whole is a `*`), not an array element. */
  row: boolean;
}

/** The output of a query expression (subquery, CTE, set operation). */
interface Derived {
  /**
   * `direct`: the item is a plain column reference (`ssn`, `p.ssn AS x`) to a value that is itself direct,
   * not an expression; `collects`: it folds many rows into one value.
   */
  outputs: { name?: string; origins: ColumnRef[]; direct?: boolean; collects?: boolean; folds?: boolean }[];
  /** Relations `*` or `t.*` passed through. */
  stars: Relation[];
  /** Columns of other set-operation branches (not matched by position: over-reported to every name). */
  extra: ColumnRef[];
}

interface Scope {
  relations: Relation[];
  parent?: Scope;
  ctes: Map<string, Derived>;
  /** SELECT-list aliases with the columns they read, visible to GROUP BY, HAVING, QUALIFY and ORDER BY. */
  selectAliases: Map<string, ColumnRef[]>;
}

function tableRelation(ref: TableRef, alias: string | undefined): Relation {
  return {
    alias,
    lookup: (name) => [{ table: ref, column: name }],
    definite: () => false,
    all: () => [{ table: ref, column: '*' }],
    traits: () => PLAIN,
    allTraits: () => PLAIN,
    row: true,
  };
}

function derivedAll(d: Derived): ColumnRef[] {
  return [...d.outputs.flatMap((o) => o.origins), ...d.stars.flatMap((r) => r.all()), ...d.extra];
}

/** The outputs of `d` a name reaches: its named outputs, else (generated names such as `f0_`) the unnamed ones. */
function namedOutputs(d: Derived, name: string): Derived['outputs'] {
  const named = d.outputs.filter((o) => o.name === name);
  return named.length > 0 ? named : d.outputs.filter((o) => o.name === undefined);
}

/** The traits of values that pass through several outputs or relations: derived or collecting if any is. */
function joinTraits(list: readonly FlowTraits[]): FlowTraits {
  return {
    derived: list.some((t) => t.derived),
    collects: list.some((t) => t.collects),
    folds: list.some((t) => t.folds),
  };
}

function outputTraits(o: Derived['outputs'][number]): FlowTraits {
  return { derived: o.direct !== true, collects: o.collects === true, folds: o.folds === true };
}

function derivedTraits(d: Derived, name: string): FlowTraits {
  const named = namedOutputs(d, name);
  const stars = d.stars.filter((r) => r.lookup(name) !== undefined).map((r) => r.traits(name));
  const t = joinTraits([...named.map(outputTraits), ...stars]);
  // Another set-operation branch's value may stand in this column: not one source passed through.
  return d.extra.length > 0 || named.length + stars.length > 1 ? { ...t, derived: true } : t;
}

function derivedRelation(d: Derived, alias: string | undefined): Relation {
  return {
    alias,
    lookup: (name) => {
      const named = namedOutputs(d, name);
      const fromStars = d.stars.map((r) => r.lookup(name)).filter((r) => r !== undefined);
      if (named.length === 0 && fromStars.length === 0) return undefined;
      return [...named.flatMap((o) => o.origins), ...fromStars.flat(), ...d.extra];
    },
    definite: (name) => d.outputs.some((o) => o.name === name),
    all: () => derivedAll(d),
    traits: (name) => derivedTraits(d, name),
    allTraits: () => {
      const t = joinTraits([...d.outputs.map(outputTraits), ...d.stars.map((r) => r.allTraits())]);
      return d.extra.length > 0 ? { ...t, derived: true } : t;
    },
    row: true,
  };
}

/**
 * UNNEST(expr) or a correlated array path: every field read reads the array's origins. `traits` say whether
 * the elements are a stored array's own (`UNNEST(p.codes)`) or computed (`UNNEST(SPLIT(note_text, ' '))`).
 */
function arrayRelation(origins: ColumnRef[], alias: string | undefined, traits: FlowTraits): Relation {
  return {
    alias,
    // Without an alias, the fields of a STRUCT element are visible unqualified.
    lookup: () => (alias === undefined ? origins : undefined),
    definite: () => false,
    all: () => origins,
    traits: () => traits,
    allTraits: () => traits,
    row: false,
  };
}

/** A table-valued function, INFORMATION_SCHEMA view or WITH OFFSET: no table columns behind it. */
function opaqueRelation(alias: string | undefined): Relation {
  return {
    alias,
    lookup: () => [],
    definite: () => false,
    all: () => [],
    traits: () => COMPUTED,
    allTraits: () => COMPUTED,
    row: false,
  };
}

/** Columns an expression reads, and how its value flows from them. */
interface Collector {
  refs: ColumnRef[];
  derived: boolean;
  collects: boolean;
  /** Array folds met (aggregates, ARRAY subqueries, references to folded arrays). */
  foldCount: number;
  /** The expression collected; `topFold`: it is itself an array fold. */
  top: unknown;
  topFold: boolean;
}

/** The traits of a collected expression; `passThrough`: it is a plain reference, so it keeps what it names. */
function collectedTraits(c: Collector, passThrough: boolean): FlowTraits {
  // An array fold shows its elements only when it is the expression itself (or passed through unchanged).
  const hidden = c.collects || (!passThrough && c.foldCount > (c.topFold ? 1 : 0));
  return { derived: c.derived || !passThrough, collects: hidden, folds: !hidden && c.foldCount > 0 };
}

/** What a function node is called, lower case (node-sql-parser nests the name differently per kind). */
function functionName(node: Node): string | undefined {
  const n = node['name'];
  if (typeof n === 'string') return n.toLowerCase();
  if (!isNode(n)) return undefined;
  const parts = Array.isArray(n['name']) ? n['name'] : [];
  const last = parts.length > 0 ? str(parts[parts.length - 1]) : str(n['schema']);
  return lower(last);
}

/** The conjuncts of an AND chain. */
function conjuncts(v: unknown): unknown[] {
  if (isNode(v) && v['type'] === 'binary_expr' && String(v['operator']).toUpperCase() === 'AND')
    return [...conjuncts(v['left']), ...conjuncts(v['right'])];
  return [v];
}

function lower(s: string | undefined): string | undefined {
  return s === undefined ? undefined : s.toLowerCase();
}

class Walker {
  readonly tables: TableRef[] = [];
  readonly columns: ColumnRef[] = [];
  readonly predicateColumns: ColumnRef[] = [];
  readonly joinKeyColumns: ColumnRef[] = [];
  selectStar = false;
  /** The outputs of the statement's top-level query, when it is a query. */
  output: Derived | undefined;
  /** The AST had a shape that misreads the text (e.g. a reserved word as table name). */
  suspect = false;
  private readonly collectors: Collector[] = [];
  private readonly defaults: NameDefaults;
  /** Where column reads go besides `columns`: `value` (into expressions), predicate or join-key position. */
  private position: 'value' | 'predicate' | 'joinKey' = 'value';

  constructor(defaults: NameDefaults) {
    this.defaults = defaults;
  }

  private emit(refs: ColumnRef[], traits: FlowTraits = PLAIN): void {
    this.columns.push(...refs);
    if (this.position === 'predicate') this.predicateColumns.push(...refs);
    else if (this.position === 'joinKey') this.joinKeyColumns.push(...refs);
    for (const c of this.collectors) {
      c.refs.push(...refs);
      if (traits.derived) c.derived = true;
      if (traits.collects) c.collects = true;
      if (traits.folds) c.foldCount++;
    }
  }

  /** An array fold (or, `scalar`, a fold into one scalar) at `node`. */
  private fold(node: unknown, scalar: boolean): void {
    for (const c of this.collectors) {
      c.derived = true;
      if (scalar) c.collects = true;
      else {
        c.foldCount++;
        if (c.top === node) c.topFold = true;
      }
    }
  }

  /** Marks every expression being collected as computed (and, for `collects`, as folding rows). */
  private mark(traits: FlowTraits): void {
    this.emit([], traits);
  }

  /** Walks `fn` (over the expression `top`) collecting the columns it reads. */
  private collect(top: unknown, fn: () => void): Collector {
    const c: Collector = { refs: [], derived: false, collects: false, foldCount: 0, top, topFold: false };
    this.collectors.push(c);
    try {
      fn();
    } finally {
      this.collectors.pop();
    }
    return c;
  }

  /**
   * Walks `fn` with its column reads in predicate (or join-key) position; a predicate inside stays one. Value
   * expressions inside a predicate (a subquery's SELECT list in `WHERE x IN (SELECT …)`) are predicates too.
   */
  private at(position: 'predicate' | 'joinKey', fn: () => void): void {
    const before = this.position;
    if (before !== 'predicate') this.position = position;
    // Collectors of enclosing SELECT items do not see reads that only decide rows.
    const outer = this.collectors.splice(0);
    try {
      fn();
    } finally {
      this.collectors.push(...outer);
      this.position = before;
    }
  }

  /** A join condition: `a.k = b.k` conjuncts are join keys, anything else a predicate. */
  private joinCondition(on: unknown, scope: Scope): void {
    for (const c of conjuncts(on)) {
      const key =
        isNode(c) &&
        c['type'] === 'binary_expr' &&
        c['operator'] === '=' &&
        isNode(c['left']) &&
        c['left']['type'] === 'column_ref' &&
        isNode(c['right']) &&
        c['right']['type'] === 'column_ref';
      this.at(key ? 'joinKey' : 'predicate', () => this.walk(c, scope, false));
    }
  }

  statement(ast: Node, knownCtes: ReadonlySet<string>): void {
    const ctes = new Map<string, Derived>(
      [...knownCtes].map((n) => [n, { outputs: [], stars: [], extra: [] }]),
    );
    const root: Scope = { relations: [], ctes, selectAliases: new Map() };
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
      selectAliases: new Map(),
    };
    for (const w of Array.isArray(node['with']) ? node['with'] : []) {
      if (!isNode(w)) continue;
      const name = lower(str(w['name']));
      const stmt = isNode(w['stmt']) ? w['stmt'] : undefined;
      const body = stmt !== undefined && isNode(stmt['ast']) ? stmt['ast'] : stmt;
      // A CTE body sees earlier CTEs but no range variables of the query around it.
      const d = body
        ? this.query(body, { relations: [], ctes: scope.ctes, selectAliases: new Map() })
        : undefined;
      if (name !== undefined && d !== undefined) scope.ctes.set(name, d);
    }
    const from = node['from'];
    for (const item of Array.isArray(from) ? from : from === undefined || from === null ? [] : [from]) {
      if (!isNode(item)) continue;
      scope.relations.push(...this.fromItem(item, scope));
      this.joinCondition(item['on'], scope);
      for (const u of Array.isArray(item['using']) ? item['using'] : []) {
        const name = lower(str(u));
        if (name !== undefined) this.at('joinKey', () => this.emit(this.resolveName(name, scope)));
      }
    }
    this.at('predicate', () => {
      this.walk(node['for_sys_time_as_of'], scope, false);
      this.walk(node['where'], scope, false);
    });
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
    for (const o of out.outputs)
      if (o.name !== undefined)
        scope.selectAliases.set(o.name, [...(scope.selectAliases.get(o.name) ?? []), ...o.origins]);
    const groupby = node['groupby'];
    // What decides the groups, the filter on them and the order is read as a predicate.
    this.at('predicate', () => {
      this.walk(isNode(groupby) ? groupby['columns'] : groupby, scope, true);
      for (const k of ['having', 'qualify', 'window', 'orderby', '_orderby']) this.walk(node[k], scope, true);
    });
    const next = node['_next'];
    // Later branches of a set operation see the CTEs of the first (the parser hangs WITH on it).
    const branchScope: Scope = { relations: [], parent: outer, ctes: scope.ctes, selectAliases: new Map() };
    const later = isNode(next) ? derivedAll(this.query(next, branchScope)) : [];
    out.extra.push(...later);
    // SELECT DISTINCT, UNION DISTINCT, INTERSECT and EXCEPT compare the values they return: which rows survive
    // tells whether values are equal (`SELECT ssn … INTERSECT DISTINCT SELECT '123-45-6789'`), so the compared
    // columns are read as predicates. UNION ALL compares nothing.
    const op = String(node['set_op'] ?? '').toLowerCase();
    const compares = (isNode(next) && op !== '' && op !== 'union all') || Boolean(node['distinct']);
    if (compares)
      this.at('predicate', () =>
        this.emit([...derivedAll({ ...out, extra: [] }), ...(op !== 'union all' ? later : [])]),
      );
    return out;
  }

  private selectItems(items: unknown, scope: Scope, out: Derived): void {
    for (const col of Array.isArray(items) ? items : []) {
      if (!isNode(col)) continue;
      const expr = col['expr'];
      const c = this.collect(expr, () => this.walk(expr, scope, false));
      let name = lower(str(col['as']));
      const ref = isNode(expr) && expr['type'] === 'column_ref';
      if (name === undefined && ref) name = refName(expr);
      const t = collectedTraits(c, ref);
      out.outputs.push({ name, origins: c.refs, direct: !t.derived, collects: t.collects, folds: t.folds });
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
    for (const r of rels) this.emit(r.all(), r.allTraits());
    return rels;
  }

  /** The relations a FROM item adds. */
  private fromItem(item: Node, scope: Scope): Relation[] {
    const alias = lower(str(item['as']) ?? undefined);
    // PIVOT / UNPIVOT: the pivot column decides which values land where, as a GROUP BY does.
    this.at('predicate', () => this.walk(item['operator'], scope, false));
    if (item['type'] === 'unnest') {
      const expr = item['expr'];
      const c = this.collect(expr, () => this.walk(expr, scope, false));
      // The elements of a stored array are its own values; of any other array expression, computed ones.
      const ref = isNode(expr) && expr['type'] === 'column_ref';
      const traits = { ...collectedTraits(c, ref), folds: false };
      const rels = [arrayRelation(c.refs, alias, traits)];
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
        const known = corr.lookup(name);
        const origins = known ?? corr.all();
        const traits = known !== undefined ? corr.traits(name) : corr.allTraits();
        this.emit(origins, traits);
        return [arrayRelation(origins, alias ?? last, traits)];
      }
      const rel = this.addTable(item);
      return [{ ...rel, alias: alias ?? last }];
    }
    // Table-valued functions (EXTERNAL_QUERY(…), ML.PREDICT(…)) and anything unknown.
    this.walk(sub ?? item, scope, false);
    return [opaqueRelation(alias)];
  }

  /**
   * Columns read by an unqualified name, searched from the innermost scope outwards. Marks the expressions
   * being collected as computed when the name reaches a computed value (or several candidates).
   */
  private resolveName(name: string, scope: Scope): ColumnRef[] {
    const out: ColumnRef[] = [];
    const traits: FlowTraits[] = [];
    for (let s: Scope | undefined = scope; s !== undefined; s = s.parent) {
      let definite = false;
      for (const r of s.relations) {
        if (r.alias === name) {
          // The whole row as a STRUCT value, as in TO_JSON_STRING(p).
          if (r.row) this.selectStar = true;
          out.push(...r.all());
          traits.push(r.allTraits());
          definite = true;
          continue;
        }
        const cols = r.lookup(name);
        if (cols !== undefined) {
          out.push(...cols);
          traits.push(r.traits(name));
          if (r.definite(name)) definite = true;
        }
      }
      if (definite) break;
    }
    if (traits.length === 0) out.push({ column: name });
    const t = joinTraits(traits);
    this.mark(traits.length > 1 ? { ...t, derived: true } : t);
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
      const alias = selectAliasesVisible ? scope.selectAliases.get(name) : undefined;
      // GROUP BY / HAVING / ORDER BY by a SELECT alias read what the alias reads.
      if (alias !== undefined) this.emit(alias, COMPUTED);
      else this.emit(this.resolveName(name, scope));
      return;
    }
    const rel = findRelation(table, scope) ?? findRelation(table.split('.').pop() ?? table, scope);
    if (rel !== undefined) {
      const known = rel.lookup(column);
      this.emit(known ?? rel.all(), known !== undefined ? rel.traits(column) : rel.allTraits());
    }
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
      this.mark(COMPUTED);
      return;
    }
    if (v['type'] === 'array' && isNode(v['expr_list']) && isNode(v['expr_list']['ast'])) {
      // ARRAY(SELECT …): the rows of a query folded into one value.
      this.walk(v['expr_list'], scope, selectAliasesVisible);
      this.fold(v, false);
      return;
    }
    if (v['type'] === 'function' || v['type'] === 'aggr_func') {
      const name = functionName(v) ?? '';
      if (ARRAY_FOLDS.has(name) || SCALAR_FOLDS.has(name)) this.fold(v, SCALAR_FOLDS.has(name));
      else this.mark(COMPUTED);
    } else if (v['type'] !== 'column_ref' && v['type'] !== 'star' && !isTableNode(v)) this.mark(COMPUTED);
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
      // A window's PARTITION BY and ORDER BY decide which rows a value comes from: a predicate.
      if (k === 'over' && child !== null && child !== undefined)
        this.at('predicate', () => this.walk(child, scope, selectAliasesVisible));
      else this.walk(child, scope, selectAliasesVisible);
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
    return {
      parsed: false,
      tables: [],
      columns: [],
      predicateColumns: [],
      joinKeyColumns: [],
      selectStar: false,
      words: new Set(),
    };
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
    predicateColumns: w.predicateColumns,
    joinKeyColumns: w.joinKeyColumns,
    selectStar: w.selectStar,
    words,
    ast,
  };
}

/** Where the columns of a query's result come from (see {@link analyzeResultLineage}). */
export interface AstLineage {
  /**
   * Source columns of the output column `name` (lower case): for a star, the star's relations; for an
   * unnamed expression (BigQuery names it `f0_`, `f1_`, …), every unnamed expression's. Undefined when the
   * name matches nothing.
   */
  sourcesOf(
    name: string,
  ): { origins: ColumnRef[]; direct: boolean; collects: boolean; folds: boolean } | undefined;
}

/**
 * Parses one SELECT statement and returns where its output columns come from; undefined when the statement
 * does not parse, is not a query, or the parser missed part of it. Never throws. `parsed` is the AST of this
 * very statement from {@link analyzeAst} (its `ast`), which the walk reads and never changes: given, the text
 * is not parsed a second time.
 */
export function analyzeAstLineage(
  statement: string,
  defaults: NameDefaults,
  parsed?: { ast: unknown },
): AstLineage | undefined {
  let ast: unknown;
  try {
    ast = parsed ? parsed.ast : parser.astify(statement, { database: 'bigquery' });
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
      const stars = out.stars.filter((r) => r.lookup(n) !== undefined);
      // A name both an item and a star column give (`SELECT *, x`) may be either: BigQuery renames one.
      if (named.length > 0 || stars.length > 0) {
        const all = [...named.map(outputTraits), ...stars.map((r) => r.traits(n))];
        const t = joinTraits(all);
        if (all.length > 1 || out.extra.length > 0) t.derived = true;
        return {
          origins: [
            ...named.flatMap((o) => o.origins),
            ...stars.flatMap((r) => r.lookup(n) ?? []),
            ...out.extra,
          ],
          direct: !t.derived,
          collects: t.collects,
          folds: t.folds,
        };
      }
      const unnamed = out.outputs.filter((o) => o.name === undefined);
      if (unnamed.length > 0)
        return {
          origins: [...unnamed.flatMap((o) => o.origins), ...out.extra],
          direct: false,
          collects: unnamed.some((o) => o.collects === true),
          folds: unnamed.some((o) => o.folds === true),
        };
      return undefined;
    },
  };
}
