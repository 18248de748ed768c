// One audit search, two implementations: in memory over records read from the bucket (local mode), and as a
// parameterized query over the BigQuery audit table (deployed mode, here on the BigQuery stand-in). Both
// must find the same records for every filter.

import assert from 'node:assert/strict';
import { BigQueryWarehouse } from '../../shared/adapters/bigquery/warehouse.ts';
import type { AuditRecord } from '../../shared/core/audit/record.ts';
import {
  type AuditFilter,
  recordFromSearchRow,
  searchQuery,
  searchRecords,
  validateFilter,
} from '../../shared/core/audit/search.ts';
import { isWardenError } from '../../shared/core/errors.ts';
import { startTestStandIn, type TestStandIn } from '../../standins/bigquery/test-seed.ts';

const TABLE = 'warden-test.clinical.audit_records';

function record(seq: number, time: string, event: Record<string, unknown>): AuditRecord {
  return {
    v: 1,
    stream: 'gateway-s1',
    seq,
    prev: null,
    time,
    event: event as AuditRecord['event'],
    sig: 'x',
  };
}

const RECORDS: AuditRecord[] = [
  record(1, '2026-03-01T10:00:00.000Z', {
    type: 'policy.decision',
    requestId: 'r1',
    principal: { subject: 'ann-sub', email: 'Ann@example.org' },
    decision: { effect: 'allow' },
    query: { referencedTables: ['demo.reference.icd10_codes'] },
  }),
  record(2, '2026-03-01T11:00:00.000Z', {
    type: 'policy.decision',
    requestId: 'r2',
    principal: {
      subject: 'svc',
      email: 'agent@demo.iam',
      onBehalfOf: { subject: 'bob-sub', email: 'bob@example.org' },
    },
    decision: { effect: 'deny' },
    query: { referencedTables: ['demo.clinical.patients', 'demo.reference.icd10_codes'] },
  }),
  record(3, '2026-03-02T09:00:00.000Z', {
    type: 'approval.approved',
    requestId: 'r3',
    actor: { subject: 'priya-sub', email: 'priya@example.org' },
  }),
  record(4, '2026-03-02T09:30:00.000Z', {
    type: 'policy.decision',
    requestId: 'r3',
    principal: { subject: 'ann-sub', email: 'ann@example.org' },
    decision: { effect: 'require_approval' },
    query: { referencedTables: ['demo.clinical.patients'] },
  }),
];

const CASES: { name: string; filter: AuditFilter; want: number[] }[] = [
  { name: 'everything', filter: {}, want: [1, 2, 3, 4] },
  {
    name: 'a time range',
    filter: { from: new Date('2026-03-01T10:30:00Z'), to: new Date('2026-03-02T09:00:00Z') },
    want: [2, 3],
  },
  { name: 'a principal by email, any case', filter: { principal: 'ann@EXAMPLE.org' }, want: [1, 4] },
  { name: 'the person a service acted for', filter: { principal: 'bob@example.org' }, want: [2] },
  { name: 'a reviewer by subject', filter: { principal: 'priya-sub' }, want: [3] },
  { name: 'a table by dataset.table', filter: { table: 'clinical.patients' }, want: [2, 4] },
  { name: 'a table by its full name', filter: { table: 'demo.reference.icd10_codes' }, want: [1, 2] },
  { name: 'a decision', filter: { decision: 'deny' }, want: [2] },
  { name: 'a request', filter: { request: 'r3' }, want: [3, 4] },
  {
    name: 'everything at once',
    filter: {
      principal: 'ann@example.org',
      table: 'clinical.patients',
      decision: 'require_approval',
      request: 'r3',
    },
    want: [4],
  },
  { name: 'nothing', filter: { principal: 'nobody@example.org' }, want: [] },
];

describe('audit search', () => {
  let t: TestStandIn;
  before(async function () {
    this.timeout(30_000);
    t = await startTestStandIn();
    // _FILE_NAME stands for the external table's pseudo-column: the object each row was read from.
    await t.bigquery.query({
      query: `CREATE TABLE \`${TABLE}\` (v INT64, stream STRING, seq INT64, prev STRING, time TIMESTAMP, event JSON, sig STRING, _FILE_NAME STRING)`,
    });
    const layoutName = (r: AuditRecord) =>
      `gs://audit/v1/streams/2026/03/01/10/${r.stream}/${String(r.seq).padStart(12, '0')}.jsonl`;
    // A forged object under a name outside the layout matches the table's streams/* URI: search never reads it.
    const forged = { ...RECORDS[0]!, seq: 99, event: { ...RECORDS[0]!.event, requestId: 'forged' } };
    for (const [r, file] of [
      ...RECORDS.map((r) => [r, layoutName(r)] as const),
      [forged, 'gs://audit/v1/streams/forged.jsonl'] as const,
      [forged, `${layoutName(forged)}.bak`] as const,
    ])
      await t.bigquery.query({
        // Some rows have a NULL sig (a line stripped of its signature): search still finds them, without sig.
        query: `INSERT INTO \`${TABLE}\` (v, stream, seq, prev, time, event, sig, _FILE_NAME) VALUES (1, @stream, @seq, NULL, @time, PARSE_JSON(@event), ${r.seq % 2 ? "'x'" : 'NULL'}, @file)`,
        params: {
          stream: r.stream,
          seq: r.seq,
          time: t.bigquery.timestamp(r.time),
          event: JSON.stringify(r.event),
          file,
        },
      });
  });
  after(() => t.standIn.close());

  for (const c of CASES) {
    it(`finds ${c.name}, in memory and in BigQuery alike`, async () => {
      const f = validateFilter(c.filter);
      assert.deepEqual(
        searchRecords(RECORDS, f).map((r) => r.seq),
        c.want,
        'in memory',
      );
      const { sql, params } = searchQuery(TABLE, f, 100);
      const result = await new BigQueryWarehouse(t.bigquery).execute(
        { projectId: 'warden-test', sql, params },
        { rowLimit: 100, labels: {}, timeoutMs: 30_000 },
      );
      const found = result.rows.map((row) => recordFromSearchRow(String(row['record'])));
      assert.deepEqual(
        found.map((r) => Number(r.seq)),
        c.want,
        'in BigQuery',
      );
      for (const r of found) {
        assert.equal(r.sig, r.seq % 2 ? 'x' : undefined);
        assert.equal('sig' in r, r.seq % 2 === 1, 'a NULL sig is left out');
      }
    });
  }

  it('never puts a filter value into the SQL text', () => {
    const { sql, params } = searchQuery(TABLE, { principal: "x' OR 1=1 --", table: 'a.b', request: 'r' }, 10);
    assert.doesNotMatch(sql, /OR 1=1/);
    assert.ok(params.some((p) => p.value === "x' OR 1=1 --"));
  });

  it('refuses a bad filter or table name', () => {
    assert.throws(
      () => validateFilter({ decision: 'maybe' }),
      (e) => isWardenError(e, 'invalid_argument'),
    );
    assert.throws(
      () => validateFilter({ table: 'x; DROP' }),
      (e) => isWardenError(e, 'invalid_argument'),
    );
    assert.throws(
      () => searchQuery('a.b.c`; DROP', {}, 1),
      (e) => isWardenError(e, 'invalid_argument'),
    );
  });
});
