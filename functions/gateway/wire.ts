// Wiring: the gateway composed (compose.ts) over its Google ports (ports.ts), once per instance.

import { composeGateway } from './compose.ts';
import type { GatewayConfig } from './config.ts';
import type { GatewayDeps } from './handle.ts';
import { createGatewayPorts } from './ports.ts';

/** Builds every dependency of the gateway; rejects (so the instance does not start) if the policy is invalid. */
export function createGatewayDeps(config: GatewayConfig): Promise<GatewayDeps> {
  return composeGateway(config, createGatewayPorts(config));
}
