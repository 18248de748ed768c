// The functions framework parses JSON bodies before the function runs and answers malformed JSON itself
// (an HTML 400, no audit record). Warden must answer JSON-RPC -32700 and audit every request, so this makes
// the framework's JSON parser hand malformed bodies through unparsed (`req.rawBody` keeps the bytes);
// request-checks.ts then answers -32700. Loaded by index.ts before the framework builds its server; the
// emulator tests (identity.test.ts) fail if a framework upgrade bypasses it.

import { createRequire } from 'node:module';

type Middleware = (req: { body?: unknown }, res: unknown, next: (err?: unknown) => void) => void;

const requireFromFramework = createRequire(
  createRequire(import.meta.url).resolve('@google-cloud/functions-framework'),
);
const bodyParser = requireFromFramework('body-parser') as { json: (options?: unknown) => Middleware };
const json = bodyParser.json;

bodyParser.json = (options?: unknown): Middleware => {
  const parse = json(options);
  return (req, res, next) =>
    parse(req, res, (err) => {
      if ((err as { type?: string } | undefined)?.type === 'entity.parse.failed') {
        req.body = undefined;
        return next();
      }
      return next(err);
    });
};
