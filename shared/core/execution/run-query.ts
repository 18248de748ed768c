// The executor's core: record the execution before it starts, run, record the outcome, release the result.

import type { AuditAppender } from '../../ports/audit-appender.ts';
import type { ExecutionRequest } from '../../ports/query-runner.ts';
import type { QueryResult, WarehouseExecutor } from '../../ports/warehouse.ts';
import { canonicalize, type Json } from '../audit/canonical-json.ts';
import { auditDecision, auditPrincipal, auditQuery, sha256Hex } from '../audit/events.ts';
import { WardenError } from '../errors.ts';
import { type MaskedResult, maskResult, resolveMaskingProfile } from '../masking/mask.ts';
import type { MaskingProfiles } from '../masking/profile.ts';
import { isRunnable } from '../policy/policy.ts';

export interface RunQueryDeps {
  audit: AuditAppender;
  warehouse: () => Promise<WarehouseExecutor>;
  /** Job timeout. */
  timeoutMs: number;
  /** BigQuery location jobs run in (e.g. US, EU, us-central1); default: the client's. */
  location?: string;
  /** Masking: the policy's profiles and the KMS-protected HMAC key (decrypted once per instance). */
  masking: { profiles: MaskingProfiles; key: () => Promise<Uint8Array> };
}

/**
 * Runs an allowed query. Nothing executes unaudited: the `query.start` record is durable before the job is
 * created, and the result is released only after the `query.end` record is durable.
 */
export async function runAllowedQuery(
  deps: RunQueryDeps,
  req: ExecutionRequest,
  approval?: { id: string },
): Promise<QueryResult> {
  // A require_approval decision runs only through an approved, claimed request (run-approved.ts).
  if (!isRunnable(req.decision) && !(approval && req.decision.effect === 'require_approval'))
    throw new WardenError('forbidden', 'The executor runs allowed queries only.');
  const common = {
    requestId: req.requestId,
    principal: auditPrincipal(req.principal),
    projectId: req.projectId,
  };
  await deps.audit.append({
    type: 'query.start',
    ...common,
    query: auditQuery(req.sql, req.facts),
    decision: auditDecision(req.decision),
    ...(approval ? { approvalId: approval.id } : {}),
  });
  let result: QueryResult;
  let masked: MaskedResult;
  try {
    const warehouse = await deps.warehouse();
    result = await warehouse.execute(
      {
        projectId: req.projectId,
        sql: req.sql,
        ...(req.params ? { params: req.params } : {}),
        ...(deps.location ? { location: deps.location } : {}),
      },
      {
        rowLimit: req.decision.rowLimit,
        ...(req.decision.maximumBytesBilled
          ? { maximumBytesBilled: String(req.decision.maximumBytesBilled) }
          : {}),
        // Labels tie the BigQuery job to the audit trail without putting identities in BigQuery.
        labels: {
          'warden-request': labelValue(req.requestId),
          'warden-principal': sha256Hex(`${req.principal.issuer}|${req.principal.subject}`).slice(0, 32),
        },
        timeoutMs: deps.timeoutMs,
      },
    );
    // Masking happens here, before any row leaves the executor; any failure withholds the result.
    masked = await mask(deps, req, result);
  } catch (err) {
    await deps.audit.append({
      type: 'query.end',
      ...common,
      outcome: 'error',
      error:
        err instanceof WardenError
          ? { kind: err.kind, message: err.message }
          : { kind: 'internal', message: 'query failed' },
    });
    throw err;
  }
  const released: QueryResult = { ...result, rows: masked.rows };
  await deps.audit.append({
    type: 'query.end',
    ...common,
    outcome: 'ok',
    jobId: result.jobId,
    totalBytesProcessed: result.totalBytesProcessed,
    rowCount: released.rows.length,
    truncated: result.truncated,
    columns: result.schema.map((c) => c.name),
    // What was masked, never values (45 CFR 164.514(d) minimum necessary).
    masking: masked.summary as unknown as Json,
    resultSha256: sha256Hex(canonicalize(released.rows)),
  });
  return released;
}

async function mask(deps: RunQueryDeps, req: ExecutionRequest, result: QueryResult): Promise<MaskedResult> {
  try {
    const profile = resolveMaskingProfile(req.decision.maskingProfile, deps.masking.profiles);
    const hmacKey = await deps.masking.key();
    return maskResult(profile, { schema: result.schema, rows: result.rows }, { hmacKey });
  } catch (err) {
    if (err instanceof WardenError) throw err;
    throw new WardenError('internal', 'The result could not be masked, so it was withheld.', { cause: err });
  }
}

/** BigQuery label values: lower-case letters, digits, `-` and `_`, at most 63 characters. */
function labelValue(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '_')
    .slice(0, 63);
}
