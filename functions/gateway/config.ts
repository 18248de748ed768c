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
  /**
   * The `aud` a person's token in X-Warden-On-Behalf-Of must carry; default `${PUBLIC_URL}/on-behalf-of`. It is
   * never a bearer audience, so a person's token handed to an MCP server cannot be replayed as their bearer
   * token, nor a bearer token passed off as a delegation.
   */
  ON_BEHALF_OF_AUDIENCE: z.string().min(1).optional(),
  OIDC_GROUPS_CLAIM: z.string().default('groups'),
  /** Clock skew allowed on exp/nbf/iat, in seconds (at most 300). */
  OIDC_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  /** Host header values accepted (DNS-rebinding protection); default: PUBLIC_URL's host. */
  ALLOWED_HOSTS: csv.optional(),
  /** Origin header values accepted from browsers; default: PUBLIC_URL's origin. */
  ALLOWED_ORIGINS: csv.optional(),
  /** Largest accepted request body, in bytes (default 1 MiB). */
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_048_576),
  /** Time a client has to send its whole request body, in ms (slow clients get 408 and are disconnected). */
  REQUEST_BODY_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** Deadline of each call to KMS, Firestore, Pub/Sub, Cloud Storage and BigQuery metadata, in ms (fail closed). */
  DEPENDENCY_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
  /** Path of the policy YAML. */
  POLICY_PATH: z.string().min(1),
  /** The executor's URL and the audience of the ID tokens the gateway sends it. */
  EXECUTOR_URL: z.url(),
  EXECUTOR_AUDIENCE: z.string().optional(),
  /**
   * Who dry-runs each query: `executor` (default) asks the executor, which dry-runs as the query identity;
   * `gateway` dry-runs as the gateway's own account, which works only where that account may read the tables
   * (BigQuery requires Data Viewer on them for a dry run too: docs/configuration.md).
   */
  DRY_RUN: z.enum(['executor', 'gateway']).default('executor'),
  AUDIT_BUCKET: z.string().min(3),
  /** Bucket for masked results of approved queries too large for a Firestore document (optional). */
  RESULTS_BUCKET: z.string().min(3).optional(),
  /** KMS asymmetric key version that certifies the gateway's audit signing keys. */
  AUDIT_KMS_KEY_VERSION: z
    .string()
    .regex(/^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+\/cryptoKeyVersions\/\d+$/),
  /**
   * KMS MAC key version (HMAC_SHA256) from which the gateway derives the key that protects the state of a question
   * it asks a client (MCP 2026-07-28 input_required: a missing reason). Unset: Warden asks nothing and denies.
   */
  REQUEST_STATE_KMS_KEY_VERSION: z
    .string()
    .regex(/^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+\/cryptoKeyVersions\/\d+$/)
    .optional(),
  /** Seconds after an audit object is stored until a digest lists it (at the latest). */
  AUDIT_DIGEST_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** How long a group-committed audit record may wait for a barrier write to share, in ms (ARCHITECTURE.md, step 7). */
  AUDIT_DEFER_MS: z.coerce.number().int().min(0).max(60_000).default(25),
  /** Most audit object writes in flight per instance, each its own stream (ARCHITECTURE.md, step 7). */
  AUDIT_WRITE_LANES: z.coerce.number().int().min(1).max(16).default(4),
  /** The sweep fails an approved request still EXECUTING this long after its claim (longer than any query). */
  SWEEP_STUCK_AFTER_SECONDS: z.coerce.number().int().min(60).default(3600),
  /** Firestore database holding approval requests and results. */
  FIRESTORE_DATABASE: z.string().default('(default)'),
  APPROVAL_REQUESTED_TOPIC: z.string().default('approval-requested'),
  APPROVAL_DECIDED_TOPIC: z.string().default('approval-decided'),
  /** Pub/Sub emulator host:port (local only; the official client reads the same variable). */
  PUBSUB_EMULATOR_HOST: loopbackHostPort.optional(),
  /** The approvers' web console at `/console` (docs/console.md); `false` answers 404 there. */
  CONSOLE_ENABLED: z.stringbool().default(true),
  /** OIDC issuer the console signs in with (authorization code + PKCE); default: the first of OIDC_ISSUERS. */
  CONSOLE_ISSUER: z.url().optional(),
  /** The console's OAuth client id at that issuer; its ID tokens' `aud`, accepted by the gateway. Default: PUBLIC_URL. */
  CONSOLE_CLIENT_ID: z.string().min(1).optional(),
  /** Redirect URI registered for the client; default: `${PUBLIC_URL}/console/callback`. */
  CONSOLE_REDIRECT_URI: z.url().optional(),
  /** Scopes the console asks for (space-separated). */
  CONSOLE_SCOPES: z.string().default('openid email profile'),
  /**
   * Groups whose members review break-glass uses after the fact (comma-separated; docs/approvals.md). Default:
   * every approver group the policy names.
   */
  BREAK_GLASS_REVIEWER_GROUPS: csv.optional(),
  /** Lets `GET /approvals/{id}/audit` read and verify the audit bucket (needs object read and KMS public-key access). */
  CONSOLE_AUDIT_READ: z.stringbool().default(false),
  /**
   * Once the server listens, load the client libraries and fetch the issuers' JWKS and the audit key's KMS
   * certificate in the background, ahead of the first request (shared/adapters/warm-up.ts, docs/performance.md).
   */
  WARM_UP: z.stringbool().default(true),
  KMS_API_ENDPOINT: loopbackHostPort.optional(),
  BIGQUERY_API_ENDPOINT: loopbackUrl.optional(),
  STORAGE_API_ENDPOINT: loopbackUrl.optional(),
});
export type GatewayConfig = z.infer<typeof GatewayConfig>;

/** Parses the gateway's environment; throws naming every invalid variable. */
export const loadConfig = (env: NodeJS.ProcessEnv = process.env): GatewayConfig =>
  parseEnv(GatewayConfig, env, 'gateway');
