// Measures how long the stand-in takes to load a clinical-sized seed: `node standins/bigquery/load-benchmark.ts`.

import type { ProjectSeed, SeedValue, TableSeed } from './seed.ts';
import { startBigQueryStandIn } from './server.ts';

const PATIENTS = 10_000;
const ENCOUNTERS = 60_000;
const OBSERVATIONS = 30_000;
const MEDICATIONS = 10_000;

const DAY_MS = 86_400_000;
const EPOCH_2020 = Date.UTC(2020, 0, 1);

function patientId(i: number): string {
  return `MRN${String(i).padStart(7, '0')}`;
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function patients(): TableSeed {
  const rows: SeedValue[][] = [];
  for (let i = 0; i < PATIENTS; i++) {
    rows.push([
      patientId(i),
      `Given${i} Family${i % 977}`,
      isoDate(EPOCH_2020 - (20 + (i % 60)) * 365 * DAY_MS - (i % 365) * DAY_MS),
      `${String(i % 1000).padStart(3, '0')}-${String(i % 100).padStart(2, '0')}-${String(i).padStart(4, '0')}`,
      `${i} Main Street`,
      String(10000 + (i % 89999)),
      i % 2 === 0 ? 'F' : 'M',
      i % 7 !== 0,
      { city: `City ${i % 50}`, state: 'MA' },
      [`tag${i % 5}`, `tag${i % 11}`],
    ]);
  }
  return {
    tableId: 'patients',
    schema: [
      { name: 'patient_id', type: 'STRING', mode: 'REQUIRED' },
      { name: 'name', type: 'STRING' },
      { name: 'birth_date', type: 'DATE' },
      { name: 'ssn', type: 'STRING' },
      { name: 'street', type: 'STRING' },
      { name: 'zip', type: 'STRING' },
      { name: 'sex', type: 'STRING' },
      { name: 'active', type: 'BOOLEAN' },
      {
        name: 'address',
        type: 'RECORD',
        fields: [
          { name: 'city', type: 'STRING' },
          { name: 'state', type: 'STRING' },
        ],
      },
      { name: 'tags', type: 'STRING', mode: 'REPEATED' },
    ],
    rows,
  };
}

function encounters(): TableSeed {
  const rows: SeedValue[][] = [];
  for (let i = 0; i < ENCOUNTERS; i++) {
    rows.push([
      i,
      patientId(i % PATIENTS),
      new Date(EPOCH_2020 + i * 3_600_000),
      `${(i % 5000) + 0.25}`,
      ['inpatient', 'outpatient', 'emergency'][i % 3] ?? null,
      i % 4 === 0 ? `Note for encounter ${i}: patient stable, follow up in two weeks.` : null,
    ]);
  }
  return {
    tableId: 'encounters',
    schema: [
      { name: 'encounter_id', type: 'INTEGER', mode: 'REQUIRED' },
      { name: 'patient_id', type: 'STRING' },
      { name: 'started', type: 'TIMESTAMP' },
      { name: 'cost', type: 'NUMERIC' },
      { name: 'kind', type: 'STRING' },
      { name: 'notes', type: 'STRING' },
    ],
    rows,
  };
}

function observations(): TableSeed {
  const rows: SeedValue[][] = [];
  for (let i = 0; i < OBSERVATIONS; i++) {
    rows.push([
      i,
      patientId(i % PATIENTS),
      `LOINC-${i % 300}`,
      (i % 1000) / 10,
      isoDate(EPOCH_2020 + (i % 1500) * DAY_MS),
    ]);
  }
  return {
    tableId: 'observations',
    schema: [
      { name: 'observation_id', type: 'INTEGER' },
      { name: 'patient_id', type: 'STRING' },
      { name: 'code', type: 'STRING' },
      { name: 'value', type: 'FLOAT' },
      { name: 'observed_on', type: 'DATE' },
    ],
    rows,
  };
}

function medications(): TableSeed {
  const rows: SeedValue[][] = [];
  for (let i = 0; i < MEDICATIONS; i++) {
    rows.push([
      i,
      patientId(i % PATIENTS),
      `RX${i % 400}`,
      `{"dose_mg": ${(i % 20) * 5}}`,
      `2021-01-01T0${i % 10}:00:00`,
    ]);
  }
  return {
    tableId: 'medications',
    schema: [
      { name: 'medication_id', type: 'INTEGER' },
      { name: 'patient_id', type: 'STRING' },
      { name: 'rxnorm', type: 'STRING' },
      { name: 'details', type: 'JSON' },
      { name: 'prescribed_at', type: 'DATETIME' },
    ],
    rows,
  };
}

const seeds: ProjectSeed[] = [
  {
    projectId: 'bench-project',
    datasets: [{ datasetId: 'clinical', tables: [patients(), encounters(), observations(), medications()] }],
  },
];

const started = performance.now();
const standIn = await startBigQueryStandIn({ seeds, log: (line) => console.log(line) });
console.log(`bigquery: startBigQueryStandIn resolved after ${Math.round(performance.now() - started)} ms`);
await standIn.close();
