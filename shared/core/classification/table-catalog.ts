// A per-instance cache of table metadata and the classifications made from it, refreshed after a TTL, so policy
// (the gateway) and result lineage (the executor's masking) see BigQuery labels and policy tags without a
// metadata round trip on every request. The functions' one table cache.

import type { Clock } from '../../ports/clock.ts';
import type { WarehouseMetadata } from '../../ports/warehouse.ts';
import { formatTableRef, type TableRef } from '../query/facts.ts';
import { classifyTable, type TableClassification, type TableMetadata } from './classify.ts';
import type { ClassificationConfig } from './config.ts';

/** One table's cached metadata, and its classification once asked for. */
interface Entry {
  at: number;
  metadata: Promise<TableMetadata>;
  classification?: Promise<TableClassification>;
}

/**
 * Describes and classifies tables through the warehouse's metadata, caching each table for `ttlMs`. Failures
 * are not cached.
 */
export class TableCatalog {
  readonly #metadata: Pick<WarehouseMetadata, 'describeTable'>;
  readonly #config: ClassificationConfig;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #cache = new Map<string, Entry>();

  constructor(options: {
    metadata: Pick<WarehouseMetadata, 'describeTable'>;
    config: ClassificationConfig;
    clock: Clock;
    ttlMs?: number;
  }) {
    this.#metadata = options.metadata;
    this.#config = options.config;
    this.#clock = options.clock;
    this.#ttlMs = options.ttlMs ?? 5 * 60_000;
  }

  /** Classifications of `tables` (wildcard tables `x*` are not described: the guard handles them). */
  classify(tables: TableRef[]): Promise<TableClassification[]> {
    return Promise.all(
      tables
        .filter((t) => !t.tableId.includes('*'))
        .map((t) => {
          const entry = this.#entry(t);
          // A pure function of the cached metadata and the policy's config: kept as long as the metadata is.
          entry.classification ??= entry.metadata.then((meta) => classifyTable(this.#config, meta));
          return entry.classification;
        }),
    );
  }

  /** The table's labels and schema (the executor's masking lineage reads them). */
  describe(table: TableRef): Promise<TableMetadata> {
    return this.#entry(table).metadata;
  }

  #entry(table: TableRef): Entry {
    const key = formatTableRef(table);
    const now = this.#clock.now().getTime();
    const hit = this.#cache.get(key);
    if (hit && now - hit.at < this.#ttlMs) return hit;
    const entry: Entry = { at: now, metadata: this.#metadata.describeTable(table) };
    this.#cache.set(key, entry);
    entry.metadata.catch(() => {
      if (this.#cache.get(key) === entry) this.#cache.delete(key);
    });
    return entry;
  }
}
