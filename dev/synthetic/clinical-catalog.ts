// Clinical vocabularies for synthetic records: ICD-10-CM diagnoses, RxNorm-style medications, LOINC lab tests,
// facilities and encounter types.

/** A medication as prescribed; `rxnormCode` is an RxNorm-style concept id. */
export interface Medication {
  rxnormCode: string;
  drug: string;
  dose: string;
  route: string;
  frequency: string;
}

/** A lab test with its LOINC code, unit and the distribution its values are drawn from. */
export interface LabTest {
  loinc: string;
  name: string;
  unit: string;
  mean: number;
  sd: number;
  decimals: number;
  /** Shift of the mean when the patient has a related diagnosis. */
  abnormalShift: number;
}

/** An ICD-10-CM diagnosis with who it applies to and what usually comes with it. */
export interface Diagnosis {
  code: string;
  description: string;
  weight: number;
  chronic: boolean;
  sex?: 'F' | 'M';
  minAge?: number;
  maxAge?: number;
  /** RxNorm-style codes of medications commonly prescribed for it. */
  medications: readonly string[];
  /** LOINC codes of labs commonly ordered for it. */
  labs: readonly string[];
}

const med = (
  rxnormCode: string,
  drug: string,
  dose: string,
  frequency: string,
  route = 'oral',
): Medication => ({
  rxnormCode,
  drug,
  dose,
  route,
  frequency,
});

/** Medications, keyed by nothing in particular; look up by code with {@link MEDICATION_BY_CODE}. */
export const MEDICATIONS: readonly Medication[] = [
  med('314076', 'Lisinopril', '10 mg', 'once daily'),
  med('197361', 'Amlodipine', '5 mg', 'once daily'),
  med('310798', 'Hydrochlorothiazide', '25 mg', 'once daily'),
  med('866514', 'Metoprolol tartrate', '50 mg', 'twice daily'),
  med('860975', 'Metformin', '500 mg', 'twice daily'),
  med('311041', 'Insulin glargine', '20 units', 'at bedtime', 'subcutaneous'),
  med('617310', 'Atorvastatin', '20 mg', 'once daily at bedtime'),
  med('198211', 'Simvastatin', '40 mg', 'once daily at bedtime'),
  med('855332', 'Warfarin', '5 mg', 'once daily'),
  med('1364435', 'Apixaban', '5 mg', 'twice daily'),
  med('197417', 'Furosemide', '40 mg', 'once daily'),
  med('243670', 'Aspirin', '81 mg', 'once daily'),
  med('966222', 'Levothyroxine', '50 mcg', 'once daily before breakfast'),
  med('312938', 'Sertraline', '50 mg', 'once daily'),
  med('349332', 'Escitalopram', '10 mg', 'once daily'),
  med('308460', 'Azithromycin', '250 mg', 'once daily for 5 days'),
  med('308182', 'Amoxicillin', '500 mg', 'three times daily'),
  med('197511', 'Ciprofloxacin', '500 mg', 'twice daily'),
  med('562251', 'Amoxicillin-clavulanate', '875 mg', 'twice daily'),
  med('197454', 'Cephalexin', '500 mg', 'four times daily'),
  med('1049221', 'Oxycodone-acetaminophen', '5-325 mg', 'every 6 hours as needed'),
  med('313782', 'Acetaminophen', '325 mg', 'every 6 hours as needed'),
  med('310965', 'Ibuprofen', '400 mg', 'every 8 hours as needed'),
  med('198013', 'Naproxen', '500 mg', 'twice daily as needed'),
  med('745679', 'Albuterol inhaler', '90 mcg', '2 puffs every 4 hours as needed', 'inhaled'),
  med('896188', 'Fluticasone-salmeterol', '250-50 mcg', '1 inhalation twice daily', 'inhaled'),
  med('1191222', 'Tiotropium', '18 mcg', 'once daily', 'inhaled'),
  med('198014', 'Omeprazole', '20 mg', 'once daily'),
  med('310429', 'Prednisone', '20 mg', 'once daily for 5 days'),
  med('1807510', 'Ceftriaxone', '1 g', 'once daily', 'intravenous'),
  med('1659149', 'Piperacillin-tazobactam', '4.5 g', 'every 6 hours', 'intravenous'),
  med('1361615', 'Enoxaparin', '40 mg', 'once daily', 'subcutaneous'),
  med('311700', 'Ondansetron', '4 mg', 'every 8 hours as needed'),
  med('197943', 'Gabapentin', '300 mg', 'three times daily'),
  med('308971', 'Sumatriptan', '50 mg', 'at onset, may repeat once'),
  med('904420', 'Alendronate', '70 mg', 'once weekly'),
  med('636676', 'Cholecalciferol', '2000 IU', 'once daily'),
  med('1658634', 'Ferrous sulfate', '325 mg', 'once daily'),
  med('248656', 'Prenatal multivitamin', '1 tablet', 'once daily'),
  med('1597599', 'Bictegravir-emtricitabine-tenofovir', '50-200-25 mg', 'once daily'),
  med('198240', 'Tamoxifen', '20 mg', 'once daily'),
  med('1091166', 'Nicotine patch', '21 mg/24 hr', 'once daily', 'transdermal'),
  med('197589', 'Naltrexone', '50 mg', 'once daily'),
  med('1946783', 'Nirmatrelvir-ritonavir', '300-100 mg', 'twice daily for 5 days'),
  med('212033', 'Clopidogrel', '75 mg', 'once daily'),
  med('1373463', 'Empagliflozin', '10 mg', 'once daily'),
];

/** {@link MEDICATIONS} by RxNorm-style code. */
export const MEDICATION_BY_CODE: ReadonlyMap<string, Medication> = new Map(
  MEDICATIONS.map((m) => [m.rxnormCode, m]),
);

const lab = (
  loinc: string,
  name: string,
  unit: string,
  mean: number,
  sd: number,
  decimals: number,
  abnormalShift: number,
): LabTest => ({ loinc, name, unit, mean, sd, decimals, abnormalShift });

/** Lab tests; look up by code with {@link LAB_BY_LOINC}. */
export const LAB_TESTS: readonly LabTest[] = [
  lab('2345-7', 'Glucose [Mass/volume] in Serum or Plasma', 'mg/dL', 92, 10, 0, 70),
  lab('4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood', '%', 5.4, 0.3, 1, 2.6),
  lab('2951-2', 'Sodium [Moles/volume] in Serum or Plasma', 'mmol/L', 140, 2, 0, -10),
  lab('2823-3', 'Potassium [Moles/volume] in Serum or Plasma', 'mmol/L', 4.2, 0.3, 1, 0.8),
  lab('2075-0', 'Chloride [Moles/volume] in Serum or Plasma', 'mmol/L', 103, 2.5, 0, 0),
  lab('2028-9', 'Carbon dioxide, total [Moles/volume] in Serum or Plasma', 'mmol/L', 25, 2, 0, -6),
  lab('3094-0', 'Urea nitrogen [Mass/volume] in Serum or Plasma', 'mg/dL', 14, 4, 0, 18),
  lab('2160-0', 'Creatinine [Mass/volume] in Serum or Plasma', 'mg/dL', 0.9, 0.15, 2, 1.1),
  lab('33914-3', 'Glomerular filtration rate/1.73 sq M.predicted', 'mL/min/{1.73_m2}', 92, 12, 0, -45),
  lab('17861-6', 'Calcium [Mass/volume] in Serum or Plasma', 'mg/dL', 9.4, 0.4, 1, 0),
  lab('718-7', 'Hemoglobin [Mass/volume] in Blood', 'g/dL', 13.8, 1.2, 1, -3.5),
  lab('6690-2', 'Leukocytes [#/volume] in Blood by Automated count', '10*3/uL', 7.2, 1.6, 1, 7),
  lab('777-3', 'Platelets [#/volume] in Blood by Automated count', '10*3/uL', 250, 50, 0, 0),
  lab('2093-3', 'Cholesterol [Mass/volume] in Serum or Plasma', 'mg/dL', 185, 25, 0, 45),
  lab('2571-8', 'Triglyceride [Mass/volume] in Serum or Plasma', 'mg/dL', 120, 35, 0, 90),
  lab('2085-9', 'Cholesterol in HDL [Mass/volume] in Serum or Plasma', 'mg/dL', 55, 10, 0, -15),
  lab(
    '13457-7',
    'Cholesterol in LDL [Mass/volume] in Serum or Plasma by calculation',
    'mg/dL',
    105,
    22,
    0,
    50,
  ),
  lab('3016-3', 'Thyrotropin [Units/volume] in Serum or Plasma', 'm[IU]/L', 2.1, 0.8, 2, 6),
  lab(
    '1742-6',
    'Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma',
    'U/L',
    24,
    8,
    0,
    40,
  ),
  lab(
    '1920-8',
    'Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma',
    'U/L',
    23,
    7,
    0,
    35,
  ),
  lab('1975-2', 'Bilirubin.total [Mass/volume] in Serum or Plasma', 'mg/dL', 0.7, 0.25, 1, 1.2),
  lab('10839-9', 'Troponin I.cardiac [Mass/volume] in Serum or Plasma', 'ng/mL', 0.01, 0.005, 3, 1.2),
  lab('30934-4', 'Natriuretic peptide B [Mass/volume] in Serum or Plasma', 'pg/mL', 45, 20, 0, 650),
  lab('2524-7', 'Lactate [Moles/volume] in Serum or Plasma', 'mmol/L', 1.2, 0.4, 1, 2.8),
  lab('1988-5', 'C reactive protein [Mass/volume] in Serum or Plasma', 'mg/L', 3, 2, 1, 80),
  lab('6301-6', 'INR in Platelet poor plasma by Coagulation assay', '{INR}', 1, 0.08, 1, 1.5),
  lab('2276-4', 'Ferritin [Mass/volume] in Serum or Plasma', 'ng/mL', 120, 60, 0, -95),
  lab('1989-3', '25-Hydroxyvitamin D3 [Mass/volume] in Serum or Plasma', 'ng/mL', 32, 8, 0, -18),
  lab('5811-5', 'Specific gravity of Urine by Test strip', '{ratio}', 1.015, 0.005, 3, 0.01),
];

/** {@link LAB_TESTS} by LOINC code. */
export const LAB_BY_LOINC: ReadonlyMap<string, LabTest> = new Map(LAB_TESTS.map((t) => [t.loinc, t]));

/** LOINC codes of the basic metabolic panel and CBC drawn at most acute-care encounters. */
export const ACUTE_PANEL: readonly string[] = [
  '2951-2',
  '2823-3',
  '2075-0',
  '2028-9',
  '3094-0',
  '2160-0',
  '2345-7',
  '17861-6',
  '718-7',
  '6690-2',
  '777-3',
];

interface DiagnosisOptions {
  weight?: number;
  chronic?: boolean;
  sex?: 'F' | 'M';
  minAge?: number;
  maxAge?: number;
  meds?: string;
  labs?: string;
}

const dx = (code: string, description: string, o: DiagnosisOptions = {}): Diagnosis => ({
  code,
  description,
  weight: o.weight ?? 10,
  chronic: o.chronic ?? false,
  ...(o.sex ? { sex: o.sex } : {}),
  ...(o.minAge !== undefined ? { minAge: o.minAge } : {}),
  ...(o.maxAge !== undefined ? { maxAge: o.maxAge } : {}),
  medications: o.meds ? o.meds.split(' ') : [],
  labs: o.labs ? o.labs.split(' ') : [],
});

/** ICD-10-CM diagnoses used in encounters, with weights, applicability and usual medications and labs. */
export const DIAGNOSES: readonly Diagnosis[] = [
  dx('I10', 'Essential (primary) hypertension', {
    weight: 40,
    chronic: true,
    minAge: 25,
    meds: '314076 197361 310798 866514',
    labs: '2951-2 2823-3 2160-0',
  }),
  dx('E11.9', 'Type 2 diabetes mellitus without complications', {
    weight: 25,
    chronic: true,
    minAge: 30,
    meds: '860975 1373463',
    labs: '4548-4 2345-7',
  }),
  dx('E11.65', 'Type 2 diabetes mellitus with hyperglycemia', {
    weight: 8,
    chronic: true,
    minAge: 30,
    meds: '860975 311041',
    labs: '4548-4 2345-7',
  }),
  dx('E78.5', 'Hyperlipidemia, unspecified', {
    weight: 30,
    chronic: true,
    minAge: 30,
    meds: '617310 198211',
    labs: '2093-3 2571-8 2085-9 13457-7',
  }),
  dx('I25.10', 'Atherosclerotic heart disease of native coronary artery without angina pectoris', {
    weight: 10,
    chronic: true,
    minAge: 45,
    meds: '243670 617310 212033',
    labs: '2093-3 13457-7',
  }),
  dx('I48.91', 'Unspecified atrial fibrillation', {
    weight: 8,
    chronic: true,
    minAge: 50,
    meds: '1364435 855332 866514',
    labs: '6301-6',
  }),
  dx('I50.9', 'Heart failure, unspecified', {
    weight: 8,
    chronic: true,
    minAge: 50,
    meds: '197417 866514 314076',
    labs: '30934-4 2160-0',
  }),
  dx('J44.9', 'Chronic obstructive pulmonary disease, unspecified', {
    weight: 8,
    chronic: true,
    minAge: 40,
    meds: '1191222 745679 896188',
  }),
  dx('J45.909', 'Unspecified asthma, uncomplicated', { weight: 10, chronic: true, meds: '745679 896188' }),
  dx('N18.30', 'Chronic kidney disease, stage 3 unspecified', {
    weight: 6,
    chronic: true,
    minAge: 45,
    labs: '2160-0 33914-3 3094-0 2823-3',
  }),
  dx('E03.9', 'Hypothyroidism, unspecified', { weight: 10, chronic: true, meds: '966222', labs: '3016-3' }),
  dx('F32.9', 'Major depressive disorder, single episode, unspecified', {
    weight: 12,
    chronic: true,
    minAge: 12,
    meds: '312938 349332',
  }),
  dx('F41.1', 'Generalized anxiety disorder', {
    weight: 10,
    chronic: true,
    minAge: 12,
    meds: '349332 312938',
  }),
  dx('K21.9', 'Gastro-esophageal reflux disease without esophagitis', {
    weight: 12,
    chronic: true,
    meds: '198014',
  }),
  dx('E66.9', 'Obesity, unspecified', { weight: 12, chronic: true, minAge: 6, labs: '4548-4 2093-3' }),
  dx('G47.33', 'Obstructive sleep apnea (adult) (pediatric)', { weight: 5, chronic: true, minAge: 30 }),
  dx('M17.11', 'Unilateral primary osteoarthritis, right knee', {
    weight: 6,
    chronic: true,
    minAge: 45,
    meds: '198013 313782',
  }),
  dx('M81.0', 'Age-related osteoporosis without current pathological fracture', {
    weight: 5,
    chronic: true,
    minAge: 55,
    meds: '904420 636676',
    labs: '1989-3 17861-6',
  }),
  dx('G43.909', 'Migraine, unspecified, not intractable, without status migrainosus', {
    weight: 6,
    chronic: true,
    minAge: 10,
    meds: '308971 310965',
  }),
  dx('F17.210', 'Nicotine dependence, cigarettes, uncomplicated', {
    weight: 8,
    chronic: true,
    minAge: 16,
    meds: '1091166',
  }),
  dx('F10.20', 'Alcohol dependence, uncomplicated', {
    weight: 3,
    chronic: true,
    minAge: 18,
    meds: '197589',
    labs: '1742-6 1920-8',
  }),
  dx('B20', 'Human immunodeficiency virus [HIV] disease', {
    weight: 2,
    chronic: true,
    minAge: 16,
    meds: '1597599',
  }),
  dx('C50.911', 'Malignant neoplasm of unspecified site of right female breast', {
    weight: 2,
    chronic: true,
    sex: 'F',
    minAge: 35,
    meds: '198240',
  }),
  dx('C34.90', 'Malignant neoplasm of unspecified part of unspecified bronchus or lung', {
    weight: 2,
    chronic: true,
    minAge: 45,
  }),
  dx('D64.9', 'Anemia, unspecified', { weight: 6, chronic: true, meds: '1658634', labs: '718-7 2276-4' }),
  dx('E55.9', 'Vitamin D deficiency, unspecified', {
    weight: 5,
    chronic: true,
    meds: '636676',
    labs: '1989-3',
  }),
  dx('R73.03', 'Prediabetes', { weight: 8, chronic: true, minAge: 18, labs: '4548-4 2345-7' }),
  dx('J18.9', 'Pneumonia, unspecified organism', {
    weight: 8,
    meds: '308460 562251 1807510',
    labs: '6690-2 1988-5',
  }),
  dx('J06.9', 'Acute upper respiratory infection, unspecified', { weight: 18, meds: '313782' }),
  dx('J02.9', 'Acute pharyngitis, unspecified', { weight: 10, meds: '308182' }),
  dx('H66.90', 'Otitis media, unspecified, unspecified ear', { weight: 8, maxAge: 12, meds: '308182' }),
  dx('N39.0', 'Urinary tract infection, site not specified', {
    weight: 12,
    meds: '197511 197454',
    labs: '6690-2 5811-5',
  }),
  dx('U07.1', 'COVID-19', { weight: 8, meds: '1946783 313782', labs: '1988-5 6690-2' }),
  dx('A41.9', 'Sepsis, unspecified organism', {
    weight: 3,
    minAge: 18,
    meds: '1659149 1807510',
    labs: '2524-7 6690-2 1988-5',
  }),
  dx('I21.4', 'Non-ST elevation (NSTEMI) myocardial infarction', {
    weight: 3,
    minAge: 40,
    meds: '243670 212033 1361615',
    labs: '10839-9',
  }),
  dx('I63.9', 'Cerebral infarction, unspecified', { weight: 2, minAge: 45, meds: '243670 617310' }),
  dx('E87.1', 'Hypo-osmolality and hyponatremia', { weight: 3, minAge: 50, labs: '2951-2' }),
  dx('L03.90', 'Cellulitis, unspecified', { weight: 6, meds: '197454' }),
  dx('K57.30', 'Diverticulosis of large intestine without perforation or abscess without bleeding', {
    weight: 3,
    minAge: 40,
  }),
  dx('R07.9', 'Chest pain, unspecified', { weight: 12, minAge: 18, labs: '10839-9' }),
  dx('R10.9', 'Unspecified abdominal pain', { weight: 12, meds: '311700', labs: '1742-6 1975-2' }),
  dx('R51.9', 'Headache, unspecified', { weight: 8, meds: '313782 310965' }),
  dx('M54.50', 'Low back pain, unspecified', { weight: 14, minAge: 16, meds: '310965 197943' }),
  dx(
    'S72.001A',
    'Fracture of unspecified part of neck of right femur, initial encounter for closed fracture',
    {
      weight: 2,
      minAge: 60,
      meds: '1049221 1361615',
      labs: '718-7',
    },
  ),
  dx('Z00.00', 'Encounter for general adult medical examination without abnormal findings', {
    weight: 20,
    minAge: 18,
    labs: '2093-3 2345-7',
  }),
  dx('Z00.129', 'Encounter for routine child health examination without abnormal findings', {
    weight: 20,
    maxAge: 17,
  }),
  dx('Z23', 'Encounter for immunization', { weight: 10 }),
  dx('Z34.90', 'Encounter for supervision of normal pregnancy, unspecified, unspecified trimester', {
    weight: 6,
    sex: 'F',
    minAge: 16,
    maxAge: 44,
    meds: '248656',
    labs: '718-7',
  }),
  dx('O80', 'Encounter for full-term uncomplicated delivery', {
    weight: 2,
    sex: 'F',
    minAge: 16,
    maxAge: 44,
  }),
];

/** True when a diagnosis applies to a patient of this sex and age. */
export function diagnosisApplies(d: Diagnosis, sex: 'F' | 'M', age: number): boolean {
  return (
    (d.sex === undefined || d.sex === sex) &&
    (d.minAge === undefined || age >= d.minAge) &&
    (d.maxAge === undefined || age <= d.maxAge)
  );
}

/** The ICD-10-CM chapter a code falls in, by its first character (and, for D, its range). */
export function icd10Chapter(code: string): string {
  const letter = code.charAt(0);
  if (letter === 'D') {
    return Number(code.slice(1, 3)) < 50 ? 'Neoplasms' : 'Diseases of the blood and blood-forming organs';
  }
  return ICD10_CHAPTERS[letter] ?? 'Unclassified';
}

const ICD10_CHAPTERS: Readonly<Record<string, string>> = {
  A: 'Certain infectious and parasitic diseases',
  B: 'Certain infectious and parasitic diseases',
  C: 'Neoplasms',
  E: 'Endocrine, nutritional and metabolic diseases',
  F: 'Mental, behavioral and neurodevelopmental disorders',
  G: 'Diseases of the nervous system',
  H: 'Diseases of the eye and adnexa; diseases of the ear and mastoid process',
  I: 'Diseases of the circulatory system',
  J: 'Diseases of the respiratory system',
  K: 'Diseases of the digestive system',
  L: 'Diseases of the skin and subcutaneous tissue',
  M: 'Diseases of the musculoskeletal system and connective tissue',
  N: 'Diseases of the genitourinary system',
  O: 'Pregnancy, childbirth and the puerperium',
  R: 'Symptoms, signs and abnormal clinical and laboratory findings, not elsewhere classified',
  S: 'Injury, poisoning and certain other consequences of external causes',
  U: 'Codes for special purposes',
  Z: 'Factors influencing health status and contact with health services',
};

/** An encounter type with its share of encounters, length of stay, charge range and note likelihood. */
export interface EncounterType {
  type: string;
  weight: number;
  maxStayDays: number;
  minCharge: number;
  maxCharge: number;
  noteProbability: number;
  labProbability: number;
  noteTitle: string;
}

/** Encounter types. */
export const ENCOUNTER_TYPES: readonly EncounterType[] = [
  {
    type: 'outpatient',
    weight: 60,
    maxStayDays: 0,
    minCharge: 120,
    maxCharge: 650,
    noteProbability: 0.2,
    labProbability: 0.35,
    noteTitle: 'PROGRESS NOTE',
  },
  {
    type: 'emergency',
    weight: 15,
    maxStayDays: 0,
    minCharge: 800,
    maxCharge: 5200,
    noteProbability: 0.6,
    labProbability: 0.75,
    noteTitle: 'EMERGENCY DEPARTMENT NOTE',
  },
  {
    type: 'inpatient',
    weight: 12,
    maxStayDays: 10,
    minCharge: 6000,
    maxCharge: 68000,
    noteProbability: 0.95,
    labProbability: 1,
    noteTitle: 'DISCHARGE SUMMARY',
  },
  {
    type: 'telehealth',
    weight: 10,
    maxStayDays: 0,
    minCharge: 60,
    maxCharge: 260,
    noteProbability: 0.35,
    labProbability: 0,
    noteTitle: 'TELEHEALTH VISIT NOTE',
  },
  {
    type: 'observation',
    weight: 3,
    maxStayDays: 1,
    minCharge: 2500,
    maxCharge: 9000,
    noteProbability: 0.5,
    labProbability: 1,
    noteTitle: 'OBSERVATION NOTE',
  },
];

/** Facility names; organisations, not individuals, so not PHI. */
export const FACILITIES: readonly string[] = [
  'Mercy General Hospital',
  "St. Luke's Medical Center",
  'Riverside Community Hospital',
  'Lakeview Regional Medical Center',
  'Northshore University Health',
  'Harborview Family Clinic',
  'Summit Primary Care Associates',
  "Valley Children's Pediatrics",
  'Grace Memorial Hospital',
  'Cedar Ridge Urgent Care',
  'Westbrook Internal Medicine',
  'Pinecrest Cardiology Group',
];
