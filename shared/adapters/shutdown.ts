// Draining on shutdown. Cloud Run (and so Cloud Functions 2nd gen) sends SIGTERM and allows 10 seconds before
// SIGKILL (https://cloud.google.com/run/docs/container-contract#instance-shutdown). The functions framework's own
// SIGTERM/SIGINT handler calls process.exit() at once (functions-framework build/src/invoker.js,
// ErrorHandler.register), so work started by another listener never finishes. The audit log must sign its
// closing checkpoint (warden-closed) and last digest before the instance goes, or `warden audit verify` reports
// the instance `stale`. This listener runs first (prepended) and, for the rest of the process's life, makes
// process.exit wait for the drain, bounded by a grace period under Cloud Run's 10 seconds.

/** The part of `process` this module uses (a fake in tests). */
export interface ShutdownProcess {
  prependListener(event: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
  exit: (code?: number) => never;
}

/** Grace for the drain: under Cloud Run's 10 seconds between SIGTERM and SIGKILL, with room for the exit. */
export const DRAIN_GRACE_MS = 8000;

/**
 * On SIGTERM or SIGINT, runs `drain` once and holds every process.exit until it settles or `graceMs` passes.
 * A failed drain is logged (nothing else can be done at exit) and the process still exits.
 */
export function drainBeforeExit(
  drain: () => Promise<void>,
  options: { graceMs?: number; log: (message: string, cause?: unknown) => void; process?: ShutdownProcess },
): void {
  const proc = options.process ?? (process as unknown as ShutdownProcess);
  const graceMs = options.graceMs ?? DRAIN_GRACE_MS;
  const exit = proc.exit.bind(proc);
  let drained: Promise<void> | undefined;
  const start = (): Promise<void> => {
    drained ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        options.log(`shutdown: the drain did not finish within ${graceMs} ms; exiting without it`);
        resolve();
      }, graceMs);
      drain().then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (err: unknown) => {
          clearTimeout(timer);
          options.log('shutdown: the drain failed (the closing audit checkpoint may be missing)', err);
          resolve();
        },
      );
    });
    return drained;
  };
  const onSignal = (): void => {
    const wait = start();
    proc.exit = ((code?: number) => {
      void wait.then(() => exit(code));
    }) as ShutdownProcess['exit'];
  };
  proc.prependListener('SIGTERM', onSignal);
  proc.prependListener('SIGINT', onSignal);
}
