// Table definitions for the synthetic clinical and reference datasets: columns, PHI classes and policy tags.

import type { BigQueryType, FieldSeed } from '../../standins/bigquery/seed.ts';
import type { IdentifierKind } from './identifiers.ts';

/** Policy tag classes in the `warden-phi` taxonomy; each PHI column carries exactly one. */
export const PHI_CLASSES = [
  'name',
  'ssn',
  'contact',
  'address',
  'date',
  'mrn',
  'account',
  'free_text',
] as const;

/** One of {@link PHI_CLASSES}. */
export type PhiClass = (typeof PHI_CLASSES)[number];

/** Taxonomy id under which the PHI policy tags live. */
export const PHI_TAXONOMY = 'warden-phi';

/** Full resource name of a PHI policy tag, e.g. `projects/p/locations/us/taxonomies/warden-phi/policyTags/ssn`. */
export function policyTagName(projectId: string, phiClass: PhiClass): string {
  return `projects/${projectId}/locations/us/taxonomies/${PHI_TAXONOMY}/policyTags/${phiClass}`;
}

/**
 * A column: its BigQuery shape, its PHI class if any, and — when every non-null value in it is a HIPAA
 * identifier of one kind — that kind, so the generator can list each cell as a planted identifier.
 */
export interface ColumnSpec {
  name: string;
  type: BigQueryType;
  required: boolean;
  description: string;
  phi?: PhiClass;
  kind?: IdentifierKind;
}

/** A table: id, description and columns in row order. */
export interface TableSpec {
  tableId: string;
  description: string;
  columns: readonly ColumnSpec[];
}

const col = (
  name: string,
  type: BigQueryType,
  description: string,
  extra: { required?: boolean; phi?: PhiClass; kind?: IdentifierKind } = {},
): ColumnSpec => ({
  name,
  type,
  required: extra.required ?? false,
  description,
  ...(extra.phi ? { phi: extra.phi } : {}),
  ...(extra.kind ? { kind: extra.kind } : {}),
});

const id = (name: string, description: string): ColumnSpec =>
  col(name, 'STRING', description, { required: true });

/** The `patients` table: one row per person. */
export const PATIENTS: TableSpec = {
  tableId: 'patients',
  description: 'Patient demographics and contact details, one row per patient.',
  columns: [
    id('patient_id', 'Surrogate patient key (P000123); not derived from any identifier.'),
    col('mrn', 'STRING', 'Medical record number.', { required: true, phi: 'mrn', kind: 'mrn' }),
    col('first_name', 'STRING', 'Given name.', { phi: 'name', kind: 'name' }),
    col('last_name', 'STRING', 'Family name.', { phi: 'name', kind: 'name' }),
    col('birth_date', 'DATE', 'Date of birth.', { phi: 'date', kind: 'birth_date' }),
    col('sex', 'STRING', 'Administrative sex: F or M.'),
    col('ssn', 'STRING', 'Social Security number, AAA-GG-SSSS.', { phi: 'ssn', kind: 'ssn' }),
    col('street_address', 'STRING', 'Street address, with unit if any.', {
      phi: 'address',
      kind: 'street_address',
    }),
    col('city', 'STRING', 'City of residence.', { phi: 'address' }),
    col('state', 'STRING', 'Two-letter state code.'),
    col('zip', 'STRING', 'Five-digit ZIP code.', { phi: 'address', kind: 'zip' }),
    col('phone', 'STRING', 'Home phone number, 555-123-4567.', { phi: 'contact', kind: 'phone' }),
    col('email', 'STRING', 'E-mail address.', { phi: 'contact', kind: 'email' }),
    col('health_plan_id', 'STRING', 'Health plan member id (Medicare MBI or commercial).', {
      phi: 'account',
      kind: 'health_plan_id',
    }),
    col('created_at', 'TIMESTAMP', 'When the patient was registered.', {
      required: true,
      phi: 'date',
      kind: 'date',
    }),
  ],
};

/** The `encounters` table: visits and admissions. */
export const ENCOUNTERS: TableSpec = {
  tableId: 'encounters',
  description: 'Visits and admissions, several per patient.',
  columns: [
    id('encounter_id', 'Surrogate encounter key (E00000123).'),
    id('patient_id', 'The patient (patients.patient_id).'),
    col('admit_date', 'DATE', 'Date of admission or visit.', { required: true, phi: 'date', kind: 'date' }),
    col('discharge_date', 'DATE', 'Date of discharge; null while still admitted.', {
      phi: 'date',
      kind: 'date',
    }),
    col('encounter_type', 'STRING', 'outpatient, emergency, inpatient, telehealth or observation.'),
    col('facility', 'STRING', 'Facility name.'),
    col('attending_physician', 'STRING', 'Attending clinician, "First Last, MD".'),
    col('total_charge', 'NUMERIC', 'Total billed charge in USD.'),
  ],
};

/** The `diagnoses` table: ICD-10-CM codes per encounter. */
export const DIAGNOSES_TABLE: TableSpec = {
  tableId: 'diagnoses',
  description: 'Diagnoses recorded at encounters, coded in ICD-10-CM.',
  columns: [
    id('diagnosis_id', 'Surrogate diagnosis key (D00000123).'),
    id('encounter_id', 'The encounter (encounters.encounter_id).'),
    id('patient_id', 'The patient (patients.patient_id).'),
    col('icd10_code', 'STRING', 'ICD-10-CM code.', { required: true }),
    col('description', 'STRING', 'ICD-10-CM description.'),
    col('is_primary', 'BOOLEAN', 'True for the principal diagnosis of the encounter.'),
    col('diagnosed_on', 'DATE', 'Date the diagnosis was recorded.', { phi: 'date', kind: 'date' }),
  ],
};

/** The `medications` table: prescriptions. */
export const MEDICATIONS_TABLE: TableSpec = {
  tableId: 'medications',
  description: 'Medications prescribed at encounters.',
  columns: [
    id('medication_id', 'Surrogate prescription key (M00000123).'),
    id('patient_id', 'The patient (patients.patient_id).'),
    id('encounter_id', 'The prescribing encounter (encounters.encounter_id).'),
    col('drug_name', 'STRING', 'Drug name.'),
    col('rxnorm_code', 'STRING', 'RxNorm-style concept id.'),
    col('dose', 'STRING', 'Dose with unit, e.g. "10 mg".'),
    col('route', 'STRING', 'Route of administration.'),
    col('frequency', 'STRING', 'Dosing frequency.'),
    col('start_date', 'DATE', 'First day of therapy.', { phi: 'date', kind: 'date' }),
    col('end_date', 'DATE', 'Last day of therapy; null when ongoing.', { phi: 'date', kind: 'date' }),
  ],
};

/** The `lab_results` table: one row per resulted test. */
export const LAB_RESULTS: TableSpec = {
  tableId: 'lab_results',
  description: 'Laboratory results, coded in LOINC.',
  columns: [
    id('result_id', 'Surrogate result key (L00000123).'),
    id('patient_id', 'The patient (patients.patient_id).'),
    id('encounter_id', 'The ordering encounter (encounters.encounter_id).'),
    col('loinc_code', 'STRING', 'LOINC code of the test.', { required: true }),
    col('test_name', 'STRING', 'LOINC long common name.'),
    col('value', 'FLOAT', 'Numeric result.'),
    col('unit', 'STRING', 'UCUM unit of the result.'),
    col('collected_at', 'TIMESTAMP', 'When the specimen was collected.', { phi: 'date', kind: 'date' }),
  ],
};

/** The `clinical_notes` table: free-text notes that mention identifiers in many spellings. */
export const CLINICAL_NOTES: TableSpec = {
  tableId: 'clinical_notes',
  description: 'Free-text clinical notes; contain identifiers in varied formats.',
  columns: [
    id('note_id', 'Surrogate note key (N00000123).'),
    id('patient_id', 'The patient (patients.patient_id).'),
    id('encounter_id', 'The encounter written up (encounters.encounter_id).'),
    col('note_date', 'DATE', 'Date the note was signed.', { phi: 'date', kind: 'date' }),
    col('author', 'STRING', 'Signing clinician, "First Last, MD".'),
    col('note_text', 'STRING', 'Note body; may mention names, dates, numbers and addresses.', {
      phi: 'free_text',
    }),
  ],
};

/** The `icd10_codes` reference table: no PHI. */
export const ICD10_CODES: TableSpec = {
  tableId: 'icd10_codes',
  description: 'ICD-10-CM codes used in the clinical dataset, with chapter. Contains no PHI.',
  columns: [
    col('code', 'STRING', 'ICD-10-CM code.', { required: true }),
    col('description', 'STRING', 'Code description.'),
    col('category', 'STRING', 'ICD-10-CM chapter.'),
  ],
};

/** The clinical tables in the order they are emitted. */
export const CLINICAL_TABLES: readonly TableSpec[] = [
  PATIENTS,
  ENCOUNTERS,
  DIAGNOSES_TABLE,
  MEDICATIONS_TABLE,
  LAB_RESULTS,
  CLINICAL_NOTES,
];

/** BigQuery schema fields for a table, with policy tags on PHI columns naming `projectId`'s taxonomy. */
export function toFieldSeeds(spec: TableSpec, projectId: string): FieldSeed[] {
  return spec.columns.map((c) => ({
    name: c.name,
    type: c.type,
    mode: c.required ? 'REQUIRED' : 'NULLABLE',
    description: c.description,
    ...(c.phi ? { policyTags: [policyTagName(projectId, c.phi)] } : {}),
  }));
}
