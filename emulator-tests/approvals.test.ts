// Just-in-time approvals end to end on the real Firestore and Pub/Sub emulators: park → approve by another
// person → the executor (Pub/Sub push) runs exactly the parked SQL once → the requester alone fetches the
// result; refusals; concurrency and redelivery.

import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createPubSubClient } from '../shared/adapters/clients.ts';
import { auditRecords, theStack, tokenFor } from './harness.ts';

/** Short in `npm test`; WARDEN_STRESS=1 (npm run test:stress) raises the counts (docs/reliability.md). */
const STRESS = process.env['WARDEN_STRESS'] === '1';
const REDELIVERIES = STRESS ? 500 : 100;
const APPROVERS = STRESS ? 200 : 50;

const PHI_QUERY =
  'SELECT patient_id, birth_date FROM `demo-warden.clinical.patients` ORDER BY patient_id LIMIT 3';

async function mcp(email: string, groups: string[]) {
  const client = new Client({ name: 'approvals-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(theStack().info.mcpUrl), {
      requestInit: { headers: { authorization: `Bearer ${await tokenFor(email, groups)}` } },
    }),
  );
  return client;
}

async function api(email: string, groups: string[], method: string, path: string, body?: unknown) {
  const approving = /^\/approvals\/([^/:]+):approve$/.exec(path);
  if (approving && typeof body === 'object' && body !== null && !('binding' in body)) {
    // An approval names the binding its approver reviewed: here, the one an approver of the request sees.
    const shown = await fetch(`${theStack().info.gatewayUrl}/approvals/${approving[1]}`, {
      headers: { authorization: `Bearer ${await tokenFor('priya@example.org', ['privacy-office'])}` },
    });
    const binding = ((await shown.json()) as { bindingSha256?: string }).bindingSha256;
    if (binding) body = { ...body, binding };
  }
  const res = await fetch(`${theStack().info.gatewayUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${await tokenFor(email, groups)}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & { state?: string; error?: { kind: string } },
  };
}

async function park(client: Client, reason = 'readmission study'): Promise<string> {
  const result = await client.callTool({
    name: 'execute_sql',
    arguments: { projectId: 'demo-warden', query: PHI_QUERY, reason },
  });
  assert.notEqual(result.isError, true, JSON.stringify(result.content));
  const out = result.structuredContent as { requestId: string; state: string; waitingFor: string };
  assert.equal(out.state, 'PENDING');
  assert.match(out.waitingFor, /1 more approval from privacy-office, expires in/);
  return out.requestId;
}

async function status(client: Client, requestId: string) {
  const result = await client.callTool({ name: 'get_query_status', arguments: { requestId } });
  return {
    isError: result.isError === true,
    out: result.structuredContent as { state: string } | undefined,
    text: JSON.stringify(result.content),
  };
}

async function until(client: Client, requestId: string, state: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const s = await status(client, requestId);
    if (s.out?.state === state) return;
    if (Date.now() > deadline) assert.fail(`request ${requestId} is ${s.out?.state}, not ${state}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The request's audit records once `type` is among them (the executor records a transition just after it). */
async function recordedUntil(requestId: string, type: string) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const mine = (await auditRecords()).filter((r) => r.event.requestId === requestId);
    if (mine.some((r) => r.event.type === type)) return mine;
    if (Date.now() > deadline) assert.fail(`no ${type} record for ${requestId}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('approvals: the whole flow', function () {
  this.timeout(120_000);
  let ann: Client;
  let id: string;
  before(async () => {
    ann = await mcp('ann@example.org', ['analysts']);
    id = await park(ann);
  });
  after(() => ann.close());

  it('announces the parked request to approvers through the notifier, without its SQL', async () => {
    const deadline = Date.now() + 20_000;
    let mine: Record<string, unknown> | undefined;
    while (!mine && Date.now() < deadline) {
      const messages = (await (await fetch(`${theStack().info.chatInboxUrl}/messages`)).json()) as Record<
        string,
        unknown
      >[];
      mine = messages.find((m) => JSON.stringify(m).includes(id));
      if (!mine) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(mine, 'the chat inbox received a message about the request');
    assert.match(String(mine['text']), /^Approval needed: ann@example\.org wants to run a SELECT query/);
    assert.match(JSON.stringify(mine), /console\/requests\//);
    assert.doesNotMatch(JSON.stringify(mine), /birth_date|readmission study/, 'no SQL, no reason');
  });

  it('shows the requester the parked request and hides it from others', async () => {
    assert.equal((await status(ann, id)).out?.state, 'PENDING');
    const eve = await mcp('eve@example.org', ['analysts']);
    const other = await status(eve, id);
    await eve.close();
    assert.equal(other.isError, true);
    assert.match(other.text, /No request .* of yours exists/);
  });

  const refusals = [
    {
      name: 'self-approval',
      who: ['ann@example.org', ['analysts', 'privacy-office']] as const,
      body: { reason: 'mine' },
      status: 403,
    },
    {
      name: 'an approver outside the groups',
      who: ['dan@example.org', ['analysts']] as const,
      body: { reason: 'ok' },
      status: 403,
    },
    {
      name: 'a decision without a reason',
      who: ['priya@example.org', ['privacy-office']] as const,
      body: {},
      status: 400,
    },
  ];
  for (const c of refusals) {
    it(`refuses ${c.name}`, async () => {
      const res = await api(c.who[0], [...c.who[1]], 'POST', `/approvals/${id}:approve`, c.body);
      assert.equal(res.status, c.status, JSON.stringify(res.body));
    });
  }

  it('lists the pending request for an approver, with its SQL and reason', async () => {
    const res = await api('priya@example.org', ['privacy-office'], 'GET', '/approvals?state=PENDING');
    const found = (res.body['requests'] as { id: string; sql: string; reason: string }[]).find(
      (r) => r.id === id,
    );
    assert.equal(found?.sql, PHI_QUERY);
    assert.equal(found?.reason, 'readmission study');
  });

  it('runs the approved query once and gives the masked result to the requester alone', async () => {
    const approved = await api('priya@example.org', ['privacy-office'], 'POST', `/approvals/${id}:approve`, {
      reason: 'IRB 2026-114',
    });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal(approved.body.state, 'APPROVED');
    const second = await api('pat@example.org', ['privacy-office'], 'POST', `/approvals/${id}:approve`, {
      reason: 'me too',
    });
    assert.equal(second.status, 409, 'no review after the decision');
    await until(ann, id, 'SUCCEEDED');
    const result = await ann.callTool({ name: 'get_query_result', arguments: { requestId: id } });
    assert.notEqual(result.isError, true, JSON.stringify(result.content));
    assert.equal((result.structuredContent as { rows: unknown[] }).rows.length, 3);
    const eve = await mcp('eve@example.org', ['analysts']);
    const stolen = await eve.callTool({ name: 'get_query_result', arguments: { requestId: id } });
    await eve.close();
    assert.equal(stolen.isError, true);

    const types: string[] = (await recordedUntil(id, 'approval.succeeded')).map((r) => r.event.type);
    for (const t of [
      'policy.decision',
      'approval.requested',
      'approval.approved',
      'approval.claimed',
      'query.start',
      'query.end',
      'approval.succeeded',
    ]) {
      assert.ok(types.includes(t), `${t} is recorded (have ${types.join(', ')})`);
    }
  });

  it(`runs nothing again when approval-decided is redelivered ${REDELIVERIES} times`, async () => {
    const pubsub = await createPubSubClient(theStack().info.projectId, theStack().info.endpoints.pubsub);
    const topic = pubsub.topic('approval-decided');
    await Promise.all(
      Array.from({ length: REDELIVERIES }, () =>
        topic.publishMessage({
          json: { requestId: id, state: 'APPROVED' },
          attributes: { requestId: id, state: 'APPROVED' },
        }),
      ),
    );
    await pubsub.close();
    await new Promise((r) => setTimeout(r, STRESS ? 10_000 : 3000));
    const starts = (await auditRecords()).filter(
      (r) => r.event.type === 'query.start' && r.event.requestId === id,
    );
    assert.equal(starts.length, 1);
  });
});

describe('approvals: races and expiry', function () {
  this.timeout(120_000);

  it(`lets ${APPROVERS} concurrent approvals produce exactly one decision and one execution`, async () => {
    const ann = await mcp('ann@example.org', ['analysts']);
    const id = await park(ann, 'race');
    const answers = await Promise.all(
      Array.from({ length: APPROVERS }, (_, i) =>
        api(`approver${i}@example.org`, ['privacy-office'], 'POST', `/approvals/${id}:approve`, {
          reason: `ok ${i}`,
        }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    const decided = statuses.filter((s) => s === 200).length;
    const tally = (s: number) => statuses.filter((x) => x === s).length;
    console.log(`      ${APPROVERS} approvals: ${decided} × 200, ${tally(409)} × 409, ${tally(503)} × 503`);
    assert.ok(decided <= 1, JSON.stringify(statuses));
    // Under heavy contention Firestore may abort transactions: those approvals fail closed with 503.
    assert.ok(
      statuses.every((s) => s === 200 || s === 409 || s === 503),
      JSON.stringify(statuses),
    );
    if (decided === 0) {
      // Every approval lost the race: nothing was decided, and an approver's retry goes through.
      const deadline = Date.now() + 30_000;
      let retry = await api(
        'approver-retry@example.org',
        ['privacy-office'],
        'POST',
        `/approvals/${id}:approve`,
        {
          reason: 'retry',
        },
      );
      while (retry.status === 503 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        retry = await api(
          'approver-retry@example.org',
          ['privacy-office'],
          'POST',
          `/approvals/${id}:approve`,
          {
            reason: 'retry',
          },
        );
      }
      assert.equal(retry.status, 200, JSON.stringify(retry.body));
    }
    await until(ann, id, 'SUCCEEDED');
    await ann.close();
    const records = (await auditRecords()).filter((r) => r.event.requestId === id);
    assert.equal(records.filter((r) => r.event.type === 'approval.approved').length, 1);
    assert.equal(records.filter((r) => r.event.type === 'query.start').length, 1);
  });

  it('lets the requester cancel, and no one approve afterwards', async () => {
    const ann = await mcp('ann@example.org', ['analysts']);
    const id = await park(ann, 'changed my mind');
    await ann.close();
    assert.equal(
      (
        await api('ann@example.org', ['analysts'], 'POST', `/approvals/${id}:cancel`, {
          reason: 'not needed',
        })
      ).body.state,
      'CANCELLED',
    );
    assert.equal(
      (
        await api('priya@example.org', ['privacy-office'], 'POST', `/approvals/${id}:approve`, {
          reason: 'late',
        })
      ).status,
      409,
    );
  });
});

describe('approvals: expiry and quorum, on requests parked in the gateway Firestore', function () {
  this.timeout(60_000);

  async function parkDirectly(id: string, created: Date, quorum: number) {
    const { Firestore } = await import('@google-cloud/firestore');
    const { FirestoreApprovalStore } = await import('../shared/adapters/firestore/approval-store.ts');
    const { createApprovalRequest } = await import('../shared/core/approval/approval.ts');
    const { approvalDecision, FACTS } = await import('../shared/core/approval/test-fixtures.ts');
    const info = theStack().info;
    const db = new Firestore({ projectId: info.projectId });
    try {
      await new FirestoreApprovalStore(db).create(
        createApprovalRequest({
          id,
          requester: {
            subject: 'ann',
            issuer: info.issuer,
            email: 'ann@example.org',
            groups: ['analysts'],
            actorChain: [],
          },
          projectId: 'demo-warden',
          sql: PHI_QUERY,
          facts: FACTS,
          decision: approvalDecision({ groups: ['privacy-office'], quorum, ttlSeconds: 3600 }),
          now: created,
        }),
      );
    } finally {
      await db.terminate();
    }
  }

  it('refuses a review after expiry (412), and reports the request EXPIRED', async () => {
    const id = `expired-${Date.now()}`;
    await parkDirectly(id, new Date(Date.now() - 2 * 3_600_000), 1);
    const res = await api('priya@example.org', ['privacy-office'], 'POST', `/approvals/${id}:approve`, {
      reason: 'too late',
    });
    assert.equal(res.status, 412, JSON.stringify(res.body));
    const shown = await api('priya@example.org', ['privacy-office'], 'GET', `/approvals/${id}`);
    assert.equal(shown.body.state, 'EXPIRED');
  });

  it('counts each approver once: a second review by the same approver is refused (403)', async () => {
    const id = `quorum-${Date.now()}`;
    await parkDirectly(id, new Date(), 2);
    const first = await api('priya@example.org', ['privacy-office'], 'POST', `/approvals/${id}:approve`, {
      reason: 'IRB 1',
    });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.state, 'PENDING', 'one of two approvals');
    const again = await api('priya@example.org', ['privacy-office'], 'POST', `/approvals/${id}:approve`, {
      reason: 'IRB 1 again',
    });
    assert.equal(again.status, 403, JSON.stringify(again.body));
    const second = await api('pat@example.org', ['privacy-office'], 'POST', `/approvals/${id}:approve`, {
      reason: 'IRB 2',
    });
    assert.equal(second.status, 200);
    assert.equal(second.body.state, 'APPROVED');
  });
});

describe('approvals: a result too large for a Firestore document', function () {
  this.timeout(120_000);

  it('keeps it masked in the results bucket, and gives it whole to the requester alone', async () => {
    const ann = await mcp('ann@example.org', ['analysts']);
    // ~1,000 rows of ~1.2 kB: well above the 900 kB a result document may hold.
    const query =
      "SELECT p.patient_id, n, REPEAT('x', 1200) AS pad FROM `demo-warden.clinical.patients` p " +
      'CROSS JOIN UNNEST(GENERATE_ARRAY(1, 5)) AS n ORDER BY p.patient_id, n';
    const parked = await ann.callTool({
      name: 'execute_sql',
      arguments: { projectId: 'demo-warden', query, reason: 'cohort export' },
    });
    assert.notEqual(parked.isError, true, JSON.stringify(parked.content));
    const id = (parked.structuredContent as { requestId: string }).requestId;
    const approved = await api('priya@example.org', ['privacy-office'], 'POST', `/approvals/${id}:approve`, {
      reason: 'IRB 2026-115',
    });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    await until(ann, id, 'SUCCEEDED');

    const succeeded = (await recordedUntil(id, 'approval.succeeded')).find(
      (r) => r.event.type === 'approval.succeeded',
    );
    assert.match(String(succeeded?.event['resultLocation']), /^gs:\/\/warden-results-local\/results\//);
    const result = await ann.callTool({ name: 'get_query_result', arguments: { requestId: id } });
    assert.notEqual(result.isError, true, JSON.stringify(result.content).slice(0, 500));
    const rows = (result.structuredContent as { rows: { patient_id: unknown; pad: string }[] }).rows;
    assert.equal(rows.length, 1000);
    assert.equal(rows[0]!.pad, 'x'.repeat(1200));
    assert.doesNotMatch(JSON.stringify(rows), /\b\d{3}-\d{2}-\d{4}\b/, 'no SSN-shaped value');
    const eve = await mcp('eve@example.org', ['analysts']);
    const stolen = await eve.callTool({ name: 'get_query_result', arguments: { requestId: id } });
    assert.equal(stolen.isError, true);
    await eve.close();
    await ann.close();
  });
});

describe('warden approvals (CLI on the approvals API)', function () {
  this.timeout(60_000);
  it('lists, refuses a reasonless denial, and denies with a reason', async () => {
    const { approvalsCommand } = await import('../cli/approvals/cli.ts');
    const ann = await mcp('ann@example.org', ['analysts']);
    const id = await park(ann, 'cli test');
    await ann.close();
    const lines: string[] = [];
    const io = { out: (l: string) => void lines.push(l), err: (l: string) => void lines.push(`ERR ${l}`) };
    const base = [
      '--url',
      theStack().info.gatewayUrl,
      '--token',
      await tokenFor('priya@example.org', ['privacy-office']),
    ];
    assert.equal(
      await approvalsCommand(['list', '--state', 'pending', ...base], theStack().info.stateDir, io),
      0,
    );
    assert.ok(
      lines.some(
        (l) => l.startsWith(id) && l.includes('PENDING') && l.includes('analysts-phi-with-approval'),
      ),
    );
    // A denial without its reason is a command-line mistake: exit 2, before anything is sent.
    assert.equal(await approvalsCommand(['deny', id, ...base], theStack().info.stateDir, io), 2);
    assert.ok(lines.some((l) => l.includes('ERR') && l.includes('needs --reason')));
    assert.equal(
      await approvalsCommand(
        ['deny', id, '--reason', 'not minimum necessary', ...base],
        theStack().info.stateDir,
        io,
      ),
      0,
    );
    assert.match(lines.at(-1) ?? '', /"state": "DENIED"/);
  });
});

describe('approvals: the binding holds against writes to the stored request', function () {
  this.timeout(120_000);

  // Someone with write access to Firestore (not to the gateway's key) changes a parked request: the SQL, its
  // masking profile and its row limit, and recomputes the binding hash so it looks consistent.
  async function tamper(id: string): Promise<string> {
    const { Firestore } = await import('@google-cloud/firestore');
    const { FirestoreApprovalStore } = await import('../shared/adapters/firestore/approval-store.ts');
    const { approvalBindingSha256 } = await import('../shared/core/approval/approval.ts');
    const db = new Firestore({ projectId: theStack().info.projectId });
    try {
      const store = new FirestoreApprovalStore(db);
      const { after } = await store.update(id, (r) => {
        const changed = {
          ...r,
          sql: 'SELECT patient_id, ssn FROM `demo-warden.clinical.patients` ORDER BY patient_id LIMIT 3',
          decision: { ...r.decision, maskingProfile: 'none', rowLimit: 100_000 },
        };
        return { ...changed, bindingSha256: approvalBindingSha256(changed) };
      });
      return after.bindingSha256;
    } finally {
      await db.terminate();
    }
  }

  it('refuses the approval an approver gave to the request as they saw it', async () => {
    const ann = await mcp('ann@example.org', ['analysts']);
    const id = await park(ann, 'binding test');
    const seen = await api('priya@example.org', ['privacy-office'], 'GET', `/approvals/${id}`);
    await tamper(id);
    const approved = await api('priya@example.org', ['privacy-office'], 'POST', `/approvals/${id}:approve`, {
      reason: 'IRB 2026-116',
      binding: seen.body['bindingSha256'],
    });
    assert.equal(approved.status, 409, JSON.stringify(approved.body));
    await ann.close();
  });

  it('refuses to run it even when the approver approves the altered binding: its signature is the gateway’s', async () => {
    const ann = await mcp('ann@example.org', ['analysts']);
    const id = await park(ann, 'binding test 2');
    const altered = await tamper(id);
    const approved = await api('priya@example.org', ['privacy-office'], 'POST', `/approvals/${id}:approve`, {
      reason: 'IRB 2026-117',
      binding: altered,
    });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    await until(ann, id, 'FAILED');
    const records = await recordedUntil(id, 'approval.failed');
    const failed = records.find((r) => r.event.type === 'approval.failed');
    assert.match(JSON.stringify(failed?.event), /binding does not verify/);
    assert.deepEqual(
      records.filter((r) => r.event.type === 'query.start'),
      [],
      'the altered query never ran',
    );
    await ann.close();
  });
});

describe('approvals: identities as the separation of duties compares them', function () {
  this.timeout(120_000);

  /** POST with extra headers (the `api` helper sends only the bearer token). */
  async function approveAs(id: string, bearer: string, headers: Record<string, string> = {}) {
    const shown = await api('priya@example.org', ['privacy-office'], 'GET', `/approvals/${id}`);
    const res = await fetch(`${theStack().info.gatewayUrl}/approvals/${id}:approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ reason: 'IRB 2026-118', binding: shown.body['bindingSha256'] }),
    });
    return res.status;
  }

  const attempts: { name: string; approve: (id: string) => Promise<number>; status: number }[] = [
    {
      name: "the requester's plus-address, in the approver group",
      approve: async (id) => approveAs(id, await tokenFor('ann+approver@example.org', ['privacy-office'])),
      status: 403,
    },
    {
      name: "the requester's address in capitals with a trailing space",
      approve: async (id) => approveAs(id, await tokenFor(' ANN@example.org ', ['privacy-office'])),
      status: 403,
    },
    {
      name: "a service with no groups carrying an approver's token on behalf of her",
      approve: async (id) =>
        approveAs(id, await tokenFor('mcp-server@example.org', []), {
          'x-warden-on-behalf-of': await tokenFor('priya@example.org', ['privacy-office'], {
            audience: theStack().info.onBehalfOfAudience,
          }),
        }),
      status: 403,
    },
  ];
  for (const a of attempts)
    it(`refuses an approval by ${a.name}, with an approval.refused record`, async () => {
      const ann = await mcp('ann@example.org', ['analysts']);
      const id = await park(ann, 'identity test');
      assert.equal(await a.approve(id), a.status);
      const refused = (await recordedUntil(id, 'approval.refused')).find(
        (r) => r.event.type === 'approval.refused',
      );
      assert.equal((refused?.event['error'] as { kind?: string } | undefined)?.kind, 'forbidden');
      const status = await ann.callTool({ name: 'get_query_status', arguments: { requestId: id } });
      assert.equal((status.structuredContent as { state?: string }).state, 'PENDING');
      await ann.close();
    });

  it('refuses a request reason made of zero-width characters', async () => {
    const ann = await mcp('ann@example.org', ['analysts']);
    const result = await ann.callTool({
      name: 'execute_sql',
      arguments: {
        projectId: 'demo-warden',
        query: PHI_QUERY,
        reason: '\u200b\u200b\u200b\u200b\u200b\u200b',
      },
    });
    assert.equal(result.isError, true);
    assert.match(JSON.stringify(result.content), /requires a reason/);
    await ann.close();
  });
});
