// Warden's handlers under the real functions framework (getTestServer: its Express app and its per-request
// domain), wrapped as functions/*/index.ts wraps them: every request runs outside the domain, every failure ends
// in a response, no thrown message reaches the log, and nothing becomes an unhandled rejection.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as functions from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { createApprovedHandler } from '../../functions/executor/events.ts';
import { createExecutorHandler } from '../../functions/executor/handle.ts';
import { createGatewayHandler } from '../../functions/gateway/handle.ts';
import { createSweepHandler } from '../../functions/gateway/sweep.ts';
import { createNotifyHandler } from '../../functions/notifier/handle.ts';
import { createRig, REFERENCE_SQL, type Rig, rpc, toolCall } from '../../functions/test-support/rig.ts';
import { EVENT_FAILED, eventOutsideDomain, outsideDomain, servedTarget, UNCAUGHT_BODY } from './framework.ts';

/** A thrown message that must never be logged or answered: it stands for a value quoted from a row. */
const PHI = 'MRN 4417-2231 Jane Roe';

const activeDomain = () => (process as { domain?: unknown }).domain;

/** What `call` answers: the status and the body. */
interface Answer {
  status: number;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

/** Serves one registered function on a loopback port; `call` sends it one request (node:http, so `host` is ours). */
async function serve(name: string) {
  const server: Server = getTestServer(name);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const call = (path: string, init: RequestInit = {}) =>
    new Promise<Answer>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path,
          method: init.method ?? 'GET',
          headers: init.headers as Record<string, string>,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({
              status: res.statusCode ?? 0,
              text: async () => text,
              json: async () => JSON.parse(text),
            });
          });
        },
      );
      req.on('error', reject);
      req.end(typeof init.body === 'string' ? init.body : undefined);
    });
  return {
    call,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A structured-mode CloudEvent (CloudEvents HTTP binding 1.0, section 3.1), as Eventarc delivers them. */
const cloudEvent = (data: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/cloudevents+json' },
  body: JSON.stringify({
    specversion: '1.0',
    id: 'e-1',
    source: '//pubsub.googleapis.com/projects/demo/topics/t',
    type: 'google.cloud.pubsub.topic.v1.messagePublished',
    data,
  }),
});

/** A Pub/Sub message naming a request, the payload of approval-requested and approval-decided. */
const approvalMessage = (requestId: string, state?: string) => ({
  message: { attributes: { requestId, ...(state ? { state } : {}) } },
});

describe('handlers under the functions framework (framework.ts)', () => {
  let stderr: string[];
  let unhandled: unknown[];
  const write = process.stderr.write.bind(process.stderr);
  const consoleError = console.error;
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);

  beforeEach(() => {
    stderr = [];
    unhandled = [];
    process.stderr.write = ((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    console.error = (...args: unknown[]) => void stderr.push(args.map(String).join(' '));
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
  });
  afterEach(async () => {
    // A rejection is reported after the microtasks of its turn: give it a turn before checking.
    await new Promise((resolve) => setImmediate(resolve));
    process.stderr.write = write;
    console.error = consoleError;
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
    assert.deepEqual(unhandled, [], 'no unhandled rejection or uncaught exception');
    assert.ok(!stderr.join('').includes(PHI), 'the thrown message is not logged');
  });

  describe('the wrappers', () => {
    it('runs an HTTP handler outside the request domain the framework entered', async () => {
      const seen: Record<string, unknown> = {};
      functions.http('fw-bare', (_req, res) => {
        seen['bare'] = activeDomain() !== undefined && activeDomain() !== null;
        res.end();
      });
      functions.http(
        'fw-wrapped',
        outsideDomain('test', async (_req, res) => {
          seen['wrapped'] = activeDomain() ?? null;
          // A promise made by the handler belongs to no domain, so Node does not pair it or enter one for it.
          seen['promise'] = (Promise.resolve() as { domain?: unknown }).domain ?? null;
          await new Promise((resolve) => setImmediate(resolve));
          seen['after-await'] = activeDomain() ?? null;
          res.end();
        }),
      );
      for (const name of ['fw-bare', 'fw-wrapped']) {
        const fn = await serve(name);
        assert.equal((await fn.call('/')).status, 200);
        await fn.close();
      }
      assert.deepEqual(seen, { bare: true, wrapped: null, promise: null, 'after-await': null });
    });

    const throwers: { name: string; handler: (req: unknown, res: { write(s: string): void }) => unknown }[] =
      [
        {
          name: 'a synchronous throw',
          handler: () => {
            throw new Error(PHI);
          },
        },
        { name: 'a rejection after an await', handler: async () => Promise.reject(new TypeError(PHI)) },
        { name: 'a thrown non-error', handler: async () => Promise.reject(PHI) },
      ];
    for (const c of throwers)
      it(`answers ${c.name} with a constant 500 and logs only the error's class`, async () => {
        const name = `fw-throw-${c.name.replaceAll(' ', '-')}`;
        functions.http(name, outsideDomain('test', c.handler as never));
        const fn = await serve(name);
        const res = await fn.call('/');
        assert.equal(res.status, 500);
        assert.deepEqual(await res.json(), UNCAUGHT_BODY);
        await fn.close();
        const line = JSON.parse(stderr.find((l) => l.includes('unhandled error')) ?? '{}');
        assert.equal(line.severity, 'ERROR');
        assert.equal(line.component, 'test');
        assert.equal(line.error.message, undefined);
      });

    it('ends a response already under way when the handler throws after its headers', async () => {
      functions.http(
        'fw-late-throw',
        outsideDomain('test', async (_req, res) => {
          res.status(200).write('partial');
          await new Promise((resolve) => setImmediate(resolve));
          throw new Error(PHI);
        }),
      );
      const fn = await serve('fw-late-throw');
      const res = await fn.call('/');
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'partial');
      await fn.close();
    });

    it('runs a CloudEvent handler outside the domain, with the framework still answering 204', async () => {
      let inside: unknown = 'not called';
      let data: unknown;
      functions.cloudEvent(
        'fw-event',
        eventOutsideDomain('test', async (event) => {
          inside = activeDomain() ?? null;
          data = event.data;
          return { not: 'sent' };
        }),
      );
      const fn = await serve('fw-event');
      const res = await fn.call('/', cloudEvent({ a: 1 }));
      assert.equal(res.status, 204);
      assert.equal(inside, null);
      assert.deepEqual(data, { a: 1 });
      await fn.close();
    });

    it('turns a failed CloudEvent handler into a 500 (Pub/Sub redelivers) with a constant error', async () => {
      functions.cloudEvent(
        'fw-event-fails',
        eventOutsideDomain('test', async () => {
          throw new Error(PHI);
        }),
      );
      const fn = await serve('fw-event-fails');
      const res = await fn.call('/', cloudEvent({}));
      assert.equal(res.status, 500);
      assert.ok(!(await res.text()).includes(PHI));
      await fn.close();
      assert.ok(
        stderr.some((l) => l.includes(EVENT_FAILED)),
        'the framework logged the constant error',
      );
    });
  });

  describe("Warden's targets", () => {
    let rig: Rig;
    beforeEach(async () => {
      rig = await createRig();
    });

    const post = (request: ReturnType<typeof rpc>): RequestInit => ({
      method: 'POST',
      headers: request.headers,
      body: JSON.stringify(request.body),
    });

    it('gateway: an allowed execute_sql is answered through the framework outside its domain', async () => {
      functions.http('fw-gateway', outsideDomain('gateway', createGatewayHandler(rig.gatewayDeps)));
      const fn = await serve('fw-gateway');
      const res = await fn.call(
        '/mcp',
        post(rpc('good.analysts', toolCall('execute_sql', { projectId: 'p', query: REFERENCE_SQL }))),
      );
      assert.equal(res.status, 200);
      const body = (await res.json()) as { result?: { isError?: boolean } };
      assert.equal(body.result?.isError, undefined);
      await fn.close();
    });

    it('gateway: a failed audit write is refused, and an unexpected throw with a constant 500', async () => {
      rig.ports.sink.faults.fail('create', new Error(PHI));
      const throwing = Object.defineProperty({ ...rig.gatewayDeps }, 'console', {
        get() {
          throw new Error(PHI);
        },
      });
      functions.http('fw-gateway-faults', outsideDomain('gateway', createGatewayHandler(rig.gatewayDeps)));
      functions.http('fw-gateway-throws', outsideDomain('gateway', createGatewayHandler(throwing)));
      const faults = await serve('fw-gateway-faults');
      const refused = await faults.call(
        '/mcp',
        post(rpc('good.analysts', toolCall('execute_sql', { projectId: 'p', query: REFERENCE_SQL }))),
      );
      // The intent barrier failed: nothing runs, and the call is answered with an error, never the cause.
      const answer = (await refused.json()) as { result?: { isError?: boolean }; error?: unknown };
      assert.ok(answer.error !== undefined || answer.result?.isError === true, JSON.stringify(answer));
      assert.ok(!JSON.stringify(answer).includes(PHI));
      await faults.close();
      const throws = await serve('fw-gateway-throws');
      const res = await throws.call(
        '/mcp',
        post(rpc('good.analysts', { jsonrpc: '2.0', id: 1, method: 'ping' })),
      );
      assert.equal(res.status, 500);
      assert.deepEqual(await res.json(), UNCAUGHT_BODY);
      await throws.close();
    });

    it('executor: a caller it cannot verify gets a 500 with a constant message, never the cause', async () => {
      const deps = {
        ...rig.executorDeps,
        verifier: {
          verify: async () => {
            throw new Error(PHI);
          },
        },
      };
      functions.http('fw-executor', outsideDomain('executor', createExecutorHandler(deps)));
      const fn = await serve('fw-executor');
      assert.equal((await fn.call('/healthz')).status, 200);
      const res = await fn.call('/execute', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer x' },
        body: '{}',
      });
      assert.equal(res.status, 500);
      assert.ok(!(await res.text()).includes(PHI));
      await fn.close();
    });

    it('executor approved, gateway sweep and notifier: a failing store is a 500 for redelivery, a skip a 204', async () => {
      rig.ports.store.faults.fail('get', new Error(PHI));
      rig.ports.store.faults.fail('update', new Error(PHI));
      rig.ports.store.faults.fail('listStale', new Error(PHI));
      rig.ports.store.faults.fail('list', new Error(PHI));
      const log = () => {};
      functions.cloudEvent(
        'fw-approved',
        eventOutsideDomain('executor', createApprovedHandler({ ...rig.executorDeps, log })),
      );
      const sweep = createSweepHandler(
        { approvals: rig.gatewayDeps.approvals, log },
        { stuckAfterMs: 60_000 },
      );
      functions.cloudEvent('fw-sweep', eventOutsideDomain('gateway', sweep));
      const notify = createNotifyHandler({
        store: rig.gatewayDeps.approvals.store,
        webhook: { post: async () => {} },
        clock: rig.clock,
        format: 'slack',
        log,
      });
      functions.cloudEvent('fw-notify', eventOutsideDomain('notifier', notify));
      const cases = [
        { name: 'fw-approved', data: approvalMessage('r-1', 'APPROVED'), status: 500 },
        { name: 'fw-approved', data: approvalMessage('r-1', 'DENIED'), status: 204 },
        { name: 'fw-approved', data: {}, status: 204 },
        { name: 'fw-sweep', data: {}, status: 500 },
        { name: 'fw-notify', data: approvalMessage('r-1'), status: 500 },
        { name: 'fw-notify', data: {}, status: 204 },
      ];
      for (const c of cases) {
        const fn = await serve(c.name);
        const res = await fn.call('/', cloudEvent(c.data));
        assert.equal(res.status, c.status, `${c.name} ${JSON.stringify(c.data)}`);
        assert.ok(!(await res.text()).includes(PHI));
        await fn.close();
      }
    });
  });
});

describe('no request domain in a process serving an HTTP target (withoutRequestDomains)', () => {
  it('reads the target as the framework does: --target, else FUNCTION_TARGET, else "function"', () => {
    assert.equal(servedTarget(['node', 'main.js', '--target=gateway', '--port=8080'], {}), 'gateway');
    assert.equal(
      servedTarget(['node', 'main.js', '--target', 'sweep'], { FUNCTION_TARGET: 'gateway' }),
      'sweep',
    );
    assert.equal(servedTarget(['node', 'main.js'], { FUNCTION_TARGET: 'executor' }), 'executor');
    assert.equal(servedTarget(['node', 'main.js'], {}), 'function');
  });

  // In a child process: once made, a domain keeps its async hook on for the whole process.
  const serveIn = (target: string, fail: boolean) => {
    const script = `
      import domain from 'node:domain';
      import { request } from 'node:http';
      import * as functions from '@google-cloud/functions-framework';
      import { getTestServer } from '@google-cloud/functions-framework/testing';
      import { eventOutsideDomain, outsideDomain, withoutRequestDomains } from ${JSON.stringify(new URL('./framework.ts', import.meta.url).href)};
      let made = 0;
      const enter = domain.Domain.prototype.enter;
      domain.Domain.prototype.enter = function (...a) { made++; return enter.apply(this, a); };
      const skipped = withoutRequestDomains(['web'], ['node', 'main.js', '--target=${target}'], {});
      functions.http('web', outsideDomain('web', async (_req, res) => {
        await Promise.resolve();
        if (${fail}) throw new Error('boom');
        res.json({ domain: process.domain === undefined || process.domain === null ? 'none' : 'some' });
      }));
      functions.cloudEvent('ev', eventOutsideDomain('ev', async () => {}));
      const server = getTestServer('${target}');
      await new Promise((r) => server.listen(0, '127.0.0.1', r));
      const port = server.address().port;
      const answers = [];
      for (let i = 0; i < 3; i++)
        answers.push(await new Promise((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'content-type': 'application/json',
            'ce-id': 'x', 'ce-source': 's', 'ce-type': 't', 'ce-specversion': '1.0' } }, (res) => {
            let body = '';
            res.on('data', (c) => (body += c));
            res.on('end', () => resolve({ status: res.statusCode, body }));
          });
          req.on('error', reject);
          req.end('{}');
        }));
      server.close();
      console.log(JSON.stringify({ skipped, made, answers }));
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
      skipped: boolean;
      made: number;
      answers: { status: number; body: string }[];
    };
  };

  it('serves every request of the HTTP target without making a domain, and still answers a throw with a 500', () => {
    const ok = serveIn('web', false);
    assert.equal(ok.skipped, true);
    assert.equal(ok.made, 0, 'a domain was entered');
    assert.deepEqual(
      ok.answers.map((a) => [a.status, JSON.parse(a.body)]),
      Array(3).fill([200, { domain: 'none' }]),
    );
    const failed = serveIn('web', true);
    assert.deepEqual(
      failed.answers.map((a) => [a.status, JSON.parse(a.body)]),
      Array(3).fill([500, UNCAUGHT_BODY]),
    );
  });

  it('leaves the framework its domains in a process serving a CloudEvent target', () => {
    const ev = serveIn('ev', false);
    assert.equal(ev.skipped, false);
    assert.ok(ev.made >= 3, 'the framework ran the events without its domains');
    assert.deepEqual(
      ev.answers.map((a) => a.status),
      [204, 204, 204],
    );
  });
});
