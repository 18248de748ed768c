// The BigQuery calls of one allowed execute_sql (a dry run and a jobs.query), by two transports, in one
// process against the BigQuery stand-in: the official client's (createQueryJob with dryRun; `request` to
// jobs.query) and Warden's lean JSON call (shared/adapters/bigquery/rest.ts, through BigQueryWarehouse), both
// with the same service-account credentials (a self-signed JWT, as the executor's sealed key). Prints CPU and
// wall time per call over six interleaved rounds; the stand-in's own work is in both figures alike.
//
//   node bench/gateway-transport.ts [calls per kind, default 300]

import { generateKeyPairSync } from 'node:crypto';
import { BigQueryWarehouse } from '../shared/adapters/bigquery/warehouse.ts';
import { createBigQueryClient } from '../shared/adapters/clients.ts';
import { PROJECT, startTestStandIn } from '../standins/bigquery/test-seed.ts';
import { interleavedRounds, leastMedian } from './interleave.ts';

const calls = Number(process.argv[2] ?? 300);
const t = await startTestStandIn();
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const bq = await createBigQueryClient(PROJECT, t.standIn.url, {
  client_email: 'query@bench.iam.gserviceaccount.com',
  private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
});
const warehouse = new BigQueryWarehouse(bq);
let n = 0;
const sql = () =>
  `SELECT patient_id, name FROM \`${PROJECT}.clinical.patients\` WHERE patient_id <> 'bench-${n++}' ORDER BY patient_id LIMIT 5`;
const official = (json: Record<string, unknown>) =>
  new Promise((resolve, reject) =>
    (bq as unknown as { request(o: object, cb: (e: Error | null, b?: unknown) => void): void }).request(
      { method: 'POST', uri: '/queries', json },
      (err, body) => (err ? reject(err) : resolve(body)),
    ),
  );
const options = { rowLimit: 5, labels: { 'warden-request': 'bench' }, timeoutMs: 10_000 };
const kinds: Record<string, () => Promise<unknown>> = {
  'dry run, official client': () => bq.createQueryJob({ query: sql(), useLegacySql: false, dryRun: true }),
  'dry run, lean call': () => warehouse.dryRun({ projectId: PROJECT, sql: sql() }),
  'jobs.query, official client': () =>
    official({ query: sql(), useLegacySql: false, maxResults: 6, timeoutMs: 10_000, labels: options.labels }),
  'jobs.query, lean call': () => warehouse.execute({ projectId: PROJECT, sql: sql() }, options),
};
const ROUNDS = 6;
const perRound = Math.ceil(calls / ROUNDS);
const figures = await interleavedRounds(kinds, { perRound, rounds: ROUNDS, warmUp: 30 });
const fmt = (xs: number[]) => leastMedian(xs, 2);
console.log(`${perRound * ROUNDS} calls per kind in ${ROUNDS} interleaved rounds; least / median round`);
console.log('(CPU includes the in-process stand-in, the same for both transports)');
for (const [kind, f] of Object.entries(figures))
  console.log(`${kind.padEnd(30)} CPU ms/call ${fmt(f.cpu)}   wall ms/call ${fmt(f.wall)}`);
await t.standIn.close();
