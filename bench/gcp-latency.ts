// The Google Cloud latency model of `npm run bench -- gateway --gcp-latency`: a p50 and p99 per call kind of the
// stand-ins, emulators and hops (standins/latency.ts draws log-normal delays from them), each figure with its
// source, and the floor: what an allowed execute_sql must wait for on Google Cloud however lean Warden is.
//
// Google publishes no latency figures (no SLO, no percentile) for any of these calls; the sources below are
// measurements that users and Google engineers reported in public issue threads, and where none was found the
// figure is an assumption, marked as one. docs/performance.md lists the same table.

import { Rng } from '../dev/synthetic/prng.ts';
import { type LatencyProfile, type LatencySpec, logNormalAt, standardNormal } from '../standins/latency.ts';

/** One modelled call kind: its figures and where they come from. */
export interface ModelledCall extends LatencySpec {
  source: string;
}

/** Call kinds of the local stack (dev/stack.ts, the stand-ins' `callKindOf`) with Google Cloud figures. */
export const GCP_CALLS: Readonly<Record<string, ModelledCall>> = {
  // Cloud Storage, one small object insert (an audit object is about 1–3 KB). google-cloud-cpp PR #3321
  // (a Google engineer, 2020): 100 successive updates of one object, median 78 ms, mean 130 ms.
  // googleapis/nodejs-storage#2210: two small `file.save()` calls from GKE at low volume, 150–250 ms together.
  // Issue 22 of this project: "about 60 ms at p50". Assumed p50 70 ms; p99 300 ms (the mean of 130 ms over a
  // median of 78 ms says the tail is long).
  'storage.write': {
    p50Ms: 70,
    p99Ms: 300,
    source: 'google-cloud-cpp#3321 (median 78 ms); nodejs-storage#2210; issue 22 (about 60 ms)',
  },
  // Reads, listings and metadata are off the hot path (the functions read the policy and sealed keys once per
  // instance). No figure found; assumed.
  'storage.read': { p50Ms: 40, p99Ms: 150, source: 'assumed (no published figure found)' },
  'storage.list': { p50Ms: 50, p99Ms: 200, source: 'assumed (no published figure found)' },
  'storage.metadata': { p50Ms: 30, p99Ms: 120, source: 'assumed (no published figure found)' },
  // BigQuery dry run (jobs.insert with dryRun: the query is planned, no slots run). No published or reported
  // figure found; assumed a third of a small jobs.query.
  'bigquery.dryRun': { p50Ms: 150, p99Ms: 500, source: 'assumed (no published figure found)' },
  // BigQuery jobs.query of a small SELECT, client reused. googleapis/nodejs-bigquery#1383 (a maintainer, 2024):
  // "queries takes around 500ms" from Brazil to the US multi-region with the client reused; within a region a
  // little less. Assumed p50 400 ms, p99 1.5 s (slot scheduling; no percentile published).
  'bigquery.query': {
    p50Ms: 400,
    p99Ms: 1500,
    source: 'nodejs-bigquery#1383 (about 500 ms, Brazil to US); p99 assumed',
  },
  'bigquery.getQueryResults': { p50Ms: 100, p99Ms: 400, source: 'assumed (no published figure found)' },
  'bigquery.jobs.insert': { p50Ms: 300, p99Ms: 1000, source: 'assumed (no published figure found)' },
  'bigquery.jobs.get': { p50Ms: 60, p99Ms: 200, source: 'assumed (no published figure found)' },
  // Table metadata (tables.get): the gateway and executor cache it per instance, so it is off the hot path.
  'bigquery.tables.get': { p50Ms: 60, p99Ms: 200, source: 'assumed (no published figure found)' },
  'bigquery.other': { p50Ms: 60, p99Ms: 200, source: 'assumed (no published figure found)' },
  // Firestore commit of one document create (the executor's grant ledger, on the hot path; approvals).
  // googleapis/google-cloud-dotnet#5333 (a maintainer, 2020, Cloud Run in europe-west1, Firestore in Datastore
  // mode): inserts 24–55 ms, median about 48 ms; lookups 14–24 ms. googleapis/google-cloud-dotnet#3182: p99
  // "over 200ms" for reads and writes from GKE.
  'firestore.commit': {
    p50Ms: 45,
    p99Ms: 200,
    source: 'google-cloud-dotnet#5333 (inserts 24–55 ms); google-cloud-dotnet#3182 (p99 over 200 ms)',
  },
  'firestore.read': {
    p50Ms: 18,
    p99Ms: 150,
    source: 'google-cloud-dotnet#5333 (lookups 14–24 ms); google-cloud-dotnet#3182 (p99 over 200 ms)',
  },
  'firestore.beginTransaction': { p50Ms: 18, p99Ms: 150, source: 'assumed as a Firestore read' },
  // Pub/Sub publish of one message (approval events, off the allowed hot path). googleapis/nodejs-pubsub#93
  // (the Pub/Sub product manager, 2018): "a latency that is somewhere between 10ms and 100ms" because a
  // publish is replicated across zones before it is acknowledged; googleapis/nodejs-pubsub#96: "most publish
  // requests take fewer than 100ms"; googleapis/nodejs-pubsub#397: 50–100 ms after the first.
  'pubsub.publish': {
    p50Ms: 50,
    p99Ms: 200,
    source: 'nodejs-pubsub#93 (10–100 ms), #96 (most under 100 ms), #397 (50–100 ms)',
  },
  'pubsub.other': { p50Ms: 30, p99Ms: 150, source: 'assumed (no published figure found)' },
  // One HTTP hop to a Cloud Run service (Cloud Run functions are Cloud Run services) from the same region,
  // front end included: the client to the gateway, and the gateway to the executor. ahmetb/cloud-run-faq#174
  // (2024): 20 ms round trip measured by a client in us-west1 for 1 ms of processing;
  // GoogleCloudPlatform/esp-v2#237 (2020): ESPv2 on Cloud Run to a Cloud Run backend, median about 25 ms,
  // most under 40 ms.
  'run.hop': {
    p50Ms: 20,
    p99Ms: 60,
    source: 'cloud-run-faq#174 (20 ms round trip); esp-v2#237 (median about 25 ms)',
  },
  // Cloud KMS: the gateway and executor call it once per instance (key certification, credential and masking
  // key decryption) and for a digest per 1,000 objects or per interval; never per call. No figure found.
  'kms.AsymmetricSign': { p50Ms: 40, p99Ms: 150, source: 'assumed (no published figure found)' },
  'kms.Decrypt': { p50Ms: 25, p99Ms: 100, source: 'assumed (no published figure found)' },
  'kms.Encrypt': { p50Ms: 25, p99Ms: 100, source: 'assumed (no published figure found)' },
  'kms.GetPublicKey': { p50Ms: 25, p99Ms: 100, source: 'assumed (no published figure found)' },
  'kms.MacSign': { p50Ms: 25, p99Ms: 100, source: 'assumed (no published figure found)' },
  'kms.MacVerify': { p50Ms: 25, p99Ms: 100, source: 'assumed (no published figure found)' },
  'kms.GetCryptoKey': { p50Ms: 25, p99Ms: 100, source: 'assumed (no published figure found)' },
  'kms.GetCryptoKeyVersion': { p50Ms: 25, p99Ms: 100, source: 'assumed (no published figure found)' },
};

/** The profile the stack's latency model takes (figures only). */
export const GCP_PROFILE: LatencyProfile = Object.fromEntries(
  Object.entries(GCP_CALLS).map(([kind, { p50Ms, p99Ms }]) => [kind, { p50Ms, p99Ms }]),
);

/**
 * What an allowed execute_sql waits for on Google Cloud that a direct jobs.query does not, in order: the hop
 * to the gateway, the hop to the executor for the dry run (DRY_RUN=executor, the default), the dry run, the
 * intent barrier (one audit object), the hop to the executor, its grant-ledger commit, the release barrier (one
 * audit object). The query itself is in both paths.
 */
export const CRITICAL_PATH = [
  'run.hop',
  'run.hop',
  'bigquery.dryRun',
  'storage.write',
  'run.hop',
  'firestore.commit',
  'storage.write',
] as const;

/** The floor: the two audit barriers and the one dry run. */
export const BARRIERS_AND_DRY_RUN = ['bigquery.dryRun', 'storage.write', 'storage.write'] as const;

/** Sum of the p50s of `kinds` in `profile`. */
export function sumOfP50s(profile: LatencyProfile, kinds: readonly string[]): number {
  return kinds.reduce((sum, kind) => sum + (profile[kind]?.p50Ms ?? 0), 0);
}

/**
 * p50 of the sum of `kinds`' delays, by sampling the model: the added time, net of the query, that a Warden
 * costing nothing itself would show at one call in flight. Higher than the sum of p50s, since the median of a
 * sum of right-skewed delays exceeds the sum of their medians.
 */
export function sampledFloorP50(
  profile: LatencyProfile,
  kinds: readonly string[],
  samples = 20_000,
  seed = 'floor',
): number {
  const rng = new Rng(seed);
  const next = () => rng.next();
  const sums: number[] = [];
  for (let i = 0; i < samples; i++) {
    let sum = 0;
    for (const kind of kinds) {
      const spec = profile[kind];
      if (spec) sum += logNormalAt(spec, standardNormal(next));
    }
    sums.push(sum);
  }
  return sums.sort((a, b) => a - b)[Math.floor(samples / 2)] ?? 0;
}
