// Tests for the masking profile schema and the built-in profiles.

import assert from 'node:assert/strict';
import {
  BUILTIN_PROFILES,
  MaskingProfileSchema,
  MaskingProfilesSchema,
  MaskingStrategySchema,
} from './profile.ts';

describe('MaskingStrategySchema', () => {
  const cases = [
    { in: 'nullify', want: { type: 'nullify' } },
    { in: 'last_four', want: { type: 'last_four' } },
    { in: 'replace', want: { type: 'replace' } },
    { in: { type: 'replace', tag: '[REDACTED]' }, want: { type: 'replace', tag: '[REDACTED]' } },
    { in: 'date_year_mask', want: { type: 'date_year_mask', over89: 'keep' } },
    {
      in: 'date_shift',
      want: { type: 'date_shift', maxDays: 30, patientKey: 'patient_id', withoutKey: 'nullify' },
    },
    {
      in: { type: 'date_shift', maxDays: 90, patientKey: 'person_id' },
      want: { type: 'date_shift', maxDays: 90, patientKey: 'person_id', withoutKey: 'nullify' },
    },
  ];
  for (const c of cases) {
    it(`normalises ${JSON.stringify(c.in)}`, () =>
      assert.deepEqual(MaskingStrategySchema.parse(c.in), c.want));
  }
  const bad = [
    'mask',
    { type: 'date_shift', maxDays: 0 },
    { type: 'nullify', tag: 'x' },
    { type: 'replace', tag: '' },
  ];
  for (const b of bad)
    it(`rejects ${JSON.stringify(b)}`, () => assert.equal(MaskingStrategySchema.safeParse(b).success, false));
});

describe('MaskingProfileSchema', () => {
  it('fills defaults: PHI columns replaced, others kept, every detector on', () => {
    const p = MaskingProfileSchema.parse({});
    assert.deepEqual(p.phiDefault, { type: 'replace' });
    assert.deepEqual(p.default, { type: 'keep' });
    assert.equal(p.detectors.enabled, true);
    assert.deepEqual(p.rules, []);
  });
  it('parses rules with every kind of match', () => {
    const p = MaskingProfileSchema.parse({
      rules: [
        { match: { columns: ['*.clinical.patients.ssn'] }, strategy: 'last_four' },
        { match: { namePattern: '^e_?mail$' }, strategy: 'email_mask' },
        { match: { phiClasses: ['date'], types: ['DATE'] }, strategy: { type: 'date_shift', maxDays: 60 } },
        { match: { policyTags: ['*/policyTags/mrn'] }, strategy: 'sha256' },
      ],
      detectors: {
        exclude: ['name'],
        mrn: { labels: ['hospital no'] },
        custom: [{ kind: 'study_id', pattern: 'STUDY-\\d+' }],
      },
    });
    assert.equal(p.rules.length, 4);
    assert.deepEqual(p.rules[2]!.strategy, {
      type: 'date_shift',
      maxDays: 60,
      patientKey: 'patient_id',
      withoutKey: 'nullify',
    });
    assert.deepEqual(p.detectors.exclude, ['name']);
  });
  const bad: { name: string; profile: unknown; path: string }[] = [
    {
      name: 'a rule with no condition',
      profile: { rules: [{ match: {}, strategy: 'nullify' }] },
      path: 'rules.0.match',
    },
    {
      name: 'an unknown strategy',
      profile: { rules: [{ match: { phiClasses: ['ssn'] }, strategy: 'blur' }] },
      path: 'rules.0.strategy',
    },
    {
      name: 'an invalid name pattern',
      profile: { rules: [{ match: { namePattern: '(' }, strategy: 'nullify' }] },
      path: 'rules.0.match.namePattern',
    },
    {
      name: 'an unknown detector kind',
      profile: { detectors: { kinds: ['dna'] } },
      path: 'detectors.kinds.0',
    },
    {
      name: 'an invalid custom pattern',
      profile: { detectors: { custom: [{ kind: 'x', pattern: '[' }] } },
      path: 'detectors.custom.0.pattern',
    },
    {
      name: 'an invalid MRN value pattern',
      profile: { detectors: { mrn: { value: '(' } } },
      path: 'detectors.mrn.value',
    },
    { name: 'an unknown field', profile: { mask: true }, path: '' },
  ];
  for (const b of bad) {
    it(`rejects ${b.name}, naming the path`, () => {
      const r = MaskingProfileSchema.safeParse(b.profile);
      assert.equal(r.success, false);
      assert.ok(
        r.error!.issues.some((i) => i.path.join('.') === b.path),
        r.error!.issues.map((i) => i.path.join('.')).join(', '),
      );
    });
  }
});

describe('MaskingProfilesSchema', () => {
  it('accepts named profiles', () => {
    const p = MaskingProfilesSchema.parse({
      clinician: { rules: [{ match: { phiClasses: ['ssn'] }, strategy: 'last_four' }] },
    });
    assert.deepEqual(Object.keys(p), ['clinician']);
  });
  it('refuses to redefine a built-in profile and bad names', () => {
    assert.equal(MaskingProfilesSchema.safeParse({ 'safe-harbor': {} }).success, false);
    assert.equal(MaskingProfilesSchema.safeParse({ none: {} }).success, false);
    assert.equal(MaskingProfilesSchema.safeParse({ 'Bad Name': {} }).success, false);
  });
});

describe('built-in profiles', () => {
  it('safe-harbor masks every PHI class and runs every detector', () => {
    const p = BUILTIN_PROFILES['safe-harbor']!;
    const classes = p.rules.flatMap((r) => r.match.phiClasses ?? []);
    for (const cls of ['ssn', 'name', 'date', 'contact', 'address', 'mrn', 'account', 'free_text'])
      assert.ok(classes.includes(cls), cls);
    assert.notEqual(p.phiDefault.type, 'keep');
    assert.equal(p.detectors.enabled, true);
    assert.equal(p.detectors.kinds, undefined);
    assert.deepEqual(p.detectors.exclude, []);
  });
  it('none keeps everything and runs no detector', () => {
    const p = BUILTIN_PROFILES['none']!;
    assert.deepEqual(
      [p.rules, p.phiDefault, p.default, p.detectors.enabled],
      [[], { type: 'keep' }, { type: 'keep' }, false],
    );
  });
});
