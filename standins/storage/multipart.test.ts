// Tests for parsing multipart/related upload bodies.

import assert from 'node:assert/strict';
import { boundaryOf, parseMultipartUpload } from './multipart.ts';

/** A body laid out exactly as the client (teeny-request) writes it: no CRLF after the closing boundary. */
function clientBody(boundary: string, metadata: string, media: Buffer, mediaType = 'text/plain'): Buffer {
  return Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Type: application/json\r\n\r\n${metadata}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Type: ${mediaType}\r\n\r\n`),
    media,
    Buffer.from(`\r\n--${boundary}--`),
  ]);
}

describe('parseMultipartUpload', () => {
  it('splits the client layout into JSON metadata and exact media bytes', () => {
    const media = Buffer.from('line1\r\n--not-the-boundary\r\n\x00\xff', 'latin1');
    const parsed = parseMultipartUpload(
      'multipart/related; boundary=abc-123',
      clientBody('abc-123', '{"name":"x","metadata":{"k":"v"}}', media, 'application/x-bin'),
    );
    assert.deepEqual(parsed.metadata, { name: 'x', metadata: { k: 'v' } });
    assert.deepEqual(parsed.media, media);
    assert.equal(parsed.mediaContentType, 'application/x-bin');
  });

  it('accepts an empty media part and a trailing CRLF epilogue', () => {
    const body = Buffer.concat([clientBody('b', '{}', Buffer.alloc(0)), Buffer.from('\r\n')]);
    assert.equal(parseMultipartUpload('multipart/related; boundary=b', body).media.length, 0);
  });

  const malformed = [
    { name: 'a body without the boundary', body: Buffer.from('no parts here') },
    { name: 'a body missing its closing boundary', body: Buffer.from('--b\r\nContent-Type: a\r\n\r\n{}') },
    { name: 'metadata that is not JSON', body: clientBody('b', '{nope', Buffer.from('x')) },
    { name: 'metadata that is a JSON array', body: clientBody('b', '[]', Buffer.from('x')) },
    {
      name: 'three parts',
      body: Buffer.from('--b\r\n\r\n{}\r\n--b\r\n\r\nx\r\n--b\r\n\r\ny\r\n--b--'),
    },
  ];
  for (const { name, body } of malformed) {
    it(`rejects ${name} with 400`, () => {
      assert.throws(() => parseMultipartUpload('multipart/related; boundary=b', body), { status: 400 });
    });
  }
});

describe('boundaryOf', () => {
  const cases = [
    { contentType: 'multipart/related; boundary=plain', boundary: 'plain' },
    { contentType: 'multipart/related; boundary="quoted value"', boundary: 'quoted value' },
    { contentType: 'Multipart/Related;charset=x; BOUNDARY=z', boundary: 'z' },
  ];
  for (const { contentType, boundary } of cases) {
    it(`reads "${boundary}" from ${contentType}`, () => {
      assert.equal(boundaryOf(contentType), boundary);
    });
  }

  for (const contentType of [undefined, 'application/json', 'multipart/related']) {
    it(`rejects Content-Type ${contentType} with 400`, () => {
      assert.throws(() => boundaryOf(contentType), { status: 400 });
    });
  }
});
