// The executor's result lineage (analyzeResultLineage, shared/core/query/sql-lineage.ts: the SQL analysis, then
// the lineage walk) over the varied queries of bench/cpu-profile.ts, one core. The lineage walks the analysis's
// own AST of the statement since 7 December 2026 (before, it parsed the text a second time). CPU per call, five
// rounds, least / median.
//
//   node bench/lineage-parse.ts [calls per round, default 3000]

import { analyzeResultLineage } from '../shared/core/query/sql-lineage.ts';
import { variedQuery } from './varied-query.ts';

const per = Number(process.argv[2] ?? 3000);
const options = { defaultProject: 'demo-warden' };
for (let i = 0; i < 500; i++) analyzeResultLineage(variedQuery(i), options);
const rounds: number[] = [];
for (let round = 0; round < 5; round++) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < per; i++) {
    if (analyzeResultLineage(variedQuery(i), options)?.sourcesOf('code') === undefined)
      throw new Error(`no lineage for ${variedQuery(i)}`);
  }
  const c = process.cpuUsage(c0);
  rounds.push((c.user + c.system) / 1000 / per);
}
rounds.sort((a, b) => a - b);
console.log(
  `lineage of one query, CPU ms per call, least / median: ${rounds[0]!.toFixed(3)} / ${rounds[2]!.toFixed(3)}`,
);
