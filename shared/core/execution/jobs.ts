// The executor's view of a job it ran (get_job, cancel_job, get_query_results): BigQuery lets a job's creator
// read and cancel it, so only the executor can; it answers only the principal the job was run for (the job's
// `warden-principal` label), and releases the job's state and statistics, never its query text or rows.

import { type AuditAppender, deferRecord } from '../../ports/audit-appender.ts';
import type { JobRequest, ReleasedJob } from '../../ports/query-runner.ts';
import type { JobInfo, WarehouseJobs } from '../../ports/warehouse.ts';
import { auditPrincipal, jobEvent } from '../audit/events.ts';
import { isWardenError, WardenError } from '../errors.ts';
import { maskFreeText } from '../masking/free-text.ts';
import { principalLabel } from './run-query.ts';

export interface JobDeps {
  audit: AuditAppender;
  /** The executor's identities, as their job controls: the primary (undefined) and every named one. */
  jobs: (credential?: string) => Promise<WarehouseJobs>;
  /** The names of the identities a job may have run as: undefined is the primary. */
  credentials: readonly (string | undefined)[];
}

/**
 * Finds the job under each identity the executor has, answers it only to the principal it was run for
 * (anyone else, and a job Warden did not run, get the same `not_found`), and cancels it when asked: the
 * `job.cancel` record is durable before the cancellation is sent.
 */
export async function handleJob(deps: JobDeps, req: JobRequest): Promise<ReleasedJob> {
  await deps.audit.ready?.();
  const owner = principalLabel(req.principal);
  const common = { requestId: req.requestId, principal: auditPrincipal(req.principal), jobId: req.job.jobId };
  for (const credential of deps.credentials) {
    let info: JobInfo;
    try {
      info = await (await deps.jobs(credential)).getJob(req.job);
    } catch (err) {
      // Another identity's job is not this one's to see: BigQuery says not found or access denied.
      if (isWardenError(err, 'not_found') || isWardenError(err, 'forbidden')) continue;
      throw err;
    }
    if (info.labels['warden-principal'] !== owner) break;
    const ranFor = info.labels['warden-request'];
    if (req.action === 'cancel') {
      await deps.audit.append(jobEvent('cancel', { ...common, ...(ranFor ? { ranFor } : {}) }));
      info = await (await deps.jobs(credential)).cancelJob(req.job);
    } else deferRecord(deps.audit, jobEvent('get', { ...common, ...(ranFor ? { ranFor } : {}) }));
    return released(info);
  }
  deferRecord(deps.audit, jobEvent(req.action, { ...common, outcome: 'not_found' }));
  throw new WardenError('not_found', `No job ${req.job.jobId} that Warden ran for you.`);
}

function released(info: JobInfo): ReleasedJob {
  const { labels, error, ...rest } = info;
  const ranFor = labels['warden-request'];
  return {
    ...rest,
    ...(ranFor ? { requestId: ranFor } : {}),
    // A BigQuery error can quote a value ("Bad int64 value: 123-45-6789"): masked like any free text.
    ...(error ? { error: maskFreeText(error) } : {}),
  };
}
