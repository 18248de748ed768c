// Benchmark: audit records appended per second (the real AuditLog and instance signing key over an
// in-memory sink), bytes per record, KMS calls per 1,000 records (checkpoints' apart too), verifyTrail records
// per second, and the size of a receipt in a simulated trail of a million records.
// Goals (issue 10): at least 20,000 records/s per core, and no KMS call per record; (issue 24) checkpoints
// below 1 KMS call per 1,000 records.

import { AuditLog } from '../shared/core/audit/audit-log.ts';
import {
  checkpointOrigin,
  DEFAULT_LOG_NAME,
  formatWardenCheckpoint,
} from '../shared/core/audit/checkpoint.ts';
import {
  appendLeaf,
  EMPTY_FRONTIER,
  frontierRoot,
  hashLeaf,
  inclusionProof,
} from '../shared/core/audit/merkle.ts';
import { ecdsaVerifier, kmsNoteSigner, signNote } from '../shared/core/audit/note.ts';
import { formatProof, verifyProof } from '../shared/core/audit/proof.ts';
import type { AuditEvent } from '../shared/core/audit/record.ts';
import { type TrailObject, verifyTrail } from '../shared/core/audit/verify.ts';
import { systemClock } from '../shared/ports/clock.ts';
import { MemoryKeys, MemorySink } from '../shared/test-support/memory-ports.ts';

/** Figures from {@link benchAudit}. The bench runs on one thread, so "per second" is per core. */
export interface AuditBenchResult {
  /** Records per second when each append waits for the previous one (one object per record); best slice. */
  sequentialRecordsPerSecond: number;
  /** Records per second with `burst` appends in flight (group commit: several records per object). */
  groupCommitRecordsPerSecond: number;
  /** Appends in flight in the group-commit figure. */
  burst: number;
  /** Average stored bytes per record (JSON Lines, signature included) over the allowed-call event mix. */
  bytesPerRecord: number;
  /** Records per object in the group-commit run. */
  recordsPerObjectGrouped: number;
  /** KMS calls (any method) per 1,000 records appended, over every record of the run. */
  kmsCallsPerThousandRecords: number;
  /** KMS calls in total and records appended in total (the figure above is their ratio). */
  kmsCalls: number;
  recordsAppended: number;
  /** verifyTrail: records per second checked (signatures, certificates, chains, order), one record per object. */
  verifyRecordsPerSecond: number;
  /** Records in the verified trail. */
  verifiedRecords: number;
  /** verifyTrail over the group-committed trail (many records per object, each signed). */
  verifyGroupedRecordsPerSecond: number;
  /** Average stored bytes per record in the group-committed trail (signatures included). */
  bytesPerRecordGrouped: number;
  /** Checkpoints the measured runs wrote, and their KMS signatures per 1,000 records (part of the figure above). */
  checkpoints: number;
  checkpointKmsCallsPerThousandRecords: number;
  /** A receipt in a simulated stream of {@link SIMULATED_RECORDS} records: hashes, bytes, and without the record. */
  proofRecords: number;
  proofHashes: number;
  proofBytes: number;
  proofBytesWithoutRecord: number;
  /** Milliseconds to verify that receipt (signature and inclusion proof). */
  proofVerifyMs: number;
}

/** The simulated trail's size for the receipt figures. */
export const SIMULATED_RECORDS = 1_000_000;

const KEY_VERSION =
  'projects/demo-warden/locations/global/keyRings/warden/cryptoKeys/audit-signing/cryptoKeyVersions/1';

/** The five events of an allowed execute_sql call, shaped as the gateway and executor write them. */
function allowedCallEvents(i: number): AuditEvent[] {
  const requestId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  const principal = {
    subject: 'dev|ann@example.org',
    issuer: 'http://127.0.0.1:8702',
    email: 'ann@example.org',
    groups: ['analysts'],
    actorChain: [],
  };
  const sql = 'SELECT code, description FROM `demo-warden.reference.icd10_codes` ORDER BY code LIMIT 5';
  const query = {
    sql,
    sqlSha256: '6f1c0b8d2b0b6f1b8b9d8f1e0f5e1c2d3a4b5c6d7e8f90a1b2c3d4e5f6a7b8c9',
    statementType: 'SELECT',
    referencedTables: ['demo-warden.reference.icd10_codes'],
    totalBytesProcessed: '48210',
  };
  const decision = {
    effect: 'allow',
    rule: 'reference-data',
    reasons: ['Staff may query tables that hold no PHI.'],
    policyVersion: 'sha256:1f2e3d4c5b6a',
    rowLimit: 1000,
    maximumBytesBilled: 10_000_000_000,
    maskingProfile: 'none',
    touchesPhi: false,
    phiClasses: [],
  };
  return [
    {
      type: 'mcp.request',
      requestId,
      principal,
      rpc: { method: 'tools/call', id: i, tool: 'execute_sql' },
    },
    {
      type: 'policy.decision',
      requestId,
      tool: 'execute_sql',
      principal,
      projectId: 'demo-warden',
      query,
      decision,
      dryRun: false,
    },
    { type: 'query.start', requestId, principal, projectId: 'demo-warden', query, decision },
    {
      type: 'query.end',
      requestId,
      principal,
      projectId: 'demo-warden',
      outcome: 'ok',
      jobId: `job_${requestId}`,
      totalBytesProcessed: '48210',
      rowCount: 5,
      truncated: false,
      columns: ['code', 'description'],
      masking: { profile: 'none', maskedColumns: [], detectorHits: {} },
      resultSha256: '0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9',
    },
    {
      type: 'mcp.response',
      requestId,
      status: 200,
      responseSha256: 'f9e8d7c6b5a4938271605f4e3d2c1b0af9e8d7c6b5a4938271605f4e3d2c1b0a',
    },
  ];
}

function newLog(keys: MemoryKeys, writer: string) {
  const sink = new MemorySink();
  const log = new AuditLog({ sink, keys, clock: systemClock, kmsKeyVersion: KEY_VERSION, writer });
  return { sink, log };
}

async function trailOf(sink: MemorySink): Promise<TrailObject[]> {
  return Promise.all((await sink.list('')).map(async (name) => ({ name, data: await sink.read(name) })));
}

/** Bytes of the record objects (digests, which list objects rather than records, are left out). */
function recordBytes(sink: MemorySink): number {
  let n = 0;
  for (const [name, data] of sink.objects) if (name.includes('streams/')) n += data.length;
  return n;
}

/**
 * Appends for about `ms` milliseconds in five slices; returns the best slice's records per second (the
 * machine is shared, so the best slice is the closest to an uncontended core) and the records appended.
 */
async function appendRate(
  log: AuditLog,
  ms: number,
  burst: number,
): Promise<{ perSecond: number; records: number }> {
  let i = 0;
  let records = 0;
  let best = 0;
  for (let slice = 0; slice < 5; slice++) {
    let n = 0;
    const t0 = performance.now();
    let elapsed = 0;
    while (elapsed < ms / 5) {
      if (burst === 1) {
        for (const e of allowedCallEvents(i++)) {
          await log.append(e);
          n++;
        }
      } else {
        const pending: Promise<unknown>[] = [];
        while (pending.length < burst) for (const e of allowedCallEvents(i++)) pending.push(log.append(e));
        await Promise.all(pending);
        n += pending.length;
      }
      elapsed = performance.now() - t0;
    }
    records += n;
    best = Math.max(best, (n * 1000) / elapsed);
  }
  return { perSecond: Math.round(best), records };
}

/** Measures appends and verification for about `ms` milliseconds per figure. */
export async function benchAudit(ms = 2000, burst = 64): Promise<AuditBenchResult> {
  const keys = new MemoryKeys();

  // Warm-up (JIT, the instance key's one KMS certification), then the measured runs on fresh logs.
  await appendRate(newLog(keys, 'warmup').log, Math.min(300, ms / 4), 1);
  const callsBefore = kmsCalls(keys);

  const sequential = newLog(keys, 'gateway');
  const seq = await appendRate(sequential.log, ms, 1);
  const grouped = newLog(keys, 'executor');
  const group = await appendRate(grouped.log, ms, burst);

  // Each run ends as an instance does (SIGTERM): its last digest and closing checkpoints count too.
  await sequential.log.close();
  await grouped.log.close();
  const recordsAppended = seq.records + group.records;
  const calls = kmsCalls(keys) - callsBefore;
  const checkpoints = [sequential.sink, grouped.sink]
    .flatMap((s) => [...s.objects.keys()])
    .filter((n) => n.includes('/checkpoints/')).length;
  // Each log's first object also holds its stream.start record (the certificate).
  const bytesPerRecord = Math.round(recordBytes(sequential.sink) / (seq.records + 1));

  // Verification: the sequential trail (one record per object, the slowest case for object handling) and
  // the group-committed one.
  const pem = await keys.getPublicKeyPem();
  const verifiedRecords = seq.records + 1;
  const verifyPerSecond = await verifyRate(await trailOf(sequential.sink), verifiedRecords, pem, ms);
  const verifyGrouped = await verifyRate(await trailOf(grouped.sink), group.records + 1, pem, ms);

  return {
    sequentialRecordsPerSecond: seq.perSecond,
    groupCommitRecordsPerSecond: group.perSecond,
    burst,
    bytesPerRecord,
    recordsPerObjectGrouped: Math.round((group.records / grouped.sink.objects.size) * 10) / 10,
    kmsCallsPerThousandRecords: Math.round((calls / recordsAppended) * 1000 * 1000) / 1000,
    kmsCalls: calls,
    recordsAppended,
    verifyRecordsPerSecond: Math.round(verifyPerSecond),
    verifiedRecords,
    verifyGroupedRecordsPerSecond: Math.round(verifyGrouped),
    bytesPerRecordGrouped: Math.round(recordBytes(grouped.sink) / (group.records + 1)),
    checkpoints,
    checkpointKmsCallsPerThousandRecords: Math.round((checkpoints / recordsAppended) * 1000 * 1000) / 1000,
    ...(await simulatedReceipt(keys, recordBytes(sequential.sink) / (seq.records + 1))),
  };
}

/**
 * A receipt for the middle record of a simulated stream of a million records (leaf hashes of synthetic lines of
 * the measured record size; a receipt's size depends only on the tree size and the record), against a
 * checkpoint signed as the writer signs it, with a dozen `warden-known` lines.
 */
async function simulatedReceipt(keys: MemoryKeys, bytesPerRecord: number) {
  const line = (i: number) =>
    new TextEncoder().encode(`{"seq":${i}}`.padEnd(Math.round(bytesPerRecord), ' '));
  const leaves: Uint8Array[] = new Array(SIMULATED_RECORDS);
  let frontier = EMPTY_FRONTIER;
  for (let i = 0; i < SIMULATED_RECORDS; i++) {
    leaves[i] = hashLeaf(line(i));
    frontier = appendLeaf(frontier, leaves[i]!);
  }
  const stream = 'gateway-20260101T000000Z-1a2b3c4d5e6f';
  const origin = checkpointOrigin(DEFAULT_LOG_NAME, stream);
  const text = formatWardenCheckpoint({
    origin,
    size: SIMULATED_RECORDS,
    rootHash: frontierRoot(frontier),
    time: '2026-01-01T00:59:00.000Z',
    instance: 'gateway-instance-20260101T000000Z-1a2b3c4d5e6f',
    closed: false,
    digest: { stream: 'gateway-digest-20260101T000000Z-1a2b3c4d5e6f', seq: 999 },
    known: Array.from({ length: 12 }, (_, i) => ({
      stream: `executor-20260101T000000Z-${String(i).padStart(12, '0')}`,
      size: 80_000 + i,
    })),
  });
  const pem = await keys.getPublicKeyPem();
  const note = await signNote(text, [kmsNoteSigner(keys, KEY_VERSION, origin, pem)]);
  const index = SIMULATED_RECORDS / 2;
  const inclusion = inclusionProof(index, leaves);
  const proof = formatProof({ extra: line(index), index, inclusion, checkpoint: note });
  const bare = formatProof({ index, inclusion, checkpoint: note });
  const t0 = performance.now();
  const verdict = verifyProof(proof, { verifiers: [ecdsaVerifier(origin, pem)] });
  const proofVerifyMs = Math.round((performance.now() - t0) * 100) / 100;
  if (!verdict.ok) throw new Error(`the simulated receipt does not verify: ${verdict.reason}`);
  return {
    proofRecords: SIMULATED_RECORDS,
    proofHashes: inclusion.length,
    proofBytes: Buffer.byteLength(proof),
    proofBytesWithoutRecord: Buffer.byteLength(bare),
    proofVerifyMs,
  };
}

/** Checks that the trail verifies, then verifies it for about `ms` milliseconds in five slices: best slice. */
async function verifyRate(objects: TrailObject[], records: number, pem: string, ms: number): Promise<number> {
  const report = verifyTrail(objects, pem);
  if (!report.ok)
    throw new Error(`the benchmark trail does not verify: ${JSON.stringify(report.problems[0])}`);
  if (report.records !== records) throw new Error(`verified ${report.records} records, wrote ${records}`);
  let best = 0;
  for (let slice = 0; slice < 5; slice++) {
    let rounds = 0;
    const t0 = performance.now();
    let elapsed = 0;
    while (elapsed < ms / 5 || rounds === 0) {
      verifyTrail(objects, pem);
      rounds++;
      elapsed = performance.now() - t0;
    }
    best = Math.max(best, (rounds * records * 1000) / elapsed);
  }
  return best;
}

function kmsCalls(keys: MemoryKeys): number {
  return keys.calls.encrypt + keys.calls.decrypt + keys.calls.sign + keys.calls.publicKey;
}
