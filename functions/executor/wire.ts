// Wiring: the executor composed (compose.ts) over its Google ports (ports.ts), once per instance.

import type { RunApprovedDeps } from '../../shared/core/execution/run-approved.ts';
import { composeExecutor } from './compose.ts';
import type { ExecutorConfig } from './config.ts';
import type { ExecutorDeps } from './handle.ts';
import { createExecutorPorts } from './ports.ts';

export function createExecutorDeps(config: ExecutorConfig): Promise<ExecutorDeps & RunApprovedDeps> {
  return composeExecutor(config, createExecutorPorts(config));
}
