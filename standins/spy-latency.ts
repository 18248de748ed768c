// A latency model for tests of the local stand-ins and proxies: fixed delays (0 by default), and the call
// kinds it was asked for, so a test checks what a stand-in classifies without timing anything.

/** Structurally a ./latency.ts `Latency`. */
export class SpyLatency {
  readonly kinds: string[] = [];
  readonly ms: number;
  constructor(ms = 0) {
    this.ms = ms;
  }

  delayMs(kind: string): number {
    this.kinds.push(kind);
    return this.ms;
  }
}
