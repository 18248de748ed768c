// The functions framework parses bodies before the function runs, reads up to 1 GiB of any body into memory,
// never times out a slow one, and answers malformed JSON itself (an HTML 400, no audit record). Warden must
// answer JSON-RPC errors and audit every request, so this wraps the framework's body parsers:
// - malformed JSON is handed through unparsed (`req.rawBody` keeps the bytes); request-checks.ts answers -32700;
// - nothing past the configured limit (MAX_BODY_BYTES) is buffered (body-parser reads the rest off and
//   discards it); request-checks.ts answers 413;
// - a body not received within REQUEST_BODY_TIMEOUT_MS (a slowloris client) is abandoned: request-checks.ts
//   answers 408 and the connection is closed once the answer is sent.
// Loaded by index.ts before the framework builds its server; the emulator tests (identity.test.ts,
// attacks.test.ts) fail if a framework upgrade bypasses it.

import { createRequire } from 'node:module';

type Req = {
  body?: unknown;
  destroy?: () => void;
  [BODY_PROBLEM]?: BodyProblem;
};
type Res = { once?: (event: 'finish', fn: () => void) => void };
type Middleware = (req: Req, res: Res, next: (err?: unknown) => void) => void;
type Factory = (options?: Record<string, unknown>) => Middleware;

/** Why the body was not read: set on the request for request-checks.ts. */
export type BodyProblem = 'too-large' | 'timeout';
export const BODY_PROBLEM = Symbol.for('warden.bodyProblem');

const limits = { maxBytes: Number.POSITIVE_INFINITY, timeoutMs: 0 };

/** Sets the body limits; call before the framework builds its server (index.ts does, from the config). */
export function limitRequestBodies(options: { maxBytes: number; timeoutMs: number }): void {
  limits.maxBytes = options.maxBytes;
  limits.timeoutMs = options.timeoutMs;
}

const requireFromFramework = createRequire(
  createRequire(import.meta.url).resolve('@google-cloud/functions-framework'),
);
const bodyParser = requireFromFramework('body-parser') as Record<
  'json' | 'text' | 'urlencoded' | 'raw',
  Factory
>;

for (const kind of ['json', 'text', 'urlencoded', 'raw'] as const) {
  const original = bodyParser[kind];
  bodyParser[kind] = (options) => {
    // Read when the framework builds its server, after index.ts has set the limits.
    const parse = original(
      Number.isFinite(limits.maxBytes) ? { ...options, limit: limits.maxBytes } : options,
    );
    return (req, res, next) => {
      // An earlier parser gave up on this body: the next ones must not start reading it again.
      if (req[BODY_PROBLEM]) return next();
      let done = false;
      const finish = (err?: unknown) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        next(err);
      };
      const timer =
        limits.timeoutMs > 0
          ? setTimeout(() => {
              req.body = undefined;
              req[BODY_PROBLEM] = 'timeout';
              // Answer (audited), then drop the connection instead of waiting for the rest.
              res.once?.('finish', () => req.destroy?.());
              finish();
            }, limits.timeoutMs)
          : undefined;
      parse(req, res, (err) => {
        const type = (err as { type?: string } | undefined)?.type;
        if (type === 'entity.parse.failed') {
          req.body = undefined;
          return finish();
        }
        if (type === 'entity.too.large') {
          req.body = undefined;
          req[BODY_PROBLEM] = 'too-large';
          return finish();
        }
        return finish(err);
      });
    };
  };
}
