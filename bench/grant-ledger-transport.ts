// The executor's grant-ledger create by two transports, in one process against the Firestore emulator: the
// official client (FirestoreGrantLedger: gRPC, google-gax, protobufjs) and a lean REST createDocument over
// node:http (what a REST ledger would send: POST …/documents/executionGrants?documentId=<sha256>, 409 when the
// grant was used). CPU of this process per call (the emulator is a separate JVM), five interleaved rounds.
// Measured, not adopted (docs/performance.md, "The grant ledger stays on the official client").
//
//   node bench/grant-ledger-transport.ts [calls per round, default 300]
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFirestore } from '../dev/emulators.ts';
import { createFirestoreClient } from '../shared/adapters/clients.ts';
import { FirestoreGrantLedger } from '../shared/adapters/firestore/grant-ledger.ts';
import { interleavedRounds, leastMedian } from './interleave.ts';

const port = Number(process.env['BENCH_FIRESTORE_PORT'] ?? 27990);
const em = await startFirestore(port, mkdtempSync(join(tmpdir(), 'warden-ledger-bench-')));
process.env.FIRESTORE_EMULATOR_HOST = `127.0.0.1:${port}`;
const db = await createFirestoreClient('demo-ab');
const ledger = new FirestoreGrantLedger(db);
const agent = new http.Agent({ keepAlive: true });
const rest = (id: string, expiresAt: Date) =>
  new Promise<number>((resolve, reject) => {
    const docId = createHash('sha256').update(id).digest('hex');
    const body = JSON.stringify({
      fields: {
        expiresAt: { timestampValue: expiresAt.toISOString() },
        usedAt: { timestampValue: new Date().toISOString() },
      },
    });
    const req = http.request(
      `http://127.0.0.1:${port}/v1/projects/demo-ab/databases/(default)/documents/executionGrants?documentId=${docId}`,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: 'Bearer owner',
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
let n = 0;
const kinds: Record<string, () => Promise<unknown>> = {
  official: () => ledger.useOnce(`g-${process.pid}-${n++}`, new Date(Date.now() + 60000)),
  rest: async () => {
    const s = await rest(`g-${process.pid}-${n++}`, new Date(Date.now() + 60000));
    if (s !== 200) throw new Error(String(s));
  },
};
// The REST path refuses a second use as the ledger must: 200, then 409 (ALREADY_EXISTS).
const dup = [await rest(`dup-${process.pid}`, new Date()), await rest(`dup-${process.pid}`, new Date())];
if (dup[0] !== 200 || dup[1] !== 409) throw new Error(`REST create answered ${dup.join(', ')}, not 200, 409`);
const per = Number(process.argv[2] ?? 300);
const figures = await interleavedRounds(kinds, { perRound: per, rounds: 5, warmUp: 100 });
console.log(`${per * 5} creates per kind in 5 interleaved rounds; least / median round`);
for (const [k, f] of Object.entries(figures))
  console.log(`${k.padEnd(9)} CPU ms/call ${leastMedian(f.cpu)}   wall ms/call ${leastMedian(f.wall)}`);
await db.terminate();
await em.stop();
