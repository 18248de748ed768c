// The executor's HTTP handler: only the gateway's service account may call it; it runs allowed queries.

import type { Request, Response } from '@google-cloud/functions-framework';
import { z } from 'zod';
import { executionRefusedEvent } from '../../shared/core/audit/events.ts';
import { WardenError } from '../../shared/core/errors.ts';
import { type GrantAuthority, verifyGrant } from '../../shared/core/execution/grant.ts';
import { handleJob, type JobDeps } from '../../shared/core/execution/jobs.ts';
import { type RunQueryDeps, runAllowedQuery } from '../../shared/core/execution/run-query.ts';
import { EFFECTS } from '../../shared/core/policy/document.ts';
import type { QueryFacts } from '../../shared/core/query/facts.ts';
import { toWireError } from '../../shared/mcp/to-wire-error.ts';
import type { Clock } from '../../shared/ports/clock.ts';
import type { GrantLedger } from '../../shared/ports/grant-ledger.ts';
import type { DryRunRequest, ExecutionRequest, JobRequest } from '../../shared/ports/query-runner.ts';
import type { TokenVerifier } from '../../shared/ports/token-verifier.ts';
import type { QueryRequest } from '../../shared/ports/warehouse.ts';

/** What the executor trusts a grant by (docs/identity.md, "Who can cause what to run"). */
export interface GrantCheck extends GrantAuthority {
  /** Grants used before, on any instance. */
  ledger: GrantLedger;
  clock: Clock;
}

export interface ExecutorDeps extends RunQueryDeps, JobDeps {
  verifier: TokenVerifier;
  invokers: string[];
  grants: GrantCheck;
  /**
   * A BigQuery dry run as the query identity (POST /dry-run, for the gateway's policy): it must set `dryRun`,
   * so no job runs and no row is read (BigQuery: "If set, don't actually run this job").
   */
  dryRun: (request: QueryRequest) => Promise<QueryFacts>;
  log: (message: string, cause?: unknown) => void;
}

const Principal = z.object({
  subject: z.string(),
  issuer: z.string(),
  email: z.string().optional(),
  groups: z.array(z.string()),
  actorChain: z.array(
    z.object({ subject: z.string(), issuer: z.string().optional(), email: z.string().optional() }),
  ),
  onBehalfOf: z
    .object({
      subject: z.string(),
      issuer: z.string(),
      email: z.string().optional(),
      groups: z.array(z.string()),
    })
    .optional(),
});

/** A job request (POST /job): `op: "job"` is required, so an execution grant never passes for one. */
const JobRequestSchema: z.ZodType<JobRequest> = z.object({
  op: z.literal('job'),
  requestId: z.string().min(1).max(200),
  principal: Principal,
  action: z.enum(['get', 'cancel']),
  job: z.object({
    projectId: z.string().min(1).max(1024),
    jobId: z.string().min(1).max(1024),
    location: z.string().min(1).max(100).optional(),
  }),
});

const Params = z
  .array(
    z.object({
      name: z.string(),
      type: z.string(),
      value: z.union([z.string(), z.number(), z.boolean(), z.null()]),
    }),
  )
  .optional();

/** A dry-run request (POST /dry-run): `op: "dry-run"` is required, and no other endpoint accepts it. */
const DryRunRequestSchema: z.ZodType<DryRunRequest> = z.object({
  op: z.literal('dry-run'),
  requestId: z.string().min(1).max(200),
  projectId: z.string().min(1).max(1024),
  sql: z.string().min(1),
  params: Params,
  location: z.string().min(1).max(100).optional(),
});

const Table = z.object({ projectId: z.string(), datasetId: z.string(), tableId: z.string() });
// Typed as the port's ExecutionRequest, so the wire schema and the types it feeds (Decision, QueryFacts,
// Principal) cannot drift apart without a compile error.
// An execution request has no `op`: a job or dry-run grant (which has one) never passes for it.
const ExecutionRequestSchema: z.ZodType<ExecutionRequest> = z.object({
  op: z.undefined().optional(),
  requestId: z.string().min(1).max(200),
  principal: Principal,
  projectId: z.string().min(1),
  sql: z.string().min(1),
  params: Params,
  decision: z.object({
    effect: z.enum(EFFECTS),
    rule: z.string(),
    reasons: z.array(z.string()),
    policyVersion: z.string(),
    rowLimit: z.number().int().positive(),
    cellLimit: z.number().int().positive(),
    byteLimit: z.number().int().positive(),
    maximumBytesBilled: z.number().int().positive(),
    maskingProfile: z.string(),
    touchesPhi: z.boolean(),
    phiClasses: z.array(z.string()),
    analysis: z.literal('partial').optional(),
    credential: z.string().optional(),
    approval: z
      .object({
        groups: z.array(z.string()),
        quorum: z.number(),
        ttlSeconds: z.number(),
        reasonRequired: z.boolean(),
      })
      .optional(),
  }),
  facts: z.object({
    statementType: z.string(),
    referencedTables: z.array(Table),
    totalBytesProcessed: z.string(),
  }),
});

/** Builds the `executor` HTTP function. */
export function createExecutorHandler(deps: ExecutorDeps): (req: Request, res: Response) => Promise<void> {
  return async (req, res) => {
    const path = req.path.replace(/\/+$/, '') || '/';
    if (req.method === 'GET' && path === '/healthz') return void res.json({ status: 'ok' });
    if (req.method !== 'POST' || (path !== '/execute' && path !== '/job' && path !== '/dry-run'))
      return void res.status(404).json({ error: { kind: 'not_found', message: 'not found' } });
    // The request id a grant claims, for logs and the refusal record only: nothing is trusted before it verifies.
    const claimed = req.body?.grant?.body?.request?.requestId ?? req.body?.requestId;
    const requestId = typeof claimed === 'string' ? claimed.slice(0, 200) : 'unknown';
    try {
      await authorizeCaller(deps, req.get('authorization'));
      const result =
        path === '/job'
          ? await handleJob(deps, await verifiedRequest(deps, req.body?.grant, requestId, JobRequestSchema))
          : path === '/dry-run'
            ? await dryRun(deps, await verifiedRequest(deps, req.body?.grant, requestId, DryRunRequestSchema))
            : await runAllowedQuery(
                deps,
                await verifiedRequest(deps, req.body?.grant, requestId, ExecutionRequestSchema),
              );
      res.json({ result });
    } catch (err) {
      deps.log(`${path === '/dry-run' ? 'dry run' : 'execution'} for request ${requestId} failed`, err);
      const wire = toWireError(err, requestId);
      const kind = err instanceof WardenError ? err.kind : 'internal';
      res.status(wire.httpStatus).json({ error: { kind, message: wire.message } });
    }
  };
}

/**
 * The dry run a dry-run grant asks for, as the executor's default query identity: only the facts the gateway's
 * policy needs (statement type, referenced tables, bytes), never a row. The gateway records them in its
 * `policy.decision`, as it does for its own dry runs.
 */
async function dryRun(deps: ExecutorDeps, request: DryRunRequest): Promise<QueryFacts> {
  const facts = await deps.dryRun({
    projectId: request.projectId,
    sql: request.sql,
    ...(request.params ? { params: request.params } : {}),
    ...(request.location ? { location: request.location } : {}),
  });
  return {
    statementType: facts.statementType,
    referencedTables: facts.referencedTables.map((t) => ({
      projectId: t.projectId,
      datasetId: t.datasetId,
      tableId: t.tableId,
    })),
    totalBytesProcessed: facts.totalBytesProcessed,
  };
}

/**
 * The request a grant carries, once the grant verifies back to the KMS key, is current, and was not used
 * before; a refused grant is audited (`execution.refused`) and runs nothing. A dry-run grant skips the
 * used-once ledger: it runs no job and releases no row, and its request id is the one the execution grant of
 * the same request will use.
 */
async function verifiedRequest<T extends { requestId: string; op?: string }>(
  deps: ExecutorDeps,
  grant: unknown,
  requestId: string,
  schema: z.ZodType<T>,
): Promise<T> {
  const g = deps.grants;
  try {
    const now = g.clock.now();
    const body = verifyGrant(grant, {
      kmsKeyVersion: g.kmsKeyVersion,
      kmsPublicKeyPem: await g.kmsPublicKeyPem(),
      writers: g.writers,
      now,
    });
    const parsed = schema.safeParse(body.request);
    if (!parsed.success) throw new WardenError('invalid_argument', 'The execution request is not valid.');
    if (
      parsed.data.op !== 'dry-run' &&
      !(await g.ledger.useOnce(parsed.data.requestId, new Date(body.expiresAt)))
    )
      throw new WardenError('forbidden', 'The execution grant was used before.');
    return parsed.data;
  } catch (err) {
    if (err instanceof WardenError && (err.kind === 'forbidden' || err.kind === 'invalid_argument'))
      await deps.audit.append(
        executionRefusedEvent({ requestId, error: { kind: err.kind, message: err.message } }),
      );
    throw err;
  }
}

async function authorizeCaller(deps: ExecutorDeps, header: string | undefined): Promise<void> {
  const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
  if (!token) throw new WardenError('unauthenticated', 'The executor requires a service ID token.');
  const caller = await deps.verifier.verify(token);
  if (!caller.email || !deps.invokers.includes(caller.email))
    throw new WardenError('forbidden', 'This caller may not invoke the executor.');
}
