// A small, deterministic seed for the stand-in's tests: two projects, clinical tables and an all-types table.

import { BigQuery } from '@google-cloud/bigquery';
import { PassThroughClient } from 'google-auth-library';
import type { Latency } from '../latency.ts';
import type { FieldSeed, ProjectSeed, SeedValue } from './seed.ts';
import type { BigQueryStandIn } from './server.ts';
import { startBigQueryStandIn } from './server.ts';

/** The default project of the tests. */
export const PROJECT = 'warden-test';
/** A second project, in the EU, for cross-project and location checks. */
export const OTHER_PROJECT = 'other-proj';

const tag = (name: string): string =>
  `projects/${PROJECT}/locations/us/taxonomies/warden-phi/policyTags/${name}`;

/** Columns of `clinical.patients`. */
export const PATIENT_FIELDS: FieldSeed[] = [
  {
    name: 'patient_id',
    type: 'STRING',
    mode: 'REQUIRED',
    description: 'Medical record number',
    policyTags: [tag('mrn')],
  },
  { name: 'name', type: 'STRING', description: 'Full name', policyTags: [tag('name')] },
  { name: 'birth_date', type: 'DATE', policyTags: [tag('date')] },
  { name: 'zip', type: 'STRING' },
];

/** Rows of `clinical.patients`: 25 patients P001…P025. */
export const PATIENT_ROWS: SeedValue[][] = Array.from({ length: 25 }, (_, i) => [
  `P${String(i + 1).padStart(3, '0')}`,
  `Patient ${i + 1}`,
  `19${50 + i}-0${(i % 9) + 1}-1${i % 10}`,
  `021${String(i).padStart(2, '0')}`,
]);

/** Rows of `clinical.encounters`: 60 encounters, cycling through the patients. */
export const ENCOUNTER_ROWS: SeedValue[][] = Array.from({ length: 60 }, (_, i) => [
  i + 1,
  `P${String((i % 25) + 1).padStart(3, '0')}`,
  new Date(Date.UTC(2024, 0, 1 + i, 9, 30)),
  `${100 + i}.25`,
  i % 3 === 0 ? `Follow-up note ${i}` : null,
]);

/** The all-types row: one value of every BigQuery type, for wire-format round trips. */
export const ALL_TYPES_ROW: SeedValue[] = [
  9223372036854775807n,
  1.25,
  '123456789012345678901234567.123456789',
  '12345678901234567890.123456789012345678',
  true,
  'héllo ✓',
  new Uint8Array([0, 1, 254, 255]),
  '2024-02-29T12:34:56.123456Z',
  '2024-02-29',
  '12:34:56.5',
  '2024-02-29T12:34:56.789',
  'POINT(-122.35 47.62)',
  '{"a":[1,2],"b":null}',
  { city: 'Boston', since: '2001-02-03', codes: [7, 8] },
  [1n, 2n, 3n],
  [
    { k: 'x', v: 1.5 },
    { k: 'y', v: null },
  ],
];

const ALL_TYPES_FIELDS: FieldSeed[] = [
  { name: 'int64', type: 'INTEGER' },
  { name: 'float64', type: 'FLOAT' },
  { name: 'numeric', type: 'NUMERIC' },
  { name: 'bignumeric', type: 'BIGNUMERIC' },
  { name: 'bool', type: 'BOOLEAN' },
  { name: 'string', type: 'STRING' },
  { name: 'bytes', type: 'BYTES' },
  { name: 'timestamp', type: 'TIMESTAMP' },
  { name: 'date', type: 'DATE' },
  { name: 'time', type: 'TIME' },
  { name: 'datetime', type: 'DATETIME' },
  { name: 'geography', type: 'GEOGRAPHY' },
  { name: 'json', type: 'JSON' },
  {
    name: 'address',
    type: 'RECORD',
    fields: [
      { name: 'city', type: 'STRING' },
      { name: 'since', type: 'DATE' },
      { name: 'codes', type: 'INTEGER', mode: 'REPEATED' },
    ],
  },
  { name: 'ints', type: 'INTEGER', mode: 'REPEATED' },
  {
    name: 'pairs',
    type: 'RECORD',
    mode: 'REPEATED',
    fields: [
      { name: 'k', type: 'STRING' },
      { name: 'v', type: 'FLOAT' },
    ],
  },
];

/** The seeds the tests load. */
export function testSeeds(): ProjectSeed[] {
  return [
    {
      projectId: PROJECT,
      datasets: [
        {
          datasetId: 'clinical',
          description: 'Synthetic clinical data',
          labels: { phi: 'true', env: 'test' },
          location: 'US',
          tables: [
            {
              tableId: 'patients',
              description: 'One row per patient',
              labels: { phi: 'true' },
              schema: PATIENT_FIELDS,
              rows: PATIENT_ROWS,
            },
            {
              tableId: 'encounters',
              schema: [
                { name: 'encounter_id', type: 'INTEGER', mode: 'REQUIRED' },
                { name: 'patient_id', type: 'STRING' },
                { name: 'started', type: 'TIMESTAMP' },
                { name: 'cost', type: 'NUMERIC' },
                { name: 'notes', type: 'STRING' },
              ],
              rows: ENCOUNTER_ROWS,
            },
          ],
        },
        {
          datasetId: 'reference',
          tables: [
            {
              tableId: 'icd_codes',
              schema: [
                { name: 'code', type: 'STRING' },
                { name: 'title', type: 'STRING' },
              ],
              rows: [
                ['E11', 'Type 2 diabetes'],
                ['I10', 'Hypertension'],
              ],
            },
          ],
        },
        {
          datasetId: 'types',
          tables: [
            {
              tableId: 'all_types',
              schema: ALL_TYPES_FIELDS,
              rows: [ALL_TYPES_ROW, ALL_TYPES_FIELDS.map(() => null)],
            },
          ],
        },
      ],
    },
    {
      projectId: OTHER_PROJECT,
      datasets: [
        {
          datasetId: 'shared',
          location: 'EU',
          tables: [
            {
              tableId: 'facilities',
              schema: [{ name: 'facility', type: 'STRING' }],
              rows: [['North'], ['South']],
            },
          ],
        },
      ],
    },
  ];
}

/** BigQuery's logical size of a STRING column: 2 bytes plus the UTF-8 length of each non-null value. */
export function stringColumnBytes(rows: readonly SeedValue[][], column: number): number {
  return rows.reduce((sum, row) => {
    const value = row[column];
    return typeof value === 'string' ? sum + 2 + Buffer.byteLength(value) : sum;
  }, 0);
}

/** A stand-in loaded with {@link testSeeds} and an official client pointed at it with no credentials. */
export interface TestStandIn {
  standIn: BigQueryStandIn;
  bigquery: BigQuery;
}

/** Starts a stand-in on an ephemeral port; small result pages so that the client's pagination is exercised. */
export async function startTestStandIn(
  options: { maxPageBytes?: number; maxJobs?: number; latency?: Latency } = {},
): Promise<TestStandIn> {
  const standIn = await startBigQueryStandIn({
    seeds: testSeeds(),
    maxPageBytes: options.maxPageBytes ?? 4096,
    ...(options.maxJobs !== undefined ? { maxJobs: options.maxJobs } : {}),
    ...(options.latency ? { latency: options.latency } : {}),
  });
  const bigquery = new BigQuery({
    projectId: PROJECT,
    apiEndpoint: standIn.url,
    authClient: new PassThroughClient(),
  });
  return { standIn, bigquery };
}
