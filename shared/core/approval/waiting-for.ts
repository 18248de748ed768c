// Human text saying what an approval request is waiting for, e.g. "1 more approval from data-stewards, expires in 2 h".

import type { ApprovalIdentity, ApprovalRequest } from './request.ts';
import { approvalCount, isExpired } from './state-machine.ts';

/**
 * What the request waits for at `now`, for people: approvals still needed and from whom, with the time
 * left; or how it ended. A PENDING request past its expiry reads as expired.
 */
export function waitingFor(request: ApprovalRequest, now: Date): string {
  const left = request.expiresAt.getTime() - now.getTime();
  const approvals = approvalCount(request);
  switch (request.state) {
    case 'PENDING': {
      if (isExpired(request, now)) return expiredText(request);
      const missing = Math.max(1, request.quorum - approvals);
      return `${missing} more ${missing === 1 ? 'approval' : 'approvals'} from ${oneOf(request.requiredGroups)}, expires in ${formatDuration(left)}`;
    }
    case 'EXPIRED':
      return expiredText(request);
    case 'APPROVED':
      return isExpired(request, now)
        ? 'approved, but the execution window has closed'
        : `approved, waiting for execution, expires in ${formatDuration(left)}`;
    case 'DENIED': {
      const denial = request.reviews.find((r) => r.decision === 'deny');
      return denial ? `denied by ${displayName(denial.approver)}: ${denial.reason}` : 'denied';
    }
    case 'CANCELLED': {
      const reason = request.cancellation?.reason;
      return `cancelled by the requester${reason ? `: ${reason}` : ''}`;
    }
    case 'EXECUTING':
      return 'approved, executing';
    case 'SUCCEEDED': {
      const rows = request.execution.rows ?? 0;
      return `executed: ${rows} ${rows === 1 ? 'row' : 'rows'}${request.execution.jobId ? ` (job ${request.execution.jobId})` : ''}`;
    }
    case 'FAILED':
      return `execution failed${request.execution.error ? `: ${request.execution.error.message}` : ''}`;
    default:
      return String(request.state).toLowerCase();
  }
}

/**
 * A positive duration in milliseconds for people: "45 s", "12 min", "2 h", "2 h 30 min", "1 d 4 h"
 * (rounded down to the unit shown; under a second reads "1 s").
 */
export function formatDuration(ms: number): string {
  const seconds = Math.max(1, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** An identity for people: its email, else its subject. */
export function displayName(who: ApprovalIdentity): string {
  return who.email || who.subject;
}

function expiredText(request: ApprovalRequest): string {
  const approvals = approvalCount(request);
  return approvals > 0
    ? `expired with ${approvals} of ${request.quorum} approvals`
    : 'expired without a decision';
}

function oneOf(groups: readonly string[]): string {
  if (groups.length <= 1) return groups[0] ?? 'no group';
  return `${groups.slice(0, -1).join(', ')} or ${groups.at(-1)}`;
}
