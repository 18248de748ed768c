// Entry points of the `gateway` Cloud Function (and its `sweep` target): wiring only.

import * as functions from '@google-cloud/functions-framework';
import { limitRequestBodies } from './body-parsing.ts';
import { loadConfig } from './config.ts';
import { createGatewayHandler } from './handle.ts';
import { createSweepHandler } from './sweep.ts';
import { createGatewayDeps } from './wire.ts';

const config = loadConfig();
limitRequestBodies({ maxBytes: config.MAX_BODY_BYTES, timeoutMs: config.REQUEST_BODY_TIMEOUT_MS });
const deps = await createGatewayDeps(config);
functions.http('gateway', createGatewayHandler(deps));
// Housekeeping from the same source (Terraform deploys it as `sweeper`, on a Cloud Scheduler topic).
const sweep = createSweepHandler(deps, { stuckAfterMs: config.SWEEP_STUCK_AFTER_SECONDS * 1000 });
functions.cloudEvent('sweep', async () => {
  await sweep();
});
