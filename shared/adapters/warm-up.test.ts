import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { WardenError } from '../core/errors.ts';
import { once } from './lazy.ts';
import { OidcTokenVerifier } from './oidc/token-verifier.ts';
import { probeToken, runWarmUp, warmTokenVerifier, warmUpInBackground, whenServing } from './warm-up.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));
const listen = (server: Server) =>
  new Promise<string>((r) =>
    server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
const close = (server: Server) => new Promise((r) => server.close(r));

/** Log lines as the functions write them: the message and the cause's class and message only. */
function logSpy() {
  const lines: { message: string; cause?: string }[] = [];
  const log = (message: string, cause?: unknown) =>
    lines.push({ message, ...(cause ? { cause: (cause as Error).message } : {}) });
  return { lines, log };
}

/** A loopback OIDC issuer (discovery and JWKS) whose first `failures` answers are 503s. */
async function issuer(failures = 0) {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const hits: string[] = [];
  let url = '';
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    if (hits.length <= failures) return void res.writeHead(503).end();
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration')
      return void res.end(JSON.stringify({ issuer: url, jwks_uri: `${url}/jwks` }));
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  url = await listen(server);
  const token = () =>
    new SignJWT({ email: 'ann@example.org' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(url)
      .setSubject('ann')
      .setAudience('https://gateway')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
  const verifier = new OidcTokenVerifier({ issuers: [{ issuer: url, audiences: ['https://gateway'] }] });
  return { url, hits, token, verifier, close: () => close(server) };
}

describe('warm-up', () => {
  it('starts on the server’s first request, not when the module loads or the server merely listens', async () => {
    let started = false;
    const start = whenServing(60_000).then(() => {
      started = true;
    });
    const server = createServer((_req, res) => res.end('ok'));
    await tick();
    assert.equal(started, false, 'nothing before listen');
    const url = await listen(server);
    await tick();
    assert.equal(started, false, 'listening alone does not start it (a health check would wait behind it)');
    assert.equal(await (await fetch(`${url}/healthz`)).text(), 'ok');
    await start;
    assert.equal(started, true);
    await close(server);
  });

  it('never starts on a timer by default: listening alone, however long, does not start it', async () => {
    let started = false;
    void whenServing().then(() => {
      started = true;
    });
    const server = createServer((_req, res) => res.end('ok'));
    const url = await listen(server);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(started, false, 'a stalled warm-up outside a request could fail the request that joins it');
    await fetch(`${url}/healthz`);
    await tick();
    assert.equal(started, true);
    await close(server);
  });

  it('starts shortly after listen when asked to and no request comes', async () => {
    let started = false;
    const start = whenServing(20).then(() => {
      started = true;
    });
    const server = createServer((_req, res) => res.end('ok'));
    await tick();
    assert.equal(started, false);
    await listen(server);
    await start;
    assert.equal(started, true);
    await close(server);
  });

  it('runs its steps only once started, all of them, and reports each', async () => {
    const { lines, log } = logSpy();
    const ran: string[] = [];
    let go!: () => void;
    const start = new Promise<void>((r) => {
      go = r;
    });
    const done = warmUpInBackground(
      () => ['a', 'b'].map((name) => ({ name, run: async () => ran.push(name) })),
      { enabled: true, log, start },
    );
    await tick();
    assert.deepEqual(ran, [], 'nothing runs before the start');
    go();
    const report = await done;
    assert.deepEqual(ran.sort(), ['a', 'b']);
    assert.deepEqual(
      report?.steps.map((s) => [s.name, s.ok]),
      [
        ['a', true],
        ['b', true],
      ],
    );
    assert.match(lines.at(-1)!.message, /^warm-up finished in \d+ ms: a \d+ ms, b \d+ ms$/);
  });

  it('does nothing with WARM_UP=false: the steps are not even built', async () => {
    const { lines, log } = logSpy();
    let built = false;
    const report = await warmUpInBackground(
      () => {
        built = true;
        return [];
      },
      { enabled: false, log, start: Promise.resolve() },
    );
    assert.equal(report, undefined);
    assert.equal(built, false);
    assert.deepEqual(lines, []);
  });

  it('swallows and logs a failed step by its name and error, never rejecting, and runs the others', async () => {
    const { lines, log } = logSpy();
    let other = false;
    const report = await runWarmUp(
      [
        {
          name: 'credential',
          run: async () => {
            throw new WardenError('unavailable', 'The sealed credential could not be read.');
          },
        },
        { name: 'masking key', run: async () => (other = true) },
      ],
      log,
    );
    assert.equal(other, true);
    assert.deepEqual(
      report.steps.map((s) => [s.name, s.ok]),
      [
        ['credential', false],
        ['masking key', true],
      ],
    );
    assert.deepEqual(lines[0], {
      message: 'warm-up: credential failed; the first request that needs it tries again',
      cause: 'The sealed credential could not be read.',
    });
    assert.match(lines[1]!.message, /credential \d+ ms \(failed\), masking key \d+ ms$/);
  });

  it('caches no failure: the request after a failed warm-up does the work itself and succeeds', async () => {
    let attempts = 0;
    // What the functions warm: a memoized factory of the request path (lazy.ts `once`).
    const credential = once(async () => {
      attempts++;
      if (attempts === 1) throw new WardenError('unavailable', 'Cloud KMS did not answer in time.');
      return 'opened';
    });
    const report = await runWarmUp([{ name: 'credential', run: credential }], logSpy().log);
    assert.equal(report.steps[0]!.ok, false);
    assert.equal(await credential(), 'opened', 'the request opens it');
    assert.equal(attempts, 2);
  });

  it("fills the verifier's JWKS cache, so the first real token verifies without fetching", async () => {
    const idp = await issuer();
    try {
      const report = await runWarmUp([warmTokenVerifier('OIDC keys', idp.verifier, [idp.url])], logSpy().log);
      assert.equal(report.steps[0]!.ok, true);
      assert.deepEqual(idp.hits, ['/.well-known/openid-configuration', '/jwks']);
      const principal = await idp.verifier.verify(await idp.token());
      assert.equal(principal.subject, 'ann');
      assert.equal(idp.hits.length, 2, 'the first request fetched nothing');
    } finally {
      await idp.close();
    }
  });

  it('fails the JWKS step when the issuer is down, and the first request fetches and verifies', async () => {
    const idp = await issuer(1);
    try {
      const { lines, log } = logSpy();
      const report = await runWarmUp([warmTokenVerifier('OIDC keys', idp.verifier, [idp.url])], log);
      assert.equal(report.steps[0]!.ok, false);
      assert.equal(lines[0]!.cause, 'The identity provider could not be reached.');
      const principal = await idp.verifier.verify(await idp.token());
      assert.equal(principal.subject, 'ann');
    } finally {
      await idp.close();
    }
  });

  it('treats a verifier that accepts the unsigned probe as broken (a failed step)', async () => {
    const { lines, log } = logSpy();
    const accepting = {
      verify: async () => ({ subject: 's', issuer: 'i', groups: [], actorChain: [] }),
    };
    const report = await runWarmUp([warmTokenVerifier('OIDC keys', accepting, ['https://idp'])], log);
    assert.equal(report.steps[0]!.ok, false);
    assert.match(lines[0]!.cause!, /accepted an unsigned warm-up probe/);
  });

  it('probes with a token no verifier can accept: no signature, a key id no issuer has', () => {
    const [header, payload, signature] = probeToken('https://idp').split('.');
    assert.equal(signature, '');
    assert.deepEqual(JSON.parse(Buffer.from(header!, 'base64url').toString()), {
      alg: 'RS256',
      typ: 'JWT',
      kid: 'warden-warm-up-probe',
    });
    assert.equal(JSON.parse(Buffer.from(payload!, 'base64url').toString()).iss, 'https://idp');
  });
});
