// GoogleSQL → DuckDB SQL for the forms the stand-in supports: identifiers, literals, parameters, types, UNNEST.

import { invalidQuery } from './errors.ts';
import { isRewrittenFunction, rewriteCall } from './sql-functions.ts';
import type { Token } from './sql-lexer.ts';
import { isOp, isWord, significant } from './sql-lexer.ts';
import { duckTypeOfGoogleSqlName, quoteIdent } from './types.ts';

/** How parameter tokens become SQL; returns the replacement text (e.g. `CAST($name AS BIGINT)`). */
export type ParameterResolver = (kind: 'named' | 'positional', nameOrIndex: string | number) => string;

/** Options for one statement's translation. */
export interface TranslateOptions {
  resolveParameter: ParameterResolver;
  /** Significant-token index of a CREATE TABLE column list's `(`, whose column types are translated. */
  columnListAt?: number;
  /** True for CREATE statements: drops BigQuery-only `OPTIONS(...)`, `PARTITION BY`, `CLUSTER BY` clauses. */
  ddl?: boolean;
}

/** Words GoogleSQL accepts before a string literal to type it (`DATE '2024-01-01'`). */
const TYPED_LITERALS = new Set([
  'DATE',
  'TIME',
  'DATETIME',
  'TIMESTAMP',
  'NUMERIC',
  'BIGNUMERIC',
  'BIGDECIMAL',
  'DECIMAL',
  'JSON',
]);

/** Words that start a clause; used to know when UNNEST sits in a FROM clause. */
const CLAUSE_WORDS = new Set([
  'SELECT',
  'FROM',
  'WHERE',
  'GROUP',
  'HAVING',
  'QUALIFY',
  'WINDOW',
  'ORDER',
  'LIMIT',
  'ON',
  'USING',
  'SET',
  'VALUES',
  'UNION',
  'INTERSECT',
]);

/** Words that cannot be a bare table alias after `UNNEST(...)`. */
const NOT_ALIAS = new Set([
  ...CLAUSE_WORDS,
  'AS',
  'WITH',
  'JOIN',
  'INNER',
  'LEFT',
  'RIGHT',
  'FULL',
  'CROSS',
  'EXCEPT',
  'LATERAL',
]);

/**
 * Words DuckDB reserves for its own syntax (`SEMI JOIN`, `ILIKE`, …) that are plain identifiers in GoogleSQL
 * (googlesql-syntax.ts refuses their DuckDB uses); quoted, so that `FROM t semi JOIN u ON …` joins a table aliased
 * `semi`, as in BigQuery.
 */
const DUCKDB_ONLY_KEYWORDS = new Set(['ANTI', 'SEMI', 'ASOF', 'POSITIONAL', 'ILIKE', 'GLOB', 'SIMILAR']);

/** GoogleSQL's current-time functions (with or without `()`) as DuckDB function calls in a UTC session. */
const CURRENT_FUNCTIONS: Record<string, string> = {
  CURRENT_TIMESTAMP: 'get_current_timestamp()',
  CURRENT_DATE: 'current_date()',
  CURRENT_DATETIME: 'CAST(get_current_timestamp() AS TIMESTAMP)',
  CURRENT_TIME: 'CAST(get_current_timestamp() AS TIME)',
};

type FrameKind = 'plain' | 'cast' | 'inUnnest' | 'unnestTable' | 'columns' | 'call';

/** A call being rewritten: where its name and `(` were emitted, and where its argument commas are. */
interface PendingCall {
  name: string;
  start: number;
  open: number;
  commas: number[];
}

interface Frame {
  kind: FrameKind;
  clause: string;
  call?: PendingCall;
}

/**
 * Translates one GoogleSQL statement (all its tokens, including whitespace) to DuckDB SQL:
 * backtick paths → quoted DuckDB identifiers (`a.b.c` → "a"."b"."c"); GoogleSQL string/bytes literals → DuckDB
 * literals; `@name`/`?` → the resolver's text; typed literals and CAST/SAFE_CAST target types (including
 * ARRAY<>/STRUCT<>) → DuckDB types; float literals → DOUBLE; `IN UNNEST(x)` → `IN (SELECT UNNEST(x))`;
 * `FROM UNNEST(x) AS v` → `UNNEST(x) AS v(v)`; `* EXCEPT(...)` → `* EXCLUDE(...)`; `CURRENT_*[()]` → DuckDB calls.
 */
export function translate(tokens: readonly Token[], options: TranslateOptions): string {
  return new Translator(tokens, options).run();
}

class Translator {
  readonly sig: Token[];
  readonly gaps: string[];
  readonly options: TranslateOptions;
  readonly out: string[] = [];
  readonly frames: Frame[] = [{ kind: 'plain', clause: '' }];
  positional = 0;
  k = 0;
  pendingFrame: FrameKind | undefined;
  pendingCall: { name: string; start: number } | undefined;
  expectColumnName = false;

  constructor(tokens: readonly Token[], options: TranslateOptions) {
    this.sig = significant(tokens);
    this.gaps = gapsBetween(tokens);
    this.options = options;
  }

  run(): string {
    while (this.k < this.sig.length) {
      if (this.k > 0) this.out.push(this.gaps[this.k] ?? '');
      this.step();
    }
    return this.out.join('').trim();
  }

  private get token(): Token {
    return this.sig[this.k] as Token;
  }

  private peek(offset = 1): Token | undefined {
    return this.sig[this.k + offset];
  }

  private get frame(): Frame {
    return this.frames[this.frames.length - 1] as Frame;
  }

  private emit(text: string, consumed = 1): void {
    this.out.push(text);
    this.k += consumed;
  }

  private step(): void {
    const t = this.token;
    if (this.frame.kind === 'columns' && this.expectColumnName && isColumnName(t)) this.columnDefinition();
    else if (t.kind === 'op') this.op(t);
    else if (t.kind === 'word') this.word(t);
    else this.emit(this.literalText(t));
  }

  /** Text for identifiers in backticks, literals and parameters. */
  private literalText(t: Token): string {
    switch (t.kind) {
      case 'quoted':
        return isWord(this.sig[this.k - 1], 'AS') ? quoteIdent(t.value) : quotePath(t.value);
      case 'string':
        return stringLiteral(t.value);
      case 'bytes':
        return bytesLiteral(t.value);
      case 'number':
        return /^[0-9.]*[.eE]/.test(t.text) && !/^0[xX]/.test(t.text) ? `CAST(${t.text} AS DOUBLE)` : t.text;
      case 'param':
        return this.options.resolveParameter('named', t.value);
      case 'positional':
        return this.options.resolveParameter('positional', this.positional++);
      default:
        throw invalidQuery(`System variable @@${t.value} is not supported by the local BigQuery stand-in`);
    }
  }

  private op(t: Token): void {
    if (t.text === '(') this.open();
    else if (t.text === ')') this.close();
    else {
      if (t.text === ',' && this.frame.kind === 'columns') this.expectColumnName = true;
      if (t.text === ',' && this.frame.call) this.frame.call.commas.push(this.out.length);
      this.emit(t.text);
    }
  }

  private open(): void {
    const kind = this.k === this.options.columnListAt ? 'columns' : (this.pendingFrame ?? 'plain');
    this.pendingFrame = undefined;
    const call =
      kind === 'call' && this.pendingCall
        ? { ...this.pendingCall, open: this.out.length, commas: [] }
        : undefined;
    this.pendingCall = undefined;
    this.frames.push({ kind, clause: '', ...(call ? { call } : {}) });
    if (kind === 'columns') this.expectColumnName = true;
    this.emit('(');
  }

  private close(): void {
    const frame = this.frames.length > 1 ? this.frames.pop() : undefined;
    this.expectColumnName = false;
    if (frame?.call) {
      this.finishCall(frame.call);
      return;
    }
    this.emit(frame?.kind === 'inUnnest' ? '))' : ')');
    if (frame?.kind === 'unnestTable') this.unnestAlias();
  }

  /** Replaces a rewritten call's emitted text (name through arguments) with its DuckDB form. */
  private finishCall(call: PendingCall): void {
    const bounds = [call.open, ...call.commas, this.out.length];
    const args = bounds.slice(1).map((end, i) =>
      this.out
        .slice((bounds[i] as number) + 1, end)
        .join('')
        .trim(),
    );
    const text = rewriteCall(call.name, args.length === 1 && args[0] === '' ? [] : args);
    this.out.splice(call.start);
    this.emit(text);
  }

  /** After `UNNEST(...)` in FROM: `[AS] alias` → `AS alias(alias)` so the alias names the column too. */
  private unnestAlias(): void {
    const first = this.sig[this.k];
    const hasAs = isWord(first, 'AS');
    const alias = hasAs ? this.sig[this.k + 1] : first;
    const isAlias =
      alias?.kind === 'quoted' || (alias?.kind === 'word' && !NOT_ALIAS.has(alias.value.toUpperCase()));
    if (isAlias && alias) {
      const name = quoteIdent(alias.value);
      this.out.push(` AS ${name}(${name})`);
      this.k += hasAs ? 2 : 1;
    }
    if (isWord(this.sig[this.k], 'WITH') && isWord(this.sig[this.k + 1], 'OFFSET')) {
      throw invalidQuery('UNNEST ... WITH OFFSET is not supported by the local BigQuery stand-in');
    }
  }

  private word(t: Token): void {
    const upper = t.value.toUpperCase();
    const next = this.peek();
    if (this.k === 0 && this.optionalKeyword(upper, next)) return;
    if (this.options.ddl && this.ddlClause(upper)) return;
    if (this.rewriteWord(upper, next)) return;
    if (DUCKDB_ONLY_KEYWORDS.has(upper)) {
      this.emit(quoteIdent(t.value));
      return;
    }
    if (upper === 'UNNEST' && isOp(next, '(') && this.inFromPosition()) this.pendingFrame = 'unnestTable';
    if (CLAUSE_WORDS.has(upper) || upper === 'JOIN') this.frame.clause = upper === 'JOIN' ? 'FROM' : upper;
    this.emit(t.text);
  }

  /** Typed literals, casts, `* EXCEPT`, `IN UNNEST` and current-time functions; true when handled. */
  private rewriteWord(upper: string, next: Token | undefined): boolean {
    const current = CURRENT_FUNCTIONS[upper];
    if (TYPED_LITERALS.has(upper) && next?.kind === 'string') {
      this.emit(`CAST(${stringLiteral(next.value)} AS ${duckTypeOfGoogleSqlName(upper) ?? upper})`, 2);
    } else if ((upper === 'CAST' || upper === 'SAFE_CAST') && isOp(next, '(')) {
      this.pendingFrame = 'cast';
      this.emit(upper === 'SAFE_CAST' ? 'TRY_CAST' : 'CAST');
    } else if (upper === 'AS' && this.frame.kind === 'cast') {
      this.emit('AS ');
      this.emitType();
    } else if (upper === 'EXCEPT' && isOp(this.sig[this.k - 1], '*')) {
      this.emit('EXCLUDE');
    } else if (upper === 'IN' && isWord(next, 'UNNEST') && isOp(this.peek(2), '(')) {
      this.pendingFrame = 'inUnnest';
      this.emit('IN (SELECT UNNEST', 2);
    } else if (isRewrittenFunction(upper) && isOp(next, '(') && !isOp(this.sig[this.k - 1], '.')) {
      this.pendingFrame = 'call';
      this.pendingCall = { name: upper, start: this.out.length };
      this.emit(upper);
    } else if (current && isOp(next, '(') && isOp(this.peek(2), ')')) {
      this.emit(current, 3);
    } else if (current && !isOp(next, '(')) {
      this.emit(current);
    } else {
      return false;
    }
    return true;
  }

  /** GoogleSQL's `INSERT t`, `MERGE t`, `DELETE t` omit the INTO/FROM that DuckDB requires. */
  private optionalKeyword(upper: string, next: Token | undefined): boolean {
    const required =
      upper === 'INSERT' || upper === 'MERGE' ? 'INTO' : upper === 'DELETE' ? 'FROM' : undefined;
    if (!required || isWord(next, required)) return false;
    this.emit(`${this.token.text} ${required}`);
    return true;
  }

  private inFromPosition(): boolean {
    const previous = this.sig[this.k - 1];
    return isWord(previous, 'FROM', 'JOIN') || (isOp(previous, ',') && this.frame.clause === 'FROM');
  }

  private emitType(): void {
    const parsed = parseType(this.sig, this.k);
    this.out.push(parsed.sql);
    this.k = parsed.next;
  }

  /** `name TYPE [NOT NULL] [OPTIONS(...)]` inside CREATE TABLE's column list. */
  private columnDefinition(): void {
    const t = this.token;
    this.expectColumnName = false;
    this.emit(t.kind === 'quoted' ? quoteIdent(t.value) : t.text);
    this.out.push(' ');
    this.emitType();
  }

  /** Removes the whitespace emitted before a token that is being dropped. */
  private dropGap(): void {
    if (this.out.length > 0 && /^\s*$/.test(this.out[this.out.length - 1] ?? '')) this.out.pop();
  }

  /** Skips `OPTIONS(...)`, `PARTITION BY ...` and `CLUSTER BY ...`; true when something was skipped. */
  private ddlClause(upper: string): boolean {
    if (upper === 'OPTIONS' && isOp(this.peek(), '(')) {
      this.dropGap();
      this.k = matchingParen(this.sig, this.k + 1) + 1;
      return true;
    }
    if (
      (upper === 'PARTITION' || upper === 'CLUSTER') &&
      isWord(this.peek(), 'BY') &&
      this.frames.length === 1
    ) {
      this.dropGap();
      this.k += 2;
      while (this.k < this.sig.length && !isWord(this.token, 'AS', 'OPTIONS', 'CLUSTER')) {
        this.k = isOp(this.token, '(') ? matchingParen(this.sig, this.k) + 1 : this.k + 1;
      }
      return true;
    }
    return false;
  }
}

/** True when `t` can start a column definition (table constraints like PRIMARY KEY cannot). */
function isColumnName(t: Token): boolean {
  return t.kind === 'quoted' || (t.kind === 'word' && !isWord(t, 'PRIMARY', 'FOREIGN', 'CONSTRAINT'));
}

/** The whitespace to emit before each significant token: a newline if the gap had one, a space if any gap. */
function gapsBetween(tokens: readonly Token[]): string[] {
  const gaps: string[] = [];
  let gap = '';
  for (const t of tokens) {
    if (t.kind === 'space') {
      gap += t.text.includes('\n') ? '\n' : ' ';
      continue;
    }
    gaps.push(gap.includes('\n') ? '\n' : gap ? ' ' : '');
    gap = '';
  }
  return gaps;
}

/** Index of the `)` matching the `(` at `open`. */
export function matchingParen(sig: readonly Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < sig.length; i++) {
    if (isOp(sig[i], '(')) depth++;
    if (isOp(sig[i], ')') && --depth === 0) return i;
  }
  throw invalidQuery('Syntax error: Expected ")" but got end of statement');
}

/** A backtick path (`proj.dataset.table`) as dotted, individually quoted DuckDB identifiers. */
export function quotePath(value: string): string {
  const parts = value.split('.');
  if (parts.some((p) => p === '')) throw invalidQuery(`Syntax error: Invalid identifier \`${value}\``);
  return parts.map(quoteIdent).join('.');
}

/** A DuckDB string literal. */
export function stringLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function bytesLiteral(value: string): string {
  const allLatin1 = [...value].every((ch) => (ch.codePointAt(0) ?? 0) < 256);
  const bytes = Buffer.from(value, allLatin1 ? 'latin1' : 'utf8');
  return `from_hex('${bytes.toString('hex')}')`;
}

/** Parses a GoogleSQL type starting at `start`; returns DuckDB type text and the index after it. */
export function parseType(sig: readonly Token[], start: number): { sql: string; next: number } {
  const parser = new TypeParser(sig, start);
  const sql = parser.type();
  return { sql, next: parser.k };
}

class TypeParser {
  readonly sig: readonly Token[];
  k: number;
  /** A `>>` token half-consumed by a nested type. */
  pendingGt = false;
  constructor(sig: readonly Token[], k: number) {
    this.sig = sig;
    this.k = k;
  }

  type(): string {
    const t = this.sig[this.k];
    if (!t || (t.kind !== 'word' && t.kind !== 'quoted'))
      throw invalidQuery('Syntax error: Expected a type name');
    const upper = t.value.toUpperCase();
    this.k++;
    if (upper === 'ARRAY') return `${this.angle(() => this.type())}[]`;
    if (upper === 'STRUCT') return `STRUCT(${this.angle(() => this.structFields())})`;
    if (upper === 'INTERVAL') return 'INTERVAL';
    const duck = duckTypeOfGoogleSqlName(upper);
    if (!duck) throw invalidQuery(`Type not found: ${t.value}`);
    return this.parameterized(duck);
  }

  /** `NUMERIC(p, s)` → `DECIMAL(p, s)`; `STRING(n)`/`BYTES(n)` drop the length. */
  private parameterized(duck: string): string {
    if (!isOp(this.sig[this.k], '(')) return duck;
    const close = matchingParen(this.sig, this.k);
    const args = this.sig
      .slice(this.k + 1, close)
      .filter((a) => a.kind === 'number')
      .map((a) => a.text);
    this.k = close + 1;
    return duck.startsWith('DECIMAL') ? `DECIMAL(${args.join(', ')})` : duck;
  }

  private angle(inner: () => string): string {
    if (!isOp(this.sig[this.k], '<')) throw invalidQuery('Syntax error: Expected "<"');
    this.k++;
    const result = inner();
    this.closeAngle();
    return result;
  }

  private closeAngle(): void {
    if (this.pendingGt) {
      this.pendingGt = false;
      this.k++;
      return;
    }
    const t = this.sig[this.k];
    if (isOp(t, '>')) {
      this.k++;
      return;
    }
    if (isOp(t, '>>')) {
      this.pendingGt = true;
      return;
    }
    throw invalidQuery('Syntax error: Expected ">"');
  }

  private structFields(): string {
    const fields: string[] = [];
    do {
      if (fields.length > 0) this.k++;
      const t = this.sig[this.k];
      const next = this.sig[this.k + 1];
      const named = (t?.kind === 'word' || t?.kind === 'quoted') && !isOp(next, ',', '>', '>>', '<');
      const name = named && t ? t.value : `_field_${fields.length + 1}`;
      if (named) this.k++;
      fields.push(`${quoteIdent(name)} ${this.type()}`);
    } while (!this.pendingGt && isOp(this.sig[this.k], ','));
    return fields.join(', ');
  }
}
