// Entry points of the `gateway` Cloud Function (and its `sweep` target): wiring only.

import * as functions from '@google-cloud/functions-framework';
import { eventOutsideDomain, outsideDomain, withoutRequestDomains } from '../../shared/adapters/framework.ts';
import { closeAuditLogs } from '../../shared/adapters/function-ports.ts';
import { logLine } from '../../shared/adapters/logging.ts';
import { drainBeforeExit } from '../../shared/adapters/shutdown.ts';
import { preload, warmTokenVerifier, warmUpInBackground } from '../../shared/adapters/warm-up.ts';
import { limitRequestBodies } from './body-parsing.ts';
import { loadConfig } from './config.ts';
import { createGatewayHandler } from './handle.ts';
import { createSweepHandler } from './sweep.ts';
import { createGatewayDeps } from './wire.ts';

const config = loadConfig();
limitRequestBodies({ maxBytes: config.MAX_BODY_BYTES, timeoutMs: config.REQUEST_BODY_TIMEOUT_MS });
const deps = await createGatewayDeps(config);
// On SIGTERM the audit log signs its last digest and closing checkpoint before the instance goes.
drainBeforeExit(closeAuditLogs, { log: logLine('gateway') });
// Serving the HTTP target, the process makes no request domain at all (shared/adapters/framework.ts).
withoutRequestDomains(['gateway']);
functions.http('gateway', outsideDomain('gateway', createGatewayHandler(deps)));
// Housekeeping from the same source (Terraform deploys it as `sweeper`, on a Cloud Scheduler topic).
const sweep = createSweepHandler(deps, { stuckAfterMs: config.SWEEP_STUCK_AFTER_SECONDS * 1000 });
functions.cloudEvent('sweep', eventOutsideDomain('gateway', sweep));
// From the server's first request (so while a request holds the CPU), a first query's request-independent
// work runs in the background (WARM_UP): the issuers' JWKS, the executor hop's ID token, the audit key's KMS
// certificate (one REST call), the client libraries through the same imports as shared/adapters/clients.ts.
// Those only other routes use (BigQuery for metadata, Firestore and Pub/Sub for approvals) still load on first
// use: compiled while a request is served, they would hold it up (docs/performance.md).
warmUpInBackground(
  () => [
    warmTokenVerifier('OIDC keys', deps.verifier, config.OIDC_ISSUERS),
    { name: 'audit key certificate', run: async () => deps.audit.ready?.() },
    // The executor hop's service ID token (a metadata-server round trip on Google Cloud), cached as a call would.
    { name: 'executor ID token', run: async () => deps.runner.warmUp?.() },
    preload('Cloud Storage', () => import('@google-cloud/storage')),
    preload('google-auth-library', () => import('google-auth-library')),
    // Dry runs as the gateway's own identity need BigQuery on the first query's path too.
    ...(config.DRY_RUN === 'gateway' ? [preload('BigQuery', () => import('@google-cloud/bigquery'))] : []),
  ],
  { enabled: config.WARM_UP, log: logLine('gateway') },
);
