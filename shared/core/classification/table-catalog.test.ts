// The functions' one table cache: the gateway's classifications and the executor's lineage metadata come from
// one describeTable per table per TTL; failures are not cached.

import assert from 'node:assert/strict';
import { ManualClock } from '../../test-support/memory-ports.ts';
import type { TableRef } from '../query/facts.ts';
import type { TableMetadata } from './classify.ts';
import { DEFAULT_CLASSIFICATION } from './config.ts';
import { TableCatalog } from './table-catalog.ts';

const TABLE: TableRef = { projectId: 'p', datasetId: 'clinical', tableId: 'patients' };

function catalog(answers: (() => Promise<TableMetadata>)[]) {
  const clock = new ManualClock();
  const described: string[] = [];
  const c = new TableCatalog({
    metadata: {
      describeTable: (table) => {
        described.push(table.tableId);
        return answers.shift()!();
      },
    },
    config: DEFAULT_CLASSIFICATION,
    clock,
    ttlMs: 1000,
  });
  return { c, clock, described };
}

const meta = (labels: Record<string, string>): TableMetadata => ({
  table: TABLE,
  labels,
  datasetLabels: {},
  fields: [],
});

describe('TableCatalog', () => {
  it('describes a table once per TTL for both its metadata and its classification', async () => {
    const { c, clock, described } = catalog([async () => meta({ phi: 'true' }), async () => meta({})]);
    assert.deepEqual((await c.describe(TABLE)).labels, { phi: 'true' });
    assert.equal((await c.classify([TABLE]))[0]?.phi, true);
    await c.describe(TABLE);
    assert.deepEqual(described, ['patients']);
    clock.advance(1000);
    assert.equal((await c.classify([TABLE]))[0]?.phi, false);
    assert.deepEqual(described, ['patients', 'patients']);
  });

  it('does not cache a failed description', async () => {
    const { c, described } = catalog([
      async () => {
        throw new Error('BigQuery is unavailable');
      },
      async () => meta({}),
    ]);
    await assert.rejects(c.describe(TABLE), /unavailable/);
    assert.equal((await c.classify([TABLE]))[0]?.phi, false);
    assert.deepEqual(described, ['patients', 'patients']);
  });
});
