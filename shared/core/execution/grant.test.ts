import assert from 'node:assert/strict';
import { MemoryKeys } from '../../test-support/memory-ports.ts';
import { canonicalBytes, type Json } from '../audit/canonical-json.ts';
import { createInstanceSigner } from '../audit/signing-key.ts';
import { WardenError } from '../errors.ts';
import { type GrantTrust, issueGrant, type SignedGrant, verifyGrant } from './grant.ts';

const VERSION = 'k/cryptoKeyVersions/1';
const NOW = new Date('2026-12-06T12:00:00Z');
const REQUEST = {
  requestId: 'r-1',
  principal: { subject: 's', issuer: 'https://idp', groups: ['research-analysts'], actorChain: [] },
  projectId: 'demo-warden',
  sql: 'SELECT ssn FROM clinical.patients',
  decision: {
    effect: 'allow' as const,
    rule: 'deidentified-analytics',
    reasons: ['r'],
    policyVersion: 'sha256:x',
    rowLimit: 100,
    cellLimit: 1000,
    byteLimit: 100_000,
    maximumBytesBilled: 1000,
    maskingProfile: 'analyst',
    touchesPhi: true,
    phiClasses: ['ssn'],
  },
  facts: { statementType: 'SELECT', referencedTables: [], totalBytesProcessed: '1' },
};

async function setup(writer = 'gateway', keys = new MemoryKeys()) {
  const signer = await createInstanceSigner(keys, VERSION, writer, NOW);
  const attest = {
    attest: async (b: Uint8Array) => ({ signature: signer.sign(b), certificate: signer.certificate }),
  };
  const trust: GrantTrust = {
    kmsKeyVersion: VERSION,
    kmsPublicKeyPem: await keys.getPublicKeyPem(),
    writers: ['gateway'],
    now: NOW,
  };
  return { grant: await issueGrant(attest, REQUEST, NOW), trust, signer };
}

const refused = (grant: unknown, trust: GrantTrust, why: RegExp) =>
  assert.throws(
    () => verifyGrant(grant, trust),
    (err: unknown) => err instanceof WardenError && err.kind === 'forbidden' && why.test(err.message),
  );

describe('execution grants', () => {
  it('verifies a grant the gateway signed and returns the request as decided', async () => {
    const { grant, trust } = await setup();
    assert.deepEqual(verifyGrant(grant, trust).request, REQUEST);
  });

  const alterations: { name: string; alter: (g: SignedGrant) => void }[] = [
    {
      name: 'a masking profile turned off',
      alter: (g) =>
        ((g.body.request as { decision: { maskingProfile: string } }).decision.maskingProfile = 'none'),
    },
    {
      name: 'a raised row limit',
      alter: (g) => ((g.body.request as { decision: { rowLimit: number } }).decision.rowLimit = 1e9),
    },
    {
      name: 'swapped SQL',
      alter: (g) => ((g.body.request as { sql: string }).sql = 'SELECT * FROM clinical.patients'),
    },
    {
      name: 'another principal',
      alter: (g) =>
        ((g.body.request as { principal: { groups: string[] } }).principal.groups = ['er-physicians']),
    },
    { name: 'a later expiry', alter: (g) => (g.body.expiresAt = '2026-12-06T12:00:30.000Z') },
  ];
  for (const c of alterations)
    it(`refuses a grant with ${c.name}`, async () => {
      const { grant, trust } = await setup();
      const forged = JSON.parse(JSON.stringify(grant)) as SignedGrant;
      c.alter(forged);
      refused(forged, trust, /altered or forged/);
    });

  it('refuses a grant from a key that another KMS key certified', async () => {
    const { grant } = await setup('gateway', new MemoryKeys());
    const { trust } = await setup();
    refused(grant, trust, /certificate KMS did not sign/);
  });

  it('refuses a grant certified for another writer (the executor cannot grant itself)', async () => {
    const { grant, trust } = await setup('executor');
    refused(grant, trust, /not issued by the gateway/);
  });

  it('refuses a grant whose body was re-signed by a key of its own', async () => {
    const { grant, trust } = await setup();
    const { signer: other } = await setup();
    const forged = { ...grant, signature: other.sign(canonicalBytes(grant.body as unknown as Json)) };
    refused(forged, trust, /altered or forged/);
  });

  it('refuses an expired grant, and one not valid yet', async () => {
    const { grant, trust } = await setup();
    refused(grant, { ...trust, now: new Date(NOW.getTime() + 61_000) }, /expired/);
    refused(grant, { ...trust, now: new Date(NOW.getTime() - 60_000) }, /not valid yet/);
  });

  it('checks a certificate once, and still refuses one changed under a KMS signature it saw before', async () => {
    const { grant, trust } = await setup();
    assert.ok(verifyGrant(grant, trust));
    assert.ok(verifyGrant(grant, trust), 'the same certificate verifies again');
    const changed = JSON.parse(JSON.stringify(grant)) as SignedGrant;
    changed.certificate.body.notBefore = '2020-01-01T00:00:00.000Z';
    refused(changed, trust, /certificate KMS did not sign/);
  });

  it('refuses what is not a grant', async () => {
    const { trust } = await setup();
    for (const g of [undefined, null, 'x', [], { body: {} }, { body: {}, signature: 's' }])
      refused(g, trust, /missing or malformed|no certificate/);
  });
});
