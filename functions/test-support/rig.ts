// The gateway and the executor composed as production composes them (functions/*/compose.ts), but on in-memory
// ports wrapped by the fault injector (faulty.ts) inside the production deadlines: unit tests drive the real
// handlers and prove what a failing, hanging or slow dependency does to a request. Where the rig differs from
// production it does so through its ports and its configuration only: a manual clock, the rig's tokens, the
// executor hop answered in process (with room for the executor's own deadlines), one audit write lane, a BigQuery
// port that opens the sealed credential before every query (CREDENTIAL_MODE=keyless, so compose does not open
// it once), no 2025-era elicitation store, and the `settled` wrapper around the handlers.

import type { Request, Response } from '@google-cloud/functions-framework';
import { withDeadline } from '../../shared/adapters/deadline.ts';
import type { AuditLog } from '../../shared/core/audit/audit-log.ts';
import type { AuditRecord } from '../../shared/core/audit/record.ts';
import {
  openCredential,
  sealCredential,
  sealMaskingKey,
} from '../../shared/core/credential/sealed-credential.ts';
import { WardenError } from '../../shared/core/errors.ts';
import type { Principal } from '../../shared/core/identity/principal.ts';
import { loadPolicy } from '../../shared/core/policy/policy.ts';
import { invoke } from '../../shared/test-support/fake-http.ts';
import { FakeWarehouse } from '../../shared/test-support/fake-warehouse.ts';
import { faulty } from '../../shared/test-support/faulty.ts';
import {
  ManualClock,
  MemoryApprovals,
  MemoryBus,
  MemoryGrantLedger,
  MemoryKeys,
  MemoryResults,
  MemorySink,
} from '../../shared/test-support/memory-ports.ts';
import { composeExecutor, type ExecutorPorts } from '../executor/compose.ts';
import { loadConfig as executorConfig } from '../executor/config.ts';
import { createExecutorHandler } from '../executor/handle.ts';
import { composeGateway, type GatewayPorts } from '../gateway/compose.ts';
import { loadConfig as gatewayConfig } from '../gateway/config.ts';
import { createGatewayHandler } from '../gateway/handle.ts';
import { memoryFunctionPorts } from './memory-function-ports.ts';

const RIG_POLICY_TEXT = `
version: 1
rules:
  - id: analysts-reference
    effect: allow
    when: { groups: [analysts], tools: [execute_sql], statementTypes: [SELECT], tables: ['*.reference'] }
    rowLimit: 5
  - id: analysts-phi-with-approval
    effect: require_approval
    when: { groups: [analysts], tools: [execute_sql], statementTypes: [SELECT], phi: true }
    approval: { groups: [privacy-office], quorum: 1, ttl: 4h }
  - id: researchers-reference-with-reason
    effect: allow
    when: { groups: [researchers], tools: [execute_sql], statementTypes: [SELECT], tables: ['*.reference'] }
    reasonRequired: true
    rowLimit: 5
`;
export const RIG_POLICY = loadPolicy(RIG_POLICY_TEXT);

const KEY_RING = 'projects/p/locations/global/keyRings/r/cryptoKeys';
const CREDENTIAL_KEY = `${KEY_RING}/credential`;
const MASKING_KEY = `${KEY_RING}/masking`;
/** The audit key's version by the short name the tests' own signers use (the schema wants a full one). */
const AUDIT_KEY_VERSION = 'k/cryptoKeyVersions/1';
export const REQUEST_STATE_KEY_VERSION = `${KEY_RING}/request-state/cryptoKeyVersions/1`;
const SERVICE_KEY = JSON.stringify({
  type: 'service_account',
  client_email: 'reader@p.iam.gserviceaccount.com',
  private_key: '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n',
});

/** Tokens the rig's verifier accepts: `good.<group+group>`; anything else is unauthenticated. */
function verifier() {
  return {
    async verify(token: string): Promise<Principal> {
      const m = /^good\.(.*)$/.exec(token);
      if (!m) throw new WardenError('unauthenticated', 'The bearer token signature is not valid.');
      const groups = (m[1] ?? '').split(/[,+]/).filter(Boolean);
      return {
        subject: `u-${groups.join('-')}`,
        issuer: 'https://idp',
        email: `${groups[0] ?? 'nobody'}@example.org`,
        groups,
        actorChain: [],
      };
    },
  };
}

/** Only the gateway's service token (`service.gateway`, the rig's ID token) may invoke the executor. */
function serviceVerifier() {
  return {
    async verify(token: string): Promise<Principal> {
      if (token !== 'service.gateway') throw new WardenError('unauthenticated', 'Not a service token.');
      return {
        subject: 'sa',
        issuer: 'https://idp',
        email: 'gateway@example.org',
        groups: [],
        actorChain: [],
      };
    },
  };
}

/** The rig's configuration of both functions, as their environments would give it (parsed by their schemas). */
function rigConfigs(options: { ms: number; queryTimeoutMs: number; dryRun: 'executor' | 'gateway' }) {
  const common = {
    PROJECT_ID: 'p',
    POLICY_PATH: 'rig://policy.yaml',
    AUDIT_BUCKET: 'rig-audit',
    AUDIT_KMS_KEY_VERSION: `${KEY_RING}/audit/cryptoKeyVersions/1`,
    DEPENDENCY_TIMEOUT_MS: String(options.ms),
    // One write lane, as AuditLog's default: the trail's order in the tests is the order records were written.
    AUDIT_WRITE_LANES: '1',
  };
  const gateway = gatewayConfig({
    ...common,
    PUBLIC_URL: 'https://warden.example',
    OIDC_ISSUERS: 'https://idp',
    EXECUTOR_URL: 'https://executor.internal',
    MAX_BODY_BYTES: '65536',
    DRY_RUN: options.dryRun,
    // A 2026-07-28 client is asked for a missing reason (the 2025-era elicitation tests bring their own store).
    REQUEST_STATE_KMS_KEY_VERSION: REQUEST_STATE_KEY_VERSION,
    CONSOLE_ENABLED: 'false',
  });
  const executor = executorConfig({
    ...common,
    EXECUTOR_AUDIENCE: 'https://executor.internal',
    INVOKER_ISSUERS: 'https://idp',
    INVOKER_EMAILS: 'gateway@example.org',
    // The rig's BigQuery port opens the sealed credential itself, before every query (createRig).
    CREDENTIAL_MODE: 'keyless',
    MASKING_KEY_CIPHERTEXT_PATH: 'rig://masking-key.enc',
    MASKING_KMS_KEY: MASKING_KEY,
    QUERY_TIMEOUT_MS: String(options.queryTimeoutMs),
    RESULT_TTL_SECONDS: '3600',
  });
  return {
    gateway: { ...gateway, AUDIT_KMS_KEY_VERSION: AUDIT_KEY_VERSION },
    executor: { ...executor, AUDIT_KMS_KEY_VERSION: AUDIT_KEY_VERSION },
  };
}

/**
 * Builds the rig; `timeoutMs` is every dependency's deadline (DEPENDENCY_TIMEOUT_MS); `dryRun` who dry-runs
 * (DRY_RUN: the executor by default, as in production).
 */
export async function createRig(
  options: { timeoutMs?: number; queryTimeoutMs?: number; dryRun?: 'executor' | 'gateway' } = {},
) {
  const ms = options.timeoutMs ?? 200;
  const queryTimeoutMs = options.queryTimeoutMs ?? ms;
  const config = rigConfigs({ ms, queryTimeoutMs, dryRun: options.dryRun ?? 'executor' });
  const clock = new ManualClock();
  const ports = {
    sink: faulty(new MemorySink()),
    keys: faulty(new MemoryKeys()),
    store: faulty(new MemoryApprovals()),
    results: faulty(new MemoryResults()),
    bus: faulty(new MemoryBus()),
    warehouse: faulty(new FakeWarehouse()),
  };
  // The sealed artefacts the executor opens, as a deployment would hold them.
  const sealed = await sealCredential(ports.keys, CREDENTIAL_KEY, new TextEncoder().encode(SERVICE_KEY));
  const objects = new Map<string, Uint8Array>([
    ['rig://policy.yaml', new TextEncoder().encode(RIG_POLICY_TEXT)],
    ['rig://masking-key.enc', await sealMaskingKey(ports.keys, MASKING_KEY, new Uint8Array(32).fill(7))],
  ]);
  ports.keys.calls.encrypt = 0;
  const grantLedger = new MemoryGrantLedger();
  const logs: { message: string; cause?: unknown }[] = [];
  /** What both functions share: one bucket, one KMS, one Firestore (as one project's functions do). */
  const shared = memoryFunctionPorts({
    clock,
    keys: ports.keys,
    sink: ports.sink,
    approvals: ports.store,
    results: ports.results,
    objects,
  });
  // Each function's audit log, as composed (the rig settles them after each call).
  const auditLogs: { gateway?: AuditLog; executor?: AuditLog } = {};
  const executorPorts: ExecutorPorts = {
    ...shared,
    opened: (log) => {
      auditLogs.executor = log;
    },
    log: () => {},
    tokenVerifier: serviceVerifier,
    grantLedger,
    // Every identity is the one fake warehouse. Each query first opens the sealed credential through KMS (inside
    // the KMS deadline), as the first query of a fresh executor instance does: production opens it once per
    // instance, but the rig is one warm instance for a whole test, whose KMS faults must reach the query.
    warehouse: async () => ({
      execute: async (request, options) => {
        await openCredential(withDeadline(ports.keys, ms, 'Cloud KMS'), CREDENTIAL_KEY, sealed);
        return ports.warehouse.execute(request, options);
      },
      dryRun: (request) => ports.warehouse.dryRun(request),
      describeTable: (table) => ports.warehouse.describeTable(table),
      getJob: (job) => ports.warehouse.getJob(job),
      cancelJob: (job) => ports.warehouse.cancelJob(job),
    }),
  };
  const executorDeps = await composeExecutor(config.executor, executorPorts);
  const executorAudit = auditLogs.executor!;
  // The gateway's hop settles only the executor's records: settling the gateway's log from inside its own
  // call would flush its group-committed records earlier than production does.
  const hop = createExecutorHandler(executorDeps);
  const executorHop = async (req: Request, res: Response) => {
    try {
      await hop(req, res);
    } finally {
      await executorAudit.settle();
    }
  };
  const gatewayPorts: GatewayPorts = {
    ...shared,
    opened: (log) => {
      auditLogs.gateway = log;
    },
    log: (message, cause) => void logs.push({ message, cause }),
    tokenVerifier: verifier,
    bus: ports.bus,
    warehouse: ports.warehouse,
    // The real HTTP runner, its requests answered by the real executor handler in process; the hop's deadlines
    // leave room for the executor's own (every dependency there has the same `ms`).
    executorHop: {
      tokens: { idToken: async () => 'service.gateway' },
      fetch: inProcessFetch(executorHop),
      timeoutMs: queryTimeoutMs + 3 * ms,
      dryRunTimeoutMs: 3 * ms,
    },
  };
  const gatewayDeps = await composeGateway(config.gateway, gatewayPorts);
  const gatewayAudit = auditLogs.gateway!;
  /** The handler, and then every group-committed record written, so a test reads the whole trail. */
  const settled =
    (handler: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
      try {
        await handler(req, res);
      } finally {
        await Promise.all([gatewayAudit.settle(), executorAudit.settle()]);
      }
    };
  const executor = settled(createExecutorHandler(executorDeps));
  const gateway = settled(createGatewayHandler(gatewayDeps));

  /** Every stored audit record (the memory bucket holds both writers' streams); objects never change. */
  const parsed = new Map<string, AuditRecord[]>();
  const records = (): AuditRecord[] =>
    [...ports.sink.objects].flatMap(([name, data]) => {
      let list = parsed.get(name);
      if (!list) {
        list = new TextDecoder()
          .decode(data)
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as AuditRecord)
          .filter((r) => r.event !== undefined);
        parsed.set(name, list);
      }
      return list;
    });
  const typesFor = (requestId: string) =>
    records()
      .filter((r) => r.event.requestId === requestId)
      .map((r) => r.event.type);
  return {
    gateway,
    executor,
    gatewayDeps,
    executorDeps,
    ports,
    clock,
    records,
    typesFor,
    logs,
    grantLedger,
    config,
  };
}

export type Rig = Awaited<ReturnType<typeof createRig>>;

/** A `fetch` that hands the request to an HTTP function in process, honouring the abort signal. */
function inProcessFetch(handler: (req: Request, res: Response) => Promise<void>): typeof fetch {
  return (async (input: string | URL | globalThis.Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    const call = invoke(handler, {
      method: init?.method ?? 'GET',
      path: url.pathname,
      headers,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    }).then((sent) => new Response(sent.body, { status: sent.status, headers: sent.headers }));
    const signal = init?.signal;
    if (!signal) return call;
    return Promise.race([
      call,
      new Promise<never>((_, reject) => {
        if (signal.aborted) reject(signal.reason);
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      }),
    ]);
  }) as typeof fetch;
}

/** A JSON-RPC POST to the rig's gateway. */
export function rpc(token: string | undefined, body: unknown, headers: Record<string, string> = {}) {
  return {
    method: 'POST',
    path: '/mcp',
    headers: {
      host: 'warden.example',
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body,
  };
}

/** A tools/call message. */
export const toolCall = (name: string, args: unknown, id: number | string = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});

/** An allowed query on PHI-free reference data, and one on PHI that needs approval. */
export const REFERENCE_SQL = 'SELECT code FROM `p.reference.icd10_codes`';
export const PHI_SQL = 'SELECT first_name FROM `p.clinical.patients`';
