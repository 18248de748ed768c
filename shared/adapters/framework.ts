// Runs Warden's function handlers outside the per-request Node `domain` of the functions framework, which
// costs every promise of a request about 5 µs, and answers any throw the handler did not catch itself.
//
// The framework (@google-cloud/functions-framework 5, build/src/function_wrappers.js, wrapHttpFunction) runs
// each request in `domain.create().run(…)`, for one purpose: an error thrown asynchronously, or a promise
// rejected with no handler, inside the request becomes a 500 for that request (sendCrashResponse) rather than
// the process-wide `uncaughtException` / `unhandledRejection` handlers of invoker.js, which answer the latest
// request and exit the instance with code 16. While a domain is active Node's domain module marks every new
// promise (a `domain` property, an entry in its pairing map) and enters and leaves the domain around every
// reaction (node lib/domain.js, the async hook's init/before/after). Warden's handlers are async functions that
// catch their own failures; the wrappers below leave the domain on entry, so the request's promises are
// created outside it, and catch what the handler still throws, so nothing it does ends in an unhandled
// rejection. The CloudEvent path keeps what the framework needs the domain for: its completion callback is
// bound to the domain (`process.domain.bind`) before the user function is called, and still is.
//
// Once any domain exists, Node keeps the domain module's async hook enabled for the process (it has no public
// way to disable it), so every promise and every other async resource would still pass its init and destroy
// hooks. A process that serves an HTTP target makes none: `withoutRequestDomains` gives the framework a domain
// that is no domain for its per-request `domain.create()`. Nothing is lost by it, since the handler leaves the
// framework's domain on its first line anyway (the request's work never ran inside it), and a rejected promise
// of the handler is still caught (`ret.catch` in wrapHttpFunction, and `outsideDomain` below). CloudEvent
// targets keep the framework's domain: their completion callback is bound to it. `node bench/framework-domain.ts`
// measures the three ways.

import domain from 'node:domain';
import type { CloudEvent, HttpFunction, Request, Response } from '@google-cloud/functions-framework';
import { logLine } from './logging.ts';

/** What a caller sees of a failure no handler caught: a constant, like every caller-facing message. */
export const UNCAUGHT_BODY = { error: 'internal error' } as const;

/** The error the framework is handed for a failed event: constant, so its crash log holds no detail. */
export const EVENT_FAILED = 'the event handler failed (its error class is logged above)';

/** Leaves the framework's request domain, if one is active (the same handler runs bare in unit tests). */
function leaveDomain(): void {
  // `process.domain` is set by node:domain while a domain is entered; @types/node does not declare it.
  (process as { domain?: { exit(): void } | null }).domain?.exit();
}

/** Logs a failure by its class only: a thrown message may quote a query, a value or a row. */
function logUncaught(component: string, message: string, err: unknown): void {
  const e = err as { name?: unknown; kind?: unknown; code?: unknown } | null | undefined;
  logLine(component)(message, {
    name: typeof e?.name === 'string' ? e.name : typeof err,
    ...(typeof e?.kind === 'string' ? { kind: e.kind } : {}),
    ...(typeof e?.code === 'string' || typeof e?.code === 'number' ? { cause: { code: e.code } } : {}),
  });
}

/**
 * An HTTP function run outside the framework's request domain. A throw the handler did not catch is logged by
 * its class and answered with a 500 (or ends a response already under way), and never reaches the framework.
 */
export function outsideDomain(
  component: string,
  handler: (req: Request, res: Response) => unknown,
): HttpFunction {
  return async (req, res) => {
    leaveDomain();
    try {
      await handler(req, res);
    } catch (err) {
      logUncaught(component, 'unhandled error in the HTTP handler: answered 500', err);
      if (res.headersSent) res.end();
      else res.status(500).json(UNCAUGHT_BODY);
    }
  };
}

/**
 * A CloudEvent function run outside the framework's request domain. Its result is not sent (the framework
 * answers 204); a throw is logged by its class and rethrown as a constant error, so the framework answers 500
 * and Pub/Sub redelivers, as before.
 */
export function eventOutsideDomain<T>(
  component: string,
  handler: (event: CloudEvent<T>) => Promise<unknown>,
): (event: CloudEvent<T>) => Promise<void> {
  return async (event) => {
    leaveDomain();
    try {
      await handler(event);
    } catch (err) {
      logUncaught(component, 'event handler failed: answered 500 for redelivery', err);
      throw new Error(EVENT_FAILED);
    }
  };
}

/**
 * The target this process serves, read as the framework reads it (build/src/options.js: the `--target` flag,
 * else FUNCTION_TARGET, which Cloud Functions sets; else `function`).
 */
export function servedTarget(
  argv: readonly string[] = process.argv,
  env: NodeJS.ProcessEnv = process.env,
): string {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--target=')) return a.slice('--target='.length);
    if (a === '--target' && argv[i + 1] !== undefined) return argv[i + 1]!;
  }
  return env['FUNCTION_TARGET'] || 'function';
}

/** What the framework does with its per-request domain (wrapHttpFunction): listen for errors, run the request. */
const NO_DOMAIN = {
  on() {
    return NO_DOMAIN;
  },
  run<T>(fn: () => T): T {
    return fn();
  },
};

/**
 * When this process serves one of `httpTargets` (HTTP functions wrapped by {@link outsideDomain}), the framework's
 * `domain.create()` per request returns {@link NO_DOMAIN} from now on, so no domain (and no process-wide domain
 * hook) ever exists here; returns whether it did. Call it when the module loads, before the first request. Any
 * other target (a CloudEvent function) keeps the framework's domains.
 */
export function withoutRequestDomains(
  httpTargets: readonly string[],
  argv: readonly string[] = process.argv,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (!httpTargets.includes(servedTarget(argv, env))) return false;
  (domain as unknown as { create: () => unknown }).create = () => NO_DOMAIN;
  return true;
}
