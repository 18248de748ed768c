// The `warden` command: `start` runs the local stack; `token` prints a development ID token.

import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createKmsClient } from '../shared/adapters/clients.ts';
import { KmsKeyService } from '../shared/adapters/kms/key-service.ts';
import { sealCredential } from '../shared/core/credential/sealed-credential.ts';
import { sqlFactsFor } from '../shared/core/gateway/sql-facts.ts';
import { loadPolicy } from '../shared/core/policy/policy.ts';
import { type CaseResult, formatCaseResult, runPolicyCases } from '../shared/core/policy/policy-cases.ts';
import { APPROVALS_USAGE, approvalsCommand } from './approvals/cli.ts';
import { AUDIT_USAGE, auditCommand } from './audit/cli.ts';
import { bridgeCommand } from './bridge/bridge.ts';
import { EmulatorsMissingError } from './emulators.ts';
import { PortInUseError } from './net.ts';
import { loadIssuerKey, mintToken, personClaims } from './oidc/dev-issuer.ts';
import { REPO_ROOT, type StackInfo, startStack } from './stack.ts';

const USAGE = `Usage: warden <command> [options]

Commands:
  start     Run Warden locally: emulators, stand-ins, a development OIDC issuer, synthetic PHI, gateway, executor.
            --patients N      synthetic patients (default 10000)
            --seed S          dataset seed (default warden)
            --state-dir DIR   where state lives (default .warden, env WARDEN_STATE_DIR)
            --port-base P     first of 13 consecutive ports (default 8700, env WARDEN_PORT_BASE)
            --policy FILE     policy YAML (default local/policy.yaml)
  token     Print an ID token from the development issuer of a running (or last started) local stack.
            --email E         (required) the person's email
            --groups a,b      groups claim (e.g. analysts, clinicians)
            --ttl SECONDS     lifetime (default 3600)
            --state-dir DIR   as for start
  bridge    Serve MCP on stdio for stdio-only clients (Claude Desktop …), forwarding to a gateway with an ID token.
            --url URL         (required) the gateway's MCP endpoint (https; http only on loopback)
            --audience AUD    ID token audience (default: the origin of --url)
            --impersonate SA  ID tokens for this service account (IAM Credentials generateIdToken)
            --token-command C run C (no shell) and use its trimmed output as the token
            --header N=V      a fixed header on every gateway request (repeatable)
            Default tokens: application default credentials. See local/bridge/README.md.
${APPROVALS_USAGE}
${AUDIT_USAGE}
  credential seal --key KMS_KEY --in key.json --out key.json.enc [--kms-endpoint HOST:PORT]
            Encrypt a service-account key for the executor with a Cloud KMS symmetric key (the key name is
            projects/…/cryptoKeys/…); --kms-endpoint points at a local KMS stand-in.
  policy test POLICY CASES
            Evaluate the cases (YAML) against the policy and print each decision with its rule; exit 1 on a
            mismatch (see local/policy.cases.yaml).
  help      Show this help.`;

/** Runs the CLI; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
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
      return approvalsCommand(rest, stateDirOf(process.env['WARDEN_STATE_DIR']));
    case 'audit':
      return auditCommand(rest, stateDirOf(process.env['WARDEN_STATE_DIR']));
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      console.error(`warden: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

function stateDirOf(value: string | undefined): string {
  return resolve(value ?? process.env['WARDEN_STATE_DIR'] ?? join(REPO_ROOT, '.warden'));
}

async function start(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      patients: { type: 'string' },
      seed: { type: 'string' },
      'state-dir': { type: 'string' },
      'port-base': { type: 'string' },
      policy: { type: 'string' },
    },
  });
  const patients = Number(values.patients ?? 10_000);
  const portBase = Number(values['port-base'] ?? process.env['WARDEN_PORT_BASE'] ?? 8700);
  if (!Number.isInteger(patients) || patients < 1) return fail('--patients must be a positive integer');
  if (!Number.isInteger(portBase) || portBase < 1024 || portBase > 65525)
    return fail('--port-base must be an integer between 1024 and 65525');
  const stateDir = stateDirOf(values['state-dir']);
  const t0 = Date.now();
  console.log(`Starting Warden locally (state in ${stateDir}) …`);
  let stack: Awaited<ReturnType<typeof startStack>>;
  try {
    stack = await startStack({
      stateDir,
      portBase,
      patients,
      seed: values.seed ?? 'warden',
      ...(values.policy ? { policyPath: resolve(values.policy) } : {}),
      log: (line) => console.log(`  ${line}`),
    });
  } catch (err) {
    if (err instanceof PortInUseError || err instanceof EmulatorsMissingError) return fail(err.message);
    return fail(
      `could not start: ${err instanceof Error ? err.message : String(err)}\nLogs: ${join(stateDir, 'logs')}`,
    );
  }
  const i = stack.info;
  console.log(`
Warden is ready in ${((Date.now() - t0) / 1000).toFixed(1)} s.

  MCP endpoint     ${i.mcpUrl}
  Get a token      npx warden token --email ann@example.org --groups clinicians
                   (groups in local/policy.yaml: analysts, clinicians)
  Connect          send it as "Authorization: Bearer <token>" (see README: Connect an MCP client)
  State and logs   ${i.stateDir}  (audit bucket: ${i.stateDir}/storage, logs: ${i.stateDir}/logs)

Press Ctrl-C to stop.`);
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

async function token(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      email: { type: 'string' },
      groups: { type: 'string' },
      ttl: { type: 'string' },
      'state-dir': { type: 'string' },
    },
  });
  if (!values.email || !/^[^@\s]+@[^@\s]+$/.test(values.email))
    return fail('--email is required (e.g. --email ann@example.org)');
  const ttl = Number(values.ttl ?? 3600);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 86_400)
    return fail('--ttl must be between 1 and 86400 seconds');
  const stateDir = stateDirOf(values['state-dir']);
  let info: StackInfo;
  try {
    info = JSON.parse(readFileSync(join(stateDir, 'stack.json'), 'utf8')) as StackInfo;
  } catch {
    return fail(`no local stack found in ${stateDir}: run "npm start" first`);
  }
  const key = await loadIssuerKey(stateDir);
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
  const [sub, policyPath, casesPath, ...extra] = args;
  if (sub !== 'test' || !policyPath || !casesPath || extra.length)
    return fail('usage: warden policy test <policy.yaml> <cases.yaml>');
  let results: CaseResult[];
  try {
    const loaded = loadPolicy(readFileSync(policyPath, 'utf8'), policyPath);
    results = runPolicyCases(loaded, readFileSync(casesPath, 'utf8'), sqlFactsFor);
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
  for (const r of results) console.log(formatCaseResult(r));
  const failed = results.filter((r) => !r.ok).length;
  console.log(`${results.length - failed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

async function credential(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'seal')
    return fail('usage: warden credential seal --key KMS_KEY --in key.json --out key.json.enc');
  const { values } = parseArgs({
    args: rest,
    options: {
      key: { type: 'string' },
      in: { type: 'string' },
      out: { type: 'string' },
      'kms-endpoint': { type: 'string' },
    },
  });
  if (
    !values.key ||
    !/^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/.test(values.key)
  ) {
    return fail('--key must be a KMS crypto key name: projects/P/locations/L/keyRings/R/cryptoKeys/K');
  }
  if (!values.in || !values.out) return fail('--in and --out are required');
  if (values['kms-endpoint'] && !/^(127\.0\.0\.1|localhost|\[::1\]):\d+$/.test(values['kms-endpoint']))
    return fail('--kms-endpoint must be a loopback host:port');
  try {
    const keys = new KmsKeyService(await createKmsClient(values['kms-endpoint']));
    const sealed = await sealCredential(keys, values.key, readFileSync(values.in));
    writeFileSync(values.out, sealed, { mode: 0o600 });
  } catch (err) {
    // Never print the key: WardenError messages name fields only; other causes are summarized.
    return fail(
      `could not seal the credential: ${err instanceof Error && 'kind' in err ? err.message : 'KMS encryption failed'}`,
    );
  }
  console.log(`sealed ${values.in} with ${values.key} → ${values.out}`);
  return 0;
}

function fail(message: string): number {
  console.error(`warden: ${message}`);
  return 1;
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
