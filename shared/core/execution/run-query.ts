// The executor's core: record the execution before it starts, run, record the outcome, release the result.

import { type AuditAppender, deferRecord } from '../../ports/audit-appender.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ExecutionRequest } from '../../ports/query-runner.ts';
import type { QueryResult, WarehouseExecutor } from '../../ports/warehouse.ts';
import { canonicalize } from '../audit/canonical-json.ts';
import {
  auditDecision,
  auditPrincipal,
  auditQuery,
  queryEndEvent,
  queryStartEvent,
  sha256Hex,
} from '../audit/events.ts';
import type { TableMetadata } from '../classification/classify.ts';
import type { ClassificationConfig } from '../classification/config.ts';
import { WardenError } from '../errors.ts';
import type { Principal } from '../identity/principal.ts';
import { columnCatalog, lineageTables, resultColumnLineage } from '../masking/lineage.ts';
import {
  type MaskedResult,
  type MaskingSummary,
  maskResult,
  resolveMaskingProfile,
} from '../masking/mask.ts';
import type { MaskingProfiles } from '../masking/profile.ts';
import { DEFAULT_BYTE_LIMIT, DEFAULT_CELL_LIMIT } from '../policy/document.ts';
import { isRunnable } from '../policy/policy.ts';
import { formatTableRef, type TableRef } from '../query/facts.ts';
import { limitReleased } from './value-limits.ts';

export interface RunQueryDeps {
  audit: AuditAppender;
  /**
   * The warehouse as the identity `credential` (a decision's, from its rule), or the primary one when absent;
   * rejects an unknown name (fail closed: the query does not run as another identity).
   */
  warehouse: (credential?: string) => Promise<WarehouseExecutor>;
  /** Job timeout. */
  timeoutMs: number;
  /** BigQuery location jobs run in (e.g. US, EU, us-central1); default: the client's. */
  location?: string;
  /** Masking: the policy's profiles and the KMS-protected HMAC key (decrypted once per instance). */
  masking: {
    profiles: MaskingProfiles;
    key: () => Promise<Uint8Array>;
    /**
     * The policy's classification: with the result's lineage from the SQL, column rules keyed by
     * table.column, PHI class or policy tag apply to renamed and computed columns too.
     */
    classification?: ClassificationConfig;
    /** BigQuery metadata (labels, policy tags, descriptions) of a table the query reads; cached by the caller. */
    describeTable?: (table: TableRef) => Promise<TableMetadata>;
  };
  /** The query's start time gives masking its reference day (ages over 89, date shifts); default: now. */
  clock?: Clock;
}

/** A released result: masked rows and what masking did (names, strategies and counts, never values). */
export type MaskedQueryResult = QueryResult & { masking: MaskingSummary };

/**
 * Runs an allowed query. Nothing executes unaudited: the intent record (the gateway's durable decision, which
 * its grant carries, or the approval's claim) precedes it, `query.start` is group-committed, and the result is
 * released only after the `query.end` record (what was released) is durable: the release barrier.
 */
export async function runAllowedQuery(
  deps: RunQueryDeps,
  req: ExecutionRequest,
  approval?: { id: string },
): Promise<MaskedQueryResult> {
  // A require_approval decision runs only through an approved, claimed request (run-approved.ts).
  if (!isRunnable(req.decision) && !(approval && req.decision.effect === 'require_approval'))
    throw new WardenError('forbidden', 'The executor runs allowed queries only.');
  const common = {
    requestId: req.requestId,
    principal: auditPrincipal(req.principal),
    projectId: req.projectId,
  };
  // The reference day for masking is fixed when the query starts, so a result masks the same way throughout.
  const asOf = (deps.clock?.now() ?? new Date()).toISOString().slice(0, 10);
  // A writer that cannot sign would lose every record of this run: refuse before anything runs.
  await deps.audit.ready?.();
  // Not a barrier: the intent record (the gateway's policy.decision, or the approval's claim) is durable before
  // this request could be signed or claimed; this record is group-committed with the release record.
  deferRecord(
    deps.audit,
    queryStartEvent({
      ...common,
      query: auditQuery(req.sql, req.facts),
      decision: auditDecision(req.decision),
      ...(approval ? { approvalId: approval.id } : {}),
    }),
  );
  let result: QueryResult;
  let masked: MaskedResult;
  const started = performance.now();
  const durationMs = () => Math.round(performance.now() - started);
  try {
    const warehouse = await deps.warehouse(req.decision.credential);
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
          'warden-principal': principalLabel(req.principal),
        },
        timeoutMs: deps.timeoutMs,
      },
    );
    // Masking happens here, before any row leaves the executor; any failure withholds the result.
    masked = await mask(deps, req, result, asOf);
  } catch (err) {
    await deps.audit.append(
      queryEndEvent({
        ...common,
        outcome: 'error',
        durationMs: durationMs(),
        error:
          err instanceof WardenError
            ? { kind: err.kind, message: err.message }
            : { kind: 'internal', message: 'query failed' },
      }),
    );
    throw err;
  }
  // Limits on what leaves, not on rows: array elements count as values, and cells and bytes are capped too
  // (a decision without caps, from before they existed, gets the policy defaults).
  const limited = limitReleased(masked.rows, {
    values: req.decision.rowLimit,
    cells: req.decision.cellLimit ?? DEFAULT_CELL_LIMIT,
    bytes: req.decision.byteLimit ?? DEFAULT_BYTE_LIMIT,
  });
  const released: QueryResult = {
    ...result,
    rows: limited.rows,
    truncated: result.truncated || limited.truncated,
  };
  await deps.audit.append(
    queryEndEvent({
      ...common,
      outcome: 'ok',
      durationMs: durationMs(),
      jobId: result.jobId,
      totalBytesProcessed: result.totalBytesProcessed,
      rowCount: released.rows.length,
      truncated: released.truncated,
      released: { values: limited.values, cells: limited.cells, bytes: limited.bytes },
      columns: result.schema.map((c) => c.name),
      // What was masked, never values (45 CFR 164.514(d) minimum necessary).
      masking: masked.summary,
      resultSha256: sha256Hex(canonicalize(released.rows)),
    }),
  );
  return { ...released, masking: masked.summary };
}

async function mask(
  deps: RunQueryDeps,
  req: ExecutionRequest,
  result: QueryResult,
  asOf: string,
): Promise<MaskedResult> {
  try {
    const profile = resolveMaskingProfile(req.decision.maskingProfile, deps.masking.profiles);
    const hmacKey = await deps.masking.key();
    // Lineage from the SQL: which source columns each result column reads, so rules follow aliases.
    // Checked against the dry run's tables: what cannot be traced there is masked as their strictest PHI.
    const columns = resultColumnLineage(req.sql, req.projectId, result.schema, req.facts.referencedTables);
    const { classification, describeTable } = deps.masking;
    let catalog: ReturnType<typeof columnCatalog> | undefined;
    if (classification !== undefined) {
      const tables = new Map<string, TableRef>();
      for (const t of [...req.facts.referencedTables, ...lineageTables(columns)])
        if (t !== undefined && !t.tableId.includes('*')) tables.set(formatTableRef(t), t);
      // Metadata that cannot be read fails the masking, and so withholds the result (fail closed).
      const metadata = describeTable ? await Promise.all([...tables.values()].map(describeTable)) : [];
      catalog = columnCatalog(classification, metadata);
    }
    return maskResult(
      profile,
      { schema: result.schema, rows: result.rows, columns, asOf, ...(catalog ? { catalog } : {}) },
      { hmacKey },
    );
  } catch (err) {
    if (err instanceof WardenError) throw err;
    throw new WardenError('internal', 'The result could not be masked, so it was withheld.', { cause: err });
  }
}

/** The `warden-principal` label of a job: whose it is, without putting an identity into BigQuery. */
export function principalLabel(principal: Principal): string {
  return sha256Hex(`${principal.issuer}|${principal.subject}`).slice(0, 32);
}

/** A BigQuery label value (lowercase letters, digits, `_` and `-`, at most 63 characters). */
export function labelValue(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '_')
    .slice(0, 63);
}
