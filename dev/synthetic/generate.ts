// Deterministic synthetic PHI dataset for the local BigQuery stand-in, listing every identifier it plants.

import type { DatasetSeed, ProjectSeed, SeedValue, TableSeed } from '../../standins/bigquery/seed.ts';
import { ageOn, isoDate, isoTimestamp, parseIsoDate, timestampAt } from './calendar.ts';
import {
  ACUTE_PANEL,
  DIAGNOSES,
  type Diagnosis,
  diagnosisApplies,
  ENCOUNTER_TYPES,
  type EncounterType,
  FACILITIES,
  icd10Chapter,
  LAB_BY_LOINC,
  MEDICATION_BY_CODE,
  type Medication,
} from './clinical-catalog.ts';
import {
  formatPhone,
  generateEmail,
  generateHealthPlanId,
  generateMrn,
  generatePhoneDigits,
  generateSsn,
  type IdentifierKind,
} from './identifiers.ts';
import { composeNote, type NoteSubject } from './notes.ts';
import { Rng, WeightedPicker } from './prng.ts';
import { CLINICAL_TABLES, ICD10_CODES, type TableSpec, toFieldSeeds } from './schema.ts';
import {
  CITIES,
  type CityEntry,
  CLINICIAN_FIRST_NAMES,
  CLINICIAN_LAST_NAMES,
  FEMALE_FIRST_NAMES,
  LAST_NAMES,
  MALE_FIRST_NAMES,
  STREET_NAMES,
  STREET_SUFFIXES,
} from './word-lists.ts';

export type { IdentifierKind } from './identifiers.ts';

/** What to generate. The same options always produce byte-identical output. */
export interface GenerateOptions {
  /** Seed; numbers are used as their decimal string, so `42` and `'42'` give the same data. */
  seed: string | number;
  /** Number of patients; default {@link DEFAULT_PATIENTS}. */
  patients?: number;
  projectId: string;
  /** Default `clinical`. */
  clinicalDataset?: string;
  /** Default `reference`. */
  referenceDataset?: string;
}

/** Where one identifier value sits: the cell, and for `note_text` the verbatim substring. */
export interface PlantedIdentifier {
  kind: IdentifierKind;
  value: string;
  datasetId: string;
  tableId: string;
  column: string;
  rowIndex: number;
}

/** The generated project and every identifier planted in it. */
export interface SyntheticDataset {
  project: ProjectSeed;
  identifiers: PlantedIdentifier[];
}

/** Patients generated when {@link GenerateOptions.patients} is omitted. */
export const DEFAULT_PATIENTS = 10_000;

/** "Today" for the dataset: no date lies far past it and ages are computed on it. */
export const REFERENCE_DATE = '2025-06-30';

const REFERENCE_DAY = parseIsoDate(REFERENCE_DATE);
const HISTORY_YEARS = 5;

interface Band {
  min: number;
  max: number;
  weight: number;
}

/** Age bands of the patient population; about 2% are over 89. */
const AGE_BANDS = new WeightedPicker<Band>(
  [
    { min: 0, max: 17, weight: 18 },
    { min: 18, max: 44, weight: 30 },
    { min: 45, max: 64, weight: 27 },
    { min: 65, max: 89, weight: 23 },
    { min: 90, max: 104, weight: 2 },
  ],
  (b) => b.weight,
);

const counts = (weights: readonly number[]): WeightedPicker<number> =>
  new WeightedPicker(
    weights.map((_, i) => i + 1),
    (n) => weights[n - 1]!,
  );
const ENCOUNTERS_PER_PATIENT = counts([5, 10, 20, 30, 20, 10, 5]);
const DIAGNOSES_PER_ENCOUNTER = counts([60, 30, 10]);
const CITY_PICKER = new WeightedPicker<CityEntry>(CITIES, (c) => c.weight);
const TYPE_PICKER = new WeightedPicker<EncounterType>(ENCOUNTER_TYPES, (t) => t.weight);
const DIAGNOSIS_PICKER = new WeightedPicker<Diagnosis>(DIAGNOSES, (d) => d.weight);
const FALLBACK_DIAGNOSIS = DIAGNOSES.find((d) => d.code === 'Z23')!;
const FALLBACK_ACUTE_DIAGNOSIS = DIAGNOSES.find((d) => d.code === 'R51.9')!;

interface Clinician {
  name: string;
  signature: string;
}

interface Patient {
  id: string;
  subject: NoteSubject;
  birthDay: number;
  sex: 'F' | 'M';
  chronic: Diagnosis[];
  facility: string;
}

/** Growing rows of every clinical table, plus identifiers planted in note text. */
interface Tables {
  patients: SeedValue[][];
  encounters: SeedValue[][];
  diagnoses: SeedValue[][];
  medications: SeedValue[][];
  labs: SeedValue[][];
  notes: SeedValue[][];
  noteIdentifiers: { kind: IdentifierKind; value: string; rowIndex: number }[];
}

interface Context {
  rng: Rng;
  physicians: Clinician[];
  nurses: Clinician[];
  taken: { mrn: Set<string>; ssn: Set<string>; phone: Set<string>; email: Set<string> };
  tables: Tables;
}

const pad = (prefix: string, n: number, width: number): string => prefix + String(n).padStart(width, '0');

function unique(taken: Set<string>, make: () => string): string {
  let value = make();
  while (taken.has(value)) value = make();
  taken.add(value);
  return value;
}

function personName(rng: Rng, sex: 'F' | 'M'): { first: string; last: string } {
  return { first: rng.pick(sex === 'F' ? FEMALE_FIRST_NAMES : MALE_FIRST_NAMES), last: rng.pick(LAST_NAMES) };
}

function clinicians(rng: Rng, count: number, credentials: readonly string[]): Clinician[] {
  return Array.from({ length: count }, () => {
    const name = `${rng.pick(CLINICIAN_FIRST_NAMES)} ${rng.pick(CLINICIAN_LAST_NAMES)}`;
    return { name, signature: `${name}, ${rng.pick(credentials)}` };
  });
}

function streetAddress(rng: Rng): string {
  const street = `${rng.int(1, 9899)} ${rng.pick(STREET_NAMES)} ${rng.pick(STREET_SUFFIXES)}`;
  return rng.chance(0.15) ? `${street} Apt ${rng.int(1, 40)}${rng.pick(['', 'A', 'B', 'C'])}` : street;
}

function birthDayFor(rng: Rng): number {
  const band = AGE_BANDS.pick(rng);
  const earliest = REFERENCE_DAY - Math.floor((band.max + 1) * 365.2425) + 1;
  const latest = REFERENCE_DAY - Math.floor(band.min * 365.2425);
  return rng.int(earliest, latest);
}

/** Z codes (check-ups, immunisations, prenatal visits) belong to clinic visits, not acute care. */
const isRoutineVisitCode = (d: Diagnosis): boolean => d.code.startsWith('Z');

function pickDiagnosis(rng: Rng, patient: Patient, age: number, acute: boolean): Diagnosis {
  if (patient.chronic.length > 0 && rng.chance(0.45)) return rng.pick(patient.chronic);
  for (let attempt = 0; attempt < 8; attempt++) {
    const d = DIAGNOSIS_PICKER.pick(rng);
    if (diagnosisApplies(d, patient.sex, age) && !(acute && isRoutineVisitCode(d))) {
      if (d.chronic && !patient.chronic.includes(d)) patient.chronic.push(d);
      return d;
    }
  }
  return acute ? FALLBACK_ACUTE_DIAGNOSIS : FALLBACK_DIAGNOSIS;
}

function initialConditions(rng: Rng, patient: Patient, age: number): void {
  const count =
    age < 18 ? rng.int(0, 1) : age < 45 ? rng.int(0, 2) : age < 65 ? rng.int(1, 3) : rng.int(2, 4);
  for (let attempt = 0; attempt < count * 4 && patient.chronic.length < count; attempt++) {
    const d = DIAGNOSIS_PICKER.pick(rng);
    if (d.chronic && diagnosisApplies(d, patient.sex, age) && !patient.chronic.includes(d)) {
      patient.chronic.push(d);
    }
  }
}

function addPatient(ctx: Context, index: number): { patient: Patient; createdRow: SeedValue[] } {
  const { rng, taken } = ctx;
  const sex = rng.chance(0.51) ? 'F' : 'M';
  const { first, last } = personName(rng, sex);
  const birthDay = birthDayFor(rng);
  const age = ageOn(birthDay, REFERENCE_DAY);
  const place = CITY_PICKER.pick(rng);
  const areaCode = rng.pick(place.areaCodes);
  const birthYear = Number(isoDate(birthDay).slice(0, 4));
  const subject: NoteSubject = {
    firstName: first,
    lastName: last,
    sex,
    birthDay,
    mrn: unique(taken.mrn, () => generateMrn(rng)),
    ssn: unique(taken.ssn, () => generateSsn(rng)),
    phoneDigits: unique(taken.phone, () => generatePhoneDigits(rng, areaCode)),
    areaCode,
    email: rng.chance(0.88) ? unique(taken.email, () => generateEmail(rng, first, last, birthYear)) : null,
    streetAddress: streetAddress(rng),
    city: place.city,
    state: place.state,
    zip: rng.pick(place.zips),
    healthPlanId: rng.chance(0.94) ? generateHealthPlanId(rng, age >= 65 && rng.chance(0.85)) : null,
    history: [],
  };
  const patient: Patient = {
    id: pad('P', index + 1, 6),
    subject,
    birthDay,
    sex,
    chronic: [],
    facility: rng.pick(FACILITIES),
  };
  initialConditions(rng, patient, age);
  const row: SeedValue[] = [
    patient.id,
    subject.mrn,
    first,
    last,
    isoDate(birthDay),
    sex,
    subject.ssn,
    subject.streetAddress,
    subject.city,
    subject.state,
    subject.zip,
    formatPhone(subject.phoneDigits, 'dashed'),
    subject.email,
    subject.healthPlanId,
    null, // created_at, set once the first encounter is known
  ];
  return { patient, createdRow: row };
}

interface LabReading {
  name: string;
  value: number;
  unit: string;
}

function labValue(rng: Rng, loinc: string, abnormal: boolean): LabReading {
  const test = LAB_BY_LOINC.get(loinc)!;
  const raw = rng.normal(test.mean + (abnormal ? test.abnormalShift : 0), test.sd);
  const factor = 10 ** test.decimals;
  return { name: test.name, value: Math.max(0, Math.round(raw * factor) / factor), unit: test.unit };
}

function labCodes(rng: Rng, type: EncounterType, related: readonly string[]): string[] {
  if (!rng.chance(type.labProbability)) return [];
  const codes: string[] = [];
  if (type.type === 'outpatient') {
    if (rng.chance(0.3)) codes.push('2345-7');
  } else {
    const share = type.type === 'inpatient' ? 0.5 : 0.3;
    for (const code of ACUTE_PANEL) if (rng.chance(share)) codes.push(code);
  }
  for (const code of related) if (!codes.includes(code)) codes.push(code);
  return codes;
}

/** An encounter as its dependent rows need it. */
interface Visit {
  encounterId: string;
  patient: Patient;
  type: EncounterType;
  admitDay: number;
  admitDate: string;
  stay: number;
  dischargeDay: number | null;
  facility: string;
  attending: Clinician;
}

function addEncounterRow(ctx: Context, patient: Patient, admitDay: number): Visit {
  const { rng, tables } = ctx;
  const type = TYPE_PICKER.pick(rng);
  const stay = type.maxStayDays === 0 ? 0 : 1 + Math.floor(rng.next() ** 2 * type.maxStayDays);
  const dischargeDay = admitDay + stay > REFERENCE_DAY ? null : admitDay + stay;
  const visit: Visit = {
    encounterId: pad('E', tables.encounters.length + 1, 8),
    patient,
    type,
    admitDay,
    admitDate: isoDate(admitDay),
    stay,
    dischargeDay,
    facility: rng.chance(0.8) ? patient.facility : rng.pick(FACILITIES),
    attending: rng.pick(ctx.physicians),
  };
  const cents = rng.int(type.minCharge * 100, type.maxCharge * 100);
  tables.encounters.push([
    visit.encounterId,
    patient.id,
    visit.admitDate,
    dischargeDay === null ? null : isoDate(dischargeDay),
    type.type,
    visit.facility,
    visit.attending.signature,
    `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`,
  ]);
  return visit;
}

function encounterDiagnoses(rng: Rng, patient: Patient, admitDay: number, type: EncounterType): Diagnosis[] {
  const acute = type.type !== 'outpatient' && type.type !== 'telehealth';
  const age = ageOn(patient.birthDay, admitDay);
  const diagnoses: Diagnosis[] = [];
  const wanted = DIAGNOSES_PER_ENCOUNTER.pick(rng);
  for (let i = 0; i < wanted; i++) {
    const d = pickDiagnosis(rng, patient, age, acute);
    if (!diagnoses.includes(d)) diagnoses.push(d);
  }
  return diagnoses;
}

/** Adds diagnosis rows, and a prescription for some of them; returns the medication per diagnosis. */
function addDiagnosesAndMedications(
  ctx: Context,
  v: Visit,
  diagnoses: readonly Diagnosis[],
): (Medication | null)[] {
  const { rng, tables } = ctx;
  const medications: (Medication | null)[] = [];
  for (let i = 0; i < diagnoses.length; i++) {
    const d = diagnoses[i]!;
    tables.diagnoses.push([
      pad('D', tables.diagnoses.length + 1, 8),
      v.encounterId,
      v.patient.id,
      d.code,
      d.description,
      i === 0,
      v.admitDate,
    ]);
    const med =
      d.medications.length > 0 && rng.chance(0.65) ? MEDICATION_BY_CODE.get(rng.pick(d.medications))! : null;
    medications.push(med);
    if (med === null) continue;
    const ongoing = d.chronic && rng.chance(0.6);
    const endDay = ongoing ? null : v.admitDay + (d.chronic ? rng.int(30, 365) : rng.int(3, 14));
    tables.medications.push([
      pad('M', tables.medications.length + 1, 8),
      v.patient.id,
      v.encounterId,
      med.drug,
      med.rxnormCode,
      med.dose,
      med.route,
      med.frequency,
      v.admitDate,
      endDay === null ? null : isoDate(endDay),
    ]);
  }
  return medications;
}

/** Adds lab result rows: a panel for acute encounters plus the labs the diagnoses call for. */
function addLabs(ctx: Context, v: Visit, diagnoses: readonly Diagnosis[]): LabReading[] {
  const { rng, tables } = ctx;
  const related = diagnoses.flatMap((d) => d.labs);
  const readings: LabReading[] = [];
  for (const code of labCodes(rng, v.type, related)) {
    const reading = labValue(rng, code, related.includes(code) && rng.chance(0.6));
    const collectedDay = Math.min(v.admitDay + rng.int(0, v.stay), REFERENCE_DAY);
    tables.labs.push([
      pad('L', tables.labs.length + 1, 8),
      v.patient.id,
      v.encounterId,
      code,
      reading.name,
      reading.value,
      reading.unit,
      timestampAt(collectedDay, rng.int(0, 86_399)),
    ]);
    readings.push(reading);
  }
  return readings;
}

/** Adds a clinical note row and records the identifiers written into it. */
function addNote(
  ctx: Context,
  v: Visit,
  diagnoses: Diagnosis[],
  medications: (Medication | null)[],
  labs: LabReading[],
): void {
  const { rng, tables } = ctx;
  const noteDay = v.dischargeDay ?? v.admitDay;
  const author = rng.chance(0.85) ? v.attending : rng.pick(ctx.nurses);
  const subject = v.patient.subject;
  subject.history = v.patient.chronic.filter((d) => !diagnoses.includes(d)).map((d) => d.description);
  const note = composeNote(rng, subject, {
    title: v.type.noteTitle,
    encounterType: v.type.type,
    facility: v.facility,
    admitDay: v.admitDay,
    dischargeDay: v.dischargeDay,
    noteDay,
    attending: v.attending.name,
    author: author.signature,
    diagnoses,
    medications,
    labs,
  });
  const rowIndex = tables.notes.length;
  tables.notes.push([
    pad('N', rowIndex + 1, 8),
    v.patient.id,
    v.encounterId,
    isoDate(noteDay),
    author.signature,
    note.text,
  ]);
  for (const p of note.planted) tables.noteIdentifiers.push({ kind: p.kind, value: p.value, rowIndex });
}

function addEncounter(ctx: Context, patient: Patient, admitDay: number): void {
  const visit = addEncounterRow(ctx, patient, admitDay);
  const diagnoses = encounterDiagnoses(ctx.rng, patient, admitDay, visit.type);
  const medications = addDiagnosesAndMedications(ctx, visit, diagnoses);
  const labs = addLabs(ctx, visit, diagnoses);
  if (ctx.rng.chance(visit.type.noteProbability)) addNote(ctx, visit, diagnoses, medications, labs);
}

function addPatientWithHistory(ctx: Context, index: number): void {
  const { rng } = ctx;
  const { patient, createdRow } = addPatient(ctx, index);
  const windowStart = Math.max(patient.birthDay, REFERENCE_DAY - Math.round(HISTORY_YEARS * 365.2425));
  const admits = Array.from({ length: ENCOUNTERS_PER_PATIENT.pick(rng) }, () =>
    rng.int(windowStart, REFERENCE_DAY),
  );
  admits.sort((a, b) => a - b);
  const firstAdmit = admits[0] ?? REFERENCE_DAY;
  const createdDay = Math.max(patient.birthDay, firstAdmit - rng.int(0, 730));
  createdRow[createdRow.length - 1] = timestampAt(createdDay, rng.int(7 * 3600, 19 * 3600));
  ctx.tables.patients.push(createdRow);
  for (const day of admits) addEncounter(ctx, patient, day);
}

/** Appends to `out` every non-null cell of the columns whose values are identifiers of one kind. */
function structuredIdentifiers(
  out: PlantedIdentifier[],
  datasetId: string,
  spec: TableSpec,
  rows: SeedValue[][],
): void {
  const tableId = spec.tableId;
  for (let c = 0; c < spec.columns.length; c++) {
    const { kind, name: column } = spec.columns[c]!;
    if (kind === undefined) continue;
    for (let rowIndex = 0; rowIndex < rows.length; rowIndex++) {
      const cell = rows[rowIndex]![c];
      if (cell === null || cell === undefined) continue;
      const value = cell instanceof Date ? isoTimestamp(cell) : String(cell);
      out.push({ kind, value, datasetId, tableId, column, rowIndex });
    }
  }
}

function tableSeed(spec: TableSpec, projectId: string, phi: boolean, rows: SeedValue[][]): TableSeed {
  return {
    tableId: spec.tableId,
    description: spec.description,
    labels: { phi: String(phi) },
    schema: toFieldSeeds(spec, projectId),
    rows,
  };
}

function referenceRows(): SeedValue[][] {
  return [...DIAGNOSES]
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
    .map((d) => [d.code, d.description, icd10Chapter(d.code)]);
}

function checkOptions(options: GenerateOptions): Required<GenerateOptions> {
  const patients = options.patients ?? DEFAULT_PATIENTS;
  if (!Number.isSafeInteger(patients) || patients < 0) {
    throw new RangeError(`patients must be a non-negative integer, got ${patients}`);
  }
  if (!options.projectId) throw new RangeError('projectId is required');
  const clinicalDataset = options.clinicalDataset ?? 'clinical';
  const referenceDataset = options.referenceDataset ?? 'reference';
  if (clinicalDataset === referenceDataset)
    throw new RangeError('clinical and reference datasets must differ');
  return { seed: options.seed, patients, projectId: options.projectId, clinicalDataset, referenceDataset };
}

/**
 * Generates the clinical (PHI) and reference (no PHI) datasets. Deterministic: the same options give
 * byte-identical output, and the first N patients (with their rows) are the same whatever `patients` is.
 */
export function generateDataset(options: GenerateOptions): SyntheticDataset {
  const { seed, patients, projectId, clinicalDataset, referenceDataset } = checkOptions(options);
  const rng = new Rng(seed);
  const ctx: Context = {
    rng,
    physicians: clinicians(rng, 150, ['MD', 'MD', 'MD', 'DO']),
    nurses: clinicians(rng, 60, ['NP', 'RN', 'PA-C']),
    taken: { mrn: new Set(), ssn: new Set(), phone: new Set(), email: new Set() },
    tables: {
      patients: [],
      encounters: [],
      diagnoses: [],
      medications: [],
      labs: [],
      notes: [],
      noteIdentifiers: [],
    },
  };
  for (let i = 0; i < patients; i++) addPatientWithHistory(ctx, i);

  const t = ctx.tables;
  const clinicalRows = [t.patients, t.encounters, t.diagnoses, t.medications, t.labs, t.notes];
  const identifiers: PlantedIdentifier[] = [];
  CLINICAL_TABLES.forEach((spec, i) => {
    structuredIdentifiers(identifiers, clinicalDataset, spec, clinicalRows[i]!);
  });
  for (const p of t.noteIdentifiers) {
    const { kind, value, rowIndex } = p;
    identifiers.push({
      kind,
      value,
      datasetId: clinicalDataset,
      tableId: 'clinical_notes',
      column: 'note_text',
      rowIndex,
    });
  }

  const clinical: DatasetSeed = {
    datasetId: clinicalDataset,
    description: 'Synthetic patient records. Every value is fabricated, but treat the dataset as PHI.',
    labels: { phi: 'true' },
    location: 'US',
    tables: CLINICAL_TABLES.map((spec, i) => tableSeed(spec, projectId, true, clinicalRows[i]!)),
  };
  const reference: DatasetSeed = {
    datasetId: referenceDataset,
    description: 'Code sets referenced by the clinical dataset. Contains no PHI.',
    labels: { phi: 'false' },
    location: 'US',
    tables: [tableSeed(ICD10_CODES, projectId, false, referenceRows())],
  };
  return { project: { projectId, datasets: [clinical, reference] }, identifiers };
}

/** Row count of every table, keyed `dataset.table`, for CLI output and sanity checks. */
export function summarizeDataset(dataset: SyntheticDataset): Record<string, number> {
  const summary: Record<string, number> = {};
  for (const ds of dataset.project.datasets) {
    for (const table of ds.tables) summary[`${ds.datasetId}.${table.tableId}`] = table.rows.length;
  }
  return summary;
}
