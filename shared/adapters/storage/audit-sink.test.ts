// GcsAuditSink's failures name the object (gs://bucket/name) and say what went wrong, so an operator or
// auditor can act on them; a checksum mismatch on read is an integrity failure, not an outage.

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bucket } from '@google-cloud/storage';
import { crc32cBase64 } from '../../core/crc32c.ts';
import { isWardenError, type WardenErrorKind } from '../../core/errors.ts';
import { GcsAuditSink } from './audit-sink.ts';

const NAME = 'v1/streams/2026/03/01/10/gateway-s1/000000000001.jsonl';

/** A bucket double whose every call rejects with `err`. */
function failingBucket(err: Error): Bucket {
  const fail = async () => Promise.reject(err);
  return {
    name: 'warden-audit',
    file: () => ({ download: fail, save: fail, metadata: {} }),
    getFiles: fail,
  } as unknown as Bucket;
}

const status = (code: number, message: string) => Object.assign(new Error(message), { code });

describe('GcsAuditSink errors', () => {
  const cases: {
    name: string;
    call: (s: GcsAuditSink) => Promise<unknown>;
    err: Error;
    kind: WardenErrorKind;
    message: string;
  }[] = [
    {
      name: 'a read of an object whose bytes do not match its stored CRC32C',
      call: (s) => s.read(NAME),
      err: Object.assign(new Error('The downloaded data did not match the data from the server.'), {
        code: 'CONTENT_DOWNLOAD_MISMATCH',
      }),
      kind: 'integrity',
      message: `Audit object gs://warden-audit/${NAME}: the bytes read do not match its stored CRC32C`,
    },
    {
      name: 'a read of a missing object',
      call: (s) => s.read(NAME),
      err: status(404, 'No such object'),
      kind: 'not_found',
      message: `Audit object gs://warden-audit/${NAME} does not exist.`,
    },
    {
      name: 'a read that fails otherwise',
      call: (s) => s.read(NAME),
      err: status(503, 'Service Unavailable'),
      kind: 'unavailable',
      message: `Cloud Storage read of gs://warden-audit/${NAME} failed.`,
    },
    {
      name: 'a listing',
      call: (s) => s.list('v1/streams/'),
      err: status(403, 'denied'),
      kind: 'unavailable',
      message: 'Cloud Storage list of gs://warden-audit/v1/streams/ failed.',
    },
  ];
  for (const c of cases) {
    it(`names the object on ${c.name} (${c.kind}), keeping the client's error as the cause`, async () => {
      await assert.rejects(c.call(new GcsAuditSink(failingBucket(c.err))), (e) => {
        assert.ok(isWardenError(e, c.kind), String(e));
        assert.ok(e.message.startsWith(c.message), e.message);
        assert.equal(e.cause, c.err);
        return true;
      });
    });
  }
});

/** A JSON API endpoint that answers each insert with the next scripted answer, recording what it received. */
async function scriptedStorage(answers: { status: number; body?: unknown }[]) {
  const received: { url: string; headers: http.IncomingHttpHeaders; body: Buffer }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      const a = answers.shift() ?? { status: 500 };
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body ?? {}));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A bucket whose client points at `apiEndpoint`; `existing` is what a read-back finds. */
function bucketAt(apiEndpoint: string, opts: { custom?: boolean; existing?: Uint8Array } = {}): Bucket {
  const existing = opts.existing;
  return {
    name: 'warden-audit',
    storage: {
      apiEndpoint,
      customEndpoint: opts.custom ?? true,
      authClient: { getRequestHeaders: async () => new Headers({ authorization: 'Bearer token-1' }) },
    },
    file: () => ({
      getMetadata: async () => [
        existing ? { crc32c: crc32cBase64(existing), size: String(existing.length) } : {},
      ],
      download: async () => [Buffer.from(existing ?? [])],
    }),
  } as unknown as Bucket;
}

describe('GcsAuditSink writes (JSON API multipart insert)', () => {
  const data = new TextEncoder().encode('{"seq":0}\n');
  const crc = crc32cBase64(data);
  const fast = { retryDelayMs: 1 };

  it('sends one create-only multipart insert with the checksum, and returns what Storage stored', async () => {
    const s = await scriptedStorage([
      { status: 200, body: { generation: '17', size: String(data.length), crc32c: crc } },
    ]);
    try {
      const stored = await new GcsAuditSink(bucketAt(s.url), fast).create(NAME, data, 'application/x-ndjson');
      assert.deepEqual(stored, { name: NAME, generation: '17', size: data.length, crc32c: crc });
      const [req] = s.received;
      assert.equal(req?.url, '/upload/storage/v1/b/warden-audit/o?uploadType=multipart&ifGenerationMatch=0');
      assert.match(
        String(req?.headers['content-type']),
        /^multipart\/related; boundary=warden-[0-9a-f]{24}$/,
      );
      const text = req!.body.toString();
      assert.ok(
        text.includes(JSON.stringify({ name: NAME, contentType: 'application/x-ndjson', crc32c: crc })),
      );
      assert.ok(req!.body.includes(Buffer.from(data)));
      assert.equal(req?.headers.authorization, undefined, 'no credentials to a custom endpoint');
    } finally {
      await s.close();
    }
  });

  it("sends the client's credentials to Google's endpoint", async () => {
    const s = await scriptedStorage([{ status: 200, body: { generation: '1', size: '11', crc32c: crc } }]);
    try {
      await new GcsAuditSink(bucketAt(s.url, { custom: false }), fast).create(
        NAME,
        data,
        'application/x-ndjson',
      );
      assert.equal(s.received[0]?.headers.authorization, 'Bearer token-1');
    } finally {
      await s.close();
    }
  });

  const failures: {
    name: string;
    answers: { status: number; body?: unknown }[];
    existing?: Uint8Array;
    kind: WardenErrorKind;
    message: string;
    requests: number;
  }[] = [
    {
      name: 'a write that keeps failing (retried, then unavailable)',
      answers: [
        { status: 503 },
        { status: 500 },
        { status: 502, body: { error: { message: 'Backend Error' } } },
      ],
      kind: 'unavailable',
      message: `Cloud Storage write of gs://warden-audit/${NAME} failed.`,
      requests: 3,
    },
    {
      name: 'a write refused for good (403: not retried)',
      answers: [{ status: 403 }],
      kind: 'unavailable',
      message: `Cloud Storage write of gs://warden-audit/${NAME} failed.`,
      requests: 1,
    },
    {
      name: 'a write over an existing object',
      answers: [{ status: 412 }],
      existing: data,
      kind: 'conflict',
      message: `Audit object gs://warden-audit/${NAME} already exists.`,
      requests: 1,
    },
    {
      name: 'a retried write that finds another object under its name',
      answers: [{ status: 503 }, { status: 412 }],
      existing: new TextEncoder().encode('{"seq":9}\n'),
      kind: 'conflict',
      message: `Audit object gs://warden-audit/${NAME} already exists.`,
      requests: 2,
    },
    {
      name: 'an insert whose stored checksum differs',
      answers: [{ status: 200, body: { generation: '1', size: '11', crc32c: 'AAAAAA==' } }],
      kind: 'integrity',
      message: `Audit object gs://warden-audit/${NAME}: stored checksum does not match.`,
      requests: 1,
    },
  ];
  for (const c of failures) {
    it(`names the object on ${c.name} (${c.kind})`, async () => {
      const s = await scriptedStorage(c.answers);
      try {
        const sink = new GcsAuditSink(bucketAt(s.url, c.existing ? { existing: c.existing } : {}), fast);
        await assert.rejects(sink.create(NAME, data, 'application/x-ndjson'), (e) => {
          assert.ok(isWardenError(e, c.kind), String(e));
          assert.ok(e.message.startsWith(c.message), e.message);
          return true;
        });
        assert.equal(s.received.length, c.requests);
      } finally {
        await s.close();
      }
    });
  }

  it('a retried write whose earlier attempt landed succeeds: the object holds exactly its bytes', async () => {
    const s = await scriptedStorage([{ status: 503 }, { status: 412 }]);
    try {
      const sink = new GcsAuditSink(bucketAt(s.url, { existing: data }), fast);
      const stored = await sink.create(NAME, data, 'application/x-ndjson');
      assert.equal(stored.crc32c, crc);
      assert.equal(s.received.length, 2);
    } finally {
      await s.close();
    }
  });

  it('an endpoint that does not answer is retried, then unavailable', async () => {
    const sink = new GcsAuditSink(bucketAt('http://127.0.0.1:1'), { ...fast, attempts: 2 });
    await assert.rejects(sink.create(NAME, data, 'application/x-ndjson'), (e) =>
      isWardenError(e, 'unavailable'),
    );
  });
});
