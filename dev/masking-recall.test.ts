// Recall and precision of the masking detectors against every identifier the synthetic generator planted.

import assert from 'node:assert/strict';
import { type Detection, DetectorSet } from '../shared/core/masking/detectors.ts';
import { BUILTIN_PROFILES, compileMaskingProfile, maskResult } from '../shared/core/masking/index.ts';
import { DIAGNOSES, FACILITIES, LAB_TESTS, MEDICATIONS } from './synthetic/clinical-catalog.ts';
import { generateDataset, type PlantedIdentifier } from './synthetic/generate.ts';
import type { IdentifierKind } from './synthetic/identifiers.ts';

/** The detector kinds that count as finding a planted identifier of each kind. */
const EXPECTED: Readonly<Record<IdentifierKind, readonly string[]>> = {
  name: ['name'],
  birth_date: ['date'],
  date: ['date'],
  ssn: ['ssn'],
  mrn: ['mrn'],
  street_address: ['address'],
  zip: ['zip'],
  phone: ['phone'],
  fax: ['fax'],
  email: ['email'],
  health_plan_id: ['health_plan'],
  account_number: ['account'],
  license_number: ['license'],
  vin: ['vin'],
  device_id: ['device'],
  url: ['url'],
  ip_address: ['ip'],
};

/** Recall goals per planted kind (the rest are reported, not asserted). */
const GOALS: Partial<Record<IdentifierKind, number>> = {
  ssn: 0.99,
  phone: 0.99,
  email: 0.99,
  mrn: 0.99,
  ip_address: 0.99,
  url: 0.99,
  date: 0.99,
  birth_date: 0.99,
};
const NAME_GOAL = 0.9;

interface Tally {
  planted: number;
  typed: number;
  masked: number;
}

const isWordChar = (c: string): boolean => /[A-Za-z0-9]/.test(c);

/** Every word-bounded occurrence of `value` in `text`. */
function occurrences(text: string, value: string): [number, number][] {
  const out: [number, number][] = [];
  for (let i = text.indexOf(value); i >= 0; i = text.indexOf(value, i + 1)) {
    const end = i + value.length;
    if (
      (i > 0 && isWordChar(text.charAt(i - 1)) && isWordChar(value.charAt(0))) ||
      (end < text.length && isWordChar(text.charAt(end)) && isWordChar(value.charAt(value.length - 1)))
    )
      continue;
    out.push([i, end]);
  }
  return out;
}

/** True when every character of [start, end) that is a letter or digit lies in a detection of one of `kinds`. */
function covered(
  spans: readonly Detection[],
  start: number,
  end: number,
  text: string,
  kinds?: readonly string[],
): boolean {
  for (let i = start; i < end; i++) {
    if (!isWordChar(text.charAt(i))) continue;
    if (!spans.some((d) => d.start <= i && i < d.end && (kinds === undefined || kinds.includes(d.kind))))
      return false;
  }
  return true;
}

const pct = (n: number, d: number): string =>
  d === 0 ? '   -  ' : `${((100 * n) / d).toFixed(1).padStart(5)}%`;

describe('masking recall on the synthetic dataset (300 patients, seed 2025)', function () {
  this.timeout(120_000);
  const dataset = generateDataset({ seed: 2025, patients: 300, projectId: 'recall-test' });
  const clinical = dataset.project.datasets.find((d) => d.datasetId === 'clinical')!;
  const table = (id: string) => clinical.tables.find((t) => t.tableId === id)!;
  const notes = table('clinical_notes').rows.map((r) => String(r[5]));
  const detectors = new DetectorSet();
  const noteSpans = notes.map((text) => detectors.detect(text));
  const plantedInNotes = new Map<number, PlantedIdentifier[]>();
  for (const p of dataset.identifiers) {
    if (p.tableId !== 'clinical_notes' || p.column !== 'note_text') continue;
    const list = plantedInNotes.get(p.rowIndex) ?? [];
    list.push(p);
    plantedInNotes.set(p.rowIndex, list);
  }
  // Clinicians sign notes and attend encounters; their names are masked too but were not planted as patient PHI.
  const clinicians = new Set<string>();
  for (const r of table('encounters').rows) clinicians.add(String(r[6]).replace(/,.*$/, ''));
  for (const r of table('clinical_notes').rows) clinicians.add(String(r[4]).replace(/,.*$/, ''));

  const noteTally = new Map<string, Tally>();
  const precision = new Map<
    string,
    { spans: number; correct: number; clinician: number; examples: string[] }
  >();
  notes.forEach((text, row) => {
    const spans = noteSpans[row]!;
    const planted = plantedInNotes.get(row) ?? [];
    const known: [number, number][] = [];
    for (const p of planted) {
      const t = noteTally.get(p.kind) ?? { planted: 0, typed: 0, masked: 0 };
      noteTally.set(p.kind, t);
      for (const [s, e] of occurrences(text, p.value)) {
        known.push([s, e]);
        t.planted++;
        if (covered(spans, s, e, text, EXPECTED[p.kind])) t.typed++;
        if (covered(spans, s, e, text)) t.masked++;
      }
    }
    const staff: [number, number][] = [];
    for (const c of clinicians) for (const occ of occurrences(text, c)) staff.push(occ);
    for (const d of spans) {
      const p = precision.get(d.kind) ?? { spans: 0, correct: 0, clinician: 0, examples: [] };
      precision.set(d.kind, p);
      p.spans++;
      const overlaps = ([s, e]: [number, number]): boolean => d.start < e && s < d.end;
      if (known.some(overlaps)) p.correct++;
      else if (staff.some(overlaps)) {
        p.correct++;
        p.clinician++;
      } else if (p.examples.length < 5)
        p.examples.push(text.slice(Math.max(0, d.start - 25), d.end + 10).replace(/\n/g, ' '));
    }
  });

  // Structured values: each PHI cell scanned with its column name as context, and bare (as under an alias).
  const structTally = new Map<string, Tally & { bare: number }>();
  for (const p of dataset.identifiers) {
    if (p.column === 'note_text') continue;
    const t = structTally.get(p.kind) ?? { planted: 0, typed: 0, masked: 0, bare: 0 };
    structTally.set(p.kind, t);
    t.planted++;
    const spans = detectors.detect(p.value, p.column);
    if (covered(spans, 0, p.value.length, p.value, EXPECTED[p.kind])) t.typed++;
    if (covered(spans, 0, p.value.length, p.value)) t.masked++;
    if (covered(detectors.detect(p.value), 0, p.value.length, p.value)) t.bare++;
  }

  // PHI-free text: code descriptions, drug, lab and facility names, and the non-identifier clinical columns.
  const phiFree: string[] = [
    ...dataset.project.datasets
      .find((d) => d.datasetId === 'reference')!
      .tables.flatMap((t) => t.rows.flatMap((r) => r.map(String))),
    ...DIAGNOSES.map((d) => d.description),
    ...MEDICATIONS.flatMap((m) => [
      m.drug,
      m.dose,
      m.route,
      m.frequency,
      `Start ${m.drug} ${m.dose} ${m.route} ${m.frequency}.`,
    ]),
    ...LAB_TESTS.flatMap((l) => [l.name, l.unit, l.loinc]),
    ...FACILITIES,
  ];
  const freeColumns: Record<string, number[]> = {
    encounters: [0, 1, 4, 5, 7],
    diagnoses: [0, 1, 2, 3, 4, 5],
    medications: [0, 1, 2, 3, 4, 5, 6, 7],
    lab_results: [0, 1, 2, 3, 4, 5, 6],
    clinical_notes: [0, 1, 2],
  };
  const freeWithContext: [string, string][] = [];
  for (const [id, cols] of Object.entries(freeColumns)) {
    const t = table(id);
    for (const r of t.rows.slice(0, 400))
      for (const c of cols) if (r[c] !== null) freeWithContext.push([String(r[c]), t.schema[c]!.name]);
  }
  let fpValues = 0;
  let fpSpans = 0;
  let fpChars = 0;
  const fpExamples: string[] = [];
  const scanFree = (text: string, context?: string): void => {
    fpChars += text.length;
    const spans = detectors.detect(text, context);
    if (spans.length > 0) {
      fpValues++;
      fpSpans += spans.length;
      if (fpExamples.length < 8)
        fpExamples.push(`${context ?? ''}:${text} → ${spans.map((s) => s.kind).join(',')}`);
    }
  };
  for (const text of phiFree) scanFree(text);
  for (const [text, context] of freeWithContext) scanFree(text, context);
  const fpTotal = phiFree.length + freeWithContext.length;

  before(() => {
    const lines = ['', 'kind             notes: planted  typed   masked  | structured: n   context  bare'];
    const kinds = new Set([...noteTally.keys(), ...structTally.keys()]);
    for (const k of [...kinds].sort()) {
      const n = noteTally.get(k as IdentifierKind);
      const s = structTally.get(k as IdentifierKind);
      lines.push(
        `${k.padEnd(16)} ${String(n?.planted ?? 0).padStart(6)}  ${pct(n?.typed ?? 0, n?.planted ?? 0)}  ${pct(n?.masked ?? 0, n?.planted ?? 0)}  | ${String(s?.planted ?? 0).padStart(12)}  ${pct(s?.typed ?? 0, s?.planted ?? 0)}  ${pct(s?.bare ?? 0, s?.planted ?? 0)}`,
      );
    }
    lines.push('', 'detector        spans  precision  (of which clinician names, masked though not planted)');
    for (const [k, p] of [...precision.entries()].sort()) {
      lines.push(
        `${k.padEnd(14)} ${String(p.spans).padStart(6)}  ${pct(p.correct, p.spans)}${p.clinician ? `   (${p.clinician})` : ''}${p.examples.length ? `   e.g. ${JSON.stringify(p.examples[0])}` : ''}`,
      );
    }
    lines.push(
      '',
      `PHI-free values: ${fpTotal}, with any detection: ${fpValues} (${pct(fpValues, fpTotal).trim()}), spans ${fpSpans}, ${(fpChars / 1024).toFixed(0)} KiB`,
    );
    for (const e of fpExamples) lines.push(`  false positive: ${e}`);
    console.log(lines.join('\n'));
  });

  for (const [kind, goal] of Object.entries(GOALS)) {
    it(`finds at least ${goal * 100}% of ${kind} identifiers planted in notes, typed correctly`, () => {
      const t = noteTally.get(kind as IdentifierKind)!;
      assert.ok(t.planted > 0, `no ${kind} planted`);
      assert.ok(t.typed / t.planted >= goal, `${kind}: ${t.typed}/${t.planted}`);
    });
  }

  it(`finds at least ${NAME_GOAL * 100}% of the names in notes`, () => {
    const t = noteTally.get('name')!;
    assert.ok(t.typed / t.planted >= NAME_GOAL, `names: ${t.typed}/${t.planted}`);
  });

  it('is at least 95% precise for every detector in notes', () => {
    for (const [kind, p] of precision)
      assert.ok(p.correct / p.spans >= 0.95, `${kind}: ${p.correct}/${p.spans} ${p.examples.join('; ')}`);
  });

  it('masks every structured PHI value when its column name is known', () => {
    for (const [kind, t] of structTally)
      assert.equal(t.masked, t.planted, `${kind}: ${t.masked}/${t.planted}`);
  });

  it('flags under 1% of PHI-free values', () => {
    assert.ok(fpValues / fpTotal < 0.01, `${fpValues}/${fpTotal}: ${fpExamples.join('; ')}`);
  });

  it('leaves none of a note’s planted identifiers in the note once masked with safe-harbor', () => {
    const profile = compileMaskingProfile('safe-harbor', BUILTIN_PROFILES['safe-harbor']!);
    const t = table('clinical_notes');
    const rows = t.rows.map((r) =>
      Object.fromEntries(t.schema.map((f, i) => [f.name, r[i] as string | null])),
    );
    const { rows: masked } = maskResult(
      profile,
      { schema: t.schema.map((f) => ({ name: f.name, type: f.type })), rows, asOf: '2025-06-30' },
      { hmacKey: new Uint8Array(32).fill(7) },
    );
    const leaks: string[] = [];
    masked.forEach((row, i) => {
      const text = String(row['note_text']);
      for (const p of plantedInNotes.get(i) ?? [])
        if (occurrences(text, p.value).length > 0) leaks.push(`${p.kind}:${p.value}`);
    });
    assert.deepEqual(leaks, []);
  });
});
