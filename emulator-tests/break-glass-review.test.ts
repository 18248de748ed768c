// A break-glass use reviewed after the fact, through the local stack: an ER physician's emergency query, the
// privacy officer's review with `warden approvals review-break-glass`, and `warden audit report` showing the
// use reviewed from the signed trail (45 CFR 164.312(a)(2)(ii)).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { approvalsCommand } from '../cli/approvals/cli.ts';
import { auditCommand } from '../cli/audit/cli.ts';
import { auditRecordsFor, PRIYA, theStack, tokenFor } from './harness.ts';

async function warden(
  command: typeof approvalsCommand | typeof auditCommand,
  args: string[],
): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await command(args, theStack().info.stateDir, {
    out: (l: string) => void out.push(l),
    err: (l: string) => void err.push(l),
    progress: () => {},
  });
  return { code, out, err };
}

describe('break-glass review through the local stack', () => {
  const started = new Date(Date.now() - 1000);
  let requestId: string;

  before(async () => {
    const client = new Client({ name: 'warden-break-glass', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(theStack().info.mcpUrl), {
        requestInit: {
          headers: { authorization: `Bearer ${await tokenFor('ed@example.org', ['er-physicians'])}` },
        },
      }),
    );
    const result = await client.callTool({
      name: 'execute_sql',
      arguments: {
        projectId: 'demo-warden',
        query: 'SELECT first_name FROM `demo-warden.clinical.patients` ORDER BY patient_id LIMIT 2',
        breakGlass: true,
        reason: 'unconscious patient in bay 3',
      },
    });
    await client.close();
    assert.notEqual(result.isError, true, JSON.stringify(result.content));
    requestId = (result.structuredContent as { requestId: string }).requestId;
  });

  it('lists the use as pending, refuses the ER physician, records the review, and the report shows it', async () => {
    const priya = ['--token', await tokenFor(PRIYA[0], [...PRIYA[1]])];
    const pending = await warden(approvalsCommand, ['break-glass', ...priya]);
    assert.equal(pending.code, 0, pending.err.join('\n'));
    assert.ok(
      pending.out.some((l) => l.startsWith(`${requestId}  pending`)),
      pending.out.join('\n'),
    );

    const ed = ['--token', await tokenFor('ed@example.org', ['er-physicians'])];
    const refused = await warden(approvalsCommand, [
      'review-break-glass',
      requestId,
      '--outcome',
      'appropriate',
      ...ed,
    ]);
    assert.equal(refused.code, 1);
    assert.match(refused.err.join('\n'), /may review break-glass uses\. \(request [^)]+\) \(HTTP 403/);

    const reviewed = await warden(approvalsCommand, [
      'review-break-glass',
      requestId,
      '--outcome',
      'appropriate',
      '--note',
      'ER admission log confirms',
      ...priya,
    ]);
    assert.equal(reviewed.code, 0, reviewed.err.join('\n'));
    assert.match(
      reviewed.out.join('\n'),
      /reviewed .* appropriate by priya@example\.org at \d{4}-\d\d-\d\dT[\d:.]+Z$/,
    );

    const events = (await auditRecordsFor(requestId)).map((r) => r.event);
    const review = events.find((e) => e.type === 'breakglass.reviewed');
    assert.ok(review && review.type === 'breakglass.reviewed', events.map((e) => e.type).join(', '));
    assert.equal(review.reviewer?.email, 'priya@example.org');
    assert.equal(review.outcome, 'appropriate');
    assert.equal(review.user?.email, 'ed@example.org');

    const out = join(theStack().info.stateDir, 'break-glass-report.html');
    const report = await warden(auditCommand, [
      'report',
      '--from',
      started.toISOString(),
      '--to',
      new Date().toISOString(),
      '--out',
      out,
    ]);
    assert.equal(report.code, 0, [...report.out, ...report.err].join('\n'));
    const html = readFileSync(out, 'utf8');
    const row = new RegExp(`<tr>(?:(?!</tr>).)*<code>${requestId}</code></td></tr>`, 's').exec(
      html.slice(html.indexOf('id="h-breakglass"')),
    )?.[0];
    assert.ok(row, 'the use has a row in the break-glass table');
    assert.match(row, /<td>appropriate by priya@example\.org, \d{4}-\d\d-\d\dT[\d:.]+Z<\/td>/);
  });
});
