// A seeded latency model for the local stand-ins and proxies: each call kind (e.g. `storage.write`) waits a
// log-normal delay with a given p50 and p99, so the local stack can stand in for Google Cloud's round trips.

import { Rng } from './prng.ts';

/** The delay of one call kind: median and 99th percentile, in milliseconds. */
export interface LatencySpec {
  p50Ms: number;
  p99Ms: number;
}

/** Delays by call kind; a kind not listed waits nothing. */
export type LatencyProfile = Readonly<Record<string, LatencySpec>>;

/** What a stand-in or proxy asks before it answers: how long to wait for a call of `kind`. */
export interface Latency {
  /** Milliseconds to wait for one call of `kind` (0 for a kind the model does not know). */
  delayMs(kind: string): number;
}

/** The standard normal quantile at 0.99: a log-normal's p99 is exp(mu + Z99 · sigma). */
export const Z99 = 2.326347874040841;

/** mu and sigma of the log-normal whose median is `p50Ms` and whose 99th percentile is `p99Ms`. */
export function logNormalParameters(spec: LatencySpec): { mu: number; sigma: number } {
  checkSpec(spec);
  return { mu: Math.log(spec.p50Ms), sigma: Math.log(spec.p99Ms / spec.p50Ms) / Z99 };
}

/** The log-normal of `spec` at the standard normal deviate `z` (z = 0 is the p50, z = Z99 the p99). */
export function logNormalAt(spec: LatencySpec, z: number): number {
  if (spec.p50Ms === 0) return 0;
  const { mu, sigma } = logNormalParameters(spec);
  return Math.exp(mu + sigma * z);
}

/** A standard normal deviate from two uniform draws (Box–Muller). */
export function standardNormal(next: () => number): number {
  // 1 - u is in (0, 1], so the logarithm is finite.
  const u = 1 - next();
  const v = next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * A {@link Latency} drawing each kind's delays from its own seeded generator, so the sequence of one kind does
 * not depend on how calls of other kinds interleave with it: the same seed gives the same delays run after run.
 */
export class LatencyModel implements Latency {
  readonly profile: LatencyProfile;
  readonly #seed: string;
  readonly #streams = new Map<string, Rng>();

  constructor(profile: LatencyProfile, seed = 'latency') {
    for (const [kind, spec] of Object.entries(profile)) checkSpec(spec, kind);
    this.profile = profile;
    this.#seed = seed;
  }

  delayMs(kind: string): number {
    const spec = this.profile[kind];
    if (!spec || spec.p50Ms === 0) return 0;
    let rng = this.#streams.get(kind);
    if (!rng) {
      rng = new Rng(`${this.#seed}:${kind}`);
      this.#streams.set(kind, rng);
    }
    const stream = rng;
    return logNormalAt(
      spec,
      standardNormal(() => stream.next()),
    );
  }
}

/** A {@link Latency} that keeps the sum of the delays it gave per kind (a bench subtracts them from a call). */
export class RecordingLatency implements Latency {
  readonly #inner: Latency;
  readonly #totals = new Map<string, number>();
  constructor(inner: Latency) {
    this.#inner = inner;
  }

  delayMs(kind: string): number {
    const ms = this.#inner.delayMs(kind);
    this.#totals.set(kind, (this.#totals.get(kind) ?? 0) + ms);
    return ms;
  }

  /** Milliseconds of delay given to calls of `kind` so far. */
  totalMs(kind: string): number {
    return this.#totals.get(kind) ?? 0;
  }
}

/**
 * Waits the delay `latency` gives `kind`. With `since` (a `performance.now()` at the start of the call) the wait
 * ends at `since` + the delay: the time the call has already taken locally counts towards it, so a stand-in's
 * answer takes what the model says, not the model plus the local work. Resolves at once without a model.
 */
export function waitFor(latency: Latency | undefined, kind: string, since?: number): Promise<void> {
  const delay = latency?.delayMs(kind) ?? 0;
  const ms = since === undefined ? delay : delay - (performance.now() - since);
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/** Parses a profile from JSON (`{"storage.write": {"p50Ms": 60, "p99Ms": 200}, …}`), naming a bad field. */
export function parseLatencyProfile(text: string): LatencyProfile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`latency profile: not JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error('latency profile: expected an object of call kinds');
  const profile: Record<string, LatencySpec> = {};
  for (const [kind, value] of Object.entries(parsed)) {
    const { p50Ms, p99Ms } = (value ?? {}) as Partial<LatencySpec>;
    if (typeof p50Ms !== 'number' || typeof p99Ms !== 'number')
      throw new Error(`latency profile: ${kind} needs numbers p50Ms and p99Ms`);
    profile[kind] = { p50Ms, p99Ms };
    checkSpec(profile[kind], kind);
  }
  return profile;
}

function checkSpec(spec: LatencySpec, kind = 'latency'): void {
  const { p50Ms, p99Ms } = spec;
  if (!Number.isFinite(p50Ms) || !Number.isFinite(p99Ms) || p50Ms < 0)
    throw new Error(
      `latency profile: ${kind} has p50Ms ${p50Ms} and p99Ms ${p99Ms}; both must be finite, ≥ 0`,
    );
  if (p99Ms < p50Ms) throw new Error(`latency profile: ${kind} has p99Ms ${p99Ms} below its p50Ms ${p50Ms}`);
  if (p50Ms === 0 && p99Ms !== 0)
    throw new Error(`latency profile: ${kind} has p50Ms 0, so its p99Ms must be 0 too`);
}
