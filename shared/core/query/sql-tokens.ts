// GoogleSQL lexer: tokens that respect strings, quoted identifiers and comments, and statement splitting.

/** Kind of a lexical token; comments and whitespace produce no tokens. */
export type TokenKind =
  | 'word' // unquoted identifier or keyword
  | 'quoted' // `backtick quoted` identifier or path
  | 'string' // string or bytes literal, any quoting
  | 'number'
  | 'param' // @name, @@name, ?
  | 'op' // punctuation and operators
  | 'other'; // a character GoogleSQL does not allow outside strings

/** One token of GoogleSQL text. */
export interface Token {
  kind: TokenKind;
  /** The source text of the token. */
  text: string;
  /** Identifier name (unescaped for quoted), string content (unescaped unless raw), or `text`. */
  value: string;
  /** Offsets into the source: `text === sql.slice(start, end)`. */
  start: number;
  end: number;
}

/** Tokens of a text, and the lexical errors met (unterminated strings, comments or identifiers). */
export interface Lexed {
  tokens: Token[];
  errors: string[];
}

const WORD_START = /[\p{L}_]/u;
const WORD_PART = /[\p{L}\p{N}_]/u;
const DIGIT = /[0-9]/;
// Whitespace as GoogleSQL knows it, plus any Unicode space or invisible format character: treating them
// as separators can only reveal more tokens to the scan, never hide one.
const SPACE = /[\s\p{Cf}]/u;
const MULTI_OPS = ['||', '<=', '>=', '<>', '!=', '<<', '>>', '=>', '->'];

/** Splits GoogleSQL text into tokens. Never throws: lexical errors are reported in `errors`. */
export function tokenize(sql: string): Lexed {
  const tokens: Token[] = [];
  const errors: string[] = [];
  const n = sql.length;
  let i = 0;
  const push = (kind: TokenKind, start: number, end: number, value?: string) => {
    const text = sql.slice(start, end);
    tokens.push({ kind, text, value: value ?? text, start, end });
  };
  while (i < n) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (SPACE.test(c)) {
      i++;
      continue;
    }
    if (c === '#' || (c === '-' && next === '-')) {
      while (i < n && sql[i] !== '\n' && sql[i] !== '\r') i++;
      continue;
    }
    if (c === '/' && next === '*') {
      const close = sql.indexOf('*/', i + 2);
      if (close < 0) {
        errors.push(`unterminated comment at ${i}`);
        i = n;
      } else i = close + 2;
      continue;
    }
    const prefix = stringPrefixLength(sql, i);
    if (prefix >= 0) {
      const start = i;
      const raw = /r/i.test(sql.slice(i, i + prefix));
      const lit = readQuoted(sql, i + prefix);
      if (!lit.closed) errors.push(`unterminated string at ${start}`);
      i = lit.end;
      push('string', start, i, raw ? lit.body : unescapeLiteral(lit.body));
      continue;
    }
    if (c === '`') {
      const start = i;
      const lit = readQuoted(sql, i);
      if (!lit.closed) errors.push(`unterminated quoted identifier at ${start}`);
      i = lit.end;
      push('quoted', start, i, unescapeLiteral(lit.body));
      continue;
    }
    const prev = tokens[tokens.length - 1];
    // After a dot, a path part may start with a digit (`dataset.2024_visits`).
    const afterDot = prev?.kind === 'op' && prev.text === '.';
    if (WORD_START.test(c) || (afterDot && DIGIT.test(c))) {
      const start = i;
      while (i < n && WORD_PART.test(sql[i] as string)) i++;
      push('word', start, i);
      continue;
    }
    const pathDot =
      prev !== undefined &&
      (prev.kind === 'word' || prev.kind === 'quoted' || prev.text === ')' || prev.text === ']');
    if (DIGIT.test(c) || (c === '.' && !pathDot && next !== undefined && DIGIT.test(next))) {
      const start = i;
      i = readNumber(sql, i);
      push('number', start, i);
      continue;
    }
    if (c === '@' || c === '?') {
      const start = i;
      i++;
      if (c === '@') {
        if (sql[i] === '@') i++;
        if (sql[i] === '`') i = readQuoted(sql, i).end;
        else while (i < n && WORD_PART.test(sql[i] as string)) i++;
      }
      push('param', start, i);
      continue;
    }
    const two = sql.slice(i, i + 2);
    if (MULTI_OPS.includes(two)) {
      push('op', i, i + 2);
      i += 2;
      continue;
    }
    if ('()[]{},.;:+-*/%<>=!~&|^'.includes(c)) {
      push('op', i, i + 1);
      i++;
      continue;
    }
    const cp = sql.codePointAt(i) ?? 0;
    const width = cp > 0xffff ? 2 : 1;
    push('other', i, i + width);
    i += width;
  }
  return { tokens, errors };
}

/** Length of a string-literal prefix (`r`, `b`, `rb`, `br`, any case) when a literal starts at `i`, else -1. */
function stringPrefixLength(sql: string, i: number): number {
  for (let len = 0; len <= 2; len++) {
    const q = sql[i + len];
    if (q === "'" || q === '"') {
      const p = sql.slice(i, i + len).toLowerCase();
      if (p === '' || p === 'r' || p === 'b' || p === 'rb' || p === 'br') {
        // A prefix must start the token: `xr'...'` is the word `xr` followed by a string.
        const before = sql[i - 1];
        if (len > 0 && before !== undefined && WORD_PART.test(before)) return -1;
        return len;
      }
      return -1;
    }
    if (q === undefined || !/[rRbB]/.test(q)) return -1;
  }
  return -1;
}

/** Reads a quoted run starting at the quote at `i` ('…', "…", '''…''', """…""", `…`); backslash escapes. */
function readQuoted(sql: string, i: number): { body: string; end: number; closed: boolean } {
  const q = sql[i] as string;
  const triple = q !== '`' && sql.slice(i, i + 3) === q.repeat(3);
  const open = triple ? 3 : 1;
  const close = triple ? q.repeat(3) : q;
  let j = i + open;
  while (j < sql.length) {
    if (sql[j] === '\\') {
      j += 2;
      continue;
    }
    if (sql.startsWith(close, j))
      return { body: sql.slice(i + open, j), end: j + close.length, closed: true };
    j++;
  }
  return { body: sql.slice(i + open), end: sql.length, closed: false };
}

function readNumber(sql: string, i: number): number {
  let j = i;
  if (sql[j] === '0' && (sql[j + 1] === 'x' || sql[j + 1] === 'X')) {
    j += 2;
    while (j < sql.length && /[0-9a-fA-F]/.test(sql[j] as string)) j++;
    return j;
  }
  while (j < sql.length && DIGIT.test(sql[j] as string)) j++;
  if (sql[j] === '.' && DIGIT.test(sql[j + 1] ?? '')) {
    j++;
    while (j < sql.length && DIGIT.test(sql[j] as string)) j++;
  } else if (sql[j] === '.' && !WORD_START.test(sql[j + 1] ?? '') && sql[j + 1] !== '`') {
    j++; // `1.` is a number; `123.dataset` is a path part followed by a dot.
  }
  if ((sql[j] === 'e' || sql[j] === 'E') && /[0-9+-]/.test(sql[j + 1] ?? '')) {
    j += 2;
    while (j < sql.length && DIGIT.test(sql[j] as string)) j++;
  }
  return j;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', a: '\x07' };

/** Resolves backslash escapes in a non-raw literal body (unknown escapes keep the escaped character). */
function unescapeLiteral(body: string): string {
  return body.replace(/\\(.)/gsu, (_m, ch: string) => ESCAPES[ch] ?? ch);
}

/** Tokens grouped into statements at every `;`; empty statements are dropped. */
export function splitStatements(tokens: readonly Token[]): Token[][] {
  const out: Token[][] = [];
  let cur: Token[] = [];
  for (const t of tokens) {
    if (t.kind === 'op' && t.text === ';') {
      if (cur.length > 0) out.push(cur);
      cur = [];
    } else cur.push(t);
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** True when `t` is an unquoted word equal to one of `words` (case-insensitive; pass upper case). */
export function isWord(t: Token | undefined, ...words: string[]): boolean {
  return t?.kind === 'word' && words.includes(t.text.toUpperCase());
}

/** True when `t` is the operator `op`. */
export function isOp(t: Token | undefined, op: string): boolean {
  return t?.kind === 'op' && t.text === op;
}
