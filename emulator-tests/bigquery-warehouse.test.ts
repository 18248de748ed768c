// The BigQuery adapter against the BigQuery stand-in: dry-run facts, execution, exact values, typed errors.

import assert from 'node:assert/strict';
import { BigQueryWarehouse } from '../shared/adapters/bigquery/warehouse.ts';
import { createBigQueryClient } from '../shared/adapters/clients.ts';
import { isWardenError } from '../shared/core/errors.ts';
import { theStack } from './harness.ts';

const P = 'demo-warden';

describe('BigQueryWarehouse (BigQuery stand-in)', () => {
  let wh: BigQueryWarehouse;
  const options = { rowLimit: 10, labels: { 'warden-request': 'test' }, timeoutMs: 30_000 };
  before(async () => {
    wh = new BigQueryWarehouse(await createBigQueryClient(P, theStack().info.endpoints.bigquery));
  });

  it('dry-runs a join and reports statement type, every referenced table, and bytes', async () => {
    const facts = await wh.dryRun({
      projectId: P,
      sql: `SELECT p.patient_id, COUNT(*) AS n FROM \`${P}.clinical.patients\` p JOIN \`${P}.clinical.encounters\` e ON e.patient_id = p.patient_id GROUP BY 1`,
    });
    assert.equal(facts.statementType, 'SELECT');
    assert.deepEqual(facts.referencedTables.map((t) => t.tableId).sort(), ['encounters', 'patients']);
    assert.ok(BigInt(facts.totalBytesProcessed) > 0n);
  });

  it('reports a write as such in the dry run', async () => {
    const facts = await wh.dryRun({ projectId: P, sql: `DELETE FROM \`${P}.clinical.patients\` WHERE TRUE` });
    assert.equal(facts.statementType, 'DELETE');
    assert.deepEqual(
      facts.referencedTables.map((t) => t.tableId),
      ['patients'],
    );
  });

  it('runs a query with named parameters and cuts it at the row limit', async () => {
    const result = await wh.execute(
      {
        projectId: P,
        sql: `SELECT patient_id FROM \`${P}.clinical.patients\` WHERE patient_id >= @from ORDER BY patient_id`,
        params: [{ name: 'from', type: 'STRING', value: 'P' }],
      },
      options,
    );
    assert.equal(result.rows.length, 10);
    assert.equal(result.truncated, true);
    assert.ok(result.jobId);
    assert.deepEqual(
      result.schema.map((c) => c.name),
      ['patient_id'],
    );
  });

  it('keeps INT64 beyond 2^53 and NUMERIC exact', async () => {
    const result = await wh.execute(
      {
        projectId: P,
        sql: "SELECT 9007199254740993 AS big, CAST('12345678901234567890.123456789' AS NUMERIC) AS num",
      },
      options,
    );
    assert.deepEqual(result.rows, [{ big: '9007199254740993', num: '12345678901234567890.123456789' }]);
    assert.equal(result.truncated, false);
  });

  const errors = [
    {
      name: 'an unknown table is not_found',
      sql: `SELECT * FROM \`${P}.clinical.nope\``,
      kind: 'not_found' as const,
    },
    { name: 'a syntax error is invalid_argument', sql: 'SELEC 1', kind: 'invalid_argument' as const },
  ];
  for (const c of errors) {
    it(`reports ${c.name} in the dry run`, async () => {
      await assert.rejects(wh.dryRun({ projectId: P, sql: c.sql }), (e) => isWardenError(e, c.kind));
    });
  }

  it('refuses a query over the bytes limit with failed_precondition', async () => {
    await assert.rejects(
      wh.execute(
        { projectId: P, sql: `SELECT * FROM \`${P}.clinical.patients\`` },
        { ...options, maximumBytesBilled: '1' },
      ),
      (e) => isWardenError(e, 'failed_precondition'),
    );
  });
});
