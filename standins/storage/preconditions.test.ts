// Tests for generation/metageneration preconditions.

import assert from 'node:assert/strict';
import type { Preconditions, Versioned } from './preconditions.ts';
import { checkPreconditions, parsePreconditions } from './preconditions.ts';

const live: Versioned = { generation: 7, metageneration: 2 };

describe('checkPreconditions', () => {
  const cases: { name: string; pre: Preconditions; current: Versioned | undefined; holds: boolean }[] = [
    {
      name: 'ifGenerationMatch=0 holds when the object is absent',
      pre: { ifGenerationMatch: 0 },
      current: undefined,
      holds: true,
    },
    {
      name: 'ifGenerationMatch=0 fails when the object exists',
      pre: { ifGenerationMatch: 0 },
      current: live,
      holds: false,
    },
    {
      name: 'ifGenerationMatch=N holds for generation N',
      pre: { ifGenerationMatch: 7 },
      current: live,
      holds: true,
    },
    {
      name: 'ifGenerationMatch=N fails for another generation',
      pre: { ifGenerationMatch: 6 },
      current: live,
      holds: false,
    },
    {
      name: 'ifGenerationMatch=N fails when absent',
      pre: { ifGenerationMatch: 7 },
      current: undefined,
      holds: false,
    },
    {
      name: 'ifGenerationNotMatch=N fails for generation N',
      pre: { ifGenerationNotMatch: 7 },
      current: live,
      holds: false,
    },
    {
      name: 'ifGenerationNotMatch=0 fails when absent',
      pre: { ifGenerationNotMatch: 0 },
      current: undefined,
      holds: false,
    },
    {
      name: 'ifMetagenerationMatch holds when equal',
      pre: { ifMetagenerationMatch: 2 },
      current: live,
      holds: true,
    },
    {
      name: 'ifMetagenerationMatch fails when different',
      pre: { ifMetagenerationMatch: 1 },
      current: live,
      holds: false,
    },
    {
      name: 'ifMetagenerationMatch fails when absent',
      pre: { ifMetagenerationMatch: 1 },
      current: undefined,
      holds: false,
    },
    {
      name: 'ifMetagenerationNotMatch fails when equal',
      pre: { ifMetagenerationNotMatch: 2 },
      current: live,
      holds: false,
    },
    { name: 'no preconditions always hold', pre: {}, current: live, holds: true },
  ];
  for (const { name, pre, current, holds } of cases) {
    it(name, () => {
      const check = () => checkPreconditions(pre, current);
      if (holds) assert.doesNotThrow(check);
      else assert.throws(check, { status: 412, reason: 'conditionNotMet' });
    });
  }
});

describe('parsePreconditions', () => {
  it('reads the four parameters as numbers and ignores others', () => {
    const query = new URLSearchParams('ifGenerationMatch=0&ifMetagenerationNotMatch=3&name=x');
    assert.deepEqual(parsePreconditions(query), { ifGenerationMatch: 0, ifMetagenerationNotMatch: 3 });
  });

  it('rejects a non-integer value with 400', () => {
    assert.throws(() => parsePreconditions(new URLSearchParams('ifGenerationMatch=abc')), { status: 400 });
  });
});
