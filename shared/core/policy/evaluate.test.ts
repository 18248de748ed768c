import assert from 'node:assert/strict';
import fc from 'fast-check';
import { classifyTable } from '../classification/classify.ts';
import type { Principal } from '../identity/principal.ts';
import type { TableRef } from '../query/facts.ts';
import { loadPolicy } from './document.ts';
import {
  candidateRules,
  type Decision,
  evaluatePolicy,
  type PolicyContext,
  type SqlFacts,
} from './evaluate.ts';

const POLICY = loadPolicy(`
version: 1
defaults: { rowLimit: 500, maximumBytesBilled: 1000000, maskingProfile: safe-harbor }
projects: [demo-warden]
maskingProfiles:
  clinician:
    phiDefault: keep
    rules: [{ match: { phiClasses: [ssn] }, strategy: last_four }]
rules:
  - id: analysts-non-phi
    effect: allow
    when: { groups: [analysts], tools: [execute_sql], statementTypes: [SELECT], phi: false }
  - id: analysts-phi-needs-approval
    effect: require_approval
    when: { groups: [analysts], tools: [execute_sql], statementTypes: [SELECT], phi: true }
    approval: { groups: [privacy-office], quorum: 2, ttl: 2h, reasonRequired: true }
  - id: clinicians-no-ssn
    effect: allow
    when: { groups: [clinicians], statementTypes: [SELECT], columns: ['demo-warden.clinical.patients.first_name', 'demo-warden.clinical.patients.birth_date'] }
    maskingProfile: clinician
    maximumBytesBilled: 99999999999
  - id: er-break-glass
    effect: break_glass
    when: { groups: [er-physicians], tools: [execute_sql] }
  - id: night-etl
    effect: allow
    when: { groups: [etl], timeWindow: { days: [mon, tue, wed, thu, fri], from: '22:00', to: '04:00', timezone: UTC }, constructs: [dml] }
  - id: no-ssn-class
    effect: deny
    description: SSNs never leave through Warden.
    when: { phiClasses: [ssn], groups: [analysts, clinicians, er-physicians] }
`);

const who = (...groups: string[]): Principal => ({
  subject: 's',
  issuer: 'i',
  email: 'a@example.org',
  groups,
  actorChain: [],
});
const T = (tableId: string, datasetId = 'clinical', projectId = 'demo-warden'): TableRef => ({
  projectId,
  datasetId,
  tableId,
});
const patients = classifyTable(POLICY.classification, {
  table: T('patients'),
  labels: { phi: 'true' },
  datasetLabels: {},
  fields: [
    { name: 'ssn', policyTags: ['projects/p/locations/us/taxonomies/1/policyTags/ssn'] },
    { name: 'first_name', description: 'PHI: given name' },
    { name: 'birth_date' },
  ],
});
const icd = classifyTable(POLICY.classification, {
  table: T('icd10_codes', 'reference'),
  labels: {},
  datasetLabels: {},
  fields: [{ name: 'code' }],
});
const sql = (columns: [TableRef | undefined, string][], more: Partial<SqlFacts> = {}): SqlFacts => ({
  parsed: true,
  columns: columns.map(([table, column]) => ({ ...(table ? { table } : {}), column })),
  constructs: [],
  projects: ['demo-warden'],
  ...more,
});
const select = (tables: TableRef[], statementType = 'SELECT') => ({
  statementType,
  referencedTables: tables,
  totalBytesProcessed: '100',
});
const ctx = (
  p: Principal,
  tables: TableRef[],
  s: SqlFacts,
  extra: Partial<PolicyContext> = {},
): PolicyContext => ({
  principal: p,
  tool: 'execute_sql',
  query: select(tables),
  sql: s,
  classification: [patients, icd],
  now: new Date('2026-11-24T12:00:00Z'),
  ...extra,
});

describe('evaluatePolicy (PHI-aware, with guard)', () => {
  const cases: { name: string; c: PolicyContext; want: Partial<Decision> }[] = [
    {
      name: 'allows analysts a query touching no PHI, with the default masking profile',
      c: ctx(
        who('analysts'),
        [T('icd10_codes', 'reference')],
        sql([[T('icd10_codes', 'reference'), 'code']]),
      ),
      want: { effect: 'allow', rule: 'analysts-non-phi', maskingProfile: 'safe-harbor', rowLimit: 500 },
    },
    {
      name: 'requires approval (quorum, groups, TTL) when analysts touch PHI with a reason',
      c: ctx(who('analysts'), [T('patients')], sql([[T('patients'), 'birth_date']]), {
        request: { reason: 'cohort study' },
      }),
      want: {
        effect: 'require_approval',
        rule: 'analysts-phi-needs-approval',
        approval: { groups: ['privacy-office'], quorum: 2, ttlSeconds: 7200, reasonRequired: true },
      },
    },
    {
      name: 'denies an approval request without the required reason',
      c: ctx(who('analysts'), [T('patients')], sql([[T('patients'), 'birth_date']])),
      want: { effect: 'deny', rule: 'analysts-phi-needs-approval' },
    },
    {
      name: 'lets a deny on a PHI class override everything',
      c: ctx(who('analysts'), [T('patients')], sql([[T('patients'), 'ssn']]), { request: { reason: 'x' } }),
      want: { effect: 'deny', rule: 'no-ssn-class' },
    },
    {
      name: 'counts SELECT * as reading every PHI class of the table',
      c: ctx(who('clinicians'), [T('patients')], sql([[T('patients'), '*']])),
      want: { effect: 'deny', rule: 'no-ssn-class' },
    },
    {
      name: 'resolves an unqualified column against the referenced tables',
      c: ctx(who('clinicians'), [T('patients')], sql([[undefined, 'ssn']])),
      want: { effect: 'deny', rule: 'no-ssn-class' },
    },
    {
      name: 'allows clinicians the listed columns, capping bytes at the policy default',
      c: ctx(
        who('clinicians'),
        [T('patients')],
        sql([
          [T('patients'), 'first_name'],
          [T('patients'), 'birth_date'],
        ]),
      ),
      want: {
        effect: 'allow',
        rule: 'clinicians-no-ssn',
        maskingProfile: 'clinician',
        maximumBytesBilled: 1000000,
        touchesPhi: true,
      },
    },
    {
      name: 'counts every PHI column of the tables read by unparsed SQL, so a deny on their class fires',
      c: ctx(who('clinicians'), [T('patients')], sql([], { parsed: false })),
      want: { effect: 'deny', rule: 'no-ssn-class', analysis: 'partial', phiClasses: ['phi', 'ssn'] },
    },
    {
      name: 'does not let a column-scoped grant match unparsed SQL',
      c: ctx(who('clinicians'), [T('icd10_codes', 'reference')], sql([], { parsed: false })),
      want: { effect: 'deny', rule: 'default-deny' },
    },
    {
      name: 'grants break-glass only when asked, with a reason',
      c: ctx(who('er-physicians'), [T('patients')], sql([[T('patients'), 'first_name']]), {
        request: { breakGlass: true, reason: 'patient unconscious in ER' },
      }),
      want: { effect: 'break_glass', rule: 'er-break-glass' },
    },
    {
      name: 'refuses break-glass without a reason',
      c: ctx(who('er-physicians'), [T('patients')], sql([[T('patients'), 'first_name']]), {
        request: { breakGlass: true },
      }),
      want: { effect: 'deny', rule: 'er-break-glass' },
    },
    {
      name: 'ignores break-glass rules when not asked',
      c: ctx(who('er-physicians'), [T('patients')], sql([[T('patients'), 'first_name']])),
      want: { effect: 'deny', rule: 'default-deny' },
    },
    {
      name: 'refuses a project outside the allow-list',
      c: ctx(who('analysts'), [T('icd10_codes', 'reference', 'other-proj')], sql([])),
      want: { effect: 'deny', rule: 'guard:project' },
    },
    {
      name: 'refuses a project named only in the SQL text',
      c: ctx(
        who('analysts'),
        [T('icd10_codes', 'reference')],
        sql([], { projects: ['demo-warden', 'evil'] }),
      ),
      want: { effect: 'deny', rule: 'guard:project' },
    },
    {
      name: 'refuses EXECUTE IMMEDIATE unless the rule permits it',
      c: ctx(
        who('analysts'),
        [T('icd10_codes', 'reference')],
        sql([], { constructs: ['execute_immediate'] }),
      ),
      want: { effect: 'deny', rule: 'guard:execute_immediate' },
    },
    {
      name: 'permits DML to a rule that lists it, inside its time window',
      c: {
        ...ctx(who('etl'), [T('icd10_codes', 'reference')], sql([])),
        query: select([T('icd10_codes', 'reference')], 'INSERT'),
        now: new Date('2026-11-24T23:30:00Z'),
      },
      want: { effect: 'allow', rule: 'night-etl' },
    },
    {
      name: 'does not match a time-windowed rule outside its window',
      c: {
        ...ctx(who('etl'), [T('icd10_codes', 'reference')], sql([])),
        query: select([T('icd10_codes', 'reference')], 'INSERT'),
        now: new Date('2026-11-24T12:00:00Z'),
      },
      want: { effect: 'deny', rule: 'default-deny' },
    },
    {
      name: 'refuses DML from the dry run even when the rule allows the caller',
      c: {
        ...ctx(who('analysts'), [T('icd10_codes', 'reference')], sql([])),
        query: select([T('icd10_codes', 'reference')], 'SCRIPT'),
      },
      want: { effect: 'deny' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = evaluatePolicy(POLICY, c.c);
      for (const [k, v] of Object.entries(c.want))
        assert.deepEqual(d[k as keyof Decision], v, `${k}: ${JSON.stringify(d)}`);
      assert.equal(d.policyVersion, POLICY.version);
      assert.ok(
        d.reasons.length > 0 && d.reasons.every((r) => r.length > 0),
        'every decision gives a reason',
      );
    });
  }

  const reasons: { name: string; reason: string; effect: string }[] = [
    {
      name: 'a reason of zero-width characters only',
      reason: '\u200b\u200b\u200b\u200b\u200b',
      effect: 'deny',
    },
    {
      name: 'a reason shorter than the minimum once invisible characters are gone',
      reason: 'a\u200bb',
      effect: 'deny',
    },
    { name: 'a reason of visible text', reason: 'patient unconscious in ER', effect: 'break_glass' },
  ];
  for (const c of reasons)
    it(`decides a break-glass request with ${c.name}: ${c.effect}`, () => {
      const d = evaluatePolicy(POLICY, {
        ...ctx(who('er-physicians'), [T('patients')], sql([[T('patients'), 'first_name']])),
        request: { breakGlass: true, reason: c.reason },
      });
      assert.equal(d.effect, c.effect, d.reasons.join(' '));
    });

  it('fails closed on unparseable SQL touching PHI even when a rule would allow it', () => {
    const p = loadPolicy(`version: 1\nrules:\n  - id: all\n    effect: allow\n    when: { groups: [x] }\n`);
    const d = evaluatePolicy(p, { ...ctx(who('x'), [T('patients')], sql([], { parsed: false })) });
    assert.equal(d.effect, 'deny');
    assert.equal(d.rule, 'guard:unparseable');
  });

  it('denies unparseable PHI queries a rule would park for approval, by default', () => {
    const p = loadPolicy(
      `version: 1\nrules:\n  - id: park\n    effect: require_approval\n    when: { groups: [x] }\n    approval: { groups: [privacy] }\n`,
    );
    const d = evaluatePolicy(p, { ...ctx(who('x'), [T('patients')], sql([], { parsed: false })) });
    assert.equal(d.effect, 'deny');
    assert.equal(d.rule, 'guard:unparseable');
    assert.equal(d.analysis, 'partial');
  });

  it('parks an unparseable PHI query under its own rule, saying it was not analysed, when the policy allows', () => {
    const p = loadPolicy(
      `version: 1\ndefaults: { unparseablePhi: require_approval }\nunparseableApproval: { groups: [privacy] }\nrules:\n  - id: park\n    effect: require_approval\n    when: { groups: [x] }\n    approval: { groups: [office] }\n`,
    );
    const d = evaluatePolicy(p, { ...ctx(who('x'), [T('patients')], sql([], { parsed: false })) });
    assert.equal(d.effect, 'require_approval');
    assert.equal(d.rule, 'park');
    assert.deepEqual(d.approval?.groups, ['office']);
    assert.equal(d.analysis, 'partial');
    assert.match(d.reasons.join(' '), /could not be fully analysed/);
  });

  it('turns unparseable PHI queries into approval requests when the policy says so', () => {
    const p = loadPolicy(
      `version: 1\ndefaults: { unparseablePhi: require_approval }\nunparseableApproval: { groups: [privacy] }\nrules:\n  - id: all\n    effect: allow\n    when: { groups: [x] }\n`,
    );
    const d = evaluatePolicy(p, { ...ctx(who('x'), [T('patients')], sql([], { parsed: false })) });
    assert.equal(d.effect, 'require_approval');
    assert.deepEqual(d.approval?.groups, ['privacy']);
  });
});

describe('evaluatePolicy: predicates are reads', () => {
  const policy = loadPolicy(`
version: 1
projects: [demo-warden]
maskingProfiles:
  deid: { phiDefault: replace, rules: [] }
  clinician:
    phiDefault: keep
    rules: [{ match: { phiClasses: [ssn] }, strategy: last_four }]
rules:
  - id: deid
    effect: allow
    when: { groups: [research] }
    maskingProfile: deid
  - id: deid-joins
    effect: allow
    when: { groups: [joiners] }
    maskingProfile: deid
    joinKeys: ['demo-warden.clinical.patients.first_name']
  - id: clinicians
    effect: allow
    when: { groups: [clinicians] }
    maskingProfile: clinician
  - id: everything
    effect: allow
    when: { groups: [admins] }
`);
  const P = T('patients');
  const on = (
    groups: string[],
    predicates: [TableRef | undefined, string][],
    joinKeys: [TableRef | undefined, string][] = [],
  ) =>
    evaluatePolicy(policy, {
      ...ctx(
        who(...groups),
        [P],
        sql([], {
          predicateColumns: predicates.map(([table, column]) => ({ ...(table ? { table } : {}), column })),
          joinKeyColumns: joinKeys.map(([table, column]) => ({ ...(table ? { table } : {}), column })),
        }),
      ),
    });
  const cases: { name: string; d: () => Decision; rule: string }[] = [
    {
      name: 'refuses a filter on a column the profile masks',
      d: () => on(['research'], [[P, 'ssn']]),
      rule: 'guard:predicate',
    },
    {
      name: 'refuses a filter on an unqualified name that a read table holds as PHI',
      d: () => on(['research'], [[undefined, 'first_name']]),
      rule: 'guard:predicate',
    },
    {
      name: 'refuses a whole-row predicate (TO_JSON_STRING(p) LIKE …)',
      d: () => on(['research'], [[P, '*']]),
      rule: 'guard:predicate',
    },
    {
      name: 'allows a filter on a column that holds no PHI',
      d: () => on(['research'], [[P, 'birth_date']]),
      rule: 'deid',
    },
    {
      name: 'refuses an equi-join on a masked column no rule names',
      d: () => on(['research'], [], [[P, 'first_name']]),
      rule: 'guard:predicate',
    },
    {
      name: 'allows an equi-join on a masked key the rule names',
      d: () => on(['joiners'], [], [[P, 'first_name']]),
      rule: 'deid-joins',
    },
    {
      name: 'still refuses a filter on that key outside an equi-join',
      d: () => on(['joiners'], [[P, 'first_name']]),
      rule: 'guard:predicate',
    },
    {
      name: 'refuses a partially masked column (last four) in a predicate',
      d: () => on(['clinicians'], [[P, 'ssn']]),
      rule: 'guard:predicate',
    },
    {
      name: 'allows a predicate on a column the profile keeps',
      d: () => on(['clinicians'], [[P, 'first_name']]),
      rule: 'clinicians',
    },
    {
      name: 'allows any predicate when the profile masks nothing',
      d: () => on(['admins'], [[P, 'ssn']]),
      rule: 'everything',
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const d = c.d();
      assert.equal(d.rule, c.rule, JSON.stringify(d.reasons));
      assert.equal(d.effect, c.rule.startsWith('guard:') ? 'deny' : 'allow');
      if (d.effect === 'deny') assert.match(d.reasons[0] ?? '', /demo-warden\.clinical\.patients\.\w+/);
    });

  it("refuses a job in a project outside the policy's projects", () => {
    const d = evaluatePolicy(policy, {
      ...ctx(who('admins'), [P], sql([])),
      projectId: 'evil-project',
    });
    assert.equal(d.rule, 'guard:project');
    assert.match(d.reasons[0] ?? '', /evil-project/);
  });

  it('takes the cell and byte caps from the rule, else the defaults, for every runnable decision', () => {
    const p = loadPolicy(
      `version: 1\ndefaults: { cellLimit: 900, byteLimit: 9000 }\nrules:\n  - id: a\n    effect: allow\n    when: { groups: [a] }\n    cellLimit: 50\n  - id: b\n    effect: break_glass\n    when: { groups: [b] }\n`,
    );
    const a = evaluatePolicy(p, ctx(who('a'), [T('icd10_codes', 'reference')], sql([])));
    assert.deepEqual([a.effect, a.cellLimit, a.byteLimit], ['allow', 50, 9000]);
    const b = evaluatePolicy(p, {
      ...ctx(who('b'), [T('icd10_codes', 'reference')], sql([])),
      request: { breakGlass: true, reason: 'emergency' },
    });
    assert.deepEqual([b.effect, b.cellLimit, b.byteLimit], ['break_glass', 900, 9000]);
  });
});

describe('classifyTable', () => {
  it('merges labels, policy tags, descriptions and explicit lists', () => {
    assert.equal(patients.phi, true);
    assert.deepEqual(patients.phiColumns, { ssn: 'ssn', first_name: 'phi' });
    assert.equal(icd.phi, false);
  });
  it('marks a table PHI from the policy list even without labels, and nested columns by path', () => {
    const p = loadPolicy(
      `version: 1\nclassification: { phiTables: ['demo-warden.clinical.*'], phiColumns: { '*.contact.phone': contact } }\nrules: []\n`,
    );
    const c = classifyTable(p.classification, {
      table: T('notes'),
      labels: {},
      datasetLabels: {},
      fields: [{ name: 'contact', fields: [{ name: 'phone' }] }],
    });
    assert.equal(c.phi, true);
    assert.deepEqual(c.phiColumns, { 'contact.phone': 'contact' });
  });
  it('treats a dataset label as PHI for every table in it', () => {
    assert.equal(
      classifyTable(POLICY.classification, {
        table: T('x'),
        labels: {},
        datasetLabels: { phi: 'true' },
        fields: [],
      }).phi,
      true,
    );
  });
});

describe('candidateRules (the group index)', () => {
  const GROUPS = ['a', 'b', 'c', 'd', 'e'];

  it('keeps exactly the rules without groups or sharing a group with the principal, in policy order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.option(fc.uniqueArray(fc.constantFrom(...GROUPS), { minLength: 1 }), { nil: undefined }),
          {
            maxLength: 30,
          },
        ),
        fc.uniqueArray(fc.constantFrom(...GROUPS, 'unknown')),
        (ruleGroups, principalGroups) => {
          const policy = loadPolicy(
            `version: 1\nrules:\n${ruleGroups
              .map(
                (g, i) =>
                  `  - id: r${i}\n    effect: allow\n    when: { tools: [execute_sql]${g ? `, groups: [${g.join(', ')}]` : ''} }`,
              )
              .join('\n')}${ruleGroups.length ? '' : ' []'}\n`,
          );
          const principal: Principal = { subject: 's', issuer: 'i', groups: principalGroups, actorChain: [] };
          const expected = policy.rules.filter(
            (r) => !r.when.groups || r.when.groups.some((g) => principalGroups.includes(g)),
          );
          assert.deepEqual(
            candidateRules(policy, principal).map((r) => r.id),
            expected.map((r) => r.id),
          );
        },
      ),
    );
  });

  it('decides as before for a caller in several groups: the first deny among all their rules wins', () => {
    const policy = loadPolicy(`
version: 1
rules:
  - { id: b-allow, effect: allow, when: { groups: [b] } }
  - { id: a-deny, effect: deny, when: { groups: [a] } }
  - { id: all-allow, effect: allow, when: { tools: [execute_sql] } }
`);
    const ctx = (groups: string[]): PolicyContext => ({
      principal: { subject: 's', issuer: 'i', groups, actorChain: [] },
      tool: 'execute_sql',
    });
    assert.equal(evaluatePolicy(policy, ctx(['b', 'a'])).rule, 'a-deny');
    assert.equal(evaluatePolicy(policy, ctx(['b'])).rule, 'b-allow');
    assert.equal(evaluatePolicy(policy, ctx([])).rule, 'all-allow');
  });
});
