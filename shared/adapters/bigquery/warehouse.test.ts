import assert from 'node:assert/strict';
import type { BigQuery } from '@google-cloud/bigquery';
import { BigQueryWarehouse } from './warehouse.ts';

/**
 * A client double: jobs.query answers the first page (or, with `slow`, an incomplete job), and the job serves
 * `total` rows in pages of `pageSize` (as BigQuery caps pages by bytes).
 */
function pagedClient(total: number, pageSize: number, slow = false) {
  const calls: Record<string, unknown>[] = [];
  const queries: Record<string, unknown>[] = [];
  const schema = { fields: [{ name: 'n', type: 'INTEGER' }] };
  const page = (start: number, max: number) => {
    const n = Math.min(pageSize, max, total - start);
    const rows = Array.from({ length: n }, (_, i) => ({ f: [{ v: String(start + i) }] }));
    return { rows, next: start + n < total ? String(start + n) : undefined };
  };
  const job = {
    id: 'job-1',
    metadata: {},
    async getQueryResults(q: Record<string, unknown>) {
      calls.push(q);
      const { rows, next } = page(Number(q['pageToken'] ?? 0), Number(q['maxResults']));
      return [rows, next ? { pageToken: next } : null, { schema, totalBytesProcessed: '80' }];
    },
  };
  const client = {
    request(o: { uri: string; json: Record<string, unknown> }, cb: (e: Error | null, b?: unknown) => void) {
      queries.push(o.json);
      if (slow) return cb(null, { jobReference: { jobId: 'job-1' }, jobComplete: false });
      const { rows, next } = page(0, Number(o.json['maxResults']));
      cb(null, {
        jobReference: { jobId: 'job-1', location: 'US' },
        jobComplete: true,
        schema,
        rows,
        totalBytesProcessed: '80',
        ...(next ? { pageToken: next } : {}),
      });
    },
    job: () => job,
  } as unknown as BigQuery;
  return { client, calls, queries };
}

describe('BigQueryWarehouse.execute pagination', () => {
  const options = { rowLimit: 10, labels: {}, timeoutMs: 5000 };
  const cases = [
    {
      name: 'follows page tokens until the row limit, and reports truncation',
      total: 25,
      page: 4,
      rows: 10,
      truncated: true,
    },
    { name: 'reads every page of a result under the limit', total: 7, page: 3, rows: 7, truncated: false },
    {
      name: 'waits for a job that jobs.query did not see finish',
      total: 7,
      page: 3,
      rows: 7,
      truncated: false,
      slow: true,
    },
    {
      name: 'needs one round trip for a small result',
      total: 3,
      page: 100,
      rows: 3,
      truncated: false,
      pages: 0,
    },
    {
      name: 'reports a result of exactly the limit as complete',
      total: 10,
      page: 4,
      rows: 10,
      truncated: false,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { client, calls, queries } = pagedClient(c.total, c.page, c.slow);
      const result = await new BigQueryWarehouse(client).execute(
        { projectId: 'p', sql: 'SELECT n', params: [{ name: 'd', type: 'DATE', value: '2026-01-01' }] },
        options,
      );
      assert.equal(result.jobId, 'job-1');
      assert.equal(queries.length, 1);
      assert.equal(queries[0]?.['jobCreationMode'], 'JOB_CREATION_REQUIRED', 'a job, for the audit trail');
      assert.equal(queries[0]?.['jobTimeoutMs'], '5000');
      assert.deepEqual(queries[0]?.['queryParameters'], [
        { name: 'd', parameterType: { type: 'DATE' }, parameterValue: { value: '2026-01-01' } },
      ]);
      if (c.pages !== undefined) assert.equal(calls.length, c.pages);
      assert.deepEqual(
        result.rows.map((r) => r['n']),
        Array.from({ length: c.rows }, (_, i) => String(i)),
      );
      assert.equal(result.truncated, c.truncated);
      assert.ok(calls.every((q) => Number(q['maxResults']) >= 1 && q['skipParsing'] === true));
    });
  }
});

describe('BigQueryWarehouse error mapping (fail closed, caller-safe messages)', () => {
  const failing = (code: number, reason: string) =>
    ({
      createQueryJob: async () => {
        throw fault(code, reason);
      },
      request: (_o: unknown, cb: (e: Error) => void) => cb(fault(code, reason)),
    }) as unknown as BigQuery;
  const fault = (code: number, reason: string) =>
    Object.assign(new Error(`internal detail ${reason} at 10.1.2.3`), {
      code,
      errors: [{ reason, message: 'detail' }],
    });
  const cases = [
    { name: 'a syntax error', code: 400, reason: 'invalidQuery', kind: 'invalid_argument', msg: /not valid/ },
    { name: 'a quota error', code: 403, reason: 'quotaExceeded', kind: 'failed_precondition', msg: /quota/ },
    {
      name: 'a rate limit',
      code: 403,
      reason: 'rateLimitExceeded',
      kind: 'failed_precondition',
      msg: /rate/,
    },
    { name: 'a job timeout', code: 400, reason: 'timeout', kind: 'failed_precondition', msg: /job timeout/ },
    {
      name: 'the bytes limit',
      code: 400,
      reason: 'bytesBilledLimitExceeded',
      kind: 'failed_precondition',
      msg: /more bytes/,
    },
    { name: 'access denied', code: 403, reason: 'accessDenied', kind: 'forbidden', msg: /access denied/ },
    { name: 'a backend error', code: 503, reason: 'backendError', kind: 'unavailable', msg: /failed/ },
  ];
  for (const c of cases) {
    it(`maps ${c.name} to ${c.kind} without the client's message`, async () => {
      const w = new BigQueryWarehouse(failing(c.code, c.reason));
      for (const run of [
        () => w.dryRun({ projectId: 'p', sql: 'SELECT 1' }),
        () => w.execute({ projectId: 'p', sql: 'SELECT 1' }, { rowLimit: 1, labels: {}, timeoutMs: 1000 }),
      ]) {
        await assert.rejects(run, (err: Error & { kind?: string }) => {
          assert.equal(err.kind, c.kind);
          assert.match(err.message, c.msg);
          assert.doesNotMatch(err.message, /10\.1\.2\.3|internal detail/);
          return true;
        });
      }
    });
  }
});
