// An in-memory warehouse for unit tests: fixed dry-run facts per table and fixed rows.

import type { TableMetadata } from '../core/classification/classify.ts';
import { WardenError } from '../core/errors.ts';
import type { QueryFacts, TableRef } from '../core/query/facts.ts';
import type {
  DatasetSummary,
  ExecuteOptions,
  JobInfo,
  JobRef,
  QueryRequest,
  QueryResult,
  WarehouseExecutor,
  WarehouseJobs,
  WarehouseMetadata,
} from '../ports/warehouse.ts';

/** Dry runs report the tables named in the SQL as `project.dataset.table`; execution returns `rows`. */
export class FakeWarehouse implements WarehouseMetadata, WarehouseExecutor, WarehouseJobs {
  rows: Record<string, string | number | null>[] = [{ code: 'A00', description: 'Cholera' }];
  executed: { request: QueryRequest; options: ExecuteOptions }[] = [];
  failDryRun: Error | undefined;

  async dryRun(request: QueryRequest): Promise<QueryFacts> {
    if (this.failDryRun) throw this.failDryRun;
    const tables = [...request.sql.matchAll(/`([\w-]+)\.(\w+)\.(\w+)`/g)].map(
      ([, projectId, datasetId, tableId]) => ({
        projectId: projectId!,
        datasetId: datasetId!,
        tableId: tableId!,
      }),
    );
    if (!/^\s*select/i.test(request.sql) && !/^\s*delete/i.test(request.sql))
      throw new WardenError('invalid_argument', 'BigQuery dry run: the query is not valid.');
    return {
      statementType: /^\s*delete/i.test(request.sql) ? 'DELETE' : 'SELECT',
      referencedTables: tables,
      totalBytesProcessed: '1024',
    };
  }
  async listDatasets(): Promise<DatasetSummary[]> {
    return [{ id: 'reference', location: 'US' }];
  }
  async getDatasetInfo(projectId: string, datasetId: string): Promise<Record<string, unknown>> {
    return { datasetReference: { projectId, datasetId }, location: 'US' };
  }
  async listTableIds(): Promise<string[]> {
    return ['icd10_codes'];
  }
  async getTableInfo(table: TableRef): Promise<Record<string, unknown>> {
    return { tableReference: table };
  }
  /** Tables whose metadata marks them PHI (by label), keyed `dataset.table`. */
  phiTables = new Set(['clinical.patients']);
  async describeTable(table: TableRef): Promise<TableMetadata> {
    const phi = this.phiTables.has(`${table.datasetId}.${table.tableId}`);
    return {
      table,
      labels: phi ? { phi: 'true' } : {},
      datasetLabels: {},
      fields: phi
        ? [
            { name: 'ssn', policyTags: ['projects/p/locations/us/taxonomies/t/policyTags/ssn'] },
            { name: 'first_name' },
          ]
        : [{ name: 'code' }, { name: 'description' }],
    };
  }

  /** The jobs execute() created, by id, as BigQuery keeps them (state, labels, an error message). */
  jobs = new Map<string, JobInfo>();
  cancelled: string[] = [];

  async getJob(ref: JobRef): Promise<JobInfo> {
    const job = this.jobs.get(ref.jobId);
    if (!job || job.projectId !== ref.projectId)
      throw new WardenError('not_found', 'BigQuery jobs.get: a referenced resource does not exist.');
    return structuredClone(job);
  }

  async cancelJob(ref: JobRef): Promise<JobInfo> {
    const job = await this.getJob(ref);
    this.cancelled.push(ref.jobId);
    return job;
  }

  async execute(request: QueryRequest, options: ExecuteOptions): Promise<QueryResult> {
    this.executed.push({ request, options });
    const jobId = `job-${this.executed.length}`;
    this.jobs.set(jobId, {
      jobId,
      projectId: 'p',
      location: 'US',
      state: 'DONE',
      statementType: 'SELECT',
      totalBytesProcessed: '1024',
      labels: { ...options.labels },
    });
    return {
      jobId,
      schema: Object.keys(this.rows[0] ?? {}).map((name) => ({ name, type: 'STRING' })),
      rows: this.rows.slice(0, options.rowLimit),
      totalBytesProcessed: '1024',
      truncated: this.rows.length > options.rowLimit,
    };
  }
}
