// Application logging: one JSON line per event, Cloud Logging's structured format. Callers pass causes,
// never request data; only the error's class, kind and message are logged, never rows or SQL.

/** Logs `message` with the cause's type and message (adapter messages may be detailed, never PHI-bearing). */
export function logLine(component: string): (message: string, cause?: unknown) => void {
  return (message, cause) => {
    const err = cause as
      | { name?: string; kind?: string; message?: string; cause?: { message?: string; code?: unknown } }
      | undefined;
    const entry = {
      severity: cause ? 'ERROR' : 'INFO',
      component,
      message,
      ...(err
        ? {
            error: {
              name: err.name,
              kind: err.kind,
              message: err.message,
              cause: err.cause?.message,
              code: err.cause?.code,
            },
          }
        : {}),
    };
    process.stderr.write(`${JSON.stringify(entry)}\n`);
  };
}
