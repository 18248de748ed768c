// The policy module's public face: the document (document.ts) and evaluation. Classification is its own module
// (../classification/), read by policy and masking alike.

export type { ApprovalRequirement, Construct, Effect, Policy, PolicyRule } from './document.ts';
export { CONSTRUCTS, loadPolicy } from './document.ts';
export type { Decision, PolicyContext, SqlFacts } from './evaluate.ts';
export { DEFAULT_DENY, evaluatePolicy, isRunnable, resolvePrincipal, toolsVisibleTo } from './evaluate.ts';
