// Notifier configuration from the environment, parsed once at cold start.

import { z } from 'zod';
import { loopbackHostPort, parseEnv } from '../../shared/config/env.ts';

export const NotifierConfig = z.object({
  PROJECT_ID: z.string().min(1),
  FIRESTORE_DATABASE: z.string().default('(default)'),
  /** The chat incoming webhook (a secret: pass it from Secret Manager). https only (http on loopback). */
  NOTIFIER_WEBHOOK_URL: z.url(),
  /** Message format of the webhook. */
  NOTIFIER_FORMAT: z.enum(['slack', 'google-chat']).default('slack'),
  /** The gateway's public URL, for links to the request's console page (optional). */
  CONSOLE_URL: z.url().optional(),
  /** Deadline of each Firestore and webhook call, in ms. */
  DEPENDENCY_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** Firestore emulator host:port (local only; the official client reads the same variable). */
  FIRESTORE_EMULATOR_HOST: loopbackHostPort.optional(),
});
export type NotifierConfig = z.infer<typeof NotifierConfig>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): NotifierConfig {
  return parseEnv(NotifierConfig, env, 'notifier');
}
