// The gateway and the executor wired as wire.ts wires them, but on in-memory ports wrapped by the fault
// injector (faulty.ts) inside the production deadline decorator: unit tests drive the real handlers and prove
// what a failing, hanging or slow dependency does to a request.

import type { Request, Response } from '@google-cloud/functions-framework';
import { withDeadline } from '../../shared/adapters/deadline.ts';
import { dryRunsThroughExecutor, HttpQueryRunner } from '../../shared/adapters/executor/http-query-runner.ts';
import { AuditLog } from '../../shared/core/audit/audit-log.ts';
import type { AuditRecord } from '../../shared/core/audit/record.ts';
import { TableCatalog } from '../../shared/core/classification/table-catalog.ts';
import { openCredential, sealCredential } from '../../shared/core/credential/sealed-credential.ts';
import { WardenError } from '../../shared/core/errors.ts';
import type { RunApprovedDeps } from '../../shared/core/execution/run-approved.ts';
import { sqlFactsFor } from '../../shared/core/gateway/sql-facts.ts';
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
import { createExecutorHandler, type ExecutorDeps } from '../executor/handle.ts';
import { ReasonAsker } from '../gateway/ask.ts';
import { createGatewayHandler, type GatewayDeps } from '../gateway/handle.ts';

export const RIG_POLICY = loadPolicy(`
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
`);

const CREDENTIAL_KEY = 'projects/p/locations/global/keyRings/r/cryptoKeys/credential';
export const REQUEST_STATE_KEY_VERSION =
  'projects/p/locations/global/keyRings/r/cryptoKeys/request-state/cryptoKeyVersions/1';
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

/**
 * Builds the rig; `timeoutMs` is every dependency's deadline (DEPENDENCY_TIMEOUT_MS); `dryRun` who dry-runs
 * (DRY_RUN: the executor by default, as wire.ts).
 */
export async function createRig(
  options: { timeoutMs?: number; queryTimeoutMs?: number; dryRun?: 'executor' | 'gateway' } = {},
) {
  const ms = options.timeoutMs ?? 200;
  const clock = new ManualClock();
  const ports = {
    sink: faulty(new MemorySink()),
    keys: faulty(new MemoryKeys()),
    store: faulty(new MemoryApprovals()),
    results: faulty(new MemoryResults()),
    bus: faulty(new MemoryBus()),
    warehouse: faulty(new FakeWarehouse()),
  };
  const sealed = await sealCredential(ports.keys, CREDENTIAL_KEY, new TextEncoder().encode(SERVICE_KEY));
  ports.keys.calls.encrypt = 0;
  const sink = withDeadline(ports.sink, ms, 'Cloud Storage');
  const keys = withDeadline(ports.keys, ms, 'Cloud KMS');
  const store = withDeadline(ports.store, ms, 'Firestore');
  const results = withDeadline(ports.results, ms, 'Firestore');
  const audit = (writer: string) =>
    new AuditLog({ sink, keys, clock, kmsKeyVersion: 'k/cryptoKeyVersions/1', writer });
  const gatewayAudit = audit('gateway');
  const executorAudit = audit('executor');
  /** The handler, and then every group-committed record written, so a test reads the whole trail. */
  const settled =
    (handler: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
      try {
        await handler(req, res);
      } finally {
        await Promise.all([gatewayAudit.settle(), executorAudit.settle()]);
      }
    };
  const grantLedger = new MemoryGrantLedger();

  const executorDeps: ExecutorDeps & RunApprovedDeps = {
    audit: executorAudit,
    // As the executor's wire.ts: the credential is decrypted (KMS) before the warehouse is used.
    warehouse: async () => {
      await openCredential(keys, CREDENTIAL_KEY, sealed);
      return withDeadline(ports.warehouse, (options.queryTimeoutMs ?? ms) + ms, 'BigQuery');
    },
    jobs: async () => withDeadline(ports.warehouse, ms, 'BigQuery'),
    dryRun: (request) => withDeadline(ports.warehouse, ms, 'BigQuery').dryRun(request),
    credentials: [undefined],
    timeoutMs: options.queryTimeoutMs ?? ms,
    masking: { profiles: RIG_POLICY.maskingProfiles, key: async () => new Uint8Array(32).fill(7) },
    // Only the gateway's service token may invoke the executor.
    verifier: {
      async verify(token) {
        if (token !== 'service.gateway') throw new WardenError('unauthenticated', 'Not a service token.');
        return {
          subject: 'sa',
          issuer: 'https://idp',
          email: 'gateway@example.org',
          groups: [],
          actorChain: [],
        };
      },
    },
    invokers: ['gateway@example.org'],
    grants: {
      kmsKeyVersion: 'k/cryptoKeyVersions/1',
      kmsPublicKeyPem: () => ports.keys.getPublicKeyPem(),
      writers: ['gateway'],
      ledger: grantLedger,
      clock,
    },
    store,
    results,
    clock,
    executorId: 'executor-rig',
    resultTtlMs: 3_600_000,
    log: () => {},
  };
  const executor = settled(createExecutorHandler(executorDeps));
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

  // The real HTTP runner, its requests answered by the real executor handler in process.
  const runner = new HttpQueryRunner({
    url: 'https://executor.internal',
    audience: 'https://executor.internal',
    tokens: { idToken: async () => 'service.gateway' },
    grants: gatewayAudit,
    clock,
    timeoutMs: (options.queryTimeoutMs ?? ms) + 3 * ms,
    dryRunTimeoutMs: 3 * ms,
    fetch: inProcessFetch(executorHop),
  });
  const metadata = withDeadline(ports.warehouse, ms, 'BigQuery');

  const logs: { message: string; cause?: unknown }[] = [];
  const gatewayDeps: GatewayDeps = {
    approvals: {
      store,
      results,
      bus: withDeadline(ports.bus, ms, 'Pub/Sub'),
      audit: gatewayAudit,
      signer: gatewayAudit,
      clock,
      topics: { requested: 'approval-requested', decided: 'approval-decided' },
    },
    policy: RIG_POLICY,
    catalog: new TableCatalog({
      metadata: withDeadline(ports.warehouse, ms, 'BigQuery'),
      config: RIG_POLICY.classification,
      clock,
    }),
    analyzeSql: sqlFactsFor,
    clock,
    audit: gatewayAudit,
    metadata: options.dryRun === 'gateway' ? metadata : dryRunsThroughExecutor(metadata, runner),
    runner,
    verifier: verifier(),
    publicUrl: 'https://warden.example',
    allowedHosts: ['warden.example'],
    allowedOrigins: ['https://warden.example'],
    maxBodyBytes: 65_536,
    issuers: ['https://idp'],
    log: (message, cause) => void logs.push({ message, cause }),
    // As wire.ts with REQUEST_STATE_KMS_KEY_VERSION set: a 2026-07-28 client is asked for a missing reason.
    reasons: new ReasonAsker(keys, REQUEST_STATE_KEY_VERSION),
  };
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
