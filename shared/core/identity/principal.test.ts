import assert from 'node:assert/strict';
import { isWardenError } from '../errors.ts';
import { copyPrincipal, type Principal, principalFromClaims } from './principal.ts';

const issuer = { issuer: 'https://idp.example', audiences: ['warden'] };

describe('principalFromClaims', () => {
  it('reads subject, issuer, verified email and groups', () => {
    const p = principalFromClaims(
      {
        iss: 'https://idp.example',
        sub: 'u1',
        email: 'Ann@Example.org',
        email_verified: true,
        groups: ['analysts', 7],
      },
      issuer,
    );
    assert.deepEqual(p, {
      subject: 'u1',
      issuer: 'https://idp.example',
      email: 'ann@example.org',
      groups: ['analysts'],
      actorChain: [],
    });
  });
  it('ignores an unverified email', () => {
    const p = principalFromClaims(
      { iss: 'https://idp.example', sub: 'u1', email: 'ann@example.org', email_verified: false },
      issuer,
    );
    assert.equal(p.email, undefined);
  });
  it('reads groups from a configured claim', () => {
    const p = principalFromClaims(
      { iss: 'i', sub: 'u1', roles: ['approvers'] },
      { ...issuer, groupsClaim: 'roles' },
    );
    assert.deepEqual(p.groups, ['approvers']);
  });
  it('flattens a nested RFC 8693 act chain, nearest actor first', () => {
    const p = principalFromClaims(
      { iss: 'i', sub: 'u1', act: { sub: 'agent', act: { sub: 'bridge', iss: 'x' } } },
      issuer,
    );
    assert.deepEqual(p.actorChain, [{ subject: 'agent' }, { subject: 'bridge', issuer: 'x' }]);
  });
  it('rejects a token without a subject', () => {
    assert.throws(
      () => principalFromClaims({ iss: 'i', sub: '' }, issuer),
      (e) => isWardenError(e, 'unauthenticated'),
    );
  });
});

describe('copyPrincipal', () => {
  it('copies every field and shares no array or object with the original', () => {
    const principal = (): Principal => ({
      subject: 's',
      issuer: 'i',
      email: 'a@b.org',
      groups: ['g'],
      actorChain: [{ subject: 'svc', issuer: 'i', email: 'svc@b.org' }],
      onBehalfOf: { subject: 'p', issuer: 'i', email: 'p@b.org', groups: ['clin'] },
    });
    const p = principal();
    const copy = copyPrincipal(p);
    assert.deepEqual(copy, p);
    assert.deepEqual(copy, structuredClone(p));
    copy.groups.push('admins');
    copy.actorChain[0]!.subject = 'other';
    copy.actorChain.push({ subject: 'x' });
    copy.onBehalfOf!.groups.push('admins');
    copy.onBehalfOf!.subject = 'q';
    assert.deepEqual(p, principal());
    assert.equal(
      'onBehalfOf' in copyPrincipal({ subject: 's', issuer: 'i', groups: [], actorChain: [] }),
      false,
    );
  });
});
