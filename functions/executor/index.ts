// Entry point of the `executor` Cloud Function: wiring only.

import * as functions from '@google-cloud/functions-framework';
import { loadConfig } from './config.ts';
import { createExecutorHandler } from './handle.ts';
import { createExecutorDeps } from './wire.ts';

functions.http('executor', createExecutorHandler(await createExecutorDeps(loadConfig())));
