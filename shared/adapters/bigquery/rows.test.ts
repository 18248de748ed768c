import assert from 'node:assert/strict';
import { decodeRows, timestampFromMicros } from './rows.ts';

describe('decodeRows', () => {
  const schema = [
    { name: 'big', type: 'INTEGER' },
    { name: 'num', type: 'NUMERIC' },
    { name: 'f', type: 'FLOAT' },
    { name: 'inf', type: 'FLOAT' },
    { name: 'b', type: 'BOOLEAN' },
    { name: 'ts', type: 'TIMESTAMP' },
    { name: 'd', type: 'DATE' },
    { name: 'tags', type: 'STRING', mode: 'REPEATED' },
    {
      name: 'rec',
      type: 'RECORD',
      fields: [
        { name: 'x', type: 'INTEGER' },
        { name: 'y', type: 'STRING' },
      ],
    },
    { name: 'n', type: 'STRING' },
  ];
  const wire = [
    {
      f: [
        { v: '9007199254740993' },
        { v: '123456789012345678901234567.123456789' },
        { v: '1.5' },
        { v: 'Infinity' },
        { v: 'false' },
        { v: '1700000000123456' },
        { v: '2024-02-29' },
        { v: [{ v: 'a' }, { v: 'b' }] },
        { v: { f: [{ v: '7' }, { v: 'z' }] } },
        { v: null },
      ],
    },
  ];
  it('keeps integers beyond 2^53 and NUMERIC exact, and decodes every other type', () => {
    assert.deepEqual(decodeRows(schema, wire), [
      {
        big: '9007199254740993',
        num: '123456789012345678901234567.123456789',
        f: 1.5,
        inf: 'Infinity',
        b: false,
        ts: '2023-11-14T22:13:20.123456Z',
        d: '2024-02-29',
        tags: ['a', 'b'],
        rec: { x: '7', y: 'z' },
        n: null,
      },
    ]);
  });
  it('formats timestamps before the epoch', () =>
    assert.equal(timestampFromMicros('-1'), '1969-12-31T23:59:59.999999Z'));
});
