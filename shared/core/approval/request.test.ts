// Tests of the approval request document: creation from a decision, the binding hash, the requester principal.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { canonicalize, type Json } from '../audit/canonical-json.ts';
import { isWardenError } from '../errors.ts';
import type { Decision } from '../policy/evaluate.ts';
import { type ApprovalRequest, approvalBinding, isBindingIntact, requesterPrincipal } from './request.ts';
import {
  ann,
  approvalDecision,
  at,
  cara,
  deepFreeze,
  FACTS,
  pending,
  person,
  T0,
  undefinedPaths,
} from './test-fixtures.ts';

describe('createApprovalRequest', () => {
  it('parks a PENDING request with the decision’s groups, quorum and expiry', () => {
    const r = pending({}, { groups: ['data-stewards', 'privacy-office'], quorum: 2, ttlSeconds: 3600 });
    assert.equal(r.state, 'PENDING');
    assert.deepEqual(r.requiredGroups, ['data-stewards', 'privacy-office']);
    assert.equal(r.quorum, 2);
    assert.deepEqual(r.createdAt, T0);
    assert.deepEqual(r.expiresAt, at(60));
    assert.deepEqual(r.reviews, []);
    assert.deepEqual(r.execution, {});
    assert.equal(r.version, 0);
    assert.equal(r.rule, 'phi-needs-approval');
    assert.equal(r.policyVersion, 'sha256:policy-1');
    assert.equal(r.totalBytesProcessed, '123456');
    assert.deepEqual(r.referencedTables, FACTS.referencedTables);
    assert.equal(r.reason, 'cohort study 7');
    assert.deepEqual(r.requester, {
      subject: 'ann',
      issuer: 'https://idp.example',
      email: 'ann@example.org',
      groups: ['analysts'],
      actorChain: [],
    });
  });

  it('hashes the RFC 8785 canonical JSON of everything the approval governs', () => {
    const r = pending({ projectId: 'p', sql: 'SELECT @b', params: [{ value: 1, type: 'INT64', name: 'b' }] });
    const binding = approvalBinding(r) as Record<string, unknown>;
    assert.deepEqual(Object.keys(binding).sort(), [
      'decision',
      'expiresAt',
      'id',
      'onBehalfOf',
      'params',
      'policyVersion',
      'projectId',
      'quorum',
      'referencedTables',
      'requester',
      'requiredGroups',
      'rule',
      'sql',
      'statementType',
      'totalBytesProcessed',
      'v',
    ]);
    assert.equal(
      r.bindingSha256,
      createHash('sha256')
        .update(canonicalize(binding as Json))
        .digest('hex'),
    );
  });

  it('binds an empty parameter list when none is given', () => {
    const r = pending({ params: undefined });
    assert.deepEqual(r.params, []);
    assert.equal(isBindingIntact(r), true);
  });

  it('takes the person acted for from the requester principal when not given', () => {
    const r = pending({ requester: person('mcp-server', ['services'], { onBehalfOf: { ...cara } }) });
    assert.deepEqual(r.onBehalfOf, {
      subject: 'cara',
      issuer: 'https://idp.example',
      email: 'cara@example.org',
      groups: ['data-stewards'],
    });
  });

  it('writes no undefined values (Firestore refuses them)', () => {
    const r = pending({ reason: undefined, requester: { ...ann, email: undefined } as never });
    assert.deepEqual(undefinedPaths(r), []);
    assert.equal('reason' in r, false);
    assert.equal('email' in r.requester, false);
  });

  it('drops undefined members of the decision it keeps', () => {
    const decision = { ...approvalDecision(), maskingProfile: undefined } as unknown as Decision;
    assert.deepEqual(undefinedPaths(pending({ decision })), []);
  });

  it('copies its inputs, so later changes to them do not reach the request', () => {
    const decision = approvalDecision();
    const groups = ['analysts'];
    const r = pending({ decision, requester: { ...ann, groups } });
    decision.approval!.groups.push('everyone');
    groups.push('data-stewards');
    assert.deepEqual(r.requiredGroups, ['data-stewards']);
    assert.deepEqual(r.decision.approval?.groups, ['data-stewards']);
    assert.deepEqual(r.requester.groups, ['analysts']);
  });

  it('accepts deep-frozen inputs', () => {
    const r = pending({
      requester: deepFreeze(person('eve', ['analysts'])),
      decision: deepFreeze(approvalDecision()),
    });
    assert.equal(r.requester.subject, 'eve');
  });

  const refusals: {
    name: string;
    input: Parameters<typeof pending>[0];
    approval?: Parameters<typeof pending>[1];
  }[] = [
    {
      name: 'refuses a missing reason the decision requires',
      input: { reason: undefined },
      approval: { reasonRequired: true },
    },
    {
      name: 'refuses a blank reason the decision requires',
      input: { reason: '  ' },
      approval: { reasonRequired: true },
    },
    {
      name: 'refuses a decision that allows the query',
      input: { decision: { ...approvalDecision(), effect: 'allow' } },
    },
    {
      name: 'refuses a decision without an approval requirement',
      input: { decision: { ...approvalDecision(), approval: undefined } as Decision },
    },
    { name: 'refuses an approval requirement without groups', input: {}, approval: { groups: [] } },
    { name: 'refuses a quorum of 0', input: {}, approval: { quorum: 0 } },
    { name: 'refuses a lifetime of 0', input: {}, approval: { ttlSeconds: 0 } },
    { name: 'refuses an id with a slash', input: { id: 'a/b' } },
    { name: 'refuses blank SQL', input: { sql: '  ' } },
    {
      name: 'refuses two parameters with the same name',
      input: {
        params: [
          { name: 'a', type: 'INT64', value: 1 },
          { name: 'a', type: 'INT64', value: 2 },
        ],
      },
    },
    {
      name: 'refuses a parameter with no JSON value',
      input: { params: [{ name: 'a', type: 'FLOAT64', value: Number.NaN }] },
    },
    { name: 'refuses an invalid creation time', input: { now: new Date('not a date') } },
  ];
  for (const c of refusals) {
    it(c.name, () =>
      assert.throws(
        () => pending(c.input, c.approval),
        (e) => isWardenError(e, 'invalid_argument'),
      ),
    );
  }
});

describe('isBindingIntact', () => {
  const cases: { name: string; change: (r: ApprovalRequest) => ApprovalRequest; intact: boolean }[] = [
    { name: 'holds for the request as created', change: (r) => r, intact: true },
    {
      name: 'holds after a Firestore-like round trip that reorders keys',
      change: (r) => ({
        ...r,
        params: r.params.map((p) => ({ value: p.value, type: p.type, name: p.name })),
      }),
      intact: true,
    },
    {
      name: 'detects changed SQL',
      change: (r) => ({ ...r, sql: r.sql.replace('mrn =', 'mrn <>') }),
      intact: false,
    },
    {
      name: 'detects added whitespace in the SQL',
      change: (r) => ({ ...r, sql: `${r.sql} ` }),
      intact: false,
    },
    { name: 'detects another project', change: (r) => ({ ...r, projectId: 'other-project' }), intact: false },
    {
      name: 'detects a changed parameter value',
      change: (r) => ({ ...r, params: [{ name: 'mrn', type: 'STRING', value: 'MRN-99999' }] }),
      intact: false,
    },
    {
      name: 'detects a parameter value of another JSON type',
      change: (r) => ({ ...r, params: [{ name: 'mrn', type: 'STRING', value: 12345 }] }),
      intact: false,
    },
    {
      name: 'detects a changed parameter type',
      change: (r) => ({ ...r, params: [{ name: 'mrn', type: 'BYTES', value: 'MRN-12345' }] }),
      intact: false,
    },
    {
      name: 'detects a renamed parameter',
      change: (r) => ({ ...r, params: [{ name: 'id', type: 'STRING', value: 'MRN-12345' }] }),
      intact: false,
    },
    {
      name: 'detects an added parameter',
      change: (r) => ({ ...r, params: [...r.params, { name: 'x', type: 'INT64', value: 1 }] }),
      intact: false,
    },
    { name: 'detects a removed parameter', change: (r) => ({ ...r, params: [] }), intact: false },
    {
      name: 'detects a masking profile turned off',
      change: (r) => ({ ...r, decision: { ...r.decision, maskingProfile: 'none' } }),
      intact: false,
    },
    {
      name: 'detects a raised row limit',
      change: (r) => ({ ...r, decision: { ...r.decision, rowLimit: r.decision.rowLimit * 1000 } }),
      intact: false,
    },
    {
      name: 'detects another requester',
      change: (r) => ({ ...r, requester: { ...r.requester, groups: ['er-physicians'] } }),
      intact: false,
    },
    { name: 'detects a changed rule', change: (r) => ({ ...r, rule: 'other' }), intact: false },
    {
      name: 'detects a later expiry',
      change: (r) => ({ ...r, expiresAt: new Date(8.64e15) }),
      intact: false,
    },
    {
      name: 'detects a lowered quorum',
      change: (r) => ({ ...r, quorum: 0 }),
      intact: false,
    },
    {
      name: 'detects a replaced hash',
      change: (r) => ({ ...r, bindingSha256: '0'.repeat(64) }),
      intact: false,
    },
    {
      name: 'reports a parameter with no JSON form as not intact',
      change: (r) => ({ ...r, params: [{ name: 'mrn', type: 'FLOAT64', value: Number.POSITIVE_INFINITY }] }),
      intact: false,
    },
  ];
  for (const c of cases) it(c.name, () => assert.equal(isBindingIntact(c.change(pending())), c.intact));
});

describe('requesterPrincipal', () => {
  it('rebuilds the requester principal with its actor chain and the person acted for', () => {
    const requester = person('mcp-server', ['services'], {
      actorChain: [{ subject: 'agent', issuer: 'https://idp.example' }],
      onBehalfOf: {
        subject: cara.subject,
        issuer: cara.issuer,
        email: 'cara@example.org',
        groups: cara.groups,
      },
    });
    assert.deepEqual(requesterPrincipal(pending({ requester })), requester);
  });
});
