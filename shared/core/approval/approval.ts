// The approval module's public face: the request document, its state machine, status text and audit events.

export type { ApprovalActor, ApprovalTransition } from './audit.ts';
export { approvalAuditEvent, approvalRefusalEvent, approvalTransition } from './audit.ts';
export type {
  ApprovalCancellation,
  ApprovalExecution,
  ApprovalExecutionError,
  ApprovalIdentity,
  ApprovalParty,
  ApprovalRequest,
  ApprovalRequester,
  ApprovalReview,
  ApprovalState,
  NewApprovalRequest,
} from './request.ts';
export {
  approvalBindingSha256,
  bindingStatement,
  createApprovalRequest,
  isBindingIntact,
  MAX_REASON_LENGTH,
  requesterPrincipal,
} from './request.ts';
export type {
  ApprovalEvent,
  CancelEvent,
  ClaimEvent,
  ExpireEvent,
  FailEvent,
  ReviewEvent,
  SucceedEvent,
} from './state-machine.ts';
export {
  approvalCount,
  isExpired,
  nextApprovalState,
  sameIdentity,
  samePerson,
  withExpiry,
} from './state-machine.ts';
export { displayName, formatDuration, waitingFor } from './waiting-for.ts';
