// The bridge's log: one line per event on stderr (stdout carries the protocol), with tokens redacted.

/** Writes one log line. */
export type Log = (line: string) => void;

/** JWT-shaped strings (every OIDC ID token) and bearer credentials. */
const JWT = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
const BEARER = /\b(Bearer)\s+[^\s"',;]+/gi;
const REDACTED = '[redacted]';

/** Replaces JWT-shaped strings, `Bearer <credential>`, and each of `secrets` in `text`. */
export function redact(text: string, secrets: Iterable<string> = []): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join(REDACTED);
  return out.replace(JWT, REDACTED).replace(BEARER, `$1 ${REDACTED}`);
}

/** Remembers the tokens the bridge has used (the last few) so that no log line can carry one. */
export class Redactor {
  readonly #secrets: string[] = [];

  /** Adds a token to redact from now on. */
  add(secret: string): void {
    if (this.#secrets.includes(secret)) return;
    this.#secrets.push(secret);
    if (this.#secrets.length > 8) this.#secrets.shift();
  }

  /** `text` with every known token, JWT-shaped string and bearer credential replaced. */
  apply(text: string): string {
    return redact(text, this.#secrets);
  }
}

/** A Log writing `warden bridge: <line>` to a stream (stderr). */
export function streamLog(stream: NodeJS.WritableStream): Log {
  return (line) => {
    stream.write(`warden bridge: ${line}\n`);
  };
}
