// Tests for bucket retention rules: object expiry and how a policy may change.

import assert from 'node:assert/strict';
import type { BucketRecord, ObjectRecord, RetentionPolicyRecord } from './records.ts';
import {
  assertRetentionMet,
  lockedPolicy,
  policyForInsert,
  policyForPatch,
  retentionExpiry,
} from './retention.ts';

const T0 = '2030-01-01T00:00:00.000Z';
const LATER = new Date('2030-02-01T00:00:00.000Z');

function bucket(policy?: RetentionPolicyRecord): BucketRecord {
  return {
    name: 'b',
    projectId: 'p',
    timeCreated: T0,
    updated: T0,
    metageneration: 1,
    labels: {},
    retentionPolicy: policy,
  };
}

const object: ObjectRecord = {
  bucket: 'b',
  name: 'o',
  generation: 1,
  metageneration: 1,
  size: 0,
  md5Hash: '',
  crc32c: '',
  contentType: 'text/plain',
  timeCreated: T0,
  updated: T0,
};

const unlocked: RetentionPolicyRecord = { retentionPeriodSeconds: 100, effectiveTime: T0, isLocked: false };
const locked: RetentionPolicyRecord = { ...unlocked, isLocked: true };

describe('assertRetentionMet', () => {
  const cases = [
    { name: 'allows anything without a policy', policy: undefined, secondsLater: 0, refused: false },
    { name: 'refuses just before the period ends', policy: unlocked, secondsLater: 99.999, refused: true },
    { name: 'allows exactly when the period ends', policy: unlocked, secondsLater: 100, refused: false },
    { name: 'applies an unlocked policy like a locked one', policy: locked, secondsLater: 50, refused: true },
  ];
  for (const { name, policy, secondsLater, refused } of cases) {
    it(name, () => {
      const now = new Date(Date.parse(T0) + secondsLater * 1000);
      const check = () => assertRetentionMet(object, bucket(policy), now);
      if (refused) assert.throws(check, { status: 403, reason: 'retentionPolicyNotMet' });
      else assert.doesNotThrow(check);
    });
  }

  it('computes the expiry from the bucket policy in force (retroactively)', () => {
    assert.equal(retentionExpiry(object, bucket(unlocked))?.toISOString(), '2030-01-01T00:01:40.000Z');
    assert.equal(retentionExpiry(object, bucket()), undefined);
  });
});

describe('policyForPatch', () => {
  const cases = [
    {
      name: 'lengthens a locked policy',
      current: locked,
      requested: { retentionPeriod: '200' },
      seconds: 200,
    },
    {
      name: 'shortens an unlocked policy',
      current: unlocked,
      requested: { retentionPeriod: '10' },
      seconds: 10,
    },
    {
      name: 'adds a policy to a bucket without one',
      current: undefined,
      requested: { retentionPeriod: 5 },
      seconds: 5,
    },
    { name: 'removes an unlocked policy', current: unlocked, requested: null, seconds: undefined },
  ];
  for (const { name, current, requested, seconds } of cases) {
    it(name, () => {
      const next = policyForPatch(current, requested, 'b', LATER);
      assert.equal(next?.retentionPeriodSeconds, seconds);
      if (next) assert.equal(next.isLocked, current?.isLocked ?? false);
    });
  }

  it('keeps effectiveTime when the period does not change', () => {
    assert.equal(policyForPatch(locked, { retentionPeriod: '100' }, 'b', LATER)?.effectiveTime, T0);
  });

  it('moves effectiveTime to now when the period changes', () => {
    assert.equal(
      policyForPatch(locked, { retentionPeriod: '101' }, 'b', LATER)?.effectiveTime,
      LATER.toISOString(),
    );
  });

  const refusals = [
    {
      name: 'shortening a locked policy',
      current: locked,
      requested: { retentionPeriod: '99' },
      status: 403,
    },
    { name: 'removing a locked policy', current: locked, requested: null, status: 403 },
    {
      name: 'unlocking through patch',
      current: locked,
      requested: { retentionPeriod: '100', isLocked: false },
      status: 400,
    },
    {
      name: 'locking through patch',
      current: unlocked,
      requested: { retentionPeriod: '100', isLocked: true },
      status: 400,
    },
    { name: 'a zero period', current: unlocked, requested: { retentionPeriod: '0' }, status: 400 },
    { name: 'a non-numeric period', current: unlocked, requested: { retentionPeriod: '1d' }, status: 400 },
    {
      name: 'a period over 100 years',
      current: unlocked,
      requested: { retentionPeriod: '3155760001' },
      status: 400,
    },
  ];
  for (const { name, current, requested, status } of refusals) {
    it(`refuses ${name} (${status})`, () => {
      assert.throws(() => policyForPatch(current, requested, 'b', LATER), { status });
    });
  }
});

describe('policyForInsert and lockedPolicy', () => {
  it('creates an unlocked policy effective now', () => {
    assert.deepEqual(policyForInsert({ retentionPeriod: '60' }, 'b', LATER), {
      retentionPeriodSeconds: 60,
      effectiveTime: LATER.toISOString(),
      isLocked: false,
    });
  });

  it('refuses a lock at insertion (400)', () => {
    assert.throws(() => policyForInsert({ retentionPeriod: '60', isLocked: true }, 'b', LATER), {
      status: 400,
    });
  });

  it('locks an unlocked policy and refuses to lock twice or lock nothing', () => {
    assert.deepEqual(lockedPolicy(unlocked, 'b'), locked);
    assert.throws(() => lockedPolicy(locked, 'b'), { status: 400 });
    assert.throws(() => lockedPolicy(undefined, 'b'), { status: 400 });
  });
});
