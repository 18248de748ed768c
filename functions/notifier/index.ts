// Entry point of the optional `notifier` Cloud Function: wiring only.

import * as functions from '@google-cloud/functions-framework';
import { loadConfig } from './config.ts';
import { createNotifyHandler } from './handle.ts';
import { createNotifierDeps } from './wire.ts';

const notify = createNotifyHandler(await createNotifierDeps(loadConfig()));
// CloudEvents from Eventarc (Pub/Sub approval-requested), or push deliveries locally.
functions.cloudEvent('notify', async (event: functions.CloudEvent<unknown>) => {
  await notify(event);
});
