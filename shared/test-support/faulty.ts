// Fault injection for unit tests: wraps any port object so chosen methods throw, hang, or answer slowly,
// while the rest pass through to the real (in-memory) implementation.

/** What a faulted call does. */
export type Fault = { kind: 'error'; error: unknown } | { kind: 'hang' } | { kind: 'delay'; ms: number };

/** A port with a fault plan; `calls` counts every call per method, faulted or not. */
export type Faulty<T> = T & {
  readonly faults: FaultPlan;
};

/** Which calls a fault applies to: it skips the next `after` calls, then applies to `times` calls (default all). */
export interface FaultWhen {
  times?: number;
  after?: number;
}

/** The faults waiting for each method, applied in the order they were planned. */
export class FaultPlan {
  readonly calls = new Map<string, number>();
  readonly #plan = new Map<string, { fault: Fault; times: number; after: number }[]>();

  /** Calls of `method` reject with `error`. */
  fail(method: string, error: unknown = new Error(`injected ${method} failure`), when: FaultWhen = {}): this {
    return this.#add(method, { kind: 'error', error }, when);
  }
  /** Calls of `method` never settle (a dependency that accepted the call and went silent). */
  hang(method: string, when: FaultWhen = {}): this {
    return this.#add(method, { kind: 'hang' }, when);
  }
  /** Calls of `method` answer correctly, `ms` late. */
  delay(method: string, ms: number, when: FaultWhen = {}): this {
    return this.#add(method, { kind: 'delay', ms }, when);
  }
  /** Removes every planned fault. */
  clear(): this {
    this.#plan.clear();
    return this;
  }
  /** How often `method` was called. */
  count(method: string): number {
    return this.calls.get(method) ?? 0;
  }

  /** The fault for this call of `method`, if any (consumes one use). */
  take(method: string): Fault | undefined {
    this.calls.set(method, this.count(method) + 1);
    const queue = this.#plan.get(method);
    const next = queue?.[0];
    if (!next) return undefined;
    if (next.after > 0) {
      next.after--;
      return undefined;
    }
    if (--next.times <= 0) queue.shift();
    return next.fault;
  }

  #add(method: string, fault: Fault, when: FaultWhen): this {
    const queue = this.#plan.get(method) ?? [];
    queue.push({ fault, times: when.times ?? Infinity, after: when.after ?? 0 });
    this.#plan.set(method, queue);
    return this;
  }
}

/** Wraps `port`: its methods consult `faults` first. Private fields of class instances keep working. */
export function faulty<T extends object>(port: T): Faulty<T> {
  const faults = new FaultPlan();
  return new Proxy(port, {
    get(target, prop) {
      if (prop === 'faults') return faults;
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const fault = faults.take(String(prop));
        if (fault?.kind === 'error') throw fault.error;
        if (fault?.kind === 'hang') return new Promise(() => {});
        if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as Faulty<T>;
}
