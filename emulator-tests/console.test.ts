// The approvers' console and the auditors' report in headless Chromium against the local stack: sign in with
// the development issuer (authorization code + PKCE), approve a parked request, watch it run; the request page's
// audit records and their verification (on a gateway with CONSOLE_AUDIT_READ); the report's figures.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { runAuditReport, summarizeAudit } from '../cli/audit/report.ts';
import { REPO_ROOT, startFunction } from '../dev/stack.ts';
import { createKmsClient } from '../shared/adapters/kms/client.ts';
import { KmsKeyService } from '../shared/adapters/kms/key-service.ts';
import { verifyTrail } from '../shared/core/audit/verify.ts';
import { freePort } from '../standins/net.ts';
import { auditObjects, auditRecords, theStack, tokenFor } from './harness.ts';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const PHI_QUERY =
  'SELECT patient_id, birth_date FROM `demo-warden.clinical.patients` ORDER BY patient_id LIMIT 3';

/** The binding an approver is shown for request `id` (and names when approving it). */
async function bindingOf(id: string): Promise<string> {
  const res = await fetch(`${theStack().info.gatewayUrl}/approvals/${id}`, {
    headers: { authorization: `Bearer ${await tokenFor('priya@example.org', ['privacy-office'])}` },
  });
  return String(((await res.json()) as { bindingSha256?: string }).bindingSha256);
}

/** A fresh Chromium profile; fails with the install command when Chromium is missing. */
async function launch(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: run \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`,
    );
  const profile = mkdtempSync(join(tmpdir(), 'warden-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Parks the PHI query as an analyst; returns the request id. */
async function park(reason: string): Promise<string> {
  const client = new Client({ name: 'console-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(theStack().info.mcpUrl), {
      requestInit: {
        headers: { authorization: `Bearer ${await tokenFor('ann@example.org', ['analysts'])}` },
      },
    }),
  );
  try {
    const result = await client.callTool({
      name: 'execute_sql',
      arguments: { projectId: 'demo-warden', query: PHI_QUERY, reason },
    });
    const out = result.structuredContent as { requestId: string; state: string };
    assert.equal(out.state, 'PENDING', JSON.stringify(result.content));
    return out.requestId;
  } finally {
    await client.close();
  }
}

/** Signs in through the development issuer's form from a console page showing the sign-in button. */
async function signIn(page: Page, email: string, groups: string): Promise<void> {
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/authorize');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Groups (comma-separated)').fill(groups);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText(email).first().waitFor();
}

/** Collects console errors and CSP violations, which a page must not produce. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

describe('console (headless Chromium)', function () {
  this.timeout(180_000);
  let browser: { context: BrowserContext; close: () => Promise<void> };
  let id: string;
  let gateway: string;

  before(async () => {
    gateway = theStack().info.gatewayUrl;
    browser = await launch();
    id = await park('console e2e');
  });
  after(() => browser?.close());

  it('serves the console with a strict CSP and no inline script', async () => {
    const res = await fetch(`${gateway}/console`);
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    const html = await res.text();
    assert.doesNotMatch(html, /<script>|<script(?![^>]*\bsrc=)[^>]*>/);
    const config = (await (await fetch(`${gateway}/console/config.json`)).json()) as Record<string, string>;
    assert.equal(config['authorizationEndpoint'], `${theStack().info.issuer}/authorize`);
    assert.equal(config['clientId'], gateway);
  });

  it('signs in, approves a parked request, and shows it executing to SUCCEEDED', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${gateway}/console`);
    await signIn(page, 'priya@example.org', 'privacy-office');
    assert.equal(new URL(page.url()).pathname, '/console', 'back on the console after the callback');

    const card = page.locator(`article[data-request-id="${id}"]`);
    await card.waitFor();
    assert.equal(await card.locator('pre.sql').innerText(), PHI_QUERY);
    assert.ok((await card.locator('pre.sql .t-k').allInnerTexts()).includes('SELECT'), 'SQL is highlighted');
    const facts = await card.locator('dl.facts').innerText();
    assert.match(facts, /ann@example\.org \(analysts\)/);
    assert.match(facts, /analysts-phi-with-approval/);
    assert.match(facts, /Time left\s+\d+ h \d+ min/);
    // What the approver approves: the masking profile and the release caps, and whether the SQL was analysed.
    assert.match(facts, /Masking profile\s+safe-harbor/);
    assert.match(facts, /Released at most\s+1000 values, 50000 cells, 5\.2\d? MB/);
    assert.match(facts, /SQL analysis\s+complete/);
    await card.locator('.tables .badge.phi').first().waitFor();
    assert.match(await card.locator('.tables').innerText(), /demo-warden\.clinical\.patients PHI/);

    await card.getByRole('button', { name: 'Approve' }).click();
    assert.match(await card.locator('.form-status').innerText(), /A reason is required/);
    await card.getByLabel('Reason for your decision').fill('IRB 2026-114, minimum necessary');
    await card.getByRole('button', { name: 'Approve' }).click();

    await page.waitForURL((url) => url.pathname === `/console/requests/${id}`);
    await page.locator('#state', { hasText: 'SUCCEEDED' }).waitFor({ timeout: 60_000 });
    const execution = await page.locator('section', { has: page.locator('#h-exec') }).innerText();
    assert.match(execution, /Rows\s+3/);
    assert.match(await page.locator('main').innerText(), /Approved by priya@example\.org: “IRB 2026-114/);
    assert.match(await page.locator('main').innerText(), /CONSOLE_AUDIT_READ is off/);

    await page.getByRole('link', { name: 'History' }).click();
    const row = page.locator('table.history tr', { has: page.getByRole('link', { name: id.slice(0, 8) }) });
    assert.match(await row.innerText(), /SUCCEEDED/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('denies with a reason from the pending list', async () => {
    const other = await park('console deny');
    const page = await browser.context.newPage();
    await page.goto(`${gateway}/console`);
    // Same profile and origin, but sessionStorage is per tab: sign in again.
    await signIn(page, 'pat@example.org', 'privacy-office');
    const card = page.locator(`article[data-request-id="${other}"]`);
    await card.getByLabel('Reason for your decision').fill('not minimum necessary');
    await card.getByRole('button', { name: 'Deny' }).click();
    await page.locator('#state', { hasText: 'DENIED' }).waitFor();
    await page.close();
  });

  it('refuses a code exchange without the right PKCE verifier', async () => {
    const issuer = theStack().info.issuer;
    const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'; // RFC 7636 appendix B
    const form = new URLSearchParams({
      client_id: gateway,
      redirect_uri: `${gateway}/console/callback`,
      response_type: 'code',
      state: 's',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      email: 'mallory@example.org',
      groups: 'privacy-office',
    });
    const authorized = await fetch(`${issuer}/authorize`, { method: 'POST', body: form, redirect: 'manual' });
    assert.equal(authorized.status, 302);
    const code = new URL(authorized.headers.get('location')!).searchParams.get('code')!;
    const exchange = (verifier: string) =>
      fetch(`${issuer}/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          client_id: gateway,
          redirect_uri: `${gateway}/console/callback`,
          code_verifier: verifier,
        }),
      });
    assert.equal((await exchange('x'.repeat(43))).status, 400);
    // The code was spent by the failed attempt: even the right verifier is refused now.
    assert.equal((await exchange('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).status, 400);
  });
});

describe('console request page with CONSOLE_AUDIT_READ (headless Chromium)', function () {
  this.timeout(180_000);
  let browser: { context: BrowserContext; close: () => Promise<void> };
  let stopGateway: (() => Promise<void>) | undefined;
  let url: string;

  before(async () => {
    browser = await launch();
    // A second gateway on the same stack, configured to read the audit trail (off by default: least privilege).
    const info = theStack().info;
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    stopGateway = await startFunction(
      'gateway',
      port,
      join(info.stateDir, 'logs'),
      {
        PROJECT_ID: info.projectId,
        AUDIT_BUCKET: info.auditBucket,
        AUDIT_KMS_KEY_VERSION: info.auditKeyVersion,
        KMS_API_ENDPOINT: info.endpoints.kms,
        STORAGE_API_ENDPOINT: info.endpoints.storage,
        BIGQUERY_API_ENDPOINT: info.endpoints.bigquery,
        FIRESTORE_EMULATOR_HOST: info.endpoints.firestore,
        PUBSUB_EMULATOR_HOST: info.endpoints.pubsub,
        GCE_METADATA_HOST: info.gatewayMetadataHost,
        PUBLIC_URL: url,
        OIDC_ISSUERS: info.issuer,
        POLICY_PATH: join(REPO_ROOT, 'dev', 'policy.yaml'),
        EXECUTOR_URL: info.executorUrl,
        CONSOLE_AUDIT_READ: 'true',
      },
      { logName: 'gateway-audit-read' },
    );
  });
  after(async () => {
    await browser?.close();
    await stopGateway?.();
  });

  it("shows a request's audit records, each verified", async () => {
    const id = await park('console audit view');
    const approve = await fetch(`${theStack().info.gatewayUrl}/approvals/${id}:approve`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await tokenFor('priya@example.org', ['privacy-office'])}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ reason: 'audit view test', binding: await bindingOf(id) }),
    });
    assert.equal(approve.status, 200);
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${url}/console/requests/${id}`);
    await signIn(page, 'priya@example.org', 'privacy-office');
    assert.equal(new URL(page.url()).pathname, `/console/requests/${id}`, 'sign-in returns to the page');
    await page.locator('#state', { hasText: 'SUCCEEDED' }).waitFor({ timeout: 60_000 });
    await page.locator('#verification.ok').waitFor({ timeout: 30_000 });
    const types = await page
      .locator('table.audit tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-type')));
    for (const t of [
      'policy.decision',
      'approval.requested',
      'approval.approved',
      'query.end',
      'approval.succeeded',
    ])
      assert.ok(types.includes(t), `${t} is shown (have ${types.join(', ')})`);
    const statuses = await page.locator('table.audit tbody td:last-child').allInnerTexts();
    assert.ok(statuses.length > 0 && statuses.every((s) => s.includes('verified')), statuses.join(' | '));
    assert.deepEqual(errors, []);
    await page.close();
  });
});

describe('warden audit report (opened in headless Chromium)', function () {
  this.timeout(120_000);

  it('shows the figures of the trail and its verification', async () => {
    const info = theStack().info;
    const id = await park('report test');
    const approved = await fetch(`${info.gatewayUrl}/approvals/${id}:approve`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await tokenFor('priya@example.org', ['privacy-office'])}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ reason: 'report test', binding: await bindingOf(id) }),
    });
    assert.equal(approved.status, 200);
    // Wait for the executor to record the run.
    const deadline = Date.now() + 30_000;
    while (
      !(await auditRecords()).some((r) => r.event.type === 'approval.succeeded' && r.event.requestId === id)
    ) {
      assert.ok(Date.now() < deadline, 'the approved request ran');
      await new Promise((r) => setTimeout(r, 250));
    }
    const objects = await auditObjects();
    const pem = await new KmsKeyService(await createKmsClient(info.endpoints.kms)).getPublicKeyPem(
      info.auditKeyVersion,
    );
    const verification = verifyTrail(objects, pem);
    assert.ok(verification.ok, JSON.stringify(verification.problems.slice(0, 3)));
    const records = await auditRecords();
    const from = new Date(Date.now() - 3600_000);
    const to = new Date(Date.now() + 60_000);
    const dir = mkdtempSync(join(tmpdir(), 'warden-report-'));
    const out = join(dir, 'report.html');
    const browser = await launch();
    try {
      const figures = runAuditReport({ from, to, out, records, verification });
      assert.deepEqual(figures, summarizeAudit({ records, from, to }));
      const page = await browser.context.newPage();
      const errors = watchErrors(page);
      await page.goto(pathToFileURL(out).href);
      assert.match(await page.locator('#verification').innerText(), /^Verification passed: \d+ records/);
      const figure = (name: string) => page.locator(`[data-figure="${name}"]`).innerText();
      assert.equal(await figure('Approvals requested'), String(figures.approvalStats.requested));
      assert.equal(await figure('Query requests'), String(figures.requests));
      assert.ok(figures.approvalStats.approved >= 1);
      const row = await page.locator('#approvals tr', { hasText: id }).innerText();
      assert.match(
        row,
        /ann@example\.org\s+analysts-phi-with-approval\s+APPROVED\s+priya@example\.org\s+report test/,
      );
      assert.match(row, /SUCCEEDED/);
      const ann = await page.locator('#principals tr', { hasText: 'ann@example.org' }).first().innerText();
      const annFigures = figures.principals.find((p) => p.principal === 'ann@example.org')!;
      assert.ok(annFigures.approvalRequired >= 1 && annFigures.executions >= 1);
      assert.match(ann, new RegExp(`^ann@example\\.org\\s+${annFigures.requests}\\s`));
      assert.match(
        await page.locator('#tables tr', { hasText: 'demo-warden.clinical.patients' }).innerText(),
        /PHI/,
      );
      assert.equal(await page.locator('svg[role="img"]').count(), 2, 'activity and principal charts');
      assert.equal(await page.locator('script').count(), 0);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
