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
  KMS_API_ENDPOINT: loopbackHostPort.optional(),
  BIGQUERY_API_ENDPOINT: loopbackUrl.optional(),
  STORAGE_API_ENDPOINT: loopbackUrl.optional(),
});
export type GatewayConfig = z.infer<typeof GatewayConfig>;

/** Parses the gateway's environment; throws naming every invalid variable. */
export const loadConfig = (env: NodeJS.ProcessEnv = process.env): GatewayConfig =>
  parseEnv(GatewayConfig, env, 'gateway');
