// The policy document (YAML, validated with zod) and its evaluation: deny by default (45 CFR 164.312(a)(1)).

import { createHash } from 'node:crypto';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { WardenError } from '../errors.ts';
import { globMatch } from '../glob.ts';
import { type GroupMapping, type Principal, withMappedGroups } from '../identity/principal.ts';
import type { QueryFacts, TableRef } from '../query/facts.ts';

const stringList = z.array(z.string().min(1)).min(1);

const Rule = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes'),
    description: z.string().optional(),
    effect: z.enum(['allow', 'deny']),
    when: z
      .object({
        groups: stringList.optional(),
        emails: stringList.optional(),
        issuers: stringList.optional(),
        tools: stringList.optional(),
        statementTypes: stringList.optional(),
        /** Patterns over `project.dataset.table`; `*` matches one name part. Every referenced table must match one. */
        tables: stringList.optional(),
        maxBytesProcessed: z.number().int().positive().optional(),
        /** Conditions on the person a service acts for; the rule then requires such a person. */
        onBehalfOf: z
          .object({ groups: stringList.optional(), emails: stringList.optional() })
          .strict()
          .optional(),
      })
      .strict()
      .default({}),
    rowLimit: z.number().int().positive().optional(),
    maximumBytesBilled: z.number().int().positive().optional(),
  })
  .strict();

const PolicyDocument = z
  .object({
    version: z.literal(1),
    defaults: z
      .object({
        rowLimit: z.number().int().positive().default(1000),
        maximumBytesBilled: z.number().int().positive().optional(),
      })
      .strict()
      .default({ rowLimit: 1000 }),
    /** Static group memberships, for issuers whose tokens carry no groups (Google ID tokens). */
    groupMappings: z.array(z.object({ group: z.string().min(1), members: stringList }).strict()).default([]),
    rules: z.array(Rule),
  })
  .strict()
  .superRefine((doc, ctx) => {
    const seen = new Set<string>();
    for (const [i, r] of doc.rules.entries()) {
      if (seen.has(r.id))
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate rule id "${r.id}"` });
      seen.add(r.id);
    }
  });

export type PolicyRule = z.infer<typeof Rule>;

/** A loaded policy: the validated document and its version (SHA-256 of the exact bytes). */
export interface Policy {
  version: string;
  rowLimit: number;
  maximumBytesBilled?: number;
  groupMappings: GroupMapping[];
  rules: PolicyRule[];
}

/** What a decision is about. */
export interface PolicyContext {
  principal: Principal;
  tool: string;
  /** Facts from a dry run, for `execute_sql`. */
  query?: QueryFacts;
  /** Tables a metadata tool touches. */
  tables?: TableRef[];
}

/** The outcome, naming the rule that decided and the policy version. */
export interface Decision {
  effect: 'allow' | 'deny';
  rule: string;
  policyVersion: string;
  rowLimit: number;
  maximumBytesBilled?: number;
}

/** The rule id reported when nothing matched. */
export const DEFAULT_DENY = 'default-deny';

/**
 * Parses and validates a policy; throws `invalid_argument` naming the field path and line of every problem.
 * The policy version is the SHA-256 of `text`, so any edit changes it.
 */
export function loadPolicy(text: string, source = 'policy'): Policy {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new WardenError(
      'invalid_argument',
      `${source}: YAML error: ${doc.errors.map((e) => e.message).join('; ')}`,
    );
  }
  const parsed = PolicyDocument.safeParse(doc.toJS());
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const path = issue.path.join('.');
      const node = doc.getIn(issue.path, true) as { range?: [number, number, number] } | undefined;
      const line = node?.range ? ` (line ${lineOf(text, node.range[0])})` : '';
      return `${path || '(root)'}${line}: ${issue.message}`;
    });
    throw new WardenError('invalid_argument', `${source} is not valid:\n  ${lines.join('\n  ')}`);
  }
  const { defaults, rules, groupMappings } = parsed.data;
  return {
    version: `sha256:${createHash('sha256').update(text).digest('hex')}`,
    rowLimit: defaults.rowLimit,
    groupMappings,
    ...(defaults.maximumBytesBilled ? { maximumBytesBilled: defaults.maximumBytesBilled } : {}),
    rules,
  };
}

/**
 * Decides a request. Order: if any matching rule denies, the first such deny decides; otherwise the first
 * matching allow decides; otherwise the request is denied by `default-deny`.
 */
export function evaluatePolicy(policy: Policy, ctx: PolicyContext): Decision {
  const matching = policy.rules.filter((r) => ruleMatches(r, ctx));
  const rule = matching.find((r) => r.effect === 'deny') ?? matching.find((r) => r.effect === 'allow');
  const base = {
    policyVersion: policy.version,
    rowLimit: policy.rowLimit,
    ...(policy.maximumBytesBilled ? { maximumBytesBilled: policy.maximumBytesBilled } : {}),
  };
  if (!rule) return { ...base, effect: 'deny', rule: DEFAULT_DENY };
  return {
    ...base,
    effect: rule.effect,
    rule: rule.id,
    ...(rule.rowLimit ? { rowLimit: rule.rowLimit } : {}),
    ...(rule.maximumBytesBilled ? { maximumBytesBilled: rule.maximumBytesBilled } : {}),
  };
}

function ruleMatches(rule: PolicyRule, ctx: PolicyContext): boolean {
  const w = rule.when;
  if (!principalMatches(w, ctx.principal)) return false;
  if (w.tools && !w.tools.includes(ctx.tool)) return false;
  if (w.statementTypes && !(ctx.query && w.statementTypes.includes(ctx.query.statementType))) return false;
  if (
    w.maxBytesProcessed !== undefined &&
    !(ctx.query && BigInt(ctx.query.totalBytesProcessed) <= BigInt(w.maxBytesProcessed))
  )
    return false;
  if (w.tables) {
    const tables = [...(ctx.query?.referencedTables ?? []), ...(ctx.tables ?? [])];
    // An allow over tables must say which tables; a request that names none does not match it.
    if (rule.effect === 'allow' && tables.length === 0) return false;
    const matchesAny = (t: TableRef) => w.tables!.some((pattern) => tableMatches(pattern, t));
    if (rule.effect === 'allow' ? !tables.every(matchesAny) : !tables.some(matchesAny)) return false;
  }
  return true;
}

function principalMatches(w: PolicyRule['when'], p: Principal): boolean {
  if (w.groups && !w.groups.some((g) => p.groups.includes(g))) return false;
  if (w.emails && !(p.email && w.emails.some((e) => globMatch(e.toLowerCase(), p.email!)))) return false;
  if (w.issuers && !w.issuers.includes(p.issuer)) return false;
  return !(w.onBehalfOf && !personMatches(w.onBehalfOf, p.onBehalfOf));
}

function personMatches(
  want: { groups?: string[]; emails?: string[] },
  person: Principal['onBehalfOf'],
): boolean {
  if (!person) return false;
  if (want.groups && !want.groups.some((g) => person.groups.includes(g))) return false;
  return !(
    want.emails && !(person.email && want.emails.some((e) => globMatch(e.toLowerCase(), person.email!)))
  );
}

/**
 * The tools some allow rule could grant this caller, ignoring conditions that depend on the request
 * (statement type, tables, bytes): what `tools/list` shows. Group mappings must already be applied.
 */
export function toolsVisibleTo(policy: Policy, principal: Principal, tools: readonly string[]): string[] {
  const allows = policy.rules.filter((r) => r.effect === 'allow' && principalMatches(r.when, principal));
  return tools.filter((t) => allows.some((r) => !r.when.tools || r.when.tools.includes(t)));
}

/** The principal as policy sees it: token groups plus the policy's static group mappings. */
export function resolvePrincipal(policy: Policy, principal: Principal): Principal {
  return policy.groupMappings.length ? withMappedGroups(principal, policy.groupMappings) : principal;
}

/** `pattern` over `project.dataset.table`; a pattern with fewer parts matches the leading parts. */
function tableMatches(pattern: string, t: TableRef): boolean {
  const want = pattern.split('.');
  const have = [t.projectId, t.datasetId, t.tableId];
  return want.length <= 3 && want.every((part, i) => globMatch(part, have[i]!));
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
