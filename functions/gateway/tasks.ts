// Approvals as MCP tasks (the `io.modelcontextprotocol/tasks` extension of MCP 2026-07-28, SEP-2663): a parked
// execute_sql answers a task handle to a client that declared the extension; tasks/get reports the parked
// request, then its masked result; tasks/cancel withdraws it. The task is the approval request itself: durable in
// Firestore before the handle is answered, bound to its requester, named by the call's random (CSPRNG, 122-bit)
// request id, with the approval's expiry as its TTL.

import { ProtocolError } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { waitingFor } from '../../shared/core/approval/approval.ts';
import { isWardenError } from '../../shared/core/errors.ts';
import {
  cancelRequest,
  fetchResultForRequester,
  requestForRequester,
} from '../../shared/core/gateway/approvals.ts';
import type { ExecuteSqlDeps } from '../../shared/core/gateway/execute-sql.ts';
import type { Principal } from '../../shared/core/identity/principal.ts';
import { formatTableRef } from '../../shared/core/query/facts.ts';
import type { ExecuteSqlOutput } from '../../shared/mcp/tools.ts';
import type { ApprovalRequest } from '../../shared/ports/approval-store.ts';

export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';
/** How often a client should poll tasks/get (a hint; approvals take minutes, not milliseconds). */
export const TASK_POLL_INTERVAL_MS = 2000;
/** MCP 2026-07-28: the client did not declare a capability the request needs. */
export const MISSING_CLIENT_CAPABILITY = -32021;

export const TaskIdParams = z.looseObject({ taskId: z.string().min(1).max(200) });

/** The status fields every Task carries (MCP tasks extension, `Task`). */
export type TaskFields = {
  taskId: string;
  status: 'working' | 'input_required' | 'completed' | 'cancelled' | 'failed';
  statusMessage?: string;
  createdAt: string;
  lastUpdatedAt: string;
  ttlMs: number | null;
  pollIntervalMs?: number;
};

/** Whether the request's per-request client capabilities (2026-07-28 `_meta` envelope) declare tasks. */
export function declaresTasks(envelope: Record<string, unknown> | undefined): boolean {
  const caps = envelope?.['io.modelcontextprotocol/clientCapabilities'] as
    | { extensions?: Record<string, unknown> }
    | undefined;
  const ext = caps?.extensions;
  return typeof ext === 'object' && ext !== null && Object.hasOwn(ext, TASKS_EXTENSION);
}

/** Refuses a task method from a client that did not declare the extension on this request (-32021). */
export function requireTasks(envelope: Record<string, unknown> | undefined): void {
  if (!declaresTasks(envelope))
    throw new ProtocolError(MISSING_CLIENT_CAPABILITY, 'Missing required client capability', {
      requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } },
    });
}

/** The task a parked request is, as tools/call answers it (resultType "task") and tasks/get reports it. */
export function taskOf(request: ApprovalRequest, now: Date): TaskFields {
  return {
    taskId: request.id,
    status: statusOf(request.state),
    statusMessage: waitingFor(request, now),
    createdAt: request.createdAt.toISOString(),
    lastUpdatedAt: request.updatedAt.toISOString(),
    ttlMs: Math.max(0, request.expiresAt.getTime() - request.createdAt.getTime()),
    pollIntervalMs: TASK_POLL_INTERVAL_MS,
  };
}

function statusOf(state: ApprovalRequest['state']): TaskFields['status'] {
  switch (state) {
    case 'PENDING':
    case 'APPROVED':
    case 'EXECUTING':
      return 'working';
    case 'CANCELLED':
      return 'cancelled';
    case 'FAILED':
      return 'failed';
    default:
      // SUCCEEDED (the rows), DENIED and EXPIRED (an isError result).
      return 'completed';
  }
}

/** A task's owner-only view: "not found" for a missing task and for someone else's alike. */
async function ownTask(deps: ExecuteSqlDeps, taskId: string, principal: Principal): Promise<ApprovalRequest> {
  try {
    return await requestForRequester(deps.approvals, taskId, principal);
  } catch (err) {
    if (isWardenError(err, 'not_found'))
      throw new ProtocolError(-32602, 'Failed to retrieve task: Task not found');
    throw err;
  }
}

/** tasks/get: the task, with the final execute_sql result once it has one. */
export async function getTask(
  deps: ExecuteSqlDeps,
  taskId: string,
  principal: Principal,
  callId: string,
): Promise<Record<string, unknown>> {
  const now = deps.clock.now();
  const request = await ownTask(deps, taskId, principal);
  const task = taskOf(request, now);
  switch (request.state) {
    case 'SUCCEEDED':
      return { ...task, result: await completedResult(deps, request, principal, callId) };
    case 'DENIED':
    case 'EXPIRED':
      return {
        ...task,
        result: {
          resultType: 'complete',
          isError: true,
          content: [{ type: 'text', text: `Request ${request.id} was not run: ${task.statusMessage}.` }],
        },
      };
    case 'FAILED':
      return {
        ...task,
        error: { code: -32603, message: `The approved query failed: ${task.statusMessage}.` },
      };
    default:
      return task;
  }
}

/** The rows of a request that ran: execute_sql's `done` output. Fetching them is recorded as an access. */
async function completedResult(
  deps: ExecuteSqlDeps,
  request: ApprovalRequest,
  principal: Principal,
  callId: string,
): Promise<Record<string, unknown>> {
  let found: Awaited<ReturnType<typeof fetchResultForRequester>>;
  try {
    found = await fetchResultForRequester(deps.approvals, request.id, principal, callId);
  } catch (err) {
    if (!isWardenError(err, 'not_found', 'failed_precondition')) throw err;
    return {
      resultType: 'complete',
      isError: true,
      content: [{ type: 'text', text: `${err.message} (request ${callId})` }],
    };
  }
  const { result } = found;
  const out: ExecuteSqlOutput = {
    status: 'done',
    requestId: request.id,
    statementType: request.statementType,
    referencedTables: request.referencedTables.map(formatTableRef),
    totalBytesProcessed: request.totalBytesProcessed,
    dryRun: false,
    jobId: result.jobId,
    schema: result.schema.map((c) => ({ ...c })),
    rows: result.rows,
    truncated: result.truncated,
  };
  return {
    resultType: 'complete',
    content: [{ type: 'text', text: JSON.stringify(out) }],
    structuredContent: out,
  };
}

/** tasks/cancel: the requester withdraws a parked request; the cancelled task. */
export async function cancelTask(
  deps: ExecuteSqlDeps,
  taskId: string,
  principal: Principal,
): Promise<Record<string, unknown>> {
  const request = await ownTask(deps, taskId, principal);
  try {
    const cancelled = await cancelRequest(
      deps.approvals,
      request.id,
      principal,
      'cancelled by the client (tasks/cancel)',
    );
    return taskOf(cancelled, deps.clock.now());
  } catch (err) {
    if (isWardenError(err, 'failed_precondition', 'conflict'))
      throw new ProtocolError(-32602, `Task ${taskId} cannot be cancelled: ${err.message}`);
    throw err;
  }
}

/** tasks/update: Warden's tasks never ask for input, so there is nothing to deliver; the owner check stands. */
export async function updateTask(
  deps: ExecuteSqlDeps,
  taskId: string,
  principal: Principal,
): Promise<Record<string, unknown>> {
  await ownTask(deps, taskId, principal);
  return {};
}
