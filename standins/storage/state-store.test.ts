// Tests for the durable state store: reload, crash leftovers, and never-reused generations.

import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BucketRecord, ObjectRecord } from './records.ts';
import { compareNames, StateStore } from './state-store.ts';

const NOW = new Date('2030-01-01T00:00:00.000Z');

const bucket: BucketRecord = {
  name: 'bkt',
  projectId: 'p',
  timeCreated: NOW.toISOString(),
  updated: NOW.toISOString(),
  metageneration: 1,
  labels: {},
};

function object(name: string, generation: number): ObjectRecord {
  return {
    bucket: 'bkt',
    name,
    generation,
    metageneration: 1,
    size: 3,
    md5Hash: 'm',
    crc32c: 'c',
    contentType: 'text/plain',
    timeCreated: NOW.toISOString(),
    updated: NOW.toISOString(),
  };
}

describe('StateStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'warden-state-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const objectsDir = () => join(dir, 'buckets', 'bkt', 'objects');

  it('reloads buckets, objects and bytes from disk', async () => {
    const first = await StateStore.open(dir);
    await first.saveBucket(bucket);
    await first.putObject(object('a/b', 5), Buffer.from('abc'));
    const second = await StateStore.open(dir);
    assert.deepEqual(second.bucket('bkt'), bucket);
    assert.deepEqual(second.object('bkt', 'a/b'), object('a/b', 5));
    assert.equal((await second.readObjectData(object('a/b', 5))).toString(), 'abc');
  });

  it('replaces the data file on overwrite and removes it on delete', async () => {
    const store = await StateStore.open(dir);
    await store.saveBucket(bucket);
    await store.putObject(object('x', 1), Buffer.from('one'));
    await store.putObject(object('x', 2), Buffer.from('two'));
    assert.equal((await readdir(objectsDir())).filter((f) => f.endsWith('.bin')).length, 1);
    await store.deleteObject('bkt', 'x');
    assert.deepEqual(await readdir(objectsDir()), []);
    assert.equal((await StateStore.open(dir)).object('bkt', 'x'), undefined);
  });

  it('sweeps temp files and unreferenced data files left by a crash', async () => {
    const store = await StateStore.open(dir);
    await store.saveBucket(bucket);
    await store.putObject(object('kept', 1), Buffer.from('k'));
    await writeFile(join(objectsDir(), 'deadbeef.g9.bin'), 'orphan');
    await writeFile(join(objectsDir(), 'x.json.123.tmp'), 'partial');
    await StateStore.open(dir);
    const files = await readdir(objectsDir());
    assert.equal(files.length, 2);
    assert.ok(files.every((f) => !f.includes('deadbeef') && !f.endsWith('.tmp')));
  });

  it('hands out increasing generations across reopen, even when the clock goes back', async () => {
    const first = await StateStore.open(dir);
    const a = await first.allocateGeneration(NOW);
    const second = await StateStore.open(dir);
    const b = await second.allocateGeneration(new Date(NOW.getTime() - 60_000));
    const c = await second.allocateGeneration(new Date(NOW.getTime() + 1));
    assert.equal(a, NOW.getTime() * 1000);
    assert.ok(b > a);
    assert.ok(c > b);
  });

  it('reserves generations ahead, so generation.json is not rewritten for every object', async () => {
    const store = await StateStore.open(dir);
    const first = await store.allocateGeneration(NOW);
    const reserved = await readFile(join(dir, 'generation.json'), 'utf8');
    let last = first;
    for (let i = 1; i <= 100; i++) last = await store.allocateGeneration(new Date(NOW.getTime() + i));
    assert.equal(await readFile(join(dir, 'generation.json'), 'utf8'), reserved);
    // A reopened store starts above the reservation, so nothing handed out before can come back.
    const reopened = await StateStore.open(dir);
    const next = await reopened.allocateGeneration(NOW);
    assert.ok(next > last && next > JSON.parse(reserved).last, `${next} after ${last}`);
    // Past the reservation, it is extended.
    await reopened.allocateGeneration(new Date(NOW.getTime() + 3_600_000));
    assert.notEqual(await readFile(join(dir, 'generation.json'), 'utf8'), reserved);
  });

  it('lists object names in UTF-8 byte order', async () => {
    const store = await StateStore.open(dir);
    await store.saveBucket(bucket);
    for (const name of ['b', '\u{1F600}', '\uFF5E', 'a/z', 'a-z']) {
      await store.putObject(object(name, 1), Buffer.from('x'));
    }
    assert.deepEqual(store.objectNames('bkt'), ['a-z', 'a/z', 'b', '\uFF5E', '\u{1F600}']);
  });

  it('compares names by UTF-8 bytes, not UTF-16 code units', () => {
    assert.ok(compareNames('\uFF5E', '\u{1F600}') < 0);
    assert.ok('\uFF5E' > '\u{1F600}'); // the JS default order differs
  });
});
