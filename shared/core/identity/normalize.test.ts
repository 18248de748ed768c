import assert from 'node:assert/strict';
import { mailboxOf, normalizeEmail, visibleText } from './normalize.ts';

describe('visibleText', () => {
  const cases: { name: string; text: string; want: string }[] = [
    { name: 'drops zero-width spaces and joiners', text: '\u200b\u200c\u200d\u2060\ufeff', want: '' },
    { name: 'drops bidi controls and soft hyphens', text: 'IRB\u202e 7\u00ad', want: 'IRB 7' },
    { name: 'drops blank fillers (Hangul filler, braille blank)', text: '\u3164\u2800', want: '' },
    { name: 'drops control characters but keeps words apart', text: 'a\u0000b\tc\n\nd', want: 'ab c d' },
    { name: 'normalises compatibility forms (NFKC)', text: 'ＩＲＢ　２０２６', want: 'IRB 2026' },
    { name: 'keeps ordinary text', text: '  cohort study 7 ', want: 'cohort study 7' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(visibleText(c.text), c.want));
});

describe('emails', () => {
  it('normalises an email claim: case, surrounding space, invisible characters, fullwidth forms', () => {
    assert.equal(normalizeEmail(' Ann\u200b@Example.ORG '), 'ann@example.org');
    assert.equal(normalizeEmail('ａｎｎ@example.org'), 'ann@example.org');
  });
  it('tells the mailbox of a plus-address', () => {
    assert.equal(mailboxOf('Ann+IRB@example.org'), 'ann@example.org');
    assert.equal(mailboxOf('+x@example.org'), '+x@example.org');
    assert.equal(mailboxOf('not-an-email'), 'not-an-email');
  });
});
