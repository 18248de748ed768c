// Datasets and tables as the REST API sees them: live DuckDB objects overlaid with seed metadata and sizes.

import type { DuckDBConnection, DuckDBInstance, DuckDBType } from '@duckdb/node-api';
import { DuckDBDecimalType, DuckDBTypeId } from '@duckdb/node-api';
import type { DatasetSeed, FieldSeed, ProjectSeed, TableSeed } from './seed.ts';
import type { TableFieldSchema } from './types.ts';
import { fieldSchemaOfDuckType, fieldSchemaOfSeed, quoteIdent, scalarBigQueryType } from './types.ts';

/** A fully qualified table. */
export interface TableRef {
  projectId: string;
  datasetId: string;
  tableId: string;
}

/** A dataset as `datasets.get` describes it. */
export interface DatasetInfo {
  projectId: string;
  datasetId: string;
  location: string;
  description?: string;
  labels: Record<string, string>;
  creationTime: number;
}

/** A table or view as `tables.list` describes it. */
export interface TableInfo {
  ref: TableRef;
  type: 'TABLE' | 'VIEW';
  location: string;
  description?: string;
  labels: Record<string, string>;
  creationTime: number;
  viewQuery?: string;
}

/** A table with schema and sizes, as `tables.get` describes it. */
export interface TableDetail extends TableInfo {
  schema: TableFieldSchema[];
  numRows: bigint;
  numBytes: bigint;
  /** Logical bytes per top-level column, keyed by lowercased name (BigQuery's data-size rules, approximated). */
  columnBytes: Map<string, bigint>;
}

interface CatalogObject {
  ref: TableRef;
  type: 'TABLE' | 'VIEW';
  sql?: string;
}

const HIDDEN_SCHEMAS = new Set(['main', 'information_schema', 'pg_catalog']);
const DEFAULT_LOCATION = 'US';

/** Key for case-insensitive lookups. */
export function tableKey(ref: TableRef): string {
  return `${ref.projectId}.${ref.datasetId}.${ref.tableId}`.toLowerCase();
}

/** BigQuery's display form `project:dataset.table`. */
export function tableDisplay(ref: TableRef): string {
  return `${ref.projectId}:${ref.datasetId}.${ref.tableId}`;
}

/**
 * The catalog: which projects, datasets and tables exist (from DuckDB, so DDL is reflected) and their
 * BigQuery metadata (from the seeds). Table sizes are computed on demand and cached until `invalidate()`.
 */
export class Catalog {
  readonly db: DuckDBInstance;
  readonly projects: string[];
  readonly datasetSeeds = new Map<string, DatasetSeed>();
  readonly tableSeeds = new Map<string, TableSeed>();
  readonly created = new Map<string, number>();
  readonly startedAt = Date.now();
  objects: Promise<CatalogObject[]> | undefined;
  readonly details = new Map<string, Promise<TableDetail>>();

  constructor(db: DuckDBInstance, seeds: readonly ProjectSeed[]) {
    this.db = db;
    this.projects = seeds.map((p) => p.projectId);
    for (const project of seeds) {
      for (const dataset of project.datasets) {
        this.datasetSeeds.set(`${project.projectId}.${dataset.datasetId}`.toLowerCase(), dataset);
        for (const table of dataset.tables) {
          this.tableSeeds.set(
            tableKey({ projectId: project.projectId, datasetId: dataset.datasetId, tableId: table.tableId }),
            table,
          );
        }
      }
    }
  }

  /** Forgets cached object lists and sizes; call after any statement that may change data or schema. */
  invalidate(): void {
    this.objects = undefined;
    this.details.clear();
  }

  /** The seeded project with this id (case-insensitive), if any. */
  project(projectId: string): string | undefined {
    return this.projects.find((p) => p.toLowerCase() === projectId.toLowerCase());
  }

  /** Datasets of a project, in name order. */
  async datasets(projectId: string): Promise<DatasetInfo[]> {
    const project = this.project(projectId);
    if (!project) return [];
    const reader = await this.read(
      'SELECT schema_name FROM duckdb_schemas() WHERE database_name = $db ORDER BY schema_name',
      { db: project },
    );
    return reader
      .map((row) => String(row[0]))
      .filter(
        (name) =>
          !HIDDEN_SCHEMAS.has(name.toLowerCase()) ||
          this.datasetSeeds.has(`${project}.${name}`.toLowerCase()),
      )
      .map((name) => this.datasetInfo(project, name));
  }

  /** One dataset, or undefined. */
  async dataset(projectId: string, datasetId: string): Promise<DatasetInfo | undefined> {
    const all = await this.datasets(projectId);
    return all.find((d) => d.datasetId.toLowerCase() === datasetId.toLowerCase());
  }

  private datasetInfo(projectId: string, datasetId: string): DatasetInfo {
    const key = `${projectId}.${datasetId}`.toLowerCase();
    const seed = this.datasetSeeds.get(key);
    return {
      projectId,
      datasetId,
      location: seed?.location ?? DEFAULT_LOCATION,
      ...(seed?.description !== undefined ? { description: seed.description } : {}),
      labels: { ...(seed?.labels ?? {}) },
      creationTime: this.creationTime(key),
    };
  }

  private creationTime(key: string): number {
    if (this.tableSeeds.has(key) || this.datasetSeeds.has(key)) return this.startedAt;
    const known = this.created.get(key);
    if (known !== undefined) return known;
    const now = Date.now();
    this.created.set(key, now);
    return now;
  }

  /** Tables and views of a dataset, in name order. */
  async tables(projectId: string, datasetId: string): Promise<TableInfo[]> {
    const dataset = await this.dataset(projectId, datasetId);
    if (!dataset) return [];
    const objects = await this.allObjects();
    return objects
      .filter((o) => o.ref.projectId === dataset.projectId && o.ref.datasetId === dataset.datasetId)
      .map((o) => this.tableInfo(o, dataset.location));
  }

  /** One table or view (case-insensitive), with canonical names, or undefined. */
  async table(ref: TableRef): Promise<TableInfo | undefined> {
    const key = tableKey(ref);
    const objects = await this.allObjects();
    const found = objects.find((o) => tableKey(o.ref) === key);
    if (!found) return undefined;
    const dataset = this.datasetInfo(found.ref.projectId, found.ref.datasetId);
    return this.tableInfo(found, dataset.location);
  }

  private tableInfo(o: CatalogObject, location: string): TableInfo {
    const seed = this.tableSeeds.get(tableKey(o.ref));
    return {
      ref: o.ref,
      type: o.type,
      location,
      ...(seed?.description !== undefined ? { description: seed.description } : {}),
      labels: { ...(seed?.labels ?? {}) },
      creationTime: this.creationTime(tableKey(o.ref)),
      ...(o.sql !== undefined ? { viewQuery: o.sql } : {}),
    };
  }

  /** Schema, row count and sizes of a table (cached until `invalidate()`). */
  async detail(ref: TableRef): Promise<TableDetail | undefined> {
    const info = await this.table(ref);
    if (!info) return undefined;
    const key = tableKey(info.ref);
    let detail = this.details.get(key);
    if (!detail) {
      detail = this.computeDetail(info);
      this.details.set(key, detail);
      detail.catch(() => this.details.delete(key));
    }
    return detail;
  }

  private async computeDetail(info: TableInfo): Promise<TableDetail> {
    const name = [info.ref.projectId, info.ref.datasetId, info.ref.tableId].map(quoteIdent).join('.');
    return this.withConnection(async (connection) => {
      const prepared = await connection.prepare(`SELECT * FROM ${name}`);
      const columns = Array.from({ length: prepared.columnCount }, (_, i) => ({
        name: prepared.columnName(i),
        type: prepared.columnType(i),
      }));
      prepared.destroySync();
      const seed = this.tableSeeds.get(tableKey(info.ref));
      const schema = columns.map((c) => schemaField(c.name, c.type, seed?.schema));
      const sizes = columns.map((c) => sizeExpression(quoteIdent(c.name), c.type));
      const reader = await connection.runAndReadAll(
        `SELECT count(*), ${sizes.join(', ') || '0'} FROM ${name}`,
      );
      const row = reader.getRows()[0] ?? [];
      const columnBytes = new Map(
        columns.map((c, i) => [c.name.toLowerCase(), BigInt(String(row[i + 1] ?? 0))]),
      );
      const numBytes = [...columnBytes.values()].reduce((a, b) => a + b, 0n);
      return { ...info, schema, numRows: BigInt(String(row[0] ?? 0)), numBytes, columnBytes };
    });
  }

  private allObjects(): Promise<CatalogObject[]> {
    if (!this.objects) {
      this.objects = this.loadObjects();
      this.objects.catch(() => {
        this.objects = undefined;
      });
    }
    return this.objects;
  }

  private async loadObjects(): Promise<CatalogObject[]> {
    if (this.projects.length === 0) return [];
    const rows = await this.read(
      `SELECT database_name, schema_name, table_name, 'TABLE' AS kind, NULL AS sql FROM duckdb_tables() WHERE NOT internal AND NOT temporary
       UNION ALL
       SELECT database_name, schema_name, view_name, 'VIEW', sql FROM duckdb_views() WHERE NOT internal AND NOT temporary
       ORDER BY 1, 2, 3`,
    );
    const projects = new Set(this.projects);
    return rows
      .filter((r) => projects.has(String(r[0])))
      .map((r) => ({
        ref: { projectId: String(r[0]), datasetId: String(r[1]), tableId: String(r[2]) },
        type: r[3] === 'VIEW' ? ('VIEW' as const) : ('TABLE' as const),
        ...(r[4] !== null ? { sql: String(r[4]) } : {}),
      }));
  }

  private read(sql: string, values?: Record<string, string>): Promise<unknown[][]> {
    return this.withConnection(async (connection) => (await connection.runAndReadAll(sql, values)).getRows());
  }

  /** Runs `fn` on a fresh connection, closing it afterwards. */
  async withConnection<T>(fn: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = await this.db.connect();
    try {
      return await fn(connection);
    } finally {
      connection.closeSync();
    }
  }
}

/** The schema entry for a column: the seed's declaration when there is one, else derived from DuckDB's type. */
function schemaField(
  name: string,
  type: DuckDBType,
  seedFields: readonly FieldSeed[] | undefined,
): TableFieldSchema {
  const seed = seedFields?.find((f) => f.name.toLowerCase() === name.toLowerCase());
  return seed ? fieldSchemaOfSeed(seed) : fieldSchemaOfDuckType(name, type);
}

/** SQL computing a column's logical size: BigQuery's per-type sizes (8 bytes per INT64, 2 + length per STRING, …). */
export function sizeExpression(column: string, type: DuckDBType): string {
  const bqType = scalarBigQueryType(type);
  if (
    type.typeId === DuckDBTypeId.LIST ||
    type.typeId === DuckDBTypeId.STRUCT ||
    type.typeId === DuckDBTypeId.ARRAY
  ) {
    return `coalesce(sum(strlen(CAST(${column} AS VARCHAR))), 0)`;
  }
  if (bqType === 'STRING' || bqType === 'JSON')
    return `coalesce(sum(strlen(CAST(${column} AS VARCHAR)) + 2), 0)`;
  if (bqType === 'BYTES') return `coalesce(sum(octet_length(${column}) + 2), 0)`;
  if (bqType === 'GEOGRAPHY') return `coalesce(sum(octet_length(ST_AsWKB(${column}))), 0)`;
  if (bqType === 'BOOLEAN') return `count(${column})`;
  if (type instanceof DuckDBDecimalType) return `count(${column}) * ${bqType === 'NUMERIC' ? 16 : 32}`;
  return `count(${column}) * 8`;
}
