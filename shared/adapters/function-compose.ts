// What the gateway's and the executor's compositions share (functions/*/compose.ts): the ports both are built
// from, the one policy loader, the audit log and the approval stores with their deadlines. Over ports only: no
// client library is imported here or below (npm run check, rule compose-pure), so tests compose the functions on
// in-memory ports exactly as production composes them on Google's (functions/*/ports.ts).

import { AuditLog } from '../core/audit/audit-log.ts';
import { WardenError } from '../core/errors.ts';
import { TieredResultStore } from '../core/execution/tiered-results.ts';
import type { TrustedIssuer } from '../core/identity/principal.ts';
import { loadPolicy, type Policy } from '../core/policy/policy.ts';
import type { ApprovalStore, ResultStore } from '../ports/approval-store.ts';
import type { AuditSink } from '../ports/audit-sink.ts';
import type { Clock } from '../ports/clock.ts';
import type { KeyService } from '../ports/key-service.ts';
import type { ResultBlobs } from '../ports/result-blobs.ts';
import type { TokenVerifier } from '../ports/token-verifier.ts';
import { withDeadline } from './deadline.ts';

/** The bytes at a file path or a `gs://bucket/object` URL (the policy, sealed keys). */
export type ObjectReader = (location: string) => Promise<Uint8Array>;

/** Bearer-token verification against these issuers (OIDC in production: shared/adapters/oidc). */
export type VerifierFactory = (options: {
  issuers: TrustedIssuer[];
  clockToleranceSeconds?: number;
}) => TokenVerifier;

/**
 * The ports every function is composed from. Each is raw: the composition puts every deadline on
 * (docs/reliability.md), so a test's fault injector sits inside the production deadline.
 */
export interface FunctionPorts {
  clock: Clock;
  log: (message: string, cause?: unknown) => void;
  keys: KeyService;
  /** The retention-locked audit bucket of this name. */
  auditSink: (bucket: string) => AuditSink;
  approvals: ApprovalStore;
  /** Result documents (Firestore), and the results bucket for those too large for one. */
  resultDocuments: ResultStore;
  resultBlobs: (bucket: string) => ResultBlobs;
  readObject: ObjectReader;
  tokenVerifier: VerifierFactory;
  /** Told of each audit log composed, so the entry point closes them all on SIGTERM (absent: nobody is). */
  opened?: (log: AuditLog) => void;
}

/** The policy's text from `location`; a missing policy stops the start (both functions read the same file). */
export async function readPolicyText(location: string, read: ObjectReader): Promise<string> {
  try {
    return new TextDecoder().decode(await read(location));
  } catch (err) {
    throw new WardenError(
      'failed_precondition',
      `The policy ${location} could not be read: Warden does not start without a valid policy.`,
      { cause: err },
    );
  }
}

/** A sealed artefact's bytes (a credential, the masking key); an unreadable one fails closed, unavailable. */
export async function readArtefact(read: ObjectReader, location: string, what: string): Promise<Uint8Array> {
  try {
    return await read(location);
  } catch (err) {
    throw new WardenError('unavailable', `The ${what} could not be read.`, { cause: err });
  }
}

/** The settings both functions' environments give the policy, the audit log and the stores (the same variables). */
export interface CommonSettings {
  POLICY_PATH: string;
  AUDIT_BUCKET: string;
  AUDIT_KMS_KEY_VERSION: string;
  /** Seconds after an audit object is stored until a digest lists it (at the latest). */
  AUDIT_DIGEST_INTERVAL_SECONDS: number;
  /** How long a group-committed record may wait for a barrier write (ms). */
  AUDIT_DEFER_MS: number;
  /** Most audit object writes in flight at once, each its own stream. */
  AUDIT_WRITE_LANES: number;
  RESULTS_BUCKET?: string | undefined;
  DEPENDENCY_TIMEOUT_MS: number;
}

/** What both functions compose alike, from the same settings. */
export interface Common {
  policy: Policy;
  /** KMS, every call on the deadline. */
  keys: KeyService;
  /** The function's audit log (as `writer`), and the sink it writes to (the gateway's console reads it). */
  audit: AuditLog;
  sink: AuditSink;
  /** The approval request store and the result store. */
  stores: { store: ApprovalStore; results: ResultStore };
}

/**
 * The policy (one loader for both functions: read, then parse and check, an invalid one naming its line), KMS,
 * the audit log and the approval stores, every dependency call failing closed after DEPENDENCY_TIMEOUT_MS
 * (docs/reliability.md). Audit digest failures are logged; they never fail a request. With a results bucket,
 * results too large for a document go to it (TieredResultStore).
 */
export async function composeCommon(
  ports: FunctionPorts,
  config: CommonSettings,
  writer: string,
): Promise<Common> {
  const policy = loadPolicy(await readPolicyText(config.POLICY_PATH, ports.readObject), config.POLICY_PATH);
  const ms = config.DEPENDENCY_TIMEOUT_MS;
  const keys = withDeadline(ports.keys, ms, 'Cloud KMS');
  const sink = withDeadline(ports.auditSink(config.AUDIT_BUCKET), ms, 'Cloud Storage');
  const audit = new AuditLog({
    sink,
    keys,
    clock: ports.clock,
    kmsKeyVersion: config.AUDIT_KMS_KEY_VERSION,
    writer,
    digestIntervalMs: config.AUDIT_DIGEST_INTERVAL_SECONDS * 1000,
    deferMs: config.AUDIT_DEFER_MS,
    lanes: config.AUDIT_WRITE_LANES,
    onBackgroundError(err) {
      ports.log(
        'audit background write failed: a digest (its objects go into the next one) or a group-committed record (warden audit reconcile names its request)',
        err,
      );
    },
  });
  ports.opened?.(audit);
  const documents = withDeadline(ports.resultDocuments, ms, 'Firestore');
  return {
    policy,
    keys,
    audit,
    sink,
    stores: {
      store: withDeadline(ports.approvals, ms, 'Firestore'),
      results: config.RESULTS_BUCKET
        ? new TieredResultStore(
            documents,
            withDeadline(ports.resultBlobs(config.RESULTS_BUCKET), ms, 'Cloud Storage'),
          )
        : documents,
    },
  };
}
