// Comparing checkpoints, as the report, the witness and `verify --witness-key` all do: the same tree, the newest.

import assert from 'node:assert/strict';
import { isSameTree, newestCheckpoints } from './checkpoint.ts';

const root = (b: number) => new Uint8Array(32).fill(b);

describe('isSameTree', () => {
  const a = { origin: 'warden/audit/s1', size: 3, rootHash: root(1) };
  const cases = [
    {
      name: 'the same origin, size and root (a copy of the root)',
      b: { ...a, rootHash: root(1) },
      same: true,
    },
    { name: 'another root at the size (a fork)', b: { ...a, rootHash: root(2) }, same: false },
    { name: 'another size', b: { ...a, size: 4 }, same: false },
    { name: 'another origin', b: { ...a, origin: 'warden/audit/s2' }, same: false },
  ];
  for (const c of cases) it(`is ${c.same} for ${c.name}`, () => assert.equal(isSameTree(a, c.b), c.same));
});

describe('newestCheckpoints', () => {
  it('keeps per group the largest tree, and of one size the highest number (a heartbeat re-signs a size)', () => {
    const list = [
      { id: 'a0', stream: 'a', size: 2, n: 0 },
      { id: 'a2', stream: 'a', size: 5, n: 2 },
      { id: 'a1', stream: 'a', size: 5, n: 1 },
      { id: 'a3', stream: 'a', size: 4, n: 3 },
      { id: 'b0', stream: 'b', size: 1, n: 0 },
    ];
    const newest = newestCheckpoints(list, (c) => c.stream);
    assert.deepEqual(
      [...newest].map(([k, c]) => [k, c.id]),
      [
        ['a', 'a2'],
        ['b', 'b0'],
      ],
    );
  });

  it('keeps the later of one size when checkpoints carry no number', () => {
    const newest = newestCheckpoints(
      [
        { id: 'first', size: 3 },
        { id: 'second', size: 3 },
      ],
      () => 'log',
    );
    assert.equal(newest.get('log')?.id, 'second');
  });
});
