// Deterministic pseudo-random numbers for synthetic data: a cyrb128 string hash seeds an sfc32 generator.

// The generator itself (cyrb128 seeding sfc32) is the stand-ins' (standins/prng.ts), which the latency model
// draws from too: one implementation, so a seed means the same sequence in the data and in the model.
import type { Rng } from '../../standins/prng.ts';

export { hashSeed, Rng } from '../../standins/prng.ts';

/** Picks items in proportion to their weights; build once, sample many times. */
export class WeightedPicker<T> {
  private readonly items: readonly T[];
  private readonly cumulative: number[];
  private readonly total: number;

  constructor(items: readonly T[], weightOf: (item: T) => number) {
    if (items.length === 0) throw new RangeError('WeightedPicker needs at least one item');
    this.items = items;
    this.cumulative = [];
    let total = 0;
    for (const item of items) {
      total += weightOf(item);
      this.cumulative.push(total);
    }
    this.total = total;
  }

  /** One item, chosen with probability weight / total weight. */
  pick(rng: Rng): T {
    const target = rng.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo]!;
  }
}
