// Port: the gateway's way to have the executor run an allowed query (service-to-service HTTPS).

import type { Principal } from '../core/identity/principal.ts';
import type { Decision } from '../core/policy/policy.ts';
import type { QueryFacts } from '../core/query/facts.ts';
import type { JobInfo, JobRef, QueryParameter, QueryResult } from './warehouse.ts';

/** Everything the executor needs to run and audit one allowed query. */
export interface ExecutionRequest {
  requestId: string;
  principal: Principal;
  projectId: string;
  sql: string;
  params?: QueryParameter[];
  decision: Decision;
  facts: QueryFacts;
}

/** A look at, or the cancellation of, a BigQuery job Warden ran (get_job, cancel_job, get_query_results). */
export interface JobRequest {
  /** Tells a job grant from an execution grant: neither verifies as the other. */
  op: 'job';
  /** This call's id (a grant is used once). */
  requestId: string;
  principal: Principal;
  action: 'get' | 'cancel';
  job: JobRef;
}

/**
 * A dry run the executor makes for the gateway's policy, as the query identity (which may read the tables the
 * query names: the gateway's own roles are metadata only, and BigQuery requires data access for dry runs too).
 * `op: "dry-run"` is required, so a dry-run grant can never pass for an execution or a job grant.
 */
export interface DryRunRequest {
  op: 'dry-run';
  /** The Warden request the dry run is for (its refusal, if any, is recorded under it). */
  requestId: string;
  projectId: string;
  sql: string;
  params?: QueryParameter[];
  location?: string;
}

/** What a caller learns of one of its jobs: no labels, but the Warden request that ran it; `error` masked. */
export type ReleasedJob = Omit<JobInfo, 'labels'> & { requestId?: string };

/** Runs an allowed query; the result is already masked. */
export interface QueryRunner {
  run(request: ExecutionRequest): Promise<QueryResult>;
  /**
   * The dry run's facts (statement type, referenced tables, bytes): the executor runs no job for it. Optional:
   * only a gateway with `DRY_RUN=executor` calls it (through `dryRunsThroughExecutor`).
   */
  dryRun?(request: DryRunRequest): Promise<QueryFacts>;
  /** A job the executor ran for this principal (owner-checked by the executor); `not_found` otherwise. */
  job(request: JobRequest): Promise<ReleasedJob>;
  /**
   * The request-independent part of a first call, for an instance's warm-up (shared/adapters/warm-up.ts): for
   * the executor hop, its service ID token. Optional; a failure caches nothing.
   */
  warmUp?(): Promise<unknown>;
}
