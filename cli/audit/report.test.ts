// The auditors' report: figures computed from records, and a self-contained HTML file that shows them.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointObjectName, digestObjectName, recordObjectName } from '../../shared/core/audit/layout.ts';
import { ed25519NoteSigner, formatCheckpoint, signNote } from '../../shared/core/audit/note.ts';
import type { AuditEvent, AuditRecord } from '../../shared/core/audit/record.ts';
import {
  checkReportSha256,
  describeAnchors,
  type ReportVerification,
  renderAuditReport,
  reportAnchors,
  reportSha256,
  runAuditReport,
  summarizeAudit,
} from './report.ts';

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
const R2_SQL = 'SELECT name, mrn FROM clinical.patients WHERE ward = "4 < 5"';
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
  decision('2026-03-01T10:00:00.000Z', 'r2', ann, 'require_approval', [PATIENTS], true, {
    query: { sql: R2_SQL, referencedTables: [PATIENTS] },
    decision: {
      effect: 'require_approval',
      rule: 'rule-require_approval',
      reasons: ['because require_approval'],
      touchesPhi: true,
      phiClasses: ['name', 'mrn'],
      maskingProfile: 'analyst',
      rowLimit: 1000,
    },
  }),
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
  // ann fetches r2's result in call f1 (result.fetch names no principal: the call's mcp.request does).
  rec('2026-03-01T10:31:00.000Z', { type: 'mcp.request', requestId: 'f1', principal: ann }),
  rec('2026-03-01T10:31:00.100Z', {
    type: 'result.fetch',
    requestId: 'f1',
    approvalId: 'r2',
    jobId: 'job-r2',
    rowCount: 3,
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
    reviewRequired: true,
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
        review: 'pending',
      },
    );
  });

  it("lists every access with the caller's groups, PHI classes, masking profile, row limit and SQL", () => {
    assert.deepEqual(
      f.accesses.map((a) => a.requestId),
      ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'],
      'dry runs left out',
    );
    const r2 = f.accesses.find((a) => a.requestId === 'r2')!;
    assert.deepEqual(r2, {
      time: '2026-03-01T10:00:00.000Z',
      requestId: 'r2',
      principal: 'ann@example.org',
      groups: ['analysts'],
      effect: 'require_approval',
      rule: 'rule-require_approval',
      tables: [PATIENTS],
      phiClasses: ['name', 'mrn'],
      maskingProfile: 'analyst',
      rowLimit: 1000,
      sql: R2_SQL,
      sqlSha256: createHash('sha256').update(R2_SQL).digest('hex'),
      executed: 'ok',
      rows: 3,
      fetches: 1,
    });
    assert.equal(f.accesses.find((a) => a.requestId === 'r6')!.via, 'agent@example.org');
  });

  it('keeps only the SQL hash with sql: hash', () => {
    const hashed = summarizeAudit({ records: RECORDS, ...PERIOD, sql: 'hash' });
    const r2 = hashed.accesses.find((a) => a.requestId === 'r2')!;
    assert.equal(r2.sql, undefined);
    assert.equal(r2.sqlSha256, createHash('sha256').update(R2_SQL).digest('hex'));
  });

  it('lists result fetches with who fetched, from the fetching call', () => {
    assert.deepEqual(f.fetches, [
      {
        time: '2026-03-01T10:31:00.100Z',
        fetchRequestId: 'f1',
        requestId: 'r2',
        principal: 'ann@example.org',
        jobId: 'job-r2',
        rows: 3,
      },
    ]);
  });

  it('shows times in UTC, whatever offset a record was written with', () => {
    const offset = rec('2026-03-01T10:00:00+01:00', {
      type: 'mcp.unauthenticated',
      requestId: 'tz',
      reason: 'expired',
    });
    assert.equal(
      summarizeAudit({ records: [offset], ...PERIOD }).denials[0]!.time,
      '2026-03-01T09:00:00.000Z',
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
    assert.match(html, new RegExp(`Verification passed: ${RECORDS.length} records in 1 streams`));
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

describe('audit report: SQL, its own SHA-256 and the trail it was built from', () => {
  const STREAM = 'gateway-20260301T090000Z-1a2b3c4d5e6f';
  const ORIGIN = `warden.example/audit/${STREAM}`;
  const signer = ed25519NoteSigner(ORIGIN, generateKeyPairSync('ed25519').privateKey);
  const at = new Date('2026-03-01T09:00:00Z');
  const utf8 = new TextEncoder();
  const checkpoint = async (size: number) =>
    utf8.encode(
      await signNote(
        formatCheckpoint({ origin: ORIGIN, size, rootHash: new Uint8Array(32).fill(size), extensions: [] }),
        [signer],
      ),
    );
  const digest = (seq: number) =>
    utf8.encode(JSON.stringify({ v: 1, type: 'digest', seq, time: `2026-03-01T1${seq}:00:00.000Z` }));

  it('shows the SQL with its SHA-256, escaped, or with --sql hash only the SHA-256', () => {
    const text = renderAuditReport({ records: RECORDS, verification: OK, ...PERIOD });
    assert.ok(text.includes('SELECT name, mrn FROM clinical.patients WHERE ward = &#34;4 &#60; 5&#34;'));
    const hashed = renderAuditReport({ records: RECORDS, verification: OK, ...PERIOD, sql: 'hash' });
    assert.doesNotMatch(hashed, /SELECT/, 'no SQL text anywhere in a --sql hash report');
    assert.ok(hashed.includes(`sha256:${createHash('sha256').update(R2_SQL).digest('hex')}`));
    assert.match(hashed, /made with <code>--sql hash<\/code>/);
  });

  it('shows the groups, PHI classes, masking profile and row limit of an access, and its fetches', () => {
    const html = renderAuditReport({ records: RECORDS, verification: OK, ...PERIOD });
    const row = /<tr><td>2026-03-01T10:00:00\.000Z<\/td><td><code>r2<\/code>.*?<\/tr>/s.exec(html)?.[0] ?? '';
    for (const cell of ['<td>analysts</td>', '<td>name, mrn</td>', '<td>analyst</td>', '<td>1000</td>'])
      assert.ok(row.includes(cell), `${cell} in ${row}`);
    assert.match(
      html,
      /<table id="fetches">.*<td><code>r2<\/code><\/td><td>ann@example\.org<\/td><td><code>f1<\/code>/s,
    );
    assert.match(html, /data-figure="Result fetches">1</);
    assert.match(html, /data-figure="Break-glass pending review">1</);
    assert.match(html, /<td>pending<\/td><td><code>r5<\/code><\/td>/);
  });

  it('embeds its own SHA-256, which sha256sum recomputes from the file without the hash line', () => {
    const html = renderAuditReport({ records: RECORDS, verification: OK, ...PERIOD });
    const check = checkReportSha256(html);
    assert.equal(check.ok, true);
    assert.equal(check.embedded, reportSha256(html));
    assert.equal(html.split('\n').filter((l) => l.startsWith('<p id="report-sha256"')).length, 1);
    const dir = mkdtempSync(join(tmpdir(), 'warden-report-'));
    try {
      const file = join(dir, 'report.html');
      writeFileSync(file, html);
      // The documented procedure, run as a reader would (docs/console.md).
      const out = execFileSync('sh', ['-c', `grep -v '^<p id="report-sha256"' "${file}" | sha256sum`], {
        encoding: 'utf8',
      });
      assert.equal(out.split(' ')[0], check.embedded);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const altered = html.replace('patient in cardiac arrest', 'patient in cardiac arrestt');
    assert.equal(checkReportSha256(altered).ok, false, 'an altered report no longer matches its hash');
  });

  it('anchors to the newest checkpoint of each stream, printed and embedded', async () => {
    const objects = [
      { name: recordObjectName('v1/', at, STREAM, 0), data: utf8.encode('{}\n') },
      { name: checkpointObjectName('v1/', at, STREAM, 3, 0), data: await checkpoint(3) },
      { name: checkpointObjectName('v1/', at, STREAM, 5, 1), data: await checkpoint(5) },
      { name: digestObjectName('v1/', at, 'gateway-digest-1', 0), data: digest(0) },
    ];
    const anchors = reportAnchors(objects);
    assert.equal(anchors.length, 1);
    const [a] = anchors;
    assert.deepEqual(
      [a!.kind, a!.origin, a!.size, a!.object, a!.sha256],
      [
        'checkpoint',
        ORIGIN,
        5,
        objects[2]!.name,
        createHash('sha256').update(objects[2]!.data).digest('hex'),
      ],
    );
    assert.match(describeAnchors(anchors), new RegExp(`1 signed checkpoint\\(s\\).*${ORIGIN} at size 5`));
    const html = renderAuditReport({ records: RECORDS, verification: OK, ...PERIOD, anchors });
    assert.match(html, /<p id="built-from">Built from 1 signed checkpoint/);
    assert.ok(html.includes(`<code>${a!.sha256}</code>`));
    assert.ok(html.includes(`<pre class="note">${ORIGIN}\n5\n`), 'the signed note, verbatim');
    assert.equal(checkReportSha256(html).ok, true);
  });

  it('anchors to the newest digest of each writer in a trail without checkpoints, and says when it has neither', () => {
    const objects = [
      { name: digestObjectName('v1/', at, 'gateway-digest-1', 0), data: digest(0) },
      {
        name: digestObjectName('v1/', new Date('2026-03-01T11:00:00Z'), 'gateway-digest-1', 1),
        data: digest(1),
      },
      { name: digestObjectName('v1/', at, 'executor-digest-2', 0), data: digest(2) },
    ];
    const anchors = reportAnchors(objects);
    assert.deepEqual(
      anchors.map((a) => [a.kind, a.object, a.time]),
      [
        ['digest', objects[2]!.name, '2026-03-01T12:00:00.000Z'],
        ['digest', objects[1]!.name, '2026-03-01T11:00:00.000Z'],
      ],
    );
    assert.match(
      describeAnchors(anchors),
      /2 signed digest\(s\), the newest per writer \(newest .*executor-digest-2/,
    );
    const none = renderAuditReport({ records: RECORDS, verification: OK, ...PERIOD });
    assert.match(none, /Built from no signed checkpoint or digest/);
    assert.match(none, /nothing ties this report to the trail/);
  });

  it('shows every time in UTC (ISO 8601 with Z)', () => {
    const html = renderAuditReport({ records: RECORDS, verification: OK, ...PERIOD });
    const times = html.match(/\d{4}-\d{2}-\d{2}T[\d:.]+Z?/g) ?? [];
    assert.ok(times.length > 20);
    for (const t of times) assert.match(t, /Z$/, t);
  });
});

describe('audit report: break-glass review status from the trail', () => {
  const review = (time: string, outcome: 'appropriate' | 'inappropriate', reviewer = priya) =>
    rec(time, {
      type: 'breakglass.reviewed',
      requestId: 'r5',
      apiRequestId: `api-${time}`,
      reviewer,
      outcome,
      user: { subject: er.subject, issuer: er.issuer, email: er.email },
      rule: 'rule-break_glass',
      usedAt: '2026-03-02T02:00:00.000Z',
    });
  const useOf = (records: AuditRecord[]) => summarizeAudit({ records, ...PERIOD }).breakGlass[0]!;

  it('reads pending while no review of the use is in the trail', () => {
    const use = useOf(RECORDS);
    assert.equal(use.review, 'pending');
    assert.equal(use.reviewedBy, undefined);
  });

  it('shows a reviewed use with its reviewer, the review time in UTC and the outcome', () => {
    const use = useOf([...RECORDS, review('2026-03-02T09:15:00.000Z', 'appropriate')]);
    assert.deepEqual(
      [use.review, use.reviewedBy, use.reviewedAt, use.outcome, use.reviews],
      ['reviewed', 'priya@example.org', '2026-03-02T09:15:00.000Z', 'appropriate', 1],
    );
    const html = renderAuditReport({
      records: [...RECORDS, review('2026-03-02T09:15:00.000Z', 'appropriate')],
      verification: OK,
      ...PERIOD,
    });
    assert.match(
      html,
      /<td>appropriate by priya@example\.org, 2026-03-02T09:15:00\.000Z<\/td><td><code>r5<\/code><\/td>/,
    );
    assert.match(html, /data-figure="Break-glass pending review">0</);
  });

  it('shows the latest review when a later one supersedes, and counts them; a review after the window counts', () => {
    const records = [
      ...RECORDS,
      review('2026-03-04T08:00:00.000Z', 'inappropriate'),
      review('2026-03-02T09:15:00.000Z', 'appropriate'),
    ];
    const use = useOf(records);
    assert.deepEqual(
      [use.outcome, use.reviewedAt, use.reviews],
      ['inappropriate', '2026-03-04T08:00:00.000Z', 2],
    );
    assert.match(
      renderAuditReport({ records, verification: OK, ...PERIOD }),
      /<td>inappropriate by priya@example\.org, 2026-03-04T08:00:00\.000Z \(latest of 2 reviews\)<\/td>/,
    );
  });

  it('ignores a review of another request', () => {
    const other = { ...review('2026-03-02T09:15:00.000Z', 'appropriate') };
    other.event = { ...other.event, requestId: 'r4' } as AuditEvent;
    assert.equal(useOf([...RECORDS, other]).review, 'pending');
  });
});
