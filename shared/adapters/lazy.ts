// Lazy construction: Google client libraries cost hundreds of milliseconds to load, so a function builds each
// client (and the adapter over it) on first use, not at cold start.

/** A memoized async factory; a failure is not cached, so the next call tries again. */
export function once<T>(create: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= create().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}

/**
 * A port whose implementation is created on the first method call. Every method of a port returns a promise,
 * so each call simply waits for the instance first. (`then` is left undefined so the proxy is not a thenable.)
 */
export function lazyPort<T extends object>(create: () => Promise<T>): T {
  const instance = once(create);
  return new Proxy({} as T, {
    get(_target, prop) {
      if (prop === 'then' || typeof prop === 'symbol') return undefined;
      return async (...args: unknown[]) => {
        const port = (await instance()) as Record<string | symbol, unknown>;
        const method = port[prop];
        if (typeof method !== 'function') throw new TypeError(`${String(prop)} is not a method of the port`);
        return (method as (...a: unknown[]) => unknown).apply(port, args);
      };
    },
  });
}
