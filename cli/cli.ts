// The `warden` command: `start` runs the local stack; `token` prints a development ID token; the others
// review approvals, check the audit trail, seal credentials and test policies. Every failure is one line.

import { isAbsolute, join, relative, resolve } from 'node:path';
import type { ParseArgsOptionsConfig } from 'node:util';
import { createKmsClient } from '../shared/adapters/kms/client.ts';
import { KmsKeyService } from '../shared/adapters/kms/key-service.ts';
import { sealCredential } from '../shared/core/credential/sealed-credential.ts';
import { sqlFactsFor } from '../shared/core/gateway/sql-facts.ts';
import { loadPolicy, type Policy } from '../shared/core/policy/policy.ts';
import { formatCaseResult, runPolicyCases } from '../shared/core/policy/policy-cases.ts';
import { APPROVALS_OPTIONS, APPROVALS_USAGE, APPROVALS_VERBS, approvalsCommand } from './approvals/cli.ts';
import { AUDIT_OPTIONS, AUDIT_USAGE, AUDIT_VERBS, auditCommand } from './audit/cli.ts';
import { BRIDGE_OPTIONS, bridgeCommand } from './bridge/bridge.ts';
import {
  describeError,
  parseCommandArgs,
  quietWarnings,
  readInput,
  reportFailure,
  UsageError,
  writeOutput,
} from './cli-errors.ts';
import {
  DEFAULT_STATE_DIR_NAME,
  ensureListening,
  makeDirectory,
  REPO_ROOT,
  readStackFile,
  type StackInfo,
} from './stack-file.ts';

const START_OPTIONS = {
  patients: { type: 'string' },
  seed: { type: 'string' },
  'state-dir': { type: 'string' },
  'port-base': { type: 'string' },
  policy: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const TOKEN_OPTIONS = {
  email: { type: 'string' },
  groups: { type: 'string' },
  ttl: { type: 'string' },
  'state-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const SEAL_OPTIONS = {
  key: { type: 'string' },
  in: { type: 'string' },
  out: { type: 'string' },
  'kms-endpoint': { type: 'string' },
  'state-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const HELP_ONLY = { help: { type: 'boolean', short: 'h' } } as const;

const START_USAGE = `  start     Run Warden locally: emulators, stand-ins, a development OIDC issuer, synthetic PHI, gateway, executor.
            --patients N      synthetic patients (default 10000)
            --seed S          dataset seed (default warden)
            --state-dir DIR   where state lives (default .warden, env WARDEN_STATE_DIR)
            --port-base P     first of 13 consecutive ports (default 8700, env WARDEN_PORT_BASE)
            --policy FILE     policy YAML (default dev/policy.yaml)`;
const TOKEN_USAGE = `  token     Print an ID token from the development issuer of a running (or last started) local stack.
            --email E         (required) the person's email
            --groups a,b      groups claim (e.g. analysts, clinicians)
            --ttl SECONDS     lifetime (default 3600)
            --state-dir DIR   as for start`;
const BRIDGE_LINES = `  bridge    Serve MCP on stdio for stdio-only clients (Claude Desktop …), forwarding to a gateway with an ID token.
            --url URL         (or --state-dir) the gateway's MCP endpoint (https; http only on loopback)
            --state-dir DIR   instead of --url: the local stack's MCP endpoint (started with that state dir)
            --audience AUD    ID token audience (default: the origin of --url)
            --impersonate SA  ID tokens for this service account (IAM Credentials generateIdToken)
            --token-command C run C (no shell) and use its trimmed output as the token
            --header N=V      a fixed header on every gateway request (repeatable)
            Default tokens: application default credentials. See cli/bridge/README.md.`;
const CREDENTIAL_USAGE = `  credential seal --key KMS_KEY --in key.json --out key.json.enc [--kms-endpoint HOST:PORT | --state-dir DIR]
            Encrypt a service-account key for the executor with a Cloud KMS symmetric key (the key name is
            projects/…/cryptoKeys/…); --kms-endpoint points at a KMS stand-in, --state-dir at the local stack's
            (only when given: without either it is Cloud KMS).`;
const POLICY_USAGE = `  policy test POLICY CASES
            Evaluate the cases (YAML) against the policy and print each decision with its rule; exit 1 on a
            mismatch (see dev/policy.cases.yaml).`;

/**
 * Every command: the options its parser takes (the docs test checks each documented flag against these) and,
 * for those that have them, its actions (`warden audit verify`).
 */
export const COMMANDS: Record<
  string,
  { options: ParseArgsOptionsConfig; verbs?: readonly string[]; usage: string }
> = {
  start: { options: START_OPTIONS, usage: START_USAGE },
  token: { options: TOKEN_OPTIONS, usage: TOKEN_USAGE },
  bridge: { options: BRIDGE_OPTIONS, usage: BRIDGE_LINES },
  approvals: { options: APPROVALS_OPTIONS, verbs: APPROVALS_VERBS, usage: APPROVALS_USAGE },
  audit: { options: AUDIT_OPTIONS, verbs: AUDIT_VERBS, usage: AUDIT_USAGE },
  credential: { options: SEAL_OPTIONS, verbs: ['seal'], usage: CREDENTIAL_USAGE },
  policy: { options: HELP_ONLY, verbs: ['test'], usage: POLICY_USAGE },
  help: {
    options: {},
    usage: '  help [COMMAND]  Show this help, or one command\'s (as "warden COMMAND --help" does).',
  },
};

const USAGE = `Usage: warden <command> [options]

Commands:
${Object.values(COMMANDS)
  .map((c) => c.usage)
  .join('\n')}

Every command that talks to the local stack takes --state-dir DIR (the one "warden start" used).
Errors are one line; exit 1 for a failure, 2 for a command-line mistake; WARDEN_DEBUG=1 adds the stacks.`;

/** Runs the CLI; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    // A command line the command would refuse is refused before anything runs (no client, no file read).
    if (command && Object.hasOwn(COMMANDS, command) && command !== 'help') parseInvocation(argv);
    return await run(command, rest);
  } catch (err) {
    return reportFailure(`warden ${command}`, err, console.error);
  }
}

/**
 * Parses `warden <command> …` (argv without "warden") as that command does, running nothing: its options, the
 * values they need, and its action (`audit verify`). Throws a UsageError naming the mistake. `main` calls it
 * before every command; the docs test calls it on every documented invocation.
 */
export function parseInvocation(argv: string[]): {
  command: string;
  values: Record<string, unknown>;
  positionals: string[];
} {
  const [command = '', ...rest] = argv;
  const spec = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!spec) throw new UsageError(`unknown command "${command}" (${Object.keys(COMMANDS).join(', ')})`);
  const { values, positionals } = parseCommandArgs(`warden ${command}`, rest, spec.options);
  if (spec.verbs && !values['help']) {
    const verb = positionals[0];
    const verbs = spec.verbs.join(', ');
    if (!verb) throw new UsageError(`what to do? (${verbs})`);
    if (!spec.verbs.includes(verb)) throw new UsageError(`unknown action "${verb}" (${verbs})`);
  }
  return { command, values, positionals };
}

async function run(command: string | undefined, rest: string[]): Promise<number> {
  switch (command) {
    case 'start':
      return start(rest);
    case 'token':
      return token(rest);
    case 'bridge':
      return bridgeCommand(rest);
    case 'policy':
      return policy(rest);
    case 'credential':
      return credential(rest);
    case 'approvals':
      return approvalsCommand(rest, stateDirOf(undefined));
    case 'audit':
      return auditCommand(rest, stateDirOf(undefined));
    case 'help':
      if (rest[0]) return help(rest[0]);
      console.log(USAGE);
      return 0;
    case undefined:
    case '--help':
    case '-h':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      console.error(
        `warden: unknown command "${command}" (${Object.keys(COMMANDS).join(', ')}; "warden help" shows the usage)`,
      );
      return 2;
  }
}

function help(command: string): number {
  const c = COMMANDS[command];
  if (!c) {
    console.error(`warden help: no command "${command}" (${Object.keys(COMMANDS).join(', ')})`);
    return 2;
  }
  console.log(`Usage: warden ${c.usage.trimStart()}`);
  return 0;
}

const DEFAULT_STATE_DIR = join(REPO_ROOT, DEFAULT_STATE_DIR_NAME);

function stateDirOf(value: string | undefined): string {
  return resolve(value ?? (process.env['WARDEN_STATE_DIR'] || DEFAULT_STATE_DIR));
}

async function start(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('warden start', args, START_OPTIONS);
  if (values.help) return help('start');
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const patients = Number(values.patients ?? 10_000);
  const portBase = Number(values['port-base'] ?? process.env['WARDEN_PORT_BASE'] ?? 8700);
  if (!Number.isInteger(patients) || patients < 1)
    throw new UsageError('--patients must be a positive integer');
  if (!Number.isInteger(portBase) || portBase < 1024 || portBase > 65525)
    throw new UsageError('--port-base must be an integer between 1024 and 65525');
  const stateDir = stateDirOf(values['state-dir']);
  // The functions load the policy too, but a broken one should fail here, in a second, naming the line.
  const policyPath = resolve(values.policy ?? join(REPO_ROOT, 'dev', 'policy.yaml'));
  const loaded = loadPolicy(readInput(policyPath, '--policy').toString('utf8'), displayPath(policyPath));
  try {
    makeDirectory(join(stateDir, 'logs'));
  } catch (err) {
    return fail(`cannot create --state-dir ${stateDir}: ${describeError(err)}`);
  }
  // The dev stack and its stand-ins load here, for this command only (see dev/commands.ts).
  const { startStack } = await import('../dev/commands.ts');
  const t0 = Date.now();
  console.log(`Starting Warden locally (state in ${stateDir}) …`);
  let stack: Awaited<ReturnType<typeof startStack>>;
  try {
    stack = await startStack({
      stateDir,
      portBase,
      patients,
      seed: values.seed ?? 'warden',
      policyPath,
      log: (line) => console.log(`  ${line}`),
    });
  } catch (err) {
    return fail(`could not start: ${describeError(err)} (logs: ${join(stateDir, 'logs')})`);
  }
  console.log(
    startBanner({
      info: stack.info,
      policy: loaded,
      policyPath: displayPath(policyPath),
      seconds: (Date.now() - t0) / 1000,
    }),
  );
  await new Promise<void>((resolveStop) => {
    let stopping = false;
    const onSignal = () => {
      if (stopping) return;
      stopping = true;
      console.log('\nStopping …');
      void stack.stop().then(resolveStop);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  return 0;
}

/** The groups a policy grants something to, and the groups whose members approve. */
export function policyGroups(policy: Policy): { requesters: string[]; approvers: string[] } {
  const requesters = new Set<string>();
  const approvers = new Set<string>(policy.unparseableApproval?.groups ?? []);
  for (const rule of policy.rules) {
    for (const g of rule.approval?.groups ?? []) approvers.add(g);
    if (rule.effect === 'deny') continue;
    for (const g of [...(rule.when.groups ?? []), ...(rule.when.onBehalfOf?.groups ?? [])]) requesters.add(g);
  }
  const sorted = (s: Set<string>) => [...s].filter((g) => !g.includes('*')).sort();
  return { requesters: sorted(requesters), approvers: sorted(approvers) };
}

/**
 * What `warden start` prints once the stack is up: the endpoint, and the exact commands for this stack (its
 * state dir, when not the default) with groups from its policy.
 */
export function startBanner(o: {
  info: StackInfo;
  policy: Policy;
  policyPath: string;
  seconds: number;
}): string {
  const { info } = o;
  const dir = resolve(info.stateDir) === DEFAULT_STATE_DIR ? '' : ` --state-dir ${shellWord(info.stateDir)}`;
  const { requesters, approvers } = policyGroups(o.policy);
  const requester = requesters.find((g) => !approvers.includes(g)) ?? requesters[0];
  const tokenCommand = `npx warden token${dir} --email ann@example.org${requester ? ` --groups ${requester}` : ''}`;
  const lines = [
    '',
    `Warden is ready in ${o.seconds.toFixed(1)} s.`,
    '',
    `  MCP endpoint     ${info.mcpUrl}`,
    `  Get a token      ${tokenCommand}`,
    `                   (groups in ${o.policyPath}: ${requesters.join(', ') || 'none'})`,
    '  Connect          send it as "Authorization: Bearer <token>" (see README: Connect an MCP client)',
    // The bridge finds a non-default stack by its state dir; the default one by its URL.
    `  Stdio clients    npx warden bridge ${dir ? dir.trimStart() : `--url ${info.mcpUrl}`} --token-command "${tokenCommand}"`,
  ];
  if (approvers.length > 0)
    lines.push(
      `  Review approvals npx warden approvals list${dir} --token "$(npx warden token${dir} --email priya@example.org --groups ${approvers[0]})"`,
      `                   (approver groups: ${approvers.join(', ')}; or the console at ${info.gatewayUrl}/console)`,
    );
  lines.push(
    `  Audit trail      npx warden audit verify${dir}`,
    `  State and logs   ${info.stateDir}  (audit bucket: ${info.stateDir}/storage, logs: ${info.stateDir}/logs)`,
    '',
    'Press Ctrl-C to stop.',
  );
  return lines.join('\n');
}

/** A word a POSIX shell reads back unchanged. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

/** `path` relative to the working directory when it lies inside it. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

async function token(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('warden token', args, TOKEN_OPTIONS);
  if (values.help) return help('token');
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (!values.email || !/^[^@\s]+@[^@\s]+$/.test(values.email))
    throw new UsageError('--email is required (e.g. --email ann@example.org)');
  const ttl = Number(values.ttl ?? 3600);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 86_400)
    throw new UsageError('--ttl must be between 1 and 86400 seconds');
  const stateDir = stateDirOf(values['state-dir']);
  const info = readStackFile(stateDir);
  if (!info) return fail(`no local stack found in ${stateDir}: run "npm start" first`);
  const { mintToken, personClaims, readIssuerKey } = await import('../dev/commands.ts');
  // The issuer publishes this key; a token signed with any other would be refused, so none is made up here.
  const key = readIssuerKey(stateDir);
  if (!key)
    return fail(
      `${join(stateDir, 'oidc-key.json')} is missing: the local stack in ${stateDir} never started its issuer (run "npm start")`,
    );
  const groups = (values.groups ?? '')
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);
  console.log(
    await mintToken(
      key,
      info.issuer,
      personClaims({ email: values.email, groups, audience: info.audience }),
      ttl,
    ),
  );
  return 0;
}

function policy(args: string[]): number {
  const { values, positionals } = parseCommandArgs('warden policy', args, HELP_ONLY);
  if (values.help) return help('policy');
  const [sub, policyPath, casesPath, ...extra] = positionals;
  if (sub !== 'test' || !policyPath || !casesPath || extra.length)
    throw new UsageError('usage: warden policy test <policy.yaml> <cases.yaml>');
  const loaded = loadPolicy(readInput(policyPath, 'the policy').toString('utf8'), policyPath);
  const cases = readInput(casesPath, 'the cases').toString('utf8');
  let results: ReturnType<typeof runPolicyCases>;
  try {
    results = runPolicyCases(loaded, cases, sqlFactsFor);
  } catch (err) {
    // Its errors name the field ("cases: …"), not the file.
    throw new Error(`the cases ${casesPath}`, { cause: err });
  }
  for (const r of results) console.log(formatCaseResult(r));
  const failed = results.filter((r) => !r.ok).length;
  console.log(`${results.length - failed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

async function credential(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('warden credential', args, SEAL_OPTIONS);
  if (values.help) return help('credential');
  const [sub, ...extra] = positionals;
  if (sub !== 'seal' || extra.length)
    throw new UsageError('usage: warden credential seal --key KMS_KEY --in key.json --out key.json.enc');
  if (
    !values.key ||
    !/^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/.test(values.key)
  ) {
    throw new UsageError(
      '--key must be a KMS crypto key name: projects/P/locations/L/keyRings/R/cryptoKeys/K',
    );
  }
  if (!values.in || !values.out) throw new UsageError('--in and --out are required');
  if (values['kms-endpoint'] !== undefined && values['state-dir'] !== undefined)
    throw new UsageError('--kms-endpoint and --state-dir exclude each other');
  // Only an explicit --state-dir means the local stack: a production key sealed by a stand-in by default would
  // fail only later, when the executor cannot decrypt it.
  const stateDir = values['state-dir'] === undefined ? undefined : resolve(values['state-dir']);
  const local = stateDir === undefined ? undefined : readStackFile(stateDir);
  if (stateDir !== undefined && !local)
    return fail(`no local stack in ${stateDir} (run "npm start", or pass --kms-endpoint)`);
  const endpoint = values['kms-endpoint'] ?? local?.endpoints.kms;
  if (endpoint && !/^(127\.0\.0\.1|localhost|\[::1\]):\d+$/.test(endpoint)) {
    if (!local) throw new UsageError('--kms-endpoint must be a loopback host:port');
    return fail(`the KMS endpoint in ${stateDir}/stack.json, ${endpoint}, is not a loopback host:port`);
  }
  const keyJson = readInput(values.in, '--in');
  if (endpoint)
    await ensureListening(
      endpoint,
      local
        ? `the KMS stand-in of the local stack in ${stateDir}: is it running? ("npm start")`
        : '--kms-endpoint',
    );
  const client = await createKmsClient(endpoint);
  let sealed: Uint8Array;
  try {
    // Never print the key: WardenError messages name fields only, and no client error carries the plaintext.
    sealed = await sealCredential(new KmsKeyService(client), values.key, keyJson);
  } catch (err) {
    return fail(`could not seal ${values.in}: ${describeError(err)}`);
  } finally {
    keyJson.fill(0);
    // A client left open keeps retrying (and the process alive) after a failure.
    await client.close().catch(() => {});
  }
  writeOutput(values.out, sealed, '--out', 0o600);
  console.log(`sealed ${values.in} with ${values.key} → ${values.out}`);
  return 0;
}

/** A refusal or failure of the running command: reported by main as `warden <command>: <message>`, exit 1. */
function fail(message: string): never {
  throw new Error(message);
}

if (import.meta.main) {
  // A last resort for what escapes main (a client library's detached promise): one line, not a stack trace.
  // Once main has reported a failure, a late rejection is that failure's echo and is not printed again.
  let code: number | undefined;
  const fatal = (err: unknown) => {
    if (code === undefined || code === 0) reportFailure('warden', err, console.error);
    process.exit(code || 1);
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  quietWarnings(process, console.error);
  code = await main(process.argv.slice(2));
  process.exitCode = code;
}
