// The Cloud Storage audit sink against the Storage stand-in: create-only writes under a locked retention policy.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createStorageClient } from '../shared/adapters/clients.ts';
import { GcsAuditSink } from '../shared/adapters/storage/audit-sink.ts';
import { isWardenError } from '../shared/core/errors.ts';
import { theStack } from './harness.ts';

describe('GcsAuditSink (Cloud Storage stand-in)', () => {
  let sink: GcsAuditSink;
  let bucketName: string;
  const prefix = `tests/${randomUUID()}/`;
  before(async () => {
    const info = theStack().info;
    bucketName = info.auditBucket;
    sink = new GcsAuditSink(
      (await createStorageClient(info.projectId, info.endpoints.storage)).bucket(bucketName),
    );
  });

  it('creates an object, reports its CRC32C, and reads it back', async () => {
    const data = new TextEncoder().encode('{"seq":0}\n');
    const stored = await sink.create(`${prefix}a.jsonl`, data, 'application/x-ndjson');
    assert.equal(stored.size, data.length);
    assert.ok(stored.generation);
    assert.deepEqual(Buffer.from(await sink.read(`${prefix}a.jsonl`)), Buffer.from(data));
  });

  it('never overwrites: a second create of the same name is a conflict', async () => {
    await sink.create(`${prefix}b.jsonl`, new TextEncoder().encode('1'), 'text/plain');
    await assert.rejects(sink.create(`${prefix}b.jsonl`, new TextEncoder().encode('2'), 'text/plain'), (e) =>
      isWardenError(e, 'conflict'),
    );
    assert.equal(new TextDecoder().decode(await sink.read(`${prefix}b.jsonl`)), '1');
  });

  it('lists by prefix in name order', async () => {
    for (const n of ['d', 'c']) await sink.create(`${prefix}list/${n}`, new Uint8Array([1]), 'text/plain');
    assert.deepEqual(await sink.list(`${prefix}list/`), [`${prefix}list/c`, `${prefix}list/d`]);
  });

  it('cannot delete a record while the bucket retention holds it', async () => {
    const info = theStack().info;
    await sink.create(`${prefix}e`, new Uint8Array([1]), 'text/plain');
    const storage = await createStorageClient(info.projectId, info.endpoints.storage);
    const [meta] = await storage.bucket(bucketName).getMetadata();
    assert.equal(meta.retentionPolicy?.isLocked, true);
    await assert.rejects(
      storage.bucket(bucketName).file(`${prefix}e`).delete(),
      (e: { code?: number }) => e.code === 403,
    );
  });

  it('reports a missing object as not_found', async () => {
    await assert.rejects(sink.read(`${prefix}missing`), (e) => isWardenError(e, 'not_found'));
  });
});

describe('policy from a Cloud Storage object (Storage stand-in)', () => {
  it('reads the policy from gs://bucket/object, and refuses a missing one', async () => {
    const { readPolicyText } = await import('../shared/adapters/function-compose.ts');
    const { readLocation } = await import('../shared/adapters/storage/read-location.ts');
    const info = theStack().info;
    const storage = await createStorageClient(info.projectId, info.endpoints.storage);
    // The functions' policy loader over the Storage port their ports.ts builds.
    const read = (location: string) => readLocation(location, storage);
    const [bucket] = await storage.createBucket(`policies-${randomUUID().slice(0, 8)}`);
    await bucket.file('warden/policy.yaml').save('version: 1\nrules: []\n', { resumable: false });
    assert.equal(
      await readPolicyText(`gs://${bucket.name}/warden/policy.yaml`, read),
      'version: 1\nrules: []\n',
    );
    await assert.rejects(readPolicyText(`gs://${bucket.name}/missing.yaml`, read), (e) =>
      isWardenError(e, 'failed_precondition'),
    );
  });
});
