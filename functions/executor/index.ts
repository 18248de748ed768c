// Entry point of the `executor` Cloud Function: wiring only.

import * as functions from '@google-cloud/functions-framework';
import { loadConfig } from './config.ts';
import { createApprovedHandler } from './events.ts';
import { createExecutorHandler } from './handle.ts';
import { createExecutorDeps } from './wire.ts';

const deps = await createExecutorDeps(loadConfig());
const handleApproved = createApprovedHandler(deps);
// Two targets from one source: HTTPS for allowed queries, CloudEvents (Pub/Sub approval-decided) for approved ones.
functions.http('executor', createExecutorHandler(deps));
functions.cloudEvent('approved', async (event: functions.CloudEvent<unknown>) => {
  await handleApproved(event);
});
