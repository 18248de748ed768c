// The policy module's public face: the document (document.ts), classification and evaluation.

export type { TableClassification, TableMetadata } from './classification.ts';
export { classifyTable } from './classification.ts';
export type { ApprovalRequirement, Construct, Effect, Policy, PolicyRule } from './document.ts';
export { CONSTRUCTS, loadPolicy } from './document.ts';
export type { Decision, PolicyContext, SqlFacts } from './evaluate.ts';
export { DEFAULT_DENY, evaluatePolicy, isRunnable, resolvePrincipal, toolsVisibleTo } from './evaluate.ts';
