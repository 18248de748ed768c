import assert from 'node:assert/strict';
import { canonicalize } from './canonical-json.ts';

describe('canonicalize (RFC 8785)', () => {
  const cases: { name: string; input: unknown; want: string }[] = [
    {
      name: 'sorts object members by UTF-16 code units',
      input: { b: 1, a: 2, A: 3 },
      want: '{"A":3,"a":2,"b":1}',
    },
    {
      name: 'sorts by code units, not code points (RFC 8785 section 3.2.3 example)',
      input: {
        '\u20ac': 'Euro Sign',
        '\r': 'Carriage Return',
        '\ufb33': 'Hebrew',
        '1': 'One',
        '\u{1f600}': 'Emoji',
        '\u0080': 'Control',
        '\u00f6': 'o',
      },
      want: '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"o","\u20ac":"Euro Sign","\u{1f600}":"Emoji","\ufb33":"Hebrew"}',
    },
    {
      name: 'writes numbers in shortest ECMAScript form',
      input: [1e21, 1e-7, 0.1, -0, 333333333.3333333],
      want: '[1e+21,1e-7,0.1,0,333333333.3333333]',
    },
    { name: 'escapes control characters in strings', input: '\u0007\n"\\', want: '"\\u0007\\n\\"\\\\"' },
    { name: 'leaves non-ASCII unescaped', input: 'ü€', want: '"ü€"' },
    {
      name: 'nests without whitespace',
      input: { z: [true, null, { y: 'x' }] },
      want: '{"z":[true,null,{"y":"x"}]}',
    },
    { name: 'omits undefined members', input: { a: undefined, b: 1 }, want: '{"b":1}' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(canonicalize(c.input), c.want));

  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, () => 1, 10n]) {
    it(`refuses ${typeof bad === 'function' ? 'a function' : String(bad)}`, () =>
      assert.throws(() => canonicalize(bad), TypeError));
  }
});
