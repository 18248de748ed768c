// The gateway's ports on Google Cloud: the only file of the gateway that builds client libraries (each created
// on first use, so a cold start loads none it does not need yet) and the adapters over them. No decision lives
// here: compose.ts makes them all.

import { BigQueryWarehouse } from '../../shared/adapters/bigquery/warehouse.ts';
import { createBigQueryClient, createPubSubClient } from '../../shared/adapters/clients.ts';
import { MetadataIdTokenSource } from '../../shared/adapters/executor/metadata-id-token.ts';
import { FirestoreElicitationStore } from '../../shared/adapters/firestore/elicitation-store.ts';
import { googleFunctionPorts } from '../../shared/adapters/function-ports.ts';
import { lazyPort } from '../../shared/adapters/lazy.ts';
import { PubSubEventBus } from '../../shared/adapters/pubsub/event-bus.ts';
import type { GatewayPorts } from './compose.ts';
import type { GatewayConfig } from './config.ts';

export function createGatewayPorts(config: GatewayConfig): GatewayPorts {
  const [common, clients] = googleFunctionPorts(config, 'gateway');
  return {
    ...common,
    // Each port creates its client once, on its first call (lazyPort).
    bus: lazyPort(
      async () =>
        new PubSubEventBus(await createPubSubClient(config.PROJECT_ID, config.PUBSUB_EMULATOR_HOST)),
    ),
    warehouse: lazyPort(
      async () =>
        new BigQueryWarehouse(await createBigQueryClient(config.PROJECT_ID, config.BIGQUERY_API_ENDPOINT)),
    ),
    elicitations(deadlineMs) {
      return lazyPort(async () => new FirestoreElicitationStore(await clients.firestore(), deadlineMs));
    },
    executorHop: { tokens: new MetadataIdTokenSource() },
  };
}
