// The executor's ports on Google Cloud: the only file of the executor that builds client libraries (each created
// on first use, so a cold start loads none it does not need yet) and the adapters over them. No decision lives
// here: compose.ts makes them all.

import { BigQueryWarehouse } from '../../shared/adapters/bigquery/warehouse.ts';
import { createBigQueryClient } from '../../shared/adapters/clients.ts';
import { FirestoreGrantLedger } from '../../shared/adapters/firestore/grant-ledger.ts';
import { googleFunctionPorts } from '../../shared/adapters/function-ports.ts';
import { lazyPort } from '../../shared/adapters/lazy.ts';
import type { ExecutorPorts } from './compose.ts';
import type { ExecutorConfig } from './config.ts';

export function createExecutorPorts(config: ExecutorConfig): ExecutorPorts {
  const [common, clients] = googleFunctionPorts(config, 'executor');
  return {
    ...common,
    grantLedger: lazyPort(async () => new FirestoreGrantLedger(await clients.firestore())),
    // A client per identity: with a credential, requests carry a JWT signed in memory (clients.ts).
    warehouse: async (credential) =>
      new BigQueryWarehouse(
        await createBigQueryClient(config.PROJECT_ID, config.BIGQUERY_API_ENDPOINT, credential),
      ),
  };
}
