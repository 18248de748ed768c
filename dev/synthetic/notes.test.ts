// Tests for clinical note composition: planted identifiers are verbatim, and ages follow Safe Harbor.

import assert from 'node:assert/strict';
import { daysFromCivil } from './calendar.ts';
import { DIAGNOSES, FACILITIES, LAB_TESTS, MEDICATIONS } from './clinical-catalog.ts';
import { agePhrase, article, composeNote, type NoteSubject, type NoteVisit } from './notes.ts';
import { Rng } from './prng.ts';
import { CITIES, FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES } from './word-lists.ts';

const subject: NoteSubject = {
  firstName: 'Jane',
  lastName: "O'Brien",
  sex: 'F',
  birthDay: daysFromCivil(1952, 3, 14),
  mrn: '40127839',
  ssn: '123-45-6789',
  phoneDigits: '6174821934',
  areaCode: '617',
  email: 'jane.obrien@example.com',
  streetAddress: '1234 Maple Ave Apt 3B',
  city: 'Boston',
  state: 'MA',
  zip: '02130',
  healthPlanId: '1EG4TE5MK73',
  history: ['Essential (primary) hypertension'],
};

const visit: NoteVisit = {
  title: 'EMERGENCY DEPARTMENT NOTE',
  encounterType: 'emergency',
  facility: 'Mercy General Hospital',
  admitDay: daysFromCivil(2024, 5, 6),
  dischargeDay: daysFromCivil(2024, 5, 6),
  noteDay: daysFromCivil(2024, 5, 6),
  attending: 'Adrian Blackwood',
  author: 'Adrian Blackwood, MD',
  diagnoses: [{ code: 'J18.9', description: 'Pneumonia, unspecified organism' }],
  medications: [MEDICATIONS[0]!],
  labs: [{ name: 'Glucose [Mass/volume] in Serum or Plasma', value: 112, unit: 'mg/dL' }],
};

const notes = Array.from({ length: 400 }, (_, i) => composeNote(new Rng(`note-${i}`), subject, visit));

describe('composeNote', () => {
  it('writes every planted value verbatim into the text', () => {
    for (const note of notes) {
      for (const p of note.planted) assert.ok(note.text.includes(p.value), `${p.kind} ${p.value} missing`);
    }
  });

  it('lists each kind/value pair once per note', () => {
    for (const note of notes) {
      const keys = note.planted.map((p) => `${p.kind}|${p.value}`);
      assert.equal(new Set(keys).size, keys.length);
    }
  });

  it('always names the patient and signs with a date', () => {
    for (const note of notes) {
      assert.ok(note.planted.some((p) => p.kind === 'name'));
      assert.match(note.text, /Electronically signed by Adrian Blackwood, MD on /);
    }
  });

  const spellings = [
    { kind: 'phone', value: '(617) 482-1934' },
    { kind: 'phone', value: '617-482-1934' },
    { kind: 'phone', value: '+1 617 482 1934' },
    { kind: 'birth_date', value: '03/14/1952' },
    { kind: 'birth_date', value: 'March 14, 1952' },
    { kind: 'birth_date', value: '1952-03-14' },
    { kind: 'ssn', value: '123-45-6789' },
    { kind: 'ssn', value: '123 45 6789' },
    { kind: 'ssn', value: '123456789' },
    { kind: 'name', value: "O'BRIEN, JANE" },
    { kind: 'name', value: "Jane O'Brien" },
    { kind: 'street_address', value: '1234 Maple Ave Apt 3B' },
    { kind: 'zip', value: '02130' },
    { kind: 'email', value: 'jane.obrien@example.com' },
    { kind: 'mrn', value: '40127839' },
  ];
  for (const { kind, value } of spellings) {
    it(`sometimes writes ${kind} as ${value}`, () => {
      assert.ok(
        notes.some(
          (n) => n.text.includes(value) && n.planted.some((p) => p.kind === kind && p.value === value),
        ),
      );
    });
  }

  const rareKinds = [
    'url',
    'ip_address',
    'vin',
    'device_id',
    'license_number',
    'account_number',
    'fax',
    'health_plan_id',
  ];
  for (const kind of rareKinds) {
    it(`sometimes plants a ${kind}`, () => {
      assert.ok(notes.some((n) => n.planted.some((p) => p.kind === kind)));
    });
  }

  it('mentions no name from the patient lists except where it plants one', () => {
    const patientNames = [...FEMALE_FIRST_NAMES, ...MALE_FIRST_NAMES, ...LAST_NAMES];
    const sentinel: NoteSubject = { ...subject, firstName: 'Qfirst', lastName: 'Qlast', sex: 'M' };
    const rng = new Rng('sentinel');
    for (let i = 0; i < 300; i++) {
      const place = rng.pick(CITIES);
      const d = rng.pick(DIAGNOSES);
      const note = composeNote(
        rng,
        {
          ...sentinel,
          city: place.city,
          state: place.state,
          birthDay: daysFromCivil(rng.int(1925, 2020), 6, 1),
        },
        {
          ...visit,
          facility: rng.pick(FACILITIES),
          diagnoses: [d],
          medications: [rng.pick(MEDICATIONS)],
          labs: LAB_TESTS.map((t) => ({ name: t.name, value: t.mean, unit: t.unit })),
        },
      );
      let unplanted = note.text;
      const longestFirst = note.planted.map((p) => p.value).sort((a, b) => b.length - a.length);
      for (const value of longestFirst) unplanted = unplanted.replaceAll(value, '');
      for (const name of patientNames) assert.ok(!unplanted.includes(name), `"${name}" in: ${unplanted}`);
    }
  });

  it('is deterministic for a given generator state', () => {
    assert.deepEqual(composeNote(new Rng('x'), subject, visit), composeNote(new Rng('x'), subject, visit));
  });
});

describe('agePhrase', () => {
  const cases = [
    { age: 0, sex: 'F', want: 'an infant girl' },
    { age: 8, sex: 'M', want: 'an 8-year-old boy' },
    { age: 11, sex: 'F', want: 'an 11-year-old girl' },
    { age: 42, sex: 'M', want: 'a 42-year-old man' },
    { age: 89, sex: 'F', want: 'an 89-year-old woman' },
    { age: 90, sex: 'F', want: 'a woman over 89 years of age' },
    { age: 103, sex: 'M', want: 'a man over 89 years of age' },
  ] as const;
  for (const { age, sex, want } of cases) {
    it(`describes a ${age}-year-old ${sex} as "${want}"`, () => assert.equal(agePhrase(age, sex), want));
  }
});

describe('article', () => {
  const cases = [
    { next: '8', want: 'an' },
    { next: '18', want: 'an' },
    { next: '80', want: 'an' },
    { next: '1', want: 'a' },
    { next: '110', want: 'a' },
    { next: 'infant', want: 'an' },
  ];
  for (const { next, want } of cases) {
    it(`uses "${want}" before ${next}`, () => assert.equal(article(next), want));
  }
});
