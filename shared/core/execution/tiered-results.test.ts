import assert from 'node:assert/strict';
import type { StoredResult } from '../../ports/approval-store.ts';
import type { ResultBlobs } from '../../ports/result-blobs.ts';
import { MemoryResults } from '../../test-support/memory-ports.ts';
import { isWardenError } from '../errors.ts';
import { TieredResultStore } from './tiered-results.ts';

class MemoryBlobs implements ResultBlobs {
  readonly objects = new Map<string, Uint8Array>();
  async put(name: string, data: Uint8Array): Promise<string> {
    if (this.objects.has(name)) throw new Error('exists');
    this.objects.set(name, data);
    return `gs://results/${name}`;
  }
  async get(name: string): Promise<Uint8Array | undefined> {
    return this.objects.get(name);
  }
}

const result = (rows: number, width: number): StoredResult => ({
  requestId: 'req-1',
  jobId: 'job-1',
  schema: [
    { name: 'n', type: 'INT64' },
    { name: 'note', type: 'STRING' },
  ],
  rows: Array.from({ length: rows }, (_, i) => ({ n: String(i), note: 'x'.repeat(width) })),
  truncated: false,
  expiresAt: new Date('2026-01-02T00:00:00Z'),
});

describe('TieredResultStore', () => {
  it('keeps a small result inline in its document', async () => {
    const docs = new MemoryResults();
    const blobs = new MemoryBlobs();
    const store = new TieredResultStore(docs, blobs, 10_000);
    const location = await store.put(result(10, 10));
    assert.equal(location, 'memory://req-1');
    assert.equal(blobs.objects.size, 0);
    assert.deepEqual(await store.get('req-1'), result(10, 10));
  });

  it('puts a large result in the bucket, with only a pointer in the document, and reads it back whole', async () => {
    const docs = new MemoryResults();
    const blobs = new MemoryBlobs();
    const store = new TieredResultStore(docs, blobs, 10_000);
    const big = result(100, 200);
    const location = await store.put(big);
    assert.equal(location, 'gs://results/results/req-1.json');
    const doc = docs.docs.get('req-1')!;
    assert.deepEqual(doc.rows, [], 'no rows in the document');
    assert.equal(doc.rowsLocation, location);
    assert.deepEqual(await store.get('req-1'), big);
  });

  it('reports a result whose object is gone as not found, and an unknown request as undefined', async () => {
    const docs = new MemoryResults();
    const blobs = new MemoryBlobs();
    const store = new TieredResultStore(docs, blobs, 10);
    await store.put(result(5, 50));
    blobs.objects.clear();
    await assert.rejects(store.get('req-1'), (e) => isWardenError(e, 'not_found'));
    assert.equal(await store.get('other'), undefined);
  });
});
