// The whole of Warden on one machine: emulators, stand-ins, a development issuer, a synthetic PHI dataset,
// and the gateway and executor each in its own functions-framework process, all on loopback.

import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeDirectory, type StackInfo } from '../cli/stack-file.ts';
import { createPubSubClient } from '../shared/adapters/clients.ts';
import { createKmsClient } from '../shared/adapters/kms/client.ts';
import { KmsKeyService } from '../shared/adapters/kms/key-service.ts';
import { sealCredential, sealMaskingKey } from '../shared/core/credential/sealed-credential.ts';
import { startBigQueryStandIn } from '../standins/bigquery/server.ts';
import { startChatInbox } from '../standins/chat/inbox.ts';
import { type KmsStandIn, startKmsStandIn } from '../standins/kms/server.ts';
import type { Latency } from '../standins/latency.ts';
import { isPortFree, PortInUseError } from '../standins/net.ts';
import { startDevIssuer, startMetadataServer } from '../standins/oidc/dev-issuer.ts';
import { startStorageStandIn } from '../standins/storage/server.ts';
import { startFirestore, startPubSub, stopGroup, waitReady } from './emulators.ts';
import { grpcMethodOf, startGrpcLatencyProxy, startHttpLatencyProxy } from './latency-proxy.ts';
import { generateDataset } from './synthetic/generate.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Local names of every cloud resource. The demo- project id guarantees nothing reaches a live project. */
export const LOCAL = {
  projectId: 'demo-warden',
  auditBucket: 'warden-audit-local',
  resultsBucket: 'warden-results-local',
  keyRing: 'projects/demo-warden/locations/global/keyRings/warden',
  gatewayServiceAccount: 'warden-gateway@demo-warden.iam.gserviceaccount.com',
  executorServiceAccount: 'warden-executor@demo-warden.iam.gserviceaccount.com',
  dataServiceAccount: 'warden-bigquery-reader@demo-warden.iam.gserviceaccount.com',
  /** The BigQuery identity of the example policy's de-identified rule (`credential: deid-reader`). */
  deidServiceAccount: 'warden-bq-deid-reader@demo-warden.iam.gserviceaccount.com',
  topics: [
    'approval-requested',
    'approval-requested-dead-letter',
    'approval-decided',
    'approval-decided-dead-letter',
  ],
} as const;
export const KEYS = {
  credential: `${LOCAL.keyRing}/cryptoKeys/executor-credential`,
  auditSigning: `${LOCAL.keyRing}/cryptoKeys/audit-signing`,
  auditSigningVersion: `${LOCAL.keyRing}/cryptoKeys/audit-signing/cryptoKeyVersions/1`,
  maskingHmac: `${LOCAL.keyRing}/cryptoKeys/masking-hmac`,
  requestState: `${LOCAL.keyRing}/cryptoKeys/request-state`,
  requestStateVersion: `${LOCAL.keyRing}/cryptoKeys/request-state/cryptoKeyVersions/1`,
} as const;

/** Port offsets from the port base. */
const PORTS = {
  gateway: 0,
  executor: 1,
  issuer: 2,
  gatewayMetadata: 3,
  executorMetadata: 4,
  firestore: 5,
  pubsub: 6,
  kms: 7,
  storage: 8,
  bigquery: 9,
  executorEvents: 10,
  notifier: 11,
  chatInbox: 12,
} as const;
type PortName = keyof typeof PORTS;

export interface StackOptions {
  stateDir: string;
  portBase: number;
  patients: number;
  seed: string;
  policyPath?: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /**
   * Run the functions from their deployable bundles (`<functionsDir>/<name>/index.js`, as `npm run
   * build:functions` writes them) instead of from source. The folder must sit inside the repository, so that
   * the bundles' one external package, the functions framework, resolves from its node_modules.
   */
  functionsDir?: string;
  /**
   * A latency model for every dependency of the functions (`npm run bench -- --gcp-latency`): the BigQuery,
   * Cloud Storage and KMS stand-ins hold each answer for its call kind's delay, the functions reach the
   * Firestore and Pub/Sub emulators through delaying proxies (`firestore.commit`, `firestore.read`,
   * `pubsub.publish`, …), and the gateway reaches the executor through one that adds a hop (`run.hop`).
   */
  latency?: Latency;
}

// StackInfo, what a running stack exposes, is defined where the shipped CLI reads it: cli/stack-file.ts.
export type { StackInfo };

export interface Stack {
  info: StackInfo;
  /** The environment the executor was started with (tests start variants of it). */
  executorEnv: Record<string, string>;
  /** The gateway's environment, for tests that start another gateway on the same stack. */
  gatewayEnv: Record<string, string>;
  /** The KMS stand-in (tests inject faults). */
  kms: KmsStandIn;
  stop(): Promise<void>;
}

/** Starts everything; on any failure stops what already started and rethrows. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const stateDir = resolve(options.stateDir);
  const logDir = join(stateDir, 'logs');
  makeDirectory(logDir);
  const port = (name: PortName) => options.portBase + PORTS[name];
  await ensurePortsFree(options.portBase, env);

  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => {});
  };
  try {
    const t0 = Date.now();
    // Emulators take a few seconds; start them while the in-process stand-ins come up.
    const emulators = Promise.all([
      startFirestore(port('firestore'), logDir, env),
      startPubSub(port('pubsub'), logDir, env),
    ]);
    emulators.then(
      (list) => stops.push(...list.map((e) => e.stop)),
      () => {},
    );

    const latency = options.latency ? { latency: options.latency } : {};
    const kms = await startKmsStandIn({
      ...latency,
      port: port('kms'),
      stateDir: join(stateDir, 'kms'),
      keys: [
        { name: KEYS.credential, purpose: 'ENCRYPT_DECRYPT' },
        { name: KEYS.auditSigning, purpose: 'ASYMMETRIC_SIGN' },
        { name: KEYS.maskingHmac, purpose: 'MAC' },
        { name: KEYS.requestState, purpose: 'MAC' },
      ],
    });
    stops.push(kms.close);
    const storage = await startStorageStandIn({
      ...latency,
      port: port('storage'),
      stateDir: join(stateDir, 'storage'),
      // HIPAA documentation retention: six years (45 CFR 164.316(b)(2)(i)).
      buckets: [
        { name: LOCAL.auditBucket, retentionPeriodSeconds: 6 * 365 * 24 * 3600, locked: true },
        { name: LOCAL.resultsBucket },
      ],
    });
    stops.push(storage.close);
    const dataset = generateDataset({
      seed: options.seed,
      patients: options.patients,
      projectId: LOCAL.projectId,
    });
    const bigquery = await startBigQueryStandIn({
      ...latency,
      port: port('bigquery'),
      seeds: [dataset.project],
    });
    stops.push(bigquery.close);
    log(
      `stand-ins ready: KMS, Cloud Storage, BigQuery with ${options.patients} synthetic patients (${Date.now() - t0} ms)`,
    );

    const issuer = await startDevIssuer({ port: port('issuer'), stateDir });
    stops.push(issuer.close);
    const metadata = await Promise.all([
      startMetadataServer({
        port: port('gatewayMetadata'),
        stateDir,
        issuer: issuer.issuer,
        serviceAccount: LOCAL.gatewayServiceAccount,
        projectId: LOCAL.projectId,
      }),
      startMetadataServer({
        port: port('executorMetadata'),
        stateDir,
        issuer: issuer.issuer,
        serviceAccount: LOCAL.executorServiceAccount,
        projectId: LOCAL.projectId,
      }),
    ]);
    for (const m of metadata) stops.push(m.close);

    const credentialPath = await ensureSealedCredential(stateDir, kms.endpoint);
    // A second BigQuery identity the example policy's de-identified rule runs under (QUERY_CREDENTIALS).
    const deidCredentialPath = await ensureSealedCredential(
      stateDir,
      kms.endpoint,
      'deid-reader-credential.json.enc',
      LOCAL.deidServiceAccount,
    );
    const maskingKeyPath = await ensureSealedMaskingKey(stateDir, kms.endpoint);
    const policyPath = options.policyPath ?? join(REPO_ROOT, 'dev', 'policy.yaml');
    const [firestore, pubsub] = await emulators;
    await createTopics(pubsub.host);
    log(`emulators ready: Firestore ${firestore.host}, Pub/Sub ${pubsub.host} (${Date.now() - t0} ms)`);

    const gatewayUrl = `http://127.0.0.1:${port('gateway')}`;
    const executorUrl = `http://127.0.0.1:${port('executor')}`;
    // With a latency model the functions see the emulators and the executor through delaying proxies.
    const via = options.latency
      ? await startLatencyProxies(options.latency, {
          firestore: firestore.host,
          pubsub: pubsub.host,
          executor: `127.0.0.1:${port('executor')}`,
        })
      : undefined;
    if (via) stops.push(via.close);
    const shared = {
      PROJECT_ID: LOCAL.projectId,
      AUDIT_BUCKET: LOCAL.auditBucket,
      RESULTS_BUCKET: LOCAL.resultsBucket,
      AUDIT_KMS_KEY_VERSION: KEYS.auditSigningVersion,
      // Digests soon after each write, so `warden audit verify` sees a digested trail locally.
      AUDIT_DIGEST_INTERVAL_SECONDS: '2',
      KMS_API_ENDPOINT: kms.endpoint,
      STORAGE_API_ENDPOINT: storage.url,
      BIGQUERY_API_ENDPOINT: bigquery.url,
      FIRESTORE_EMULATOR_HOST: via?.firestore ?? firestore.host,
      PUBSUB_EMULATOR_HOST: via?.pubsub ?? pubsub.host,
    };
    const gatewayEnv: Record<string, string> = {
      ...shared,
      GCE_METADATA_HOST: metadata[0]!.host,
      PUBLIC_URL: gatewayUrl,
      // Loopback under both names (MCP clients use either); nothing else may reach it.
      ALLOWED_HOSTS: `127.0.0.1:${port('gateway')},localhost:${port('gateway')}`,
      ALLOWED_ORIGINS: `http://127.0.0.1:${port('gateway')},http://localhost:${port('gateway')}`,
      OIDC_ISSUERS: issuer.issuer,
      POLICY_PATH: policyPath,
      EXECUTOR_URL: via?.executorUrl ?? executorUrl,
      // The executor checks its ID token's audience against its own URL, also when called through the hop.
      ...(via ? { EXECUTOR_AUDIENCE: executorUrl } : {}),
      // A 2026-07-28 client is asked for a missing reason; the state of the question is MACed (ask.ts).
      REQUEST_STATE_KMS_KEY_VERSION: KEYS.requestStateVersion,
    };
    const executorEnv = {
      ...shared,
      GCE_METADATA_HOST: metadata[1]!.host,
      EXECUTOR_AUDIENCE: executorUrl,
      INVOKER_ISSUERS: issuer.issuer,
      INVOKER_EMAILS: LOCAL.gatewayServiceAccount,
      CREDENTIAL_MODE: 'kms',
      CREDENTIAL_CIPHERTEXT_PATH: credentialPath,
      CREDENTIAL_KMS_KEY: KEYS.credential,
      QUERY_CREDENTIALS: JSON.stringify({ 'deid-reader': deidCredentialPath }),
      POLICY_PATH: policyPath,
      MASKING_KEY_CIPHERTEXT_PATH: maskingKeyPath,
      MASKING_KMS_KEY: KEYS.credential,
    };
    const eventsUrl = `http://127.0.0.1:${port('executorEvents')}/`;
    const inbox = await startChatInbox({
      port: port('chatInbox'),
      logPath: join(logDir, 'chat-inbox.jsonl'),
    });
    stops.push(inbox.stop);
    const from = options.functionsDir ? { functionsDir: options.functionsDir } : {};
    const started = await Promise.allSettled([
      startFunction('executor', port('executor'), logDir, executorEnv, from),
      startFunction('approved', port('executorEvents'), logDir, executorEnv, {
        logName: 'executor-approved',
        source: 'executor',
        ...from,
      }),
      startFunction(
        'notify',
        port('notifier'),
        logDir,
        {
          PROJECT_ID: LOCAL.projectId,
          FIRESTORE_EMULATOR_HOST: via?.firestore ?? firestore.host,
          NOTIFIER_WEBHOOK_URL: inbox.webhookUrl,
          NOTIFIER_FORMAT: 'slack',
          CONSOLE_URL: gatewayUrl,
        },
        { logName: 'notifier', source: 'notifier', ...from },
      ),
      startFunction('gateway', port('gateway'), logDir, gatewayEnv, from),
    ]);
    // Stop whichever functions did start if another failed.
    for (const r of started) if (r.status === 'fulfilled') stops.push(r.value);
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    // As Eventarc does in production: approval-decided is delivered to the executor's event function.
    await createPushSubscription(pubsub.host, 'approval-decided', 'approval-decided-executor', eventsUrl);
    // …and approval-requested to the notifier, which posts to the chat inbox stand-in.
    await createPushSubscription(
      pubsub.host,
      'approval-requested',
      'approval-requested-notifier',
      `http://127.0.0.1:${port('notifier')}/`,
    );
    log(`functions ready (${Date.now() - t0} ms)`);

    const info: StackInfo = {
      projectId: LOCAL.projectId,
      gatewayUrl,
      mcpUrl: `${gatewayUrl}/mcp`,
      executorUrl,
      issuer: issuer.issuer,
      audience: gatewayUrl,
      onBehalfOfAudience: `${gatewayUrl}/on-behalf-of`,
      stateDir,
      auditBucket: LOCAL.auditBucket,
      auditKeyVersion: KEYS.auditSigningVersion,
      endpoints: {
        firestore: firestore.host,
        pubsub: pubsub.host,
        kms: kms.endpoint,
        storage: storage.url,
        bigquery: bigquery.url,
      },
      gatewayMetadataHost: metadata[0]!.host,
      chatInboxUrl: inbox.webhookUrl.replace(/\/webhook\/.*$/, ''),
    };
    writeFileSync(join(stateDir, 'stack.json'), `${JSON.stringify(info, null, 2)}\n`);
    return { info, executorEnv, gatewayEnv, kms, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The call kinds of the emulators' gRPC methods, for a latency model. */
const FIRESTORE_KINDS: Readonly<Record<string, string>> = {
  Commit: 'firestore.commit',
  BatchWrite: 'firestore.commit',
  BeginTransaction: 'firestore.beginTransaction',
  Rollback: 'firestore.beginTransaction',
};

/** Delaying proxies in front of the emulators and the executor (see `StackOptions.latency`). */
async function startLatencyProxies(
  latency: Latency,
  targets: { firestore: string; pubsub: string; executor: string },
) {
  const firestore = await startGrpcLatencyProxy({
    target: targets.firestore,
    latency,
    name: 'Firestore latency proxy',
    // Reads (GetDocument, BatchGetDocuments, RunQuery) share one kind; Listen streams are not modelled.
    kindOf: (_, path) => FIRESTORE_KINDS[grpcMethodOf(path)] ?? 'firestore.read',
  });
  const pubsub = await startGrpcLatencyProxy({
    target: targets.pubsub,
    latency,
    name: 'Pub/Sub latency proxy',
    kindOf: (_, path) => (grpcMethodOf(path) === 'Publish' ? 'pubsub.publish' : 'pubsub.other'),
  });
  const executor = await startHttpLatencyProxy({
    target: targets.executor,
    latency,
    name: 'executor hop proxy',
    kindOf: () => 'run.hop',
  });
  return {
    firestore: firestore.host,
    pubsub: pubsub.host,
    executorUrl: executor.url,
    close: async () => {
      await Promise.all([firestore.close(), pubsub.close(), executor.close()]);
    },
  };
}

async function ensurePortsFree(base: number, env: NodeJS.ProcessEnv): Promise<void> {
  for (const [name, offset] of Object.entries(PORTS)) {
    if (name === 'firestore' && env['FIRESTORE_EMULATOR_HOST']) continue;
    if (name === 'pubsub' && env['PUBSUB_EMULATOR_HOST']) continue;
    if (!(await isPortFree(base + offset))) throw new PortInUseError(base + offset, name);
  }
}

/** A development service-account key for the executor, sealed with the KMS stand-in (as in production). */
/** A random 32-byte masking (HMAC) key, sealed with the KMS stand-in, stable across restarts. */
async function ensureSealedMaskingKey(stateDir: string, kmsEndpoint: string): Promise<string> {
  const path = join(stateDir, 'masking-key.enc');
  if (existsSync(path)) return path;
  const keys = new KmsKeyService(await createKmsClient(kmsEndpoint));
  writeFileSync(path, await sealMaskingKey(keys, KEYS.credential, randomBytes(32)), { mode: 0o600 });
  return path;
}

async function ensureSealedCredential(
  stateDir: string,
  kmsEndpoint: string,
  file = 'executor-credential.json.enc',
  clientEmail: string = LOCAL.dataServiceAccount,
): Promise<string> {
  const path = join(stateDir, file);
  if (existsSync(path)) return path;
  const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const key = {
    type: 'service_account',
    project_id: LOCAL.projectId,
    client_email: clientEmail,
    private_key: privateKey,
    private_key_id: randomBytes(20).toString('hex'),
  };
  const keys = new KmsKeyService(await createKmsClient(kmsEndpoint));
  writeFileSync(
    path,
    await sealCredential(keys, KEYS.credential, new TextEncoder().encode(JSON.stringify(key))),
    { mode: 0o600 },
  );
  return path;
}

async function createTopics(pubsubHost: string): Promise<void> {
  const pubsub = await createPubSubClient(LOCAL.projectId, pubsubHost);
  try {
    for (const name of LOCAL.topics) {
      const [exists] = await pubsub.topic(name).exists();
      if (!exists) await pubsub.createTopic(name);
    }
  } finally {
    await pubsub.close();
  }
}

async function createPushSubscription(
  pubsubHost: string,
  topic: string,
  name: string,
  endpoint: string,
): Promise<void> {
  const pubsub = await createPubSubClient(LOCAL.projectId, pubsubHost);
  try {
    const sub = pubsub.subscription(name);
    const [exists] = await sub.exists();
    if (exists) await sub.delete();
    await pubsub.topic(topic).createSubscription(name, {
      pushConfig: { pushEndpoint: endpoint },
      ackDeadlineSeconds: 60,
      // At-least-once with backoff; poison messages go to the dead-letter topic after 10 attempts.
      retryPolicy: { minimumBackoff: { seconds: 1 }, maximumBackoff: { seconds: 60 } },
      deadLetterPolicy: {
        deadLetterTopic: `projects/${LOCAL.projectId}/topics/${topic}-dead-letter`,
        maxDeliveryAttempts: 10,
      },
    });
  } finally {
    await pubsub.close();
  }
}

/** Where a function's code and log come from; each defaults to the function's target name. */
export interface FunctionSource {
  /** The log file's name in logDir (without `.log`). */
  logName?: string;
  /** The folder of functions/ (or of functionsDir) whose index exports the target. */
  source?: string;
  /** Run the bundle `<functionsDir>/<source>/index.js` instead of functions/<source>/index.ts. */
  functionsDir?: string;
}

/**
 * Runs one function in its own functions-framework process, as Cloud Functions does: from
 * functions/<source>/index.ts, or from the bundle `<functionsDir>/<source>/index.js` when a folder of bundles is
 * given.
 */
export async function startFunction(
  target: string,
  port: number,
  logDir: string,
  env: Record<string, string>,
  { logName = target, source = target, functionsDir }: FunctionSource = {},
): Promise<(signal?: NodeJS.Signals) => Promise<void>> {
  const bundleDir = functionsDir ? join(resolve(functionsDir), source) : undefined;
  const ffMain = join(
    dirname(createRequire(import.meta.url).resolve('@google-cloud/functions-framework')),
    'main.js',
  );
  const log = createWriteStream(join(logDir, `${logName}.log`));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--disable-warning=ExperimentalWarning',
      // Loopback only: the local functions are reachable from this machine alone (README, "Locally").
      `--import=${pathToFileURL(join(REPO_ROOT, 'dev', 'loopback.ts')).href}`,
      ffMain,
      `--target=${target}`,
      `--source=${bundleDir ? join(bundleDir, 'index.js') : join(REPO_ROOT, 'functions', source, 'index.ts')}`,
      `--port=${port}`,
    ],
    {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: bundleDir ?? REPO_ROOT,
      // Only what the function needs: no Google credentials of the developer's leak into the local stack.
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '',
        NODE_ENV: 'production',
        // For profiling the functions of a local stack, e.g. WARDEN_FUNCTION_NODE_OPTIONS="--cpu-prof".
        ...(process.env['WARDEN_FUNCTION_NODE_OPTIONS']
          ? { NODE_OPTIONS: process.env['WARDEN_FUNCTION_NODE_OPTIONS'] }
          : {}),
        // For comparing audit write lanes in the bench, e.g. AUDIT_WRITE_LANES=1 npm run bench -- gateway.
        ...(process.env['AUDIT_WRITE_LANES'] ? { AUDIT_WRITE_LANES: process.env['AUDIT_WRITE_LANES'] } : {}),
        ...env,
      },
    },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  // SIGTERM lets the function finish its records (the audit log's close); SIGKILL is a crash.
  const stop = (signal?: NodeJS.Signals) => stopGroup(child, exited, signal);
  const early = exited.then((code) => {
    throw new Error(`${target} exited during start (code ${code}):\n${tail(join(logDir, `${logName}.log`))}`);
  });
  try {
    await Promise.race([
      waitReady(target, `http://127.0.0.1:${port}/healthz`, 30_000, source !== target),
      early,
    ]);
  } catch (err) {
    await stop();
    throw err;
  }
  early.catch(() => {});
  return stop;
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}
