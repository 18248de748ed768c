// Executor configuration from the environment, parsed once at cold start.

import { z } from 'zod';
import { csv, loopbackHostPort, loopbackUrl, parseEnv } from '../../shared/config/env.ts';

export const ExecutorConfig = z
  .object({
    PROJECT_ID: z.string().min(1),
    /** Audience the gateway's ID tokens must carry: the executor's URL. */
    EXECUTOR_AUDIENCE: z.string().min(1),
    /** Issuers of service ID tokens (Google's, in production). */
    INVOKER_ISSUERS: csv.pipe(z.array(z.url()).min(1)).default(['https://accounts.google.com']),
    /** Service-account emails allowed to invoke the executor: the gateway's. */
    INVOKER_EMAILS: csv.pipe(z.array(z.string().includes('@')).min(1)),
    /** `kms`: a sealed service-account key; `keyless`: the executor's runtime identity. */
    CREDENTIAL_MODE: z.enum(['kms', 'keyless']).default('kms'),
    /** Path of the sealed key (kms mode): a file deployed with the function, or gs://bucket/object. */
    CREDENTIAL_CIPHERTEXT_PATH: z.string().optional(),
    /** KMS symmetric key that sealed it (kms mode). */
    CREDENTIAL_KMS_KEY: z
      .string()
      .regex(/^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/)
      .optional(),
    /**
     * More BigQuery identities (kms mode) that policy rules may name in `credential`: JSON, name → path of a
     * key sealed with CREDENTIAL_KMS_KEY (a file or gs://bucket/object), e.g. {"deid-reader":"gs://b/deid.enc"}.
     */
    QUERY_CREDENTIALS: z
      .string()
      .optional()
      .transform((s, ctx) => {
        if (s === undefined || s.trim() === '') return {};
        try {
          return z.record(z.string().regex(/^[a-z][a-z0-9-]{0,62}$/), z.string().min(1)).parse(JSON.parse(s));
        } catch {
          ctx.addIssue({ code: 'custom', message: 'a JSON object of credential name → sealed key path' });
          return z.NEVER;
        }
      }),
    QUERY_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
    /** Deadline of each call to KMS, Firestore and Cloud Storage, in ms (fail closed); queries get QUERY_TIMEOUT_MS. */
    DEPENDENCY_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
    /** The policy (same file as the gateway's): its masking profiles apply here. A file or gs://bucket/object. */
    POLICY_PATH: z.string().min(1),
    /** The sealed HMAC key for pseudonyms and date shifts, and the KMS symmetric key that sealed it. */
    MASKING_KEY_CIPHERTEXT_PATH: z.string().min(1),
    MASKING_KMS_KEY: z
      .string()
      .regex(/^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/),
    /** Firestore database holding approval requests and results. */
    FIRESTORE_DATABASE: z.string().default('(default)'),
    /** How long a requester may fetch the masked result of an approved query (default one day). */
    RESULT_TTL_SECONDS: z.coerce.number().int().positive().default(86_400),
    /** BigQuery location jobs run in (US, EU, a region); default: where the datasets are. */
    BIGQUERY_LOCATION: z.string().min(2).optional(),
    AUDIT_BUCKET: z.string().min(3),
    /** Bucket for masked results of approved queries too large for a Firestore document (optional). */
    RESULTS_BUCKET: z.string().min(3).optional(),
    AUDIT_KMS_KEY_VERSION: z
      .string()
      .regex(
        /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+\/cryptoKeyVersions\/\d+$/,
      ),
    /** Seconds after an audit object is stored until a digest lists it (at the latest). */
    AUDIT_DIGEST_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
    /** How long a group-committed audit record may wait for a barrier write to share, in ms (ARCHITECTURE.md, step 7). */
    AUDIT_DEFER_MS: z.coerce.number().int().min(0).max(60_000).default(25),
    /** Most audit object writes in flight per instance, each its own stream (ARCHITECTURE.md, step 7). */
    AUDIT_WRITE_LANES: z.coerce.number().int().min(1).max(16).default(4),
    /**
     * Once the server listens, load the client libraries, fetch the issuers' JWKS and the audit key's KMS
     * certificate and open the credential and masking key in the background, ahead of the first request
     * (shared/adapters/warm-up.ts, docs/performance.md).
     */
    WARM_UP: z.stringbool().default(true),
    KMS_API_ENDPOINT: loopbackHostPort.optional(),
    BIGQUERY_API_ENDPOINT: loopbackUrl.optional(),
    STORAGE_API_ENDPOINT: loopbackUrl.optional(),
  })
  .refine((c) => c.CREDENTIAL_MODE === 'keyless' || (c.CREDENTIAL_CIPHERTEXT_PATH && c.CREDENTIAL_KMS_KEY), {
    message: 'CREDENTIAL_MODE=kms needs CREDENTIAL_CIPHERTEXT_PATH and CREDENTIAL_KMS_KEY',
    path: ['CREDENTIAL_MODE'],
  })
  .refine((c) => c.CREDENTIAL_MODE === 'kms' || Object.keys(c.QUERY_CREDENTIALS).length === 0, {
    message: 'QUERY_CREDENTIALS are sealed keys: they need CREDENTIAL_MODE=kms',
    path: ['QUERY_CREDENTIALS'],
  });
export type ExecutorConfig = z.infer<typeof ExecutorConfig>;

/** Parses the executor's environment; throws naming every invalid variable. */
export const loadConfig = (env: NodeJS.ProcessEnv = process.env): ExecutorConfig =>
  parseEnv(ExecutorConfig, env, 'executor');
