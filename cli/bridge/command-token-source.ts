// A TokenSource that runs a command (split into argv and run without a shell) and uses its trimmed standard
// output as the token.

import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import { BridgeError, RPC_CODE } from './errors.ts';
import { redact } from './log.ts';
import type { TokenSource } from './token-source.ts';

/** Characters a shell would treat as operators or substitutions; unquoted, they are refused, not interpreted. */
const SHELL_SYNTAX = new Set(['|', '&', ';', '<', '>', '(', ')', '$', '`']);
/** What a bearer token may consist of (RFC 6750 b64token), as the gateway accepts it. */
const BEARER_TOKEN = /^[A-Za-z0-9._~+/=-]+$/;
const MAX_STDOUT = 64 * 1024;
const MAX_STDERR = 16 * 1024;

/**
 * Splits a command line into argv like a POSIX shell splits words: whitespace separates, single quotes keep
 * everything literal, double quotes and backslashes escape. Nothing is expanded, and unquoted shell syntax
 * (pipes, redirections, `$`, backquotes) is refused, so what runs is exactly the argv shown. Throws on errors.
 */
export function splitCommand(line: string): string[] {
  const argv: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && '"\\$`'.includes(line[i + 1] ?? '')) word += line[++i];
      else if (ch === '$' || ch === '`') throw syntaxError(ch);
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\') {
      if (i + 1 === line.length) throw new Error('the token command ends with a lone backslash');
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) argv.push(word);
      word = '';
      inWord = false;
    } else if (SHELL_SYNTAX.has(ch)) {
      throw syntaxError(ch);
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) throw new Error(`the token command has an unterminated ${quote} quote`);
  if (inWord) argv.push(word);
  if (argv.length === 0) throw new Error('the token command is empty');
  return argv;
}

function syntaxError(ch: string): Error {
  return new Error(
    `the token command contains "${ch}": it runs without a shell, so shell syntax is refused. ` +
      `Quote it, or run a shell explicitly: --token-command "sh -c '…'"`,
  );
}

/** What running the command produced. */
interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  error?: Error;
}

/** Runs a token command for each mint; its stdin is closed and its stderr is kept only for error messages. */
export class CommandTokenSource implements TokenSource {
  readonly description: string;
  readonly #argv: string[];
  readonly #timeoutMs: number;
  readonly #who: string;

  /**
   * `command` is split with splitCommand (throws if it cannot be). `who` names the program in error messages
   * (default "warden bridge").
   */
  constructor(command: string, options: { timeoutMs?: number; who?: string } = {}) {
    this.#argv = splitCommand(command);
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#who = options.who ?? 'warden bridge';
    this.description = `token command "${basename(this.#argv[0]!)}"`;
  }

  async mint(): Promise<string> {
    const failure = (message: string, cause?: Error) =>
      new BridgeError(
        RPC_CODE.unauthenticated,
        `${this.#who} could not obtain an ID token: ${message}`,
        cause ? { cause } : undefined,
      );
    const r = await run(this.#argv, this.#timeoutMs);
    const what = `the ${this.description}`;
    if (r.error) throw failure(`could not run ${what}: ${r.error.message}`, r.error);
    if (r.timedOut) throw failure(`${what} did not finish within ${this.#timeoutMs / 1000} s`);
    if (r.code !== 0) {
      const status = r.code === null ? `was killed by ${r.signal}` : `exited with status ${r.code}`;
      const detail = excerpt(r.stderr);
      throw failure(`${what} ${status}${detail ? `: ${detail}` : ''}`);
    }
    const token = r.stdout.trim();
    if (!token) throw failure(`${what} printed nothing on standard output`);
    if (!BEARER_TOKEN.test(token))
      throw failure(
        `${what} printed something that is not a token (expected one line of JWT/base64url characters, got ${token.length} characters)`,
      );
    return token;
  }
}

/** The command's stderr on one line, at most 300 characters, with anything token-shaped redacted. */
function excerpt(stderr: string): string {
  const line = redact(stderr).replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

function run(argv: string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let error: Error | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      if (stdout.length < MAX_STDOUT) stdout += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      if (stderr.length < MAX_STDERR) stderr += s;
    });
    child.on('error', (err) => {
      error = err;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut, ...(error ? { error } : {}) });
    });
  });
}
