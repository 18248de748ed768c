// The gateway's execute_sql: dry run, policy decision (audited), then the executor for allowed queries.

import type { AuditAppender } from '../../ports/audit-appender.ts';
import type { QueryRunner } from '../../ports/query-runner.ts';
import type { QueryParameter, QueryResult, WarehouseMetadata } from '../../ports/warehouse.ts';
import type { Json } from '../audit/canonical-json.ts';
import { auditDecision, auditPrincipal, auditQuery } from '../audit/events.ts';
import { WardenError } from '../errors.ts';
import type { Principal } from '../identity/principal.ts';
import { type Decision, evaluatePolicy, type Policy } from '../policy/policy.ts';
import type { QueryFacts } from '../query/facts.ts';

export interface ExecuteSqlDeps {
  audit: AuditAppender;
  metadata: WarehouseMetadata;
  runner: QueryRunner;
  policy: Policy;
}

export interface ExecuteSqlCall {
  requestId: string;
  principal: Principal;
  projectId: string;
  query: string;
  params?: QueryParameter[];
  dryRun?: boolean;
}

/** What became of the call: rows, a dry run's facts, or a denial naming its rule. */
export type ExecuteSqlOutcome =
  | { kind: 'rows'; decision: Decision; facts: QueryFacts; result: QueryResult }
  | { kind: 'dry_run'; decision: Decision; facts: QueryFacts }
  | { kind: 'denied'; decision: Decision; facts: QueryFacts };

/**
 * Dry-runs the query (a query that cannot be dry-run is refused), decides, records the decision durably,
 * and only then runs an allowed query through the executor.
 */
export async function executeSql(deps: ExecuteSqlDeps, call: ExecuteSqlCall): Promise<ExecuteSqlOutcome> {
  const facts = await dryRun(deps, call);
  const decision = evaluatePolicy(deps.policy, {
    principal: call.principal,
    tool: 'execute_sql',
    query: facts,
  });
  await recordDecision(deps, call, {
    query: auditQuery(call.query, facts),
    decision: auditDecision(decision),
    dryRun: call.dryRun === true,
  });
  if (decision.effect !== 'allow') return { kind: 'denied', decision, facts };
  if (call.dryRun) return { kind: 'dry_run', decision, facts };
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

async function dryRun(deps: ExecuteSqlDeps, call: ExecuteSqlCall): Promise<QueryFacts> {
  try {
    return await deps.metadata.dryRun({
      projectId: call.projectId,
      sql: call.query,
      ...(call.params ? { params: call.params } : {}),
    });
  } catch (err) {
    // The refusal is itself an access attempt: record it before answering (fail closed if we cannot).
    await recordDecision(deps, call, {
      query: auditQuery(call.query),
      decision: { effect: 'deny', rule: 'dry-run-failed' },
      error:
        err instanceof WardenError
          ? { kind: err.kind, message: err.message }
          : { kind: 'internal', message: 'dry run failed' },
    });
    if (err instanceof WardenError) throw err;
    throw new WardenError('unavailable', 'The query could not be dry-run.', { cause: err });
  }
}

/** Appends the `policy.decision` record of an execute_sql call; resolves once it is durable. */
function recordDecision(
  deps: ExecuteSqlDeps,
  call: ExecuteSqlCall,
  fields: { [k: string]: Json },
): Promise<unknown> {
  return deps.audit.append({
    type: 'policy.decision',
    requestId: call.requestId,
    tool: 'execute_sql',
    principal: auditPrincipal(call.principal),
    projectId: call.projectId,
    ...fields,
  });
}
