// Facts about a query that policy decides on, as a BigQuery dry run reports them, and the tables and columns
// they name.

/** A fully qualified table. */
export interface TableRef {
  projectId: string;
  datasetId: string;
  tableId: string;
}

/** A column read; `table` is resolved through aliases, CTEs and subqueries, absent when it cannot be told. */
export interface ColumnRef {
  table?: TableRef;
  /** Column name in lower case (a STRUCT path gives its top-level column); `*` for all columns. */
  column: string;
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
