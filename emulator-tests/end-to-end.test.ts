// One query end to end, every hop real: MCP SDK client → gateway (OIDC, dry run, policy) → executor (KMS
// credential, BigQuery) → rows, with signed, chained audit records in the local audit bucket.

import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createKmsClient } from '../shared/adapters/kms/client.ts';
import { KmsKeyService } from '../shared/adapters/kms/key-service.ts';
import { recordsIn } from '../shared/core/audit/trail.ts';
import { verifyTrail } from '../shared/core/audit/verify.ts';
import { auditObjects, theStack, tokenFor } from './harness.ts';

async function connect(token: string): Promise<Client> {
  const client = new Client({ name: 'warden-e2e', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(theStack().info.mcpUrl), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

async function auditTrail() {
  const info = theStack().info;
  const objects = await auditObjects();
  const records = recordsIn(objects);
  const pem = await new KmsKeyService(await createKmsClient(info.endpoints.kms)).getPublicKeyPem(
    info.auditKeyVersion,
  );
  return { objects, records, pem };
}

describe('end to end: an allowed query through the local stack', () => {
  it('lists execute_sql and returns rows for an allowed query, with a verifiable audit trail', async () => {
    const client = await connect(await tokenFor('ann@example.org', ['analysts']));
    const { tools } = await client.listTools();
    const executeSql = tools.find((t) => t.name === 'execute_sql');
    assert.ok(executeSql, 'execute_sql is listed');
    // Google's argument shape, plus Warden's optional reason and breakGlass.
    const schema = executeSql.inputSchema as { properties: object; required: string[] };
    assert.deepEqual(Object.keys(schema.properties).sort(), [
      'breakGlass',
      'dryRun',
      'projectId',
      'query',
      'reason',
    ]);
    assert.deepEqual(schema.required.sort(), ['projectId', 'query']);

    const result = await client.callTool({
      name: 'execute_sql',
      arguments: {
        projectId: 'demo-warden',
        query: 'SELECT code, description FROM `demo-warden.reference.icd10_codes` ORDER BY code LIMIT 5',
      },
    });
    await client.close();
    assert.notEqual(result.isError, true, JSON.stringify(result.content));
    const out = result.structuredContent as {
      requestId: string;
      jobId: string;
      rows: { code: string; description: string }[];
      referencedTables: string[];
    };
    assert.equal(out.rows.length, 5);
    assert.ok(
      out.rows.every(
        (r) => typeof r.code === 'string' && r.code.length > 0 && typeof r.description === 'string',
      ),
    );
    assert.deepEqual(out.referencedTables, ['demo-warden.reference.icd10_codes']);
    assert.ok(out.jobId);

    const { objects, records, pem } = await auditTrail();
    const mine = records.filter((r) => r.event.requestId === out.requestId).map((r) => r.event.type);
    assert.deepEqual(
      mine.sort(),
      ['mcp.request', 'mcp.response', 'policy.decision', 'query.end', 'query.start'].sort(),
    );
    const end = records.find((r) => r.event.requestId === out.requestId && r.event.type === 'query.end');
    assert.equal(end?.event['jobId'], out.jobId);
    const decision = records.find(
      (r) => r.event.requestId === out.requestId && r.event.type === 'policy.decision',
    );
    assert.ok(decision, 'the decision is recorded');
    assert.equal((decision.event['decision'] as { rule: string }).rule, 'reference-data');
    assert.equal((decision.event['principal'] as { email: string }).email, 'ann@example.org');
    const report = verifyTrail(objects, pem);
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.deepEqual(new Set(report.streams.map((s) => s.writer)), new Set(['gateway', 'executor']));
  });

  it('denies by policy a PHI query from a caller without access, and runs nothing', async () => {
    const client = await connect(await tokenFor('ann@example.org', ['analysts']));
    const result = await client.callTool({
      name: 'execute_sql',
      arguments: { projectId: 'demo-warden', query: 'SELECT ssn FROM `demo-warden.clinical.patients`' },
    });
    await client.close();
    assert.equal(result.isError, true);
    assert.match(JSON.stringify(result.content), /Denied by policy rule \\"no-ssn-for-analysts\\"/);
    const { records } = await auditTrail();
    const requestId = /request ([0-9a-f-]{36})/.exec(JSON.stringify(result.content))?.[1];
    assert.ok(requestId);
    const types = records.filter((r) => r.event.requestId === requestId).map((r) => r.event.type);
    assert.ok(types.includes('policy.decision'));
    assert.ok(!types.includes('query.start'), 'a denied query never reaches the executor');
  });

  it('answers 401 with WWW-Authenticate and records the attempt when the token is missing or forged', async () => {
    const { mcpUrl } = theStack().info;
    const forged = `${(await tokenFor('eve@example.org', ['clinicians'])).slice(0, -4)}AAAA`;
    for (const auth of [
      undefined,
      `Bearer ${forged}`,
      `Bearer ${await tokenFor('eve@example.org', ['clinicians'], { audience: 'https://elsewhere' })}`,
    ]) {
      const res = await fetch(mcpUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...(auth ? { authorization: auth } : {}),
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      assert.equal(res.status, 401);
      // RFC 6750 section 3: error="invalid_token" when a token was sent and failed, the challenge alone when none was.
      const error = auth ? 'error="invalid_token", error_description="The bearer token is not valid.", ' : '';
      assert.match(
        res.headers.get('www-authenticate') ?? '',
        new RegExp(
          `^Bearer ${error}resource_metadata="http://127\\.0\\.0\\.1:\\d+/\\.well-known/oauth-protected-resource/mcp"$`,
        ),
      );
      const requestId = res.headers.get('x-warden-request-id');
      const { records } = await auditTrail();
      assert.ok(
        records.some((r) => r.event.requestId === requestId && r.event.type === 'mcp.unauthenticated'),
      );
    }
  });
});

describe('end to end: PHI decisions through the local stack', () => {
  const patientsQuery =
    'SELECT first_name, birth_date FROM `demo-warden.clinical.patients` ORDER BY patient_id LIMIT 3';

  it('runs an ER physician break-glass query with a reason and flags it for review', async () => {
    const client = await connect(await tokenFor('ed@example.org', ['er-physicians']));
    const result = await client.callTool({
      name: 'execute_sql',
      arguments: {
        projectId: 'demo-warden',
        query: patientsQuery,
        breakGlass: true,
        reason: 'unconscious patient in bay 3',
      },
    });
    await client.close();
    assert.notEqual(result.isError, true, JSON.stringify(result.content));
    const out = result.structuredContent as { requestId: string; rows: unknown[] };
    assert.equal(out.rows.length, 3);
    const { records } = await auditTrail();
    const decision = records.find(
      (r) => r.event.requestId === out.requestId && r.event.type === 'policy.decision',
    );
    assert.equal(decision?.event['breakGlass'], true);
    assert.equal(decision?.event['reviewRequired'], true);
    assert.equal(decision?.event['reason'], 'unconscious patient in bay 3');
    assert.equal((decision?.event['decision'] as { effect: string } | undefined)?.effect, 'break_glass');
  });

  it("parks an analyst's PHI query that needs approval, runs nothing, and says who must approve", async () => {
    const client = await connect(await tokenFor('ann@example.org', ['analysts']));
    const result = await client.callTool({
      name: 'execute_sql',
      arguments: { projectId: 'demo-warden', query: patientsQuery, reason: 'readmission study' },
    });
    await client.close();
    assert.notEqual(result.isError, true);
    const parked = result.structuredContent as {
      requestId: string;
      state: string;
      waitingFor: string;
      rows?: unknown;
    };
    assert.equal(parked.state, 'PENDING');
    assert.equal(parked.rows, undefined);
    assert.match(parked.waitingFor, /1 more approval from privacy-office/);
    const requestId = parked.requestId;
    const { records } = await auditTrail();
    const types = records.filter((r) => r.event.requestId === requestId).map((r) => r.event.type);
    assert.ok(types.includes('policy.decision') && !types.includes('query.start'));
  });

  it('classifies PHI from BigQuery metadata: SSN through SELECT * is denied to analysts', async () => {
    const client = await connect(await tokenFor('ann@example.org', ['analysts']));
    const result = await client.callTool({
      name: 'execute_sql',
      arguments: {
        projectId: 'demo-warden',
        query: 'SELECT * FROM `demo-warden.clinical.patients` LIMIT 1',
        reason: 'x',
      },
    });
    await client.close();
    assert.match(JSON.stringify(result.content), /no-ssn-for-analysts/);
  });
});

describe('end to end: masking in the executor', () => {
  it('masks SSNs for clinicians, aliased or not, and records what it masked (never the values)', async () => {
    const client = await connect(await tokenFor('cleo@example.org', ['clinicians']));
    const result = await client.callTool({
      name: 'execute_sql',
      arguments: {
        projectId: 'demo-warden',
        query:
          'SELECT patient_id, ssn, ssn AS x, first_name FROM `demo-warden.clinical.patients` ORDER BY patient_id LIMIT 3',
      },
    });
    await client.close();
    assert.notEqual(result.isError, true, JSON.stringify(result.content));
    const out = result.structuredContent as {
      requestId: string;
      rows: { ssn: string; x: string; first_name: string }[];
    };
    assert.equal(out.rows.length, 3);
    for (const r of out.rows) {
      assert.match(r.ssn, /^X+\d{4}$/, 'the ssn column is masked to its last four digits');
      assert.match(r.x, /^X+\d{4}$/, 'an aliased SSN keeps its column rule (lineage from the SQL)');
      assert.ok(r.first_name.length > 0 && !r.first_name.includes('['), 'clinicians keep names');
    }
    const { records } = await auditTrail();
    const end = records.find((r) => r.event.requestId === out.requestId && r.event.type === 'query.end');
    const summary = end?.event['masking'] as {
      profile: string;
      columns: { column: string; strategy: string }[];
      detectors: { kind: string; count: number }[];
    };
    assert.equal(summary.profile, 'clinician');
    assert.ok(summary.columns.some((c) => c.column === 'ssn'));
    assert.ok(summary.columns.some((c) => c.column === 'x' && c.strategy === 'last_four'));
    assert.doesNotMatch(JSON.stringify(end), /\d{3}-\d{2}-\d{4}/, 'no SSN in the audit record');
  });
});
