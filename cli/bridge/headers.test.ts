import assert from 'node:assert/strict';
import { parseHeader, parseHeaders } from './headers.ts';

describe('bridge --header', () => {
  const ok = [
    { arg: 'X-Warden-On-Behalf-Of=eyJ.a.b', want: ['x-warden-on-behalf-of', 'eyJ.a.b'] },
    { arg: 'x-trace = a=b c ', want: ['x-trace', 'a=b c'] },
    { arg: 'X-Tab=a\tb', want: ['x-tab', 'a\tb'] },
  ];
  for (const c of ok)
    it(`accepts ${JSON.stringify(c.arg)} as a lower-case name and trimmed value`, () =>
      assert.deepEqual(parseHeader(c.arg), c.want));

  const bad = [
    { arg: 'X-Evil=a\r\nHost: other', want: /control character/ },
    { arg: 'X-Evil=a\nb', want: /control character/ },
    { arg: 'X-Nul=a\u0000', want: /control character/ },
    { arg: 'X-Trailing=a\r\n', want: /control character/ },
    {
      arg: 'Authorization=Bearer x',
      want: /may not set authorization: the bridge sends the ID token itself/,
    },
    { arg: 'AUTHORIZATION=x', want: /may not set authorization/ },
    { arg: 'mcp-session-id=1', want: /may not set mcp-session-id/ },
    { arg: 'Host=example.org', want: /may not set host/ },
    { arg: 'X Bad=1', want: /not a valid header name/ },
    { arg: 'X-Bad\r\n=1', want: /not a valid header name/ },
    { arg: 'novalue', want: /not NAME=VALUE/ },
    { arg: '=value', want: /not NAME=VALUE/ },
    { arg: 'X-Empty=', want: /empty value/ },
  ];
  for (const c of bad)
    it(`refuses ${JSON.stringify(c.arg)}`, () => assert.throws(() => parseHeader(c.arg), c.want));

  it('refuses a header given twice', () => {
    assert.throws(() => parseHeaders(['X-A=1', 'x-a=2']), /x-a is given more than once/);
  });

  it('parses several headers in order', () => {
    assert.deepEqual(parseHeaders(['X-A=1', 'X-B=2']), [
      ['x-a', '1'],
      ['x-b', '2'],
    ]);
  });
});
