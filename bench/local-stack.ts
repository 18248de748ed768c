// The local stack for the benchmarks: started once per `npm run bench` (as emulator-tests/harness.ts does),
// with development tokens, the gateway's environment (for extra gateway processes) and audit-bucket counts.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Stack, startStack } from '../dev/stack.ts';
import { createStorageClient } from '../shared/adapters/clients.ts';
import type { Latency } from '../standins/latency.ts';
import { freePortBlock } from '../standins/net.ts';
import { loadIssuerKey, mintToken, personClaims } from '../standins/oidc/dev-issuer.ts';

/** Synthetic patients in the bench dataset (small: start-up stays fast; the bench queries are small). */
export const BENCH_PATIENTS = 200;

export interface BenchStack {
  stack: Stack;
  /** Milliseconds startStack took (emulators, stand-ins, data, functions). */
  startMs: number;
  /** A development ID token for a person (audience: the stack's gateway unless given). */
  token(email: string, groups: string[], audience?: string): Promise<string>;
  /** The environment the local stack gives the gateway, for a gateway listening on `port`. */
  gatewayEnv(port: number): Record<string, string>;
  /** Objects, bytes, records and streams in the audit bucket now. */
  auditCounts(): Promise<AuditCounts>;
  stop(): Promise<void>;
}

export interface AuditCounts {
  /** Every object in the bucket (record objects and digests): each was one Cloud Storage insert. */
  objects: number;
  /** Digest objects; each digest was signed by one KMS AsymmetricSign. */
  digests: number;
  /** Bytes of the record objects. */
  recordBytes: number;
  /** Records in every stream (from each stream's last object: its first sequence number plus its lines). */
  records: number;
  /** Streams; each opens with a stream.start record whose certificate cost one KMS AsymmetricSign. */
  streams: number;
}

/**
 * Starts the local stack on free ports with a temporary state directory; with `latency`, every dependency of the
 * functions answers after its modelled delay (`npm run bench -- --gcp-latency`, bench/gcp-latency.ts).
 */
export async function startBenchStack(
  log: (line: string) => void = () => {},
  options: { latency?: Latency; functionsDir?: string } = {},
): Promise<BenchStack> {
  const stateDir = mkdtempSync(join(tmpdir(), 'warden-bench-'));
  const t0 = performance.now();
  let stack: Stack;
  try {
    stack = await startStack({
      stateDir,
      portBase: await freePortBlock(),
      patients: BENCH_PATIENTS,
      seed: 'bench',
      log,
      ...(options.latency ? { latency: options.latency } : {}),
      // The deployable bundles (dist/functions), as Cloud Functions runs them, instead of the sources.
      ...(options.functionsDir ? { functionsDir: options.functionsDir } : {}),
    });
  } catch (err) {
    rmSync(stateDir, { recursive: true, force: true });
    throw err;
  }
  const startMs = Math.round(performance.now() - t0);
  const info = stack.info;
  const key = await loadIssuerKey(info.stateDir);
  const bucket = (await createStorageClient(info.projectId, info.endpoints.storage)).bucket(info.auditBucket);

  return {
    stack,
    startMs,
    token: (email, groups, audience = info.audience) =>
      mintToken(key, info.issuer, personClaims({ email, groups, audience }), 3600),
    gatewayEnv: (port) => {
      // The environment the stack gave its gateway process (Linux /proc), re-pointed at `port`.
      const oldPort = new URL(info.gatewayUrl).port;
      const running = environOf(functionPid(oldPort));
      if (running) {
        const env: Record<string, string> = {};
        for (const [k, v] of Object.entries(running)) {
          if (k === 'PATH' || k === 'HOME' || k === 'NODE_ENV') continue;
          env[k] = v
            .replaceAll(`127.0.0.1:${oldPort}`, `127.0.0.1:${port}`)
            .replaceAll(`localhost:${oldPort}`, `localhost:${port}`);
        }
        return env;
      }
      // Elsewhere: what dev/stack.ts passes to its gateway, rebuilt from the executor's environment.
      const e = stack.executorEnv;
      const pick = (...keys: string[]) =>
        Object.fromEntries(keys.filter((k) => e[k] !== undefined).map((k) => [k, e[k]!]));
      return {
        ...pick(
          'PROJECT_ID',
          'AUDIT_BUCKET',
          'RESULTS_BUCKET',
          'AUDIT_KMS_KEY_VERSION',
          'AUDIT_DIGEST_INTERVAL_SECONDS',
          'KMS_API_ENDPOINT',
          'STORAGE_API_ENDPOINT',
          'BIGQUERY_API_ENDPOINT',
          'FIRESTORE_EMULATOR_HOST',
          'PUBSUB_EMULATOR_HOST',
          'POLICY_PATH',
        ),
        GCE_METADATA_HOST: info.gatewayMetadataHost,
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        ALLOWED_HOSTS: `127.0.0.1:${port},localhost:${port}`,
        ALLOWED_ORIGINS: `http://127.0.0.1:${port},http://localhost:${port}`,
        OIDC_ISSUERS: info.issuer,
        EXECUTOR_URL: info.executorUrl,
      };
    },
    auditCounts: async () => {
      const [files] = await bucket.getFiles({ autoPaginate: true });
      const lastOfStream = new Map<string, { name: string; firstSeq: number }>();
      let recordBytes = 0;
      let digests = 0;
      for (const f of files) {
        if (f.name.includes('/digests/')) digests++;
        // <prefix>streams/[YYYY/MM/DD/HH/]<stream>/<first seq>.jsonl (shared/core/audit/layout.ts)
        const m = /\/streams\/(?:.*\/)?([^/]+)\/(\d{12})\.jsonl$/.exec(f.name);
        if (!m) continue;
        recordBytes += Number(f.metadata.size ?? 0);
        const firstSeq = Number(m[2]);
        const prev = lastOfStream.get(m[1]!);
        if (!prev || firstSeq > prev.firstSeq) lastOfStream.set(m[1]!, { name: f.name, firstSeq });
      }
      let records = 0;
      for (const last of lastOfStream.values()) {
        const [data] = await bucket.file(last.name).download();
        records += last.firstSeq + data.toString('utf8').trim().split('\n').length;
      }
      return { objects: files.length, digests, recordBytes, records, streams: lastOfStream.size };
    },
    stop: async () => {
      await stack.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** The pid of the functions-framework process listening on `port` (Linux), if found. */
export function functionPid(port: string): number | undefined {
  if (!existsSync('/proc')) return undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.includes(`--port=${port}`)) return Number(entry);
    } catch {
      // gone, or not ours to read
    }
  }
  return undefined;
}

/** User + system CPU milliseconds a process has used so far (Linux /proc, clock ticks of 10 ms). */
export function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3; utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/** A process's environment (Linux /proc), if readable. */
function environOf(pid: number | undefined): Record<string, string> | undefined {
  if (pid === undefined) return undefined;
  try {
    const env: Record<string, string> = {};
    for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
      const i = entry.indexOf('=');
      if (i > 0) env[entry.slice(0, i)] = entry.slice(i + 1);
    }
    return env;
  } catch {
    return undefined;
  }
}
