// Same-process A/B micro-benchmarks: each kind of call runs in turn, round after round, so the load of a shared
// machine falls on every kind alike; figures are this process's CPU and the wall time per call, per round.

export interface RoundFigures {
  /** CPU of this process (user + system), milliseconds per call, one entry per round. */
  cpu: number[];
  /** Wall time, milliseconds per call, one entry per round. */
  wall: number[];
}

/** Runs each kind `warmUp` times, then `rounds` rounds of `perRound` calls of each kind in turn. */
export async function interleavedRounds(
  kinds: Record<string, () => Promise<unknown>>,
  options: { perRound: number; rounds: number; warmUp?: number },
): Promise<Record<string, RoundFigures>> {
  for (const f of Object.values(kinds)) for (let i = 0; i < (options.warmUp ?? 0); i++) await f();
  const figures: Record<string, RoundFigures> = {};
  for (let round = 0; round < options.rounds; round++)
    for (const [kind, f] of Object.entries(kinds)) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < options.perRound; i++) await f();
      const cpu = process.cpuUsage(cpu0);
      const entry = figures[kind] ?? { cpu: [], wall: [] };
      figures[kind] = entry;
      entry.cpu.push((cpu.user + cpu.system) / 1000 / options.perRound);
      entry.wall.push((performance.now() - t0) / options.perRound);
    }
  return figures;
}

/** "least / median" of the rounds: a shared machine's load falls on some rounds more than others. */
export function leastMedian(xs: readonly number[], digits = 3): string {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[0]!.toFixed(digits)} / ${s[Math.floor(s.length / 2)]!.toFixed(digits)}`;
}
