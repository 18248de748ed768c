// Gateway configuration from the environment, parsed once at cold start.

import { z } from 'zod';
import { csv, loopbackHostPort, loopbackUrl, parseEnv } from '../../shared/config/env.ts';

export const GatewayConfig = z.object({
  /** Default BigQuery project (for dry runs and metadata). */
  PROJECT_ID: z.string().min(1),
  /** This gateway's public base URL; the MCP endpoint is `${PUBLIC_URL}/mcp`. */
  PUBLIC_URL: z.url(),
  /** Trusted OIDC issuers (comma-separated). */
  OIDC_ISSUERS: csv.pipe(z.array(z.url()).min(1)),
  /** Accepted `aud` values (comma-separated); default: PUBLIC_URL. */
  OIDC_AUDIENCES: csv.optional(),
  OIDC_GROUPS_CLAIM: z.string().default('groups'),
  /** Clock skew allowed on exp/nbf/iat, in seconds (at most 300). */
  OIDC_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  /** Host header values accepted (DNS-rebinding protection); default: PUBLIC_URL's host. */
  ALLOWED_HOSTS: csv.optional(),
  /** Origin header values accepted from browsers; default: PUBLIC_URL's origin. */
  ALLOWED_ORIGINS: csv.optional(),
  /** Largest accepted request body, in bytes (default 1 MiB). */
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_048_576),
  /** Path of the policy YAML. */
  POLICY_PATH: z.string().min(1),
  /** The executor's URL and the audience of the ID tokens the gateway sends it. */
  EXECUTOR_URL: z.url(),
  EXECUTOR_AUDIENCE: z.string().optional(),
  AUDIT_BUCKET: z.string().min(3),
  /** KMS asymmetric key version that certifies the gateway's audit signing keys. */
  AUDIT_KMS_KEY_VERSION: z
    .string()
    .regex(/^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+\/cryptoKeyVersions\/\d+$/),
  /** Firestore database holding approval requests and results. */
  FIRESTORE_DATABASE: z.string().default('(default)'),
  APPROVAL_REQUESTED_TOPIC: z.string().default('approval-requested'),
  APPROVAL_DECIDED_TOPIC: z.string().default('approval-decided'),
  /** Pub/Sub emulator host:port (local only; the official client reads the same variable). */
  PUBSUB_EMULATOR_HOST: loopbackHostPort.optional(),
  KMS_API_ENDPOINT: loopbackHostPort.optional(),
  BIGQUERY_API_ENDPOINT: loopbackUrl.optional(),
  STORAGE_API_ENDPOINT: loopbackUrl.optional(),
});
export type GatewayConfig = z.infer<typeof GatewayConfig>;

/** Parses the gateway's environment; throws naming every invalid variable. */
export const loadConfig = (env: NodeJS.ProcessEnv = process.env): GatewayConfig =>
  parseEnv(GatewayConfig, env, 'gateway');
