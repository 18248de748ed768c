// `npm run bench`: runs Warden's benchmarks, prints a table and writes bench/results.json. Figures, never
// assertions: the test suite has no timing checks.

import { writeFileSync } from 'node:fs';
import { arch, cpus, platform } from 'node:os';
import { benchPolicy } from './policy.bench.ts';

const results: Record<string, unknown> = {
  at: new Date().toISOString(),
  machine: {
    node: process.version,
    platform: platform(),
    arch: arch(),
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
  },
};

const policy = benchPolicy();
results['policy'] = policy;
console.log('benchmark                              figure');
console.log(
  `policy decisions/s (${policy.rules} rules, 1 core)   ${policy.decisionsPerSecond.toLocaleString('en-US')}`,
);

writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
console.log('\nwritten to bench/results.json');
