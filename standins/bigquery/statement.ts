// Statement classification (BigQuery's statementType) and decomposition into DML/DDL targets and read queries.

import { invalidQuery } from './errors.ts';
import type { Token } from './sql-lexer.ts';
import { isOp, isWord, significant, synthetic } from './sql-lexer.ts';
import { matchingParen } from './sql-translate.ts';

/** BigQuery's `statistics.query.statementType` values that the stand-in can recognise. */
export type StatementType =
  | 'SELECT'
  | 'ASSERT'
  | 'INSERT'
  | 'UPDATE'
  | 'DELETE'
  | 'MERGE'
  | 'TRUNCATE_TABLE'
  | 'CREATE_TABLE'
  | 'CREATE_TABLE_AS_SELECT'
  | 'CREATE_EXTERNAL_TABLE'
  | 'CREATE_SNAPSHOT_TABLE'
  | 'CREATE_VIEW'
  | 'CREATE_MATERIALIZED_VIEW'
  | 'CREATE_SCHEMA'
  | 'CREATE_FUNCTION'
  | 'CREATE_TABLE_FUNCTION'
  | 'CREATE_PROCEDURE'
  | 'CREATE_MODEL'
  | 'CREATE_ROW_ACCESS_POLICY'
  | 'CREATE_SEARCH_INDEX'
  | 'CREATE_VECTOR_INDEX'
  | 'DROP_TABLE'
  | 'DROP_EXTERNAL_TABLE'
  | 'DROP_SNAPSHOT_TABLE'
  | 'DROP_VIEW'
  | 'DROP_MATERIALIZED_VIEW'
  | 'DROP_SCHEMA'
  | 'DROP_FUNCTION'
  | 'DROP_TABLE_FUNCTION'
  | 'DROP_PROCEDURE'
  | 'DROP_MODEL'
  | 'DROP_ROW_ACCESS_POLICY'
  | 'DROP_ALL_ROW_ACCESS_POLICIES'
  | 'DROP_SEARCH_INDEX'
  | 'DROP_VECTOR_INDEX'
  | 'ALTER_TABLE'
  | 'ALTER_VIEW'
  | 'ALTER_MATERIALIZED_VIEW'
  | 'ALTER_SCHEMA'
  | 'EXPORT_DATA'
  | 'LOAD_DATA'
  | 'CALL'
  | 'GRANT'
  | 'REVOKE'
  | 'SCRIPT';

/** A table (or dataset) path as written: 1 to 3 parts, backtick paths already split on dots. */
export type NamePath = string[];

/** What a single statement does to which tables. */
export interface StatementShape {
  type: StatementType;
  /** All of the statement's tokens (including whitespace), for translation. */
  tokens: Token[];
  /** Significant tokens. */
  sig: Token[];
  /** The table an INSERT/UPDATE/DELETE/MERGE/TRUNCATE writes. */
  dmlTarget?: NamePath;
  /** The table or view a CREATE/DROP/ALTER statement defines or removes. */
  ddlTarget?: NamePath;
  /** The dataset a CREATE/DROP/ALTER SCHEMA statement defines or removes. */
  ddlTargetDataset?: NamePath;
  /** SELECT-shaped token lists whose tables the statement reads (the parser finds their tables). */
  readQueries: Token[][];
  /** Tables read by name outside any query, e.g. `CREATE TABLE t COPY src`. */
  readTables: NamePath[];
  /** Significant-token index of a CREATE TABLE column list's `(`. */
  columnListAt?: number;
  /** True for `CREATE OR REPLACE` / `IF [NOT] EXISTS`. */
  orReplace: boolean;
  ifExists: boolean;
}

/** Splits a script into statements at top-level semicolons, dropping empty ones. */
export function splitStatements(tokens: readonly Token[]): Token[][] {
  const statements: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  for (const t of tokens) {
    if (isOp(t, '(')) depth++;
    if (isOp(t, ')')) depth--;
    if (isOp(t, ';') && depth === 0) {
      statements.push(current);
      current = [];
      continue;
    }
    current.push(t);
  }
  statements.push(current);
  return statements.filter((s) => significant(s).length > 0);
}

/** Classifies and decomposes one statement. */
export function shapeOf(tokens: Token[]): StatementShape {
  const sig = significant(tokens);
  const shape: StatementShape = {
    type: 'SELECT',
    tokens,
    sig,
    readQueries: [],
    readTables: [],
    orReplace: false,
    ifExists: false,
  };
  const first = sig[0];
  if (!first) throw invalidQuery('Syntax error: Unexpected end of statement');
  const keyword = first.kind === 'word' ? first.value.toUpperCase() : first.text;
  const handler = HANDLERS[keyword];
  if (!handler) {
    throw invalidQuery(
      `Syntax error: Unexpected ${first.kind === 'word' ? 'keyword' : 'token'} ${first.text} at [1:1]`,
    );
  }
  handler(shape);
  return shape;
}

type Handler = (shape: StatementShape) => void;

const SCRIPT_WORDS = [
  'DECLARE',
  'SET',
  'BEGIN',
  'IF',
  'LOOP',
  'WHILE',
  'REPEAT',
  'FOR',
  'EXECUTE',
  'RAISE',
  'RETURN',
  'BREAK',
  'LEAVE',
  'CONTINUE',
  'ITERATE',
  'COMMIT',
  'ROLLBACK',
];

const HANDLERS: Record<string, Handler> = {
  SELECT: selectShape,
  WITH: withShape,
  '(': selectShape,
  INSERT: insertShape,
  UPDATE: updateShape,
  DELETE: deleteShape,
  MERGE: mergeShape,
  TRUNCATE: truncateShape,
  CREATE: createShape,
  DROP: dropShape,
  ALTER: alterShape,
  ASSERT: assertShape,
  EXPORT: exportShape,
  LOAD: (s) => {
    s.type = 'LOAD_DATA';
  },
  CALL: (s) => {
    s.type = 'CALL';
  },
  GRANT: (s) => {
    s.type = 'GRANT';
  },
  REVOKE: (s) => {
    s.type = 'REVOKE';
  },
  ...Object.fromEntries(
    SCRIPT_WORDS.map((w): [string, Handler] => [
      w,
      (s) => {
        s.type = 'SCRIPT';
      },
    ]),
  ),
};

function selectShape(shape: StatementShape): void {
  shape.type = 'SELECT';
  shape.readQueries.push(shape.tokens);
}

/** `WITH a AS (...), b AS (...) SELECT ...`: GoogleSQL allows only a query after the WITH clause. */
function withShape(shape: StatementShape): void {
  const { sig } = shape;
  let k = isWord(sig[1], 'RECURSIVE') ? 2 : 1;
  for (;;) {
    const open = sig.findIndex((t, i) => i > k && isOp(t, '('));
    if (open === -1) throw invalidQuery('Syntax error: Expected "(" in WITH clause');
    k = matchingParen(sig, open) + 1;
    if (!isOp(sig[k], ',')) break;
    k++;
  }
  const main = sig[k];
  if (!isWord(main, 'SELECT') && !isOp(main, '(')) {
    throw invalidQuery(
      `Syntax error: Expected a query after the WITH clause but got ${main?.text ?? 'end of statement'}`,
    );
  }
  selectShape(shape);
}

/** Reads a table path at `k`: identifiers/backtick paths joined by dots. */
export function readPath(sig: readonly Token[], k: number): { path: NamePath; next: number } {
  const path: NamePath = [];
  let i = k;
  for (;;) {
    const t = sig[i];
    if (t?.kind === 'quoted') path.push(...t.value.split('.'));
    else if (t?.kind === 'word') path.push(t.value);
    else throw invalidQuery(`Syntax error: Expected a table name but got ${t?.text ?? 'end of statement'}`);
    i++;
    if (!isOp(sig[i], '.')) break;
    i++;
  }
  return { path, next: i };
}

/** Reads `[AS] alias` at `k` if present; `stop` words are never aliases. */
function readAlias(sig: readonly Token[], k: number, stop: string[]): { alias: Token[]; next: number } {
  if (isWord(sig[k], 'AS')) return { alias: sig.slice(k, k + 2), next: k + 2 };
  const t = sig[k];
  const isAlias = t?.kind === 'quoted' || (t?.kind === 'word' && !stop.includes(t.value.toUpperCase()));
  return isAlias && t ? { alias: [t], next: k + 1 } : { alias: [], next: k };
}

/** Index of the first top-level (depth 0) token at or after `from` matching `test`, or `sig.length`. */
function findTopLevel(sig: readonly Token[], from: number, test: (t: Token) => boolean): number {
  let depth = 0;
  for (let i = from; i < sig.length; i++) {
    const t = sig[i] as Token;
    if (depth === 0 && test(t)) return i;
    if (isOp(t, '(')) depth++;
    if (isOp(t, ')')) depth--;
  }
  return sig.length;
}

/** Splits tokens at top-level commas. */
function splitTopLevel(tokens: readonly Token[]): Token[][] {
  const parts: Token[][] = [];
  let start = 0;
  for (;;) {
    const comma = findTopLevel(tokens, start, (t) => isOp(t, ','));
    parts.push(tokens.slice(start, comma));
    if (comma >= tokens.length) return parts.filter((p) => p.length > 0);
    start = comma + 1;
  }
}

/** The right-hand sides of `a = x, b.c = y` assignments, skipping DEFAULT. */
function assignmentValues(tokens: readonly Token[]): Token[][] {
  return splitTopLevel(tokens)
    .map((part) => part.slice(findTopLevel(part, 0, (t) => isOp(t, '=')) + 1))
    .filter((rhs) => rhs.length > 0 && !(rhs.length === 1 && isWord(rhs[0], 'DEFAULT')));
}

const KW = (text: string): Token => synthetic('word', text);
const OP = (text: string): Token => synthetic('op', text);
const SPACE = synthetic('space', ' ');

/** Joins token lists into one statement with spaces between significant tokens. */
function spaced(parts: readonly Token[]): Token[] {
  return parts.flatMap((t) => [t, SPACE]);
}

/** `SELECT <items or 1> FROM <from> [WHERE <where>]` as tokens. */
function selectFrom(
  items: readonly Token[][],
  from: readonly Token[],
  where: readonly Token[] = [],
): Token[] {
  const list =
    items.length > 0
      ? items.flatMap((item, i) => (i === 0 ? [...item] : [OP(','), ...item]))
      : [synthetic('number', '1')];
  return spaced([
    KW('SELECT'),
    ...list,
    KW('FROM'),
    ...from,
    ...(where.length > 0 ? [KW('WHERE'), ...where] : []),
  ]);
}

function pathTokens(path: NamePath): Token[] {
  return [synthetic('quoted', `\`${path.join('.')}\``, path.join('.'))];
}

function insertShape(shape: StatementShape): void {
  const { sig } = shape;
  shape.type = 'INSERT';
  const target = readPath(sig, isWord(sig[1], 'INTO') ? 2 : 1);
  shape.dmlTarget = target.path;
  let k = target.next;
  if (isOp(sig[k], '(') && !isWord(sig[k + 1], 'SELECT', 'WITH')) k = matchingParen(sig, k) + 1;
  const rest = sig.slice(k);
  if (isWord(rest[0], 'VALUES')) {
    shape.readQueries.push(spaced([KW('SELECT'), OP('*'), KW('FROM'), OP('('), ...rest, OP(')')]));
  } else if (rest.length > 0) {
    shape.readQueries.push(spaced(rest));
  }
}

function updateShape(shape: StatementShape): void {
  const { sig } = shape;
  shape.type = 'UPDATE';
  const target = readPath(sig, 1);
  shape.dmlTarget = target.path;
  const { alias, next } = readAlias(sig, target.next, ['SET']);
  if (!isWord(sig[next], 'SET')) throw invalidQuery('Syntax error: Expected keyword SET');
  const fromAt = findTopLevel(sig, next + 1, (t) => isWord(t, 'FROM', 'WHERE'));
  const whereAt = findTopLevel(sig, fromAt, (t) => isWord(t, 'WHERE'));
  const values = assignmentValues(sig.slice(next + 1, fromAt));
  const extraFrom = isWord(sig[fromAt], 'FROM') ? [OP(','), ...sig.slice(fromAt + 1, whereAt)] : [];
  const from = [...pathTokens(target.path), ...alias, ...extraFrom];
  shape.readQueries.push(selectFrom(values, from, sig.slice(whereAt + 1)));
}

function deleteShape(shape: StatementShape): void {
  const { sig } = shape;
  shape.type = 'DELETE';
  const target = readPath(sig, isWord(sig[1], 'FROM') ? 2 : 1);
  shape.dmlTarget = target.path;
  const { alias, next } = readAlias(sig, target.next, ['WHERE']);
  const where = isWord(sig[next], 'WHERE') ? sig.slice(next + 1) : [];
  shape.readQueries.push(selectFrom([], [...pathTokens(target.path), ...alias], where));
}

function truncateShape(shape: StatementShape): void {
  const { sig } = shape;
  if (!isWord(sig[1], 'TABLE')) throw invalidQuery('Syntax error: Expected keyword TABLE');
  shape.type = 'TRUNCATE_TABLE';
  shape.dmlTarget = readPath(sig, 2).path;
}

/** `MERGE [INTO] t [AS a] USING s [AS b] ON cond WHEN ...`: reads target and source, plus WHEN expressions. */
function mergeShape(shape: StatementShape): void {
  const { sig } = shape;
  shape.type = 'MERGE';
  const target = readPath(sig, isWord(sig[1], 'INTO') ? 2 : 1);
  shape.dmlTarget = target.path;
  const targetAlias = readAlias(sig, target.next, ['USING']);
  let k = targetAlias.next;
  if (!isWord(sig[k], 'USING')) throw invalidQuery('Syntax error: Expected keyword USING');
  k++;
  const sourceEnd = isOp(sig[k], '(') ? matchingParen(sig, k) + 1 : readPath(sig, k).next;
  const source = sig.slice(k, sourceEnd);
  const sourceAlias = readAlias(sig, sourceEnd, ['ON']);
  k = sourceAlias.next;
  if (!isWord(sig[k], 'ON')) throw invalidQuery('Syntax error: Expected keyword ON');
  const whenAt = findTopLevel(sig, k + 1, (t) => isWord(t, 'WHEN'));
  const on = sig.slice(k + 1, whenAt);
  const from = [
    ...pathTokens(target.path),
    ...targetAlias.alias,
    KW('JOIN'),
    ...source,
    ...sourceAlias.alias,
    KW('ON'),
    ...on,
  ];
  shape.readQueries.push(selectFrom(whenExpressions(sig.slice(whenAt)), from));
}

/** Expressions inside MERGE's WHEN clauses: extra conditions, SET values and INSERT values. */
function whenExpressions(clauses: readonly Token[]): Token[][] {
  const expressions: Token[][] = [];
  let start = 0;
  while (start < clauses.length) {
    const end = findTopLevel(clauses, start + 1, (t) => isWord(t, 'WHEN'));
    const clause = clauses.slice(start, end);
    const thenAt = findTopLevel(clause, 0, (t) => isWord(t, 'THEN'));
    const andAt = findTopLevel(clause.slice(0, thenAt), 0, (t) => isWord(t, 'AND'));
    if (andAt < thenAt) expressions.push(clause.slice(andAt + 1, thenAt));
    expressions.push(...actionExpressions(clause.slice(thenAt + 1)));
    start = end;
  }
  return expressions;
}

function actionExpressions(action: readonly Token[]): Token[][] {
  if (isWord(action[0], 'UPDATE') && isWord(action[1], 'SET')) return assignmentValues(action.slice(2));
  if (!isWord(action[0], 'INSERT')) return [];
  const valuesAt = action.findIndex((t) => isWord(t, 'VALUES'));
  if (valuesAt === -1 || !isOp(action[valuesAt + 1], '(')) return [];
  const close = matchingParen(action, valuesAt + 1);
  return splitTopLevel(action.slice(valuesAt + 2, close)).filter(
    (e) => !(e.length === 1 && isWord(e[0], 'DEFAULT')),
  );
}

/** Skips `[OR REPLACE] [TEMP|TEMPORARY]` after CREATE; returns the index of the object kind. */
function createModifiers(shape: StatementShape): number {
  const { sig } = shape;
  let k = 1;
  if (isWord(sig[k], 'OR') && isWord(sig[k + 1], 'REPLACE')) {
    shape.orReplace = true;
    k += 2;
  }
  if (isWord(sig[k], 'TEMP', 'TEMPORARY')) k++;
  return k;
}

/** Skips `IF [NOT] EXISTS` at `k`. */
function skipIfExists(shape: StatementShape, k: number): number {
  const { sig } = shape;
  if (!isWord(sig[k], 'IF')) return k;
  shape.ifExists = true;
  return isWord(sig[k + 1], 'NOT') ? k + 3 : k + 2;
}

/** Object kinds after CREATE/DROP/ALTER, longest first, with the statement-type suffix each maps to. */
const OBJECT_KINDS: [string[], string][] = [
  [['ALL', 'ROW', 'ACCESS', 'POLICIES'], 'ALL_ROW_ACCESS_POLICIES'],
  [['ROW', 'ACCESS', 'POLICY'], 'ROW_ACCESS_POLICY'],
  [['MATERIALIZED', 'VIEW'], 'MATERIALIZED_VIEW'],
  [['EXTERNAL', 'TABLE'], 'EXTERNAL_TABLE'],
  [['SNAPSHOT', 'TABLE'], 'SNAPSHOT_TABLE'],
  [['TABLE', 'FUNCTION'], 'TABLE_FUNCTION'],
  [['SEARCH', 'INDEX'], 'SEARCH_INDEX'],
  [['VECTOR', 'INDEX'], 'VECTOR_INDEX'],
  [['AGGREGATE', 'FUNCTION'], 'FUNCTION'],
  [['TABLE'], 'TABLE'],
  [['VIEW'], 'VIEW'],
  [['SCHEMA'], 'SCHEMA'],
  [['FUNCTION'], 'FUNCTION'],
  [['PROCEDURE'], 'PROCEDURE'],
  [['MODEL'], 'MODEL'],
];

function objectKind(sig: readonly Token[], k: number): { kind: string; next: number } {
  for (const [words, kind] of OBJECT_KINDS) {
    if (words.every((w, i) => isWord(sig[k + i], w))) return { kind, next: k + words.length };
  }
  throw invalidQuery(`Syntax error: Unexpected ${sig[k]?.text ?? 'end of statement'}`);
}

function createShape(shape: StatementShape): void {
  const { sig } = shape;
  const { kind, next } = objectKind(sig, createModifiers(shape));
  shape.type = `CREATE_${kind}` as StatementType;
  const name = readPath(sig, skipIfExists(shape, next));
  if (kind === 'SCHEMA') {
    shape.ddlTargetDataset = name.path;
    return;
  }
  if (kind === 'ROW_ACCESS_POLICY' || kind === 'SEARCH_INDEX' || kind === 'VECTOR_INDEX') {
    const onAt = findTopLevel(sig, name.next, (t) => isWord(t, 'ON'));
    if (onAt < sig.length) shape.ddlTarget = readPath(sig, onAt + 1).path;
    return;
  }
  if (
    kind === 'TABLE' ||
    kind === 'VIEW' ||
    kind === 'MATERIALIZED_VIEW' ||
    kind === 'SNAPSHOT_TABLE' ||
    kind === 'EXTERNAL_TABLE'
  ) {
    shape.ddlTarget = name.path;
  }
  if (kind === 'TABLE' && isOp(sig[name.next], '(')) shape.columnListAt = name.next;
  const source = findTopLevel(sig, name.next, (t) => isWord(t, 'LIKE', 'COPY', 'CLONE'));
  if (source < sig.length) shape.readTables.push(readPath(sig, source + 1).path);
  const asAt = findTopLevel(sig, name.next, (t) => isWord(t, 'AS'));
  if (asAt < sig.length && kind !== 'FUNCTION' && kind !== 'PROCEDURE' && kind !== 'MODEL') {
    shape.readQueries.push(spaced(sig.slice(asAt + 1)));
    if (kind === 'TABLE') shape.type = 'CREATE_TABLE_AS_SELECT';
  }
}

function dropShape(shape: StatementShape): void {
  const { sig } = shape;
  const { kind, next } = objectKind(sig, 1);
  shape.type = `DROP_${kind}` as StatementType;
  if (kind === 'ALL_ROW_ACCESS_POLICIES') {
    const onAt = findTopLevel(sig, next, (t) => isWord(t, 'ON'));
    if (onAt < sig.length) shape.ddlTarget = readPath(sig, onAt + 1).path;
    return;
  }
  const name = readPath(sig, skipIfExists(shape, next));
  if (kind === 'SCHEMA') shape.ddlTargetDataset = name.path;
  else if (kind.endsWith('TABLE') || kind.endsWith('VIEW')) shape.ddlTarget = name.path;
  else if (kind === 'ROW_ACCESS_POLICY' || kind === 'SEARCH_INDEX' || kind === 'VECTOR_INDEX') {
    const onAt = findTopLevel(sig, name.next, (t) => isWord(t, 'ON'));
    if (onAt < sig.length) shape.ddlTarget = readPath(sig, onAt + 1).path;
  }
}

function alterShape(shape: StatementShape): void {
  const { sig } = shape;
  const { kind, next } = objectKind(sig, 1);
  if (!['TABLE', 'VIEW', 'MATERIALIZED_VIEW', 'SCHEMA'].includes(kind)) {
    throw invalidQuery(`Syntax error: Unexpected ${sig[1]?.text ?? 'end of statement'}`);
  }
  shape.type = `ALTER_${kind}` as StatementType;
  const name = readPath(sig, skipIfExists(shape, next));
  if (kind === 'SCHEMA') shape.ddlTargetDataset = name.path;
  else shape.ddlTarget = name.path;
}

/** `ASSERT expr [AS 'message']`: reads the tables of the expression. */
function assertShape(shape: StatementShape): void {
  const { sig } = shape;
  shape.type = 'ASSERT';
  const asAt = findTopLevel(sig, 1, (t) => isWord(t, 'AS'));
  shape.readQueries.push(spaced([KW('SELECT'), ...sig.slice(1, asAt)]));
}

/** `EXPORT DATA OPTIONS(...) AS query`. */
function exportShape(shape: StatementShape): void {
  const { sig } = shape;
  if (!isWord(sig[1], 'DATA')) throw invalidQuery('Syntax error: Expected keyword DATA');
  shape.type = 'EXPORT_DATA';
  const asAt = findTopLevel(sig, 2, (t) => isWord(t, 'AS'));
  if (asAt < sig.length) shape.readQueries.push(spaced(sig.slice(asAt + 1)));
}
