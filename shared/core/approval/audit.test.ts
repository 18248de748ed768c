// Tests of the audit events of approval transitions: names, fields, JSON form, and what never appears.

import assert from 'node:assert/strict';
import { canonicalize } from '../audit/canonical-json.ts';
import { isWardenError } from '../errors.ts';
import { approvalAuditEvent } from './audit.ts';
import type { ApprovalRequest } from './request.ts';
import { nextApprovalState } from './state-machine.ts';
import { ann, approved, at, bob, cara, executing, pending, review, succeed } from './test-fixtures.ts';

const executor = { service: 'executor-1' };

describe('approvalAuditEvent', () => {
  const cases: {
    name: string;
    before: () => ApprovalRequest | undefined;
    after: (before: ApprovalRequest | undefined) => ApprovalRequest;
    actor: Parameters<typeof approvalAuditEvent>[2];
    expect: Record<string, unknown>;
  }[] = [
    {
      name: 'records a new request with its query, decision and requester but no parameter values',
      before: () => undefined,
      after: () => pending(),
      actor: ann,
      expect: {
        type: 'approval.requested',
        state: 'PENDING',
        reason: 'cohort study 7',
        reviewCount: 0,
        requiredGroups: ['data-stewards'],
        expiresAt: '2026-01-01T02:00:00.000Z',
      },
    },
    {
      name: 'records an approval that does not reach the quorum as a review',
      before: () => pending({}, { quorum: 2 }),
      after: (b) => nextApprovalState(b!, review(bob, 'approve', 'fine'), at(5)),
      actor: bob,
      expect: {
        type: 'approval.reviewed',
        state: 'PENDING',
        previousState: 'PENDING',
        reason: 'fine',
        reviewCount: 1,
        approvalCount: 1,
        quorum: 2,
      },
    },
    {
      name: 'records the approval that meets the quorum',
      before: pending,
      after: (b) => nextApprovalState(b!, review(bob, 'approve', 'fine'), at(5)),
      actor: bob,
      expect: {
        type: 'approval.approved',
        state: 'APPROVED',
        previousState: 'PENDING',
        reason: 'fine',
        reviewCount: 1,
      },
    },
    {
      name: 'records a deny with its reason',
      before: pending,
      after: (b) => nextApprovalState(b!, review(cara, 'deny', 'too broad'), at(5)),
      actor: cara,
      expect: { type: 'approval.denied', state: 'DENIED', reason: 'too broad', approvalCount: 0 },
    },
    {
      name: 'records an expiry by the sweeper',
      before: pending,
      after: (b) => nextApprovalState(b!, { type: 'expire' }, at(120)),
      actor: { service: 'expiry-sweeper' },
      expect: { type: 'approval.expired', state: 'EXPIRED', actor: { service: 'expiry-sweeper' } },
    },
    {
      name: 'records a cancel with its reason',
      before: pending,
      after: (b) => nextApprovalState(b!, { type: 'cancel', by: ann, reason: 'typo' }, at(5)),
      actor: ann,
      expect: { type: 'approval.cancelled', state: 'CANCELLED', reason: 'typo' },
    },
    {
      name: 'records a claim with the executor',
      before: approved,
      after: (b) => nextApprovalState(b!, { type: 'claim', executor: 'executor-1' }, at(20)),
      actor: executor,
      expect: {
        type: 'approval.claimed',
        state: 'EXECUTING',
        previousState: 'APPROVED',
        claimedBy: 'executor-1',
      },
    },
    {
      name: 'records a success with the row count, never the rows',
      before: executing,
      after: (b) => nextApprovalState(b!, succeed(), at(30)),
      actor: executor,
      expect: {
        type: 'approval.succeeded',
        jobId: 'job-42',
        rowCount: 12,
        maskedColumns: ['mrn'],
        resultLocation: 'results/req-1.json',
      },
    },
    {
      name: 'records a failure with its error',
      before: executing,
      after: (b) =>
        nextApprovalState(b!, { type: 'fail', error: { kind: 'unavailable', message: 'down' } }, at(30)),
      actor: executor,
      expect: { type: 'approval.failed', state: 'FAILED', error: { kind: 'unavailable', message: 'down' } },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const before = c.before();
      const after = c.after(before);
      const event = approvalAuditEvent(before, after, c.actor);
      for (const [k, v] of Object.entries(c.expect)) assert.deepEqual(event[k], v, k);
      assert.equal(event.requestId, 'req-1');
      assert.equal(event['bindingSha256'], after.bindingSha256);
      assert.equal(event['policyVersion'], 'sha256:policy-1');
      // JSON-compatible: it survives a JSON round trip unchanged and canonicalizes.
      assert.deepEqual(JSON.parse(JSON.stringify(event)), event);
      const text = canonicalize(event);
      assert.equal(text.includes('MRN-12345'), false, 'parameter values never appear');
      assert.equal(
        text.includes('SELECT'),
        c.expect['type'] === 'approval.requested',
        'SQL only when requested',
      );
      assert.equal('rows' in event, false, 'no result rows');
    });
  }

  it('records the review with its approver in review events', () => {
    const event = approvalAuditEvent(
      pending(),
      nextApprovalState(pending(), review(bob, 'approve', 'ok'), at(5)),
      bob,
    );
    assert.deepEqual(event['review'], {
      approver: { subject: 'bob', issuer: 'https://idp.example', email: 'bob@example.org' },
      decision: 'approve',
      reason: 'ok',
      at: '2026-01-01T00:05:00.000Z',
    });
    assert.deepEqual(event['actor'], {
      subject: 'bob',
      issuer: 'https://idp.example',
      email: 'bob@example.org',
      groups: ['data-stewards'],
      actorChain: [],
    });
  });

  it('refuses to describe a non-transition', () => {
    assert.throws(
      () => approvalAuditEvent(pending(), pending(), ann),
      (e) => isWardenError(e, 'internal'),
    );
  });
});
