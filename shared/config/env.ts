// zod helpers for environment configuration shared by the functions.

import { z } from 'zod';

/** A comma-separated list, trimmed, empty entries dropped. */
export const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

/** host:port of a loopback stand-in; production leaves these unset and the clients use Google's endpoints. */
export const loopbackHostPort = z
  .string()
  .regex(
    /^(127\.0\.0\.1|localhost|\[::1\]):\d+$/,
    'must be a loopback host:port (stand-ins only; leave unset in production)',
  );

/** URL of a loopback stand-in. */
export const loopbackUrl = z
  .string()
  .regex(
    /^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+\/?$/,
    'must be a loopback http URL (stand-ins only; leave unset in production)',
  );

/** Parses `env` with `schema`, failing fast with every problem named. */
export function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv, what: string): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new Error(`${what} configuration is not valid:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}
