// Tests of the status text of approval requests and of the duration wording.

import assert from 'node:assert/strict';
import type { ApprovalRequest } from './request.ts';
import { nextApprovalState } from './state-machine.ts';
import { at, bob, cara, executing, inEveryState, pending, review, succeed } from './test-fixtures.ts';
import { formatDuration, waitingFor } from './waiting-for.ts';

describe('waitingFor', () => {
  const cases: { name: string; request: () => ApprovalRequest; now: Date; text: string }[] = [
    {
      name: 'says one approval is missing and when the request expires',
      request: pending,
      now: at(0),
      text: '1 more approval from data-stewards, expires in 2 h',
    },
    {
      name: 'counts the approvals still missing and names every group',
      request: () => pending({}, { quorum: 3, groups: ['data-stewards', 'privacy-office', 'security'] }),
      now: at(45),
      text: '3 more approvals from data-stewards, privacy-office or security, expires in 1 h 15 min',
    },
    {
      name: 'counts an approval already given',
      request: () =>
        nextApprovalState(
          pending({}, { quorum: 2, groups: ['data-stewards', 'privacy-office'] }),
          review(bob, 'approve'),
          at(1),
        ),
      now: at(119.5),
      text: '1 more approval from data-stewards or privacy-office, expires in 30 s',
    },
    {
      name: 'reads a pending request past its expiry as expired',
      request: pending,
      now: at(121),
      text: 'expired without a decision',
    },
    {
      name: 'says how many approvals an expired request had',
      request: () =>
        nextApprovalState(
          nextApprovalState(pending({}, { quorum: 2 }), review(bob, 'approve'), at(1)),
          { type: 'expire' },
          at(120),
        ),
      now: at(130),
      text: 'expired with 1 of 2 approvals',
    },
    {
      name: 'says an approved request waits for execution',
      request: () => inEveryState().APPROVED,
      now: at(60),
      text: 'approved, waiting for execution, expires in 1 h',
    },
    {
      name: 'says the execution window of an approved request closed',
      request: () => inEveryState().APPROVED,
      now: at(120),
      text: 'approved, but the execution window has closed',
    },
    {
      name: 'names who denied a request and why',
      request: () => nextApprovalState(pending(), review(cara, 'deny', 'not minimum necessary'), at(5)),
      now: at(6),
      text: 'denied by cara@example.org: not minimum necessary',
    },
    {
      name: 'says the requester cancelled, with the reason',
      request: () =>
        nextApprovalState(
          pending(),
          { type: 'cancel', by: pending().requester as never, reason: 'typo' },
          at(5),
        ),
      now: at(6),
      text: 'cancelled by the requester: typo',
    },
    {
      name: 'says a claimed request is executing',
      request: executing,
      now: at(25),
      text: 'approved, executing',
    },
    {
      name: 'gives the row count and job of a success',
      request: () => nextApprovalState(executing(), succeed(), at(30)),
      now: at(31),
      text: 'executed: 12 rows (job job-42)',
    },
    {
      name: 'gives the error of a failure',
      request: () => inEveryState().FAILED,
      now: at(31),
      text: 'execution failed: BigQuery down',
    },
  ];
  for (const c of cases) it(c.name, () => assert.equal(waitingFor(c.request(), c.now), c.text));
});

describe('formatDuration', () => {
  const cases: { ms: number; text: string }[] = [
    { ms: 400, text: '1 s' },
    { ms: 59_999, text: '59 s' },
    { ms: 60_000, text: '1 min' },
    { ms: 45 * 60_000, text: '45 min' },
    { ms: 2 * 3_600_000, text: '2 h' },
    { ms: 2 * 3_600_000 + 59 * 60_000 + 59_000, text: '2 h 59 min' },
    { ms: 86_400_000, text: '1 d' },
    { ms: 86_400_000 + 4 * 3_600_000, text: '1 d 4 h' },
  ];
  for (const c of cases)
    it(`words ${c.ms} ms as "${c.text}"`, () => assert.equal(formatDuration(c.ms), c.text));
});
