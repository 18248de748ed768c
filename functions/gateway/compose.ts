// The gateway's composition root: every wiring decision (deadlines, the audit log, audiences, DRY_RUN, the
// console, elicitation, break-glass reviewers), made once over the ports it is given. Pure: no client library
// (npm run check, rule compose-pure). Production passes Google's ports (ports.ts), the tests in-memory ones
// (functions/test-support/rig.ts).

import { withDeadline } from '../../shared/adapters/deadline.ts';
import {
  dryRunsThroughExecutor,
  HttpQueryRunner,
  type IdTokenSource,
} from '../../shared/adapters/executor/http-query-runner.ts';
import { composeCommon, type FunctionPorts } from '../../shared/adapters/function-compose.ts';
import { TableCatalog } from '../../shared/core/classification/table-catalog.ts';
import { WardenError } from '../../shared/core/errors.ts';
import { sqlFactsFor } from '../../shared/core/gateway/sql-facts.ts';
import type { ElicitationStore } from '../../shared/ports/elicitation-store.ts';
import type { EventBus } from '../../shared/ports/event-bus.ts';
import type { WarehouseMetadata } from '../../shared/ports/warehouse.ts';
import { ReasonAsker } from './ask.ts';
import type { GatewayConfig } from './config.ts';
import { cachedDiscovery } from './console/console.ts';
import { LegacyElicitation } from './elicit.ts';
import type { GatewayDeps } from './handle.ts';

/** What the gateway is composed from, besides the ports every function has. */
export interface GatewayPorts extends FunctionPorts {
  bus: EventBus;
  /** The gateway's own BigQuery identity: metadata reads, and dry runs when DRY_RUN=gateway. */
  warehouse: WarehouseMetadata;
  /**
   * Questions asked of 2025-era clients (a store every instance sees), its calls bounded by `deadlineMs`;
   * absent: those clients are not asked (the test rig, whose elicitation tests bring their own).
   */
  elicitations?: (deadlineMs: number) => ElicitationStore;
  /** The hop to the executor: its ID tokens, and the HTTP client (absent: `fetch`). */
  executorHop: {
    tokens: IdTokenSource;
    fetch?: typeof fetch;
    /**
     * The hop's own deadlines (absent: the runner's defaults for a query, DEPENDENCY_TIMEOUT_MS for a dry run).
     * The rig's in-process executor runs every dependency on one deadline, so its hop needs headroom.
     */
    timeoutMs?: number;
    dryRunTimeoutMs?: number;
  };
}

/** Every dependency of the gateway; rejects (so the instance does not start) if the policy or settings are invalid. */
export async function composeGateway(config: GatewayConfig, ports: GatewayPorts): Promise<GatewayDeps> {
  const { policy, keys, audit, sink: auditSink, stores } = await composeCommon(ports, config, 'gateway');
  const clock = ports.clock;
  const log = ports.log;
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
    ports.tokenVerifier({
      clockToleranceSeconds: config.OIDC_CLOCK_SKEW_SECONDS,
      issuers: config.OIDC_ISSUERS.map((issuer) => ({
        issuer,
        audiences: aud,
        groupsClaim: config.OIDC_GROUPS_CLAIM,
      })),
    });
  // Every dependency call has a deadline and fails closed when it passes (docs/reliability.md).
  const ms = config.DEPENDENCY_TIMEOUT_MS;
  const ownMetadata = withDeadline(ports.warehouse, ms, 'BigQuery');
  const runner = new HttpQueryRunner({
    url: config.EXECUTOR_URL,
    audience: config.EXECUTOR_AUDIENCE ?? config.EXECUTOR_URL,
    // Each request goes as a grant signed with this instance's KMS-certified audit key.
    grants: audit,
    clock,
    dryRunTimeoutMs: ms,
    // The ID tokens, and the rig's fetch and deadlines where it brings them.
    ...ports.executorHop,
  });
  // Dry runs as the query identity by default: the gateway's own roles are metadata only (no table data), and
  // BigQuery requires data access for a dry run as for the query (docs/configuration.md, DRY_RUN).
  const metadata = config.DRY_RUN === 'gateway' ? ownMetadata : dryRunsThroughExecutor(ownMetadata, runner);
  const stateKey = config.REQUEST_STATE_KMS_KEY_VERSION;
  return {
    policy,
    approvals: {
      ...stores,
      bus: withDeadline(ports.bus, ms, 'Pub/Sub'),
      audit,
      // Parked requests' bindings are signed with this instance's KMS-certified audit key.
      signer: audit,
      clock,
      topics: { requested: config.APPROVAL_REQUESTED_TOPIC, decided: config.APPROVAL_DECIDED_TOPIC },
    },
    catalog: new TableCatalog({ metadata, config: policy.classification, clock }),
    analyzeSql: sqlFactsFor,
    clock,
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
    ...(stateKey ? { reasons: new ReasonAsker(keys, stateKey) } : {}),
    // 2025-era clients are asked too: questions meet their answers in a shared store (elicit.ts).
    ...(stateKey && ports.elicitations
      ? {
          elicitation: new LegacyElicitation({
            keys,
            keyVersion: stateKey,
            store: ports.elicitations(ms),
            clock,
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
            list(prefix: string) {
              return auditSink.list(prefix);
            },
            read(name: string) {
              return auditSink.read(name);
            },
            kmsPublicKeyPem() {
              return keys.getPublicKeyPem(config.AUDIT_KMS_KEY_VERSION);
            },
          },
        }
      : {}),
  };
}
