// Entry point of the `executor` Cloud Function: wiring only.

import * as functions from '@google-cloud/functions-framework';
import { eventOutsideDomain, outsideDomain } from '../../shared/adapters/framework.ts';
import { closeAuditLogs } from '../../shared/adapters/function-ports.ts';
import { logLine } from '../../shared/adapters/logging.ts';
import { drainBeforeExit } from '../../shared/adapters/shutdown.ts';
import { loadConfig } from './config.ts';
import { createApprovedHandler } from './events.ts';
import { createExecutorHandler } from './handle.ts';
import { createExecutorDeps } from './wire.ts';

const deps = await createExecutorDeps(loadConfig());
// On SIGTERM the audit log signs its last digest and closing checkpoint before the instance goes.
drainBeforeExit(closeAuditLogs, { log: logLine('executor') });
const handleApproved = createApprovedHandler(deps);
// Two targets from one source: HTTPS for allowed queries, CloudEvents (Pub/Sub approval-decided) for approved ones.
functions.http('executor', outsideDomain('executor', createExecutorHandler(deps)));
functions.cloudEvent('approved', eventOutsideDomain('executor', handleApproved));
