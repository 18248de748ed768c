// Token-level scan of GoogleSQL: dangerous-construct flags and table names, robust to parser failures.

import { isOp, isWord, splitStatements, type Token, tokenize } from './sql-tokens.ts';

/** A dotted name as written, split into parts (backtick parts split at dots, dashed project ids joined). */
export interface NamePath {
  parts: string[];
  /** The first part was an unquoted dashed name (`demo-warden`) or any part was backtick quoted. */
  explicit: boolean;
}

/** Boolean flags the scan raises; see `SqlAnalysis.flags`. */
export interface ScanFlags {
  scripting: boolean;
  executeImmediate: boolean;
  exportData: boolean;
  externalQuery: boolean;
  temporaryFunction: boolean;
  remoteFunction: boolean;
  dml: boolean;
  ddl: boolean;
}

/** What the token scan finds, before names are resolved against defaults. */
export interface ScanResult {
  statementCount: number;
  lexErrors: string[];
  flags: ScanFlags;
  /** Names in table position (after FROM, JOIN, INTO, UPDATE, TABLE, …), correlated array paths excluded. */
  tablePaths: NamePath[];
  /** Names a project may be read from: routines, models, connections, quoted or dashed paths. */
  qualifiedPaths: NamePath[];
  /** Prefix parts before each INFORMATION_SCHEMA (e.g. ['demo-warden', 'clinical'] or ['region-us']). */
  informationSchemaScopes: string[][];
  /** Paths ending in `*` anywhere in the text. */
  wildcardPaths: NamePath[];
  /** `_TABLE_SUFFIX` is used. */
  tableSuffix: boolean;
  /** Project ids named in connection ids (`EXTERNAL_QUERY('p.us.conn', …)`). */
  connectionProjects: string[];
  /** SQL texts assembled from string literals that dynamic SQL may execute, to analyse in turn. */
  dynamicSql: string[];
  /** Statement texts, as split by the lexer. */
  statements: string[];
  /** Names defined as CTEs anywhere in the text, lower case. */
  cteNames: Set<string>;
}

/** GoogleSQL reserved keywords: never an alias or a table name when unquoted. */
export const RESERVED = new Set(
  (
    'ALL AND ANY ARRAY AS ASC ASSERT_ROWS_MODIFIED AT BETWEEN BY CASE CAST COLLATE CONTAINS CREATE CROSS CUBE ' +
    'CURRENT DEFAULT DEFINE DESC DISTINCT ELSE END ENUM ESCAPE EXCEPT EXCLUDE EXISTS EXTRACT FALSE FETCH ' +
    'FOLLOWING FOR FROM FULL GROUP GROUPING GROUPS HASH HAVING IF IGNORE IN INNER INTERSECT INTERVAL INTO IS ' +
    'JOIN LATERAL LEFT LIKE LIMIT LOOKUP MERGE NATURAL NEW NO NOT NULL NULLS OF ON OR ORDER OUTER OVER ' +
    'PARTITION PRECEDING PROTO QUALIFY RANGE RECURSIVE RESPECT RIGHT ROLLUP ROWS SELECT SET SOME STRUCT ' +
    'TABLESAMPLE THEN TO TREAT TRUE UNBOUNDED UNION UNNEST USING WHEN WHERE WINDOW WITH WITHIN'
  ).split(' '),
);

// Words that start a scripting statement.
const SCRIPT_STARTS = new Set(
  (
    'DECLARE SET BEGIN IF LOOP WHILE REPEAT FOR CALL RAISE RETURN BREAK LEAVE CONTINUE ITERATE END CASE ' +
    'EXECUTE COMMIT ROLLBACK EXCEPTION ELSE ELSEIF UNTIL DO THEN'
  ).split(' '),
);
// Words that end a FROM clause at the same parenthesis depth.
const FROM_CLAUSE_ENDS = new Set(
  'WHERE GROUP HAVING QUALIFY WINDOW ORDER LIMIT UNION INTERSECT EXCEPT SELECT VALUES OPTIONS'.split(' '),
);
// Words after which a table name follows (after optional IF [NOT] EXISTS / INTO / TABLE).
const TABLE_NAME_BEFORE = new Set(
  'INTO UPDATE TABLE MERGE DELETE INSERT TRUNCATE VIEW CLONE COPY'.split(' '),
);
// Words that can sit in table position without being a table.
const NOT_TABLE = new Set(
  'SET ROW VALUES FUNCTION SELECT WITH AS UNNEST WHEN DATA MODEL OPTIONS FILES OVERWRITE'.split(' '),
);
const DML = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'TRUNCATE']);
const DDL = new Set(['CREATE', 'ALTER', 'DROP', 'UNDROP', 'GRANT', 'REVOKE', 'RENAME']);
// Generative / remote-model functions under ML. that send rows to a remote service.
const REMOTE_ML = /^(GENERATE_|UNDERSTAND_TEXT|TRANSLATE|PROCESS_DOCUMENT|TRANSCRIBE|ANNOTATE_IMAGE)/;
const MAX_DYNAMIC = 64;

/** Scans GoogleSQL text token by token; never throws. */
export function scanSql(sql: string): ScanResult {
  const lexed = tokenize(sql);
  const tokens = lexed.tokens.filter((t) => t.kind !== 'other');
  const statements = splitStatements(tokens);
  const out: ScanResult = {
    statementCount: statements.length,
    lexErrors: lexed.errors,
    flags: {
      scripting: false,
      executeImmediate: false,
      exportData: false,
      externalQuery: false,
      temporaryFunction: false,
      remoteFunction: false,
      dml: false,
      ddl: false,
    },
    tablePaths: [],
    qualifiedPaths: [],
    informationSchemaScopes: [],
    wildcardPaths: [],
    tableSuffix: false,
    connectionProjects: [],
    dynamicSql: [],
    statements: statements.map((s) => sql.slice(s[0]?.start ?? 0, s[s.length - 1]?.end ?? 0)),
    cteNames: new Set(),
  };
  const aliases = new Set<string>();
  const ctes = out.cteNames;
  const tableCandidates: NamePath[] = [];
  for (const st of statements) scanStatement(st, out, aliases, ctes, tableCandidates);
  // A one-part name that is a CTE, or a path that starts with a range variable, is not a table.
  for (const p of tableCandidates) {
    const head = (p.parts[0] ?? '').toLowerCase();
    if (p.parts.length === 1 && ctes.has(head)) continue;
    if (p.parts.length > 1 && !p.explicit && aliases.has(head)) continue;
    out.tablePaths.push(p);
  }
  if (out.flags.executeImmediate) addLiteralSources(statements, out);
  out.dynamicSql = [...new Set(out.dynamicSql)].slice(0, MAX_DYNAMIC);
  return out;
}

/** A path read at `i`: its parts and the index of the first token after it. */
interface ReadPath {
  path: NamePath;
  end: number;
}

/**
 * Reads a dotted name starting at token `i` (a word or quoted identifier), else undefined. With
 * `unquotedStar`, a `*` right after an unquoted last part joins it (`clinical.pat*`, table position only).
 */
export function readPath(ts: readonly Token[], i: number, unquotedStar = false): ReadPath | undefined {
  const first = ts[i];
  if (first === undefined || (first.kind !== 'word' && first.kind !== 'quoted')) return undefined;
  const parts: string[] = [];
  let explicit = first.kind === 'quoted';
  let j = i + 1;
  if (first.kind === 'word') {
    // Unquoted project ids may contain dashes in table names: demo-warden.clinical.patients.
    let head = first.text;
    let last = first;
    while (isOp(ts[j], '-') && ts[j]?.start === last.end) {
      const after = ts[j + 1];
      if (
        after === undefined ||
        after.start !== ts[j]?.end ||
        (after.kind !== 'word' && after.kind !== 'number')
      )
        break;
      head += `-${after.text}`;
      explicit = true;
      last = after;
      j += 2;
    }
    parts.push(head);
  } else parts.push(...first.value.split('.'));
  while (isOp(ts[j], '.')) {
    const after = ts[j + 1];
    if (after === undefined) break;
    if (after.kind === 'word' || after.kind === 'number') parts.push(after.text);
    else if (after.kind === 'quoted') {
      parts.push(...after.value.split('.'));
      explicit = true;
    } else break;
    j += 2;
  }
  // `clinical.pat*` unquoted is invalid GoogleSQL, but is read as the wildcard it tries to be.
  const star = ts[j];
  const prev = ts[j - 1];
  if (
    unquotedStar &&
    isOp(star, '*') &&
    prev !== undefined &&
    star?.start === prev.end &&
    prev.kind !== 'quoted'
  ) {
    parts[parts.length - 1] += '*';
    j++;
  }
  return { path: { parts: parts.filter((p) => p !== ''), explicit }, end: j };
}

function scanStatement(
  ts: readonly Token[],
  out: ScanResult,
  aliases: Set<string>,
  ctes: Set<string>,
  tables: NamePath[],
): void {
  const f = out.flags;
  const match = matchParens(ts);
  // Statement start, after an optional `label:`.
  const s0 = isOp(ts[1], ':') && (ts[0]?.kind === 'word' || ts[0]?.kind === 'quoted') ? 2 : 0;
  const startWord = ts[s0]?.kind === 'word' ? (ts[s0] as Token).text.toUpperCase() : '';
  if (SCRIPT_STARTS.has(startWord)) f.scripting = true;
  if (startWord === 'EXECUTE') f.executeImmediate = true;
  if (startWord === 'EXPORT') f.exportData = true;
  if (startWord === 'LOAD') {
    f.dml = true;
    f.externalQuery = true;
  }
  const frames: { from: boolean; fn: string }[] = [{ from: false, fn: '' }];
  const sawMerge = ts.some((t) => isWord(t, 'MERGE'));
  const F = () => frames[frames.length - 1] as { from: boolean; fn: string };

  // Records the range variable `[AS] alias` at `k`, if any (`PIVOT (` and the like are no alias).
  const aliasAfter = (k: number) => {
    const as = isWord(ts[k], 'AS');
    const a = ts[as ? k + 1 : k];
    if (a?.kind === 'word' && (RESERVED.has(a.text.toUpperCase()) || (!as && isOp(ts[k + 1], '(')))) return;
    if (a?.kind === 'word' || a?.kind === 'quoted') aliases.add(a.value.toLowerCase());
  };
  // Index of the last token in table position (after FROM, JOIN, or a comma of a FROM clause).
  let fromItemAt = -1;
  const tableAt = (j: number, fromItem: boolean) => {
    if (fromItem) fromItemAt = j;
    while (isWord(ts[j], 'IF', 'NOT', 'EXISTS', 'INTO', 'TABLE', 'ONLY')) j++;
    const t = ts[j];
    if (t === undefined) return;
    if (isOp(t, '(')) {
      if (fromItem) aliasAfter((match.get(j) ?? ts.length) + 1);
      return;
    }
    if (t.kind === 'word') {
      const u = t.text.toUpperCase();
      if (u === 'UNNEST' && isOp(ts[j + 1], '(')) {
        const close = match.get(j + 1) ?? ts.length;
        aliasAfter(close + 1);
        if (isWord(ts[close + 1], 'WITH') && isWord(ts[close + 2], 'OFFSET')) aliasAfter(close + 3);
        return;
      }
      if (RESERVED.has(u) || NOT_TABLE.has(u)) return;
    }
    const r = readPath(ts, j, true);
    if (r === undefined) return;
    if (fromItem && isOp(ts[r.end], '(')) {
      out.qualifiedPaths.push(r.path); // a table-valued function
      aliasAfter((match.get(r.end) ?? ts.length) + 1);
      return;
    }
    tables.push(r.path);
    if (fromItem || isWord(ts[j - 1], 'MERGE', 'UPDATE', 'DELETE', 'INTO', 'USING')) aliasAfter(r.end);
  };

  for (let i = 0; i < ts.length; i++) {
    const t = ts[i] as Token;
    const prev = ts[i - 1];
    const next = ts[i + 1];
    if (t.kind === 'op') {
      if (t.text === '(') {
        // `FROM (a JOIN b ON …)`: a parenthesised join is a FROM clause of its own.
        const joinGroup = fromItemAt === i && !isWord(next, 'SELECT', 'WITH') && !isOp(next, '(');
        frames.push({ from: joinGroup, fn: prev?.kind === 'word' ? prev.text.toUpperCase() : '' });
        if (joinGroup) tableAt(i + 1, true);
      } else if (t.text === ')') {
        if (frames.length > 1) frames.pop();
      } else if (t.text === ',' && F().from) tableAt(i + 1, true);
      continue;
    }
    if (t.kind === 'string') continue;
    // Names: paths, INFORMATION_SCHEMA, wildcards, qualified names.
    // A path starts here unless a dot or a dash (`region-us`) joins the token to the one before.
    const joined = isOp(prev, '.') || (isOp(prev, '-') && prev?.end === t.start);
    if ((t.kind === 'word' || t.kind === 'quoted') && !joined) notePath(ts, i, out);
    if (t.kind !== 'word') continue;

    const u = t.text.toUpperCase();
    const inPath = isOp(prev, '.') || isOp(next, '.');
    const nextU = next?.kind === 'word' ? next.text.toUpperCase() : '';
    // --- table positions
    if (u === 'FROM' && F().fn !== 'EXTRACT' && !isWord(prev, 'DISTINCT')) {
      F().from = true;
      if (isWord(next, 'FILES')) f.externalQuery = true;
      tableAt(i + 1, true);
    } else if (u === 'JOIN') {
      F().from = true;
      tableAt(i + 1, true);
    } else if (FROM_CLAUSE_ENDS.has(u)) F().from = false;
    const namesTable =
      TABLE_NAME_BEFORE.has(u) ||
      (u === 'USING' && sawMerge && !isOp(next, '(')) ||
      (u === 'LIKE' && startWord === 'CREATE'); // CREATE TABLE t LIKE source
    if (!inPath && namesTable) {
      if (!(u === 'INSERT' && nextU === 'ROW')) tableAt(i + 1, false);
    }
    if (u === 'WITH' && !inPath) {
      let j = i + 1;
      if (isWord(ts[j], 'RECURSIVE')) j++;
      while (
        (ts[j]?.kind === 'word' || ts[j]?.kind === 'quoted') &&
        isWord(ts[j + 1], 'AS') &&
        isOp(ts[j + 2], '(')
      ) {
        ctes.add((ts[j] as Token).value.toLowerCase());
        j = (match.get(j + 2) ?? ts.length) + 1;
        if (!isOp(ts[j], ',')) break;
        j++;
      }
    }
    // --- flags
    // Part of a dashed name (`my-update-proj`, `a-delete`): a name, not a keyword.
    const dashed = dashJoined(ts, i - 1, -1) || dashJoined(ts, i + 1, 1);
    if (inPath || dashed) {
      if (isOp(prev, '.') && (u === 'EXTERNAL_QUERY' || u === 'EXTERNAL_OBJECT_TRANSFORM'))
        f.externalQuery = true;
      if (u === '_TABLE_SUFFIX') out.tableSuffix = true;
      continue;
    }
    if (u === 'DECLARE' || u === 'BEGIN' || u === 'ELSEIF') f.scripting = true;
    if (u === 'CALL' && (next?.kind === 'word' || next?.kind === 'quoted') && !RESERVED.has(nextU))
      f.scripting = true;
    if (u === 'END' && ['IF', 'LOOP', 'WHILE', 'REPEAT', 'FOR'].includes(nextU)) f.scripting = true;
    if (u === 'EXCEPTION' && nextU === 'WHEN') f.scripting = true;
    if (u === 'PROCEDURE' && isWord(prev, 'CREATE', 'REPLACE', 'EXISTS')) f.scripting = true;
    if (u === 'EXECUTE' && nextU === 'IMMEDIATE') {
      f.executeImmediate = true;
      f.scripting = true;
      if (out.dynamicSql.length < MAX_DYNAMIC) out.dynamicSql.push(dynamicText(ts, i + 2));
    }
    if (u === 'EXPORT' && (nextU === 'DATA' || nextU === 'MODEL')) f.exportData = true;
    if (u === 'EXTERNAL_QUERY' || u === 'EXTERNAL_OBJECT_TRANSFORM') {
      f.externalQuery = true;
      noteConnection(ts, i, out);
    }
    if (u === 'EXTERNAL' || (u === 'CONNECTION' && isWord(prev, 'WITH'))) f.externalQuery = true;
    if (u === 'LOAD' && nextU === 'DATA') {
      f.externalQuery = true;
      f.dml = true;
    }
    if ((u === 'TEMP' || u === 'TEMPORARY') && tempFunction(ts, i + 1)) f.temporaryFunction = true;
    if (u === 'REMOTE' && nextU === 'WITH') f.remoteFunction = true;
    if (u === 'LANGUAGE' && next !== undefined && next.kind !== 'op' && next.value.toUpperCase() !== 'SQL')
      f.remoteFunction = true;
    if (u === '_TABLE_SUFFIX') out.tableSuffix = true;
    if (!isOp(next, '(')) {
      if (DML.has(u)) f.dml = true;
      if (DDL.has(u)) f.ddl = true;
    }
  }
}

/** Token `d` is a `-` glued (no space) to the word at `d - dir` and to a word or number at `d + dir`. */
function dashJoined(ts: readonly Token[], d: number, dir: 1 | -1): boolean {
  const dash = ts[d];
  const here = ts[d - dir];
  const there = ts[d + dir];
  if (!isOp(dash, '-') || here === undefined || there === undefined || dash === undefined) return false;
  const glued =
    dir === 1
      ? here.end === dash.start && dash.end === there.start
      : there.end === dash.start && dash.end === here.start;
  return glued && (there.kind === 'word' || there.kind === 'number');
}

/** Records INFORMATION_SCHEMA scopes, wildcards, and names that can name a project, for the path at `i`. */
function notePath(ts: readonly Token[], i: number, out: ScanResult): void {
  const r = readPath(ts, i);
  if (r === undefined) return;
  const { parts } = r.path;
  const is = parts.findIndex((p) => p.toUpperCase() === 'INFORMATION_SCHEMA');
  if (is >= 0) out.informationSchemaScopes.push(parts.slice(0, is));
  const last = parts[parts.length - 1] ?? '';
  if (last.endsWith('*')) out.wildcardPaths.push(r.path);
  const upperLast = last.toUpperCase();
  if (upperLast === 'EXTERNAL_QUERY' || upperLast === 'EXTERNAL_OBJECT_TRANSFORM')
    out.flags.externalQuery = true;
  if (upperLast === '_TABLE_SUFFIX') out.tableSuffix = true;
  const call = isOp(ts[r.end], '(');
  const head = (parts[0] ?? '').toUpperCase();
  if (call && (head === 'AI' || (head === 'ML' && REMOTE_ML.test(parts[1]?.toUpperCase() ?? ''))))
    out.flags.remoteFunction = true;
  const keyword = isWord(ts[i - 1], 'MODEL', 'CONNECTION', 'CALL', 'FUNCTION', 'PROCEDURE', 'VIEW', 'TABLE');
  if (r.path.explicit || call || keyword) out.qualifiedPaths.push(r.path);
}

/** After EXTERNAL_QUERY(: the connection id literal `project.location.connection` names a project. */
function noteConnection(ts: readonly Token[], i: number, out: ScanResult): void {
  const lit = ts[i + 2];
  if (!isOp(ts[i + 1], '(') || lit?.kind !== 'string') return;
  const parts = lit.value.split('.');
  if (parts.length >= 3 && parts[0]) out.connectionProjects.push(parts[0]);
  // projects/p/locations/l/connections/c
  const m = /^projects\/([^/]+)\//.exec(lit.value);
  if (m?.[1]) out.connectionProjects.push(m[1]);
}

/** TEMP [TABLE | AGGREGATE] FUNCTION at `j`. */
function tempFunction(ts: readonly Token[], j: number): boolean {
  if (isWord(ts[j], 'TABLE', 'AGGREGATE')) j++;
  return isWord(ts[j], 'FUNCTION');
}

/** The SQL an EXECUTE IMMEDIATE runs, assembled from its string literals (others become a space). */
function dynamicText(ts: readonly Token[], j: number): string {
  let text = '';
  let depth = 0;
  let gap = false;
  for (; j < ts.length; j++) {
    const t = ts[j] as Token;
    if (depth === 0 && isWord(t, 'INTO', 'USING')) break;
    if (isOp(t, '(')) depth++;
    else if (isOp(t, ')')) depth--;
    if (t.kind === 'string') {
      text += (gap ? ' ' : '') + t.value;
      gap = false;
    } else if (!(t.kind === 'op' && (t.text === '||' || t.text === ',' || t.text === '(' || t.text === ')')))
      if (!isWord(t, 'CONCAT')) gap = true;
  }
  return text;
}

/** When dynamic SQL runs, every literal may be (part of) the SQL: each one, and each statement's joined. */
function addLiteralSources(statements: readonly Token[][], out: ScanResult): void {
  for (const st of statements) {
    const lits = st.filter((t) => t.kind === 'string').map((t) => t.value);
    out.dynamicSql.push(lits.join(''), ...lits.slice(0, MAX_DYNAMIC));
  }
}

/** Index of the matching `)` for each `(` (unbalanced ones are left out). */
function matchParens(ts: readonly Token[]): Map<number, number> {
  const m = new Map<number, number>();
  const stack: number[] = [];
  ts.forEach((t, i) => {
    if (isOp(t, '(')) stack.push(i);
    else if (isOp(t, ')')) {
      const open = stack.pop();
      if (open !== undefined) m.set(open, i);
    }
  });
  return m;
}
