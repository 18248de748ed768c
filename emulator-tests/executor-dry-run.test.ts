// The executor's dry runs for the gateway (POST /dry-run, DRY_RUN=executor) against the BigQuery stand-in: a
// dry-run grant answers the facts and never executes, even for a DELETE; no other endpoint takes it.

import assert from 'node:assert/strict';
import { localGrantSigner } from '../dev/grants.ts';
import { LOCAL } from '../dev/stack.ts';
import { BigQueryWarehouse } from '../shared/adapters/bigquery/warehouse.ts';
import { createBigQueryClient } from '../shared/adapters/clients.ts';
import { issueGrant } from '../shared/core/execution/grant.ts';
import type { DryRunRequest } from '../shared/ports/query-runner.ts';
import { loadIssuerKey, mintToken } from '../standins/oidc/dev-issuer.ts';
import { auditRecordsFor, theStack } from './harness.ts';

const P = 'demo-warden';
const DELETE_ALL = `DELETE FROM \`${P}.reference.icd10_codes\` WHERE TRUE`;

async function serviceToken(audience: string): Promise<string> {
  const { issuer, stateDir } = theStack().info;
  const email = LOCAL.gatewayServiceAccount;
  return mintToken(await loadIssuerKey(stateDir), issuer, {
    sub: `sa:${email}`,
    aud: audience,
    email,
    email_verified: true,
  });
}

async function post(path: string, request: DryRunRequest) {
  const { executorUrl, endpoints } = theStack().info;
  const grant = await issueGrant(await localGrantSigner(endpoints.kms), request, new Date());
  const res = await fetch(`${executorUrl}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${await serviceToken(executorUrl)}`,
    },
    body: JSON.stringify({ grant }),
  });
  return { status: res.status, body: (await res.json()) as { result?: Record<string, unknown> } };
}

describe('executor dry runs (BigQuery stand-in)', () => {
  let raw: BigQueryWarehouse;
  const rows = async () =>
    (
      await raw.execute(
        { projectId: P, sql: `SELECT COUNT(*) AS n FROM \`${P}.reference.icd10_codes\`` },
        { rowLimit: 1, labels: {}, timeoutMs: 30_000 },
      )
    ).rows[0]?.['n'];
  before(async () => {
    raw = new BigQueryWarehouse(await createBigQueryClient(P, theStack().info.endpoints.bigquery));
  });

  it('dry-runs a DELETE as the query identity: the facts come back and no row is deleted', async () => {
    const before = await rows();
    assert.ok(Number(before) > 0);
    const res = await post('/dry-run', {
      op: 'dry-run',
      requestId: 'dry-delete-1',
      projectId: P,
      sql: DELETE_ALL,
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.result?.['statementType'], 'DELETE');
    assert.deepEqual(res.body.result?.['referencedTables'], [
      { projectId: P, datasetId: 'reference', tableId: 'icd10_codes' },
    ]);
    assert.equal(await rows(), before);
  });

  it('refuses a dry-run grant at /execute: the DELETE it names never runs, and the refusal is recorded', async () => {
    const before = await rows();
    const res = await post('/execute', {
      op: 'dry-run',
      requestId: 'dry-delete-2',
      projectId: P,
      sql: DELETE_ALL,
    });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(await rows(), before);
    assert.deepEqual(
      (await auditRecordsFor('dry-delete-2')).map((r) => r.event.type),
      ['execution.refused'],
    );
  });
});
