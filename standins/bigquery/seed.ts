// The contract between a dataset generator and the local BigQuery stand-in: datasets, tables,
// schemas and rows to load at start.

/** A BigQuery column type, as `tables.get` reports it in `schema.fields[].type`. */
export type BigQueryType =
  | 'STRING'
  | 'BYTES'
  | 'INTEGER'
  | 'FLOAT'
  | 'NUMERIC'
  | 'BIGNUMERIC'
  | 'BOOLEAN'
  | 'TIMESTAMP'
  | 'DATE'
  | 'TIME'
  | 'DATETIME'
  | 'GEOGRAPHY'
  | 'JSON'
  | 'RECORD';

export interface FieldSeed {
  name: string;
  type: BigQueryType;
  mode?: 'NULLABLE' | 'REQUIRED' | 'REPEATED';
  description?: string;
  /** Full policy tag resource names, as in `schema.fields[].policyTags.names`. */
  policyTags?: string[];
  /** Sub-fields of a RECORD. */
  fields?: FieldSeed[];
}

/**
 * A cell value in a seed row, in JavaScript form: string for STRING/NUMERIC/BIGNUMERIC/JSON/GEOGRAPHY (WKT),
 * number or bigint for INTEGER, number for FLOAT, boolean, `Date` for TIMESTAMP, 'YYYY-MM-DD' for DATE,
 * 'HH:MM:SS' for TIME, 'YYYY-MM-DDTHH:MM:SS' for DATETIME, Uint8Array for BYTES, arrays for REPEATED,
 * plain objects for RECORD, null for NULL.
 */
export type SeedValue =
  | string
  | number
  | bigint
  | boolean
  | Date
  | Uint8Array
  | null
  | SeedValue[]
  | { [k: string]: SeedValue };

export interface TableSeed {
  tableId: string;
  description?: string;
  labels?: Record<string, string>;
  schema: FieldSeed[];
  /** Rows in schema order. */
  rows: SeedValue[][];
}

export interface DatasetSeed {
  datasetId: string;
  description?: string;
  labels?: Record<string, string>;
  location?: string;
  tables: TableSeed[];
}

export interface ProjectSeed {
  projectId: string;
  datasets: DatasetSeed[];
}
