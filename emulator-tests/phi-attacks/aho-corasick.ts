// Aho-Corasick multi-pattern search, so the leak oracle looks for thousands of identifiers in one pass over a text.

/** A match: which pattern, and where it ends (exclusive) in the searched text. */
export interface PatternMatch {
  pattern: number;
  start: number;
  end: number;
}

/** An automaton over fixed patterns (UTF-16 code units, matched as given: fold case before adding). */
export class PatternSet {
  readonly #next: Map<number, number>[] = [new Map()];
  readonly #fail: number[] = [0];
  /** Pattern ids ending at a node, and the nearest node on its fail chain that ends a pattern. */
  readonly #ends: number[][] = [[]];
  readonly #outLink: number[] = [-1];
  readonly #lengths: number[] = [];
  #built = false;

  /** Adds a pattern and returns its id (ids count up from 0). Empty patterns are ignored (id still given). */
  add(pattern: string): number {
    if (this.#built) throw new Error('PatternSet: add after search');
    const id = this.#lengths.length;
    this.#lengths.push(pattern.length);
    if (pattern.length === 0) return id;
    let node = 0;
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern.charCodeAt(i);
      let to = this.#next[node]!.get(c);
      if (to === undefined) {
        to = this.#next.length;
        this.#next.push(new Map());
        this.#fail.push(0);
        this.#ends.push([]);
        this.#outLink.push(-1);
        this.#next[node]!.set(c, to);
      }
      node = to;
    }
    this.#ends[node]!.push(id);
    return id;
  }

  /** The number of patterns added. */
  get size(): number {
    return this.#lengths.length;
  }

  #build(): void {
    this.#built = true;
    const queue: number[] = [];
    for (const to of this.#next[0]!.values()) queue.push(to);
    for (let q = 0; q < queue.length; q++) {
      const node = queue[q]!;
      for (const [c, to] of this.#next[node]!) {
        let f = this.#fail[node]!;
        while (f !== 0 && !this.#next[f]!.has(c)) f = this.#fail[f]!;
        const target = this.#next[f]!.get(c);
        this.#fail[to] = target !== undefined && target !== to ? target : 0;
        const fl = this.#fail[to]!;
        this.#outLink[to] = this.#ends[fl]!.length > 0 ? fl : this.#outLink[fl]!;
        queue.push(to);
      }
    }
  }

  /** Every occurrence of every pattern in `text`, overlapping ones included. */
  search(text: string): PatternMatch[] {
    if (!this.#built) this.#build();
    const out: PatternMatch[] = [];
    let node = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      let to = this.#next[node]!.get(c);
      while (to === undefined && node !== 0) {
        node = this.#fail[node]!;
        to = this.#next[node]!.get(c);
      }
      node = to ?? 0;
      for (let n = this.#ends[node]!.length > 0 ? node : this.#outLink[node]!; n > 0; n = this.#outLink[n]!)
        for (const id of this.#ends[n]!)
          out.push({ pattern: id, start: i + 1 - this.#lengths[id]!, end: i + 1 });
    }
    return out;
  }
}
