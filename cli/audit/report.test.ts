// The auditors' report: figures computed from records, and a self-contained HTML file that shows them.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent, AuditRecord } from '../../shared/core/audit/record.ts';
import { type ReportVerification, renderAuditReport, runAuditReport, summarizeAudit } from './report.ts';

let seq = 0;
const rec = (time: string, event: AuditEvent): AuditRecord => ({
  v: 1,
  stream: 'gateway-test',
  seq: seq++,
  prev: null,
  time,
  event,
  sig: 'x',
});
const ann = {
  subject: 'dev:ann@example.org',
  issuer: 'http://issuer',
  email: 'ann@example.org',
  groups: ['analysts'],
};
const er = {
  subject: 'dev:eli@example.org',
  issuer: 'http://issuer',
  email: 'eli@example.org',
  groups: ['er-physicians'],
};
const bot = {
  subject: 'sa:agent',
  issuer: 'http://issuer',
  email: 'agent@example.org',
  groups: [],
  onBehalfOf: { subject: 'dev:cy@example.org', issuer: 'http://issuer', email: 'cy@example.org', groups: [] },
};
const priya = {
  subject: 'dev:priya@example.org',
  issuer: 'http://issuer',
  email: 'priya@example.org',
  groups: ['privacy-office'],
};
const PATIENTS = 'demo-warden.clinical.patients';
const ICD = 'demo-warden.reference.icd10_codes';

const decision = (
  time: string,
  requestId: string,
  principal: object,
  effect: string,
  tables: string[],
  touchesPhi: boolean,
  extra: Record<string, unknown> = {},
) =>
  rec(time, {
    type: 'policy.decision',
    requestId,
    tool: 'execute_sql',
    principal: principal as never,
    projectId: 'demo-warden',
    query: { sql: 'SELECT 1', referencedTables: tables },
    decision: { effect, rule: `rule-${effect}`, reasons: [`because ${effect}`], touchesPhi },
    dryRun: false,
    ...(extra as Record<string, never>),
  });

const RECORDS: AuditRecord[] = [
  decision('2026-03-01T09:00:00.000Z', 'r1', ann, 'allow', [ICD], false),
  rec('2026-03-01T09:00:01.000Z', {
    type: 'query.end',
    requestId: 'r1',
    principal: ann,
    outcome: 'ok',
    rowCount: 5,
  }),
  decision('2026-03-01T10:00:00.000Z', 'r2', ann, 'require_approval', [PATIENTS], true),
  rec('2026-03-01T10:00:00.500Z', {
    type: 'approval.requested',
    requestId: 'r2',
    rule: 'analysts-phi-with-approval',
    requester: ann,
    actor: ann,
  }),
  rec('2026-03-01T10:30:00.500Z', {
    type: 'approval.approved',
    requestId: 'r2',
    actor: priya,
    reason: 'IRB 2026-114',
  }),
  rec('2026-03-01T10:30:02.000Z', {
    type: 'query.end',
    requestId: 'r2',
    principal: ann,
    outcome: 'ok',
    rowCount: 3,
  }),
  rec('2026-03-01T10:30:02.100Z', {
    type: 'approval.succeeded',
    requestId: 'r2',
    actor: { service: 'executor' },
  }),
  decision('2026-03-01T11:00:00.000Z', 'r3', ann, 'require_approval', [PATIENTS], true),
  rec('2026-03-01T11:00:00.500Z', {
    type: 'approval.requested',
    requestId: 'r3',
    rule: 'analysts-phi-with-approval',
    requester: ann,
  }),
  rec('2026-03-01T12:30:00.500Z', {
    type: 'approval.denied',
    requestId: 'r3',
    actor: priya,
    reason: 'not minimum necessary',
  }),
  decision('2026-03-01T13:00:00.000Z', 'r4', ann, 'deny', [PATIENTS], true),
  decision('2026-03-02T02:00:00.000Z', 'r5', er, 'break_glass', [PATIENTS, ICD], true, {
    breakGlass: true,
    reason: 'patient in cardiac arrest',
  }),
  rec('2026-03-02T02:00:01.000Z', {
    type: 'query.end',
    requestId: 'r5',
    principal: er,
    outcome: 'ok',
    rowCount: 1,
  }),
  decision('2026-03-02T03:00:00.000Z', 'r6', bot, 'allow', [ICD], false),
  decision('2026-03-02T03:00:01.000Z', 'r7', ann, 'allow', [ICD], false, { dryRun: true }),
  rec('2026-03-02T04:00:00.000Z', {
    type: 'mcp.unauthenticated',
    requestId: 'r8',
    reason: 'token expired',
    status: 401,
  }),
  // Outside the period:
  decision('2026-04-01T00:00:00.000Z', 'r9', ann, 'allow', [ICD], false),
];
const OK: ReportVerification = {
  ok: true,
  records: RECORDS.length,
  streams: [{ stream: 'gateway-test', writer: 'gateway', records: RECORDS.length }],
  problems: [],
};
const PERIOD = { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-03T00:00:00Z') };

describe('audit report figures', () => {
  const f = summarizeAudit({ records: RECORDS, ...PERIOD });

  it('counts only records inside the period and leaves dry runs out of requests', () => {
    assert.equal(f.records, RECORDS.length - 1);
    assert.equal(f.requests, 6);
  });

  it('counts accesses per principal, attributing a service call to the person it acted for', () => {
    const a = f.principals.find((p) => p.principal === 'ann@example.org')!;
    assert.deepEqual(
      [a.requests, a.allowed, a.approvalRequired, a.denied, a.phiAccesses, a.executions, a.rows],
      [4, 1, 2, 1, 2, 2, 8],
    );
    const cy = f.principals.find((p) => p.principal === 'cy@example.org')!;
    assert.equal(cy.via, 'agent@example.org');
    assert.equal(cy.requests, 1);
  });

  it('flags PHI tables and counts their accesses', () => {
    const patients = f.tables.find((t) => t.table === PATIENTS)!;
    assert.deepEqual(
      [patients.phi, patients.requests, patients.phiAccesses, patients.denied],
      [true, 4, 3, 1],
    );
    assert.equal(f.tables[0]!.table, PATIENTS, 'PHI tables first');
  });

  it('reports approvals with their outcome and time to decision', () => {
    assert.deepEqual(
      { ...f.approvalStats },
      {
        requested: 2,
        approved: 1,
        denied: 1,
        cancelled: 0,
        expired: 0,
        pending: 0,
        medianTimeToDecisionMs: 60 * 60_000,
        maxTimeToDecisionMs: 90 * 60_000,
      },
    );
    const r2 = f.approvals.find((a) => a.requestId === 'r2')!;
    assert.deepEqual([r2.outcome, r2.decidedBy, r2.executed], ['APPROVED', 'priya@example.org', 'SUCCEEDED']);
  });

  it('lists policy, approval and authentication denials', () => {
    assert.deepEqual(
      f.denials.map((d) => [d.kind, d.requestId]),
      [
        ['approval', 'r3'],
        ['policy', 'r4'],
        ['authentication', 'r8'],
      ],
    );
  });

  it('lists break-glass uses with their reason and whether they ran', () => {
    assert.equal(f.breakGlass.length, 1);
    assert.deepEqual(
      { ...f.breakGlass[0]!, time: undefined },
      {
        time: undefined,
        requestId: 'r5',
        principal: 'eli@example.org',
        rule: 'rule-break_glass',
        reason: 'patient in cardiac arrest',
        tables: [PATIENTS, ICD],
        executed: true,
        rows: 1,
      },
    );
  });

  it('buckets activity per hour over a two-day period', () => {
    assert.equal(f.activity.bucket, 'hour');
    assert.equal(f.activity.buckets.length, 49);
    const nine = f.activity.buckets.find((b) => b.start === '2026-03-01T09:00:00.000Z')!;
    assert.equal(nine.allowed, 1);
    const total = f.activity.buckets.reduce(
      (n, b) => n + b.allowed + b.denied + b.approvalRequired + b.breakGlass,
      0,
    );
    assert.equal(total, 6);
  });

  it('buckets per day over longer periods', () => {
    const long = summarizeAudit({
      records: RECORDS,
      from: new Date('2026-03-01Z'),
      to: new Date('2026-04-30Z'),
    });
    assert.equal(long.activity.bucket, 'day');
  });
});

describe('audit report HTML', () => {
  const html = renderAuditReport({ records: RECORDS, verification: OK, ...PERIOD });

  it('is self-contained: no script and no external resource', () => {
    assert.doesNotMatch(html, /<script|<link|src=|href="http|url\(/i);
    assert.match(html, /<svg [^>]*role="img"/);
  });

  it('shows the figures and the verification status', () => {
    assert.match(html, /Verification passed: 17 records in 1 streams/);
    assert.match(html, /data-figure="Break-glass uses">1</);
    assert.match(html, /data-figure="PHI tables">1</);
    assert.match(html, /2 requested: 1 approved, 1 denied/);
    assert.match(html, /median 1 h 0 min, longest 1 h 30 min/);
    assert.match(html, /patient in cardiac arrest/);
  });

  it('escapes what the records say', () => {
    const evil = rec('2026-03-01T09:00:00.000Z', {
      type: 'mcp.unauthenticated',
      requestId: 'x',
      reason: '<img src=x onerror=alert(1)>',
    });
    const out = renderAuditReport({ records: [evil], verification: OK, ...PERIOD });
    assert.doesNotMatch(out, /<img/);
    assert.match(out, /&#60;img src=x/);
  });

  it('reports a failed verification with its problems', () => {
    const out = renderAuditReport({
      records: RECORDS,
      verification: {
        ...OK,
        ok: false,
        problems: [{ kind: 'bad-signature', object: 'o.jsonl', stream: 's', seq: 3, detail: 'altered' }],
      },
      ...PERIOD,
    });
    assert.match(out, /Verification FAILED: 1 problems/);
    assert.match(out, /<td>bad-signature<\/td>/);
  });

  it('writes the file with runAuditReport', () => {
    const dir = mkdtempSync(join(tmpdir(), 'warden-report-'));
    try {
      const out = join(dir, 'report.html');
      const figures = runAuditReport({ out, records: RECORDS, verification: OK, ...PERIOD });
      assert.equal(figures.requests, 6);
      assert.match(readFileSync(out, 'utf8'), /^<!doctype html>/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
