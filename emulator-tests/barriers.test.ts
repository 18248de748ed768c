// Two barriers (ARCHITECTURE.md, step 7) against the real functions: a gateway killed right after it answered
// loses its group-committed response record, and `warden audit reconcile` names the request.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { auditCommand } from '../cli/audit/cli.ts';
import { startFunction } from '../dev/stack.ts';
import { freePort } from '../standins/net.ts';
import { theStack, tokenFor } from './harness.ts';

async function reconcile(requestId: string) {
  const out: string[] = [];
  const code = await auditCommand(['reconcile', '--request', requestId], theStack().info.stateDir, {
    out: (l) => out.push(l),
    err: (l) => out.push(l),
    progress: () => {},
  });
  return { code, out: out.join('\n') };
}

/** One allowed execute_sql through the gateway at `url`; its request id and body. */
async function query(url: string): Promise<{ requestId: string; body: string }> {
  const token = await tokenFor('rhea@research.example.org', ['research-analysts']);
  const res = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: {
        name: 'execute_sql',
        arguments: {
          projectId: 'demo-warden',
          query: 'SELECT code FROM `demo-warden.reference.icd10_codes` ORDER BY code LIMIT 2',
        },
      },
    }),
  });
  return { requestId: res.headers.get('x-warden-request-id') ?? '', body: await res.text() };
}

describe('two barriers: a crash between the barriers and the group-committed records', function () {
  this.timeout(120_000);

  it('answers, and after the gateway is killed, reconcile names the request that lost its response record', async () => {
    const { info, gatewayEnv } = theStack();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const stop = await startFunction(
      'gateway',
      port,
      join(info.stateDir, 'logs'),
      {
        ...gatewayEnv,
        PUBLIC_URL: url,
        OIDC_AUDIENCES: info.audience,
        ALLOWED_HOSTS: `127.0.0.1:${port}`,
        ALLOWED_ORIGINS: url,
        // Group-committed records wait a minute for a barrier to share: the kill comes first.
        AUDIT_DEFER_MS: '60000',
      },
      { logName: `gateway-barriers-${port}` },
    );
    let requestId = '';
    try {
      const answer = await query(url);
      requestId = answer.requestId;
      assert.match(answer.body, /"rows":\[\{/, 'the rows came back: both barriers were durable');
    } finally {
      await stop('SIGKILL');
    }
    const found = await reconcile(requestId);
    assert.equal(found.code, 1, found.out);
    assert.match(found.out, new RegExp(`INCOMPLETE  ${requestId}  no mcp.response record`));
    assert.match(found.out, /has mcp\.request, policy\.decision, query\.start, query\.end/);
  });

  it('finds every record of a request that ended normally', async () => {
    const { requestId } = await query(theStack().info.gatewayUrl);
    // The response record is group-committed: written within AUDIT_DEFER_MS of the answer.
    await new Promise((r) => setTimeout(r, 500));
    const found = await reconcile(requestId);
    assert.equal(found.code, 0, found.out);
    assert.match(found.out, /every request has its records/);
  });
});
