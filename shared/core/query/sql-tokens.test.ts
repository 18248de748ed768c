// Tests of the GoogleSQL lexer: strings, quoted identifiers, comments, numbers and statement splitting.

import assert from 'node:assert/strict';
import { splitStatements, tokenize } from './sql-tokens.ts';

const show = (sql: string) => tokenize(sql).tokens.map((t) => `${t.kind}:${t.value}`);

describe('tokenize', () => {
  const cases: { name: string; sql: string; tokens: string[] }[] = [
    { name: 'words, operators and numbers', sql: 'a+1.5e3', tokens: ['word:a', 'op:+', 'number:1.5e3'] },
    { name: 'single-quoted string with an escaped quote', sql: "'it\\'s'", tokens: ["string:it's"] },
    { name: 'double-quoted string holding single quotes', sql: `"it's"`, tokens: ["string:it's"] },
    { name: 'triple-quoted string over lines', sql: "'''a\n'b'\n'''", tokens: ["string:a\n'b'\n"] },
    { name: 'triple double quotes', sql: '"""x"y"""', tokens: ['string:x"y'] },
    { name: 'raw string keeps backslashes', sql: "r'\\d+'", tokens: ['string:\\d+'] },
    { name: 'raw string still cannot end on an escaped quote', sql: "R'\\''", tokens: ["string:\\'"] },
    {
      name: 'bytes and raw bytes prefixes',
      sql: "b'x' RB\"y\" bR'''z'''",
      tokens: ['string:x', 'string:y', 'string:z'],
    },
    { name: 'a prefix must start the token', sql: "xr'a'", tokens: ['word:xr', 'string:a'] },
    { name: 'backtick identifier with an escaped backtick', sql: '`a\\`b.c`', tokens: ['quoted:a`b.c'] },
    {
      name: 'line comments end at CR or LF',
      sql: 'a -- x\rb # y\nc',
      tokens: ['word:a', 'word:b', 'word:c'],
    },
    { name: 'block comment between words', sql: 'a/* x */b', tokens: ['word:a', 'word:b'] },
    {
      name: 'a path part may start with a digit',
      sql: 'd.2024_t',
      tokens: ['word:d', 'op:.', 'word:2024_t'],
    },
    {
      name: 'a number before a dot and a word',
      sql: 'p-123.d',
      tokens: ['word:p', 'op:-', 'number:123', 'op:.', 'word:d'],
    },
    { name: 'parameters', sql: '@p @@dataset_id ?', tokens: ['param:@p', 'param:@@dataset_id', 'param:?'] },
    { name: 'concatenation operator', sql: "'a'||'b'", tokens: ['string:a', 'op:||', 'string:b'] },
    {
      name: 'invisible characters separate words',
      sql: 'EXECUTE\u200bIMMEDIATE\u00a0x',
      tokens: ['word:EXECUTE', 'word:IMMEDIATE', 'word:x'],
    },
    {
      name: 'unknown characters are their own tokens',
      sql: 'a\u0000b',
      tokens: ['word:a', 'other:\u0000', 'word:b'],
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(show(c.sql), c.tokens));

  const errors: { name: string; sql: string }[] = [
    { name: 'an unterminated string', sql: "SELECT 'abc" },
    { name: 'an unterminated triple-quoted string', sql: "SELECT '''abc''" },
    { name: 'an unterminated quoted identifier', sql: 'SELECT `abc' },
    { name: 'an unterminated block comment', sql: 'SELECT 1 /* abc' },
  ];
  for (const c of errors) it(`reports ${c.name}`, () => assert.equal(tokenize(c.sql).errors.length, 1));

  it('keeps offsets into the source', () => {
    const sql = "SELECT `a` , 'b' -- c\n FROM t";
    for (const t of tokenize(sql).tokens) assert.equal(sql.slice(t.start, t.end), t.text);
  });
});

describe('splitStatements', () => {
  const cases: { name: string; sql: string; statements: number }[] = [
    { name: 'splits at semicolons outside strings', sql: "a ';' ; b", statements: 2 },
    { name: 'drops empty statements', sql: '; ; a ;', statements: 1 },
    { name: 'no statements in comments only', sql: '/* a; b */ -- c;', statements: 0 },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(splitStatements(tokenize(c.sql).tokens).length, c.statements));
  }
});
