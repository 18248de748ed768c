// Entry point of the `executor` Cloud Function: wiring only.

import * as functions from '@google-cloud/functions-framework';
import { eventOutsideDomain, outsideDomain, withoutRequestDomains } from '../../shared/adapters/framework.ts';
import { closeAuditLogs } from '../../shared/adapters/function-ports.ts';
import { logLine } from '../../shared/adapters/logging.ts';
import { drainBeforeExit } from '../../shared/adapters/shutdown.ts';
import { preload, warmTokenVerifier, warmUpInBackground } from '../../shared/adapters/warm-up.ts';
import { loadConfig } from './config.ts';
import { createApprovedHandler } from './events.ts';
import { createExecutorHandler } from './handle.ts';
import { createExecutorDeps } from './wire.ts';

const config = loadConfig();
const deps = await createExecutorDeps(config);
// On SIGTERM the audit log signs its last digest and closing checkpoint before the instance goes.
drainBeforeExit(closeAuditLogs, { log: logLine('executor') });
const handleApproved = createApprovedHandler(deps);
// Two targets from one source: HTTPS for allowed queries, CloudEvents (Pub/Sub approval-decided) for approved ones.
// Serving the HTTP target, the process makes no request domain at all (shared/adapters/framework.ts).
withoutRequestDomains(['executor']);
functions.http('executor', outsideDomain('executor', createExecutorHandler(deps)));
functions.cloudEvent('approved', eventOutsideDomain('executor', handleApproved));
// From the server's first request (so while a request holds the CPU), a first query's request-independent
// work runs in the background (WARM_UP): the invokers' JWKS, the KMS public key grants verify against, the audit
// key's KMS certificate, the default credential and the masking key (each opened once per instance anyway, kept
// in memory only) and the Firestore client library (the grant ledger). Named credentials (QUERY_CREDENTIALS)
// stay closed until a rule uses one.
warmUpInBackground(
  () => [
    warmTokenVerifier('OIDC keys', deps.verifier, config.INVOKER_ISSUERS),
    { name: 'grant trust key', run: () => deps.grants.kmsPublicKeyPem() },
    { name: 'audit key certificate', run: async () => deps.audit.ready?.() },
    { name: 'credential', run: () => deps.warehouse() },
    { name: 'masking key', run: () => deps.masking.key() },
    preload('Firestore', () => import('@google-cloud/firestore')),
  ],
  { enabled: config.WARM_UP, log: logLine('executor') },
);
