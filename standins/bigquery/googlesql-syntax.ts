// GoogleSQL strictness at the token level: refuses DuckDB-only syntax, with BigQuery's error messages, before translation.

import { invalidQuery } from './errors.ts';
import { functionSupport } from './googlesql-functions.ts';
import type { Token } from './sql-lexer.ts';
import { isOp, isWord, position } from './sql-lexer.ts';

/** GoogleSQL's reserved keywords (BigQuery's lexical structure reference). */
const RESERVED_KEYWORDS = new Set([
  'ALL',
  'AND',
  'ANY',
  'ARRAY',
  'AS',
  'ASC',
  'ASSERT_ROWS_MODIFIED',
  'AT',
  'BETWEEN',
  'BY',
  'CASE',
  'CAST',
  'COLLATE',
  'CONTAINS',
  'CREATE',
  'CROSS',
  'CUBE',
  'CURRENT',
  'DEFAULT',
  'DEFINE',
  'DESC',
  'DISTINCT',
  'ELSE',
  'END',
  'ENUM',
  'ESCAPE',
  'EXCEPT',
  'EXCLUDE',
  'EXISTS',
  'EXTRACT',
  'FALSE',
  'FETCH',
  'FOLLOWING',
  'FOR',
  'FROM',
  'FULL',
  'GROUP',
  'GROUPING',
  'GROUPS',
  'HASH',
  'HAVING',
  'IF',
  'IGNORE',
  'IN',
  'INNER',
  'INTERSECT',
  'INTERVAL',
  'INTO',
  'IS',
  'JOIN',
  'LATERAL',
  'LEFT',
  'LIKE',
  'LIMIT',
  'LOOKUP',
  'MERGE',
  'NATURAL',
  'NEW',
  'NO',
  'NOT',
  'NULL',
  'NULLS',
  'OF',
  'ON',
  'OR',
  'ORDER',
  'OUTER',
  'OVER',
  'PARTITION',
  'PRECEDING',
  'PROTO',
  'QUALIFY',
  'RANGE',
  'RECURSIVE',
  'RESPECT',
  'RIGHT',
  'ROLLUP',
  'ROWS',
  'SELECT',
  'SET',
  'SOME',
  'STRUCT',
  'TABLESAMPLE',
  'THEN',
  'TO',
  'TREAT',
  'TRUE',
  'UNBOUNDED',
  'UNION',
  'UNNEST',
  'USING',
  'WHEN',
  'WHERE',
  'WINDOW',
  'WITH',
  'WITHIN',
]);

/** Punctuation GoogleSQL has (`:` only for script labels); anything else the lexer yields is refused. */
const GOOGLESQL_OPS = new Set([
  '(',
  ')',
  '[',
  ']',
  ',',
  '.',
  ';',
  '+',
  '-',
  '*',
  '/',
  '=',
  '<',
  '>',
  '&',
  '|',
  '^',
  '~',
  '<=',
  '>=',
  '<>',
  '!=',
  '||',
  '<<',
  '>>',
  '=>',
  ':',
]);

/** Words that set the clause of their nesting level (for FROM positions and alias checks). */
const CLAUSE_WORDS = new Set([
  'SELECT',
  'WHERE',
  'GROUP',
  'HAVING',
  'QUALIFY',
  'WINDOW',
  'ORDER',
  'LIMIT',
  'SET',
  'VALUES',
  'UNION',
  'INTERSECT',
]);

/** Reserved keywords that begin an operand (so `ILIKE NOT …` or `ILIKE CASE …` is still an operator use). */
const OPERAND_KEYWORDS = new Set([
  'ALL',
  'ANY',
  'ARRAY',
  'CASE',
  'CAST',
  'CURRENT',
  'EXISTS',
  'EXTRACT',
  'FALSE',
  'GROUPING',
  'IF',
  'INTERVAL',
  'LEFT',
  'NEW',
  'NOT',
  'NULL',
  'RIGHT',
  'SOME',
  'STRUCT',
  'TRUE',
]);

/** Non-reserved words that GoogleSQL puts directly before a string literal. */
const BEFORE_STRING = new Set([
  'DATE',
  'TIME',
  'DATETIME',
  'TIMESTAMP',
  'NUMERIC',
  'BIGNUMERIC',
  'DECIMAL',
  'BIGDECIMAL',
  'JSON',
  'FORMAT',
  'ZONE',
  'IMMEDIATE',
  'VALUE',
  'ASSERT',
]);

/** Non-reserved words followed by `(` that open a clause, not a function call. */
const NOT_CALLS = new Set([
  'VALUES',
  'INSERT',
  'OPTIONS',
  'PIVOT',
  'UNPIVOT',
  'SYSTEM',
  'SETS',
  'WHILE',
  'UNTIL',
  'ELSEIF',
  'ASSERT',
  'FILES',
  'KEY',
  'MATCH_RECOGNIZE',
  'PATTERN',
]);

/** Reserved keywords that GoogleSQL puts before a `(` that is not a call: `IN (`, `OVER (`, `AS (`, `JOIN (`. */
const KEYWORDS_BEFORE_PARENS = new Set([
  'ALL',
  'AND',
  'ANY',
  'AS',
  'AT',
  'BETWEEN',
  'BY',
  'CASE',
  'CROSS',
  'CUBE',
  'DEFAULT',
  'DISTINCT',
  'ELSE',
  'EXCEPT',
  'EXISTS',
  'FROM',
  'FULL',
  'GROUP',
  'HAVING',
  'IN',
  'INNER',
  'INTERSECT',
  'INTERVAL',
  'INTO',
  'IS',
  'JOIN',
  'LATERAL',
  'LIKE',
  'LIMIT',
  'NEW',
  'NOT',
  'OF',
  'ON',
  'OR',
  'OUTER',
  'OVER',
  'QUALIFY',
  'RECURSIVE',
  'ROLLUP',
  'SELECT',
  'SET',
  'SOME',
  'TABLESAMPLE',
  'THEN',
  'TO',
  'UNION',
  'UNNEST',
  'USING',
  'WHEN',
  'WHERE',
  'WINDOW',
  'WITH',
]);

/** Words before a name path whose `(` lists columns or parameters: `INSERT t (a)`, `CREATE FUNCTION f(x INT64)`. */
const NAME_BEFORE_LIST = new Set([
  'INSERT',
  'INTO',
  'CALL',
  'TABLE',
  'FUNCTION',
  'PROCEDURE',
  'VIEW',
  'EXISTS',
  'MODEL',
  'REFERENCES',
]);

/** Parameterized type names: `NUMERIC(10, 2)`, `STRING(20)`. */
const PARAMETERIZED_TYPES = new Set(['NUMERIC', 'BIGNUMERIC', 'DECIMAL', 'BIGDECIMAL', 'STRING', 'BYTES']);

const WEEKDAYS = new Set(['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY']);

const INTERVAL_PARTS = new Set([
  'YEAR',
  'QUARTER',
  'MONTH',
  'WEEK',
  'DAY',
  'HOUR',
  'MINUTE',
  'SECOND',
  'MILLISECOND',
  'MICROSECOND',
]);

/** DuckDB statements that can open a subquery: `(SUMMARIZE t)`, `(PIVOT t ON …)`. */
const DUCKDB_SUBQUERY_STATEMENTS = new Set(['SUMMARIZE', 'DESCRIBE', 'SHOW', 'PIVOT', 'UNPIVOT', 'PRAGMA']);

/** Words DuckDB reads as join types, which GoogleSQL reads as table aliases. */
const DUCKDB_JOIN_WORDS = new Set(['ANTI', 'SEMI', 'ASOF', 'POSITIONAL']);

const JOIN_TYPES = new Set(['LEFT', 'RIGHT', 'FULL', 'INNER', 'CROSS', 'OUTER']);

/** Names a script defines with CREATE [TEMP] FUNCTION, callable by its later statements. */
export interface ScriptScope {
  /** Upper-case function names (dotted for persistent ones). */
  functions: Set<string>;
}

/**
 * Throws BigQuery's `invalidQuery` for syntax GoogleSQL does not have but DuckDB would accept: DuckDB operators
 * and punctuation (`::`, `->`, `{}`, `%`, `==`, `**`, `//`, `&&`, `!`, `$`; `^`, which DuckDB reads as a power),
 * ILIKE, GLOB, SIMILAR TO, EXCLUDE, RENAME, `* LIKE`, aggregate FILTER / WITHIN GROUP, FROM-first queries and FROM
 * inside function calls, USING SAMPLE, TABLESAMPLE other than `SYSTEM (n PERCENT)`, LIMIT … PERCENT, OFFSET without
 * LIMIT, FETCH, DISTINCT ON, ORDER BY ALL, a set operation without ALL/DISTINCT, VALUES outside INSERT/MERGE, list
 * comprehensions, UNNEST outside FROM/IN, NATURAL and LEFT SEMI/ANTI/ASOF joins, RETURNING, ON CONFLICT, INSERT BY
 * NAME, `COLLATE name`, string literals as table names or aliases, DuckDB typed/escape strings (`E'…'`,
 * `VARCHAR 'x'`), intervals without a GoogleSQL date part, and calls to functions GoogleSQL does not have.
 * `sig` are one statement's significant tokens; `sql` is the text their offsets point into.
 */
export function assertGoogleSqlSyntax(sig: readonly Token[], sql: string, scope: ScriptScope): void {
  new SyntaxChecker(sig, sql, scope).run();
}

interface Level {
  /** The clause word last seen at this nesting level. */
  clause: string;
  /** `(` or `[`. */
  open: string;
  /** Upper-case word before the `(` (a function name or keyword), or ''. */
  before: string;
}

class SyntaxChecker {
  readonly sig: readonly Token[];
  readonly sql: string;
  readonly scope: ScriptScope;
  readonly levels: Level[] = [{ clause: '', open: '', before: '' }];
  readonly first: string;
  i = 0;

  constructor(sig: readonly Token[], sql: string, scope: ScriptScope) {
    this.sig = sig;
    this.sql = sql;
    this.scope = scope;
    this.first = sig[0]?.kind === 'word' ? sig[0].value.toUpperCase() : '';
  }

  run(): void {
    for (this.i = 0; this.i < this.sig.length; this.i++) {
      const t = this.sig[this.i] as Token;
      if (t.kind === 'op') this.op(t);
      else if (t.kind === 'word') this.word(t, t.value.toUpperCase());
      else if (t.kind === 'quoted') this.quoted(t);
      else if ((t.kind === 'string' || t.kind === 'bytes') && this.inFromPosition(this.i))
        throw this.unexpected(t);
    }
  }

  private at(offset: number): Token | undefined {
    return this.sig[this.i + offset];
  }

  private get level(): Level {
    return this.levels[this.levels.length - 1] as Level;
  }

  private unexpected(t: Token | undefined, text?: string): Error {
    return invalidQuery(`Syntax error: Unexpected ${this.describe(t, text)}${this.where(t)}`);
  }

  private describe(t: Token | undefined, text?: string): string {
    if (!t) return 'end of input';
    if (text) return `"${text}"`;
    if (t.kind === 'word') return `keyword ${t.text.toUpperCase()}`;
    if (t.kind === 'string' || t.kind === 'bytes') return `string literal ${t.text}`;
    if (t.kind === 'number') return `number ${t.text}`;
    if (t.kind === 'quoted') return `identifier ${t.text}`;
    return `"${t.text}"`;
  }

  private where(t: Token | undefined): string {
    return t && t.start >= 0 ? ` at ${position(this.sql, t.start)}` : '';
  }

  private op(t: Token): void {
    const previous = this.at(-1);
    const next = this.at(1);
    if (!GOOGLESQL_OPS.has(t.text)) throw this.unexpected(t);
    switch (t.text) {
      case ':':
        if (!this.isLabel()) throw this.unexpected(t, isOp(next, ':') ? '::' : ':');
        return;
      case '=':
      case '*':
      case '/':
      case '&':
      case '|':
        // `==`, `**`, `//`, `&&`: GoogleSQL never has these operators twice in a row.
        if (isOp(previous, t.text)) throw this.unexpected(t);
        if (t.text === '*' && isWord(next, 'LIKE', 'ILIKE', 'GLOB', 'SIMILAR', 'NOT', 'RENAME')) {
          throw this.unexpected(next);
        }
        return;
      case '~':
        if (endsOperand(previous)) throw this.unexpected(t);
        return;
      case '^':
        // GoogleSQL's bitwise XOR is DuckDB's power operator: refused rather than answered wrongly.
        throw invalidQuery(
          `The ^ operator (bitwise XOR) is not supported by the local BigQuery stand-in${this.where(t)}`,
        );
      case '(':
        if (next?.kind === 'word' && DUCKDB_SUBQUERY_STATEMENTS.has(next.value.toUpperCase())) {
          const after = this.at(2);
          if (after?.kind === 'word' || after?.kind === 'quoted') throw this.unexpected(next);
        }
        this.levels.push({
          clause: '',
          open: '(',
          before: previous?.kind === 'word' ? previous.value.toUpperCase() : '',
        });
        return;
      case '[':
        this.levels.push({ clause: '', open: '[', before: '' });
        return;
      case ')':
      case ']':
        if (this.levels.length > 1) this.levels.pop();
        return;
      default:
        return;
    }
  }

  private isDml(): boolean {
    return ['INSERT', 'UPDATE', 'DELETE', 'MERGE'].includes(this.first);
  }

  /** `label: LOOP|WHILE|FOR|REPEAT|BEGIN` at the start of a script statement. */
  private isLabel(): boolean {
    return (
      this.i === 1 &&
      this.sig[0]?.kind === 'word' &&
      isWord(this.at(1), 'LOOP', 'WHILE', 'FOR', 'REPEAT', 'BEGIN')
    );
  }

  private word(t: Token, upper: string): void {
    const previous = this.at(-1);
    const next = this.at(1);
    this.keyword(t, upper, previous, next);
    if (CLAUSE_WORDS.has(upper) || upper === 'JOIN') this.level.clause = upper === 'JOIN' ? 'FROM' : upper;
    if (upper === 'EXCEPT' && !isOp(previous, '*')) this.level.clause = 'UNION';
    if (
      (next?.kind === 'string' || next?.kind === 'bytes') &&
      !RESERVED_KEYWORDS.has(upper) &&
      !BEFORE_STRING.has(upper)
    ) {
      throw this.unexpected(next);
    }
    if (isOp(next, '(')) this.call(t, upper);
  }

  /** The keyword rules; each throws for a DuckDB-only use of `upper`. */
  private keyword(t: Token, upper: string, previous: Token | undefined, next: Token | undefined): void {
    switch (upper) {
      case 'ILIKE':
      case 'GLOB':
        if (startsOperand(next)) throw this.unexpected(t);
        return;
      case 'SIMILAR':
        if (isWord(next, 'TO')) throw this.unexpected(t);
        return;
      case 'NATURAL':
      case 'EXCLUDE':
      case 'FETCH':
        throw this.unexpected(t);
      case 'OFFSET':
        // `LIMIT n OFFSET m` only; DuckDB also takes a bare `OFFSET m`.
        if (isValue(next) && this.level.clause !== 'LIMIT') throw this.unexpected(t);
        return;
      case 'RETURNING':
        if (this.isDml() && this.levels.length === 1 && !isWord(next, 'WHERE', 'SET'))
          throw this.unexpected(t);
        return;
      case 'CONFLICT':
        if (isWord(previous, 'ON') && this.isDml()) throw this.unexpected(t);
        return;
      case 'BY':
        if (this.first === 'INSERT' && this.levels.length === 1 && isWord(next, 'NAME', 'POSITION')) {
          throw this.unexpected(t);
        }
        return;
      case 'COLLATE':
        // GoogleSQL collates with a string ('und:ci'); DuckDB with a name (NOCASE).
        if (next?.kind === 'word' || next?.kind === 'quoted') throw this.unexpected(next);
        return;
      case 'LOAD':
        if (this.i === 0 && !isWord(next, 'DATA')) throw this.unexpected(next);
        return;
      case 'RENAME':
        if (isOp(next, '(')) throw this.unexpected(t);
        return;
      case 'FILTER':
        if (isOp(previous, ')') && isOp(next, '(')) throw this.unexpected(t);
        return;
      case 'WITHIN':
        if (isOp(previous, ')') && isWord(next, 'GROUP')) throw this.unexpected(t);
        return;
      case 'FROM':
        this.from(t, previous);
        return;
      case 'SAMPLE':
        if (
          isWord(previous, 'USING') &&
          (next?.kind === 'number' || next?.kind === 'param' || isOp(next, '('))
        ) {
          throw this.unexpected(t);
        }
        if (isWord(previous, 'USING') && next?.kind === 'word' && isOp(this.at(2), '('))
          throw this.unexpected(t);
        return;
      case 'TABLESAMPLE':
        this.tablesample();
        return;
      case 'LIMIT':
        if (isWord(this.at(2), 'PERCENT')) throw this.unexpected(this.at(2));
        return;
      case 'DISTINCT':
        if (isWord(next, 'ON')) throw this.unexpected(next);
        return;
      case 'ORDER':
        if (isWord(next, 'BY') && isWord(this.at(2), 'ALL')) throw this.unexpected(this.at(2));
        return;
      case 'UNION':
      case 'INTERSECT':
      case 'EXCEPT':
        if (upper === 'EXCEPT' && isOp(previous, '*')) return;
        if (!isWord(next, 'ALL', 'DISTINCT')) {
          throw invalidQuery(
            `Syntax error: Expected keyword ALL or keyword DISTINCT but got ${this.describe(next)}${this.where(next)}`,
          );
        }
        return;
      case 'VALUES':
        if (!(this.first === 'INSERT' || this.first === 'MERGE') || this.levels.length > 1)
          throw this.unexpected(t);
        return;
      case 'FOR':
        if (this.level.open === '[') throw this.unexpected(t);
        return;
      case 'UNNEST':
        if (isOp(next, '(') && !isWord(previous, 'IN') && !this.inFromPosition(this.i))
          throw this.unexpected(t);
        return;
      case 'INTERVAL':
        this.interval();
        return;
      case 'AS':
        if (
          (next?.kind === 'string' || next?.kind === 'bytes') &&
          ['SELECT', 'FROM'].includes(this.level.clause)
        ) {
          throw this.unexpected(next);
        }
        return;
      default:
        if (DUCKDB_JOIN_WORDS.has(upper) && this.isDuckDbJoin(previous, next)) throw this.unexpected(t);
    }
  }

  /**
   * `LEFT SEMI JOIN`, or `t x ASOF JOIN` (a table that already has its alias): DuckDB join types. Where GoogleSQL
   * can read the word as a table alias (`t semi JOIN u ON …`), it is one; the translator quotes it.
   */
  private isDuckDbJoin(previous: Token | undefined, next: Token | undefined): boolean {
    if (previous?.kind === 'word' && JOIN_TYPES.has(previous.value.toUpperCase())) return true;
    const joins = isWord(next, 'JOIN') || (next?.kind === 'word' && JOIN_TYPES.has(next.value.toUpperCase()));
    const previousIsName =
      previous?.kind === 'quoted' ||
      (previous?.kind === 'word' && !RESERVED_KEYWORDS.has(previous.value.toUpperCase()));
    if (!joins || !previousIsName) return false;
    const beforePrevious = this.at(-2);
    const previousIsAlias =
      isWord(beforePrevious, 'AS') ||
      isOp(beforePrevious, ')') ||
      beforePrevious?.kind === 'quoted' ||
      (beforePrevious?.kind === 'word' && !RESERVED_KEYWORDS.has(beforePrevious.value.toUpperCase()));
    return previousIsAlias;
  }

  /**
   * FROM starts a SELECT's FROM clause, `DELETE FROM`, `UPDATE … SET … FROM`, `REVOKE … FROM`, `LOAD DATA … FROM`,
   * `EXTRACT(part FROM x)` and `IS [NOT] DISTINCT FROM`. Anything else (`FROM t SELECT …`, `(FROM t)`,
   * `UNION ALL FROM t`, `SUBSTRING(x FROM 2)`) is DuckDB.
   */
  private from(t: Token, previous: Token | undefined): void {
    const level = this.level;
    if (isWord(previous, 'DISTINCT') && isWord(this.at(-2), 'IS', 'NOT')) return;
    if (level.before === 'EXTRACT' && level.open === '(') return;
    const topLevel = this.levels.length === 1;
    const query = level.clause === 'SELECT' || (level.clause === 'SET' && this.first === 'UPDATE');
    const statement =
      topLevel && (isWord(previous, 'DELETE') || this.first === 'REVOKE' || this.first === 'LOAD');
    if (!query && !statement) throw this.unexpected(t);
    level.clause = 'FROM';
  }

  /** GoogleSQL's only TABLESAMPLE form is `TABLESAMPLE SYSTEM (n PERCENT)`. */
  private tablesample(): void {
    const expected: ((t: Token | undefined) => boolean)[] = [
      (t) => isWord(t, 'SYSTEM'),
      (t) => isOp(t, '('),
      (t) => t?.kind === 'number' || t?.kind === 'param' || t?.kind === 'positional',
      (t) => isWord(t, 'PERCENT'),
      (t) => isOp(t, ')'),
    ];
    expected.forEach((test, k) => {
      const t = this.at(k + 1);
      if (!test(t)) throw this.unexpected(t);
    });
  }

  /** `INTERVAL 1 DAY`, `INTERVAL '1:2' HOUR TO MINUTE`; DuckDB also takes `INTERVAL '1 day'` and `INTERVAL 2 DAYS`. */
  private interval(): void {
    const value = this.at(1);
    if (!value || !['string', 'number', 'param', 'positional'].includes(value.kind)) return;
    const part = this.at(2);
    if (part?.kind !== 'word' || !INTERVAL_PARTS.has(part.value.toUpperCase())) throw this.unexpected(part);
  }

  /** True when the token at `k` is a table in a FROM clause (after FROM, JOIN or a comma there). */
  private inFromPosition(k: number): boolean {
    const previous = this.sig[k - 1];
    return this.level.clause === 'FROM' && (isWord(previous, 'FROM', 'JOIN') || isOp(previous, ','));
  }

  /** A word followed by `(`: a function call unless it is a keyword, a type, a definition or a table function. */
  private call(t: Token, upper: string): void {
    if (isOp(this.at(-1), '.')) {
      this.pathCall();
      return;
    }
    const support = functionSupport(upper);
    if (RESERVED_KEYWORDS.has(upper) && support === 'unknown') {
      // `IN (`, `OVER (`, `AS (`…; a reserved word that is neither a clause nor a function (`HASH(`) is an error.
      if (KEYWORDS_BEFORE_PARENS.has(upper)) return;
      throw this.unexpected(t);
    }
    if (NOT_CALLS.has(upper)) return;
    if (PARAMETERIZED_TYPES.has(upper) && this.at(2)?.kind === 'number') return;
    if (
      upper === 'WEEK' &&
      this.at(2)?.kind === 'word' &&
      WEEKDAYS.has(String(this.at(2)?.value).toUpperCase())
    )
      return;
    if (this.definesName(this.i, [upper])) return;
    if (this.inFromPosition(this.i) || this.scope.functions.has(upper) || support === 'supported') return;
    throw this.functionError(t, t.value, support);
  }

  /** `a.b(...)`: a dotted built-in (`NET.HOST`, `SAFE.SUBSTR`), a UDF path, or DuckDB's method-call syntax. */
  private pathCall(): void {
    const parts = [String(this.sig[this.i]?.value)];
    let start = this.i;
    while (isOp(this.sig[start - 1], '.')) {
      const part = this.sig[start - 2];
      // `(expr).f()`, `'text'.upper()`, `list[1].f()`: DuckDB calls f on the expression; GoogleSQL has no such form.
      if (part?.kind !== 'word' && part?.kind !== 'quoted') throw this.unexpected(this.at(1));
      parts.unshift(...part.value.split('.'));
      start -= 2;
    }
    const name = parts.join('.').toUpperCase();
    if (this.definesName(start, parts) || this.inFromPosition(start) || this.scope.functions.has(name))
      return;
    throw this.functionError(this.sig[start] as Token, parts.join('.'), functionSupport(name));
  }

  /** A backticked name before `(`: a UDF (or a backticked built-in). */
  private quoted(t: Token): void {
    if (!isOp(this.at(1), '(')) return;
    const name = t.value.toUpperCase();
    if (this.definesName(this.i, t.value.split('.')) || this.inFromPosition(this.i)) return;
    const support = functionSupport(name);
    if (support === 'supported' || this.scope.functions.has(name)) return;
    throw this.functionError(t, t.value, support);
  }

  /**
   * True when the path ending at `k` names a table, routine or model whose `(` lists columns or parameters; a
   * CREATE FUNCTION name is remembered so that later statements of the script can call it.
   */
  private definesName(k: number, parts: readonly string[]): boolean {
    let start = k;
    while (isOp(this.sig[start - 1], '.')) start -= 2;
    const before = this.sig[start - 1];
    if (this.isIndexTarget(start)) return true;
    if (before?.kind !== 'word' || !NAME_BEFORE_LIST.has(before.value.toUpperCase())) return false;
    if (isWord(before, 'FUNCTION')) {
      this.scope.functions.add(parts.join('.').toUpperCase());
      this.scope.functions.add(String(parts[parts.length - 1]).toUpperCase());
    }
    return true;
  }

  /** `CREATE SEARCH|VECTOR INDEX i ON t(columns)`: the `(` after the table lists its columns. */
  private isIndexTarget(start: number): boolean {
    if (this.first !== 'CREATE' || this.levels.length > 1 || !isWord(this.sig[start - 1], 'ON')) return false;
    const header = this.sig.slice(0, start - 1);
    return header.some((t) => isWord(t, 'INDEX')) && !header.some((t) => isWord(t, 'SELECT'));
  }

  private functionError(t: Token, name: string, support: ReturnType<typeof functionSupport>): Error {
    if (support === 'unsupported') {
      return invalidQuery(
        `Function ${name.toUpperCase()} is not supported by the local BigQuery stand-in${this.where(t)}`,
      );
    }
    return invalidQuery(`Function not found: ${name}${this.where(t)}`);
  }
}

/** True when `t` is a literal or parameter. */
function isValue(t: Token | undefined): boolean {
  return ['number', 'string', 'bytes', 'param', 'positional'].includes(t?.kind ?? '');
}

/** True when `t` can end an operand: an identifier, literal, parameter, `)` or `]`. */
function endsOperand(t: Token | undefined): boolean {
  if (!t) return false;
  if (t.kind === 'word') {
    const upper = t.value.toUpperCase();
    return !RESERVED_KEYWORDS.has(upper) || ['TRUE', 'FALSE', 'NULL', 'END'].includes(upper);
  }
  if (t.kind === 'op') return t.text === ')' || t.text === ']';
  return t.kind !== 'space';
}

/** True when `t` can start an operand, so that the word before it is a binary operator. */
function startsOperand(t: Token | undefined): boolean {
  if (!t) return false;
  if (t.kind === 'word') {
    const upper = t.value.toUpperCase();
    return !RESERVED_KEYWORDS.has(upper) || OPERAND_KEYWORDS.has(upper);
  }
  if (t.kind === 'op') return ['(', '[', '-', '+', '~'].includes(t.text);
  return t.kind !== 'space';
}
