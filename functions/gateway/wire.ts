// Wiring: the gateway's adapters, built once per instance from its configuration.

import type { Storage } from '@google-cloud/storage';
import { BigQueryWarehouse } from '../../shared/adapters/bigquery/warehouse.ts';
import {
  createBigQueryClient,
  createFirestoreClient,
  createKmsClient,
  createPubSubClient,
  createStorageClient,
} from '../../shared/adapters/clients.ts';
import { withDeadline } from '../../shared/adapters/deadline.ts';
import {
  dryRunsThroughExecutor,
  HttpQueryRunner,
  MetadataIdTokenSource,
} from '../../shared/adapters/executor/http-query-runner.ts';
import { FirestoreElicitationStore } from '../../shared/adapters/firestore/elicitation-store.ts';
import { lazyApprovalStores, lazyAuditLog, lazyKeyService } from '../../shared/adapters/function-ports.ts';
import { lazyPort, once } from '../../shared/adapters/lazy.ts';
import { logLine } from '../../shared/adapters/logging.ts';
import { OidcTokenVerifier } from '../../shared/adapters/oidc/token-verifier.ts';
import { PubSubEventBus } from '../../shared/adapters/pubsub/event-bus.ts';
import { readLocation } from '../../shared/adapters/storage/read-location.ts';
import { TableCatalog } from '../../shared/core/classification/table-catalog.ts';
import { WardenError } from '../../shared/core/errors.ts';
import { sqlFactsFor } from '../../shared/core/gateway/sql-facts.ts';
import { loadPolicy } from '../../shared/core/policy/policy.ts';
import { systemClock } from '../../shared/ports/clock.ts';
import { ReasonAsker } from './ask.ts';
import type { GatewayConfig } from './config.ts';
import { cachedDiscovery } from './console/console.ts';
import { LegacyElicitation } from './elicit.ts';
import type { GatewayDeps } from './handle.ts';

/** The policy's text from a file path or a `gs://bucket/object` URL; a missing policy stops the start. */
export async function readPolicyText(
  location: string,
  storage: Storage | (() => Promise<Storage>),
): Promise<string> {
  try {
    return new TextDecoder().decode(await readLocation(location, storage));
  } catch (err) {
    throw new WardenError(
      'failed_precondition',
      `The policy ${location} could not be read: Warden does not start without a valid policy.`,
      { cause: err },
    );
  }
}

/** Builds every dependency of the gateway; throws (so the instance does not start) if the policy is invalid. */
export async function createGatewayDeps(config: GatewayConfig): Promise<GatewayDeps> {
  // Clients are created on first use (a cold start loads no client library it does not need yet).
  const kms = once(() => createKmsClient(config.KMS_API_ENDPOINT));
  const storage = once(() => createStorageClient(config.PROJECT_ID, config.STORAGE_API_ENDPOINT));
  const bigquery = once(() => createBigQueryClient(config.PROJECT_ID, config.BIGQUERY_API_ENDPOINT));
  const firestore = once(() => createFirestoreClient(config.PROJECT_ID, config.FIRESTORE_DATABASE));
  const pubsub = once(() => createPubSubClient(config.PROJECT_ID, config.PUBSUB_EMULATOR_HOST));
  const policy = loadPolicy(await readPolicyText(config.POLICY_PATH, storage), config.POLICY_PATH);
  const publicUrl = config.PUBLIC_URL.replace(/\/$/, '');
  const consoleClientId = config.CONSOLE_CLIENT_ID ?? publicUrl;
  const consoleIssuer = config.CONSOLE_ISSUER ?? config.OIDC_ISSUERS[0]!;
  if (config.CONSOLE_ENABLED && !config.OIDC_ISSUERS.includes(consoleIssuer))
    throw new WardenError('failed_precondition', 'CONSOLE_ISSUER must be one of OIDC_ISSUERS.');
  // The console's ID tokens carry its client id as `aud`: they are meant for this gateway, so it accepts them.
  const audiences = [
    ...new Set([
      ...(config.OIDC_AUDIENCES ?? [config.PUBLIC_URL]),
      ...(config.CONSOLE_ENABLED ? [consoleClientId] : []),
    ]),
  ];
  const onBehalfOfAudience = config.ON_BEHALF_OF_AUDIENCE ?? `${publicUrl}/on-behalf-of`;
  if (audiences.includes(onBehalfOfAudience))
    throw new WardenError(
      'failed_precondition',
      'ON_BEHALF_OF_AUDIENCE must differ from every bearer audience (OIDC_AUDIENCES, CONSOLE_CLIENT_ID).',
    );
  const verifierFor = (aud: string[]) =>
    new OidcTokenVerifier({
      clockToleranceSeconds: config.OIDC_CLOCK_SKEW_SECONDS,
      issuers: config.OIDC_ISSUERS.map((issuer) => ({
        issuer,
        audiences: aud,
        groupsClaim: config.OIDC_GROUPS_CLAIM,
      })),
    });
  const log = logLine('gateway');
  // Every dependency call has a deadline and fails closed when it passes (docs/reliability.md).
  const ms = config.DEPENDENCY_TIMEOUT_MS;
  const ownMetadata = withDeadline(
    lazyPort(async () => new BigQueryWarehouse(await bigquery())),
    ms,
    'BigQuery',
  );
  const keys = lazyKeyService(kms, ms);
  const { audit, sink: auditSink } = lazyAuditLog({
    storage,
    keys,
    bucket: config.AUDIT_BUCKET,
    kmsKeyVersion: config.AUDIT_KMS_KEY_VERSION,
    writer: 'gateway',
    digestIntervalSeconds: config.AUDIT_DIGEST_INTERVAL_SECONDS,
    deferMs: config.AUDIT_DEFER_MS,
    lanes: config.AUDIT_WRITE_LANES,
    deadlineMs: ms,
    log,
  });
  const runner = new HttpQueryRunner({
    url: config.EXECUTOR_URL,
    audience: config.EXECUTOR_AUDIENCE ?? config.EXECUTOR_URL,
    tokens: new MetadataIdTokenSource(),
    // Each request goes as a grant signed with this instance's KMS-certified audit key.
    grants: audit,
    dryRunTimeoutMs: ms,
  });
  // Dry runs as the query identity by default: the gateway's own roles are metadata only (no table data), and
  // BigQuery requires data access for a dry run as for the query (docs/configuration.md, DRY_RUN).
  const metadata = config.DRY_RUN === 'gateway' ? ownMetadata : dryRunsThroughExecutor(ownMetadata, runner);
  return {
    policy,
    approvals: {
      ...lazyApprovalStores({ firestore, storage }, config.RESULTS_BUCKET, ms),
      bus: withDeadline(
        lazyPort(async () => new PubSubEventBus(await pubsub())),
        ms,
        'Pub/Sub',
      ),
      audit,
      // Parked requests' bindings are signed with this instance's KMS-certified audit key.
      signer: audit,
      clock: systemClock,
      topics: { requested: config.APPROVAL_REQUESTED_TOPIC, decided: config.APPROVAL_DECIDED_TOPIC },
    },
    catalog: new TableCatalog({ metadata, config: policy.classification, clock: systemClock }),
    analyzeSql: sqlFactsFor,
    clock: systemClock,
    allowedHosts: (config.ALLOWED_HOSTS ?? [new URL(config.PUBLIC_URL).host]).map((h) => h.toLowerCase()),
    allowedOrigins: (config.ALLOWED_ORIGINS ?? [new URL(config.PUBLIC_URL).origin]).map((o) =>
      o.toLowerCase(),
    ),
    maxBodyBytes: config.MAX_BODY_BYTES,
    verifier: verifierFor(audiences),
    personVerifier: verifierFor([onBehalfOfAudience]),
    audit,
    metadata,
    runner,
    publicUrl,
    issuers: config.OIDC_ISSUERS,
    ...(config.BREAK_GLASS_REVIEWER_GROUPS
      ? { breakGlassReviewers: config.BREAK_GLASS_REVIEWER_GROUPS }
      : {}),
    log,
    ...(config.REQUEST_STATE_KMS_KEY_VERSION
      ? {
          reasons: new ReasonAsker(keys, config.REQUEST_STATE_KMS_KEY_VERSION),
          // 2025-era clients are asked too: questions meet their answers in Firestore (elicit.ts).
          elicitation: new LegacyElicitation({
            keys,
            keyVersion: config.REQUEST_STATE_KMS_KEY_VERSION,
            store: lazyPort(async () => new FirestoreElicitationStore(await firestore(), ms)),
            clock: systemClock,
          }),
        }
      : {}),
    ...(config.CONSOLE_ENABLED
      ? {
          console: {
            settings: {
              publicUrl,
              issuer: consoleIssuer,
              clientId: consoleClientId,
              redirectUri: config.CONSOLE_REDIRECT_URI ?? `${publicUrl}/console/callback`,
              scopes: config.CONSOLE_SCOPES,
              auditRead: config.CONSOLE_AUDIT_READ,
            },
            discover: cachedDiscovery(consoleIssuer),
            log,
          },
        }
      : {}),
    ...(config.CONSOLE_AUDIT_READ
      ? {
          auditTrail: {
            list: (prefix: string) => auditSink.list(prefix),
            read: (name: string) => auditSink.read(name),
            kmsPublicKeyPem: () => keys.getPublicKeyPem(config.AUDIT_KMS_KEY_VERSION),
          },
        }
      : {}),
  };
}
