import assert from 'node:assert/strict';
import type { AuditAppender } from '../../ports/audit-appender.ts';
import type { ExecutionRequest } from '../../ports/query-runner.ts';
import type { QueryResult, WarehouseExecutor } from '../../ports/warehouse.ts';
import { ManualClock } from '../../test-support/memory-ports.ts';
import type { AuditEvent } from '../audit/record.ts';
import type { TableMetadata } from '../classification/classify.ts';
import { WardenError } from '../errors.ts';
import { MaskingProfilesSchema } from '../masking/profile.ts';
import { type RunQueryDeps, runAllowedQuery } from './run-query.ts';

const P = 'demo-warden';
const table = { projectId: P, datasetId: 'clinical', tableId: 'patients' };
const META: TableMetadata = {
  table,
  labels: {},
  datasetLabels: {},
  fields: [
    { name: 'patient_id' },
    { name: 'ssn', policyTags: [`projects/${P}/locations/us/taxonomies/warden-phi/policyTags/ssn`] },
    { name: 'birth_date', policyTags: [`projects/${P}/locations/us/taxonomies/warden-phi/policyTags/date`] },
  ],
};
const RESULT: QueryResult = {
  jobId: 'job-1',
  schema: [
    { name: 'patient_id', type: 'STRING' },
    { name: 'x', type: 'STRING' },
    { name: 'born', type: 'DATE' },
  ],
  rows: [
    { patient_id: 'P1', x: '123-45-6789', born: '1950-03-02' },
    { patient_id: 'P2', x: '219-09-9999', born: '1930-07-04' },
  ],
  totalBytesProcessed: '100',
  truncated: false,
};
const REQUEST: ExecutionRequest = {
  requestId: 'r1',
  principal: { subject: 's', issuer: 'https://idp', groups: ['analysts'], actorChain: [] },
  projectId: P,
  sql: `SELECT patient_id, ssn AS x, birth_date AS born FROM \`${P}.clinical.patients\``,
  decision: {
    effect: 'allow',
    rule: 'r',
    reasons: [],
    policyVersion: 'v',
    rowLimit: 10,
    cellLimit: 100_000,
    byteLimit: 10_485_760,
    maximumBytesBilled: 1000,
    maskingProfile: 'analyst',
    touchesPhi: true,
    phiClasses: ['ssn', 'date'],
  },
  facts: { statementType: 'SELECT', referencedTables: [table], totalBytesProcessed: '100' },
};
const PROFILES = MaskingProfilesSchema.parse({
  analyst: {
    rules: [
      { match: { columns: [`${P}.clinical.patients.ssn`] }, strategy: 'nullify' },
      { match: { phiClasses: ['date'] }, strategy: { type: 'date_year_mask', over89: 'nullify' } },
    ],
  },
});

function deps(overrides: Partial<RunQueryDeps['masking']> = {}): {
  deps: RunQueryDeps;
  events: AuditEvent[];
} {
  const events: AuditEvent[] = [];
  const audit: AuditAppender = {
    append: async (e) => {
      events.push(e);
      return {} as Awaited<ReturnType<AuditAppender['append']>>;
    },
  };
  const warehouse: WarehouseExecutor = { execute: async () => structuredClone(RESULT) };
  return {
    events,
    deps: {
      audit,
      warehouse: async () => warehouse,
      timeoutMs: 1000,
      clock: new ManualClock('2025-06-30T12:00:00.000Z'),
      masking: {
        profiles: PROFILES,
        key: async () => new Uint8Array(32).fill(1),
        classification: {
          labels: {},
          policyTags: ['projects/*/locations/*/taxonomies/warden-phi/policyTags/*'],
          descriptionPattern: '\\bPHI\\b',
          phiTables: [],
          phiColumns: {},
        },
        describeTable: async () => META,
        ...overrides,
      },
    },
  };
}

describe('runAllowedQuery masking', () => {
  it('masks renamed columns by their source (lineage from the SQL) and returns the summary', async () => {
    const { deps: d, events } = deps();
    const out = await runAllowedQuery(d, REQUEST);
    // The SSN rule is keyed by table.column; the date rule by the policy tag's class; ages over 89 (as of the
    // query's start) lose even the year.
    assert.deepEqual(out.rows, [
      { patient_id: 'P1', x: null, born: '1950-01-01' },
      { patient_id: 'P2', x: null, born: null },
    ]);
    assert.deepEqual(out.masking.columns, [
      { column: 'x', strategy: 'nullify', phiClass: 'ssn' },
      { column: 'born', strategy: 'date_year_mask', phiClass: 'date' },
    ]);
    const end = events.find((e) => e.type === 'query.end') as Record<string, unknown> | undefined;
    assert.deepEqual(end?.['masking'], out.masking);
    assert.doesNotMatch(JSON.stringify(events), /6789|1950-03-02/);
  });

  it('withholds the result when the metadata masking needs cannot be read', async () => {
    const { deps: d, events } = deps({
      describeTable: async () => {
        throw new WardenError('unavailable', 'metadata down');
      },
    });
    await assert.rejects(runAllowedQuery(d, REQUEST), (e: unknown) => e instanceof WardenError);
    const end = events.find((e) => e.type === 'query.end') as Record<string, unknown> | undefined;
    assert.equal(end?.['outcome'], 'error');
  });
});

describe('runAllowedQuery: the BigQuery identity and the value limits', () => {
  it('runs under the identity the decision names, and under the primary one when it names none', async () => {
    const { deps: d } = deps();
    const asked: (string | undefined)[] = [];
    const inner = d.warehouse;
    d.warehouse = async (credential) => {
      asked.push(credential);
      return inner();
    };
    await runAllowedQuery(d, REQUEST);
    await runAllowedQuery(d, { ...REQUEST, decision: { ...REQUEST.decision, credential: 'deid-reader' } });
    assert.deepEqual(asked, [undefined, 'deid-reader']);
  });

  it('runs nothing when the named identity cannot be had, and records the error', async () => {
    const { deps: d, events } = deps();
    d.warehouse = async (credential) => {
      throw new WardenError('failed_precondition', `no identity ${credential}`);
    };
    await assert.rejects(
      runAllowedQuery(d, { ...REQUEST, decision: { ...REQUEST.decision, credential: 'nobody' } }),
      (e: unknown) => e instanceof WardenError && e.kind === 'failed_precondition',
    );
    const end = events.find((e) => e.type === 'query.end') as Record<string, unknown> | undefined;
    assert.equal(end?.['outcome'], 'error');
  });

  it('releases at most the decision’s values and says so in the result and the query.end record', async () => {
    const { deps: d, events } = deps();
    const out = await runAllowedQuery(d, { ...REQUEST, decision: { ...REQUEST.decision, rowLimit: 1 } });
    assert.equal(out.rows.length, 1);
    assert.equal(out.truncated, true);
    const end = events.find((e) => e.type === 'query.end') as Record<string, unknown> | undefined;
    assert.deepEqual([end?.['rowCount'], end?.['truncated']], [1, true]);
    assert.equal((end?.['released'] as { values: number } | undefined)?.values, 1);
  });
});
