// Entry points of the `gateway` Cloud Function (and its `sweep` target): wiring only.

import * as functions from '@google-cloud/functions-framework';
import { eventOutsideDomain, outsideDomain } from '../../shared/adapters/framework.ts';
import { closeAuditLogs } from '../../shared/adapters/function-ports.ts';
import { logLine } from '../../shared/adapters/logging.ts';
import { drainBeforeExit } from '../../shared/adapters/shutdown.ts';
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
functions.http('gateway', outsideDomain('gateway', createGatewayHandler(deps)));
// Housekeeping from the same source (Terraform deploys it as `sweeper`, on a Cloud Scheduler topic).
const sweep = createSweepHandler(deps, { stuckAfterMs: config.SWEEP_STUCK_AFTER_SECONDS * 1000 });
functions.cloudEvent('sweep', eventOutsideDomain('gateway', sweep));
