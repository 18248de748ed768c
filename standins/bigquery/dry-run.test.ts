// Dry runs through the official client: statement type, referenced tables, byte estimates and result schema.

import assert from 'node:assert/strict';
import type { TestStandIn } from './test-seed.ts';
import {
  ENCOUNTER_ROWS,
  OTHER_PROJECT,
  PATIENT_ROWS,
  PROJECT,
  startTestStandIn,
  stringColumnBytes,
} from './test-seed.ts';

interface DryRun {
  statementType: string;
  tables: string[];
  bytes: number;
  ddlTarget?: string;
  location: string;
  schema?: { name: string; type: string }[];
}

const NUMERIC_BYTES = 16;

describe('dry runs', () => {
  let t: TestStandIn;
  before(async () => {
    t = await startTestStandIn();
  });
  after(() => t.standIn.close());

  async function dryRun(
    query: string,
    options: { location?: string; params?: Record<string, unknown> } = {},
  ): Promise<DryRun> {
    const [job] = await t.bigquery.createQueryJob({ query, dryRun: true, ...options });
    const stats = job.metadata.statistics;
    const refs = (stats.query.referencedTables ?? []) as {
      projectId: string;
      datasetId: string;
      tableId: string;
    }[];
    const ddl = stats.query.ddlTargetTable as
      | { projectId: string; datasetId: string; tableId: string }
      | undefined;
    return {
      statementType: stats.query.statementType,
      tables: refs.map((r) => `${r.projectId}.${r.datasetId}.${r.tableId}`).sort(),
      bytes: Number(stats.totalBytesProcessed),
      ...(ddl ? { ddlTarget: `${ddl.projectId}.${ddl.datasetId}.${ddl.tableId}` } : {}),
      location: job.metadata.jobReference.location,
      ...(stats.query.schema
        ? {
            schema: stats.query.schema.fields.map((f: { name: string; type: string }) => ({
              name: f.name,
              type: f.type,
            })),
          }
        : {}),
    };
  }

  async function tableBytes(dataset: string, table: string): Promise<number> {
    const [meta] = await t.bigquery.dataset(dataset).table(table).getMetadata();
    return Number(meta.numBytes);
  }

  const patients = `${PROJECT}.clinical.patients`;
  const encounters = `${PROJECT}.clinical.encounters`;
  const icd = `${PROJECT}.reference.icd_codes`;
  const patientIdBytes = stringColumnBytes(PATIENT_ROWS, 0);
  const nameBytes = stringColumnBytes(PATIENT_ROWS, 1);
  const encounterPatientIdBytes = stringColumnBytes(ENCOUNTER_ROWS, 1);

  const cases: [string, string, string, string[]][] = [
    [
      'a join',
      'SELECT p.name, e.cost FROM clinical.patients p JOIN clinical.encounters e ON p.patient_id = e.patient_id',
      'SELECT',
      [encounters, patients],
    ],
    [
      'a subquery in WHERE',
      'SELECT name FROM clinical.patients WHERE patient_id IN (SELECT patient_id FROM `warden-test.clinical.encounters`)',
      'SELECT',
      [encounters, patients],
    ],
    [
      'a CTE whose name shadows a table',
      'WITH patients AS (SELECT * FROM clinical.encounters) SELECT * FROM patients',
      'SELECT',
      [encounters],
    ],
    [
      'a scalar subquery in a UNION branch',
      'SELECT code FROM reference.icd_codes UNION ALL SELECT (SELECT MAX(zip) FROM `warden-test`.`clinical`.`patients`)',
      'SELECT',
      [patients, icd],
    ],
    [
      'INSERT … SELECT (target and source)',
      'INSERT INTO clinical.encounters (encounter_id, patient_id) SELECT 999, patient_id FROM clinical.patients',
      'INSERT',
      [encounters, patients],
    ],
    [
      'INSERT VALUES with a subquery',
      'INSERT clinical.patients (patient_id) VALUES ((SELECT MAX(patient_id) FROM clinical.encounters))',
      'INSERT',
      [encounters, patients],
    ],
    [
      'UPDATE with a subquery',
      "UPDATE clinical.patients SET zip = '00000' WHERE patient_id IN (SELECT patient_id FROM clinical.encounters WHERE cost > 150)",
      'UPDATE',
      [encounters, patients],
    ],
    [
      'UPDATE … FROM',
      'UPDATE clinical.patients p SET name = r.title FROM reference.icd_codes r WHERE p.zip = r.code',
      'UPDATE',
      [patients, icd],
    ],
    ['DELETE', 'DELETE FROM clinical.encounters WHERE notes IS NULL', 'DELETE', [encounters]],
    [
      'MERGE with a subquery source',
      'MERGE clinical.patients t USING (SELECT * FROM reference.icd_codes) s ON t.patient_id = s.code WHEN NOT MATCHED THEN INSERT (patient_id, name) VALUES (s.code, s.title)',
      'MERGE',
      [patients, icd],
    ],
    [
      'CREATE TABLE AS SELECT',
      'CREATE TABLE clinical.summary AS SELECT patient_id, COUNT(*) AS n FROM clinical.encounters GROUP BY patient_id',
      'CREATE_TABLE_AS_SELECT',
      [encounters],
    ],
    ['DROP TABLE', 'DROP TABLE clinical.patients', 'DROP_TABLE', []],
    [
      'a two-statement script',
      'SELECT 1 FROM clinical.patients; DELETE FROM clinical.encounters WHERE TRUE',
      'SCRIPT',
      [encounters, patients],
    ],
  ];
  for (const [name, query, statementType, tables] of cases) {
    it(`reports ${statementType} and the tables of ${name}`, async () => {
      const result = await dryRun(query);
      assert.deepEqual(
        { statementType: result.statementType, tables: result.tables },
        { statementType, tables },
      );
    });
  }

  it('estimates bytes from the columns a SELECT reads', async () => {
    assert.equal((await dryRun('SELECT name FROM clinical.patients')).bytes, nameBytes);
  });

  it('estimates bytes of a join from the referenced columns of both tables', async () => {
    const result = await dryRun(cases[0]?.[1] ?? '');
    assert.equal(
      result.bytes,
      nameBytes + patientIdBytes + encounterPatientIdBytes + NUMERIC_BYTES * ENCOUNTER_ROWS.length,
    );
  });

  it('estimates no bytes for COUNT(*)', async () => {
    assert.equal((await dryRun('SELECT COUNT(*) FROM clinical.patients')).bytes, 0);
  });

  it('bills a DELETE for its whole target table', async () => {
    assert.equal(
      (await dryRun('DELETE FROM clinical.encounters WHERE notes IS NULL')).bytes,
      await tableBytes('clinical', 'encounters'),
    );
  });

  it('bills an INSERT … SELECT only for the columns it reads', async () => {
    assert.equal((await dryRun(cases[4]?.[1] ?? '')).bytes, patientIdBytes);
  });

  it('names the DDL target of CREATE TABLE AS SELECT', async () => {
    assert.equal((await dryRun(cases[10]?.[1] ?? '')).ddlTarget, `${PROJECT}.clinical.summary`);
  });

  it('returns the result schema, naming unaliased expressions f0_, f1_, …', async () => {
    const result = await dryRun(
      'SELECT patient_id, birth_date, COUNT(*) OVER () AS n, 1.5, TRUE FROM clinical.patients',
    );
    assert.deepEqual(result.schema, [
      { name: 'patient_id', type: 'STRING' },
      { name: 'birth_date', type: 'DATE' },
      { name: 'n', type: 'INTEGER' },
      { name: 'f0_', type: 'FLOAT' },
      { name: 'f1_', type: 'BOOLEAN' },
    ]);
  });

  it('validates parameters and reports their types in the schema', async () => {
    const result = await dryRun('SELECT @day AS day FROM clinical.patients WHERE zip = @zip', {
      params: { day: t.bigquery.date('2024-01-01'), zip: '02100' },
    });
    assert.deepEqual(result.schema, [{ name: 'day', type: 'DATE' }]);
  });

  it('runs in the location of the referenced dataset', async () => {
    assert.equal(
      (await dryRun(`SELECT facility FROM \`${OTHER_PROJECT}.shared.facilities\``)).location,
      'EU',
    );
  });

  it('rejects a requested location other than the dataset’s with notFound', async () => {
    await assert.rejects(
      dryRun(`SELECT facility FROM \`${OTHER_PROJECT}.shared.facilities\``, { location: 'US' }),
      {
        code: 404,
        message: /Dataset other-proj:shared was not found in location US/,
      },
    );
  });

  it('answers a jobs.query dry run with bytes and schema, and stores no job', async () => {
    const response = await fetch(`${t.standIn.url}/bigquery/v2/projects/${PROJECT}/queries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'SELECT name FROM clinical.patients',
        useLegacySql: false,
        dryRun: true,
      }),
    });
    const body = (await response.json()) as Record<string, unknown>;
    assert.deepEqual(body, {
      kind: 'bigquery#queryResponse',
      jobReference: { projectId: PROJECT, location: 'US' },
      jobComplete: true,
      totalBytesProcessed: String(nameBytes),
      cacheHit: false,
      schema: { fields: [{ name: 'name', type: 'STRING', mode: 'NULLABLE' }] },
    });
  });

  it('does not execute the statement', async () => {
    await dryRun('DELETE FROM clinical.encounters WHERE TRUE');
    const [rows] = await t.bigquery.query('SELECT COUNT(*) AS n FROM clinical.encounters');
    assert.equal(rows[0].n, ENCOUNTER_ROWS.length);
  });
});
