// A function instance's background warm-up: once its server serves, it does the request-independent work of a
// first request ahead of it (loading and compiling the lazily loaded client libraries, the OIDC issuers' JWKS,
// the KMS certification of the audit key, in the executor opening the credential and masking key), so the first
// query after a cold start does not pay for it in series (docs/performance.md, issue 22 item 4).
//
// A warm-up never fails the instance and caches no failure: each step is a call the request path makes anyway
// through the same memoized factories (`once` in lazy.ts drops a failed attempt), so a failed step is logged
// (its error class and message, never request data) and the first request that needs it does it again, failing
// closed as it would have without the warm-up.

import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import { setImmediate as yieldToIo } from 'node:timers/promises';
import { WardenError } from '../core/errors.ts';
import type { TokenVerifier } from '../ports/token-verifier.ts';

/** One request-independent piece of work; `name` goes into the log line (a module or a dependency, no data). */
export interface WarmUpStep {
  name: string;
  run: () => Promise<unknown>;
}

/** What a warm-up did: each step's time and whether it failed. */
export interface WarmUpReport {
  totalMs: number;
  steps: { name: string; ms: number; ok: boolean }[];
}

/**
 * Resolves when the function should start warming: when its server has received its first request (or, given
 * `afterMs`, that long after the server started listening, if no request came first). Not at listen itself:
 * compiling a client library blocks the event loop for tens to hundreds of milliseconds, and a health check or
 * startup probe that arrives right after listen (bench/cold-start.bench.ts polls every 2 ms) would wait behind it
 * (measured: 1 s later on a loaded machine). Started on the first request, the warm-up runs after that request's
 * first turn (a /healthz is answered in it) and overlaps its network waits with the work of the first query,
 * while that request holds the instance's CPU. The functions pass no `afterMs`: with request-based billing an
 * instance started ahead of traffic has its CPU withdrawn once started, and a warm-up stalled there could see a
 * dependency deadline pass and fail the request that joins it (docs/performance.md). The functions framework
 * calls `listen` right after it has loaded the function's module (functions-framework-nodejs src/main.ts), so the
 * first server to listen is the function's. Node reports bound servers and requests on built-in diagnostics
 * channels (node:diagnostics_channel, "Built-in channels": tracing:net.server.listen:asyncEnd,
 * http.server.request.start).
 */
export function whenServing(afterMs?: number): Promise<void> {
  const listen = tracingChannel('net.server.listen');
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const none = () => {};
    const go = () => {
      clearTimeout(timer);
      listen.unsubscribe(handlers);
      unsubscribe('http.server.request.start', go);
      resolve();
    };
    const handlers = {
      start: none,
      end: none,
      asyncStart: none,
      error: none,
      asyncEnd: () => {
        if (afterMs !== undefined) timer ??= setTimeout(go, afterMs).unref();
      },
    };
    listen.subscribe(handlers);
    subscribe('http.server.request.start', go);
  });
}

/**
 * Runs `steps` in the background once `start` resolves (default {@link whenServing}: the server's first request), so the start of serving (/healthz, the platform's startup probe) is not
 * delayed by them. The steps run concurrently, so their network waits overlap, each after a turn of the event
 * loop. With `enabled` false nothing runs (WARM_UP=false). Never rejects: each failure is logged, one line,
 * and a summary line says what each step took. The steps are built only when the warm-up starts.
 */
export function warmUpInBackground(
  steps: () => readonly WarmUpStep[],
  options: {
    enabled: boolean;
    log: (message: string, cause?: unknown) => void;
    /** When to start (default {@link whenServing}). */
    start?: Promise<void>;
  },
): Promise<WarmUpReport | undefined> {
  if (!options.enabled) return Promise.resolve(undefined);
  return (options.start ?? whenServing()).then(async () => {
    try {
      return await runWarmUp(steps(), options.log);
    } catch (err) {
      options.log('warm-up failed to start; the first request does its work', err);
      return undefined;
    }
  });
}

/** Runs every step concurrently; logs each failure and then one summary line. Never rejects. */
export async function runWarmUp(
  steps: readonly WarmUpStep[],
  log: (message: string, cause?: unknown) => void,
): Promise<WarmUpReport> {
  const t0 = performance.now();
  const done = await Promise.all(
    steps.map(async (step) => {
      await yieldToIo();
      const t = performance.now();
      let ok = true;
      try {
        await step.run();
      } catch (err) {
        ok = false;
        log(`warm-up: ${step.name} failed; the first request that needs it tries again`, err);
      }
      return { name: step.name, ms: Math.round(performance.now() - t), ok };
    }),
  );
  const report = { totalMs: Math.round(performance.now() - t0), steps: done };
  log(
    `warm-up finished in ${report.totalMs} ms: ${done
      .map((s) => `${s.name} ${s.ms} ms${s.ok ? '' : ' (failed)'}`)
      .join(', ')}`,
  );
  return report;
}

/** A step that loads and compiles a module, through the same dynamic import its adapter uses. */
export function preload(name: string, load: () => Promise<unknown>): WarmUpStep {
  return { name: `load ${name}`, run: load };
}

/**
 * A step that fills `verifier`'s cache of each issuer's discovery document and JWKS. The verifier has no call
 * for that, so it is asked to verify a token that cannot pass: issued by `issuer`, with a key id no issuer uses
 * and no signature. Verifying it makes the verifier fetch the issuer's discovery document and JWKS (jose looks
 * the key up before it decodes or checks the signature: jose 6, lib/jws_verify.js `verifySignature`) and then refuse the token as unauthenticated;
 * the real first token then finds the keys cached (the verifier keeps them for ten minutes and refetches no
 * sooner than its cooldown). An `unavailable` refusal means the issuer could not be reached: the step fails
 * and, the verifier caching no failure, the first request fetches again.
 */
export function warmTokenVerifier(
  name: string,
  verifier: TokenVerifier,
  issuers: readonly string[],
): WarmUpStep {
  return {
    name,
    run: () =>
      Promise.all(
        issuers.map(async (issuer) => {
          try {
            await verifier.verify(probeToken(issuer));
          } catch (err) {
            if (err instanceof WardenError && err.kind === 'unauthenticated') return;
            throw err;
          }
          // A probe that verifies would be a broken verifier: fail loudly rather than warm it.
          throw new WardenError('internal', 'The token verifier accepted an unsigned warm-up probe.');
        }),
      ),
  };
}

/** An unsigned JWT (JWS compact form with an empty signature) that no verifier may accept. */
export function probeToken(issuer: string): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'RS256', typ: 'JWT', kid: 'warden-warm-up-probe' })}.${part({
    iss: issuer,
    sub: 'warden-warm-up-probe',
    aud: 'warden-warm-up-probe',
    iat: now,
    exp: now + 60,
  })}.`;
}
