// How the `warden` command reports failures: one line naming what failed and where (the object, flag or
// file), its causes compacted onto the same line, never a stack trace.

import type { EventEmitter } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';

/** A command-line mistake (unknown option, missing value, unexpected argument): exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Longest part of a description taken from one error of the cause chain. */
const PART_MAX = 300;

/**
 * One line describing `err`: its message, then each cause's that says something new, joined with ": ", with
 * a system error code (ECONNREFUSED, ENOENT …) the messages do not already name. Multi-line messages (policy
 * issues) are folded with "; ".
 */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (current !== undefined && current !== null && !seen.has(current) && parts.length < 6) {
    seen.add(current);
    const part = describeOne(current);
    const line = parts.join(': ');
    if (part && !line.includes(part)) parts.push(part);
    current = current instanceof Error ? current.cause : undefined;
  }
  if (parts.length === 0) return 'unknown error';
  // "Cloud KMS Encrypt failed.: …" reads badly: a part followed by its cause loses its full stop.
  return parts.map((p, i) => (i < parts.length - 1 ? p.replace(/\.$/, '') : p)).join(': ');
}

function describeOne(value: unknown): string {
  if (!(value instanceof Error)) return fold(String(value));
  let message = fold(value.message);
  // A failed connection to a host with several addresses is an AggregateError with an empty message.
  if (!message && value instanceof AggregateError)
    message = [...new Set(value.errors.map((e) => describeOne(e)))].filter(Boolean).join(', ');
  const code = (value as { code?: unknown }).code;
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code) && !message.includes(code))
    message = message ? `${message} (${code})` : code;
  return message.length > PART_MAX ? `${message.slice(0, PART_MAX - 1)}…` : message;
}

/** The lines of a message on one line: a line ending in ":" runs on with a space, others with "; ". */
function fold(message: string): string {
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.reduce((out, l) => (out === '' ? l : out.endsWith(':') ? `${out} ${l}` : `${out}; ${l}`), '');
}

/** parseArgs' result for a given option set, with positionals allowed. */
export type Parsed<O extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
>;

/**
 * Parses `args` strictly against `options` (the same definitions the docs test checks documented flags
 * against); a mistake is a UsageError naming the option and the options `command` takes.
 */
export function parseCommandArgs<O extends ParseArgsOptionsConfig>(
  command: string,
  args: string[],
  options: O,
): Parsed<O> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw usageErrorOf(command, err, options);
  }
}

function usageErrorOf(command: string, err: unknown, options: ParseArgsOptionsConfig): Error {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? '';
  // "Option '-h, --help' does not take an argument": the long name is the one a person wrote or can look up.
  const words = quoted.split(/[ ,]+/);
  const flag = words.find((w) => w.startsWith('--')) ?? words[0] ?? quoted;
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(`unknown option ${flag}; ${command} takes ${flagList(options)}`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return new UsageError(
        /does not take an argument/.test(message)
          ? `${flag} takes no value`
          : `${flag} needs a value (one starting with "-" is written ${flag}=-…)`,
      );
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(`unexpected argument "${quoted}"`);
    default:
      return err instanceof Error ? err : new Error(message);
  }
}

/** "--a, --b or --c". */
export function flagList(options: ParseArgsOptionsConfig): string {
  const flags = Object.keys(options).map((o) => `--${o}`);
  return flags.length < 2
    ? (flags[0] ?? 'no options')
    : `${flags.slice(0, -1).join(', ')} or ${flags.at(-1)}`;
}

const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
};

/** Reads `path` (the value of `what`, e.g. "--in"); a failure names both and says why in words. */
export function readInput(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read ${what} ${path}: ${fileReason(err)}`);
  }
}

/** Writes `path` (the value of `what`, e.g. "--out"); a failure names both and says why in words. */
export function writeOutput(path: string, data: string | Uint8Array, what: string, mode?: number): void {
  try {
    writeFileSync(path, data, mode === undefined ? {} : { mode });
  } catch (err) {
    const reason = fileReason(err);
    throw new Error(
      `cannot write ${what} ${path}: ${reason === 'no such file' ? 'its directory does not exist' : reason}`,
    );
  }
}

function fileReason(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return (typeof code === 'string' && FILE_ERRORS[code]) || describeError(err);
}

/**
 * Reports a failure of `command` (e.g. "warden audit") on one line; returns its exit code: 2 for a
 * UsageError, which points at the command's --help, 1 otherwise. WARDEN_DEBUG=1 adds the stacks of the error
 * and its causes, for developers.
 */
export function reportFailure(command: string, err: unknown, write: (line: string) => void): number {
  const usage = err instanceof UsageError;
  write(`${command}: ${usage ? `${err.message} (${command} --help shows the usage)` : describeError(err)}`);
  if (process.env['WARDEN_DEBUG']) write(debugTrace(err));
  return usage ? 2 : 1;
}

/**
 * The stacks of `err`, its causes and an AggregateError's errors. Stacks only: a client library's error object
 * also holds the request it made, headers (a bearer token) included, which no output should carry.
 */
export function debugTrace(err: unknown): string {
  const out: string[] = [];
  const seen = new Set<unknown>();
  const visit = (e: unknown, label: string) => {
    if (seen.has(e) || out.length > 12) return;
    seen.add(e);
    out.push(`${label}${e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e)}`);
    if (e instanceof AggregateError) for (const inner of e.errors) visit(inner, 'Error in the aggregate: ');
    if (e instanceof Error && e.cause !== undefined) visit(e.cause, 'Caused by: ');
  };
  visit(err, '');
  return out.join('\n');
}

/** Warnings client libraries emit on the way to an error the CLI reports anyway. */
const NOISE = new Set(['MetadataLookupWarning', 'ExperimentalWarning']);

/**
 * Replaces Node's warning printer (several lines, with a hint about --trace-warnings) on `proc`: the warnings
 * client libraries emit (google-auth-library's MetadataLookupWarning when it finds no metadata server, around
 * the one-line "could not load the default credentials") are dropped, any other is one line, and with
 * WARDEN_DEBUG=1 every warning is printed whole. bin/warden.js disables the first two with Node flags; this
 * holds for `node cli/cli.ts` too.
 */
export function quietWarnings(proc: EventEmitter, write: (line: string) => void): void {
  proc.removeAllListeners('warning');
  proc.on('warning', (w: Error) => {
    if (process.env['WARDEN_DEBUG']) write(debugTrace(w));
    else if (!NOISE.has(w.name)) write(`warden: ${w.name}: ${describeError(w)}`);
  });
}
