// Facts about a query that policy decides on, as a BigQuery dry run reports them.

/** A fully qualified table. */
export interface TableRef {
  projectId: string;
  datasetId: string;
  tableId: string;
}

/** What a dry run tells about a query before it runs. */
export interface QueryFacts {
  /** BigQuery statement type: SELECT, INSERT, UPDATE, DELETE, MERGE, CREATE_TABLE, ... */
  statementType: string;
  referencedTables: TableRef[];
  /** Estimated bytes processed, as a decimal string (INT64). */
  totalBytesProcessed: string;
}

/** `project.dataset.table`, the form used in policy, audit and logs. */
export function formatTableRef(t: TableRef): string {
  return `${t.projectId}.${t.datasetId}.${t.tableId}`;
}
