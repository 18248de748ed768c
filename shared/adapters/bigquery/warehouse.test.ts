import assert from 'node:assert/strict';
import type { BigQuery } from '@google-cloud/bigquery';
import { BigQueryWarehouse } from './warehouse.ts';

/** A client double whose job serves `total` rows in pages of `pageSize` (as BigQuery caps pages by bytes). */
function pagedClient(total: number, pageSize: number) {
  const calls: Record<string, unknown>[] = [];
  const job = {
    id: 'job-1',
    metadata: {},
    async getQueryResults(q: Record<string, unknown>) {
      calls.push(q);
      const start = Number(q['pageToken'] ?? 0);
      const n = Math.min(pageSize, Number(q['maxResults']), total - start);
      const rows = Array.from({ length: n }, (_, i) => ({ f: [{ v: String(start + i) }] }));
      const next = start + n < total ? { pageToken: String(start + n) } : null;
      return [
        rows,
        next,
        { schema: { fields: [{ name: 'n', type: 'INTEGER' }] }, totalBytesProcessed: '80' },
      ];
    },
  };
  const client = { createQueryJob: async () => [job] } as unknown as BigQuery;
  return { client, calls };
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
      name: 'reports a result of exactly the limit as complete',
      total: 10,
      page: 4,
      rows: 10,
      truncated: false,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { client, calls } = pagedClient(c.total, c.page);
      const result = await new BigQueryWarehouse(client).execute(
        { projectId: 'p', sql: 'SELECT n' },
        options,
      );
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
        throw Object.assign(new Error(`internal detail ${reason} at 10.1.2.3`), {
          code,
          errors: [{ reason, message: 'detail' }],
        });
      },
    }) as unknown as BigQuery;
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
