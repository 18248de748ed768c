// A GoogleSQL tokenizer: strings, backtick identifiers, comments, parameters and punctuation, with offsets.

import { invalidQuery } from './errors.ts';

/** What a token is. `word` is an unquoted identifier or keyword; `quoted` a backtick identifier. */
export type TokenKind =
  | 'word'
  | 'quoted'
  | 'string'
  | 'bytes'
  | 'number'
  | 'param'
  | 'positional'
  | 'sysvar'
  | 'op'
  | 'space';

/** One token. `value` is the decoded content for strings, bytes (latin1) and quoted identifiers. */
export interface Token {
  kind: TokenKind;
  /** The exact source text. */
  text: string;
  /** Decoded value: identifier or string content, parameter name (without `@`), or `text` otherwise. */
  value: string;
  /** Offset of the first character in the statement text. */
  start: number;
}

const WORD_START = /[A-Za-z_]/;
const WORD_PART = /[A-Za-z0-9_]/;
const DIGIT = /[0-9]/;
const MULTI_CHAR_OPS = ['<=', '>=', '<>', '!=', '||', '<<', '>>', '=>', '->'];

/** Splits GoogleSQL text into tokens; throws `invalidQuery` on unterminated strings or comments. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const token = readToken(sql, i);
    tokens.push(token);
    i = token.start + token.text.length;
  }
  return tokens;
}

/** The tokens that carry meaning: no whitespace or comments. */
export function significant(tokens: readonly Token[]): Token[] {
  return tokens.filter((t) => t.kind !== 'space');
}

/** True when `token` is the unquoted keyword/word `word` (case-insensitive). */
export function isWord(token: Token | undefined, ...words: string[]): boolean {
  return token?.kind === 'word' && words.includes(token.value.toUpperCase());
}

/** True when `token` is the punctuation `op`. */
export function isOp(token: Token | undefined, ...ops: string[]): boolean {
  return token?.kind === 'op' && ops.includes(token.text);
}

/** A synthetic token, for building SQL fragments out of parsed pieces. */
export function synthetic(kind: TokenKind, text: string, value = text): Token {
  return { kind, text, value, start: -1 };
}

function readToken(sql: string, i: number): Token {
  const c = sql[i] ?? '';
  const next = sql[i + 1] ?? '';
  if (/\s/.test(c)) return readWhile(sql, i, 'space', (ch) => /\s/.test(ch));
  if ((c === '-' && next === '-') || c === '#') return readLineComment(sql, i);
  if (c === '/' && next === '*') return readBlockComment(sql, i);
  if (c === '`') return readQuotedIdentifier(sql, i);
  const literal = readStringLiteral(sql, i);
  if (literal) return literal;
  if (WORD_START.test(c)) return readWhile(sql, i, 'word', (ch) => WORD_PART.test(ch));
  if (DIGIT.test(c) || (c === '.' && DIGIT.test(next))) return readNumber(sql, i);
  if (c === '@') return readParameter(sql, i);
  if (c === '?') return { kind: 'positional', text: '?', value: '?', start: i };
  const op = MULTI_CHAR_OPS.find((o) => sql.startsWith(o, i)) ?? c;
  return { kind: 'op', text: op, value: op, start: i };
}

function readWhile(sql: string, start: number, kind: TokenKind, accept: (ch: string) => boolean): Token {
  let end = start;
  while (end < sql.length && accept(sql[end] ?? '')) end++;
  const text = sql.slice(start, end);
  return { kind, text, value: text, start };
}

function readLineComment(sql: string, start: number): Token {
  const end = sql.indexOf('\n', start);
  const text = sql.slice(start, end === -1 ? sql.length : end);
  return { kind: 'space', text, value: ' ', start };
}

function readBlockComment(sql: string, start: number): Token {
  const end = sql.indexOf('*/', start + 2);
  if (end === -1) throw invalidQuery(`Syntax error: Unclosed comment at ${position(sql, start)}`);
  const text = sql.slice(start, end + 2);
  return { kind: 'space', text, value: ' ', start };
}

function readNumber(sql: string, start: number): Token {
  const hex = /^0[xX][0-9A-Fa-f]+/.exec(sql.slice(start));
  if (hex) return { kind: 'number', text: hex[0], value: hex[0], start };
  const match = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(sql.slice(start));
  const text = match?.[0] ?? sql[start] ?? '';
  return { kind: 'number', text, value: text, start };
}

function readParameter(sql: string, start: number): Token {
  const isSystem = sql[start + 1] === '@';
  const nameStart = start + (isSystem ? 2 : 1);
  let end = nameStart;
  while (end < sql.length && WORD_PART.test(sql[end] ?? '')) end++;
  const name = sql.slice(nameStart, end);
  if (!name || !WORD_START.test(name[0] ?? '')) {
    throw invalidQuery(`Syntax error: Unexpected "@" at ${position(sql, start)}`);
  }
  return { kind: isSystem ? 'sysvar' : 'param', text: sql.slice(start, end), value: name, start };
}

function readQuotedIdentifier(sql: string, start: number): Token {
  const { value, end } = readQuoted(sql, start + 1, '`', false);
  if (value === '') throw invalidQuery(`Syntax error: Invalid empty identifier at ${position(sql, start)}`);
  return { kind: 'quoted', text: sql.slice(start, end), value, start };
}

function readStringLiteral(sql: string, start: number): Token | undefined {
  const prefix = /^(?:[rR][bB]?|[bB][rR]?)?(?=['"])/.exec(sql.slice(start))?.[0];
  if (prefix === undefined) return undefined;
  const lower = prefix.toLowerCase();
  const raw = lower.includes('r');
  const isBytes = lower.includes('b');
  const quoteStart = start + prefix.length;
  const quote =
    sql.startsWith("'''", quoteStart) || sql.startsWith('"""', quoteStart)
      ? sql.slice(quoteStart, quoteStart + 3)
      : (sql[quoteStart] ?? "'");
  const { value, end } = readQuoted(sql, quoteStart + quote.length, quote, raw);
  return { kind: isBytes ? 'bytes' : 'string', text: sql.slice(start, end), value, start };
}

/** Reads quoted content after the opening quote; returns the decoded value and the offset after the closing quote. */
function readQuoted(sql: string, from: number, quote: string, raw: boolean): { value: string; end: number } {
  let value = '';
  let i = from;
  while (i < sql.length) {
    if (sql.startsWith(quote, i)) return { value, end: i + quote.length };
    const c = sql[i] ?? '';
    if (c === '\n' && quote.length === 1) break;
    if (c === '\\') {
      if (raw) {
        value += c + (sql[i + 1] ?? '');
        i += 2;
        continue;
      }
      const decoded = decodeEscape(sql, i);
      value += decoded.value;
      i = decoded.end;
      continue;
    }
    value += c;
    i++;
  }
  const what = quote === '`' ? 'identifier' : 'string literal';
  throw invalidQuery(`Syntax error: Unclosed ${what} at ${position(sql, from - quote.length)}`);
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '?': '?',
  '"': '"',
  "'": "'",
  '`': '`',
};

function decodeEscape(sql: string, at: number): { value: string; end: number } {
  const c = sql[at + 1] ?? '';
  const simple = SIMPLE_ESCAPES[c];
  if (simple !== undefined) return { value: simple, end: at + 2 };
  const hexLength = c === 'x' || c === 'X' ? 2 : c === 'u' ? 4 : c === 'U' ? 8 : 0;
  if (hexLength > 0) return codePoint(sql, at, sql.slice(at + 2, at + 2 + hexLength), 16, at + 2 + hexLength);
  if (/[0-7]/.test(c)) return codePoint(sql, at, sql.slice(at + 1, at + 4), 8, at + 4);
  throw invalidQuery(`Syntax error: Illegal escape sequence: \\${c} at ${position(sql, at)}`);
}

function codePoint(
  sql: string,
  at: number,
  digits: string,
  radix: number,
  end: number,
): { value: string; end: number } {
  const valid = radix === 16 ? /^[0-9A-Fa-f]+$/ : /^[0-7]{3}$/;
  const code = Number.parseInt(digits, radix);
  if (!valid.test(digits) || Number.isNaN(code) || code > 0x10ffff) {
    throw invalidQuery(`Syntax error: Illegal escape sequence at ${position(sql, at)}`);
  }
  return { value: String.fromCodePoint(code), end };
}

/** BigQuery's `[line:column]` notation for an offset, 1-based. */
export function position(sql: string, offset: number): string {
  const before = sql.slice(0, Math.max(0, offset));
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `[${line}:${column}]`;
}
