// `warden audit report`: one self-contained HTML file for auditors (45 CFR 164.312(b) audit controls): accesses
// per principal and per PHI table, each access with the caller's groups, PHI classes, masking profile, row limit
// and SQL (or its SHA-256), result fetches, approvals and time to decision, denials, break-glass uses and their
// review status (164.312(a)(2)(ii)), the trail's verification status, charts of activity over time, and the
// report's own SHA-256 with the signed checkpoints (or digests) it was built from. Inline CSS and SVG only: no
// script, no external asset, so the file opens anywhere and can be archived as evidence. Every time is UTC.

import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { newestCheckpoints } from '../../shared/core/audit/checkpoint.ts';
import { parseObjectName } from '../../shared/core/audit/layout.ts';
import { parseCheckpoint, parseNote } from '../../shared/core/audit/note.ts';
import {
  type AuditDecision,
  type AuditPrincipal,
  type AuditRecord,
  principalOf as eventPrincipal,
} from '../../shared/core/audit/schema.ts';
import type { TrailObject, VerifyReport } from '../../shared/core/audit/verify.ts';

// Records arrive read through the one parser (shared/core/audit/schema.ts `parse`, via trail.ts `recordsIn`), so
// events narrow on `type` and their fields are typed.

/** What the report needs from a verification (verifyTrail's report). */
export type ReportVerification = Pick<VerifyReport, 'ok' | 'records' | 'streams' | 'problems'> & {
  digests?: number;
  undigested?: string[];
};

export interface AuditReportInput {
  /** Records to report on; those outside [from, to] are left out. */
  records: AuditRecord[];
  verification: ReportVerification;
  from?: Date;
  to?: Date;
  /** When the report was made (default: now). */
  generatedAt?: Date;
  /** `hash`: each query's SQL appears only as its SHA-256 (default `text`: the SQL and its SHA-256). */
  sql?: SqlMode;
  /** The signed checkpoints (or, in a trail without them, digests) the report was built from: `reportAnchors`. */
  anchors?: ReportAnchor[];
}

export type SqlMode = 'text' | 'hash';

/**
 * A signed object of the trail the report ties itself to: per stream, the newest checkpoint read (its origin,
 * size and root); in a trail written before checkpoints, per writer, the newest digest. `sha256` is of the
 * object's bytes as stored, so a reader can find and compare it in the bucket.
 */
export interface ReportAnchor {
  kind: 'checkpoint' | 'digest';
  object: string;
  sha256: string;
  /** Checkpoints: the log's origin, tree size and base64 root hash, and the signed note itself. */
  origin?: string;
  size?: number;
  rootHash?: string;
  note?: string;
  /** Digests: when it was written. */
  time?: string;
}

export interface PrincipalFigures {
  /** Email (or subject) of the caller; `via` the calling service when it acted for a person. */
  principal: string;
  via?: string;
  /** execute_sql decisions (dry runs excluded). */
  requests: number;
  allowed: number;
  denied: number;
  approvalRequired: number;
  breakGlass: number;
  /** Decisions on queries touching PHI that were not denied. */
  phiAccesses: number;
  /** Queries the executor ran successfully for this principal, and the rows released. */
  executions: number;
  rows: number;
  /** Metadata tool decisions (list/get tools). */
  metadataCalls: number;
}

export interface TableFigures {
  table: string;
  /**
   * Whether the table holds PHI as far as the records tell: a query touching PHI referenced it and no query
   * that did not touch PHI did (a table only ever joined with PHI tables stays flagged).
   */
  phi: boolean;
  requests: number;
  phiAccesses: number;
  denied: number;
  principals: number;
}

export interface ApprovalFigures {
  requestId: string;
  requester: string;
  rule: string;
  requestedAt: string;
  outcome: 'APPROVED' | 'DENIED' | 'CANCELLED' | 'EXPIRED' | 'PENDING';
  decidedAt?: string;
  decidedBy?: string;
  reason?: string;
  /** Milliseconds from request to decision (approve or deny). */
  timeToDecisionMs?: number;
  executed?: 'SUCCEEDED' | 'FAILED';
}

export interface Denial {
  time: string;
  requestId: string;
  kind: 'policy' | 'approval' | 'authentication';
  principal: string;
  rule?: string;
  reason: string;
}

export interface BreakGlassUse {
  time: string;
  requestId: string;
  principal: string;
  rule: string;
  reason: string;
  tables: string[];
  executed: boolean;
  rows?: number;
  /**
   * `reviewed`: a `breakglass.reviewed` record for the use is in the trail (the latest is `reviewedBy`,
   * `reviewedAt`, `outcome`); `pending`: flagged for after-the-fact review (`reviewRequired`) and no review is
   * in the trail; `not-flagged`: written before the flag existed, and not reviewed.
   */
  review: 'reviewed' | 'pending' | 'not-flagged';
  /** The latest review's reviewer (email, else subject), time (UTC) and outcome; `reviews` counts them all. */
  reviewedBy?: string;
  reviewedAt?: string;
  outcome?: string;
  reviews?: number;
}

/** One execute_sql decision (dry runs excluded): who, with which groups, under which limits, which SQL. */
export interface AccessFigures {
  time: string;
  requestId: string;
  principal: string;
  via?: string;
  /** The caller's groups as the decision saw them (groupMappings included). */
  groups: string[];
  effect: string;
  rule: string;
  tables: string[];
  phiClasses: string[];
  maskingProfile?: string;
  rowLimit?: number;
  /** The SQL text (absent in `--sql hash` reports and in records without it) and its SHA-256 (hex). */
  sql?: string;
  sqlSha256?: string;
  /** The executor's outcome, when it ran: rows released. */
  rows?: number;
  executed?: 'ok' | 'error';
  /** Result fetches of this request (get_query_result and the like). */
  fetches: number;
}

/** A `result.fetch`: a parked request's result read by its requester. */
export interface ResultFetch {
  time: string;
  /** The request that fetched (its call), and the request whose result was read. */
  fetchRequestId: string;
  requestId: string;
  /** Who fetched: the principal of the fetching call's records. */
  principal: string;
  jobId?: string;
  rows?: number;
}

export interface ActivityBucket {
  start: string;
  allowed: number;
  denied: number;
  approvalRequired: number;
  breakGlass: number;
}

/** Every figure the report shows; computed from the records alone. */
export interface AuditFigures {
  from?: string;
  to?: string;
  records: number;
  requests: number;
  principals: PrincipalFigures[];
  tables: TableFigures[];
  approvals: ApprovalFigures[];
  approvalStats: {
    requested: number;
    approved: number;
    denied: number;
    cancelled: number;
    expired: number;
    pending: number;
    medianTimeToDecisionMs?: number;
    maxTimeToDecisionMs?: number;
  };
  denials: Denial[];
  breakGlass: BreakGlassUse[];
  accesses: AccessFigures[];
  fetches: ResultFetch[];
  activity: { bucket: 'hour' | 'day' | 'week'; buckets: ActivityBucket[] };
}

type Identity = { subject: string; email?: string | undefined };

/** The name an auditor knows a principal by: email, else subject. */
function nameOf(p: Identity | undefined): string {
  return p?.email ?? p?.subject ?? '(unknown)';
}

/** The person responsible: the person acted for when a service called, else the caller. */
function personOf(p: AuditPrincipal | undefined): { principal: string; via?: string } {
  return p?.onBehalfOf ? { principal: nameOf(p.onBehalfOf), via: nameOf(p) } : { principal: nameOf(p) };
}

const DECIDED = {
  'approval.approved': 'APPROVED',
  'approval.denied': 'DENIED',
  'approval.cancelled': 'CANCELLED',
  'approval.expired': 'EXPIRED',
} as const;

/** A record's time as ISO 8601 UTC ("…Z"); a time that does not parse is shown as written. */
export function utc(time: string): string {
  const t = Date.parse(time);
  return Number.isNaN(t) ? time : new Date(t).toISOString();
}

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/** Computes the report's figures from audit records (any order). */
export function summarizeAudit(
  input: Omit<AuditReportInput, 'verification' | 'generatedAt' | 'anchors'>,
): AuditFigures {
  const from = input.from?.getTime() ?? Number.NEGATIVE_INFINITY;
  const to = input.to?.getTime() ?? Number.POSITIVE_INFINITY;
  const records = input.records
    .filter((r) => {
      const t = Date.parse(r.time);
      return t >= from && t <= to;
    })
    .sort((a, b) => a.time.localeCompare(b.time));

  const principals = new Map<string, PrincipalFigures>();
  const principalOf = (who: { principal: string; via?: string }) => {
    const key = `${who.principal}|${who.via ?? ''}`;
    let p = principals.get(key);
    if (!p) {
      p = {
        principal: who.principal,
        ...(who.via ? { via: who.via } : {}),
        requests: 0,
        allowed: 0,
        denied: 0,
        approvalRequired: 0,
        breakGlass: 0,
        phiAccesses: 0,
        executions: 0,
        rows: 0,
        metadataCalls: 0,
      };
      principals.set(key, p);
    }
    return p;
  };
  const tables = new Map<string, TableFigures & { who: Set<string> }>();
  const nonPhi = new Set<string>();
  const approvals = new Map<string, ApprovalFigures>();
  const denials: Denial[] = [];
  const breakGlass = new Map<string, BreakGlassUse>();
  const executed = new Map<string, { ok: boolean; rows: number }>();
  const accesses = new Map<string, AccessFigures>();
  const fetches: ResultFetch[] = [];
  /** Who made each call, from any of its records that names a principal (result.fetch names none). */
  const callers = new Map<string, AuditPrincipal>();
  for (const r of records) {
    const p = eventPrincipal(r.event);
    if (p && r.event.requestId && !callers.has(r.event.requestId)) callers.set(r.event.requestId, p);
  }
  // Reviews of break-glass uses, from every record given (a review made after the window still counts), the
  // latest last: a later review supersedes an earlier one (docs/approvals.md).
  const reviews = new Map<string, { by: string; at: string; outcome: string; count: number }>();
  for (const r of [...input.records].sort((a, b) => a.time.localeCompare(b.time))) {
    const e = r.event;
    if (e.type !== 'breakglass.reviewed' || !e.requestId) continue;
    reviews.set(e.requestId, {
      by: e.reviewer?.email ?? e.reviewer?.subject ?? '(unknown)',
      at: utc(r.time),
      outcome: e.outcome ?? '(none)',
      count: (reviews.get(e.requestId)?.count ?? 0) + 1,
    });
  }
  const activity: { time: number; kind: keyof Omit<ActivityBucket, 'start'> }[] = [];
  let requests = 0;

  for (const r of records) {
    const e = r.event;
    const requestId = e.requestId ?? '';
    switch (e.type) {
      case 'policy.decision': {
        const who = personOf(e.principal);
        const p = principalOf(who);
        const decision = e.decision;
        const effect = decision?.effect ?? 'deny';
        // A denial, metadata call or query alike, is listed once with the rule that denied it.
        const listDenial = () =>
          denials.push({
            time: r.time,
            requestId,
            kind: 'policy',
            principal: who.principal,
            rule: decision?.rule ?? '',
            reason: reasons(decision),
          });
        if (e.tool !== 'execute_sql') {
          p.metadataCalls++;
          if (effect === 'deny') listDenial();
          break;
        }
        if (e.dryRun === true) break;
        requests++;
        p.requests++;
        const sql = e.query?.sql;
        const sqlSha256 = e.query?.sqlSha256 ?? (sql !== undefined ? sha256Hex(sql) : undefined);
        accesses.set(requestId, {
          time: utc(r.time),
          requestId,
          principal: who.principal,
          ...(who.via ? { via: who.via } : {}),
          groups: e.principal?.groups ?? [],
          effect: decision?.effect ?? 'deny',
          rule: decision?.rule ?? '',
          tables: e.query?.referencedTables ?? [],
          phiClasses: decision?.phiClasses ?? [],
          ...(decision?.maskingProfile !== undefined ? { maskingProfile: decision.maskingProfile } : {}),
          ...(decision?.rowLimit !== undefined ? { rowLimit: decision.rowLimit } : {}),
          ...(sql !== undefined && input.sql !== 'hash' ? { sql } : {}),
          ...(sqlSha256 !== undefined ? { sqlSha256 } : {}),
          fetches: 0,
        });
        const touchesPhi = decision?.touchesPhi === true;
        if (effect === 'deny') p.denied++;
        else if (effect === 'require_approval') p.approvalRequired++;
        else if (effect === 'break_glass') p.breakGlass++;
        else p.allowed++;
        if (touchesPhi && effect !== 'deny') p.phiAccesses++;
        activity.push({
          time: Date.parse(r.time),
          kind:
            effect === 'deny'
              ? 'denied'
              : effect === 'require_approval'
                ? 'approvalRequired'
                : effect === 'break_glass'
                  ? 'breakGlass'
                  : 'allowed',
        });
        const referenced = e.query?.referencedTables ?? [];
        for (const name of referenced) {
          let t = tables.get(name);
          if (!t) {
            t = {
              table: name,
              phi: false,
              requests: 0,
              phiAccesses: 0,
              denied: 0,
              principals: 0,
              who: new Set(),
            };
            tables.set(name, t);
          }
          t.requests++;
          t.who.add(who.principal);
          if (touchesPhi) t.phi = true;
          else nonPhi.add(name);
          if (touchesPhi && effect !== 'deny') t.phiAccesses++;
          if (effect === 'deny') t.denied++;
        }
        if (effect === 'deny') listDenial();
        if (effect === 'break_glass' || e.breakGlass === true)
          breakGlass.set(requestId, {
            time: r.time,
            requestId,
            principal: who.principal,
            rule: decision?.rule ?? '',
            reason: e.reason ?? '(none given)',
            tables: referenced,
            executed: false,
            review: e.reviewRequired === true ? 'pending' : 'not-flagged',
          });
        break;
      }
      case 'result.fetch': {
        const of = e.approvalId ?? '';
        fetches.push({
          time: utc(r.time),
          fetchRequestId: requestId,
          requestId: of,
          principal: personOf(callers.get(requestId)).principal,
          ...(e.jobId !== undefined ? { jobId: e.jobId } : {}),
          ...(e.rowCount !== undefined ? { rows: e.rowCount } : {}),
        });
        break;
      }
      case 'query.end': {
        const ok = e.outcome === 'ok';
        const rows = e.rowCount ?? 0;
        executed.set(requestId, { ok, rows });
        if (ok) {
          const p = principalOf(personOf(e.principal));
          p.executions++;
          p.rows += rows;
        }
        break;
      }
      case 'approval.requested': {
        approvals.set(requestId, {
          requestId,
          requester: nameOf(e.onBehalfOf ?? e.requester),
          rule: e.rule ?? '',
          requestedAt: utc(r.time),
          outcome: 'PENDING',
        });
        break;
      }
      case 'approval.approved':
      case 'approval.denied':
      case 'approval.cancelled':
      case 'approval.expired': {
        const a = approvals.get(requestId);
        if (!a) break; // requested before the report's range
        a.outcome = DECIDED[e.type];
        a.decidedAt = utc(r.time);
        const actor = e.actor;
        a.decidedBy =
          actor && 'service' in actor ? String(actor.service) : nameOf(actor as Identity | undefined);
        const reason = e.reason;
        if (reason) a.reason = reason;
        if (a.outcome === 'APPROVED' || a.outcome === 'DENIED')
          a.timeToDecisionMs = Date.parse(r.time) - Date.parse(a.requestedAt);
        if (a.outcome === 'DENIED')
          denials.push({
            time: r.time,
            requestId,
            kind: 'approval',
            principal: a.requester,
            rule: a.rule,
            reason: `denied by ${a.decidedBy}: ${reason ?? ''}`,
          });
        break;
      }
      case 'approval.succeeded':
      case 'approval.failed': {
        const a = approvals.get(requestId);
        if (a) a.executed = e.type === 'approval.succeeded' ? 'SUCCEEDED' : 'FAILED';
        break;
      }
      case 'mcp.unauthenticated':
        denials.push({
          time: r.time,
          requestId,
          kind: 'authentication',
          principal: '(unauthenticated)',
          reason: e.reason ?? '',
        });
        break;
      default:
        break;
    }
  }
  for (const [id, use] of breakGlass) {
    const review = reviews.get(id);
    if (review)
      Object.assign(use, {
        review: 'reviewed',
        reviewedBy: review.by,
        reviewedAt: review.at,
        outcome: review.outcome,
        reviews: review.count,
      });
    const run = executed.get(id);
    if (run?.ok) {
      use.executed = true;
      use.rows = run.rows;
    }
  }
  for (const [id, a] of accesses) {
    const run = executed.get(id);
    if (run) {
      a.executed = run.ok ? 'ok' : 'error';
      if (run.ok) a.rows = run.rows;
    }
  }
  for (const f of fetches) {
    const a = accesses.get(f.requestId);
    if (a) a.fetches++;
  }

  const list = [...approvals.values()];
  const times = list
    .map((a) => a.timeToDecisionMs)
    .filter((t): t is number => t !== undefined)
    .sort((a, b) => a - b);
  const count = (o: ApprovalFigures['outcome']) => list.filter((a) => a.outcome === o).length;
  return {
    ...(input.from ? { from: input.from.toISOString() } : {}),
    ...(input.to ? { to: input.to.toISOString() } : {}),
    records: records.length,
    requests,
    principals: [...principals.values()].sort(
      (a, b) =>
        b.requests - a.requests ||
        b.metadataCalls - a.metadataCalls ||
        a.principal.localeCompare(b.principal),
    ),
    // touchesPhi is true when any referenced table is PHI, so a query that did not touch PHI clears its tables.
    tables: [...tables.values()]
      .map(({ who, ...t }) =>
        nonPhi.has(t.table)
          ? { ...t, phi: false, phiAccesses: 0, principals: who.size }
          : { ...t, principals: who.size },
      )
      .sort(
        (a, b) => Number(b.phi) - Number(a.phi) || b.requests - a.requests || a.table.localeCompare(b.table),
      ),
    approvals: list,
    approvalStats: {
      requested: list.length,
      approved: count('APPROVED'),
      denied: count('DENIED'),
      cancelled: count('CANCELLED'),
      expired: count('EXPIRED'),
      pending: count('PENDING'),
      ...(times.length ? { medianTimeToDecisionMs: median(times), maxTimeToDecisionMs: times.at(-1)! } : {}),
    },
    denials: denials.map((d) => ({ ...d, time: utc(d.time) })),
    breakGlass: [...breakGlass.values()].map((b) => ({ ...b, time: utc(b.time) })),
    accesses: [...accesses.values()],
    fetches,
    activity: bucketize(activity, input.from, input.to, records),
  };
}

function reasons(decision: AuditDecision | undefined): string {
  return decision?.reasons?.join('; ') ?? '';
}

function median(sorted: number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Activity per hour (ranges up to two days), per day (up to 90 days) or per week, UTC. */
function bucketize(
  events: { time: number; kind: keyof Omit<ActivityBucket, 'start'> }[],
  from: Date | undefined,
  to: Date | undefined,
  records: AuditRecord[],
): AuditFigures['activity'] {
  const start = from?.getTime() ?? (records[0] ? Date.parse(records[0].time) : Date.now());
  const end = to?.getTime() ?? (records.at(-1) ? Date.parse(records.at(-1)!.time) : start);
  const span = Math.max(end - start, 0);
  const bucket = span <= 2 * DAY ? 'hour' : span <= 90 * DAY ? 'day' : 'week';
  const size = bucket === 'hour' ? HOUR : bucket === 'day' ? DAY : 7 * DAY;
  const first = Math.floor(start / size) * size;
  const n = Math.min(Math.floor((end - first) / size) + 1, 2000);
  const buckets: ActivityBucket[] = Array.from({ length: Math.max(n, 1) }, (_, i) => ({
    start: new Date(first + i * size).toISOString(),
    allowed: 0,
    denied: 0,
    approvalRequired: 0,
    breakGlass: 0,
  }));
  for (const e of events) {
    const b = buckets[Math.floor((e.time - first) / size)];
    if (b) b[e.kind]++;
  }
  return { bucket, buckets };
}

// --- HTML ---------------------------------------------------------------------------------------------------

function esc(v: unknown): string {
  return String(v ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function duration(ms: number | undefined): string {
  if (ms === undefined) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.round(h / 24)} d`;
}

function table(caption: string, head: string[], rows: unknown[][], id?: string): string {
  if (rows.length === 0) return `<p class="none"${id ? ` id="${id}"` : ''}>${esc(caption)}: none.</p>`;
  const th = head.map((h) => `<th scope="col">${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table${id ? ` id="${id}"` : ''}><caption>${esc(caption)}</caption><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const SERIES = [
  { key: 'allowed', label: 'Allowed', color: '#2e7d32' },
  { key: 'breakGlass', label: 'Break-glass', color: '#e65100' },
  { key: 'approvalRequired', label: 'Approval required', color: '#1565c0' },
  { key: 'denied', label: 'Denied', color: '#c62828' },
] as const;

/** Stacked bars of decisions per bucket, as inline SVG with a title per bar and the numbers in a table. */
function activityChart(a: AuditFigures['activity']): string {
  const W = 900;
  const H = 220;
  const pad = { l: 40, r: 10, t: 10, b: 30 };
  const max = Math.max(1, ...a.buckets.map((b) => SERIES.reduce((s, x) => s + b[x.key], 0)));
  const bw = (W - pad.l - pad.r) / a.buckets.length;
  const y = (v: number) => ((H - pad.t - pad.b) * v) / max;
  const bars = a.buckets
    .map((b, i) => {
      let top = H - pad.b;
      const x = pad.l + i * bw;
      return SERIES.map((s) => {
        const h = y(b[s.key]);
        if (h === 0) return '';
        top -= h;
        return `<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${Math.max(bw - 1, 0.5).toFixed(1)}" height="${h.toFixed(1)}" fill="${s.color}"><title>${esc(b.start)}: ${b[s.key]} ${s.label.toLowerCase()}</title></rect>`;
      }).join('');
    })
    .join('');
  const labelEvery = Math.max(1, Math.ceil(a.buckets.length / 8));
  const xLabels = a.buckets
    .map((b, i) =>
      i % labelEvery === 0
        ? `<text x="${(pad.l + i * bw).toFixed(1)}" y="${H - 10}" font-size="11">${esc(a.bucket === 'hour' ? b.start.slice(5, 13).replace('T', ' ') + 'h' : b.start.slice(0, 10))}</text>`
        : '',
    )
    .join('');
  const legend = SERIES.map((s) => `<span><i style="background:${s.color}"></i>${esc(s.label)}</span>`).join(
    ' ',
  );
  const summary = SERIES.map(
    (s) => `${a.buckets.reduce((n, b) => n + b[s.key], 0)} ${s.label.toLowerCase()}`,
  ).join(', ');
  return `<figure>
<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="Query decisions per ${a.bucket}: ${esc(summary)}" class="chart">
<line x1="${pad.l}" y1="${H - pad.b}" x2="${W - pad.r}" y2="${H - pad.b}" stroke="#888"/>
<text x="${pad.l - 6}" y="${pad.t + 10}" font-size="11" text-anchor="end">${max}</text>
<text x="${pad.l - 6}" y="${H - pad.b}" font-size="11" text-anchor="end">0</text>
${bars}${xLabels}</svg>
<figcaption>execute_sql decisions per ${a.bucket} (UTC). <span class="legend">${legend}</span></figcaption>
</figure>
<details><summary>Numbers behind the chart</summary>${table(
    'Decisions per bucket',
    ['Start (UTC)', ...SERIES.map((s) => s.label)],
    a.buckets
      .filter((b) => SERIES.some((s) => b[s.key] > 0))
      .map((b) => [esc(b.start), ...SERIES.map((s) => b[s.key])]),
  )}</details>`;
}

/** Horizontal bars of requests per principal (top 15). */
function principalChart(principals: PrincipalFigures[]): string {
  const top = principals.filter((p) => p.requests > 0).slice(0, 15);
  if (top.length === 0) return '';
  const W = 900;
  const row = 22;
  const H = top.length * row + 10;
  const max = Math.max(...top.map((p) => p.requests));
  const bars = top
    .map((p, i) => {
      const w = ((W - 330) * p.requests) / max;
      const y = i * row + 5;
      return `<text x="0" y="${y + 14}" font-size="12">${esc(p.principal)}</text><rect x="260" y="${y}" width="${w.toFixed(1)}" height="${row - 6}" fill="#1565c0"><title>${esc(p.principal)}: ${p.requests} requests</title></rect><text x="${(265 + w).toFixed(1)}" y="${y + 14}" font-size="12">${p.requests}</text>`;
    })
    .join('');
  return `<figure><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="Requests per principal" class="chart">${bars}</svg><figcaption>execute_sql requests per principal (top ${top.length}).</figcaption></figure>`;
}

const CSS = `
:root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--muted:#57606a;--line:#d0d7de;--ok:#116329;--bad:#a40e26}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9da7b3;--line:#30363d;--ok:#3fb950;--bad:#ff7b72}}
body{font:15px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg);max-width:75rem;margin:0 auto;padding:1rem 1.5rem 4rem}
h1{font-size:1.7rem}h2{font-size:1.25rem;margin-top:2.5rem;border-bottom:1px solid var(--line)}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}caption{text-align:left;color:var(--muted);padding:.25rem 0}
th,td{text-align:left;border-bottom:1px solid var(--line);padding:.3rem .5rem;vertical-align:top}td.n,th.n{text-align:right}
.verify{padding:.75rem 1rem;border:2px solid;border-radius:6px;font-weight:600}.verify.ok{color:var(--ok)}.verify.failed{color:var(--bad)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(11rem,1fr));gap:.75rem;padding:0;list-style:none}
.cards li{border:1px solid var(--line);border-radius:6px;padding:.5rem .75rem}.cards b{display:block;font-size:1.5rem}
.chart{width:100%;height:auto;fill:currentColor}.legend span{margin-right:1rem}.legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:middle}
.muted,.none{color:var(--muted)}code{font-size:.9em}pre.sql,pre.note{white-space:pre-wrap;margin:0;font-size:.85em}code.hash{word-break:break-all}
@media print{details{display:block}details>summary{display:none}}
`;

/** At most this many accesses and fetches are listed one by one (the figures count them all). */
export const MAX_LISTED = 5000;

/**
 * The report's hash line: the one line of the file that starts with this. The embedded SHA-256 is of the file
 * without that line (and its newline): `grep -v '^<p id="report-sha256"' report.html | sha256sum`.
 */
export const REPORT_HASH_LINE_START = '<p id="report-sha256"';

/** SHA-256 (hex) of a report without its hash line: the hash the report embeds. */
export function reportSha256(html: string): string {
  const lines = html.split('\n');
  return sha256Hex(lines.filter((l) => !l.startsWith(REPORT_HASH_LINE_START)).join('\n'));
}

/** Checks a report's embedded SHA-256 against its content: the embedded and the recomputed hash. */
export function checkReportSha256(html: string): { ok: boolean; embedded?: string; computed: string } {
  const line = html.split('\n').find((l) => l.startsWith(REPORT_HASH_LINE_START));
  const embedded = line ? /data-sha256="([0-9a-f]{64})"/.exec(line)?.[1] : undefined;
  const computed = reportSha256(html);
  return { ok: embedded === computed, ...(embedded ? { embedded } : {}), computed };
}

/**
 * The signed objects a report is built from: per stream, its newest checkpoint (largest size; a trail's
 * checkpoint objects are named by layout.ts); without any, per writer, its newest digest. Sorted by object name.
 */
export function reportAnchors(objects: readonly TrailObject[]): ReportAnchor[] {
  const checkpoints: { stream: string; size: number; n: number; anchor: ReportAnchor }[] = [];
  const digests = new Map<string, ReportAnchor>();
  for (const o of objects) {
    const name = parseObjectName(o.name);
    if (!name || name.kind === 'records') continue;
    const sha256 = createHash('sha256').update(o.data).digest('hex');
    const text = new TextDecoder().decode(o.data);
    if (name.kind === 'checkpoint') {
      let cp: ReturnType<typeof parseCheckpoint>;
      try {
        cp = parseCheckpoint(parseNote(text).text);
      } catch {
        continue; // verify reports a malformed checkpoint; the report anchors to the ones that read
      }
      checkpoints.push({
        stream: name.stream,
        size: cp.size,
        n: name.n ?? 0,
        anchor: {
          kind: 'checkpoint',
          object: o.name,
          sha256,
          origin: cp.origin,
          size: cp.size,
          rootHash: Buffer.from(cp.rootHash).toString('base64'),
          note: text,
        },
      });
    } else {
      // Digest names end in their 12-digit seq, so the largest name of a digest stream is its newest digest.
      const held = digests.get(name.stream);
      if (held && held.object > o.name) continue;
      let time: string | undefined;
      try {
        const t = (JSON.parse(text) as { time?: unknown }).time;
        if (typeof t === 'string') time = utc(t);
      } catch {
        // verify reports an unreadable digest
      }
      digests.set(name.stream, { kind: 'digest', object: o.name, sha256, ...(time ? { time } : {}) });
    }
  }
  const newest = newestCheckpoints(checkpoints, (c) => c.stream);
  const list = newest.size > 0 ? [...newest.values()].map((c) => c.anchor) : [...digests.values()];
  return list.sort((a, b) => a.object.localeCompare(b.object));
}

/** The one line saying what the report was built from. */
export function describeAnchors(anchors: readonly ReportAnchor[]): string {
  if (anchors.length === 0) return 'no signed checkpoint or digest';
  const kind = anchors[0]!.kind;
  const newest = [...anchors].sort((a, b) => (a.time ?? a.object).localeCompare(b.time ?? b.object)).at(-1)!;
  return kind === 'checkpoint'
    ? `${anchors.length} signed checkpoint(s), one per stream (e.g. ${newest.origin} at size ${newest.size}, root ${newest.rootHash})`
    : `${anchors.length} signed digest(s), the newest per writer (newest ${newest.object}, sha256 ${newest.sha256})`;
}

function anchorsSection(anchors: readonly ReportAnchor[]): string {
  if (anchors.length === 0)
    return '<p class="none" id="anchors">No signed checkpoint or digest was read: nothing ties this report to the trail.</p>';
  const rows =
    anchors[0]!.kind === 'checkpoint'
      ? table(
          'Checkpoints the report was built from (the newest of each stream)',
          ['Origin', 'Tree size', 'Root hash (base64)', 'Object', 'Object SHA-256'],
          anchors.map((a) => [
            `<code>${esc(a.origin)}</code>`,
            a.size,
            `<code>${esc(a.rootHash)}</code>`,
            `<code>${esc(a.object)}</code>`,
            `<code>${esc(a.sha256)}</code>`,
          ]),
          'anchors',
        )
      : table(
          'Digests the report was built from (the newest of each writer; this trail has no checkpoints)',
          ['Object', 'Written (UTC)', 'Object SHA-256'],
          anchors.map((a) => [
            `<code>${esc(a.object)}</code>`,
            esc(a.time ?? ''),
            `<code>${esc(a.sha256)}</code>`,
          ]),
          'anchors',
        );
  const notes = anchors
    .filter((a) => a.note)
    .map((a) => `<pre class="note">${esc(a.note)}</pre>`)
    .join('\n');
  return `${rows}${notes ? `\n<details><summary>The signed checkpoints, verbatim</summary>\n${notes}\n</details>` : ''}`;
}

/** The SQL cell: the text with its SHA-256, or the SHA-256 alone. */
function sqlCell(a: AccessFigures): string {
  const hash = a.sqlSha256 ? `<code class="hash">sha256:${esc(a.sqlSha256)}</code>` : '';
  return a.sql !== undefined ? `<pre class="sql">${esc(a.sql)}</pre>${hash}` : hash || '—';
}

/**
 * The report as one self-contained HTML document (no script, no external resource), with its own SHA-256 on
 * its hash line (see `reportSha256`).
 */
export function renderAuditReport(input: AuditReportInput): string {
  const html = renderWithoutHash(input);
  // The hash covers every line but the hash line, which takes the placeholder's place.
  const sha256 = reportSha256(html.replace('<!--report-sha256-->', REPORT_HASH_LINE_START));
  return html.replace(
    '<!--report-sha256-->',
    `${REPORT_HASH_LINE_START} data-sha256="${sha256}">Report SHA-256: <code>${sha256}</code>: the SHA-256 of this file without this line (<code>grep -v '^&#60;p id="report-sha256"' report.html | sha256sum</code>).</p>`,
  );
}

function renderWithoutHash(input: AuditReportInput): string {
  const f = summarizeAudit(input);
  const v = input.verification;
  const anchors = input.anchors ?? [];
  const sqlMode = input.sql ?? 'text';
  const generated = (input.generatedAt ?? new Date()).toISOString();
  const range = `${f.from ?? 'the first record'} to ${f.to ?? 'the last record'}`;
  const s = f.approvalStats;
  const cards = [
    ['Records', f.records],
    ['Query requests', f.requests],
    ['Principals', f.principals.length],
    ['PHI tables', f.tables.filter((t) => t.phi).length],
    ['Approvals requested', s.requested],
    ['Denials', f.denials.length],
    ['Break-glass uses', f.breakGlass.length],
    ['Break-glass pending review', f.breakGlass.filter((b) => b.review === 'pending').length],
    ['Result fetches', f.fetches.length],
  ]
    .map(([k, n]) => `<li><b data-figure="${esc(k)}">${esc(n)}</b>${esc(k)}</li>`)
    .join('');
  const verification = v.ok
    ? `<p class="verify ok" id="verification">Verification passed: ${v.records} records in ${v.streams.length} streams${v.digests !== undefined ? `, ${v.digests} digests` : ''}; every signature, certificate and chain link checks out.</p>`
    : `<p class="verify failed" id="verification">Verification FAILED: ${v.problems.length} problems in ${v.records} records (${v.streams.length} streams). The trail may have been altered: see below.</p>`;
  const problems = table(
    'Verification problems',
    ['Kind', 'Object', 'Stream / seq', 'Detail'],
    v.problems
      .slice(0, 500)
      .map((p) => [
        esc(p.kind),
        `<code>${esc(p.object)}</code>`,
        esc(`${p.stream ?? ''}${p.seq !== undefined ? ` #${p.seq}` : ''}`),
        esc(p.detail),
      ]),
    'problems',
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Warden audit report, ${esc(range)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>Warden audit report</h1>
<p>Period: <strong>${esc(range)}</strong> (UTC). Generated ${esc(generated)} from the signed audit trail.
45 CFR 164.312(b) audit controls; 164.312(c)(1) integrity. Every time in this report is UTC (ISO 8601).</p>
<!--report-sha256-->
<p id="built-from">Built from ${esc(describeAnchors(anchors))}: listed under <a href="#h-anchors">Trail anchors</a>.</p>
</header>
<main>
<section aria-labelledby="h-summary"><h2 id="h-summary">Summary</h2>
${verification}
<ul class="cards">${cards}</ul>
</section>
<section aria-labelledby="h-activity"><h2 id="h-activity">Activity over time</h2>
${activityChart(f.activity)}
</section>
<section aria-labelledby="h-principals"><h2 id="h-principals">Accesses per principal</h2>
<p class="muted">A principal is the person responsible: the person a service acted for, else the caller. Requests are execute_sql decisions (dry runs excluded); PHI accesses are non-denied requests touching PHI; executions and rows are what the executor released.</p>
${principalChart(f.principals)}
${table(
  'Accesses per principal',
  [
    'Principal',
    'Via',
    'Requests',
    'Allowed',
    'Approval required',
    'Break-glass',
    'Denied',
    'PHI accesses',
    'Executions',
    'Rows',
    'Metadata calls',
  ],
  f.principals.map((p) => [
    esc(p.principal),
    esc(p.via ?? ''),
    p.requests,
    p.allowed,
    p.approvalRequired,
    p.breakGlass,
    p.denied,
    p.phiAccesses,
    p.executions,
    p.rows,
    p.metadataCalls,
  ]),
  'principals',
)}
</section>
<section aria-labelledby="h-tables"><h2 id="h-tables">Accesses per table</h2>
<p class="muted">A table is flagged PHI when a query referencing it touched PHI and no query on it without PHI was seen (a PHI-free table seen only joined with PHI tables stays flagged).</p>
${table(
  'Accesses per table',
  ['Table', 'PHI', 'Requests', 'PHI accesses', 'Denied', 'Principals'],
  f.tables.map((t) => [
    `<code>${esc(t.table)}</code>`,
    t.phi ? 'PHI' : '',
    t.requests,
    t.phiAccesses,
    t.denied,
    t.principals,
  ]),
  'tables',
)}
</section>
<section aria-labelledby="h-accesses"><h2 id="h-accesses">Accesses</h2>
<p class="muted">Every execute_sql decision (dry runs excluded): the caller's groups as the decision saw them, the PHI classes the query reads, the masking profile and row limit applied, ${sqlMode === 'hash' ? 'and the SHA-256 of the SQL (this report was made with <code>--sql hash</code>: no SQL text appears in it)' : 'and the SQL with its SHA-256'}; rows are what the executor released, fetches the reads of a parked request's result.${f.accesses.length > MAX_LISTED ? ` The first ${MAX_LISTED} of ${f.accesses.length} are listed; <code>warden audit search</code> finds the others.` : ''}</p>
${table(
  'Accesses',
  [
    'Time',
    'Request',
    'Principal',
    'Groups',
    'Decision',
    'Tables',
    'PHI classes',
    'Masking profile',
    'Row limit',
    sqlMode === 'hash' ? 'SQL SHA-256' : 'SQL',
    'Rows',
    'Fetches',
  ],
  f.accesses
    .slice(0, MAX_LISTED)
    .map((a) => [
      esc(a.time),
      `<code>${esc(a.requestId)}</code>`,
      esc(a.via ? `${a.principal} via ${a.via}` : a.principal),
      esc(a.groups.join(', ')),
      esc(`${a.effect}${a.rule ? ` (${a.rule})` : ''}`),
      a.tables.map((t) => `<code>${esc(t)}</code>`).join('<br>'),
      esc(a.phiClasses.join(', ')),
      esc(a.maskingProfile ?? ''),
      esc(a.rowLimit ?? ''),
      sqlCell(a),
      esc(a.executed === 'error' ? 'error' : (a.rows ?? '')),
      a.fetches,
    ]),
  'accesses',
)}
</section>
<section aria-labelledby="h-fetches"><h2 id="h-fetches">Result fetches</h2>
<p class="muted">Each read of an approved query's stored result (get_query_result, get_query_results, a completed task): who read it, when, and how many rows.${f.fetches.length > MAX_LISTED ? ` The first ${MAX_LISTED} of ${f.fetches.length} are listed.` : ''}</p>
${table(
  'Result fetches',
  ['Time', 'Request', 'Fetched by', 'Fetching call', 'Job', 'Rows'],
  f.fetches
    .slice(0, MAX_LISTED)
    .map((x) => [
      esc(x.time),
      `<code>${esc(x.requestId)}</code>`,
      esc(x.principal),
      `<code>${esc(x.fetchRequestId)}</code>`,
      `<code>${esc(x.jobId ?? '')}</code>`,
      esc(x.rows ?? ''),
    ]),
  'fetches',
)}
</section>
<section aria-labelledby="h-approvals"><h2 id="h-approvals">Approvals</h2>
<p id="approval-stats">${s.requested} requested: ${s.approved} approved, ${s.denied} denied, ${s.cancelled} cancelled, ${s.expired} expired, ${s.pending} undecided in the period. Time to decision: median ${esc(duration(s.medianTimeToDecisionMs))}, longest ${esc(duration(s.maxTimeToDecisionMs))}.</p>
${table(
  'Approval requests',
  [
    'Requested',
    'Request',
    'Requester',
    'Rule',
    'Outcome',
    'Decided by',
    'Reason',
    'Time to decision',
    'Execution',
  ],
  f.approvals.map((a) => [
    esc(a.requestedAt),
    `<code>${esc(a.requestId)}</code>`,
    esc(a.requester),
    esc(a.rule),
    esc(a.outcome),
    esc(a.decidedBy ?? ''),
    esc(a.reason ?? ''),
    esc(duration(a.timeToDecisionMs)),
    esc(a.executed ?? ''),
  ]),
  'approvals',
)}
</section>
<section aria-labelledby="h-denials"><h2 id="h-denials">Denials</h2>
${table(
  'Denials',
  ['Time', 'Kind', 'Principal', 'Rule', 'Reason', 'Request'],
  f.denials.map((d) => [
    esc(d.time),
    esc(d.kind),
    esc(d.principal),
    esc(d.rule ?? ''),
    esc(d.reason),
    `<code>${esc(d.requestId)}</code>`,
  ]),
  'denials',
)}
</section>
<section aria-labelledby="h-breakglass"><h2 id="h-breakglass">Break-glass uses</h2>
<p class="muted">Emergency access (45 CFR 164.312(a)(2)(ii)): allowed with a mandatory reason, each to be reviewed after the fact (<code>warden approvals review-break-glass</code>). Review status: <em>reviewed</em> with the outcome, the reviewer and the time (UTC) of the latest <code>breakglass.reviewed</code> record in the trail (a later review supersedes an earlier one; the count says how many there were); <em>pending</em> when the decision flagged it for review and no review is recorded; <em>not flagged</em> for records written before the flag.</p>
${table(
  'Break-glass uses',
  ['Time', 'Principal', 'Rule', 'Reason', 'Tables', 'Executed', 'Rows', 'Review', 'Request'],
  f.breakGlass.map((b) => [
    esc(b.time),
    esc(b.principal),
    esc(b.rule),
    esc(b.reason),
    b.tables.map((t) => `<code>${esc(t)}</code>`).join('<br>'),
    b.executed ? 'yes' : 'no',
    b.rows ?? '',
    b.review === 'reviewed'
      ? `${esc(b.outcome ?? '')} by ${esc(b.reviewedBy ?? '')}, ${esc(b.reviewedAt ?? '')}${(b.reviews ?? 1) > 1 ? ` (latest of ${b.reviews} reviews)` : ''}`
      : b.review === 'pending'
        ? 'pending'
        : 'not flagged',
    `<code>${esc(b.requestId)}</code>`,
  ]),
  'breakglass',
)}
</section>
<section aria-labelledby="h-verification"><h2 id="h-verification">Verification</h2>
${verification.replace(' id="verification"', '')}
${table(
  'Streams',
  ['Stream', 'Writer', 'Records', 'First', 'Last'],
  v.streams.map((st) => [
    `<code>${esc(st.stream)}</code>`,
    esc(st.writer),
    st.records,
    esc(st.firstTime ? utc(st.firstTime) : ''),
    esc(st.lastTime ? utc(st.lastTime) : ''),
  ]),
  'streams',
)}
${problems}
${v.undigested?.length ? `<p class="muted">${v.undigested.length} objects are not yet covered by a signed digest (the newest, normally).</p>` : ''}
</section>
<section aria-labelledby="h-anchors"><h2 id="h-anchors">Trail anchors</h2>
<p class="muted">What ties this report to the trail: the signed objects it was built from, each with the SHA-256 of its bytes as stored in the bucket. A reader checks the report's own SHA-256 (above) with <code>grep -v '^&#60;p id="report-sha256"' report.html | sha256sum</code>, then each object here against the bucket (<code>gcloud storage cat gs://BUCKET/OBJECT | sha256sum</code>) and its signature (<code>warden audit verify</code>).</p>
${anchorsSection(anchors)}
</section>
</main>
</body>
</html>
`;
}

/**
 * Writes the report for `records` to `out`; returns its figures. `objects` are the trail objects read, for the
 * anchors; the command line prints `reportSha256` of what it wrote.
 */
export function runAuditReport(options: {
  from?: Date;
  to?: Date;
  out: string;
  records: AuditRecord[];
  verification: ReportVerification;
  objects?: readonly TrailObject[];
  sql?: SqlMode;
  generatedAt?: Date;
}): AuditFigures {
  const anchors = reportAnchors(options.objects ?? []);
  const input: AuditReportInput = {
    records: options.records,
    verification: options.verification,
    anchors,
    ...(options.from ? { from: options.from } : {}),
    ...(options.to ? { to: options.to } : {}),
    ...(options.sql ? { sql: options.sql } : {}),
    ...(options.generatedAt ? { generatedAt: options.generatedAt } : {}),
  };
  writeFileSync(options.out, renderAuditReport(input));
  return summarizeAudit(input);
}

/** The `--sql` value: `text` (default) or `hash`; anything else is refused. */
export function parseSqlMode(value: string | undefined): SqlMode {
  if (value === undefined || value === 'text') return 'text';
  if (value === 'hash') return 'hash';
  throw new Error(`--sql is text or hash, not "${value}"`);
}
