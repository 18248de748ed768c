// `warden bridge`: a local stdio MCP server that forwards everything to a Warden gateway over Streamable
// HTTP with a Google (or command-supplied) ID token, so stdio-only MCP clients can use Warden.

import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { FetchLike, Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { parseCommandArgs, UsageError } from '../cli-errors.ts';
import { readStackFile } from '../stack-file.ts';
import { CommandTokenSource } from './command-token-source.ts';
import { errorMessage } from './errors.ts';
import { gatewayFetch } from './gateway-fetch.ts';
import { ApplicationDefaultTokenSource, ImpersonatedTokenSource } from './google-token-sources.ts';
import { type FixedHeader, parseHeaders } from './headers.ts';
import { type Log, Redactor, streamLog } from './log.ts';
import { type Relay, startRelay } from './relay.ts';
import { TokenCache, type TokenFacts, type TokenSource } from './token-source.ts';

/** Usage of `warden bridge` (also the lines `warden help` shows for it). */
export const BRIDGE_USAGE = `Usage: warden bridge --url URL | --state-dir DIR [options]

Serves MCP over stdio and forwards every message to a Warden gateway with an ID token, for stdio-only MCP
clients (Claude Desktop …). Logs go to stderr; stdout carries the protocol.

  --url URL             (or --state-dir) the gateway's MCP endpoint, e.g. https://…/mcp (http only on loopback)
  --state-dir DIR       instead of --url: the MCP endpoint of the local stack started with this state dir
  --audience AUD        ID token audience (default: the origin of --url)
  --impersonate SA      ID tokens for this service account, minted by the IAM Credentials API as your ADC
  --token-command CMD   run CMD (split into argv, no shell) and use its output as the token
  --header NAME=VALUE   add a fixed header to every gateway request (repeatable)
  Default tokens: application default credentials (GoogleAuth().getIdTokenClient(audience)).`;

/** What `warden bridge` was asked to do. */
export interface BridgeConfig {
  url: URL;
  audience: string;
  tokens: TokenSource;
  headers: FixedHeader[];
}

/** The options `warden bridge` takes. */
export const BRIDGE_OPTIONS = {
  url: { type: 'string' },
  audience: { type: 'string' },
  impersonate: { type: 'string' },
  'token-command': { type: 'string' },
  header: { type: 'string', multiple: true },
  'state-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const SERVICE_ACCOUNT = /^([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}|\d+)$/;

/** Parses `warden bridge` arguments; `'help'` for --help. Throws UsageError. */
export function parseBridgeArgs(args: string[]): BridgeConfig | 'help' {
  const { values, positionals } = parseCommandArgs('warden bridge', args, BRIDGE_OPTIONS);
  if (values.help) return 'help';
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (values.url !== undefined && values['state-dir'] !== undefined)
    throw new UsageError('--url and --state-dir exclude each other');
  const url = gatewayUrl(values.url ?? localMcpUrl(values['state-dir']));
  const audience = values.audience ?? url.origin;
  if (!audience.trim()) throw new UsageError('--audience may not be empty');
  if (values['token-command'] !== undefined && values.impersonate !== undefined)
    throw new UsageError('--token-command and --impersonate exclude each other');
  let headers: FixedHeader[];
  try {
    headers = parseHeaders(values.header ?? []);
  } catch (err) {
    throw new UsageError(errorMessage(err));
  }
  return { url, audience, tokens: tokenSource(values, audience), headers };
}

/** The MCP endpoint in `<stateDir>/stack.json`; a missing stack is a failure naming the directory. */
function localMcpUrl(stateDir: string | undefined): string | undefined {
  if (stateDir === undefined) return undefined;
  const info = readStackFile(resolve(stateDir));
  if (!info) throw new Error(`no local stack in ${resolve(stateDir)} (run "npm start", or pass --url)`);
  return info.mcpUrl;
}

function gatewayUrl(value: string | undefined): URL {
  if (!value) throw new UsageError("--url is required (the gateway's MCP endpoint, e.g. https://…/mcp)");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--url "${value}" is not a URL`);
  }
  if (url.username || url.password) throw new UsageError('--url may not carry credentials');
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname))
    throw new UsageError(
      '--url must be https (plain http only on loopback: the token would travel in clear)',
    );
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError('--url must be https');
  if (['access_token', 'id_token', 'token'].some((p) => url.searchParams.has(p)))
    throw new UsageError('--url may not carry a token: the bridge sends it in the Authorization header');
  return url;
}

function tokenSource(
  values: { impersonate?: string | undefined; 'token-command'?: string | undefined },
  audience: string,
): TokenSource {
  const command = values['token-command'];
  if (command !== undefined) {
    try {
      return new CommandTokenSource(command);
    } catch (err) {
      throw new UsageError(`--token-command: ${errorMessage(err)}`);
    }
  }
  if (values.impersonate !== undefined) {
    if (!SERVICE_ACCOUNT.test(values.impersonate))
      throw new UsageError(`--impersonate "${values.impersonate}" is not a service account email`);
    return new ImpersonatedTokenSource(audience, values.impersonate);
  }
  return new ApplicationDefaultTokenSource(audience);
}

/** Options of startBridge. */
export interface BridgeOptions {
  url: URL;
  tokens: TokenSource;
  headers?: readonly FixedHeader[];
  /** The MCP client's side: a StdioServerTransport, or an in-memory transport in tests. */
  client: Transport;
  /** Where log lines go, after redaction (default: stderr). */
  log?: Log;
  /** Milliseconds since the epoch, for token expiry (tests move it). */
  now?: () => number;
  /** The underlying fetch (default: the global one). */
  fetch?: FetchLike;
}

/** Connects `client` to the gateway at `url`; resolves once both sides are started. */
export async function startBridge(options: BridgeOptions): Promise<Relay> {
  const redactor = new Redactor();
  const sink = options.log ?? streamLog(process.stderr);
  const log: Log = (line) => sink(redactor.apply(line));
  const tokens = new TokenCache(options.tokens, {
    ...(options.now ? { now: options.now } : {}),
    onToken: (token, facts) => {
      redactor.add(token);
      logToken(log, options.tokens, facts, options.now?.() ?? Date.now());
    },
  });
  const gateway = new StreamableHTTPClientTransport(options.url, {
    fetch: gatewayFetch({
      gateway: options.url,
      tokens,
      headers: options.headers ?? [],
      log,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    }),
  });
  return startRelay({ client: options.client, gateway, log });
}

/** Logs who a new token is for and how long it lasts, and warns when its audience is not the one asked for. */
function logToken(log: Log, source: TokenSource, facts: TokenFacts, now: number): void {
  const who = facts.identity ? ` for ${facts.identity}` : '';
  const lasts =
    facts.expiresAt === undefined ? 'no exp claim' : `valid ${Math.round((facts.expiresAt - now) / 1000)} s`;
  log(`new ID token from ${source.description}${who} (${lasts})`);
  if (source.audience && facts.audience.length > 0 && !facts.audience.includes(source.audience))
    log(
      `warning: the token's audience is ${facts.audience.join(', ')}, not ${source.audience}: the gateway will ` +
        'likely reject it (user credentials cannot mint ID tokens for another audience: use --impersonate or ' +
        '--token-command; see cli/bridge/README.md)',
    );
}

/** The streams `warden bridge` speaks on. */
export interface BridgeIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

/**
 * Runs `warden bridge` until stdin ends (answered requests are finished first), SIGINT or SIGTERM; returns
 * the exit code (0, or 2 for a usage error, 1 if it could not start).
 */
export async function bridgeCommand(
  args: string[],
  io: BridgeIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const log = streamLog(io.stderr);
  let config: BridgeConfig | 'help';
  try {
    config = parseBridgeArgs(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`warden bridge: ${err.message} (warden bridge --help shows the usage)\n`);
    return 2;
  }
  if (config === 'help') {
    io.stdout.write(`${BRIDGE_USAGE}\n`);
    return 0;
  }
  let relay: Relay;
  try {
    relay = await startBridge({
      url: config.url,
      tokens: config.tokens,
      headers: config.headers,
      client: new StdioServerTransport(io.stdin, io.stdout),
      log,
    });
  } catch (err) {
    log(`could not start: ${errorMessage(err)}`);
    return 1;
  }
  const audience = config.tokens.audience ? `; audience ${config.tokens.audience}` : '';
  log(`forwarding stdio to ${config.url.href} (tokens: ${config.tokens.description}${audience})`);
  await untilStopped(relay, io, log);
  log('stopped');
  return 0;
}

/** Waits for the relay to close: stdin's end drains it, a signal or a broken stdout closes it at once. */
async function untilStopped(relay: Relay, io: BridgeIo, log: Log): Promise<void> {
  const onEnd = () => void relay.drain();
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping`);
    void relay.close();
  };
  const onStdoutError = (err: Error) => {
    log(`stdout failed (${errorMessage(err)}): stopping`);
    void relay.close();
  };
  io.stdin.once('end', onEnd);
  io.stdin.once('close', onEnd);
  io.stdout.on('error', onStdoutError);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await relay.closed;
  } finally {
    io.stdin.off('end', onEnd);
    io.stdin.off('close', onEnd);
    io.stdout.off('error', onStdoutError);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
