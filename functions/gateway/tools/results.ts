// The results tools answer: structured content, error results, policy denials and the shapes of parked
// requests, results and queries, conforming to the tools' output schemas (shared/mcp/tools.ts).

import type { CallToolResult } from '@modelcontextprotocol/server';
import { waitingFor } from '../../../shared/core/approval/approval.ts';
import type { ExecuteSqlOutcome } from '../../../shared/core/gateway/execute-sql.ts';
import type { MetadataOutcome } from '../../../shared/core/gateway/metadata-tools.ts';
import type { Decision } from '../../../shared/core/policy/policy.ts';
import { formatTableRef } from '../../../shared/core/query/facts.ts';
import type {
  DeniedOutput,
  ExecuteSqlOutput,
  QueryResultOutput,
  QueryStatusOutput,
} from '../../../shared/mcp/tools.ts';
import type { ApprovalRequest, StoredResult } from '../../../shared/ports/approval-store.ts';

/** An error the agent can read and act on; no structuredContent (the SDK client validates none then). */
export function toolError(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}

/**
 * Arguments that fail the tool's input schema: a tool execution error naming each argument path and its
 * constraint (MCP 2025-11-25, SEP-1303), so the model can correct its call; never the values.
 */
export function invalidArguments(message: string, requestId: string): CallToolResult {
  return toolError(`${message} (request ${requestId})`);
}

/** A policy denial: an error result for the agent, with the decision as structuredContent. */
export function denied(requestId: string, decision: Decision): CallToolResult {
  const why = decision.reasons.join(' ');
  const out: DeniedOutput = {
    status: 'denied',
    requestId,
    rule: decision.rule,
    policyVersion: decision.policyVersion,
    reasons: decision.reasons,
  };
  return {
    isError: true,
    content: [
      {
        type: 'text',
        text: `Denied by policy rule "${decision.rule}" (policy ${decision.policyVersion}): ${why} (request ${requestId})`,
      },
    ],
    structuredContent: out,
  };
}

/** Where a parked request stands, as get_query_status (and a parking execute_sql) reports it. */
export function statusOf(request: ApprovalRequest, now: Date): QueryStatusOutput {
  return {
    requestId: request.id,
    state: request.state,
    waitingFor: waitingFor(request, now),
    expiresAt: request.expiresAt.toISOString(),
    approvals: request.reviews.filter((r) => r.decision === 'approve').length,
    quorum: request.quorum,
    approverGroups: request.requiredGroups,
  };
}

export function resultResult(
  found: { request: ApprovalRequest; result: StoredResult },
  maxResults?: number,
): CallToolResult {
  const { result } = found;
  const cut = maxResults !== undefined && result.rows.length > maxResults;
  const out: QueryResultOutput = {
    requestId: found.request.id,
    jobId: result.jobId,
    schema: result.schema,
    rows: cut ? result.rows.slice(0, maxResults) : result.rows,
    truncated: result.truncated || cut,
  };
  return structured(out);
}

export function structured(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value };
}

export function metadataResult(requestId: string, outcome: MetadataOutcome): CallToolResult {
  return outcome.kind === 'denied' ? denied(requestId, outcome.decision) : structured(outcome.result);
}

export function sqlResult(requestId: string, outcome: ExecuteSqlOutcome): CallToolResult {
  if (outcome.kind === 'denied') return denied(requestId, outcome.decision);
  const facts = {
    requestId,
    statementType: outcome.facts.statementType,
    referencedTables: outcome.facts.referencedTables.map(formatTableRef),
    totalBytesProcessed: outcome.facts.totalBytesProcessed,
  };
  let out: ExecuteSqlOutput;
  switch (outcome.kind) {
    case 'dry_run':
      out = { status: 'dry_run', ...facts, dryRun: true };
      break;
    case 'approval_required': {
      // A dry run of a query that would be parked: its facts, and whose approval running it would need.
      const a = outcome.decision.approval;
      out = {
        status: 'dry_run',
        ...facts,
        dryRun: true,
        approval: { rule: outcome.decision.rule, approverGroups: a?.groups ?? [], quorum: a?.quorum ?? 1 },
      };
      break;
    }
    case 'parked':
      // The request id is this call's: the parked request is named after the call that parked it.
      out = {
        status: 'pending_approval',
        ...facts,
        ...statusOf(outcome.request, outcome.request.createdAt),
        dryRun: false,
      };
      break;
    case 'rows': {
      const { jobId, schema, rows, truncated } = outcome.result;
      // Columns copied as plain objects (ColumnSchema is an interface, the output schema an open record).
      const columns = schema.map((c) => ({ ...c }));
      out = { status: 'done', ...facts, dryRun: false, jobId, schema: columns, rows, truncated };
      break;
    }
  }
  return structured(out);
}
