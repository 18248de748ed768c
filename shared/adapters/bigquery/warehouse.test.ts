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
