// Tests that patient names never hide inside the non-PHI text that notes also contain.

import assert from 'node:assert/strict';
import { DIAGNOSES, ENCOUNTER_TYPES, FACILITIES, LAB_TESTS, MEDICATIONS } from './clinical-catalog.ts';
import {
  CITIES,
  CLINICIAN_FIRST_NAMES,
  CLINICIAN_LAST_NAMES,
  FEMALE_FIRST_NAMES,
  LAST_NAMES,
  MALE_FIRST_NAMES,
  RESTRICTED_ZIP3,
} from './word-lists.ts';

const patientNames = [...FEMALE_FIRST_NAMES, ...MALE_FIRST_NAMES, ...LAST_NAMES];

describe('word lists', () => {
  const unplanted = [
    { name: 'clinician given names', texts: CLINICIAN_FIRST_NAMES },
    { name: 'clinician family names', texts: CLINICIAN_LAST_NAMES },
    { name: 'city names', texts: CITIES.map((c) => c.city) },
    { name: 'facility names', texts: FACILITIES },
    { name: 'diagnosis descriptions', texts: DIAGNOSES.map((d) => d.description) },
    {
      name: 'medication names',
      texts: MEDICATIONS.map((m) => `${m.drug} ${m.dose} ${m.route} ${m.frequency}`),
    },
    { name: 'lab test names', texts: LAB_TESTS.map((t) => `${t.name} ${t.unit}`) },
    { name: 'note titles', texts: ENCOUNTER_TYPES.map((t) => t.noteTitle) },
  ];
  for (const { name, texts } of unplanted) {
    it(`keeps every patient name out of ${name}`, () => {
      for (const text of texts) {
        for (const patientName of patientNames) {
          assert.ok(!text.includes(patientName), `"${patientName}" inside "${text}"`);
        }
      }
    });
  }

  const shapes = [
    { name: 'ZIPs', values: CITIES.flatMap((c) => c.zips), pattern: /^\d{5}$/ },
    { name: 'area codes', values: CITIES.flatMap((c) => c.areaCodes), pattern: /^[2-9]\d{2}$/ },
    { name: 'states', values: CITIES.map((c) => c.state), pattern: /^[A-Z]{2}$/ },
  ];
  for (const { name, values, pattern } of shapes) {
    it(`writes city ${name} as ${pattern}`, () => {
      for (const v of values) assert.match(v, pattern);
    });
  }

  it('has cities in most of the Safe Harbor restricted ZIP3 areas', () => {
    const covered = new Set(
      CITIES.flatMap((c) => c.zips.map((z) => z.slice(0, 3))).filter((p) => RESTRICTED_ZIP3.includes(p)),
    );
    assert.ok(covered.size >= 15, [...covered].join(' '));
  });
});
