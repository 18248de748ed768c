// Integration tests: the official @google-cloud/storage client against the stand-in on an ephemeral port.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Bucket, GetFilesOptions, SaveOptions } from '@google-cloud/storage';
import { CRC32C, Storage } from '@google-cloud/storage';
import { crc32cBase64 } from '../crc32c.ts';
import { SpyLatency } from '../spy-latency.ts';
import { parseRoute } from './router.ts';
import { storageCallKind } from './server.ts';
import type { Fixture } from './test-fixture.ts';
import {
  caught,
  ManualClock,
  PROJECT_ID,
  startFixture,
  statusOf,
  stopFixture,
  uniqueBucketName,
} from './test-fixture.ts';

const HOUR = 3600;

/** The ways `file.save` uploads: multipart (`resumable: false`), one resumable request, several chunks. */
const UPLOAD_MODES: { label: string; options: SaveOptions; size: number }[] = [
  { label: 'multipart (resumable: false)', options: { resumable: false }, size: 1000 },
  { label: 'resumable, single request', options: {}, size: 1000 },
  { label: 'resumable, 256 KiB chunks', options: { chunkSize: 256 * 1024 }, size: 600 * 1024 },
];

function bytes(size: number, seed: number): Buffer {
  return Buffer.from(Array.from({ length: size }, (_, i) => (i * 31 + seed) % 251));
}

function md5Base64(data: Buffer): string {
  return createHash('md5').update(data).digest('base64');
}

describe('storage stand-in with the official client', () => {
  let fx: Fixture;

  before(async () => {
    delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
    delete process.env.STORAGE_EMULATOR_HOST;
    fx = await startFixture();
  });
  after(() => stopFixture(fx));

  async function newBucket(label: string, retentionSeconds?: number): Promise<Bucket> {
    const metadata =
      retentionSeconds === undefined ? {} : { retentionPolicy: { retentionPeriod: retentionSeconds } };
    const [bucket] = await fx.storage.createBucket(uniqueBucketName(label), metadata);
    return bucket;
  }

  describe('buckets', () => {
    it('creates a bucket with a retention policy and reads it back', async () => {
      const bucket = await newBucket('create', HOUR);
      const [metadata] = await fx.storage.bucket(bucket.name).getMetadata();
      assert.equal(metadata.name, bucket.name);
      assert.deepEqual(metadata.retentionPolicy, {
        retentionPeriod: '3600',
        effectiveTime: fx.clock.now().toISOString(),
        isLocked: false,
      });
    });

    it('locks the retention policy when ifMetagenerationMatch is current', async () => {
      const bucket = await newBucket('lock', HOUR);
      const [before] = await bucket.getMetadata();
      await bucket.lock(before.metageneration as string);
      const [after] = await bucket.getMetadata();
      assert.equal(after.retentionPolicy?.isLocked, true);
      assert.equal(after.retentionPolicy?.retentionPeriod, '3600');
    });

    it('refuses to lock with a stale metageneration (412)', async () => {
      const bucket = await newBucket('stale-lock', HOUR);
      await bucket.setRetentionPeriod(2 * HOUR);
      const err = await caught(() => bucket.lock('1'));
      assert.equal(statusOf(err), 412);
      assert.equal((await bucket.getMetadata())[0].retentionPolicy?.isLocked, false);
    });

    const policyChanges = [
      { change: 'shortening', locked: true, apply: (b: Bucket) => b.setRetentionPeriod(60), expect: 403 },
      { change: 'removing', locked: true, apply: (b: Bucket) => b.removeRetentionPeriod(), expect: 403 },
      {
        change: 'lengthening',
        locked: true,
        apply: (b: Bucket) => b.setRetentionPeriod(2 * HOUR),
        expect: 200,
      },
      { change: 'shortening', locked: false, apply: (b: Bucket) => b.setRetentionPeriod(60), expect: 200 },
      { change: 'removing', locked: false, apply: (b: Bucket) => b.removeRetentionPeriod(), expect: 200 },
    ];
    for (const { change, locked, apply, expect } of policyChanges) {
      const state = locked ? 'locked' : 'unlocked';
      it(`${expect === 200 ? 'allows' : 'refuses (403)'} ${change} an ${state} retention policy`, async () => {
        const bucket = await newBucket(`policy-${change}`, HOUR);
        if (locked) await bucket.lock((await bucket.getMetadata())[0].metageneration as string);
        const [before] = await bucket.getMetadata();
        const outcome = await apply(bucket).then(
          () => 200,
          (err: Record<string, unknown>) => statusOf(err),
        );
        assert.equal(outcome, expect);
        const [after] = await bucket.getMetadata();
        if (expect === 403) assert.deepEqual(after.retentionPolicy, before.retentionPolicy);
        else assert.notDeepEqual(after.retentionPolicy, before.retentionPolicy);
      });
    }

    it('creates the BucketSpec buckets at start-up, locked when asked', async () => {
      const other = await startFixture({
        buckets: [{ name: 'spec-locked', retentionPeriodSeconds: 90, locked: true }],
      });
      try {
        const [metadata] = await other.storage.bucket('spec-locked').getMetadata();
        assert.equal(metadata.retentionPolicy?.retentionPeriod, '90');
        assert.equal(metadata.retentionPolicy?.isLocked, true);
      } finally {
        await stopFixture(other);
      }
    });

    it('answers 404 for a bucket that does not exist', async () => {
      const err = await caught(() => fx.storage.bucket('no-such-bucket').getMetadata());
      assert.equal(statusOf(err), 404);
      assert.equal((await fx.storage.bucket('no-such-bucket').exists())[0], false);
    });
  });

  describe('uploads', () => {
    let bucket: Bucket;
    before(async () => {
      bucket = await newBucket('uploads');
    });

    for (const mode of UPLOAD_MODES) {
      it(`stores the bytes and returns md5Hash, crc32c, size and generation via ${mode.label}`, async () => {
        const data = bytes(mode.size, 7);
        const file = bucket.file(`upload/${mode.label}.bin`);
        await file.save(data, {
          ...mode.options,
          contentType: 'application/x-test',
          metadata: { metadata: { k: 'v' } },
        });
        const [metadata] = await file.getMetadata();
        assert.equal(metadata.md5Hash, md5Base64(data));
        assert.equal(metadata.crc32c, crc32cBase64(data));
        assert.equal(metadata.size, String(data.length));
        assert.equal(metadata.contentType, 'application/x-test');
        assert.deepEqual(metadata.metadata, { k: 'v' });
        assert.match(String(metadata.generation), /^[1-9]\d*$/);
        assert.equal(metadata.metageneration, '1');
        assert.deepEqual((await file.download())[0], data);
      });

      it(`refuses a second upload with ifGenerationMatch: 0 (412) via ${mode.label}`, async () => {
        const file = bucket.file(`create-only/${mode.label}`);
        const first = bytes(mode.size, 1);
        await file.save(first, { ...mode.options, preconditionOpts: { ifGenerationMatch: 0 } });
        const err = await caught(() =>
          file.save(bytes(mode.size, 2), { ...mode.options, preconditionOpts: { ifGenerationMatch: 0 } }),
        );
        assert.equal(statusOf(err), 412);
        assert.deepEqual((await file.download())[0], first);
      });
    }

    it('lets exactly one of several concurrent ifGenerationMatch: 0 uploads win', async () => {
      const file = bucket.file('race');
      const attempts = ['a', 'b', 'c', 'd', 'e'].map((body) =>
        file.save(body, { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } }).then(
          () => body,
          (err: Record<string, unknown>) => statusOf(err),
        ),
      );
      const outcomes = await Promise.all(attempts);
      const winners = outcomes.filter((o) => typeof o === 'string');
      assert.equal(winners.length, 1);
      assert.deepEqual(
        outcomes.filter((o) => typeof o !== 'string'),
        [412, 412, 412, 412],
      );
      assert.equal((await file.download())[0].toString(), winners[0]);
    });

    it('overwrites when ifGenerationMatch names the live generation, with a larger generation', async () => {
      const file = bucket.file('overwrite-by-generation');
      await file.save('one', { resumable: false });
      const [before] = await file.getMetadata();
      await file.save('two', {
        resumable: false,
        preconditionOpts: { ifGenerationMatch: Number(before.generation) },
      });
      const [after] = await file.getMetadata();
      assert.ok(Number(after.generation) > Number(before.generation));
      assert.equal((await file.download())[0].toString(), 'two');
    });

    it('refuses an upload whose ifMetagenerationMatch does not hold (412)', async () => {
      const file = bucket.file('metageneration');
      await file.save('one', { resumable: false });
      const err = await caught(() =>
        file.save('two', { resumable: false, preconditionOpts: { ifMetagenerationMatch: 9 } }),
      );
      assert.equal(statusOf(err), 412);
    });

    const wrongChecksums = [
      {
        label: 'a wrong crc32c in multipart metadata',
        options: { resumable: false, metadata: { crc32c: 'AAAAAA==' } },
      },
      {
        label: 'a wrong md5Hash in multipart metadata',
        options: { resumable: false, metadata: { md5Hash: 'AAAAAAAAAAAAAAAAAAAAAA==' } },
      },
      {
        label: 'a wrong crc32c in resumable session metadata',
        options: { metadata: { crc32c: 'AAAAAA==' } },
      },
    ];
    for (const { label, options } of wrongChecksums) {
      it(`rejects ${label} with 400 and stores nothing`, async () => {
        const file = bucket.file(`bad-checksum/${label}`);
        const err = await caught(() => file.save('payload', options));
        assert.equal(statusOf(err), 400);
        assert.match(String(err.message), /doesn't match calculated/);
        assert.equal((await file.exists())[0], false);
      });
    }

    it('accepts uploadType=media with the body as the object', async () => {
      const url = `${fx.standIn.url}/upload/storage/v1/b/${bucket.name}/o?uploadType=media&name=media%2Fraw.txt`;
      const response = await fetch(url, {
        method: 'POST',
        body: 'raw body',
        headers: { 'content-type': 'text/plain' },
      });
      assert.equal(response.status, 200);
      const resource = (await response.json()) as Record<string, unknown>;
      assert.equal(resource.name, 'media/raw.txt');
      assert.equal(resource.contentType, 'text/plain');
      assert.equal((await bucket.file('media/raw.txt').download())[0].toString(), 'raw body');
    });
  });

  describe('downloads', () => {
    let bucket: Bucket;
    const data = bytes(5000, 3);
    before(async () => {
      bucket = await newBucket('downloads');
      await bucket.file('d/object.bin').save(data, { resumable: false });
    });

    it('passes the client crc32c validation, which really compares against x-goog-hash', async () => {
      const validated: { expected: string; ok: boolean }[] = [];
      const storage = new Storage({
        apiEndpoint: fx.standIn.url,
        projectId: PROJECT_ID,
        crc32cGenerator: () => {
          const inner = new CRC32C();
          return {
            update: (chunk: Buffer) => inner.update(chunk),
            toString: () => inner.toString(),
            validate: (expected: string) => {
              const ok = inner.validate(expected);
              validated.push({ expected, ok });
              return ok;
            },
          };
        },
      });
      const [downloaded] = await storage
        .bucket(bucket.name)
        .file('d/object.bin')
        .download({ validation: 'crc32c' });
      assert.deepEqual(downloaded, data);
      assert.deepEqual(validated, [{ expected: crc32cBase64(data), ok: true }]);
    });

    it('passes the client md5 validation (which fails when the header lacks md5)', async () => {
      const [downloaded] = await bucket.file('d/object.bin').download({ validation: 'md5' });
      assert.deepEqual(downloaded, data);
    });

    it('sends x-goog-hash, generation and stored-encoding headers on /download/storage/v1', async () => {
      const [metadata] = await bucket.file('d/object.bin').getMetadata();
      const response = await fetch(
        `${fx.standIn.url}/download/storage/v1/b/${bucket.name}/o/d%2Fobject.bin?alt=media`,
      );
      assert.equal(response.status, 200);
      assert.equal(
        response.headers.get('x-goog-hash'),
        `crc32c=${crc32cBase64(data)},md5=${md5Base64(data)}`,
      );
      assert.equal(response.headers.get('x-goog-generation'), metadata.generation);
      assert.equal(response.headers.get('x-goog-metageneration'), '1');
      assert.equal(response.headers.get('x-goog-stored-content-encoding'), 'identity');
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), data);
    });

    const ranges = [
      { options: { start: 10, end: 19 }, expected: data.subarray(10, 20) },
      { options: { start: 4990 }, expected: data.subarray(4990) },
      { options: { end: -5 }, expected: data.subarray(4995) },
    ];
    for (const { options, expected } of ranges) {
      it(`returns only the requested bytes for download(${JSON.stringify(options)})`, async () => {
        const [downloaded] = await bucket.file('d/object.bin').download(options);
        assert.deepEqual(downloaded, expected);
      });
    }

    const missing = [
      { operation: 'getMetadata', run: (b: Bucket) => b.file('missing').getMetadata() },
      { operation: 'download', run: (b: Bucket) => b.file('missing').download() },
      { operation: 'delete', run: (b: Bucket) => b.file('missing').delete() },
    ];
    for (const { operation, run } of missing) {
      it(`answers 404 to ${operation} of a missing object`, async () => {
        const err = await caught(() => run(bucket));
        assert.equal(statusOf(err), 404);
        assert.match(String(err.message), /No such object/);
      });
    }
  });

  describe('listing', () => {
    let bucket: Bucket;
    const names = [
      'logs/2030/01/a',
      'logs/2030/01/b',
      'logs/2030/02/c',
      'logs/2031/d',
      'logs-top',
      'other/e',
    ];
    before(async () => {
      bucket = await newBucket('listing');
      for (const name of names) await bucket.file(name).save(name, { resumable: false });
    });

    it('pages through a prefix in lexicographic order with maxResults and pageToken', async () => {
      const pages: string[][] = [];
      let query: GetFilesOptions | null = { prefix: 'logs/', maxResults: 2, autoPaginate: false };
      while (query) {
        const [files, next] = await bucket.getFiles(query);
        pages.push(files.map((f) => f.name));
        query = next as GetFilesOptions | null;
      }
      assert.deepEqual(pages, [
        ['logs/2030/01/a', 'logs/2030/01/b'],
        ['logs/2030/02/c', 'logs/2031/d'],
      ]);
    });

    it('rolls names up into prefixes with a delimiter', async () => {
      const [files, , response] = await bucket.getFiles({
        prefix: 'logs/',
        delimiter: '/',
        autoPaginate: false,
      });
      assert.deepEqual(
        files.map((f) => f.name),
        [],
      );
      assert.deepEqual((response as { prefixes?: string[] }).prefixes, ['logs/2030/', 'logs/2031/']);
    });

    it('limits the listing to [startOffset, endOffset)', async () => {
      const [files] = await bucket.getFiles({ startOffset: 'logs/2030/01/b', endOffset: 'logs/2031/d' });
      assert.deepEqual(
        files.map((f) => f.name),
        ['logs/2030/01/b', 'logs/2030/02/c'],
      );
    });
  });

  describe('retention', () => {
    it('refuses to delete an object under retention (403) with the service message', async () => {
      const bucket = await newBucket('retained-delete', HOUR);
      const file = bucket.file('audit/1.json');
      await file.save('{}', { resumable: false });
      const err = await caught(() => file.delete());
      assert.equal(statusOf(err), 403);
      const until = new Date(fx.clock.now().getTime() + HOUR * 1000).toISOString();
      assert.equal(
        err.message,
        `Object '${bucket.name}/audit/1.json' is subject to bucket's retention policy or object retention and ` +
          `cannot be deleted or overwritten until ${until}`,
      );
      assert.equal((await file.exists())[0], true);
    });

    for (const mode of UPLOAD_MODES) {
      it(`refuses to overwrite an object under retention (403) via ${mode.label}`, async () => {
        const bucket = await newBucket('retained-overwrite', HOUR);
        const file = bucket.file('audit/2.json');
        await file.save('original', { resumable: false });
        const err = await caught(() => file.save(bytes(mode.size, 9), mode.options));
        assert.equal(statusOf(err), 403);
        assert.equal((await file.download())[0].toString(), 'original');
      });
    }

    it('reports retentionExpirationTime as timeCreated plus the retention period', async () => {
      const bucket = await newBucket('expiry', HOUR);
      await bucket.file('x').save('x', { resumable: false });
      const [metadata] = await bucket.file('x').getMetadata();
      const expected = new Date(Date.parse(String(metadata.timeCreated)) + HOUR * 1000).toISOString();
      assert.equal(metadata.retentionExpirationTime, expected);
    });

    it('allows delete and overwrite once the retention period has passed', async () => {
      const clock = new ManualClock('2031-06-01T00:00:00.000Z');
      const other = await startFixture({ clock });
      try {
        const [bucket] = await other.storage.createBucket('expiring', {
          retentionPolicy: { retentionPeriod: 60 },
        });
        await bucket.file('gone').save('a', { resumable: false });
        await bucket.file('replaced').save('a', { resumable: false });
        clock.advance(59_000);
        assert.equal(statusOf(await caught(() => bucket.file('gone').delete())), 403);
        clock.advance(1_000);
        await bucket.file('gone').delete();
        await bucket.file('replaced').save('b', { resumable: false });
        assert.equal((await bucket.file('gone').exists())[0], false);
        assert.equal((await bucket.file('replaced').download())[0].toString(), 'b');
      } finally {
        await stopFixture(other);
      }
    });
  });
});

describe('storage stand-in request log', () => {
  it('logs one line per request with method, path and status', async () => {
    const lines: string[] = [];
    const fx = await startFixture({ log: (line) => lines.push(line) });
    try {
      await caught(() => fx.storage.bucket('absent').getMetadata());
      assert.deepEqual(lines, ['GET /storage/v1/b/absent? 404']);
    } finally {
      await stopFixture(fx);
    }
  });
});

describe('storage stand-in latency model', () => {
  const route = (path: string) => parseRoute(path);
  const none = new URLSearchParams();
  const cases = [
    { name: 'a simple upload', method: 'POST', path: '/upload/storage/v1/b/a/o', kind: 'storage.write' },
    { name: 'a resumable chunk', method: 'PUT', path: '/upload/storage/v1/b/a/o', kind: 'storage.write' },
    { name: 'a delete', method: 'DELETE', path: '/storage/v1/b/a/o/x', kind: 'storage.write' },
    { name: 'a media download', method: 'GET', path: '/download/storage/v1/b/a/o/x', kind: 'storage.read' },
    { name: 'an object listing', method: 'GET', path: '/storage/v1/b/a/o', kind: 'storage.list' },
    { name: 'an object metadata read', method: 'GET', path: '/storage/v1/b/a/o/x', kind: 'storage.metadata' },
    { name: 'a path outside the API', method: 'GET', path: '/nothing', kind: 'storage.metadata' },
  ];
  for (const c of cases)
    it(`classifies ${c.name} as ${c.kind}`, () =>
      assert.equal(storageCallKind(c.method, route(c.path), none), c.kind));

  it('classifies a JSON-API object read with alt=media as a read', () => {
    const query = new URLSearchParams({ alt: 'media' });
    assert.equal(storageCallKind('GET', route('/storage/v1/b/a/o/x'), query), 'storage.read');
  });

  it('asks the model for the kind of each call the official client makes', async () => {
    const spy = new SpyLatency();
    const fx = await startFixture({ latency: spy, buckets: [{ name: 'latency-bucket' }] });
    try {
      const file = fx.storage.bucket('latency-bucket').file('a.jsonl');
      await file.save('line\n', { resumable: false });
      const [data] = await file.download();
      assert.equal(data.toString(), 'line\n');
      assert.deepEqual(spy.kinds, ['storage.write', 'storage.read']);
    } finally {
      await stopFixture(fx);
    }
  });
});

describe('storage stand-in persistence', () => {
  it('keeps buckets, objects, metadata and increasing generations across a restart', async () => {
    const clock = new ManualClock('2032-01-01T00:00:00.000Z');
    const first = await startFixture({ clock });
    const [bucket] = await first.storage.createBucket('durable', {
      retentionPolicy: { retentionPeriod: HOUR },
    });
    await bucket.lock((await bucket.getMetadata())[0].metageneration as string);
    await bucket
      .file('trail/0001.json')
      .save('{"seq":1}', { resumable: false, metadata: { metadata: { seq: '1' } } });
    const [bucketBefore] = await bucket.getMetadata();
    const [objectBefore] = await bucket.file('trail/0001.json').getMetadata();
    await stopFixture(first, true);

    const second = await startFixture({ clock, stateDir: first.stateDir });
    try {
      const reopened = second.storage.bucket('durable');
      const [bucketAfter] = await reopened.getMetadata();
      const [objectAfter] = await reopened.file('trail/0001.json').getMetadata();
      assert.deepEqual(withoutLinks(bucketAfter), withoutLinks(bucketBefore));
      assert.deepEqual(withoutLinks(objectAfter), withoutLinks(objectBefore));
      assert.equal((await reopened.file('trail/0001.json').download())[0].toString(), '{"seq":1}');
      assert.equal(statusOf(await caught(() => reopened.file('trail/0001.json').delete())), 403);
      await reopened.file('trail/0002.json').save('{"seq":2}', { resumable: false });
      const [next] = await reopened.file('trail/0002.json').getMetadata();
      assert.ok(Number(next.generation) > Number(objectBefore.generation));
    } finally {
      await stopFixture(second);
    }
  });
});

/** A resource without the fields that embed the (per-run) port. */
function withoutLinks(resource: object): object {
  const { selfLink: _s, mediaLink: _m, ...rest } = resource as Record<string, unknown>;
  return rest;
}

describe('storage stand-in client configuration (no Google credentials)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of ['GOOGLE_APPLICATION_CREDENTIALS', 'STORAGE_EMULATOR_HOST']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  async function exercise(storage: Storage): Promise<string[]> {
    const [bucket] = await storage.createBucket(uniqueBucketName('config'));
    await bucket.file('a').save('multipart', { resumable: false });
    await bucket.file('b').save('resumable');
    const [a] = await bucket.file('a').download();
    const [b] = await bucket.file('b').download();
    return [a.toString(), b.toString()];
  }

  const configurations = [
    {
      label: 'apiEndpoint + projectId, with GOOGLE_APPLICATION_CREDENTIALS naming a missing file',
      client: (url: string) => {
        process.env.GOOGLE_APPLICATION_CREDENTIALS = '/nonexistent/warden-credentials.json';
        return new Storage({ apiEndpoint: url, projectId: PROJECT_ID });
      },
    },
    {
      label: 'STORAGE_EMULATOR_HOST=<url> + projectId',
      client: (url: string) => {
        process.env.STORAGE_EMULATOR_HOST = url;
        return new Storage({ projectId: PROJECT_ID });
      },
    },
    {
      label: 'STORAGE_EMULATOR_HOST=<url>/storage/v1 + projectId',
      client: (url: string) => {
        process.env.STORAGE_EMULATOR_HOST = `${url}/storage/v1`;
        return new Storage({ projectId: PROJECT_ID });
      },
    },
  ];
  for (const { label, client } of configurations) {
    it(`serves uploads and downloads with ${label}`, async () => {
      const fx = await startFixture();
      try {
        assert.deepEqual(await exercise(client(fx.standIn.url)), ['multipart', 'resumable']);
      } finally {
        await stopFixture(fx);
      }
    });
  }
});
