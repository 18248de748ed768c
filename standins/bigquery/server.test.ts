// The stand-in through the official client: metadata, jobs, errors, DML/DDL and credential-free configuration.

import assert from 'node:assert/strict';
import http from 'node:http';
import { BigQuery } from '@google-cloud/bigquery';
import { PassThroughClient } from 'google-auth-library';
import { SpyLatency } from '../spy-latency.ts';
import { callKindOf } from './routes.ts';
import { startBigQueryStandIn } from './server.ts';
import type { TestStandIn } from './test-seed.ts';
import { ENCOUNTER_ROWS, PATIENT_ROWS, PROJECT, startTestStandIn } from './test-seed.ts';

/** A REST response body, loosely typed for assertions. */
// biome-ignore lint/suspicious/noExplicitAny: response shapes vary per call; assertions check them.
type ApiJson = Record<string, any>;

interface ApiErrorLike {
  code: number;
  message: string;
  errors: { reason: string; message: string }[];
}

/** An assert.rejects validator for a BigQuery ApiError with this HTTP code and reason. */
function apiError(code: number, reason: string, message?: RegExp): (err: ApiErrorLike) => boolean {
  return (err) => {
    assert.equal(err.code, code);
    assert.equal(err.errors?.[0]?.reason, reason);
    if (message) assert.match(err.message, message);
    return true;
  };
}

describe('BigQuery stand-in', () => {
  let t: TestStandIn;
  before(async () => {
    t = await startTestStandIn();
  });
  after(() => t.standIn.close());

  describe('metadata', () => {
    it('lists the project’s datasets', async () => {
      const [datasets] = await t.bigquery.getDatasets();
      assert.deepEqual(
        datasets.map((d) => d.id),
        ['clinical', 'reference', 'types'],
      );
    });

    it('gets a dataset with its description, labels and location', async () => {
      const [meta] = await t.bigquery.dataset('clinical').getMetadata();
      assert.deepEqual(
        { description: meta.description, labels: meta.labels, location: meta.location },
        { description: 'Synthetic clinical data', labels: { phi: 'true', env: 'test' }, location: 'US' },
      );
    });

    it('lists a dataset’s tables', async () => {
      const [tables] = await t.bigquery.dataset('clinical').getTables();
      assert.deepEqual(
        tables.map((x) => x.id),
        ['encounters', 'patients'],
      );
    });

    it('gets a table with schema, policy tags, labels, description, size and type', async () => {
      const [meta] = await t.bigquery.dataset('clinical').table('patients').getMetadata();
      assert.deepEqual(meta.schema.fields[0], {
        name: 'patient_id',
        type: 'STRING',
        mode: 'REQUIRED',
        description: 'Medical record number',
        policyTags: { names: [`projects/${PROJECT}/locations/us/taxonomies/warden-phi/policyTags/mrn`] },
      });
      assert.deepEqual(
        meta.schema.fields.map((f: { name: string; type: string }) => `${f.name}:${f.type}`),
        ['patient_id:STRING', 'name:STRING', 'birth_date:DATE', 'zip:STRING'],
      );
      assert.deepEqual(
        { labels: meta.labels, description: meta.description, numRows: meta.numRows, type: meta.type },
        {
          labels: { phi: 'true' },
          description: 'One row per patient',
          numRows: String(PATIENT_ROWS.length),
          type: 'TABLE',
        },
      );
      assert.ok(Number(meta.numBytes) > 0);
    });

    it('answers 404 notFound for an unknown table', async () => {
      await assert.rejects(
        t.bigquery.dataset('clinical').table('nope').getMetadata(),
        apiError(404, 'notFound'),
      );
    });

    it('reads table data with tabledata.list', async () => {
      const [rows] = await t.bigquery.dataset('reference').table('icd_codes').getRows();
      assert.deepEqual(rows, [
        { code: 'E11', title: 'Type 2 diabetes' },
        { code: 'I10', title: 'Hypertension' },
      ]);
    });
  });

  describe('query errors', () => {
    const cases: [string, string, number, string, RegExp][] = [
      ['a statement that is not SQL', 'SELEC 1', 400, 'invalidQuery', /Syntax error/],
      ['a DuckDB-level syntax error', 'SELECT FROM WHERE', 400, 'invalidQuery', /Syntax error/],
      [
        'an unknown table',
        'SELECT * FROM clinical.nope',
        404,
        'notFound',
        /Not found: Table warden-test:clinical.nope was not found in location US/,
      ],
      [
        'an unknown dataset',
        'SELECT * FROM nowhere.t',
        404,
        'notFound',
        /Not found: Dataset warden-test:nowhere/,
      ],
      ['an unknown column', 'SELECT shoe_size FROM clinical.patients', 400, 'invalidQuery', /shoe_size/],
      [
        'an unqualified table',
        'SELECT * FROM patients',
        400,
        'invalidQuery',
        /must be qualified with a dataset/,
      ],
      [
        'a DuckDB table function',
        "SELECT * FROM read_csv('/etc/passwd')",
        400,
        'invalidQuery',
        /Table-valued function not found: read_csv/,
      ],
      [
        'duplicate output column names',
        'SELECT patient_id, patient_id FROM clinical.patients',
        400,
        'invalidQuery',
        /Duplicate column names/,
      ],
      [
        'a conversion error while running',
        'SELECT CAST(name AS INT64) FROM clinical.patients',
        400,
        'invalidQuery',
        /Could not convert/,
      ],
    ];
    for (const [name, query, code, reason, message] of cases) {
      it(`answers ${code} ${reason} for ${name}`, async () => {
        await assert.rejects(t.bigquery.query(query), apiError(code, reason, message));
      });
    }

    it('refuses legacy SQL with a clear invalidQuery', async () => {
      await assert.rejects(
        t.bigquery.createQueryJob({ query: 'SELECT 1', useLegacySql: true }),
        apiError(400, 'invalidQuery', /Legacy SQL is not supported/),
      );
    });

    it('resolves unqualified tables in the default dataset', async () => {
      const [rows] = await t.bigquery.query({
        query: 'SELECT COUNT(*) AS n FROM patients',
        defaultDataset: { datasetId: 'clinical' },
      });
      assert.equal(rows[0].n, PATIENT_ROWS.length);
    });
  });

  describe('maximumBytesBilled', () => {
    it('fails with bytesBilledLimitExceeded when the estimate exceeds the limit', async () => {
      await assert.rejects(
        t.bigquery.query({ query: 'SELECT name FROM clinical.patients', maximumBytesBilled: '1000' }),
        apiError(
          400,
          'bytesBilledLimitExceeded',
          /Query exceeded limit for bytes billed: 1000\. 10485760 or higher required\./,
        ),
      );
    });

    it('runs when the limit covers the billed minimum', async () => {
      const [rows] = await t.bigquery.query({
        query: 'SELECT name FROM clinical.patients',
        maximumBytesBilled: '10485760',
      });
      assert.equal(rows.length, PATIENT_ROWS.length);
    });

    it('records the failure on the job, which jobs.get reports as DONE with errorResult', async () => {
      const jobId = `limit-${Date.now()}`;
      await assert.rejects(
        t.bigquery.createQueryJob({
          query: 'SELECT name FROM clinical.patients',
          maximumBytesBilled: '1',
          jobId,
        }),
      );
      const [meta] = await t.bigquery.job(jobId).getMetadata();
      assert.deepEqual(
        { state: meta.status.state, reason: meta.status.errorResult.reason },
        { state: 'DONE', reason: 'bytesBilledLimitExceeded' },
      );
    });
  });

  describe('jobs', () => {
    it('stores job labels and returns them from jobs.get', async () => {
      const [job] = await t.bigquery.createQueryJob({
        query: 'SELECT 1',
        labels: { purpose: 'audit', ticket: 'w-42' },
      });
      const [meta] = await t.bigquery.job(job.id as string, { location: job.location }).getMetadata();
      assert.deepEqual(meta.configuration.labels, { purpose: 'audit', ticket: 'w-42' });
    });

    it('stores labels given to jobs.query', async () => {
      const response = await post('/queries', {
        query: 'SELECT 1',
        useLegacySql: false,
        labels: { via: 'jobs-query' },
      });
      const [meta] = await t.bigquery.job(response.jobReference.jobId).getMetadata();
      assert.deepEqual(meta.configuration.labels, { via: 'jobs-query' });
    });

    it('reports statement type, referenced tables and bytes on a finished job', async () => {
      const [job] = await t.bigquery.createQueryJob({ query: 'SELECT zip FROM clinical.patients' });
      await job.getQueryResults();
      const [meta] = await job.getMetadata();
      assert.equal(meta.status.state, 'DONE');
      assert.equal(meta.statistics.query.statementType, 'SELECT');
      assert.deepEqual(meta.statistics.query.referencedTables, [
        { projectId: PROJECT, datasetId: 'clinical', tableId: 'patients' },
      ]);
      assert.equal(meta.statistics.totalBytesProcessed, String(PATIENT_ROWS.length * (2 + 5)));
    });

    it('uses the job id and location the client chose', async () => {
      const [job] = await t.bigquery.createQueryJob({
        query: 'SELECT 1',
        jobId: 'my-own-id',
        location: 'US',
      });
      assert.deepEqual(job.metadata.jobReference, { projectId: PROJECT, jobId: 'my-own-id', location: 'US' });
    });

    it('refuses a job id that is already taken with 409 duplicate', async () => {
      await t.bigquery.createQueryJob({ query: 'SELECT 1', jobId: 'taken' });
      await assert.rejects(
        t.bigquery.createQueryJob({ query: 'SELECT 1', jobId: 'taken' }),
        apiError(409, 'duplicate'),
      );
    });

    it('answers 404 for an unknown job and for a known job asked for in another location', async () => {
      await t.bigquery.createQueryJob({ query: 'SELECT 1', jobId: 'in-us' });
      await assert.rejects(t.bigquery.job('no-such-job').getMetadata(), apiError(404, 'notFound'));
      await assert.rejects(
        t.bigquery.job('in-us', { location: 'EU' }).getMetadata(),
        apiError(404, 'notFound'),
      );
    });

    it('lists the project’s jobs, newest first', async () => {
      await t.bigquery.createQueryJob({ query: 'SELECT 1', jobId: 'listed-1' });
      await t.bigquery.createQueryJob({ query: 'SELECT 1', jobId: 'listed-2' });
      const [jobs] = await t.bigquery.getJobs({ maxResults: 2, autoPaginate: false });
      assert.deepEqual(
        jobs.map((j) => j.id),
        ['listed-2', 'listed-1'],
      );
    });

    it('forgets the oldest finished jobs beyond maxJobs', async () => {
      const small = await startTestStandIn({ maxJobs: 2 });
      try {
        for (const jobId of ['first', 'second', 'third']) {
          const [job] = await small.bigquery.createQueryJob({ query: 'SELECT 1', jobId });
          await job.getQueryResults();
        }
        await assert.rejects(small.bigquery.job('first').getMetadata(), apiError(404, 'notFound'));
        const [meta] = await small.bigquery.job('third').getMetadata();
        assert.equal(meta.status.state, 'DONE');
      } finally {
        await small.standIn.close();
      }
    });

    it('answers jobComplete: false when timeoutMs elapses first, then the rows when asked again', async () => {
      const response = await post('/queries', {
        query: 'SELECT COUNT(*) AS n FROM clinical.encounters',
        useLegacySql: false,
        timeoutMs: 0,
      });
      const later = await get(`/queries/${response.jobReference.jobId}?timeoutMs=10000`);
      assert.deepEqual(
        { first: response.jobComplete, firstRows: response.rows, later: later.jobComplete, rows: later.rows },
        {
          first: false,
          firstRows: undefined,
          later: true,
          rows: [{ f: [{ v: String(ENCOUNTER_ROWS.length) }] }],
        },
      );
    });
  });

  describe('DML and DDL', () => {
    it('creates a table, modifies it and reports affected rows', async () => {
      await t.bigquery.query('CREATE TABLE clinical.scratch (id INT64, note STRING)');
      const inserted = await post('/queries', {
        query: "INSERT clinical.scratch (id, note) VALUES (1, 'a'), (2, 'b'), (3, 'c')",
        useLegacySql: false,
      });
      const updated = await post('/queries', {
        query: "UPDATE clinical.scratch SET note = 'z' WHERE id >= 2",
        useLegacySql: false,
      });
      const deleted = await post('/queries', {
        query: 'DELETE clinical.scratch WHERE id = 1',
        useLegacySql: false,
      });
      const [rows] = await t.bigquery.query('SELECT id, note FROM clinical.scratch ORDER BY id');
      assert.deepEqual(
        {
          inserted: inserted.numDmlAffectedRows,
          updated: updated.numDmlAffectedRows,
          deleted: deleted.numDmlAffectedRows,
          rows,
        },
        {
          inserted: '3',
          updated: '2',
          deleted: '1',
          rows: [
            { id: 2, note: 'z' },
            { id: 3, note: 'z' },
          ],
        },
      );
    });

    it('shows tables created and dropped by DDL in tables.list', async () => {
      await t.bigquery.query('CREATE TABLE reference.tmp AS SELECT code FROM reference.icd_codes');
      const [afterCreate] = await t.bigquery.dataset('reference').getTables();
      const [meta] = await t.bigquery.dataset('reference').table('tmp').getMetadata();
      await t.bigquery.query('DROP TABLE reference.tmp');
      const [afterDrop] = await t.bigquery.dataset('reference').getTables();
      assert.deepEqual(
        {
          afterCreate: afterCreate.map((x) => x.id),
          schema: meta.schema.fields,
          numRows: meta.numRows,
          afterDrop: afterDrop.map((x) => x.id),
        },
        {
          afterCreate: ['icd_codes', 'tmp'],
          schema: [{ name: 'code', type: 'STRING', mode: 'NULLABLE' }],
          numRows: '2',
          afterDrop: ['icd_codes'],
        },
      );
    });

    it('refuses to create a table that exists with 409 duplicate', async () => {
      await assert.rejects(
        t.bigquery.query('CREATE TABLE clinical.patients (a INT64)'),
        apiError(409, 'duplicate'),
      );
    });

    it('refuses to execute statement types it can only dry-run', async () => {
      await assert.rejects(
        t.bigquery.query('CREATE TEMP FUNCTION f(x INT64) AS (x + 1)'),
        apiError(400, 'invalidQuery', /CREATE_FUNCTION statements are not supported/),
      );
    });
  });

  describe('lifecycle', () => {
    it('closes idempotently and stops accepting connections', async () => {
      const other = await startTestStandIn();
      await Promise.all([other.standIn.close(), other.standIn.close()]);
      await assert.rejects(fetch(`${other.standIn.url}/bigquery/v2/projects/${PROJECT}/datasets`));
    });

    it('reports a taken port instead of listening elsewhere', async () => {
      await assert.rejects(
        startBigQueryStandIn({ port: t.standIn.port, seeds: [] }),
        (err: Error) => err.name === 'PortInUseError',
      );
    });
  });

  describe('client configuration without credentials', () => {
    it('sends no Authorization header and contacts no host but the stand-in', async () => {
      const requests = spyOnRequests();
      try {
        const client = new BigQuery({
          projectId: PROJECT,
          apiEndpoint: t.standIn.url,
          authClient: new PassThroughClient(),
        });
        await client.query('SELECT 1 AS one');
      } finally {
        requests.restore();
      }
      const host = new URL(t.standIn.url).host;
      assert.ok(requests.seen.length > 0);
      assert.deepEqual(
        requests.seen.filter((r) => r.host !== host || r.authorization),
        [],
      );
    });

    it('also serves clients configured through BIGQUERY_EMULATOR_HOST (paths without /bigquery/v2)', async () => {
      const previous = process.env.BIGQUERY_EMULATOR_HOST;
      process.env.BIGQUERY_EMULATOR_HOST = t.standIn.url;
      try {
        const client = new BigQuery({ projectId: PROJECT, authClient: new PassThroughClient() });
        const [rows] = await client.query('SELECT COUNT(*) AS n FROM reference.icd_codes');
        assert.deepEqual(rows, [{ n: 2 }]);
      } finally {
        if (previous === undefined) delete process.env.BIGQUERY_EMULATOR_HOST;
        else process.env.BIGQUERY_EMULATOR_HOST = previous;
      }
    });
  });

  async function post(path: string, body: object): Promise<ApiJson> {
    const response = await fetch(`${t.standIn.url}/bigquery/v2/projects/${PROJECT}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await response.json()) as ApiJson;
  }

  async function get(path: string): Promise<ApiJson> {
    const response = await fetch(`${t.standIn.url}/bigquery/v2/projects/${PROJECT}${path}`);
    return (await response.json()) as ApiJson;
  }
});

/** Records the host and Authorization header of every outgoing http.request and fetch. */
function spyOnRequests(): {
  seen: { host: string; authorization: string | undefined }[];
  restore: () => void;
} {
  const seen: { host: string; authorization: string | undefined }[] = [];
  const originalRequest = http.request;
  const originalFetch = globalThis.fetch;
  http.request = ((...args: Parameters<typeof http.request>) => {
    const [first, second] = args;
    const options = (typeof first === 'object' && !(first instanceof URL) ? first : second) as
      | http.RequestOptions
      | undefined;
    const url = typeof first === 'string' || first instanceof URL ? new URL(first) : undefined;
    const headers = (options?.headers ?? {}) as Record<string, string>;
    const authorization = Object.entries(headers).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
    seen.push({ host: url?.host ?? `${options?.hostname ?? options?.host}:${options?.port}`, authorization });
    return originalRequest(...args);
  }) as typeof http.request;
  globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input);
    const authorization = new Headers(init?.headers).get('authorization') ?? undefined;
    seen.push({ host: url.host, authorization });
    return originalFetch(input, init);
  }) as typeof fetch;
  return {
    seen,
    restore: () => {
      http.request = originalRequest;
      globalThis.fetch = originalFetch;
    },
  };
}

describe('BigQuery stand-in latency model', () => {
  const req = (method: string, path: string, body: Record<string, unknown> = {}) => ({
    method,
    segments: path.split('/'),
    query: new URLSearchParams(),
    body,
  });
  const cases = [
    {
      name: 'a jobs.insert dry run',
      req: req('POST', 'projects/p/jobs', { configuration: { dryRun: true } }),
      kind: 'bigquery.dryRun',
    },
    {
      name: 'a jobs.query dry run',
      req: req('POST', 'projects/p/queries', { dryRun: true }),
      kind: 'bigquery.dryRun',
    },
    {
      name: 'a jobs.insert',
      req: req('POST', 'projects/p/jobs', { configuration: { query: {} } }),
      kind: 'bigquery.jobs.insert',
    },
    {
      name: 'a jobs.query',
      req: req('POST', 'projects/p/queries', { query: 'SELECT 1' }),
      kind: 'bigquery.query',
    },
    { name: 'a getQueryResults', req: req('GET', 'projects/p/queries/j1'), kind: 'bigquery.getQueryResults' },
    { name: 'a jobs.get', req: req('GET', 'projects/p/jobs/j1'), kind: 'bigquery.jobs.get' },
    { name: 'a tables.get', req: req('GET', 'projects/p/datasets/d/tables/t'), kind: 'bigquery.tables.get' },
    { name: 'a table listing', req: req('GET', 'projects/p/datasets/d/tables'), kind: 'bigquery.other' },
    { name: 'a job cancel', req: req('POST', 'projects/p/jobs/j1/cancel'), kind: 'bigquery.other' },
  ];
  for (const c of cases)
    it(`classifies ${c.name} as ${c.kind}`, () => assert.equal(callKindOf(c.req), c.kind));

  it('asks the model for the kind of each call the official client makes', async () => {
    const spy = new SpyLatency();
    const t = await startTestStandIn({ latency: spy });
    try {
      await t.bigquery.createQueryJob({ query: `SELECT 1 AS one`, dryRun: true });
      const [rows] = await t.bigquery.query({ query: 'SELECT 1 AS one' });
      assert.deepEqual(rows, [{ one: 1 }]);
      assert.equal(spy.kinds[0], 'bigquery.dryRun');
      assert.ok(spy.kinds.includes('bigquery.query'), spy.kinds.join(', '));
    } finally {
      await t.standIn.close();
    }
  });
});
