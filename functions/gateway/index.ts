// Entry point of the `gateway` Cloud Function: wiring only.

import './body-parsing.ts';
import * as functions from '@google-cloud/functions-framework';
import { loadConfig } from './config.ts';
import { createGatewayHandler } from './handle.ts';
import { createGatewayDeps } from './wire.ts';

const handle = createGatewayHandler(await createGatewayDeps(loadConfig()));
functions.http('gateway', handle);
