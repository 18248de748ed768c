// A per-instance cache of table classifications, refreshed after a TTL, so policy sees BigQuery labels and
// policy tags without a metadata round trip on every request.

import type { Clock } from '../../ports/clock.ts';
import type { WarehouseMetadata } from '../../ports/warehouse.ts';
import { formatTableRef, type TableRef } from '../query/facts.ts';
import { classifyTable, type TableClassification } from './classify.ts';
import type { ClassificationConfig } from './config.ts';

/** Classifies tables through the warehouse's metadata, caching each for `ttlMs`. Failures are not cached. */
export class TableCatalog {
  readonly #metadata: Pick<WarehouseMetadata, 'describeTable'>;
  readonly #config: ClassificationConfig;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #cache = new Map<string, { at: number; value: Promise<TableClassification> }>();

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
    return Promise.all(tables.filter((t) => !t.tableId.includes('*')).map((t) => this.#one(t)));
  }

  #one(table: TableRef): Promise<TableClassification> {
    const key = formatTableRef(table);
    const now = this.#clock.now().getTime();
    const hit = this.#cache.get(key);
    if (hit && now - hit.at < this.#ttlMs) return hit.value;
    const value = this.#metadata.describeTable(table).then((meta) => classifyTable(this.#config, meta));
    this.#cache.set(key, { at: now, value });
    value.catch(() => this.#cache.delete(key));
    return value;
  }
}
