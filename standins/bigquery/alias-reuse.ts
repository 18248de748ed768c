// Finds SELECT-list aliases reused in the same SELECT list or WHERE, which DuckDB binds and GoogleSQL rejects.

import { randomUUID } from 'node:crypto';
import type { Token } from './sql-lexer.ts';
import { isOp, isWord } from './sql-lexer.ts';

type Json = Record<string, unknown>;

/** How the check talks to DuckDB. */
export interface ProbeRunner {
  /** The `json_serialize_sql` tree of a query, as JSON text. */
  serialize(sql: string): Promise<string>;
  /** The SQL text of a `json_serialize_sql` tree (`json_deserialize_sql`). */
  deserialize(tree: string): Promise<string>;
  /** Binds a query in the job's default dataset (running it under `LIMIT 0` where binding needs values); throws. */
  prepare(sql: string): Promise<void>;
}

/**
 * What the probe found: no alias anybody could reuse (`none`), aliases only used where GoogleSQL sees them or
 * names that are columns as well (`clean`), an alias GoogleSQL cannot see (`reused`, with its name), or a probe that
 * failed for another reason (`undecided`, with DuckDB's message).
 */
export type AliasVerdict =
  | { kind: 'none' }
  | { kind: 'clean' }
  | { kind: 'reused'; name: string }
  | { kind: 'undecided'; reason: string };

const PROBE_PREFIX = '__warden_alias_';

/** The wrapper `SELECT * RENAME (probe AS original) FROM (…)`, taken from DuckDB so its shape matches the version. */
const WRAPPER_SQL = `SELECT * RENAME ("${PROBE_PREFIX}0" AS "a") FROM (SELECT 1 AS "${PROBE_PREFIX}0")`;

/**
 * The name of a SELECT-list alias that the query uses where GoogleSQL cannot see it (in another item of the same
 * SELECT list, in its WHERE clause, or in a subquery of either), or undefined; see {@link aliasVerdict}. An
 * undecided probe counts as no reuse: the query is then judged by its own binding.
 */
export async function reusedAlias(serialized: string, runner: ProbeRunner): Promise<string | undefined> {
  const verdict = await aliasVerdict(serialized, runner);
  return verdict.kind === 'reused' ? verdict.name : undefined;
}

/**
 * DuckDB binds a name to a column of the FROM clause first and then to a SELECT-list alias; GoogleSQL (with
 * BigQuery's default `reusable_column_aliases_mode`, off) binds names in the SELECT list and WHERE to the FROM
 * clause and outer queries only. So each SELECT whose list or WHERE mentions one of its aliases is bound again with
 * those aliases renamed to names nothing refers to, wrapped in `SELECT * RENAME (…)` to keep its output names, and
 * without the clauses that may see aliases (GROUP BY, made GROUP BY ALL so that grouping still binds; HAVING,
 * QUALIFY, ORDER BY). If that probe fails on one of the renamed names, the original bound it to the alias.
 */
export async function aliasVerdict(serialized: string, runner: ProbeRunner): Promise<AliasVerdict> {
  const tree = parseLossless(serialized);
  if (tree['error'] || !hasCandidate(tree)) return { kind: 'none' };
  const wrapper = selectNode(parseLossless(await runner.serialize(WRAPPER_SQL)));
  const probe = aliasProbe(tree, wrapper);
  if (!probe) return { kind: 'none' };
  try {
    await runner.prepare(await runner.deserialize(stringifyLossless(probe.tree)));
    return { kind: 'clean' };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const name = /Referenced (?:column|table) "([^"]+)" not found/.exec(message)?.[1];
    if (name && probe.renamed.has(name.toLowerCase())) return { kind: 'reused', name };
    return { kind: 'undecided', reason: message.split('\n')[0] ?? message };
  }
}

/** The probe tree for a parsed query, or undefined when no SELECT could reuse an alias. */
function aliasProbe(tree: Json, wrapper: Json): { tree: Json; renamed: Map<string, string> } | undefined {
  const renamed = new Map<string, string>();
  const counter = { next: 0 };
  const rewritten = transform(tree, (select) => probeSelect(select, wrapper, renamed, counter)) as Json;
  return renamed.size > 0 ? { tree: rewritten, renamed } : undefined;
}

/** A deep copy of `node` with every SELECT node (innermost first) passed through `onSelect`. */
function transform(node: unknown, onSelect: (select: Json) => Json): unknown {
  if (Array.isArray(node)) return node.map((item) => transform(item, onSelect));
  if (!node || typeof node !== 'object') return node;
  const copy: Json = {};
  for (const [key, value] of Object.entries(node as Json)) copy[key] = transform(value, onSelect);
  return copy['type'] === 'SELECT_NODE' ? onSelect(copy) : copy;
}

/** True when some SELECT list defines an alias whose name the SELECT list or WHERE mentions (a quick pre-check). */
function hasCandidate(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasCandidate);
  if (!node || typeof node !== 'object') return false;
  const obj = node as Json;
  if (obj['type'] === 'SELECT_NODE' && reusableAliases(obj).size > 0) return true;
  return Object.values(obj).some(hasCandidate);
}

/** Lower-case aliases of `select`'s list that another item, or the WHERE clause, mentions. */
function reusableAliases(select: Json): Set<string> {
  const items = (select['select_list'] as Json[] | undefined) ?? [];
  const aliases = items.map((item) => String(item['alias'] ?? '').toLowerCase());
  const defined = new Set(aliases.filter((a) => a !== ''));
  const used = new Set<string>();
  if (defined.size === 0) return used;
  items.forEach((item, k) => {
    forEachReference(item, (name) => {
      if (defined.has(name) && name !== aliases[k]) used.add(name);
    });
  });
  forEachReference(select['where_clause'], (name) => {
    if (defined.has(name)) used.add(name);
  });
  return used;
}

/** Calls `fn` with the lower-case first part of every column reference under `node`, subqueries included. */
function forEachReference(node: unknown, fn: (name: string) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) forEachReference(item, fn);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const obj = node as Json;
  const names = obj['class'] === 'COLUMN_REF' ? (obj['column_names'] as string[] | undefined) : undefined;
  if (names?.[0]) fn(names[0].toLowerCase());
  for (const value of Object.values(obj)) forEachReference(value, fn);
}

/**
 * `select` with its reusable aliases renamed and the clauses that see aliases dropped, wrapped to restore its
 * output names; or `select` unchanged.
 */
function probeSelect(
  select: Json,
  wrapper: Json,
  renamed: Map<string, string>,
  counter: { next: number },
): Json {
  const used = reusableAliases(select);
  if (used.size === 0) return select;
  const local = new Map<string, string>();
  const spelling = new Map<string, string>();
  for (const name of used) {
    const probeName = `${PROBE_PREFIX}${counter.next++}`;
    local.set(name, probeName);
    renamed.set(name, probeName);
  }
  const items = (select['select_list'] as Json[]).map((item) => {
    const alias = String(item['alias'] ?? '');
    const probeName = local.get(alias.toLowerCase());
    if (!probeName) return item;
    spelling.set(probeName, alias);
    return { ...item, alias: probeName };
  });
  const grouped = ((select['group_expressions'] as unknown[] | undefined) ?? []).length > 0;
  const inner: Json = {
    ...select,
    select_list: items,
    group_expressions: [],
    group_sets: [],
    aggregate_handling: grouped ? 'FORCE_AGGREGATES' : select['aggregate_handling'],
    having: null,
    qualify: null,
    modifiers: [],
  };
  return wrap(inner, wrapper, spelling);
}

/** `SELECT * RENAME (probe AS original, …) FROM (inner)`, built from DuckDB's own tree for that query. */
function wrap(inner: Json, wrapper: Json, spelling: Map<string, string>): Json {
  const star = structuredClone((wrapper['select_list'] as Json[])[0]) as Json;
  const entry = (star['rename_list'] as Json[])[0] as Json;
  star['rename_list'] = [...spelling].map(([probeName, original]) => ({
    ...entry,
    key: { ...(entry['key'] as Json), column: probeName },
    value: original,
  }));
  const from = structuredClone(wrapper['from_table']) as Json;
  from['subquery'] = { ...(from['subquery'] as Json), node: inner };
  return { ...structuredClone(wrapper), select_list: [star], from_table: from };
}

/** Marks numbers whose JSON text would not survive a round trip through JavaScript numbers. */
const NUMBER_MARK = `\u0000number:${randomUUID()}:`;

/**
 * JSON.parse that keeps every number's exact text when `String(value)` would change it: the tree marks missing
 * query locations with 2^64 - 1, and json_deserialize_sql tells a double `50.0` from an integer `50`. Such numbers
 * become marked strings (the mark holds a random id, so no string of the query can pass for one).
 */
function parseLossless(text: string): Json {
  return JSON.parse(text, (_key: string, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' && context?.source !== undefined && context.source !== String(value)
      ? `${NUMBER_MARK}${context.source}`
      : value,
  ) as Json;
}

/** JSON.stringify writing the marked numbers back as they were. */
function stringifyLossless(tree: Json): string {
  const { rawJSON } = JSON as unknown as { rawJSON(text: string): unknown };
  return JSON.stringify(tree, (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith(NUMBER_MARK)
      ? rawJSON(value.slice(NUMBER_MARK.length))
      : value,
  );
}

function selectNode(tree: Json): Json {
  const node = ((tree['statements'] as Json[] | undefined)?.[0] as Json | undefined)?.['node'] as
    | Json
    | undefined;
  if (node?.['type'] !== 'SELECT_NODE')
    throw new Error('Unexpected json_serialize_sql tree for the alias probe');
  return node;
}

/**
 * The first token of a statement that refers to `name` as a bare identifier (for the error position): not an
 * `AS name` or implicit alias definition, not a field after `.`.
 */
export function firstReference(sig: readonly Token[], name: string): Token | undefined {
  const lower = name.toLowerCase();
  let definition: Token | undefined;
  for (let k = 0; k < sig.length; k++) {
    const t = sig[k] as Token;
    if ((t.kind !== 'word' && t.kind !== 'quoted') || t.value.toLowerCase() !== lower) continue;
    const previous = sig[k - 1];
    if (isOp(previous, '.')) continue;
    if (isWord(previous, 'AS') || isImplicitAlias(previous)) {
      definition ??= t;
      continue;
    }
    return t;
  }
  return definition;
}

/** True when a name after `previous` is an implicit alias (`expr name`): `previous` ends an expression. */
function isImplicitAlias(previous: Token | undefined): boolean {
  if (!previous) return false;
  if (previous.kind === 'op') return previous.text === ')' || previous.text === ']';
  if (previous.kind === 'word')
    return !/^(SELECT|DISTINCT|ALL|WHERE|AND|OR|NOT|ON|BY|WHEN|THEN|ELSE|IN|IS)$/i.test(previous.value);
  return previous.kind !== 'space';
}
