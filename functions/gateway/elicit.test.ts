// biome-ignore-all lint/suspicious/noExplicitAny: raw JSON-RPC bodies are read loosely in assertions.
// 2025-era form elicitation across instances: the call's SSE stream carries the question, the answer is posted to
// another gateway instance over the same store, and only the asked caller's first, timely answer counts.

import assert from 'node:assert/strict';
import { MAX_REASON_LENGTH } from '../../shared/core/gateway/reason.ts';
import { ExecuteSqlOutput } from '../../shared/mcp/tools.ts';
import { invoke } from '../../shared/test-support/fake-http.ts';
import { MemoryElicitations } from '../../shared/test-support/memory-ports.ts';
import { createRig, REFERENCE_SQL, REQUEST_STATE_KEY_VERSION, type Rig } from '../test-support/rig.ts';
import { LegacyElicitation } from './elicit.ts';
import { createGatewayHandler } from './handle.ts';

const RESEARCHER = 'good.researchers';
type Gateway = ReturnType<typeof createGatewayHandler>;

function headers(token: string, session?: string): Record<string, string> {
  return {
    host: 'warden.example',
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2025-11-25',
    ...(session ? { 'mcp-session-id': session } : {}),
  };
}

/** Two gateway instances over one rig and one elicitation store. */
async function twoInstances(waitMs = 5000) {
  const rig = await createRig({ timeoutMs: 2000 });
  const store = new MemoryElicitations();
  const instance = () =>
    createGatewayHandler({
      ...rig.gatewayDeps,
      elicitation: new LegacyElicitation({
        keys: rig.ports.keys,
        keyVersion: REQUEST_STATE_KEY_VERSION,
        store,
        clock: rig.clock,
        waitMs,
      }),
    });
  return { rig, store, a: instance(), b: instance() };
}

async function initialize(gw: Gateway, token: string, capabilities: Record<string, unknown>) {
  const res = await invoke(gw, {
    method: 'POST',
    path: '/mcp',
    headers: headers(token),
    body: {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities, clientInfo: { name: 't', version: '1' } },
    },
  });
  assert.equal(res.status, 200, res.body);
  return res.headers['mcp-session-id'];
}

function events(text: string): any[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('data: '))
    .map((l) => JSON.parse(l.slice(6)));
}

/** A tools/call of execute_sql; `onAsk` sees each elicitation/create as the stream carries it. */
async function callSql(gw: Gateway, token: string, session: string | undefined, onAsk: (req: any) => void) {
  const seen = new Set<string>();
  let buffer = '';
  const res = await invoke(gw, {
    method: 'POST',
    path: '/mcp',
    headers: headers(token, session),
    body: {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'execute_sql', arguments: { projectId: 'p', query: REFERENCE_SQL } },
    },
    onWrite: (text) => {
      buffer += text;
      for (const e of events(buffer))
        if (e.method === 'elicitation/create' && !seen.has(e.id)) {
          seen.add(e.id);
          onAsk(e);
        }
    },
  });
  const sse = res.headers['content-type']?.startsWith('text/event-stream');
  const all = sse ? events(res.body) : [JSON.parse(res.body)];
  return { res, asks: all.filter((e) => e.method), final: all.find((e) => e.id === 1) };
}

function answer(gw: Gateway, token: string, session: string | undefined, id: string, result: unknown) {
  return invoke(gw, {
    method: 'POST',
    path: '/mcp',
    headers: headers(token, session),
    body: { jsonrpc: '2.0', id, result },
  });
}

function decisions(rig: Rig, requestId: string): any[] {
  return rig
    .records()
    .filter((r) => r.event.requestId === requestId && r.event.type === 'policy.decision')
    .map((r) => r.event);
}

const accept = (reason: string) => ({ action: 'accept', content: { reason } });

describe('MCP 2025-11-25: asking for a missing reason by form elicitation, across instances', () => {
  it('gives a session only to a client that declared form elicitation, and refuses an altered one', async () => {
    const { a } = await twoInstances();
    assert.equal(await initialize(a, RESEARCHER, {}), undefined);
    const session = await initialize(a, RESEARCHER, { elicitation: { form: {} } });
    assert.ok(session);
    assert.ok(await initialize(a, RESEARCHER, { elicitation: {} }), 'an empty elicitation object means form');
    for (const [token, s] of [
      [RESEARCHER, `${session.slice(0, -2)}xx`],
      ['good.analysts', session],
    ] as const) {
      const { res } = await callSql(a, token, s, () => {});
      assert.equal(res.status, 404, `${token} ${s}`);
    }
  });

  it('asks on the call stream, takes the answer posted to another instance, and runs the call with it', async () => {
    const { a, b, rig, store } = await twoInstances();
    const session = await initialize(a, RESEARCHER, { elicitation: { form: {} } });
    const posted: Promise<any>[] = [];
    const { res, asks, final } = await callSql(a, RESEARCHER, session, (req) => {
      posted.push(answer(b, RESEARCHER, session, req.id, accept('audit of code usage for MRN 48213377')));
    });
    assert.equal(res.headers['content-type'], 'text/event-stream');
    assert.equal(asks.length, 1);
    const ask = asks[0];
    assert.match(ask.id, /^warden-elicit-[A-Za-z0-9_-]{43}$/, 'a 256-bit random id');
    assert.equal(ask.params.mode, 'form');
    assert.match(ask.params.message, /researchers-reference-with-reason/);
    assert.equal(ask.params.requestedSchema.properties.reason.maxLength, MAX_REASON_LENGTH);
    assert.equal((await posted[0]).status, 202);
    assert.notEqual(final.result.isError, true, JSON.stringify(final.result));
    const out = ExecuteSqlOutput.parse(final.result.structuredContent);
    assert.equal(out.status, 'done');
    assert.equal(store.docs.size, 0, 'the question is gone once taken');
    const requestId = res.headers['x-warden-request-id']!;
    assert.ok(rig.typesFor(requestId).includes('mcp.input_requested'));
    const ran = decisions(rig, requestId).at(-1);
    assert.equal(ran.decision.effect, 'allow');
    assert.equal(ran.reasonAskedIn, requestId);
    assert.match(ran.reason, /^audit of code usage for /);
    assert.ok(!ran.reason.includes('48213377'), 'the reason is masked before it is recorded');
  });

  it("refuses another caller's answer and a replay; the asked caller's answer counts once", async () => {
    const { a, b } = await twoInstances();
    const session = await initialize(a, RESEARCHER, { elicitation: { form: {} } });
    const other = await initialize(a, 'good.researchers+analysts', { elicitation: { form: {} } });
    const statuses: number[] = [];
    let askedId = '';
    const { final } = await callSql(a, RESEARCHER, session, async (req) => {
      askedId = req.id;
      statuses.push((await answer(b, 'good.researchers+analysts', other, req.id, accept('mine now'))).status);
      statuses.push((await answer(b, RESEARCHER, session, req.id, accept('quarterly audit'))).status);
    });
    assert.deepEqual(statuses, [400, 202]);
    assert.equal(final.result.structuredContent.status, 'done');
    const replay = await answer(b, RESEARCHER, session, askedId, accept('quarterly audit'));
    assert.equal(replay.status, 400);
    assert.match((replay.json() as any).error.message, /No open elicitation has this id/);
  });

  const denials = [
    {
      name: 'a decline gets the denial, saying no reason was given',
      answerWith: { action: 'decline' },
      why: 'declined',
      text: /^No reason was given when asked\. Denied by policy rule "researchers-reference-with-reason"/,
    },
    {
      name: 'an accept with a blank reason counts as a decline',
      answerWith: accept('   '),
      why: 'declined',
      text: /^No reason was given when asked/,
    },
    {
      name: 'a cancel gets the denial',
      answerWith: { action: 'cancel' },
      why: 'cancelled',
      text: /^No reason was given when asked/,
    },
  ];
  for (const c of denials)
    it(c.name, async () => {
      const { a, b, rig } = await twoInstances();
      const session = await initialize(a, RESEARCHER, { elicitation: { form: {} } });
      const { res, final } = await callSql(a, RESEARCHER, session, (req) => {
        void answer(b, RESEARCHER, session, req.id, c.answerWith);
      });
      assert.equal(final.result.isError, true);
      assert.match(final.result.content[0].text, c.text);
      const last = decisions(rig, res.headers['x-warden-request-id']!).at(-1);
      assert.equal(last.decision.effect, 'deny');
      assert.deepEqual(last.error, { kind: 'reason_not_given', message: c.why });
    });

  it('an answer after the expiry is refused, and the call gets the denial at its deadline', async () => {
    const { a, b, rig } = await twoInstances(300);
    const session = await initialize(a, RESEARCHER, { elicitation: { form: {} } });
    let late = 0;
    const started = Date.now();
    const { res, final } = await callSql(a, RESEARCHER, session, async (req) => {
      rig.clock.advance(301);
      late = (await answer(b, RESEARCHER, session, req.id, accept('too late'))).status;
    });
    assert.equal(late, 400);
    assert.ok(Date.now() - started < 5000, 'bounded by the wait deadline');
    assert.equal(final.result.isError, true);
    assert.match(final.result.content[0].text, /^Denied by policy rule "researchers-reference-with-reason"/);
    const last = decisions(rig, res.headers['x-warden-request-id']!).at(-1);
    assert.deepEqual(last.error, { kind: 'reason_not_given', message: 'timeout' });
  });

  it('a store failure gets the denial and sends no question (fail closed)', async () => {
    const { a, store, rig } = await twoInstances();
    const session = await initialize(a, RESEARCHER, { elicitation: { form: {} } });
    store.failing = true;
    const { res, asks, final } = await callSql(a, RESEARCHER, session, () => assert.fail('asked'));
    assert.equal(asks.length, 0);
    assert.equal(final.result.isError, true);
    const requestId = res.headers['x-warden-request-id']!;
    assert.ok(!rig.typesFor(requestId).includes('mcp.input_requested'));
    assert.deepEqual(decisions(rig, requestId).at(-1).error, { kind: 'reason_not_given', message: 'failed' });
    // The answering side fails closed too: 503, nothing recorded.
    const posted = await answer(a, RESEARCHER, session, 'warden-elicit-x', accept('x'));
    assert.equal(posted.status, 503);
  });

  it('a client without the session is not asked: the JSON denial, as before', async () => {
    const { a } = await twoInstances();
    const { res, final } = await callSql(a, RESEARCHER, undefined, () => assert.fail('asked'));
    assert.equal(res.headers['content-type'], 'application/json');
    assert.equal(final.result.isError, true);
    assert.match(final.result.content[0].text, /^Denied by policy rule "researchers-reference-with-reason"/);
  });
});
