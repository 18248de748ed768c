import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { Redactor, redact, streamLog } from './log.ts';
import { testToken } from './test-gateway.ts';

describe('bridge log redaction', () => {
  const jwt = testToken({ sub: 'u', exp: 1 });
  const cases = [
    { name: 'a JWT', text: `token ${jwt} refused`, want: 'token [redacted] refused' },
    {
      name: 'a bearer credential',
      text: 'sent Authorization: Bearer abc.def-123',
      want: 'sent Authorization: Bearer [redacted]',
    },
    {
      name: 'a known opaque secret',
      text: 'opaque-secret-1 leaked',
      secrets: ['opaque-secret-1'],
      want: '[redacted] leaked',
    },
    {
      name: 'nothing else',
      text: 'the gateway answered 401 Unauthorized',
      want: 'the gateway answered 401 Unauthorized',
    },
    { name: 'no secret shorter than 8 characters', text: 'a token', secrets: ['token'], want: 'a token' },
  ];
  for (const c of cases) it(`redacts ${c.name}`, () => assert.equal(redact(c.text, c.secrets), c.want));

  it('a Redactor redacts every token it was given', () => {
    const redactor = new Redactor();
    redactor.add('first-opaque-token');
    redactor.add('second-opaque-token');
    assert.equal(redactor.apply('first-opaque-token then second-opaque-token'), '[redacted] then [redacted]');
  });

  it('streamLog writes one prefixed line per call', () => {
    const stream = new PassThrough();
    let written = '';
    stream.setEncoding('utf8').on('data', (s: string) => {
      written += s;
    });
    const log = streamLog(stream);
    log('one');
    log('two');
    assert.equal(written, 'warden bridge: one\nwarden bridge: two\n');
  });
});
