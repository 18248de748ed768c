// Query planning (validation, statement type, referenced tables, byte estimates, schema) and execution on DuckDB.

import type { DuckDBConnection, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { DuckDBTypeId } from '@duckdb/node-api';
import type { ProbeRunner } from './alias-reuse.ts';
import { firstReference, reusedAlias } from './alias-reuse.ts';
import type { Catalog, TableRef } from './catalog.ts';
import { tableDisplay, tableKey } from './catalog.ts';
import {
  BigQueryError,
  bytesBilledLimitExceeded,
  duplicate,
  invalidQuery,
  invalidRequest,
  notFound,
} from './errors.ts';
import type { ScriptScope } from './googlesql-syntax.ts';
import { assertGoogleSqlSyntax } from './googlesql-syntax.ts';
import type { QueryParameter } from './params.ts';
import { ParameterSet } from './params.ts';
import type { QueryReferences, RawTableRef, SelectItem } from './references.ts';
import { referencesOf } from './references.ts';
import type { Token } from './sql-lexer.ts';
import { position, tokenize } from './sql-lexer.ts';
import { stringLiteral, translate } from './sql-translate.ts';
import type { NamePath, StatementShape, StatementType } from './statement.ts';
import { shapeOf, splitStatements } from './statement.ts';
import type { TableFieldSchema } from './types.ts';
import { fieldSchemaOfDuckType, quoteIdent } from './types.ts';

/** The query part of a job configuration (or of a `jobs.query` request). */
export interface QueryConfig {
  /** The project the job runs in; qualifies `dataset.table` references. */
  projectId: string;
  query: string;
  useLegacySql?: boolean;
  defaultDataset?: { projectId?: string; datasetId: string };
  parameterMode?: string;
  queryParameters?: QueryParameter[];
  location?: string;
  maximumBytesBilled?: string | number;
}

/** One statement ready to run. */
export interface PlannedStatement {
  shape: StatementShape;
  sql: string;
  params: ParameterSet;
}

/** Everything known about a query before it runs: what a dry run reports. */
export interface QueryPlan {
  statementType: StatementType;
  statements: PlannedStatement[];
  referencedTables: TableRef[];
  ddlTargetTable?: TableRef;
  ddlTargetDataset?: { projectId: string; datasetId: string };
  totalBytesProcessed: bigint;
  totalBytesBilled: bigint;
  /** Result schema of a SELECT. */
  schema?: TableFieldSchema[];
  location: string;
  /** `USE` target for unqualified names: a catalog, or catalog and schema. */
  defaultPath: string[];
  /** True when the DDL target already existed (for `ddlOperationPerformed`). */
  targetExisted: boolean;
}

/** What running a query produced. */
export interface QueryOutcome {
  schema?: TableFieldSchema[];
  types: DuckDBType[];
  rows: DuckDBValue[][];
  numDmlAffectedRows?: bigint;
  ddlOperationPerformed?: 'CREATE' | 'REPLACE' | 'SKIP' | 'DROP';
}

/** Options of the engine. */
export interface EngineOptions {
  /** Bytes billed at minimum per referenced table (BigQuery on-demand: 10 MB). */
  minimumBytesBilledPerTable: bigint;
}

const MB = 1024n * 1024n;

const EXECUTABLE = new Set<StatementType>([
  'SELECT',
  'INSERT',
  'UPDATE',
  'DELETE',
  'MERGE',
  'TRUNCATE_TABLE',
  'CREATE_TABLE',
  'CREATE_TABLE_AS_SELECT',
  'CREATE_VIEW',
  'CREATE_SCHEMA',
  'DROP_TABLE',
  'DROP_VIEW',
  'DROP_SCHEMA',
]);

const DML = new Set<StatementType>(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'TRUNCATE_TABLE']);

/** Table-valued functions GoogleSQL shares with DuckDB. */
const ALLOWED_TABLE_FUNCTIONS = new Set(['unnest']);

/** References read by a statement, resolved, with the columns read from each. */
interface ReadSet {
  tables: Map<string, TableRef>;
  columnNames: Set<string>;
  fullyRead: Set<string>;
}

/** Plans and runs GoogleSQL queries against the DuckDB catalog. */
export class QueryEngine {
  readonly catalog: Catalog;
  readonly options: EngineOptions;

  constructor(catalog: Catalog, options: EngineOptions) {
    this.catalog = catalog;
    this.options = options;
  }

  /** Validates and analyses a query; throws a BigQueryError for anything BigQuery would reject up front. */
  async plan(config: QueryConfig): Promise<QueryPlan> {
    if (config.useLegacySql !== false) {
      throw invalidQuery(
        'Legacy SQL is not supported by the local BigQuery stand-in; set useLegacySql: false (GoogleSQL).',
      );
    }
    if (!config.query?.trim()) throw invalidQuery('Syntax error: Unexpected end of script');
    const pieces = splitStatements(tokenize(config.query));
    if (pieces.length === 0) throw invalidQuery('Syntax error: Unexpected end of script');
    try {
      return await new Planner(this, config).plan(pieces);
    } catch (err) {
      // Anything unexpected while planning is reported as the query's fault, never as a retryable 5xx.
      throw duckError(err);
    }
  }

  /** Throws `invalidQuery` for statements the stand-in can dry-run but not execute (scripts, routines, …). */
  assertExecutable(plan: QueryPlan): PlannedStatement {
    const statement = plan.statements[0];
    if (plan.statementType === 'SCRIPT' || plan.statements.length !== 1 || !statement) {
      throw invalidQuery(
        'Multi-statement queries (scripts) are not supported by the local BigQuery stand-in.',
      );
    }
    if (!EXECUTABLE.has(plan.statementType)) {
      throw invalidQuery(
        `${plan.statementType} statements are not supported by the local BigQuery stand-in.`,
      );
    }
    return statement;
  }

  /** Runs a planned query. `onConnection` receives the connection so the caller can interrupt it. */
  async execute(
    plan: QueryPlan,
    onConnection?: (connection: DuckDBConnection) => void,
  ): Promise<QueryOutcome> {
    const statement = this.assertExecutable(plan);
    return this.catalog.withConnection(async (connection) => {
      onConnection?.(connection);
      await useDefault(connection, plan.defaultPath);
      try {
        return await this.run(connection, plan, statement);
      } catch (err) {
        throw duckError(err);
      } finally {
        if (plan.statementType !== 'SELECT') this.catalog.invalidate();
      }
    });
  }

  private async run(
    connection: DuckDBConnection,
    plan: QueryPlan,
    statement: PlannedStatement,
  ): Promise<QueryOutcome> {
    const prepared = await connection.prepare(statement.sql);
    try {
      const { values, types } = statement.params.bindings();
      if (Object.keys(values).length > 0) prepared.bind(values, types);
      const result = await prepared.run();
      if (plan.statementType === 'SELECT') {
        const rows = await result.getRows();
        return { ...(plan.schema ? { schema: plan.schema } : {}), types: result.columnTypes(), rows };
      }
      if (DML.has(plan.statementType))
        return { types: [], rows: [], numDmlAffectedRows: BigInt(result.rowsChanged) };
      return { types: [], rows: [], ddlOperationPerformed: ddlOperation(plan) };
    } finally {
      prepared.destroySync();
    }
  }

  /** Bytes billed for `processed` bytes over `tableCount` tables: rounded up to 1 MB, at least the per-table minimum. */
  billedBytes(processed: bigint, tableCount: number): bigint {
    if (tableCount === 0 && processed === 0n) return 0n;
    const rounded = ((processed + MB - 1n) / MB) * MB;
    const minimum = this.options.minimumBytesBilledPerTable * BigInt(Math.max(1, tableCount));
    return rounded > minimum ? rounded : minimum;
  }

  /** Throws BigQuery's `bytesBilledLimitExceeded` when the plan would bill more than `maximumBytesBilled`. */
  enforceBytesBilled(plan: QueryPlan, maximumBytesBilled: string | number | undefined): void {
    if (maximumBytesBilled === undefined || maximumBytesBilled === null || maximumBytesBilled === '') return;
    if (!/^\d+$/.test(String(maximumBytesBilled))) {
      throw invalidRequest(`Invalid value for maximumBytesBilled: ${maximumBytesBilled}`);
    }
    const limit = BigInt(maximumBytesBilled);
    if (plan.totalBytesBilled > limit) throw bytesBilledLimitExceeded(limit, plan.totalBytesBilled);
  }
}

function ddlOperation(plan: QueryPlan): QueryOutcome['ddlOperationPerformed'] {
  if (plan.statementType.startsWith('DROP')) return 'DROP';
  const shape = plan.statements[0]?.shape;
  if (!plan.targetExisted) return 'CREATE';
  return shape?.orReplace ? 'REPLACE' : 'SKIP';
}

async function useDefault(connection: DuckDBConnection, path: readonly string[]): Promise<void> {
  if (path.length > 0) await connection.run(`USE ${path.map(quoteIdent).join('.')}`);
}

/** Turns a DuckDB exception into BigQuery's `invalidQuery`, keeping only the useful first line. */
export function duckError(err: unknown): BigQueryError {
  if (err instanceof BigQueryError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const first = (message.split('\n')[0] ?? message).trim();
  const match = /^([A-Za-z ]+) Error: (.*)$/.exec(first);
  if (!match) return invalidQuery(first);
  const [, kind, rest = ''] = match;
  if (kind === 'Parser') return invalidQuery(`Syntax error: ${rest.replace(/^syntax error /, '')}`);
  const unknownName = /^Referenced (?:column|table) "([^"]+)" not found/.exec(rest)?.[1];
  if (kind === 'Binder' && unknownName) return invalidQuery(`Unrecognized name: ${unknownName}`);
  if (kind === 'INTERRUPT')
    return new BigQueryError(
      400,
      'stopped',
      'CANCELLED',
      'Job execution was cancelled: User requested cancellation',
    );
  return invalidQuery(rest);
}

/** Plans one query: per statement, translate, find and resolve references, validate, estimate. */
class Planner {
  readonly engine: QueryEngine;
  readonly config: QueryConfig;
  readonly reads: ReadSet = { tables: new Map(), columnNames: new Set(), fullyRead: new Set() };
  readonly referenced = new Map<string, TableRef>();
  readonly datasets = new Map<string, string>();
  location: string;
  targetExisted = false;
  ddlTargetTable: TableRef | undefined;
  ddlTargetDataset: { projectId: string; datasetId: string } | undefined;
  selectItems: SelectItem[] = [];
  /** Functions the script's CREATE TEMP FUNCTION statements define. */
  readonly scope: ScriptScope = { functions: new Set() };

  constructor(engine: QueryEngine, config: QueryConfig) {
    this.engine = engine;
    this.config = config;
    this.location = config.location ?? 'US';
  }

  get catalog(): Catalog {
    return this.engine.catalog;
  }

  async plan(pieces: ReturnType<typeof splitStatements>): Promise<QueryPlan> {
    const statements: PlannedStatement[] = [];
    for (const tokens of pieces) statements.push(await this.planStatement(shapeOf(tokens)));
    const first = statements[0] as PlannedStatement;
    const statementType = statements.length > 1 ? 'SCRIPT' : first.shape.type;
    this.location = this.jobLocation();
    const defaultPath = this.defaultPath();
    const schema =
      statements.length === 1 && EXECUTABLE.has(statementType)
        ? await this.validate(first, defaultPath)
        : undefined;
    const totalBytesProcessed = await this.bytesProcessed();
    return {
      statementType,
      statements,
      referencedTables: [...this.referenced.values()],
      ...(this.ddlTargetTable ? { ddlTargetTable: this.ddlTargetTable } : {}),
      ...(this.ddlTargetDataset ? { ddlTargetDataset: this.ddlTargetDataset } : {}),
      totalBytesProcessed,
      totalBytesBilled: this.engine.billedBytes(totalBytesProcessed, this.reads.tables.size),
      ...(schema ? { schema } : {}),
      location: this.location,
      defaultPath,
      targetExisted: this.targetExisted,
    };
  }

  private async planStatement(shape: StatementShape): Promise<PlannedStatement> {
    assertGoogleSqlSyntax(shape.sig, this.config.query, this.scope);
    const params = new ParameterSet(this.config.parameterMode, this.config.queryParameters);
    const options = { resolveParameter: params.resolve, ddl: shape.type.startsWith('CREATE') };
    const sql = translate(
      shape.tokens,
      shape.columnListAt === undefined ? options : { ...options, columnListAt: shape.columnListAt },
    );
    const target = shape.dmlTarget ? await this.resolveExisting(shape.dmlTarget) : undefined;
    if (target) this.reference(target);
    // UPDATE, DELETE and MERGE read their whole target; INSERT only writes it.
    const fullyRead = target && shape.type !== 'INSERT' ? tableKey(target) : undefined;
    for (const query of shape.readQueries) {
      const refs = await this.readQuery(
        translate(query, { resolveParameter: params.resolve }),
        fullyRead,
        shape.sig,
        params,
      );
      if (shape.type === 'SELECT') this.selectItems = refs.selectItems;
    }
    for (const path of shape.readTables) this.read(await this.resolveExisting(path), true);
    if (shape.ddlTarget) await this.ddlTarget(shape);
    if (shape.ddlTargetDataset) await this.ddlDataset(shape, shape.ddlTargetDataset);
    return { shape, sql, params };
  }

  private async readQuery(
    sql: string,
    fullyReadKey: string | undefined,
    sig: readonly Token[],
    params: ParameterSet,
  ): Promise<QueryReferences> {
    const serialized = (await this.scalar(`SELECT json_serialize_sql(${stringLiteral(sql)})`)) || '{}';
    const refs = referencesOf(serialized);
    for (const fn of refs.tableFunctions) {
      if (!ALLOWED_TABLE_FUNCTIONS.has(fn)) throw invalidQuery(`Table-valued function not found: ${fn}`);
    }
    const stars = new Set(refs.starTables);
    for (const raw of refs.tables) {
      const ref = await this.resolveExisting(this.pathOf(raw));
      this.read(ref, stars.has(raw) || tableKey(ref) === fullyReadKey);
    }
    for (const name of refs.columnNames) this.reads.columnNames.add(name);
    const alias = await reusedAlias(serialized, this.probeRunner(params));
    if (alias) {
      const at = firstReference(sig, alias);
      const where = at && at.start >= 0 ? ` at ${position(this.config.query, at.start)}` : '';
      throw invalidQuery(`Unrecognized name: ${at?.value ?? alias}${where}`);
    }
    return refs;
  }

  /** The single value a one-row, one-column query returns, as text. */
  private async scalar(sql: string): Promise<string> {
    const reader = await this.catalog.withConnection((c) => c.runAndReadAll(sql));
    return String(reader.getRows()[0]?.[0] ?? '');
  }

  /**
   * DuckDB access for the alias-reuse probe: (de)serialization, and binding in the job's default dataset. With
   * parameters the probe runs under `LIMIT 0` with their values, since DuckDB defers binding some expressions (a
   * field of a STRUCT parameter) until they are bound.
   */
  private probeRunner(params: ParameterSet): ProbeRunner {
    return {
      serialize: (sql) => this.scalar(`SELECT json_serialize_sql(${stringLiteral(sql)})`),
      deserialize: (tree) => this.scalar(`SELECT json_deserialize_sql(${stringLiteral(tree)})`),
      prepare: (sql) =>
        this.catalog.withConnection(async (connection) => {
          await useDefault(connection, this.defaultPath());
          const prepared = await connection.prepare(`SELECT * FROM (${sql}) AS q LIMIT 0`);
          try {
            if (prepared.parameterCount === 0) return;
            const { values, types } = params.bindings();
            const names = Array.from({ length: prepared.parameterCount }, (_, i) =>
              prepared.parameterName(i + 1),
            );
            prepared.bind(
              Object.fromEntries(names.map((name) => [name, values[name] ?? null])),
              Object.fromEntries(names.map((name) => [name, types[name]])),
            );
            await prepared.run();
          } finally {
            prepared.destroySync();
          }
        }),
    };
  }

  private pathOf(raw: RawTableRef): NamePath {
    return [raw.catalog, raw.schema, raw.table].filter((p) => p !== '');
  }

  private reference(ref: TableRef): void {
    if (!this.referenced.has(tableKey(ref))) this.referenced.set(tableKey(ref), ref);
  }

  private read(ref: TableRef, full: boolean): void {
    this.reference(ref);
    this.reads.tables.set(tableKey(ref), ref);
    if (full) this.reads.fullyRead.add(tableKey(ref));
  }

  /** Qualifies a 1–3 part name with the default dataset / job project. */
  private qualify(path: NamePath): TableRef {
    if (path.some((p) => p.toUpperCase() === 'INFORMATION_SCHEMA')) {
      throw invalidQuery('INFORMATION_SCHEMA views are not supported by the local BigQuery stand-in.');
    }
    const [a = '', b = '', c = ''] = path;
    if (path.length === 3) return { projectId: a, datasetId: b, tableId: c };
    if (path.length === 2) return { projectId: this.config.projectId, datasetId: a, tableId: b };
    if (path.length === 1 && this.config.defaultDataset) {
      const dd = this.config.defaultDataset;
      return { projectId: dd.projectId ?? this.config.projectId, datasetId: dd.datasetId, tableId: a };
    }
    if (path.length === 1)
      throw invalidQuery(`Table "${a}" must be qualified with a dataset (e.g. dataset.table).`);
    throw invalidQuery(`Invalid table name: ${path.join('.')}`);
  }

  private async resolveExisting(path: NamePath): Promise<TableRef> {
    const wanted = this.qualify(path);
    const found = await this.catalog.table(wanted);
    if (found) {
      this.datasets.set(`${found.ref.projectId}:${found.ref.datasetId}`, found.location);
      return found.ref;
    }
    await this.requireDataset(wanted.projectId, wanted.datasetId);
    throw notFound(`Not found: Table ${tableDisplay(wanted)} was not found in location ${this.location}`);
  }

  private async requireDataset(
    projectId: string,
    datasetId: string,
  ): Promise<{ projectId: string; datasetId: string }> {
    const dataset = await this.catalog.dataset(projectId, datasetId);
    if (!dataset)
      throw notFound(
        `Not found: Dataset ${projectId}:${datasetId} was not found in location ${this.location}`,
      );
    this.datasets.set(`${dataset.projectId}:${dataset.datasetId}`, dataset.location);
    return dataset;
  }

  private async ddlTarget(shape: StatementShape): Promise<void> {
    const wanted = this.qualify(shape.ddlTarget as NamePath);
    const dataset = await this.requireDataset(wanted.projectId, wanted.datasetId);
    const found = await this.catalog.table(wanted);
    this.ddlTargetTable = found?.ref ?? { ...dataset, tableId: wanted.tableId };
    this.targetExisted = found !== undefined;
    const creating = shape.type.startsWith('CREATE');
    if (creating && found && !shape.orReplace && !shape.ifExists) {
      throw duplicate(`Already Exists: Table ${tableDisplay(found.ref)}`);
    }
    if (!creating && !found && !shape.ifExists) {
      throw notFound(`Not found: Table ${tableDisplay(wanted)} was not found in location ${this.location}`);
    }
  }

  private async ddlDataset(shape: StatementShape, path: NamePath): Promise<void> {
    const [first = '', second] = path;
    const projectId = second === undefined ? this.config.projectId : first;
    const datasetId = second ?? first;
    const existing = await this.catalog.dataset(projectId, datasetId);
    this.ddlTargetDataset = existing ?? { projectId, datasetId };
    this.targetExisted = existing !== undefined;
    if (shape.type.startsWith('CREATE')) {
      if (!this.catalog.project(projectId)) throw notFound(`Not found: Project ${projectId}`);
      if (existing && !shape.ifExists) throw duplicate(`Already Exists: Dataset ${projectId}:${datasetId}`);
    } else if (!existing && !shape.ifExists) {
      throw notFound(`Not found: Dataset ${projectId}:${datasetId}`);
    }
  }

  /** The requested location, else the referenced datasets' location; all datasets must share it. */
  private jobLocation(): string {
    const requested = this.config.location;
    const locations = [...this.datasets.entries()];
    for (const [dataset, location] of locations) {
      const expected = requested ?? locations[0]?.[1] ?? 'US';
      if (location.toLowerCase() !== expected.toLowerCase()) {
        throw notFound(`Not found: Dataset ${dataset} was not found in location ${expected}`);
      }
    }
    return requested ?? locations[0]?.[1] ?? 'US';
  }

  private defaultPath(): string[] {
    const dd = this.config.defaultDataset;
    const project = this.catalog.project(dd?.projectId ?? this.config.projectId);
    if (!project) return [];
    return dd ? [project, dd.datasetId] : [project];
  }

  /** Prepares the statement in DuckDB (binding errors surface here) and returns a SELECT's result schema. */
  private async validate(
    statement: PlannedStatement,
    defaultPath: string[],
  ): Promise<TableFieldSchema[] | undefined> {
    return this.catalog.withConnection(async (connection) => {
      await useDefault(connection, defaultPath);
      try {
        const prepared = await connection.prepare(statement.sql);
        try {
          if (statement.shape.type !== 'SELECT') return undefined;
          const typeIds = Array.from({ length: prepared.columnCount }, (_, i) => prepared.columnTypeId(i));
          const { duckNames, types } = typeIds.includes(DuckDBTypeId.INVALID)
            ? await boundColumns(connection, statement)
            : {
                duckNames: typeIds.map((_, i) => prepared.columnName(i)),
                types: typeIds.map((_, i) => prepared.columnType(i)),
              };
          const names = outputNames(duckNames, this.selectItems);
          rejectDuplicates(names);
          return names.map((name, i) => fieldSchemaOfDuckType(name, types[i] as DuckDBType));
        } finally {
          prepared.destroySync();
        }
      } catch (err) {
        throw this.located(duckError(err), statement.shape.sig);
      }
    });
  }

  /** DuckDB's "Unrecognized name: x" with BigQuery's position of the first reference to x in the statement. */
  private located(err: BigQueryError, sig: readonly Token[]): BigQueryError {
    const name = /^Unrecognized name: ([^ ]+)$/.exec(err.message)?.[1];
    const at = name ? firstReference(sig, name) : undefined;
    if (!at || at.start < 0) return err;
    return invalidQuery(`Unrecognized name: ${at.value} at ${position(this.config.query, at.start)}`);
  }

  /** Logical bytes the query reads: referenced columns of each table, whole tables for `*` and DML targets. */
  private async bytesProcessed(): Promise<bigint> {
    let total = 0n;
    for (const [key, ref] of this.reads.tables) {
      const detail = await this.catalog.detail(ref);
      if (!detail) continue;
      if (this.reads.fullyRead.has(key)) {
        total += detail.numBytes;
        continue;
      }
      for (const [column, bytes] of detail.columnBytes)
        if (this.reads.columnNames.has(column)) total += bytes;
    }
    return total;
  }
}

/** BigQuery's output column names: aliases, column names, `f0_`, `f1_`, … for unnamed expressions. */
export function outputNames(duckNames: readonly string[], items: readonly SelectItem[]): string[] {
  const stars = items.filter((i) => i.kind === 'star').length;
  if (stars > 1 || (stars === 0 && items.length !== duckNames.length)) return [...duckNames];
  const starWidth = duckNames.length - (items.length - stars);
  let anonymous = 0;
  const names: string[] = [];
  for (const item of items) {
    if (item.kind === 'star') {
      names.push(...duckNames.slice(names.length, names.length + starWidth));
      continue;
    }
    names.push(item.alias || (item.kind === 'column' ? (item.column ?? '') : `f${anonymous++}_`));
  }
  return names;
}

/**
 * Result columns when DuckDB defers them until parameters are bound (e.g. a field of a STRUCT parameter):
 * runs the query with its parameters under `LIMIT 0`.
 */
async function boundColumns(
  connection: DuckDBConnection,
  statement: PlannedStatement,
): Promise<{ duckNames: string[]; types: DuckDBType[] }> {
  const { values, types } = statement.params.bindings();
  const result = await connection.run(`SELECT * FROM (${statement.sql}) AS q LIMIT 0`, values, types);
  return { duckNames: result.columnNames(), types: result.columnTypes() };
}

function rejectDuplicates(names: readonly string[]): void {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const name of names) {
    const key = name.toLowerCase();
    if (seen.has(key)) duplicates.add(name);
    seen.add(key);
  }
  if (duplicates.size > 0) {
    throw invalidQuery(
      `Duplicate column names in the result are not supported. Found duplicate(s): ${[...duplicates].join(', ')}`,
    );
  }
}
