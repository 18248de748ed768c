// Wiring: the notifier composed (compose.ts) over its ports (ports.ts).

import { composeNotifier } from './compose.ts';
import type { NotifierConfig } from './config.ts';
import type { NotifierDeps } from './handle.ts';
import { createNotifierPorts } from './ports.ts';

export async function createNotifierDeps(config: NotifierConfig): Promise<NotifierDeps> {
  return composeNotifier(config, createNotifierPorts(config));
}
