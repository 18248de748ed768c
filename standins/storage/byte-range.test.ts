// Tests for Range and resumable Content-Range parsing.

import assert from 'node:assert/strict';
import { parseRange, parseUploadRange } from './byte-range.ts';

describe('parseRange', () => {
  const cases = [
    { header: undefined, expected: undefined },
    { header: 'bytes=0-9', expected: { start: 0, end: 9 } },
    { header: 'bytes=5-', expected: { start: 5, end: 99 } },
    { header: 'bytes=90-500', expected: { start: 90, end: 99 } },
    { header: 'bytes=-10', expected: { start: 90, end: 99 } },
    { header: 'bytes=-500', expected: { start: 0, end: 99 } },
    { header: 'bytes=100-', expected: 'unsatisfiable' },
    { header: 'bytes=9-5', expected: 'unsatisfiable' },
    { header: 'bytes=-0', expected: 'unsatisfiable' },
    { header: 'bytes=0-1,5-6', expected: undefined },
    { header: 'items=0-1', expected: undefined },
  ];
  for (const { header, expected } of cases) {
    it(`selects ${JSON.stringify(expected)} from ${header} in 100 bytes`, () => {
      assert.deepEqual(parseRange(header, 100), expected);
    });
  }
});

describe('parseUploadRange', () => {
  const cases = [
    { header: undefined, length: 7, expected: { start: 0, total: 7, isFinal: true } },
    { header: 'bytes 0-*/*', length: 7, expected: { start: 0, total: undefined, isFinal: true } },
    { header: 'bytes 0-9/*', length: 10, expected: { start: 0, total: undefined, isFinal: false } },
    { header: 'bytes 10-19/20', length: 10, expected: { start: 10, total: 20, isFinal: true } },
    { header: 'bytes 0-9/20', length: 10, expected: { start: 0, total: 20, isFinal: false } },
    { header: 'bytes */*', length: 0, expected: { total: undefined, isFinal: false } },
    { header: 'bytes */20', length: 0, expected: { total: 20, isFinal: true } },
  ];
  for (const { header, length, expected } of cases) {
    it(`reads ${header ?? 'no header'} with a ${length}-byte body`, () => {
      assert.deepEqual(parseUploadRange(header, length), expected);
    });
  }

  for (const header of ['bytes 0-9/20', 'bytes=0-9/20', 'garbage']) {
    it(`rejects "${header}" for a 5-byte body with 400`, () => {
      assert.throws(() => parseUploadRange(header, 5), { status: 400 });
    });
  }
});
