import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BigQuery } from '@google-cloud/bigquery';
import { BigQueryWarehouse } from './warehouse.ts';

type Answer = { status: number; body?: unknown } | 'hang-up';

/**
 * A BigQuery REST endpoint that answers each POST with the next scripted answer (a function of the request's
 * JSON, or an answer; `hang-up` closes the socket unanswered), recording what it received.
 */
async function scriptedBigQuery(answers: (Answer | ((json: Record<string, unknown>) => Answer))[]) {
  const received: { url: string; headers: http.IncomingHttpHeaders; json: Record<string, unknown> }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const json = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      received.push({ url: req.url ?? '', headers: req.headers, json });
      const next = answers.shift() ?? { status: 500 };
      const a = typeof next === 'function' ? next(json) : next;
      if (a === 'hang-up') return void req.socket.destroy();
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body ?? {}));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bigquery/v2`;
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A client double at `baseUrl` whose auth adds a bearer token, with `job` for getQueryResults. */
function clientAt(baseUrl: string, job: unknown = {}): BigQuery {
  return {
    projectId: 'p',
    baseUrl,
    authClient: { getRequestHeaders: async () => new Headers({ authorization: 'Bearer client-token' }) },
    job: () => job,
  } as unknown as BigQuery;
}

/** Retries without the official client's seconds of back-off (the schedule is rest.ts's, tested there). */
const fast = (baseUrl: string) => ({
  rest: {
    baseUrl,
    headers: async () => ({ authorization: 'Bearer client-token' }),
    retryDelayMs: 1,
  },
});

/**
 * jobs.query answers the first page (or, with `slow`, an incomplete job), and the job serves `total` rows in
 * pages of `pageSize` (as BigQuery caps pages by bytes).
 */
function paged(total: number, pageSize: number, slow = false) {
  const calls: Record<string, unknown>[] = [];
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
  const first = (json: Record<string, unknown>): Answer => {
    if (slow) return { status: 200, body: { jobReference: { jobId: 'job-1' }, jobComplete: false } };
    const { rows, next } = page(0, Number(json['maxResults']));
    return {
      status: 200,
      body: {
        jobReference: { jobId: 'job-1', location: 'US' },
        jobComplete: true,
        schema,
        rows,
        totalBytesProcessed: '80',
        ...(next ? { pageToken: next } : {}),
      },
    };
  };
  return { job, calls, first };
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
      const { job, calls, first } = paged(c.total, c.page, c.slow);
      const bq = await scriptedBigQuery([first]);
      const result = await new BigQueryWarehouse(clientAt(bq.url, job)).execute(
        { projectId: 'p', sql: 'SELECT n', params: [{ name: 'd', type: 'DATE', value: '2026-01-01' }] },
        options,
      );
      await bq.close();
      const queries = bq.received.map((r) => r.json);
      assert.equal(result.jobId, 'job-1');
      assert.equal(queries.length, 1);
      assert.equal(bq.received[0]?.url, '/bigquery/v2/projects/p/queries');
      assert.equal(bq.received[0]?.headers.authorization, 'Bearer client-token', "the client's credentials");
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

describe('BigQueryWarehouse dry runs', () => {
  it('sends jobs.insert with configuration.dryRun and a job id, with the client\u2019s credentials', async () => {
    const bq = await scriptedBigQuery([
      {
        status: 200,
        body: {
          jobReference: { projectId: 'p', jobId: 'x', location: 'US' },
          statistics: {
            totalBytesProcessed: '7',
            query: {
              statementType: 'SELECT',
              totalBytesProcessed: '42',
              referencedTables: [{ projectId: 'p', datasetId: 'd', tableId: 't', extra: 1 }],
            },
          },
          status: { state: 'DONE' },
        },
      },
    ]);
    const facts = await new BigQueryWarehouse(clientAt(bq.url)).dryRun({
      projectId: 'p',
      sql: 'SELECT @n',
      params: [{ name: 'n', type: 'INT64', value: 5 }],
      location: 'EU',
    });
    await bq.close();
    assert.deepEqual(facts, {
      statementType: 'SELECT',
      referencedTables: [{ projectId: 'p', datasetId: 'd', tableId: 't' }],
      totalBytesProcessed: '42',
    });
    const sent = bq.received[0]!;
    assert.equal(sent.url, '/bigquery/v2/projects/p/jobs');
    assert.equal(sent.headers.authorization, 'Bearer client-token');
    const config = sent.json['configuration'] as { dryRun: unknown; query: Record<string, unknown> };
    assert.equal(config.dryRun, true, 'no job may run');
    assert.deepEqual(config.query, {
      query: 'SELECT @n',
      useLegacySql: false,
      parameterMode: 'NAMED',
      queryParameters: [{ name: 'n', parameterType: { type: 'INT64' }, parameterValue: { value: '5' } }],
    });
    const ref = sent.json['jobReference'] as { projectId: string; jobId: string; location: string };
    assert.equal(ref.projectId, 'p');
    assert.equal(ref.location, 'EU');
    assert.match(ref.jobId, /^[0-9a-f-]{36}$/);
  });

  it('refuses a dry run that reports no statement type', async () => {
    const bq = await scriptedBigQuery([{ status: 200, body: { statistics: {} } }]);
    await assert.rejects(
      new BigQueryWarehouse(clientAt(bq.url)).dryRun({ projectId: 'p', sql: 'SELECT 1' }),
      /did not report a statement type/,
    );
    await bq.close();
  });
});

describe('BigQueryWarehouse error mapping (fail closed, caller-safe messages)', () => {
  const fault = (code: number, reason: string): Answer => ({
    status: code,
    body: {
      error: {
        code,
        message: `internal detail ${reason} at 10.1.2.3`,
        errors: [{ reason, message: 'detail' }],
      },
    },
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
    { name: 'a missing table', code: 404, reason: 'notFound', kind: 'not_found', msg: /does not exist/ },
    { name: 'a backend error', code: 503, reason: 'backendError', kind: 'unavailable', msg: /failed/ },
  ];
  for (const c of cases) {
    it(`maps ${c.name} to ${c.kind} without the client's message`, async () => {
      // Four answers per call: a retried status (503) is answered the same way each time.
      const bq = await scriptedBigQuery(Array.from({ length: 8 }, () => fault(c.code, c.reason)));
      const w = new BigQueryWarehouse(clientAt(bq.url), fast(bq.url));
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
      await bq.close();
    });
  }

  it('maps a dry run whose job reports errors (status.errors) by their reason, as the official client does', async () => {
    const bq = await scriptedBigQuery([
      { status: 200, body: { status: { errors: [{ reason: 'invalidQuery', message: 'at 10.1.2.3' }] } } },
    ]);
    await assert.rejects(
      new BigQueryWarehouse(clientAt(bq.url)).dryRun({ projectId: 'p', sql: 'SELECT' }),
      (err: Error & { kind?: string }) => err.kind === 'invalid_argument' && !/10\.1/.test(err.message),
    );
    await bq.close();
  });

  it('maps an endpoint that never answers to unavailable, after the retries', async () => {
    const bq = await scriptedBigQuery(['hang-up', 'hang-up', 'hang-up', 'hang-up']);
    await assert.rejects(
      new BigQueryWarehouse(clientAt(bq.url), fast(bq.url)).dryRun({ projectId: 'p', sql: 'SELECT 1' }),
      (err: Error & { kind?: string }) => err.kind === 'unavailable' && /dry run failed/.test(err.message),
    );
    assert.equal(bq.received.length, 4, 'one call and three retries');
    await bq.close();
  });
});
