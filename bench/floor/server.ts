// The bare floor of an allowed execute_sql (bench/cpu-floor.ts): one process of a pair, `gateway` or
// `executor`, that does per call exactly the network and crypto protocol ARCHITECTURE.md asks of the two
// functions (service hop, two durable barriers, signed hash-chained records, signed one-time grants, the dry run
// as the executor's identity) and nothing else: node:http servers and keep-alive node:http clients,
// JSON.parse/stringify, node:crypto. No framework, MCP SDK, zod, SQL parser or Google client library; no
// policy, SQL analysis, masking or MCP validation (docs/performance.md lists what the floor leaves out).
//
//   node bench/floor/server.ts gateway|executor   (configuration in FLOOR_CONFIG, JSON; prints its port)
//
// FLOOR_CONFIG.mode: `full`; `no-crypto` (no ECDSA sign/verify, no SHA-256: fixed strings of the same length);
// `no-json` (no crypto, and every JSON body built or parsed once and then reused as fixed bytes: what is left is
// the HTTP and the kernel's loopback socket work, with the same requests and about the same bytes).

import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  sign,
  verify,
} from 'node:crypto';
import http from 'node:http';
import { crc32cBase64 } from '../../shared/core/crc32c.ts';

export type FloorMode = 'full' | 'no-crypto' | 'no-json';

export interface FloorConfig {
  mode: FloorMode;
  /** Base URLs: the Cloud Storage stand-in (JSON API), the BigQuery stand-in (…/bigquery/v2). */
  storageUrl: string;
  bigqueryUrl: string;
  /** host:port of the Firestore emulator. */
  firestoreHost: string;
  projectId: string;
  bucket: string;
  /** This process's audit stream (its own hash chain). */
  stream: string;
  /** The gateway: the executor's base URL, and the "KMS" private key (PEM) that certifies its instance key. */
  executorUrl?: string;
  kmsPrivateKeyPem?: string;
  /** The executor: the "KMS" public key (PEM) that certifies the gateway's instance key. */
  kmsPublicKeyPem?: string;
  /** Group-commit the gateway's response records: one object every this many calls (2 + 1/8 ≈ 2.12 objects). */
  groupEvery?: number;
}

const config = JSON.parse(process.env['FLOOR_CONFIG'] ?? '{}') as FloorConfig;
const role = process.argv[2];
const crypto = config.mode === 'full';
const json = config.mode !== 'no-json';
const agent = new http.Agent({ keepAlive: true });
const GRANT_TYPE = 'warden.execution-grant';
// A Google ID token for the service hop and an OAuth access token for BigQuery, of their usual sizes: both
// reused (Warden keeps a verified token, and a minted one until near expiry), so they cost no CPU per call.
const SERVICE_TOKEN = `eyJ${'s'.repeat(880)}`;
const ACCESS_TOKEN = `ya29.${'a'.repeat(250)}`;

// --- crypto: ECDSA P-256 over SHA-256, DER, base64 (shared/core/audit/signing-key.ts); SHA-256 hex hashes ----

const instance = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const FAKE_SIG = 'M'.repeat(96);
const FAKE_HASH = '0'.repeat(64);
const signBytes = (data: string): string =>
  crypto ? sign('sha256', Buffer.from(data), instance.privateKey).toString('base64') : FAKE_SIG;
const sha256 = (data: string | Buffer): string =>
  crypto ? createHash('sha256').update(data).digest('hex') : FAKE_HASH;

/** This instance's certificate: its public key, signed once at start by the "KMS" key (as KMS certifies it). */
function certificate(): { body: Record<string, string>; kmsSignature: string } {
  const body = {
    algorithm: 'ECDSA_P256_SHA256',
    kmsKeyVersion:
      'projects/demo-warden/locations/global/keyRings/warden/cryptoKeys/audit/cryptoKeyVersions/1',
    notBefore: new Date().toISOString(),
    publicKeyPem: instance.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    writer: role ?? '',
  };
  const kms = config.kmsPrivateKeyPem ? createPrivateKey(config.kmsPrivateKeyPem) : instance.privateKey;
  return { body, kmsSignature: sign('sha256', Buffer.from(JSON.stringify(body)), kms).toString('base64') };
}
const cert = certificate();

// --- JSON: built and parsed per call, or (no-json) once and then reused as fixed bytes ---------------------

const fixedOut = new Map<string, Buffer>();
const fixedIn = new Map<string, unknown>();
/** A body to send: JSON of `value()`, or with no-json the first one's bytes again. */
function out(key: string, value: () => unknown): Buffer {
  if (json) return Buffer.from(JSON.stringify(value()));
  let b = fixedOut.get(key);
  if (!b) {
    b = Buffer.from(JSON.stringify(value()));
    fixedOut.set(key, b);
  }
  return b;
}
/** A body received: parsed, or with no-json the first one's parse again. */
function inp<T>(key: string, body: Buffer): T {
  if (json) return JSON.parse(body.toString('utf8')) as T;
  if (!fixedIn.has(key)) fixedIn.set(key, JSON.parse(body.toString('utf8')));
  return fixedIn.get(key) as T;
}

// --- HTTP -----------------------------------------------------------------------------------------------

interface Answer {
  status: number;
  body: Buffer;
}
/** Requests and body bytes, in and out, for the report (GET /stats, read after the measured calls). */
const stats = {
  inbound: 0,
  inboundBytes: 0,
  answeredBytes: 0,
  outbound: 0,
  sentBytes: 0,
  receivedBytes: 0,
  /** Wall milliseconds waited on each kind of outbound request, summed. */
  waitMs: {} as Record<string, number>,
};
function request(what: string, url: string, body: Buffer, headers: Record<string, string>): Promise<Answer> {
  stats.outbound++;
  stats.sentBytes += body.length;
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { ...headers, 'content-length': String(body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const b = Buffer.concat(chunks);
          stats.receivedBytes += b.length;
          stats.waitMs[what] = (stats.waitMs[what] ?? 0) + performance.now() - t0;
          resolve({ status: res.statusCode ?? 0, body: b });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
async function postOk(
  what: string,
  url: string,
  body: Buffer,
  headers: Record<string, string>,
): Promise<Buffer> {
  const a = await request(what, url, body, headers);
  if (a.status !== 200)
    throw new Error(`${what} answered ${a.status}: ${a.body.toString('utf8').slice(0, 200)}`);
  return a.body;
}

function serve(handle: (path: string, body: Buffer) => Promise<Buffer>): void {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/stats') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(stats));
        return;
      }
      const body = Buffer.concat(chunks);
      stats.inbound++;
      stats.inboundBytes += body.length;
      handle(req.url ?? '', body).then(
        (answer) => {
          stats.answeredBytes += answer.length;
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length });
          res.end(answer);
        },
        (err: unknown) => {
          process.stderr.write(`floor ${role}: ${String(err)}\n`);
          const b = Buffer.from(JSON.stringify({ error: String(err).slice(0, 300) }));
          res.writeHead(500, { 'content-type': 'application/json', 'content-length': b.length });
          res.end(b);
        },
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
  });
}

// --- the audit trail: a hash chain per stream, each record signed, one object per write -----------------

let seq = 0;
let prev: string | null = null;
/** Chains and signs `events` (each one record) and returns the object's lines and its first sequence number. */
function chain(events: readonly (() => Record<string, unknown>)[]): { first: number; lines: string[] } {
  const first = seq;
  const lines = events.map((event) => {
    const body = {
      event: event(),
      prev,
      seq: seq++,
      stream: config.stream,
      time: new Date().toISOString(),
      v: 1,
    };
    const bytes = JSON.stringify(body);
    prev = sha256(bytes);
    return JSON.stringify({ ...body, sig: signBytes(bytes) });
  });
  return { first, lines };
}
const fixedObjects = new Map<string, { data: Buffer; crc: string }>();
/** Writes one create-only audit object (JSON API media upload, ifGenerationMatch=0, CRC32C checked) and waits. */
async function writeObject(key: string, events: readonly (() => Record<string, unknown>)[]): Promise<void> {
  let data: Buffer;
  let crc: string;
  let first: number;
  if (json) {
    const c = chain(events);
    first = c.first;
    data = Buffer.from(`${c.lines.join('\n')}\n`);
    crc = crc32cBase64(data);
  } else {
    first = seq;
    seq += events.length;
    let fixed = fixedObjects.get(key);
    if (!fixed) {
      const d = Buffer.from(`${chain(events).lines.join('\n')}\n`);
      fixed = { data: d, crc: crc32cBase64(d) };
      fixedObjects.set(key, fixed);
    }
    ({ data, crc } = fixed);
  }
  const name = `${config.stream}/${String(first).padStart(12, '0')}.jsonl`;
  const url = `${config.storageUrl}/upload/storage/v1/b/${config.bucket}/o?uploadType=media&ifGenerationMatch=0&name=${encodeURIComponent(name)}`;
  const answer = await postOk(`Cloud Storage insert (${key})`, url, data, {
    'content-type': 'application/x-ndjson',
    'x-goog-hash': `crc32c=${crc}`,
    authorization: `Bearer ${ACCESS_TOKEN}`,
  });
  const stored = inp<{ crc32c?: string }>(`stored-${key}`, answer);
  if (json && stored.crc32c !== crc) throw new Error('Cloud Storage stored other bytes than were sent');
}

// --- grants: the gateway signs what it decided; the executor verifies it (certificate once) ----------------

interface Grant {
  body: { type: string; v: number; request: Record<string, unknown>; issuedAt: string; expiresAt: string };
  signature: string;
  certificate: typeof cert;
}
function grantFor(request: Record<string, unknown>): Grant {
  const now = Date.now();
  const body = {
    type: GRANT_TYPE,
    v: 1,
    request,
    issuedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 60_000).toISOString(),
  };
  return { body, signature: signBytes(JSON.stringify(body)), certificate: cert };
}
const certified = new Set<string>();
function verifyGrant(grant: Grant, op: string): Grant['body'] {
  if (grant.body.type !== GRANT_TYPE || grant.body.request['op'] !== op)
    throw new Error('a grant of another kind');
  // (no-json reuses the first grant's parse, whose validity has long run out: there the check is left out.)
  if (json && Date.parse(grant.body.expiresAt) <= Date.now()) throw new Error('the grant has expired');
  if (!crypto) return grant.body;
  const certKey = `${grant.certificate.kmsSignature}\u0000${JSON.stringify(grant.certificate.body)}`;
  if (!certified.has(certKey)) {
    const kms = createPublicKey(config.kmsPublicKeyPem ?? '');
    const ok = verify(
      'sha256',
      Buffer.from(JSON.stringify(grant.certificate.body)),
      kms,
      Buffer.from(grant.certificate.kmsSignature, 'base64'),
    );
    if (!ok) throw new Error('the grant certificate is not KMS-signed');
    certified.add(certKey);
  }
  const key = gatewayKey(grant.certificate.body['publicKeyPem'] ?? '');
  if (!verify('sha256', Buffer.from(JSON.stringify(grant.body)), key, Buffer.from(grant.signature, 'base64')))
    throw new Error('the grant signature does not verify');
  return grant.body;
}
const keys = new Map<string, ReturnType<typeof createPublicKey>>();
function gatewayKey(pem: string): ReturnType<typeof createPublicKey> {
  let k = keys.get(pem);
  if (!k) {
    k = createPublicKey(pem);
    keys.set(pem, k);
  }
  return k;
}

// --- the gateway ---------------------------------------------------------------------------------------------

const PRINCIPAL = {
  subject: 'ann@example.org',
  email: 'ann@example.org',
  issuer: 'http://127.0.0.1/issuer',
  groups: ['analysts'],
  actors: [],
};
const DECISION = {
  effect: 'allow',
  rule: 'analysts-reference-data',
  policyVersion: 'sha256:4c1f0e9a7b2d',
  maskingProfile: 'default',
  reasons: ['analysts may read reference data'],
};

interface Facts {
  statementType: string;
  referencedTables: string[];
  totalBytesProcessed: string;
}
interface Released {
  jobId: string;
  schema: { name: string; type: string; mode?: string }[];
  rows: Record<string, unknown>[];
  truncated: boolean;
  maskedColumns: string[];
}

let calls = 0;
let pending: (() => Record<string, unknown>)[] = [];
let groupFailure: unknown;

async function gatewayCall(body: Buffer): Promise<Buffer> {
  if (groupFailure) throw groupFailure;
  const rpc = inp<{
    id: number;
    method: string;
    params: { name: string; arguments: { projectId: string; query: string } };
  }>('rpc', body);
  if (rpc.method !== 'tools/call' || rpc.params.name !== 'execute_sql') throw new Error('not execute_sql');
  const { projectId, query } = rpc.params.arguments;
  const requestId = randomUUID();
  const headers = { authorization: `Bearer ${SERVICE_TOKEN}`, 'content-type': 'application/json' };
  // The dry run, as the executor's identity: a signed dry-run grant.
  const facts = inp<Facts>(
    'facts',
    await postOk(
      'executor /dry-run',
      `${config.executorUrl}/dry-run`,
      out('dry-run-grant', () =>
        grantFor({ op: 'dry-run', requestId, projectId, sql: query, principal: PRINCIPAL }),
      ),
      headers,
    ),
  );
  // The intent barrier: the request and its decision, durable before the query runs.
  await writeObject('intent', [
    () => ({
      type: 'request',
      requestId,
      principal: PRINCIPAL,
      tool: 'execute_sql',
      projectId,
      sql: query,
      referencedTables: facts.referencedTables,
    }),
    () => ({
      type: 'decision',
      requestId,
      decision: DECISION,
      statementType: facts.statementType,
      totalBytesProcessed: facts.totalBytesProcessed,
    }),
  ]);
  const released = inp<Released>(
    'released',
    await postOk(
      'executor /execute',
      `${config.executorUrl}/execute`,
      out('execute-grant', () =>
        grantFor({
          op: 'execute',
          requestId,
          projectId,
          sql: query,
          principal: PRINCIPAL,
          decision: DECISION,
          facts,
        }),
      ),
      headers,
    ),
  );
  if (!released.rows.length) throw new Error('no rows came back');
  const answer = out('answer', () => {
    const structured = {
      status: 'done',
      requestId,
      statementType: facts.statementType,
      referencedTables: facts.referencedTables,
      totalBytesProcessed: facts.totalBytesProcessed,
      dryRun: false,
      jobId: released.jobId,
      schema: released.schema,
      rows: released.rows,
      truncated: released.truncated,
    };
    return {
      jsonrpc: '2.0',
      id: rpc.id,
      result: {
        content: [{ type: 'text', text: JSON.stringify(structured) }],
        structuredContent: structured,
      },
    };
  });
  // The response record, group-committed: written without holding the call, one object every few calls.
  const responseHash = sha256(answer);
  pending.push(() => ({ type: 'response', requestId, responseHash, rows: released.rows.length }));
  if (++calls % (config.groupEvery ?? 8) === 0) {
    const batch = pending;
    pending = [];
    writeObject('group', batch).catch((err: unknown) => {
      groupFailure = err;
    });
  }
  return answer;
}

// --- the executor --------------------------------------------------------------------------------------------

const bigquery = `${config.bigqueryUrl}/projects/${config.projectId}`;
const bqHeaders = { authorization: `Bearer ${ACCESS_TOKEN}`, 'content-type': 'application/json' };
let ledgerN = 0;

async function dryRun(body: Buffer): Promise<Buffer> {
  const grant = verifyGrant(inp<Grant>('dry-run-grant', body), 'dry-run');
  const sql = String(grant.request['sql']);
  const job = inp<{
    statistics?: {
      totalBytesProcessed?: string;
      query?: {
        statementType?: string;
        referencedTables?: { projectId: string; datasetId: string; tableId: string }[];
      };
    };
  }>(
    'bq-dry-run',
    await postOk(
      'BigQuery dry run',
      `${bigquery}/jobs`,
      out('bq-dry-run', () => ({
        configuration: { dryRun: true, query: { query: sql, useLegacySql: false } },
      })),
      bqHeaders,
    ),
  );
  return out('facts', () => {
    const q = job.statistics?.query;
    if (!q?.statementType) throw new Error('the dry run gave no statement type');
    return {
      statementType: q.statementType,
      referencedTables: (q.referencedTables ?? []).map((t) => `${t.projectId}.${t.datasetId}.${t.tableId}`),
      totalBytesProcessed: job.statistics?.totalBytesProcessed ?? '0',
    };
  });
}

async function execute(body: Buffer): Promise<Buffer> {
  const grant = verifyGrant(inp<Grant>('execute-grant', body), 'execute');
  const requestId = String(grant.request['requestId']);
  const sql = String(grant.request['sql']);
  // The grant ledger: a grant runs at most once (createDocument answers 409 for a second create).
  const docId = crypto ? sha256(requestId) : `${process.pid}-${ledgerN++}`.padStart(64, '0');
  const ledger = await request(
    'Firestore createDocument',
    `http://${config.firestoreHost}/v1/projects/${config.projectId}/databases/(default)/documents/floorGrants?documentId=${docId}`,
    out('ledger', () => ({
      fields: {
        expiresAt: { timestampValue: String(grant.expiresAt) },
        usedAt: { timestampValue: new Date().toISOString() },
      },
    })),
    { authorization: 'Bearer owner', 'content-type': 'application/json' },
  );
  if (ledger.status !== 200) throw new Error(`the grant ledger answered ${ledger.status}`);
  inp('ledger', ledger.body);
  const result = inp<{
    jobReference?: { jobId?: string };
    schema?: { fields?: { name: string; type: string; mode?: string }[] };
    rows?: { f: { v: unknown }[] }[];
    totalBytesProcessed?: string;
  }>(
    'bq-query',
    await postOk(
      'BigQuery jobs.query',
      `${bigquery}/queries`,
      out('bq-query', () => ({ query: sql, useLegacySql: false, maxResults: 1001, requestId: randomUUID() })),
      bqHeaders,
    ),
  );
  const answer = out('released', () => {
    const fields = result.schema?.fields ?? [];
    const rows = (result.rows ?? []).map((r) =>
      Object.fromEntries(fields.map((f, i) => [f.name, r.f[i]?.v ?? null])),
    );
    return {
      jobId: result.jobReference?.jobId ?? '',
      schema: fields.map((f) => ({ name: f.name, type: f.type, ...(f.mode ? { mode: f.mode } : {}) })),
      rows,
      truncated: false,
      maskedColumns: [],
    };
  });
  // The release barrier: what was released, durable before the rows leave.
  await writeObject('release', [
    () => ({
      type: 'execution',
      requestId,
      jobId: result.jobReference?.jobId ?? '',
      totalBytesProcessed: result.totalBytesProcessed ?? '0',
      principal: PRINCIPAL,
    }),
    () => ({
      type: 'release',
      requestId,
      rows: result.rows?.length ?? 0,
      maskedColumns: [],
      responseHash: sha256(answer),
    }),
  ]);
  return answer;
}

if (role === 'gateway')
  serve(async (path, body) => {
    if (path !== '/mcp') throw new Error(`no route ${path}`);
    return gatewayCall(body);
  });
else if (role === 'executor')
  serve(async (path, body) => {
    if (path === '/dry-run') return dryRun(body);
    if (path === '/execute') return execute(body);
    throw new Error(`no route ${path}`);
  });
else throw new Error('usage: node bench/floor/server.ts gateway|executor');
