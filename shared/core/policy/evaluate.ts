// Policy evaluation: deny by default, PHI-aware, with a query guard. Every decision names its rule, gives
// reasons an agent can act on, and carries the policy version.

import type { TableClassification } from '../classification/classify.ts';
import { globMatch } from '../glob.ts';
import { visibleText } from '../identity/normalize.ts';
import { type Principal, withMappedGroups } from '../identity/principal.ts';
import { releasesAsStored, resolveMaskingProfile } from '../masking/mask.ts';
import { formatTableRef, type QueryFacts, type TableRef } from '../query/facts.ts';
import type { ApprovalRequirement, Construct, Effect, Policy, PolicyRule } from './document.ts';

/** Column-level facts and guarded constructs from the SQL text (see query/sql-analysis.ts). */
export interface SqlFacts {
  parsed: boolean;
  columns: { table?: TableRef; column: string }[];
  /** Columns read where they decide rows, groups or order (WHERE, ON, GROUP BY, ORDER BY, windows, …). */
  predicateColumns?: { table?: TableRef; column: string }[];
  /** Columns compared as equi-join keys. */
  joinKeyColumns?: { table?: TableRef; column: string }[];
  constructs: Construct[];
  /** Projects named in the text (they must be in the policy's allow-list too). */
  projects: string[];
}

/** What a decision is about. */
export interface PolicyContext {
  principal: Principal;
  tool: string;
  /** The project the job runs (and bills, and stores its result) in: governed like the tables' projects. */
  projectId?: string;
  /** The caller asked for a read-only query (execute_sql_readonly): anything but a SELECT is refused. */
  readOnly?: boolean;
  /** Facts from a dry run, for `execute_sql`. */
  query?: QueryFacts;
  /** Tables a metadata tool touches. */
  tables?: TableRef[];
  sql?: SqlFacts;
  /** Classification of the tables involved (missing = not PHI as far as metadata knows). */
  classification?: TableClassification[];
  now?: Date;
  request?: { reason?: string; breakGlass?: boolean };
}

/** The outcome. */
export interface Decision {
  effect: Effect;
  rule: string;
  reasons: string[];
  policyVersion: string;
  /** Released values per call: rows plus array elements, nested repeated fields included. */
  rowLimit: number;
  /** Released cells per call. */
  cellLimit: number;
  /** Released bytes per call (the rows as JSON). */
  byteLimit: number;
  maximumBytesBilled: number;
  maskingProfile: string;
  approval?: ApprovalRequirement;
  touchesPhi: boolean;
  phiClasses: string[];
  /**
   * `partial`: the SQL could not be fully analysed, so every PHI column of the tables it reads counted as read
   * (the approver and the audit trail see it).
   */
  analysis?: 'partial';
  /** The BigQuery identity the executor runs the query under (the rule's `credential`); absent: its primary. */
  credential?: string;
  /**
   * A denial only because the rule needs a reason the request lacked (or gave too short): the same request with a
   * reason of at least `minLength` visible characters is decided again (the gateway may ask the client for one).
   */
  missingReason?: { minLength: number };
}

/** The rule id reported when nothing matched. */
export const DEFAULT_DENY = 'default-deny';

const DML = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'TRUNCATE_TABLE']);

/** True when the decision lets the query run now (break-glass runs, flagged for review). */
export function isRunnable(d: Decision): boolean {
  return d.effect === 'allow' || d.effect === 'break_glass';
}

/**
 * Decides a request. Order (docs/policy.md): the project allow-list; then the first matching `deny`; then,
 * when the caller asks for emergency access, the first matching `break_glass`; then the first matching
 * `require_approval`; then the first matching `allow`; otherwise `default-deny`. A non-deny outcome must
 * also pass the query guard: constructs the deciding rule does not permit, and unparseable SQL touching PHI,
 * are refused.
 */
export function evaluatePolicy(policy: Policy, ctx: PolicyContext): Decision {
  const facts = phiFacts(ctx);
  const base = {
    policyVersion: policy.version,
    rowLimit: policy.rowLimit,
    cellLimit: policy.cellLimit,
    byteLimit: policy.byteLimit,
    maximumBytesBilled: policy.maximumBytesBilled,
    maskingProfile: policy.maskingProfile,
    touchesPhi: facts.touchesPhi,
    phiClasses: facts.classes,
    ...(facts.partial ? { analysis: 'partial' as const } : {}),
  };
  const deny = (rule: string, reason: string): Decision => ({
    ...base,
    effect: 'deny',
    rule,
    reasons: [reason],
  });

  const outside = projectsOutside(policy, ctx);
  if (outside.length)
    return deny('guard:project', `Project ${outside.join(', ')} is not in the policy's project allow-list.`);
  if (ctx.readOnly && ctx.query?.statementType !== 'SELECT')
    return deny(
      'guard:read-only',
      `execute_sql_readonly runs a single SELECT; the dry run says ${ctx.query?.statementType ?? 'nothing'}.`,
    );

  const matching = candidateRules(policy, ctx.principal).filter((r) => ruleMatches(r, ctx, facts));
  const firstDeny = matching.find((r) => r.effect === 'deny');
  if (firstDeny) return deny(firstDeny.id, firstDeny.description ?? `Denied by rule ${firstDeny.id}.`);
  const rule =
    (ctx.request?.breakGlass ? matching.find((r) => r.effect === 'break_glass') : undefined) ??
    matching.find((r) => r.effect === 'require_approval') ??
    matching.find((r) => r.effect === 'allow');
  if (!rule) {
    const why = ctx.request?.breakGlass
      ? 'No break-glass rule covers this request.'
      : 'No rule allows this request (deny by default).';
    return deny(DEFAULT_DENY, why);
  }

  const needsReason =
    rule.effect === 'break_glass' || rule.reasonRequired === true || rule.approval?.reasonRequired === true;
  if (needsReason && visibleText(ctx.request?.reason ?? '').length < policy.minReasonLength)
    return {
      ...deny(
        rule.id,
        `Rule ${rule.id} requires a reason of at least ${policy.minReasonLength} visible characters: pass one with the request.`,
      ),
      missingReason: { minLength: policy.minReasonLength },
    };

  const refused = (ctx.sql?.constructs ?? [])
    .concat(statementConstructs(ctx.query))
    .filter((c) => !rule.when.constructs?.includes(c));
  if (refused.length)
    return deny(
      `guard:${refused[0]}`,
      `The query uses ${[...new Set(refused)].join(', ')}, which rule ${rule.id} does not permit.`,
    );

  const decided: Decision = {
    ...base,
    effect: rule.effect,
    rule: rule.id,
    reasons: [rule.description ?? `Rule ${rule.id}.`],
    ...(rule.rowLimit ? { rowLimit: rule.rowLimit } : {}),
    ...(rule.cellLimit ? { cellLimit: rule.cellLimit } : {}),
    ...(rule.byteLimit ? { byteLimit: rule.byteLimit } : {}),
    maximumBytesBilled: Math.min(
      rule.maximumBytesBilled ?? policy.maximumBytesBilled,
      policy.maximumBytesBilled,
    ),
    ...(rule.maskingProfile ? { maskingProfile: rule.maskingProfile } : {}),
    ...(rule.credential ? { credential: rule.credential } : {}),
    ...(rule.approval
      ? {
          approval: {
            groups: rule.approval.groups,
            quorum: rule.approval.quorum,
            ttlSeconds: rule.approval.ttl,
            reasonRequired: rule.approval.reasonRequired,
          },
        }
      : {}),
  };
  if (facts.partial) {
    // Column facts are unknown, so masking, lineage and column rules cannot be trusted: fail closed. Only a
    // policy that says so lets a human approve such a query, and the approver is told it was not analysed.
    if (policy.unparseablePhi === 'deny' || !policy.unparseableApproval)
      return deny('guard:unparseable', 'The query touches PHI and its SQL could not be fully analysed.');
    const why = 'The query touches PHI and its SQL could not be fully analysed: a human must approve it.';
    if (decided.effect === 'require_approval') return { ...decided, reasons: [...decided.reasons, why] };
    return {
      ...decided,
      effect: 'require_approval',
      rule: 'guard:unparseable',
      reasons: [why],
      approval: policy.unparseableApproval,
    };
  }
  const oracle = maskedPredicates(policy, ctx, decided.maskingProfile, rule.joinKeys);
  if (oracle.length > 0)
    return deny(
      'guard:predicate',
      `The query filters, joins, groups or sorts on ${oracle.join(', ')}, which masking profile ` +
        `${decided.maskingProfile} does not release as stored; a predicate on a masked column reveals it.`,
    );
  return decided;
}

/**
 * PHI columns (`table.column`) the query reads in predicate position that `profileName` does not release as
 * stored, other than equi-join keys the rule names. Unknown profiles mask everything (fail closed).
 */
function maskedPredicates(
  policy: Policy,
  ctx: PolicyContext,
  profileName: string,
  joinKeys: readonly string[] | undefined,
): string[] {
  const sql = ctx.sql;
  if (!sql?.parsed) return [];
  const reads = [
    ...(sql.predicateColumns ?? []).map((c) => ({ ...c, key: false })),
    ...(sql.joinKeyColumns ?? []).map((c) => ({ ...c, key: true })),
  ];
  if (reads.length === 0) return [];
  const byTable = new Map((ctx.classification ?? []).map((c) => [formatTableRef(c.table), c]));
  const tables = ctx.query?.referencedTables ?? [];
  let profile: ReturnType<typeof resolveMaskingProfile> | undefined;
  try {
    profile = resolveMaskingProfile(profileName, policy.maskingProfiles);
  } catch {
    profile = undefined;
  }
  const out = new Set<string>();
  for (const read of reads) {
    for (const t of read.table ? [read.table] : tables) {
      const cls = byTable.get(formatTableRef(t));
      if (!cls?.phi) continue;
      // The column itself, its nested fields, or (for `*` and whole rows) every PHI column.
      for (const [path, phiClass] of Object.entries(cls.phiColumns)) {
        const p = path.toLowerCase();
        if (read.column !== '*' && p !== read.column && !p.startsWith(`${read.column}.`)) continue;
        const full = `${formatTableRef(t)}.${p}`;
        if (read.key && joinKeys?.some((k) => globMatch(k, full))) continue;
        if (profile === undefined || !releasesAsStored(profile, t, p, phiClass)) out.add(full);
      }
    }
  }
  return [...out].sort();
}

interface PhiFacts {
  touchesPhi: boolean;
  classes: string[];
  /** Fully qualified columns read (`p.d.t.col`, `p.d.t.*`). */
  columns: string[];
  /** The SQL could not be fully analysed and the query touches PHI: every PHI column counts as read. */
  partial: boolean;
}

function phiFacts(ctx: PolicyContext): PhiFacts {
  const byTable = new Map((ctx.classification ?? []).map((c) => [formatTableRef(c.table), c]));
  const tables = [...(ctx.query?.referencedTables ?? []), ...(ctx.tables ?? [])];
  const touchesPhi = tables.some(
    (t) =>
      byTable.get(formatTableRef(t))?.phi === true ||
      (t.tableId === '*' && [...byTable.values()].some((c) => c.phi && c.table.datasetId === t.datasetId)),
  );
  const classes = new Set<string>();
  const columns: string[] = [];
  // Unparsed is not unknown: what cannot be analysed reads every PHI column of the tables the dry run names,
  // so rules on PHI classes (a deny on SSNs) still fire.
  const partial = ctx.sql !== undefined && !ctx.sql.parsed && touchesPhi;
  const reads = partial
    ? [...(ctx.sql?.columns ?? []), ...tables.map((t) => ({ table: t, column: '*' }))]
    : (ctx.sql?.columns ?? []);
  for (const ref of reads) {
    const candidates = ref.table ? [ref.table] : tables;
    for (const t of candidates) {
      const name = formatTableRef(t);
      const cls = byTable.get(name);
      if (ref.column === '*') {
        columns.push(`${name}.*`);
        for (const c of Object.values(cls?.phiColumns ?? {})) classes.add(c);
      } else {
        if (ref.table) columns.push(`${name}.${ref.column}`);
        const c = cls?.phiColumns[ref.column];
        if (c) classes.add(c);
      }
    }
    if (!ref.table && ref.column !== '*') columns.push(`?.${ref.column}`);
  }
  return { touchesPhi, classes: [...classes].sort(), columns, partial };
}

/**
 * Rules indexed by the groups they require: a rule whose `when.groups` the principal has none of cannot
 * match, so a large policy is scanned only for the caller's groups. Built once per loaded policy.
 */
interface GroupIndex {
  /** Rule positions per group named in some rule's `when.groups`. */
  byGroup: Map<string, number[]>;
  /** Positions of the rules without `when.groups`: candidates for everyone. */
  ungrouped: number[];
}

const groupIndexes = new WeakMap<Policy, GroupIndex>();

function groupIndex(policy: Policy): GroupIndex {
  let index = groupIndexes.get(policy);
  if (index) return index;
  index = { byGroup: new Map(), ungrouped: [] };
  policy.rules.forEach((rule, i) => {
    const groups = rule.when.groups;
    if (!groups) {
      index.ungrouped.push(i);
      return;
    }
    for (const g of new Set(groups)) {
      const list = index.byGroup.get(g);
      if (list) list.push(i);
      else index.byGroup.set(g, [i]);
    }
  });
  groupIndexes.set(policy, index);
  return index;
}

/** The rules that could match `principal`, in policy order (order decides, see evaluatePolicy). */
export function candidateRules(policy: Policy, principal: Principal): PolicyRule[] {
  const index = groupIndex(policy);
  const positions = new Set(index.ungrouped);
  for (const g of principal.groups) for (const i of index.byGroup.get(g) ?? []) positions.add(i);
  if (positions.size === policy.rules.length) return policy.rules;
  return [...positions].sort((a, b) => a - b).map((i) => policy.rules[i]!);
}

function ruleMatches(rule: PolicyRule, ctx: PolicyContext, facts: PhiFacts): boolean {
  const w = rule.when;
  // Cheapest, most selective checks first: most rules of a large policy fail on tool or groups.
  if (w.tools && !w.tools.includes(ctx.tool)) return false;
  if (rule.effect === 'break_glass' && !ctx.request?.breakGlass) return false;
  if (!principalMatches(w, ctx.principal)) return false;
  if (w.statementTypes && !(ctx.query && w.statementTypes.includes(ctx.query.statementType))) return false;
  if (
    w.maxBytesProcessed !== undefined &&
    !(ctx.query && BigInt(ctx.query.totalBytesProcessed) <= BigInt(w.maxBytesProcessed))
  )
    return false;
  if (w.phi !== undefined && w.phi !== facts.touchesPhi) return false;
  if (w.phiClasses && !w.phiClasses.some((c) => facts.classes.includes(c))) return false;
  if (w.timeWindow && !inWindow(w.timeWindow, ctx.now ?? new Date())) return false;
  const restrictive = rule.effect !== 'deny';
  if (w.tables) {
    const tables = [...(ctx.query?.referencedTables ?? []), ...(ctx.tables ?? [])];
    // A rule that grants over tables must say which: a request that names none does not match it.
    if (restrictive && tables.length === 0) return false;
    const hit = (t: TableRef) => w.tables!.some((p) => tableMatches(p, t));
    if (restrictive ? !tables.every(hit) : !tables.some(hit)) return false;
  }
  if (w.columns) {
    // Without column facts a column-scoped grant cannot be checked: it does not match (fail closed).
    if (restrictive && (!ctx.sql?.parsed || facts.columns.length === 0)) return false;
    const hit = (c: string) => w.columns!.some((p) => globMatch(p, c));
    if (restrictive ? !facts.columns.every(hit) : !facts.columns.some(hit)) return false;
  }
  return true;
}

function principalMatches(w: PolicyRule['when'], p: Principal): boolean {
  if (w.subjects && !w.subjects.some((s) => globMatch(s, p.subject))) return false;
  if (!personMatches(w, p)) return false;
  if (w.issuers && !w.issuers.includes(p.issuer)) return false;
  return !(w.onBehalfOf && !(p.onBehalfOf && personMatches(w.onBehalfOf, p.onBehalfOf)));
}

function personMatches(
  want: { groups?: string[]; emails?: string[]; domains?: string[] },
  p: { email?: string; groups: string[] },
): boolean {
  if (want.groups && !want.groups.some((g) => p.groups.includes(g))) return false;
  if (want.emails && !(p.email && want.emails.some((e) => globMatch(e.toLowerCase(), p.email!))))
    return false;
  return !(want.domains && !(p.email && want.domains.some((d) => p.email!.endsWith(`@${d.toLowerCase()}`))));
}

function projectsOutside(policy: Policy, ctx: PolicyContext): string[] {
  if (!policy.projects) return [];
  const named = [...(ctx.query?.referencedTables ?? []), ...(ctx.tables ?? [])]
    .map((t) => t.projectId)
    .concat(ctx.sql?.projects ?? [], ctx.projectId !== undefined ? [ctx.projectId] : []);
  return [...new Set(named)].filter((p) => !policy.projects!.some((allowed) => globMatch(allowed, p)));
}

function statementConstructs(query: QueryFacts | undefined): Construct[] {
  if (!query) return [];
  const t = query.statementType;
  if (t === 'SCRIPT') return ['multi_statement'];
  if (DML.has(t)) return ['dml'];
  if (/^(CREATE|DROP|ALTER)_/.test(t)) return ['ddl'];
  if (t === 'EXPORT_DATA') return ['export_data'];
  return [];
}

/** `pattern` over `project.dataset.table`; a pattern with fewer parts matches the leading parts. */
function tableMatches(pattern: string, t: TableRef): boolean {
  const want = pattern.split('.');
  const have = [t.projectId, t.datasetId, t.tableId];
  return want.length <= 3 && want.every((part, i) => globMatch(part, have[i]!));
}

function inWindow(w: NonNullable<PolicyRule['when']['timeWindow']>, now: Date): boolean {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: w.timezone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = get('weekday').toLowerCase().slice(0, 3);
  const hhmm = `${get('hour')}:${get('minute')}`;
  if (w.days && !w.days.includes(day as (typeof w.days)[number])) return false;
  return w.from <= w.to ? hhmm >= w.from && hhmm < w.to : hhmm >= w.from || hhmm < w.to;
}

/**
 * The tools some granting rule could give this caller, ignoring conditions that depend on the request:
 * what `tools/list` shows. Group mappings must already be applied.
 */
export function toolsVisibleTo(policy: Policy, principal: Principal, tools: readonly string[]): string[] {
  const grants = policy.rules.filter((r) => r.effect !== 'deny' && principalMatches(r.when, principal));
  return tools.filter((t) => grants.some((r) => !r.when.tools || r.when.tools.includes(t)));
}

/** The principal as policy sees it: token groups plus the policy's static group mappings. */
export function resolvePrincipal(policy: Policy, principal: Principal): Principal {
  return policy.groupMappings.length ? withMappedGroups(principal, policy.groupMappings) : principal;
}
