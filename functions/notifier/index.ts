// Entry point of the optional `notifier` Cloud Function: wiring only.

import * as functions from '@google-cloud/functions-framework';
import { eventOutsideDomain } from '../../shared/adapters/framework.ts';
import { loadConfig } from './config.ts';
import { createNotifyHandler } from './handle.ts';
import { createNotifierDeps } from './wire.ts';

const notify = createNotifyHandler(await createNotifierDeps(loadConfig()));
// CloudEvents from Eventarc (Pub/Sub approval-requested), or push deliveries locally.
functions.cloudEvent('notify', eventOutsideDomain('notifier', notify));
