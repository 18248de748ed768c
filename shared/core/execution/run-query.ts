// The executor's core: record the execution before it starts, run, record the outcome, release the result.

import type { AuditAppender } from '../../ports/audit-appender.ts';
import type { ExecutionRequest } from '../../ports/query-runner.ts';
import type { QueryResult, WarehouseExecutor } from '../../ports/warehouse.ts';
import { canonicalize } from '../audit/canonical-json.ts';
import { auditDecision, auditPrincipal, auditQuery, sha256Hex } from '../audit/events.ts';
import { WardenError } from '../errors.ts';
import { isRunnable } from '../policy/policy.ts';

export interface RunQueryDeps {
  audit: AuditAppender;
  warehouse: () => Promise<WarehouseExecutor>;
  /** Job timeout. */
  timeoutMs: number;
  /** BigQuery location jobs run in (e.g. US, EU, us-central1); default: the client's. */
  location?: string;
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
  await deps.audit.append({
    type: 'query.end',
    ...common,
    outcome: 'ok',
    jobId: result.jobId,
    totalBytesProcessed: result.totalBytesProcessed,
    rowCount: result.rows.length,
    truncated: result.truncated,
    columns: result.schema.map((c) => c.name),
    resultSha256: sha256Hex(canonicalize(result.rows)),
  });
  return result;
}

/** BigQuery label values: lower-case letters, digits, `-` and `_`, at most 63 characters. */
function labelValue(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '_')
    .slice(0, 63);
}
