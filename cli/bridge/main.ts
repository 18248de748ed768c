// Runs `warden bridge` directly (`node cli/bridge/main.ts --url …`), as the `warden` CLI's bridge command does.

import { bridgeCommand } from './bridge.ts';

if (import.meta.main) process.exitCode = await bridgeCommand(process.argv.slice(2));
