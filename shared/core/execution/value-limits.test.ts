import assert from 'node:assert/strict';
import type { Cell } from '../../ports/warehouse.ts';
import { limitReleased } from './value-limits.ts';

const big = { values: 1000, cells: 1000, bytes: 1_000_000 };
const rows = (n: number, make: (i: number) => Record<string, Cell>) =>
  Array.from({ length: n }, (_, i) => make(i));

describe('limitReleased', () => {
  it('releases everything within the caps and counts it', () => {
    const r = limitReleased(
      rows(3, (i) => ({ id: i, tags: ['a', 'b'] })),
      big,
    );
    assert.equal(r.rows.length, 3);
    assert.equal(r.truncated, false);
    assert.equal(r.values, 3 + 6);
    assert.equal(r.cells, 3 + 6);
    assert.equal(r.bytes, Buffer.byteLength(JSON.stringify(r.rows)));
  });

  it('counts array elements as values: one row holding every patient is cut to the limit', () => {
    const all = [{ patients: Array.from({ length: 10_000 }, (_, i) => ({ id: `P${i}`, ssn: `${i}` })) }];
    const r = limitReleased(all, { ...big, values: 50, cells: 100_000 });
    assert.equal(r.truncated, true);
    // The row counts one, so 49 of its elements fit.
    assert.equal((r.rows[0]!['patients'] as Cell[]).length, 49);
    assert.equal(r.values, 50);
  });

  it('counts nested repeated fields', () => {
    const r = limitReleased(
      [
        {
          a: [
            [1, 2],
            [3, 4],
          ],
        },
        { a: [[5]] },
      ],
      { ...big, values: 4 },
    );
    assert.deepEqual(r.rows, [{ a: [[1, 2]] }]);
    assert.equal(r.truncated, true);
  });

  it('stops at the row limit', () => {
    const r = limitReleased(
      rows(10, (i) => ({ id: i })),
      { ...big, values: 4 },
    );
    assert.deepEqual(
      r.rows.map((x) => x['id']),
      [0, 1, 2, 3],
    );
    assert.equal(r.truncated, true);
  });

  it('caps cells: wide rows stop sooner, and a leaf past the cap is withheld', () => {
    const r = limitReleased(
      rows(5, () => ({ a: 1, b: 2, c: 3 })),
      { ...big, cells: 7 },
    );
    assert.deepEqual(r.rows, [
      { a: 1, b: 2, c: 3 },
      { a: 1, b: 2, c: 3 },
      { a: 1, b: null, c: null },
    ]);
    assert.equal(r.truncated, true);
  });

  it('caps bytes: a row that would cross the cap is not released', () => {
    const text = 'x'.repeat(100);
    const r = limitReleased(
      rows(5, () => ({ t: text })),
      { ...big, bytes: 250 },
    );
    assert.equal(r.rows.length, 2);
    assert.ok(r.bytes <= 250);
    assert.equal(r.truncated, true);
  });

  it('releases nothing when even one value exceeds the byte cap', () => {
    const r = limitReleased([{ t: 'x'.repeat(1000) }], { ...big, bytes: 100 });
    assert.deepEqual(r.rows, []);
    assert.equal(r.truncated, true);
  });

  it('keeps a __proto__ key as data', () => {
    const row = JSON.parse('{"__proto__": {"a": 1}}') as Record<string, Cell>;
    const r = limitReleased([row], big);
    assert.ok(Object.hasOwn(r.rows[0]!, '__proto__'));
  });
});
