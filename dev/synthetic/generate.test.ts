// Tests for the synthetic dataset: determinism, sizes, schema conformance, PHI tagging and planted identifiers.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { SeedValue, TableSeed } from '../../standins/bigquery/seed.ts';
import { ageOn, parseIsoDate } from './calendar.ts';
import {
  DEFAULT_PATIENTS,
  type GenerateOptions,
  generateDataset,
  REFERENCE_DATE,
  type SyntheticDataset,
  summarizeDataset,
} from './generate.ts';
import { IDENTIFIER_KINDS, isValidSsn, isValidVin } from './identifiers.ts';
import { RESTRICTED_ZIP3 } from './word-lists.ts';

const PROJECT = 'warden-test';
const small = (over: Partial<GenerateOptions> = {}): SyntheticDataset =>
  generateDataset({ seed: 'unit', patients: 200, projectId: PROJECT, ...over });
const sha256 = (ds: SyntheticDataset): string =>
  createHash('sha256').update(JSON.stringify(ds)).digest('hex');

function table(ds: SyntheticDataset, datasetId: string, tableId: string): TableSeed {
  const found = ds.project.datasets
    .find((d) => d.datasetId === datasetId)
    ?.tables.find((t) => t.tableId === tableId);
  if (!found) throw new Error(`no table ${datasetId}.${tableId}`);
  return found;
}

function column(t: TableSeed, name: string): SeedValue[] {
  const index = t.schema.findIndex((f) => f.name === name);
  assert.notEqual(index, -1, `no column ${t.tableId}.${name}`);
  return t.rows.map((r) => r[index]!);
}

const cellText = (cell: SeedValue): string => (cell instanceof Date ? cell.toISOString() : String(cell));

describe('generateDataset', () => {
  let full: SyntheticDataset;
  before(() => {
    full = generateDataset({ seed: 'warden', projectId: PROJECT });
  });

  describe('determinism', () => {
    it('gives byte-identical output for the same seed', () => {
      assert.equal(sha256(small()), sha256(small()));
    });

    it('gives different output for a different seed', () => {
      assert.notEqual(sha256(small()), sha256(small({ seed: 'other' })));
    });

    it('treats a numeric seed like its decimal string', () => {
      assert.equal(sha256(small({ seed: 7 })), sha256(small({ seed: '7' })));
    });

    it('keeps the first patients and their rows the same when more patients are asked for', () => {
      const fewer = small({ patients: 50 });
      const more = small({ patients: 100 });
      for (const tableId of ['patients', 'encounters', 'clinical_notes']) {
        const a = table(fewer, 'clinical', tableId).rows;
        const b = table(more, 'clinical', tableId).rows;
        assert.deepEqual(b.slice(0, a.length), a);
      }
    });
  });

  describe('sizes', () => {
    const sizes = [0, 1, 37, 500];
    for (const n of sizes) {
      it(`generates ${n} patients with 1–7 encounters each`, () => {
        const ds = small({ patients: n });
        assert.equal(table(ds, 'clinical', 'patients').rows.length, n);
        const encounters = table(ds, 'clinical', 'encounters').rows.length;
        assert.ok(encounters >= n && encounters <= 7 * n, `${encounters} encounters`);
      });
    }

    it('defaults to 10,000 patients', () => {
      assert.equal(DEFAULT_PATIENTS, 10_000);
      assert.equal(table(full, 'clinical', 'patients').rows.length, 10_000);
    });

    it('has realistic ratios at the default size', () => {
      const s = summarizeDataset(full);
      const perPatient = s['clinical.encounters']! / s['clinical.patients']!;
      const dxPerEncounter = s['clinical.diagnoses']! / s['clinical.encounters']!;
      const noteShare = s['clinical.clinical_notes']! / s['clinical.encounters']!;
      assert.ok(perPatient >= 3 && perPatient <= 5, `encounters/patient ${perPatient}`);
      assert.ok(dxPerEncounter >= 1 && dxPerEncounter <= 2, `diagnoses/encounter ${dxPerEncounter}`);
      assert.ok(noteShare > 0.1 && noteShare < 0.6, `note share ${noteShare}`);
      assert.ok(s['clinical.medications']! > 0 && s['clinical.lab_results']! > 0);
    });

    it('leaves clinical tables empty but keeps the reference table for zero patients', () => {
      const s = summarizeDataset(small({ patients: 0 }));
      for (const [key, count] of Object.entries(s)) {
        if (key.startsWith('clinical.')) assert.equal(count, 0, key);
      }
      assert.ok(s['reference.icd10_codes']! > 0);
    });

    const bad = [-1, 1.5, Number.NaN];
    for (const patients of bad) {
      it(`rejects patients = ${patients}`, () => assert.throws(() => small({ patients }), RangeError));
    }
  });

  describe('summarizeDataset', () => {
    it('reports every table as dataset.table with its row count', () => {
      const ds = small();
      const s = summarizeDataset(ds);
      const expected = ds.project.datasets.flatMap((d) =>
        d.tables.map((t) => [`${d.datasetId}.${t.tableId}`, t.rows.length]),
      );
      assert.deepEqual(Object.entries(s), expected);
      assert.deepEqual(Object.keys(s), [
        'clinical.patients',
        'clinical.encounters',
        'clinical.diagnoses',
        'clinical.medications',
        'clinical.lab_results',
        'clinical.clinical_notes',
        'reference.icd10_codes',
      ]);
    });
  });

  describe('schema conformance', () => {
    const conforms: Record<string, (v: SeedValue) => boolean> = {
      STRING: (v) => typeof v === 'string',
      DATE: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)),
      TIMESTAMP: (v) => v instanceof Date && !Number.isNaN(v.getTime()),
      NUMERIC: (v) => typeof v === 'string' && /^\d+\.\d{2}$/.test(v),
      FLOAT: (v) => typeof v === 'number' && Number.isFinite(v),
      BOOLEAN: (v) => typeof v === 'boolean',
    };

    it('gives every row exactly one cell per schema field, of the field type, non-null when REQUIRED', () => {
      for (const ds of full.project.datasets) {
        for (const t of ds.tables) {
          const fields = t.schema;
          for (const [r, row] of t.rows.entries()) {
            assert.equal(row.length, fields.length, `${t.tableId} row ${r}`);
            for (const [i, f] of fields.entries()) {
              const cell = row[i]!;
              if (cell === null) {
                assert.notEqual(f.mode, 'REQUIRED', `${t.tableId}.${f.name} row ${r}`);
                continue;
              }
              const check = conforms[f.type];
              assert.ok(check, `no check for ${f.type}`);
              assert.ok(check(cell), `${t.tableId}.${f.name} row ${r}: ${String(cell)}`);
            }
          }
        }
      }
    });

    it('describes every dataset, table and column', () => {
      for (const ds of full.project.datasets) {
        assert.ok(ds.description);
        for (const t of ds.tables) {
          assert.ok(t.description, t.tableId);
          for (const f of t.schema) assert.ok(f.description, `${t.tableId}.${f.name}`);
        }
      }
    });

    it('keeps foreign keys pointing at existing rows', () => {
      const patients = new Set(column(table(full, 'clinical', 'patients'), 'patient_id'));
      const encounters = new Set(column(table(full, 'clinical', 'encounters'), 'encounter_id'));
      for (const tableId of ['encounters', 'diagnoses', 'medications', 'lab_results', 'clinical_notes']) {
        for (const id of column(table(full, 'clinical', tableId), 'patient_id'))
          assert.ok(patients.has(id), `${tableId} ${id}`);
      }
      for (const tableId of ['diagnoses', 'medications', 'lab_results', 'clinical_notes']) {
        for (const id of column(table(full, 'clinical', tableId), 'encounter_id'))
          assert.ok(encounters.has(id), `${tableId}`);
      }
    });

    it('discharges no earlier than admission and admits no later than the reference date', () => {
      const t = table(full, 'clinical', 'encounters');
      const admits = column(t, 'admit_date') as string[];
      const discharges = column(t, 'discharge_date');
      admits.forEach((admit, i) => {
        assert.ok(admit <= REFERENCE_DATE, admit);
        const discharge = discharges[i];
        if (typeof discharge === 'string') assert.ok(discharge >= admit, `${admit} → ${discharge}`);
      });
    });

    it('codes routine-visit Z diagnoses only at outpatient and telehealth encounters', () => {
      const types = new Map(table(full, 'clinical', 'encounters').rows.map((r) => [r[0], r[4]]));
      const dx = table(full, 'clinical', 'diagnoses');
      const zTypes = new Set(dx.rows.filter((r) => String(r[3]).startsWith('Z')).map((r) => types.get(r[1])));
      assert.deepEqual([...zTypes].sort(), ['outpatient', 'telehealth']);
    });

    it('uses P000123-style patient ids and unique MRNs and SSNs', () => {
      const t = table(full, 'clinical', 'patients');
      assert.ok(column(t, 'patient_id').every((id) => /^P\d{6}$/.test(String(id))));
      for (const name of ['patient_id', 'mrn', 'ssn', 'phone']) {
        const values = column(t, name);
        assert.equal(new Set(values).size, values.length, name);
      }
    });
  });

  describe('PHI labelling', () => {
    const tag = (cls: string): string =>
      `projects/${PROJECT}/locations/us/taxonomies/warden-phi/policyTags/${cls}`;

    it('labels the clinical dataset and each of its tables phi=true', () => {
      const clinical = full.project.datasets.find((d) => d.datasetId === 'clinical')!;
      assert.deepEqual(clinical.labels, { phi: 'true' });
      assert.equal(clinical.tables.length, 6);
      for (const t of clinical.tables) assert.deepEqual(t.labels, { phi: 'true' }, t.tableId);
    });

    it('labels the reference dataset and table phi=false with no policy tags', () => {
      const reference = full.project.datasets.find((d) => d.datasetId === 'reference')!;
      assert.deepEqual(reference.labels, { phi: 'false' });
      for (const t of reference.tables) {
        assert.deepEqual(t.labels, { phi: 'false' });
        for (const f of t.schema) assert.equal(f.policyTags, undefined, `${t.tableId}.${f.name}`);
      }
    });

    const tagged = [
      { t: 'patients', c: 'mrn', cls: 'mrn' },
      { t: 'patients', c: 'first_name', cls: 'name' },
      { t: 'patients', c: 'last_name', cls: 'name' },
      { t: 'patients', c: 'birth_date', cls: 'date' },
      { t: 'patients', c: 'ssn', cls: 'ssn' },
      { t: 'patients', c: 'street_address', cls: 'address' },
      { t: 'patients', c: 'city', cls: 'address' },
      { t: 'patients', c: 'zip', cls: 'address' },
      { t: 'patients', c: 'phone', cls: 'contact' },
      { t: 'patients', c: 'email', cls: 'contact' },
      { t: 'patients', c: 'health_plan_id', cls: 'account' },
      { t: 'patients', c: 'created_at', cls: 'date' },
      { t: 'encounters', c: 'admit_date', cls: 'date' },
      { t: 'encounters', c: 'discharge_date', cls: 'date' },
      { t: 'diagnoses', c: 'diagnosed_on', cls: 'date' },
      { t: 'medications', c: 'start_date', cls: 'date' },
      { t: 'medications', c: 'end_date', cls: 'date' },
      { t: 'lab_results', c: 'collected_at', cls: 'date' },
      { t: 'clinical_notes', c: 'note_date', cls: 'date' },
      { t: 'clinical_notes', c: 'note_text', cls: 'free_text' },
    ];
    for (const { t, c, cls } of tagged) {
      it(`tags ${t}.${c} with the ${cls} policy tag`, () => {
        const field = table(full, 'clinical', t).schema.find((f) => f.name === c);
        assert.deepEqual(field?.policyTags, [tag(cls)]);
      });
    }

    it('leaves surrogate keys and coded clinical columns untagged', () => {
      const untagged = new Set(
        full.project.datasets[0]!.tables.flatMap((t) =>
          t.schema.filter((f) => f.policyTags === undefined).map((f) => `${t.tableId}.${f.name}`),
        ),
      );
      const expectedTagged = new Set(tagged.map(({ t, c }) => `${t}.${c}`));
      for (const name of ['patients.patient_id', 'patients.sex', 'patients.state', 'diagnoses.icd10_code']) {
        assert.ok(untagged.has(name), name);
      }
      const allColumns = full.project.datasets[0]!.tables.flatMap((t) =>
        t.schema.map((f) => `${t.tableId}.${f.name}`),
      );
      for (const name of allColumns) assert.equal(untagged.has(name), !expectedTagged.has(name), name);
    });
  });

  describe('planted identifiers', () => {
    it('puts every listed value in the stated cell (verbatim, or as a substring of note text)', () => {
      for (const id of full.identifiers) {
        const t = table(full, id.datasetId, id.tableId);
        const col = t.schema.findIndex((f) => f.name === id.column);
        const cell = t.rows[id.rowIndex]?.[col];
        assert.ok(cell !== undefined && cell !== null, `${id.tableId}.${id.column}[${id.rowIndex}]`);
        if (id.column === 'note_text') assert.ok(String(cell).includes(id.value), `${id.kind} ${id.value}`);
        else assert.equal(cellText(cell), id.value);
      }
    });

    it('lists every non-null cell of identifier columns', () => {
      const listed = new Map<string, number>();
      for (const id of full.identifiers) {
        const key = `${id.tableId}.${id.column}`;
        listed.set(key, (listed.get(key) ?? 0) + 1);
      }
      const identifierColumns = [
        'patients.mrn',
        'patients.first_name',
        'patients.last_name',
        'patients.birth_date',
        'patients.ssn',
        'patients.street_address',
        'patients.zip',
        'patients.phone',
        'patients.email',
        'patients.health_plan_id',
        'patients.created_at',
        'encounters.admit_date',
        'encounters.discharge_date',
        'diagnoses.diagnosed_on',
        'medications.start_date',
        'medications.end_date',
        'lab_results.collected_at',
        'clinical_notes.note_date',
      ];
      for (const key of identifierColumns) {
        const [tableId, name] = key.split('.') as [string, string];
        const nonNull = column(table(full, 'clinical', tableId), name).filter((v) => v !== null).length;
        assert.ok(nonNull > 0, key);
        assert.equal(listed.get(key), nonNull, key);
      }
    });

    it('plants every identifier kind somewhere, and every kind inside note text', () => {
      const kinds = new Set(full.identifiers.map((i) => i.kind));
      const inNotes = new Set(full.identifiers.filter((i) => i.column === 'note_text').map((i) => i.kind));
      for (const kind of IDENTIFIER_KINDS) {
        assert.ok(kinds.has(kind), kind);
        assert.ok(inNotes.has(kind), `${kind} in notes`);
      }
    });

    it("leaves none of the patient's own identifiers in a note once its planted values are removed", () => {
      const patients = table(full, 'clinical', 'patients');
      const byId = new Map(patients.rows.map((r) => [r[0], r]));
      const notes = table(full, 'clinical', 'clinical_notes');
      const planted = new Map<number, string[]>();
      for (const id of full.identifiers) {
        if (id.column !== 'note_text') continue;
        const list = planted.get(id.rowIndex) ?? [];
        list.push(id.value);
        planted.set(id.rowIndex, list);
      }
      const own = [
        'mrn',
        'first_name',
        'last_name',
        'birth_date',
        'ssn',
        'street_address',
        'zip',
        'phone',
        'email',
      ].map((name) => patients.schema.findIndex((f) => f.name === name));
      notes.rows.forEach((row, i) => {
        let rest = String(row[5]);
        for (const value of (planted.get(i) ?? []).sort((a, b) => b.length - a.length))
          rest = rest.replaceAll(value, '');
        const patient = byId.get(row[1])!;
        for (const c of own) {
          const value = patient[c];
          if (typeof value === 'string') assert.ok(!rest.includes(value), `note ${i} still has ${value}`);
        }
      });
    });

    it('names the datasets as asked', () => {
      const ds = small({ clinicalDataset: 'ehr', referenceDataset: 'codes' });
      assert.deepEqual(
        ds.project.datasets.map((d) => d.datasetId),
        ['ehr', 'codes'],
      );
      assert.ok(ds.identifiers.length > 0 && ds.identifiers.every((i) => i.datasetId === 'ehr'));
    });

    const noteFormats = [
      { name: 'a parenthesised phone', kind: 'phone', pattern: /^\(\d{3}\) \d{3}-\d{4}$/ },
      { name: 'a dashed phone', kind: 'phone', pattern: /^\d{3}-\d{3}-\d{4}$/ },
      { name: 'an international phone', kind: 'phone', pattern: /^\+1 \d{3} \d{3} \d{4}$/ },
      { name: 'a US date', kind: 'date', pattern: /^\d{2}\/\d{2}\/\d{4}$/ },
      { name: 'a long date', kind: 'date', pattern: /^[A-Z][a-z]+ \d{1,2}, \d{4}$/ },
      { name: 'an ISO date', kind: 'date', pattern: /^\d{4}-\d{2}-\d{2}$/ },
      { name: 'an unpunctuated SSN', kind: 'ssn', pattern: /^\d{9}$/ },
    ];
    for (const { name, kind, pattern } of noteFormats) {
      it(`writes ${name} into some note`, () => {
        assert.ok(
          full.identifiers.some((i) => i.column === 'note_text' && i.kind === kind && pattern.test(i.value)),
        );
      });
    }
  });

  describe('identifier realism', () => {
    it('generates only SSA-valid SSNs, in columns and in notes', () => {
      const ssns = full.identifiers.filter((i) => i.kind === 'ssn');
      assert.ok(ssns.length > 10_000);
      for (const s of ssns) assert.ok(isValidSsn(s.value), s.value);
    });

    it('plants VINs with valid check digits', () => {
      const vins = full.identifiers.filter((i) => i.kind === 'vin');
      assert.ok(vins.length > 0);
      for (const v of vins) assert.ok(isValidVin(v.value), v.value);
    });

    it('includes a few percent of ZIPs in Safe Harbor restricted three-digit areas', () => {
      const zips = column(table(full, 'clinical', 'patients'), 'zip') as string[];
      const restricted = zips.filter((z) => RESTRICTED_ZIP3.includes(z.slice(0, 3)));
      const prefixes = new Set(restricted.map((z) => z.slice(0, 3)));
      assert.ok(zips.every((z) => /^\d{5}$/.test(z)));
      assert.ok(prefixes.size >= 10, `prefixes ${[...prefixes]}`);
      const share = restricted.length / zips.length;
      assert.ok(share > 0.01 && share < 0.1, `share ${share}`);
    });

    it('includes a realistic share of patients over 89', () => {
      const today = parseIsoDate(REFERENCE_DATE);
      const births = column(table(full, 'clinical', 'patients'), 'birth_date') as string[];
      const over89 = births.filter((b) => ageOn(parseIsoDate(b), today) > 89).length / births.length;
      assert.ok(over89 > 0.01 && over89 < 0.04, `share ${over89}`);
      assert.ok(births.every((b) => b <= REFERENCE_DATE));
    });

    it('never states an age over 89 in note text', () => {
      for (const text of column(table(full, 'clinical', 'clinical_notes'), 'note_text')) {
        for (const m of String(text).matchAll(/(\d+)-year-old/g)) assert.ok(Number(m[1]) <= 89, m[0]);
      }
    });
  });
});
