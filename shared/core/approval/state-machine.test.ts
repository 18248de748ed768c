// Tests of the approval state machine: transitions, review rules, quorum, expiry, cancel, claim, purity.

import assert from 'node:assert/strict';
import { isWardenError, type WardenErrorKind } from '../errors.ts';
import type { ApprovalRequest, ApprovalState } from './request.ts';
import { type ApprovalEvent, isExpired, nextApprovalState, withExpiry } from './state-machine.ts';
import {
  ann,
  approved,
  at,
  bob,
  cara,
  dan,
  deepFreeze,
  executing,
  inEveryState,
  pending,
  person,
  review,
  root,
  succeed,
  T0,
  undefinedPaths,
} from './test-fixtures.ts';

/** Asserts `fn` throws a WardenError of `kind`. */
function throwsKind(fn: () => unknown, kind: WardenErrorKind): void {
  assert.throws(fn, (e) => {
    assert.ok(isWardenError(e), `expected a WardenError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    return true;
  });
}

/** Every state, in order. */
const ALL_STATES: Record<ApprovalState, true> = {
  PENDING: true,
  APPROVED: true,
  DENIED: true,
  EXPIRED: true,
  CANCELLED: true,
  EXECUTING: true,
  SUCCEEDED: true,
  FAILED: true,
};

describe('nextApprovalState', () => {
  describe('legal transitions', () => {
    const cases: {
      name: string;
      from: () => ApprovalRequest;
      event: ApprovalEvent;
      now: Date;
      state: ApprovalState;
      check: (after: ApprovalRequest) => void;
    }[] = [
      {
        name: 'approves a request when one approval meets a quorum of 1',
        from: () => pending(),
        event: review(bob, 'approve', 'needed for the study'),
        now: at(10),
        state: 'APPROVED',
        check: (r) =>
          assert.deepEqual(r.reviews, [
            {
              approver: { subject: 'bob', issuer: 'https://idp.example', email: 'bob@example.org' },
              decision: 'approve',
              reason: 'needed for the study',
              at: at(10),
            },
          ]),
      },
      {
        name: 'keeps a request pending with one approval of a quorum of 2',
        from: () => pending({}, { quorum: 2 }),
        event: review(bob, 'approve'),
        now: at(10),
        state: 'PENDING',
        check: (r) => assert.equal(r.reviews.length, 1),
      },
      {
        name: 'approves a quorum-2 request on the second distinct approver',
        from: () => nextApprovalState(pending({}, { quorum: 2 }), review(bob, 'approve'), at(5)),
        event: review(cara, 'approve'),
        now: at(10),
        state: 'APPROVED',
        check: (r) =>
          assert.deepEqual(
            r.reviews.map((x) => x.approver.subject),
            ['bob', 'cara'],
          ),
      },
      {
        name: 'denies a request on a single deny',
        from: () => pending(),
        event: review(bob, 'deny', 'not minimum necessary'),
        now: at(10),
        state: 'DENIED',
        check: (r) => assert.equal(r.reviews[0]?.reason, 'not minimum necessary'),
      },
      {
        name: 'lets one deny win over an earlier approval',
        from: () => nextApprovalState(pending({}, { quorum: 2 }), review(bob, 'approve'), at(5)),
        event: review(cara, 'deny'),
        now: at(10),
        state: 'DENIED',
        check: (r) => assert.equal(r.reviews.length, 2),
      },
      {
        name: 'trims the review reason it records',
        from: () => pending(),
        event: review(bob, 'approve', '  study 7  '),
        now: at(10),
        state: 'APPROVED',
        check: (r) => assert.equal(r.reviews[0]?.reason, 'study 7'),
      },
      {
        name: 'counts approvers without emails as distinct people',
        from: () => pending({ requester: { ...ann, email: undefined } as never }, { quorum: 2 }),
        event: review({ ...bob, email: undefined } as never, 'approve'),
        now: at(10),
        state: 'PENDING',
        check: (r) => assert.equal(r.reviews.length, 1),
      },
      {
        name: 'treats the same subject at another issuer as another person',
        from: () => pending(),
        event: review(
          { ...ann, issuer: 'https://other-idp.example', email: undefined, groups: ['data-stewards'] },
          'approve',
        ),
        now: at(10),
        state: 'APPROVED',
        check: (r) => assert.equal(r.reviews[0]?.approver.issuer, 'https://other-idp.example'),
      },
      {
        name: 'expires a pending request at its expiry',
        from: () => pending(),
        event: { type: 'expire' },
        now: at(120),
        state: 'EXPIRED',
        check: (r) => assert.deepEqual(r.updatedAt, at(120)),
      },
      {
        name: 'cancels a pending request for its requester, keeping the reason',
        from: () => pending(),
        event: { type: 'cancel', by: ann, reason: 'wrong cohort' },
        now: at(10),
        state: 'CANCELLED',
        check: (r) =>
          assert.deepEqual(r.cancellation, {
            by: { subject: 'ann', issuer: 'https://idp.example', email: 'ann@example.org' },
            reason: 'wrong cohort',
            at: at(10),
          }),
      },
      {
        name: 'claims an approved request for an executor',
        from: approved,
        event: { type: 'claim', executor: 'executor-1' },
        now: at(20),
        state: 'EXECUTING',
        check: (r) => assert.deepEqual(r.execution, { claimedAt: at(20), claimedBy: 'executor-1' }),
      },
      {
        name: 'records the job, row count, masked columns and result location of a success',
        from: executing,
        event: succeed(),
        now: at(30),
        state: 'SUCCEEDED',
        check: (r) =>
          assert.deepEqual(r.execution, {
            claimedAt: at(20),
            claimedBy: 'executor-1',
            jobId: 'job-42',
            rows: 12,
            maskedColumns: ['mrn'],
            resultLocation: 'results/req-1.json',
            finishedAt: at(30),
          }),
      },
      {
        name: 'records the error of a failure',
        from: executing,
        event: { type: 'fail', error: { kind: 'unavailable', message: 'BigQuery down' } },
        now: at(30),
        state: 'FAILED',
        check: (r) => {
          assert.deepEqual(r.execution.error, { kind: 'unavailable', message: 'BigQuery down' });
          assert.deepEqual(r.execution.finishedAt, at(30));
        },
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const before = deepFreeze(c.from());
        const snapshot = structuredClone(before);
        const after = nextApprovalState(before, c.event, c.now);
        assert.equal(after.state, c.state);
        c.check(after);
        assert.notEqual(after, before);
        assert.deepEqual(before, snapshot, 'the input is unchanged');
        assert.deepEqual(after.updatedAt, c.now);
        assert.equal(after.version, before.version, 'the version is the store’s to bump');
        assert.deepEqual(undefinedPaths(after), []);
      });
    }
  });

  describe('illegal transitions', () => {
    const events: Record<string, ApprovalEvent> = {
      review: review(cara, 'approve'),
      cancel: { type: 'cancel', by: ann },
      expire: { type: 'expire' },
      claim: { type: 'claim', executor: 'executor-2' },
      succeed: succeed(),
      fail: { type: 'fail', error: { kind: 'internal', message: 'boom' } },
    };
    // Everything not listed as legal in the state machine, at a time before expiry.
    const refusals: [ApprovalState, keyof typeof events, WardenErrorKind][] = [
      ['PENDING', 'expire', 'conflict'], // not yet expired
      ['PENDING', 'claim', 'conflict'],
      ['PENDING', 'succeed', 'conflict'],
      ['PENDING', 'fail', 'conflict'],
      ['APPROVED', 'review', 'conflict'],
      ['APPROVED', 'cancel', 'conflict'],
      ['APPROVED', 'expire', 'conflict'],
      ['APPROVED', 'succeed', 'conflict'],
      ['APPROVED', 'fail', 'conflict'],
      ['DENIED', 'review', 'conflict'],
      ['DENIED', 'cancel', 'conflict'],
      ['DENIED', 'expire', 'conflict'],
      ['DENIED', 'claim', 'conflict'],
      ['DENIED', 'succeed', 'conflict'],
      ['DENIED', 'fail', 'conflict'],
      ['EXPIRED', 'review', 'failed_precondition'],
      ['EXPIRED', 'cancel', 'failed_precondition'],
      ['EXPIRED', 'expire', 'conflict'],
      ['EXPIRED', 'claim', 'failed_precondition'],
      ['EXPIRED', 'succeed', 'conflict'],
      ['EXPIRED', 'fail', 'conflict'],
      ['CANCELLED', 'review', 'conflict'],
      ['CANCELLED', 'cancel', 'conflict'],
      ['CANCELLED', 'expire', 'conflict'],
      ['CANCELLED', 'claim', 'conflict'],
      ['CANCELLED', 'succeed', 'conflict'],
      ['CANCELLED', 'fail', 'conflict'],
      ['EXECUTING', 'review', 'conflict'],
      ['EXECUTING', 'cancel', 'conflict'],
      ['EXECUTING', 'expire', 'conflict'],
      ['EXECUTING', 'claim', 'conflict'],
      ['SUCCEEDED', 'review', 'conflict'],
      ['SUCCEEDED', 'cancel', 'conflict'],
      ['SUCCEEDED', 'expire', 'conflict'],
      ['SUCCEEDED', 'claim', 'conflict'],
      ['SUCCEEDED', 'succeed', 'conflict'],
      ['SUCCEEDED', 'fail', 'conflict'],
      ['FAILED', 'review', 'conflict'],
      ['FAILED', 'cancel', 'conflict'],
      ['FAILED', 'expire', 'conflict'],
      ['FAILED', 'claim', 'conflict'],
      ['FAILED', 'succeed', 'conflict'],
      ['FAILED', 'fail', 'conflict'],
    ];
    const states = Object.keys(ALL_STATES) as ApprovalState[];
    for (const [state, event, kind] of refusals) {
      it(`refuses ${event} of a ${state} request with ${kind}`, () => {
        const before = deepFreeze(inEveryState()[state]);
        throwsKind(() => nextApprovalState(before, events[event]!, at(40)), kind);
      });
    }
    it('covers every state and event pair that is not a legal transition', () => {
      const legal = [
        'PENDING:review',
        'PENDING:cancel',
        'APPROVED:claim',
        'EXECUTING:succeed',
        'EXECUTING:fail',
      ];
      const all = states.flatMap((s) => Object.keys(events).map((e) => `${s}:${e}`));
      const listed = refusals.map(([s, e]) => `${s}:${e}`);
      assert.deepEqual([...listed, ...legal].sort(), all.sort());
    });
  });

  describe('review rules', () => {
    const cases: {
      name: string;
      from?: () => ApprovalRequest;
      event: ApprovalEvent;
      kind: WardenErrorKind;
    }[] = [
      {
        name: 'refuses the requester approving their own request',
        from: () => pending({ requester: { ...ann, groups: ['analysts', 'data-stewards'] } }),
        event: review({ ...ann, groups: ['analysts', 'data-stewards'] }, 'approve'),
        kind: 'forbidden',
      },
      {
        name: 'refuses the requester denying their own request',
        from: () => pending({ requester: { ...ann, groups: ['data-stewards'] } }),
        event: review({ ...ann, groups: ['data-stewards'] }, 'deny'),
        kind: 'forbidden',
      },
      {
        name: 'refuses an administrator approving their own request',
        from: () => pending({ requester: root }),
        event: review(root, 'approve'),
        kind: 'forbidden',
      },
      {
        name: 'refuses a self-approval under another identity with the same verified email',
        event: review(
          { ...bob, subject: 'ann-alt', issuer: 'https://other-idp.example', email: 'ann@example.org' },
          'approve',
        ),
        kind: 'forbidden',
      },
      {
        name: 'refuses a self-approval whose email differs only in case',
        event: review({ ...bob, subject: 'ann-2', email: 'Ann@Example.ORG' }, 'approve'),
        kind: 'forbidden',
      },
      {
        name: 'refuses a self-approval from a plus-address of the requester',
        event: review({ ...bob, subject: 'ann-3', email: 'ann+approver@example.org' }, 'approve'),
        kind: 'forbidden',
      },
      {
        name: 'refuses a self-approval whose email has a trailing space, a zero-width space or fullwidth letters',
        event: review({ ...bob, subject: 'ann-4', email: 'ａnn\u200b@example.org ' }, 'approve'),
        kind: 'forbidden',
      },
      {
        name: 'refuses a review whose reason is made of invisible characters only',
        event: review(bob, 'approve', '\u200b\u200d\u2060\u3164'),
        kind: 'invalid_argument',
      },
      {
        name: 'refuses the person the request acts for approving it',
        from: () => pending({ requester: person('mcp-server', ['services']), onBehalfOf: { ...cara } }),
        event: review(cara, 'approve'),
        kind: 'forbidden',
      },
      {
        name: 'refuses the person acted for, taken from the requester principal, approving it',
        from: () => pending({ requester: person('mcp-server', ['services'], { onBehalfOf: { ...cara } }) }),
        event: review(cara, 'approve'),
        kind: 'forbidden',
      },
      {
        name: 'refuses a service carrying the requester’s own decision',
        event: review(
          person('slack-bot', ['data-stewards'], { onBehalfOf: { ...ann, groups: ['data-stewards'] } }),
          'approve',
        ),
        kind: 'forbidden',
      },
      {
        name: "refuses a review a service carries with a person's token (on-behalf-of), even an approver's",
        event: review(person('slack-bot', [], { onBehalfOf: { ...bob } }), 'approve'),
        kind: 'forbidden',
      },
      {
        name: 'refuses an approval of a binding other than the request’s (it changed since it was reviewed)',
        event: { ...review(bob, 'approve'), binding: '0'.repeat(64) },
        kind: 'conflict',
      },
      {
        name: 'refuses to review a request whose stored fields no longer match its binding',
        from: () => {
          const r = pending();
          return { ...r, decision: { ...r.decision, maskingProfile: 'none' } };
        },
        event: review(bob, 'approve'),
        kind: 'integrity',
      },
      {
        name: 'refuses a reviewer outside the required groups',
        event: review(dan, 'approve'),
        kind: 'forbidden',
      },
      {
        name: 'refuses a deny from a reviewer outside the required groups',
        event: review(dan, 'deny'),
        kind: 'forbidden',
      },
      {
        name: 'refuses a service in the groups carrying the decision of a person outside them',
        event: review(person('slack-bot', ['data-stewards'], { onBehalfOf: { ...dan } }), 'approve'),
        kind: 'forbidden',
      },
      {
        name: 'refuses a second review by the same approver',
        from: () => nextApprovalState(pending({}, { quorum: 2 }), review(bob, 'approve'), at(5)),
        event: review(bob, 'approve'),
        kind: 'forbidden',
      },
      {
        name: 'refuses a second review by the same approver under another identity with the same email',
        from: () => nextApprovalState(pending({}, { quorum: 2 }), review(bob, 'approve'), at(5)),
        event: review({ ...bob, subject: 'bob-2', issuer: 'https://other-idp.example' }, 'approve'),
        kind: 'forbidden',
      },
      {
        name: 'refuses an approval without a reason',
        event: review(bob, 'approve', ''),
        kind: 'invalid_argument',
      },
      {
        name: 'refuses a deny whose reason is blank',
        event: review(bob, 'deny', '   '),
        kind: 'invalid_argument',
      },
      {
        name: 'refuses a reason longer than 2000 characters',
        event: review(bob, 'approve', 'x'.repeat(2001)),
        kind: 'invalid_argument',
      },
      {
        name: 'refuses a review with an unknown decision',
        event: { ...review(bob, 'approve'), decision: 'maybe' as 'approve' },
        kind: 'invalid_argument',
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const before = deepFreeze((c.from ?? pending)());
        throwsKind(() => nextApprovalState(before, c.event, at(10)), c.kind);
      });
    }
  });

  describe('quorum', () => {
    it('needs two distinct approvers for a quorum of 2', () => {
      const one = nextApprovalState(pending({}, { quorum: 2 }), review(bob, 'approve'), at(5));
      assert.equal(one.state, 'PENDING');
      throwsKind(() => nextApprovalState(one, review(bob, 'approve', 'again'), at(6)), 'forbidden');
      const two = nextApprovalState(one, review(cara, 'approve'), at(7));
      assert.equal(two.state, 'APPROVED');
    });
  });

  describe('cancel', () => {
    const cases: { name: string; by: typeof ann; from?: () => ApprovalRequest }[] = [
      { name: 'refuses a cancel by an approver', by: bob },
      {
        name: 'refuses a cancel by another identity sharing the requester’s email',
        by: { ...dan, email: 'ann@example.org' },
      },
      {
        name: 'refuses a cancel by the person the request acts for',
        by: cara,
        from: () => pending({ requester: person('mcp-server', ['services']), onBehalfOf: { ...cara } }),
      },
    ];
    for (const c of cases) {
      it(c.name, () =>
        throwsKind(
          () => nextApprovalState((c.from ?? pending)(), { type: 'cancel', by: c.by }, at(10)),
          'forbidden',
        ),
      );
    }
    it('omits a blank cancel reason', () => {
      const r = nextApprovalState(pending(), { type: 'cancel', by: ann, reason: '  ' }, at(10));
      assert.deepEqual(r.cancellation, {
        by: { subject: 'ann', issuer: 'https://idp.example', email: 'ann@example.org' },
        at: at(10),
      });
    });
  });

  describe('claim', () => {
    it('refuses a second claim of the same request with conflict', () => {
      const claimed = nextApprovalState(approved(), { type: 'claim', executor: 'executor-1' }, at(20));
      throwsKind(
        () => nextApprovalState(claimed, { type: 'claim', executor: 'executor-2' }, at(21)),
        'conflict',
      );
    });
    const cases: { name: string; from: () => ApprovalRequest; executor: string; kind: WardenErrorKind }[] = [
      {
        name: 'refuses to claim a request whose SQL changed after approval',
        from: () => ({ ...approved(), sql: 'SELECT * FROM clinical.patients' }),
        executor: 'executor-1',
        kind: 'integrity',
      },
      {
        name: 'refuses to claim a request whose parameters changed after approval',
        from: () => ({ ...approved(), params: [{ name: 'mrn', type: 'STRING', value: 'MRN-99999' }] }),
        executor: 'executor-1',
        kind: 'integrity',
      },
      { name: 'refuses a claim naming no executor', from: approved, executor: ' ', kind: 'invalid_argument' },
    ];
    for (const c of cases) {
      it(c.name, () =>
        throwsKind(
          () => nextApprovalState(c.from(), { type: 'claim', executor: c.executor }, at(20)),
          c.kind,
        ),
      );
    }
  });

  describe('execution outcomes', () => {
    const cases: { name: string; event: ApprovalEvent }[] = [
      { name: 'refuses a success without a job id', event: { ...succeed(), jobId: '' } },
      { name: 'refuses a success with a negative row count', event: { ...succeed(), rows: -1 } },
      { name: 'refuses a success with a fractional row count', event: { ...succeed(), rows: 1.5 } },
      { name: 'refuses a failure without an error', event: { type: 'fail', error: undefined as never } },
    ];
    for (const c of cases) {
      it(c.name, () => throwsKind(() => nextApprovalState(executing(), c.event, at(30)), 'invalid_argument'));
    }
    it('omits a missing result location rather than storing undefined', () => {
      const { resultLocation: _omitted, ...event } = succeed();
      const r = nextApprovalState(executing(), event, at(30));
      assert.equal('resultLocation' in r.execution, false);
    });
    it('records a success after the approval expired (the claim came in time)', () => {
      const r = nextApprovalState(executing(), succeed(), at(600));
      assert.equal(r.state, 'SUCCEEDED');
    });
  });

  describe('expiry', () => {
    const expiredCases: { name: string; from: () => ApprovalRequest; event: ApprovalEvent; now: Date }[] = [
      {
        name: 'refuses an approval after its expiry',
        from: pending,
        event: review(bob, 'approve'),
        now: at(121),
      },
      {
        name: 'refuses an approval exactly at its expiry',
        from: pending,
        event: review(bob, 'approve'),
        now: at(120),
      },
      { name: 'refuses a deny after its expiry', from: pending, event: review(bob, 'deny'), now: at(121) },
      {
        name: 'refuses a cancel after its expiry',
        from: pending,
        event: { type: 'cancel', by: ann },
        now: at(121),
      },
      {
        name: 'refuses a claim of an approved request after its expiry',
        from: approved,
        event: { type: 'claim', executor: 'executor-1' },
        now: at(121),
      },
      {
        name: 'refuses a review of a request whose stored expiry is not a valid date',
        from: () => ({ ...pending(), expiresAt: new Date(Number.NaN) }),
        event: review(bob, 'approve'),
        now: at(1),
      },
    ];
    for (const c of expiredCases) {
      it(c.name, () => throwsKind(() => nextApprovalState(c.from(), c.event, c.now), 'failed_precondition'));
    }
    it('refuses a transition at an invalid current time', () =>
      throwsKind(
        () => nextApprovalState(pending(), review(bob, 'approve'), new Date(Number.NaN)),
        'invalid_argument',
      ));
    it('accepts an approval one millisecond before expiry', () => {
      const r = nextApprovalState(pending(), review(bob, 'approve'), new Date(at(120).getTime() - 1));
      assert.equal(r.state, 'APPROVED');
    });
  });
});

describe('isExpired', () => {
  const cases: { name: string; state: ApprovalState; now: Date; expired: boolean }[] = [
    {
      name: 'a pending request before its expiry is live',
      state: 'PENDING',
      now: at(119),
      expired: false,
    },
    {
      name: 'a pending request at its expiry is expired',
      state: 'PENDING',
      now: at(120),
      expired: true,
    },
    {
      name: 'a pending request past its expiry is expired',
      state: 'PENDING',
      now: at(500),
      expired: true,
    },
    {
      name: 'an approved request past its expiry is expired',
      state: 'APPROVED',
      now: at(121),
      expired: true,
    },
    {
      name: 'an approved request before its expiry is live',
      state: 'APPROVED',
      now: at(60),
      expired: false,
    },
    { name: 'an EXPIRED request is expired at any time', state: 'EXPIRED', now: T0, expired: true },
    { name: 'an executing request does not expire', state: 'EXECUTING', now: at(500), expired: false },
    { name: 'a denied request does not expire', state: 'DENIED', now: at(500), expired: false },
  ];
  for (const c of cases) it(c.name, () => assert.equal(isExpired(inEveryState()[c.state], c.now), c.expired));
});

describe('withExpiry', () => {
  it('reads a pending request past its expiry as EXPIRED, leaving the input unchanged', () => {
    const stored = deepFreeze(pending());
    const read = withExpiry(stored, at(121));
    assert.equal(read.state, 'EXPIRED');
    assert.deepEqual(read.updatedAt, at(121));
    assert.equal(stored.state, 'PENDING');
  });
  const unchanged: { name: string; request: () => ApprovalRequest; now: Date }[] = [
    { name: 'returns a live pending request as it is', request: pending, now: at(119) },
    {
      name: 'returns an approved request past its expiry as it is (its claim is refused)',
      request: approved,
      now: at(121),
    },
    { name: 'returns a denied request as it is', request: () => inEveryState().DENIED, now: at(500) },
  ];
  for (const c of unchanged) {
    it(c.name, () => {
      const r = c.request();
      assert.equal(withExpiry(r, c.now), r);
    });
  }
});
