// The emulator-test harness: one local stack for the whole run (small dataset, free ports, temp state),
// started before the first test and stopped after the last.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Stack, startStack } from '../dev/stack.ts';
import { createStorageClient } from '../shared/adapters/clients.ts';
import { GcsAuditSink } from '../shared/adapters/storage/audit-sink.ts';
import type { AuditRecord } from '../shared/core/audit/record.ts';
import { readTrail, recordsIn } from '../shared/core/audit/trail.ts';
import type { TrailObject } from '../shared/core/audit/verify.ts';
import { freePortBlock } from '../standins/net.ts';
import { loadIssuerKey, mintToken, personClaims } from '../standins/oidc/dev-issuer.ts';
import { buildFunctions, REPO_ROOT } from '../tools/build/functions.ts';

let stack: Stack | undefined;
let stateDir: string | undefined;

/** Synthetic patients in the test dataset (small, so start-up stays fast). */
export const TEST_PATIENTS = 200;

/** The running stack; throws outside a test run. */
export function theStack(): Stack {
  if (!stack) throw new Error('the local stack is not running (emulator-tests/setup.ts starts it)');
  return stack;
}

/** A development ID token for a person, from the stack's issuer. */
export async function tokenFor(
  email: string,
  groups: string[],
  overrides: { audience?: string; ttlSeconds?: number } = {},
): Promise<string> {
  const info = theStack().info;
  const key = await loadIssuerKey(info.stateDir);
  return mintToken(
    key,
    info.issuer,
    personClaims({ email, groups, audience: overrides.audience ?? info.audience }),
    overrides.ttlSeconds ?? 600,
  );
}

/** A call of the gateway's approvals HTTP API as a person; the JSON answer, which must be 200. */
export async function approvalsApi(
  email: string,
  groups: readonly string[],
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${theStack().info.gatewayUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${await tokenFor(email, [...groups])}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** The privacy office's approver in the example policy. */
export const PRIYA = ['priya@example.org', ['privacy-office']] as const;

/** Approves a parked request as priya, naming the binding she was shown. */
export async function approveAsPriya(id: string): Promise<void> {
  const shown = await approvalsApi(...PRIYA, 'GET', `/approvals/${id}`);
  await approvalsApi(...PRIYA, 'POST', `/approvals/${id}:approve`, {
    reason: 'IRB 2026-114',
    binding: shown['bindingSha256'],
  });
}

/**
 * With WARDEN_FUNCTIONS=bundles the functions run from their deployable esbuild bundles (built first into
 * dist/test-functions) instead of from source: `npm run test:bundles` runs the emulator tests that way.
 */
export function functionsFromBundles(): boolean {
  const from = process.env['WARDEN_FUNCTIONS'] ?? 'source';
  if (from !== 'source' && from !== 'bundles')
    throw new Error(`WARDEN_FUNCTIONS must be "source" or "bundles", not "${from}"`);
  return from === 'bundles';
}

export async function startHarness(): Promise<void> {
  stateDir = mkdtempSync(join(tmpdir(), 'warden-emulator-tests-'));
  const t0 = Date.now();
  let functionsDir: string | undefined;
  if (functionsFromBundles()) {
    functionsDir = join(REPO_ROOT, 'dist', 'test-functions');
    const built = await buildFunctions(functionsDir);
    console.log(`  functions from bundles: ${built.map((f) => `${f.name} ${f.bytes} bytes`).join(', ')}`);
  }
  stack = await startStack({
    stateDir,
    portBase: await freePortBlock(),
    patients: TEST_PATIENTS,
    seed: 'emulator-tests',
    ...(functionsDir ? { functionsDir } : {}),
  });
  // The official clients in this process find the emulators the way deployed code would.
  process.env['FIRESTORE_EMULATOR_HOST'] = stack.info.endpoints.firestore;
  process.env['PUBSUB_EMULATOR_HOST'] = stack.info.endpoints.pubsub;
  // Clients without a credential (BigQuery metadata) get tokens as the gateway does, from its metadata stand-in.
  process.env['GCE_METADATA_HOST'] = stack.info.gatewayMetadataHost;
  console.log(`  local stack up in ${Date.now() - t0} ms (state ${stateDir})`);
}

export async function stopHarness(): Promise<void> {
  await stack?.stop();
  stack = undefined;
  if (stateDir && !process.env['WARDEN_KEEP_STATE']) rmSync(stateDir, { recursive: true, force: true });
}

/** Every audit record in the local audit bucket, read through the official Storage client. */
export async function auditRecords(): Promise<AuditRecord[]> {
  return recordsIn(await auditObjects());
}

/**
 * How long the functions may hold a group-committed record (AUDIT_DEFER_MS, 25 ms) plus its write: the trail is
 * read after this, so a request's response record, written just after its answer, is there.
 */
const GROUP_COMMIT_SETTLE_MS = 250;

/** Every record and digest object in the local audit bucket, read through the official Storage client. */
export async function auditObjects(): Promise<TrailObject[]> {
  await new Promise((r) => setTimeout(r, GROUP_COMMIT_SETTLE_MS));
  const info = theStack().info;
  const sink = new GcsAuditSink(
    (await createStorageClient(info.projectId, info.endpoints.storage)).bucket(info.auditBucket),
  );
  return (await readTrail(sink)).objects;
}

/**
 * The audit records of one request, in time order: an instance writes through several lanes (AUDIT_WRITE_LANES),
 * each its own stream, so one request's records may sit in different streams, whose names do not sort by time.
 */
export async function auditRecordsFor(requestId: string): Promise<AuditRecord[]> {
  return (await auditRecords())
    .filter((r) => r.event.requestId === requestId)
    .sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
}
