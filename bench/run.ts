// `npm run bench`: runs Warden's benchmarks, prints a table and writes bench/results.json. Figures, never
// assertions: the test suite has no timing checks.

import { writeFileSync } from 'node:fs';
import { arch, cpus, platform } from 'node:os';
import { benchMasking } from './masking.bench.ts';
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

const masking = benchMasking(2000);
results['masking'] = masking;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(`masking: column rules, cells/s (1 core)           ${fmt(masking.cellsPerSecond)}`);
console.log(`masking: HMAC pseudonyms, cells/s                 ${fmt(masking.hashCellsPerSecond)}`);
console.log(`masking: detectors over notes, MB/s               ${masking.scanMBPerSecond.toFixed(1)}`);
console.log(`masking: detectors over PHI-free text, MB/s       ${masking.cleanScanMBPerSecond.toFixed(1)}`);
console.log(`masking: safe-harbor profile, cells/s             ${fmt(masking.safeHarborCellsPerSecond)}`);

writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
console.log('\nwritten to bench/results.json');
