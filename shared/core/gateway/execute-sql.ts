// The gateway's execute_sql: dry run (authoritative facts), SQL analysis (column facts, guarded constructs),
// PHI classification, a policy decision recorded durably, then the executor for runnable decisions.

import type { ApprovalRequest } from '../../ports/approval-store.ts';
import type { AuditAppender } from '../../ports/audit-appender.ts';
import type { Clock } from '../../ports/clock.ts';
import type { QueryRunner } from '../../ports/query-runner.ts';
import type { QueryParameter, QueryResult, WarehouseMetadata } from '../../ports/warehouse.ts';
import { auditDecision, auditPrincipal, auditQuery, policyDecisionEvent } from '../audit/events.ts';
import type { EventOf } from '../audit/record.ts';
import type { TableCatalog } from '../classification/table-catalog.ts';
import { WardenError } from '../errors.ts';
import type { Principal } from '../identity/principal.ts';
import { type Decision, evaluatePolicy, isRunnable, type Policy, type SqlFacts } from '../policy/policy.ts';
import type { QueryFacts } from '../query/facts.ts';
import { type ParkingDeps, parkQuery } from './approvals.ts';
import { recordBreakGlassUse } from './break-glass.ts';
import { recordableReason } from './reason.ts';

/** Analyses SQL text into column facts and guarded constructs (query/sql-analysis.ts, injected). */
export type SqlAnalyzer = (sql: string, defaultProject: string) => SqlFacts;

export interface ExecuteSqlDeps {
  approvals: ParkingDeps;
  audit: AuditAppender;
  metadata: WarehouseMetadata;
  runner: QueryRunner;
  policy: Policy;
  catalog: TableCatalog;
  analyzeSql: SqlAnalyzer;
  clock: Clock;
}

export interface ExecuteSqlCall {
  requestId: string;
  principal: Principal;
  projectId: string;
  query: string;
  params?: QueryParameter[];
  dryRun?: boolean;
  /** Why the caller needs this data (required by some rules, always for break-glass). */
  reason?: string;
  /** The earlier request whose answer asked the client for the reason (MCP input_required), when it did. */
  reasonAskedIn?: string;
  /** HIPAA emergency access (45 CFR 164.312(a)(2)(ii)): allowed by break_glass rules, flagged for review. */
  breakGlass?: boolean;
  /** execute_sql_readonly: decided as execute_sql, and refused unless the dry run says it is a SELECT. */
  readOnly?: boolean;
}

/** What became of the call. */
export type ExecuteSqlOutcome =
  | { kind: 'rows'; decision: Decision; facts: QueryFacts; result: QueryResult }
  | { kind: 'dry_run'; decision: Decision; facts: QueryFacts }
  | { kind: 'approval_required'; decision: Decision; facts: QueryFacts }
  | { kind: 'parked'; decision: Decision; facts: QueryFacts; request: ApprovalRequest }
  | { kind: 'denied'; decision: Decision; facts: QueryFacts };

/**
 * Dry-runs the query (a query that cannot be dry-run is refused), analyses and classifies it, decides,
 * records the decision durably, and only then runs a runnable query through the executor.
 */
export async function executeSql(deps: ExecuteSqlDeps, given: ExecuteSqlCall): Promise<ExecuteSqlOutcome> {
  // The reason as decided on and recorded: what a reader sees, identifiers masked (untrusted text).
  const reason = given.reason === undefined ? '' : recordableReason(given.reason);
  const { reason: _given, ...rest } = given;
  const call: ExecuteSqlCall = { ...rest, ...(reason ? { reason } : {}) };
  const dryRun = refuseOnFailure(deps, call, 'dry-run-failed', () =>
    deps.metadata.dryRun({
      requestId: call.requestId,
      projectId: call.projectId,
      sql: call.query,
      ...(call.params ? { params: call.params } : {}),
    }),
  );
  dryRun.catch(() => {}); // awaited below; this only keeps a rejection during the analysis from being "unhandled"
  // The SQL analysis (CPU) runs while the dry run (a BigQuery round trip) is in flight.
  const sql = deps.analyzeSql(call.query, call.projectId);
  const facts = await dryRun;
  const classification = await refuseOnFailure(
    deps,
    call,
    'classification-failed',
    () => deps.catalog.classify(facts.referencedTables),
    facts,
  );
  const decision = evaluatePolicy(deps.policy, {
    principal: call.principal,
    tool: 'execute_sql',
    projectId: call.projectId,
    ...(call.readOnly ? { readOnly: true } : {}),
    query: facts,
    sql,
    classification,
    now: deps.clock.now(),
    request: {
      ...(call.reason ? { reason: call.reason } : {}),
      ...(call.breakGlass ? { breakGlass: true } : {}),
    },
  });
  await recordDecision(deps, call, {
    query: auditQuery(call.query, facts),
    decision: auditDecision(decision),
    dryRun: call.dryRun === true,
    ...(call.reason ? { reason: call.reason } : {}),
    ...(call.reasonAskedIn ? { reasonAskedIn: call.reasonAskedIn } : {}),
    // Emergency access is allowed but flagged for after-the-fact review (45 CFR 164.312(a)(2)(ii)).
    ...(decision.effect === 'break_glass' ? { breakGlass: true, reviewRequired: true } : {}),
  });
  if (decision.effect === 'deny') return { kind: 'denied', decision, facts };
  if (decision.effect === 'require_approval') {
    if (call.dryRun) return { kind: 'approval_required', decision, facts };
    const request = await parkQuery(
      deps.approvals,
      {
        requestId: call.requestId,
        principal: call.principal,
        projectId: call.projectId,
        sql: call.query,
        ...(call.params ? { params: call.params } : {}),
        ...(call.reason ? { reason: call.reason } : {}),
      },
      facts,
      decision,
    );
    return { kind: 'parked', decision, facts, request };
  }
  if (call.dryRun || !isRunnable(decision)) return { kind: 'dry_run', decision, facts };
  // Stored for its after-the-fact review before it runs (fail closed: a use nobody could review does not run).
  if (decision.effect === 'break_glass') await recordBreakGlassUse(deps.approvals, call, decision);
  const result = await deps.runner.run({
    requestId: call.requestId,
    principal: call.principal,
    projectId: call.projectId,
    sql: call.query,
    ...(call.params ? { params: call.params } : {}),
    decision,
    facts,
  });
  return { kind: 'rows', decision, facts, result };
}

/** Runs `fn`; if it fails, records a deny decision naming `rule` (fail closed if even that fails) and rethrows. */
async function refuseOnFailure<T>(
  deps: ExecuteSqlDeps,
  call: ExecuteSqlCall,
  rule: string,
  fn: () => Promise<T>,
  facts?: QueryFacts,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    await recordDecision(deps, call, {
      query: auditQuery(call.query, facts),
      decision: { effect: 'deny', rule },
      error:
        err instanceof WardenError
          ? { kind: err.kind, message: err.message }
          : { kind: 'internal', message: rule },
    });
    if (err instanceof WardenError) throw err;
    throw new WardenError('unavailable', 'The query could not be checked.', { cause: err });
  }
}

/** Appends the `policy.decision` record of an execute_sql call; resolves once it is durable. */
function recordDecision(
  deps: ExecuteSqlDeps,
  call: ExecuteSqlCall,
  fields: DecisionFields,
): Promise<unknown> {
  return deps.audit.append(
    policyDecisionEvent({
      requestId: call.requestId,
      tool: 'execute_sql',
      principal: auditPrincipal(call.principal),
      projectId: call.projectId,
      ...fields,
    }),
  );
}

/** What an execute_sql decision record adds to the caller and the call. */
type DecisionFields = Pick<
  EventOf<'policy.decision'>,
  'query' | 'dryRun' | 'reason' | 'reasonAskedIn' | 'breakGlass' | 'reviewRequired' | 'error'
> &
  Required<Pick<EventOf<'policy.decision'>, 'decision'>>;
