// How ./v1-trail.jsonl was made: a small trail of most version 1 event types (every family), written by the real AuditLog
// (instance keys certified by an in-memory KMS key, digests included), stored with the KMS public key that
// verifies it. It is evidence that version 1 stays readable and verifiable: it is written once, when a
// format version is frozen, and never regenerated (this script refuses to overwrite it).
//
//   node cli/audit/write-v1-fixture.ts

import { existsSync, writeFileSync } from 'node:fs';
import { approvalAuditEvent, approvalRefusalEvent } from '../../shared/core/approval/audit.ts';
import { nextApprovalState } from '../../shared/core/approval/state-machine.ts';
import {
  ann,
  approvalDecision,
  at,
  bob,
  executing,
  FACTS,
  pending,
  review,
  succeed,
} from '../../shared/core/approval/test-fixtures.ts';
import { AuditLog } from '../../shared/core/audit/audit-log.ts';
import {
  apiRequestEvent,
  auditDecision,
  auditPrincipal,
  auditQuery,
  executionRefusedEvent,
  inputRequestedEvent,
  jobEvent,
  mcpRefusalEvent,
  mcpRequestEvent,
  mcpResponseEvent,
  policyDecisionEvent,
  queryEndEvent,
  queryStartEvent,
  resultFetchEvent,
} from '../../shared/core/audit/events.ts';
import { readTrail } from '../../shared/core/audit/trail.ts';
import { ManualClock, MemoryKeys, MemorySink } from '../../shared/test-support/memory-ports.ts';

const OUT = new URL('../../shared/core/audit/fixtures/v1-trail.jsonl', import.meta.url);
if (existsSync(OUT)) throw new Error(`${OUT.pathname} exists: a stored format fixture is never regenerated`);

const KEY =
  'projects/demo-warden/locations/global/keyRings/warden/cryptoKeys/audit-signing/cryptoKeyVersions/1';
const sink = new MemorySink();
const keys = new MemoryKeys();
const clock = new ManualClock('2026-12-01T09:00:00.000Z');
const gateway = new AuditLog({ sink, keys, clock, kmsKeyVersion: KEY, writer: 'gateway' });
const executor = new AuditLog({ sink, keys, clock, kmsKeyVersion: KEY, writer: 'executor' });

const principal = auditPrincipal(ann);
const sql = 'SELECT mrn, name FROM `demo-warden.clinical.patients` LIMIT 5';
const decision = auditDecision(approvalDecision());
const r1 = 'fixture-00000000-0000-4000-8000-000000000001';

await gateway.append(
  mcpRequestEvent({ requestId: r1, principal, rpc: { method: 'tools/call', id: 1, tool: 'execute_sql' } }),
);
await gateway.append(
  policyDecisionEvent({
    requestId: r1,
    tool: 'execute_sql',
    principal,
    projectId: 'demo-warden',
    query: auditQuery(sql, FACTS),
    decision,
    dryRun: false,
  }),
);
await executor.append(
  queryStartEvent({
    requestId: r1,
    principal,
    projectId: 'demo-warden',
    query: auditQuery(sql, FACTS),
    decision,
  }),
);
await executor.append(
  queryEndEvent({
    requestId: r1,
    principal,
    projectId: 'demo-warden',
    outcome: 'ok',
    durationMs: 42,
    jobId: 'job_fixture_1',
    totalBytesProcessed: '1024',
    rowCount: 5,
    truncated: false,
    released: { values: 10, cells: 10, bytes: 300 },
    columns: ['mrn', 'name'],
    masking: { profile: 'default', maskedColumns: [], detectorHits: {} },
    resultSha256: 'a'.repeat(64),
  }),
);
await gateway.append(mcpResponseEvent({ requestId: r1, status: 200, responseSha256: 'b'.repeat(64) }));
await gateway.append(
  mcpRefusalEvent({
    requestId: 'fixture-2',
    status: 401,
    reason: 'No token.',
    check: 'authentication',
    credentials: 'absent',
  }),
);
await gateway.append(
  mcpRefusalEvent({
    requestId: 'fixture-3',
    status: 405,
    reason: 'Use POST.',
    check: 'method',
    method: 'GET',
  }),
);
await gateway.append(
  inputRequestedEvent({
    requestId: 'fixture-4',
    tool: 'execute_sql',
    input: 'reason',
    rule: 'phi-needs-reason',
  }),
);
await executor.append(
  executionRefusedEvent({
    requestId: 'fixture-5',
    error: { kind: 'forbidden', message: 'The execution grant was used before.' },
  }),
);
// Approval transitions, from the approval state machine itself.
const requested = pending();
await gateway.append(approvalAuditEvent(undefined, requested, ann));
const reviewed = nextApprovalState(requested, review(bob, 'approve', 'IRB 2026-114'), at(5));
await gateway.append(approvalAuditEvent(requested, reviewed, bob));
const running = executing();
const done = nextApprovalState(running, succeed(), at(30));
await executor.append(approvalAuditEvent(running, done, { service: 'executor-1' }));
await gateway.append(
  approvalRefusalEvent(requested.id, ann, 'review', {
    kind: 'forbidden',
    message: 'You cannot review your own request.',
  }),
);
await gateway.append(
  resultFetchEvent({ requestId: 'fixture-6', approvalId: requested.id, jobId: 'job-42', rowCount: 12 }),
);
await executor.append(
  jobEvent('get', { requestId: 'fixture-7', principal, jobId: 'job-42', ranFor: requested.id }),
);
await executor.append(jobEvent('cancel', { requestId: 'fixture-8', principal, jobId: 'job-43' }));
await gateway.append(
  apiRequestEvent({ requestId: 'fixture-9', principal, method: 'GET', path: '/approvals' }),
);
await gateway.close();
await executor.close();

const { objects } = await readTrail(sink);
const lines = [
  JSON.stringify({ kmsPublicKeyPem: await keys.getPublicKeyPem() }),
  ...objects
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((o) => JSON.stringify({ name: o.name, data: new TextDecoder().decode(o.data) })),
];
writeFileSync(OUT, `${lines.join('\n')}\n`);
console.log(`wrote ${OUT.pathname}: ${objects.length} objects`);
