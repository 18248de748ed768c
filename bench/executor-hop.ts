// The gateway's hop to the executor by two HTTP clients, in one process: WHATWG fetch (undici, what
// HttpQueryRunner used) and the lean node:http POST it uses now (shared/adapters/executor/json-post.ts). The
// server runs in a child process (a plain node:http server answering a five-row result of the bench query's
// size), so the figure is the client's CPU alone: user + system of this process per call, six interleaved
// rounds, least / median round.
//
//   node bench/executor-hop.ts [calls per kind, default 2000]

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { postJson } from '../shared/adapters/executor/json-post.ts';
import { interleavedRounds, leastMedian } from './interleave.ts';

const calls = Number(process.argv[2] ?? 2000);
const SERVER = `
const http = require('node:http');
const answer = JSON.stringify({ result: { rows: Array.from({ length: 5 }, (_, i) => ({ code: 'A0' + i, description: 'Cholera due to Vibrio cholerae ' + i })), schema: [{ name: 'code' }, { name: 'description' }], jobId: 'job-1', totalBytesProcessed: '1234', maskedColumns: [] } });
const s = http.createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(answer); }); });
s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'));
`;
const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = (await once(child.stdout!, 'data')) as [Buffer];
const url = `http://127.0.0.1:${line.toString().trim()}/execute`;
// A grant-sized body (the gateway posts a signed grant: request, certificate, signature).
const body = JSON.stringify({
  grant: { body: { request: { sql: 'x'.repeat(300) } }, sig: 'y'.repeat(1500) },
});
const headers = { authorization: `Bearer ${'t'.repeat(900)}`, 'content-type': 'application/json' };
const kinds: Record<string, () => Promise<unknown>> = {
  'fetch (undici)': async () =>
    (await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(120_000) })).json(),
  'node:http (json-post.ts)': async () =>
    (await postJson(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(120_000) })).json(),
};
const ROUNDS = 6;
const perRound = Math.ceil(calls / ROUNDS);
const figures = await interleavedRounds(kinds, { perRound, rounds: ROUNDS, warmUp: 200 });
const fmt = (xs: number[]) => leastMedian(xs, 3);
console.log(`${perRound * ROUNDS} calls per kind in ${ROUNDS} interleaved rounds; least / median round`);
for (const [kind, f] of Object.entries(figures))
  console.log(`${kind.padEnd(26)} client CPU ms/call ${fmt(f.cpu)}   wall ms/call ${fmt(f.wall)}`);
child.kill();
