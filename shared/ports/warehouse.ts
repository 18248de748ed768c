// Port: the data warehouse (BigQuery): dry runs, metadata and query execution.

import type { TableMetadata } from '../core/classification/classify.ts';
import type { QueryFacts, TableRef } from '../core/query/facts.ts';

/** A named query parameter. */
export interface QueryParameter {
  name: string;
  /** BigQuery type name: STRING, INT64, FLOAT64, BOOL, DATE, TIMESTAMP, NUMERIC, ... */
  type: string;
  value: string | number | boolean | null;
}

export interface QueryRequest {
  projectId: string;
  /** The Warden request it is for, when one is (ties a dry run the executor makes to the trail; never sent). */
  requestId?: string;
  sql: string;
  params?: QueryParameter[];
  location?: string;
}

/** One column of a result schema. */
export interface ColumnSchema {
  name: string;
  type: string;
  mode?: string;
  fields?: ColumnSchema[];
}

/** A JSON-safe cell: INT64 and NUMERIC values are strings, so nothing is rounded. */
export type Cell = string | number | boolean | null | Cell[] | { [k: string]: Cell };

export interface QueryResult {
  jobId: string;
  schema: ColumnSchema[];
  rows: Record<string, Cell>[];
  totalBytesProcessed: string;
  /** True when the row limit cut the result short. */
  truncated: boolean;
}

export interface ExecuteOptions {
  maximumBytesBilled?: string;
  rowLimit: number;
  labels: Record<string, string>;
  timeoutMs: number;
}

/** A dataset as listed. */
export interface DatasetSummary {
  id: string;
  friendlyName?: string;
  location?: string;
}

/** Metadata reads and dry runs (the gateway's own identity; no table data). */
export interface WarehouseMetadata {
  dryRun(request: QueryRequest): Promise<QueryFacts>;
  listDatasets(projectId: string): Promise<DatasetSummary[]>;
  getDatasetInfo(projectId: string, datasetId: string): Promise<Record<string, unknown>>;
  listTableIds(projectId: string, datasetId: string): Promise<string[]>;
  getTableInfo(table: TableRef): Promise<Record<string, unknown>>;
  /** Labels (table and dataset) and the schema with descriptions and policy tags, for PHI classification. */
  describeTable(table: TableRef): Promise<TableMetadata>;
}

/** A BigQuery job by name. */
export interface JobRef {
  projectId: string;
  jobId: string;
  location?: string;
}

/** What Warden tells about a job: its state and statistics, never its query text or rows. */
export interface JobInfo {
  jobId: string;
  projectId: string;
  location?: string;
  /** PENDING, RUNNING or DONE (BigQuery's JobStatus.state). */
  state: string;
  statementType?: string;
  totalBytesProcessed?: string;
  creationTime?: string;
  startTime?: string;
  endTime?: string;
  /** The job's labels (Warden's tie it to the audit trail and to its requester). */
  labels: Record<string, string>;
  /** BigQuery's errorResult message for a failed job (may quote data: masked before it is released). */
  error?: string;
}

/** Query execution (the executor, with the KMS-protected credential). */
export interface WarehouseExecutor {
  execute(request: QueryRequest, options: ExecuteOptions): Promise<QueryResult>;
}

/** The executor's jobs (get_job, cancel_job): only its own identity's, as BigQuery allows a job's creator. */
export interface WarehouseJobs {
  /** jobs.get: a job this identity created (BigQuery grants its creator jobs.get); `not_found` otherwise. */
  getJob(job: JobRef): Promise<JobInfo>;
  /** jobs.cancel: asks BigQuery to cancel a job this identity created; the job as BigQuery then reports it. */
  cancelJob(job: JobRef): Promise<JobInfo>;
}
