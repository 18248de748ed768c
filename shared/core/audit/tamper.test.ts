// Tampering with a digested and checkpointed trail: every kind of alteration an insider with bucket access (or
// even the KMS audit key) could try is detected and named by verifyTrail.

import assert from 'node:assert/strict';
import { ManualClock, MemoryKeys, MemorySink } from '../../test-support/memory-ports.ts';
import { AuditLog } from './audit-log.ts';
import { canonicalBytes } from './canonical-json.ts';
import { checkpointOrigin, DEFAULT_LOG_NAME, formatWardenCheckpoint } from './checkpoint.ts';
import { type Digest, parseDigest } from './digest.ts';
import { checkpointObjectName, parseObjectName } from './layout.ts';
import { hashLeaf, rootHash } from './merkle.ts';
import { kmsNoteSigner, signNote } from './note.ts';
import { type AuditRecord, chainBody, hashBody, recordBody } from './record.ts';
import { createInstanceSigner } from './signing-key.ts';
import { readTrail, recordsIn } from './trail.ts';
import { type ProblemKind, type TrailObject, verifyTrail } from './verify.ts';

const KEY = 'projects/demo/locations/global/keyRings/warden/cryptoKeys/audit/cryptoKeyVersions/1';

const decode = (d: Uint8Array) => new TextDecoder().decode(d);
const encode = (s: string) => new TextEncoder().encode(s);
const lines = (o: TrailObject) => decode(o.data).trim().split('\n');
const recordsOf = (o: TrailObject) => lines(o).map((l) => JSON.parse(l) as AuditRecord);
const jsonl = (rs: AuditRecord[]) => encode(rs.map((r) => `${JSON.stringify(r)}\n`).join(''));

/**
 * Two writers, eight records each (the two appends of each round share an object), then five records written together
 * (one object), everything digested.
 */
async function writeTrail() {
  const sink = new MemorySink();
  const keys = new MemoryKeys();
  const clock = new ManualClock();
  const logs = ['gateway', 'executor'].map(
    (writer) => new AuditLog({ sink, keys, clock, kmsKeyVersion: KEY, writer, digestEvery: 2 }),
  );
  for (let i = 0; i < 4; i++)
    for (const log of logs)
      await Promise.all([
        log.append({ type: 'mcp.request', requestId: `r${i}`, sql: 'SELECT 1' }),
        log.append({ type: 'mcp.response', requestId: `r${i}` }),
      ]);
  for (const log of logs) {
    // Five appends in one turn of the event loop share one object.
    await Promise.all(
      [4, 5, 6, 7, 8].map((i) => log.append({ type: 'mcp.request', requestId: `r${i}`, sql: `SELECT ${i}` })),
    );
  }
  for (const log of logs) await log.close();
  const { objects } = await readTrail(sink);
  return { objects, keys, pem: await keys.getPublicKeyPem() };
}

const isDigest = (o: TrailObject) => parseObjectName(o.name)?.kind === 'digest';
const isCheckpoint = (o: TrailObject) => parseObjectName(o.name)?.kind === 'checkpoint';
const recordObjects = (objs: TrailObject[], writer: string) =>
  objs.filter(
    (o) =>
      parseObjectName(o.name)?.kind === 'records' &&
      parseObjectName(o.name)?.stream.startsWith(`${writer}-2`),
  );
const replace = (objs: TrailObject[], target: TrailObject, data: Uint8Array) =>
  objs.map((o) => (o === target ? { name: o.name, data } : o));

describe('verifyTrail on a digested trail', () => {
  it('verifies an untouched trail: every object digested, chains intact', async () => {
    const { objects, pem } = await writeTrail();
    const report = verifyTrail(objects, pem, { complete: true });
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.equal(report.undigested.length, 0);
    assert.ok(report.digests >= 4);
    assert.equal(report.streams.length, 2);
  });

  const cases: {
    name: string;
    want: ProblemKind[];
    tamper: (objs: TrailObject[], ctx: { keys: MemoryKeys }) => Promise<TrailObject[]> | TrailObject[];
  }[] = [
    {
      name: 'one byte changed in a record',
      want: ['bad-signature', 'object-altered'],
      tamper: (objs) => {
        const target = recordObjects(objs, 'gateway').filter((o) => decode(o.data).includes('SELECT 1'))[1]!;
        const text = decode(target.data).replace('SELECT 1', 'SELECT 2');
        return replace(objs, target, encode(text));
      },
    },
    {
      name: 'a record deleted',
      want: ['missing', 'object-altered'],
      tamper: (objs) => {
        const target = recordObjects(objs, 'gateway')[1]!;
        const rs = recordsOf(target);
        return replace(objs, target, jsonl(rs.slice(1)));
      },
    },
    {
      name: 'a record changed inside a group-committed object',
      want: ['bad-signature', 'broken-link', 'object-altered'],
      tamper: (objs) => {
        const target = recordObjects(objs, 'gateway').at(-1)!;
        assert.equal(recordsOf(target).length, 5);
        return replace(objs, target, encode(decode(target.data).replace('SELECT 6', 'SELECT 9')));
      },
    },
    {
      name: 'the last record cut from a group-committed object',
      want: ['object-altered', 'truncated'],
      tamper: (objs) => {
        const target = recordObjects(objs, 'gateway').at(-1)!;
        return replace(objs, target, jsonl(recordsOf(target).slice(0, -1)));
      },
    },
    {
      name: 'a signature stripped from one record of a group-committed object',
      want: ['unsigned', 'object-altered'],
      tamper: (objs) => {
        const target = recordObjects(objs, 'executor').at(-1)!;
        return replace(objs, target, jsonl(recordsOf(target).map((r, i) => (i === 1 ? recordBody(r) : r))));
      },
    },
    {
      name: 'a whole object deleted',
      want: ['object-missing', 'missing'],
      tamper: (objs) => {
        const target = recordObjects(objs, 'executor')[1]!;
        return objs.filter((o) => o !== target);
      },
    },
    {
      name: 'two records reordered',
      want: ['reordered', 'object-altered'],
      tamper: (objs) => {
        // Records 3 and 4 swap places (each object holds one record here).
        const [a, b] = recordObjects(objs, 'gateway').slice(2, 4);
        return replace(replace(objs, a!, b!.data), b!, a!.data);
      },
    },
    {
      name: 'a forged record, signed with another key, inserted',
      want: ['bad-signature'],
      tamper: async (objs) => {
        const stream = recordObjects(objs, 'gateway');
        const last = recordsOf(stream.at(-1)!).at(-1)!;
        const other = await createInstanceSigner(new MemoryKeys(), KEY, 'gateway', new Date());
        const body = chainBody(
          { stream: last.stream, seq: last.seq, hash: hashBody(recordBody(last)) },
          last.stream,
          new Date(),
          { type: 'mcp.request', requestId: 'forged' },
        );
        const forged = { ...body, sig: other.sign(canonicalBytes(body)) };
        const name = stream
          .at(-1)!
          .name.replace(/\d{12}\.jsonl$/, `${String(body.seq).padStart(12, '0')}.jsonl`);
        return [...objs, { name, data: jsonl([forged]) }];
      },
    },
    {
      name: 'the tail of a stream truncated',
      want: ['truncated', 'object-missing'],
      tamper: (objs) => {
        const stream = recordObjects(objs, 'executor');
        return objs.filter((o) => o !== stream.at(-1) && o !== stream.at(-2));
      },
    },
    {
      name: 'a record replayed into another stream',
      want: ['misplaced'],
      tamper: (objs) => {
        const from = recordsOf(recordObjects(objs, 'executor')[1]!)[0]!;
        const into = recordObjects(objs, 'gateway').at(-1)!;
        const name = into.name.replace(/\d{12}\.jsonl$/, '000000000500.jsonl');
        return [...objs, { name, data: jsonl([from]) }];
      },
    },
    {
      name: 'a digest altered',
      want: ['bad-digest'],
      tamper: (objs) => {
        const target = objs.filter(isDigest)[1]!;
        const d = parseDigest(target.data) as Digest;
        const altered = { ...d, objects: d.objects.slice(1) };
        return replace(objs, target, encode(JSON.stringify(altered)));
      },
    },
    {
      name: 'a digest deleted from the middle of a chain',
      want: ['digest-chain'],
      tamper: (objs) => {
        const chain = objs.filter(
          (o) => isDigest(o) && parseObjectName(o.name)?.stream.startsWith('gateway'),
        );
        return objs.filter((o) => o !== chain[1]);
      },
    },
  ];
  for (const c of cases) {
    it(`detects and names: ${c.name}`, async () => {
      const { objects, pem, keys } = await writeTrail();
      assert.equal(verifyTrail(objects, pem, { complete: true }).ok, true);
      const report = verifyTrail(await c.tamper(objects, { keys }), pem, { complete: true });
      assert.equal(report.ok, false);
      const kinds = new Set(report.problems.map((p) => p.kind));
      for (const k of c.want) assert.ok(kinds.has(k), `want ${k}, got ${JSON.stringify(report.problems)}`);
      for (const p of report.problems) assert.ok(p.object, 'every problem names its object');
    });
  }

  it('does not report objects outside a time-range read as missing', async () => {
    const { objects, pem } = await writeTrail();
    const executorObjects = new Set(recordObjects(objects, 'executor').map((o) => o.name));
    const partial = objects.filter((o) => !executorObjects.has(o.name));
    const report = verifyTrail(partial, pem, { covers: (name) => !executorObjects.has(name) });
    assert.equal(report.ok, true, JSON.stringify(report.problems));
  });

  it('fails a whole-trail verification that found nothing (the wrong place, or a trail deleted whole); an empty time range is no problem', async () => {
    const { pem } = await writeTrail();
    const whole = verifyTrail([], pem, { complete: true });
    assert.equal(whole.ok, false);
    assert.deepEqual(
      whole.problems.map((p) => p.kind),
      ['empty'],
    );
    assert.equal(verifyTrail([], pem, { covers: () => false }).ok, true);
  });
});

describe('AuditLog digests', () => {
  it('writes one KMS-signed digest per batch of objects, not one KMS call per record', async () => {
    const sink = new MemorySink();
    const keys = new MemoryKeys();
    const log = new AuditLog({
      sink,
      keys,
      clock: new ManualClock(),
      kmsKeyVersion: KEY,
      writer: 'gateway',
      digestEvery: 10,
    });
    for (let i = 0; i < 30; i++) await log.append({ type: 'mcp.request', requestId: `r${i}` });
    await log.close();
    const digests = (await sink.list('v1/digests/')).length;
    const checkpoints = (await sink.list('v1/checkpoints/')).length;
    assert.equal(digests, 3);
    assert.equal(checkpoints, 1, 'the closing checkpoint of the one stream');
    assert.equal(
      keys.calls.sign,
      1 + digests + checkpoints,
      'one certificate, one signature per digest and per checkpoint',
    );
  });

  it('writes a digest after the interval even when few objects were stored', async () => {
    const sink = new MemorySink();
    const log = new AuditLog({
      sink,
      keys: new MemoryKeys(),
      clock: new ManualClock(),
      kmsKeyVersion: KEY,
      writer: 'gateway',
      digestIntervalMs: 5,
    });
    await log.append({ type: 'mcp.request' });
    assert.equal((await sink.list('v1/digests/')).length, 0);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await sink.list('v1/digests/')).length, 1);
  });

  it('keeps undigested objects when a digest write fails and lists them in the next digest', async () => {
    const sink = new MemorySink();
    const keys = new MemoryKeys();
    const errors: unknown[] = [];
    const log = new AuditLog({
      sink,
      keys,
      clock: new ManualClock(),
      kmsKeyVersion: KEY,
      writer: 'gateway',
      digestEvery: 1000,
      onBackgroundError: (e) => errors.push(e),
    });
    await log.append({ type: 'mcp.request', requestId: 'a' });
    keys.failures = 1;
    await assert.rejects(log.digest());
    await log.append({ type: 'mcp.request', requestId: 'b' });
    await log.close();
    const { objects } = await readTrail(sink);
    const report = verifyTrail(objects, await keys.getPublicKeyPem(), { complete: true });
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.equal(report.undigested.length, 0, 'both record objects are in the surviving digest');
  });

  it('starts a new stream every hour, in the hour folder it started in', async () => {
    const sink = new MemorySink();
    const keys = new MemoryKeys();
    const clock = new ManualClock('2026-01-01T10:59:00Z');
    const log = new AuditLog({ sink, keys, clock, kmsKeyVersion: KEY, writer: 'gateway' });
    await log.append({ type: 'mcp.request', requestId: 'a' });
    clock.advance(61 * 60 * 1000);
    await log.append({ type: 'mcp.request', requestId: 'b' });
    await log.close();
    const names = await sink.list('v1/streams/');
    assert.deepEqual(
      names.map((n) => n.split('/').slice(2, 6).join('/')),
      ['2026/01/01/10', '2026/01/01/12'],
    );
    const { objects } = await readTrail(sink);
    const report = verifyTrail(objects, await keys.getPublicKeyPem(), { complete: true });
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.equal(report.streams.length, 2);
  });
});

/**
 * The trail of `writeTrail` with a checkpoint round every two records, so each writer's checkpoints name the
 * other's streams; `created` is the bucket's objects in the order they were written.
 */
async function writeCheckpointedTrail() {
  const sink = new MemorySink();
  const keys = new MemoryKeys();
  const clock = new ManualClock('2026-01-01T00:00:00Z');
  const logs = ['gateway', 'executor'].map(
    (writer) =>
      new AuditLog({ sink, keys, clock, kmsKeyVersion: KEY, writer, digestEvery: 2, checkpointEvery: 2 }),
  );
  for (let i = 0; i < 4; i++)
    for (const log of logs) {
      await log.append({ type: 'mcp.request', requestId: `r${i}`, sql: 'SELECT 1' });
      await log.checkpoint();
      clock.advance(1000);
    }
  for (const log of logs) {
    await log.close();
    clock.advance(1000);
  }
  const trail = await readTrail(sink);
  return {
    sink,
    objects: trail.objects,
    created: [...sink.objects.keys()],
    keys,
    pem: await keys.getPublicKeyPem(),
    end: clock.now(),
  };
}

type Trail = Awaited<ReturnType<typeof writeCheckpointedTrail>>;
const streamOf = (o: TrailObject) => parseObjectName(o.name)?.stream ?? '';
const checkpointsOf = (objs: TrailObject[], writer: string) =>
  objs.filter((o) => isCheckpoint(o) && streamOf(o).startsWith(`${writer}-2`));
const HOUR = 3_600_000;

/** A checkpoint signed with `keys` (the KMS key itself, for a key holder's forgery, or another key). */
async function signedCheckpoint(
  keys: MemoryKeys,
  stream: string,
  leaves: Uint8Array[],
  n: number,
  fields: { size?: number; time?: Date } = {},
): Promise<TrailObject> {
  const size = fields.size ?? leaves.length;
  const time = fields.time ?? new Date('2026-01-01T00:00:30Z');
  const origin = checkpointOrigin(DEFAULT_LOG_NAME, stream);
  const text = formatWardenCheckpoint({
    origin,
    size,
    rootHash: rootHash(leaves.slice(0, size)),
    time: time.toISOString(),
    instance: 'forger-20260101T000000Z-000000000000',
    closed: true,
    known: [],
  });
  const signer = kmsNoteSigner(keys, KEY, origin, await keys.getPublicKeyPem());
  const note = await signNote(text, [signer]);
  return { name: checkpointObjectName('v1/', time, stream, size, n), data: encode(note) };
}

const leavesOf = (objs: TrailObject[], stream: string) =>
  objs
    .filter((o) => parseObjectName(o.name)?.kind === 'records' && streamOf(o) === stream)
    .flatMap((o) => lines(o))
    .map((l) => hashLeaf(encode(l)));

describe('verifyTrail on a checkpointed trail', () => {
  it('verifies an untouched trail: every checkpoint signed, its root recomputed, its anchors present', async () => {
    const { objects, pem, end } = await writeCheckpointedTrail();
    const report = verifyTrail(objects, pem, { complete: true, now: new Date(end.getTime() + HOUR) });
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.ok(report.checkpoints.length >= 8, `${report.checkpoints.length} checkpoints`);
    assert.ok(
      report.checkpoints.some((c) => c.known.some((k) => k.stream.startsWith('executor-'))) &&
        report.checkpoints.some((c) => c.known.some((k) => k.stream.startsWith('gateway-'))),
      "each writer's checkpoints name the other's stream",
    );
    assert.ok(report.checkpoints.filter((c) => c.closed).length === 2, 'one closing checkpoint per writer');
  });

  const cases: {
    name: string;
    want: ProblemKind[];
    /** Verification time after the trail's end (default: an hour, past every heartbeat). */
    after?: number;
    tamper: (t: Trail) => Promise<TrailObject[]> | TrailObject[];
  }[] = [
    {
      name: "the newest checkpoints of a writer deleted (the other writer's checkpoint names their size)",
      want: ['checkpoint-missing'],
      after: 0,
      tamper: ({ objects }) => {
        const mine = checkpointsOf(objects, 'gateway');
        const newest = Math.max(...mine.map((o) => parseObjectName(o.name)!.size!));
        return objects.filter((o) => !mine.includes(o) || parseObjectName(o.name)!.size! < newest);
      },
    },
    {
      name: 'the newest checkpoint of the trail deleted (the writer no longer shows it closed)',
      want: ['stale'],
      tamper: ({ objects }) => {
        const newest = checkpointsOf(objects, 'executor').at(-1)!;
        return objects.filter((o) => o !== newest);
      },
    },
    {
      name: 'the newest objects deleted together with their digest and checkpoints',
      want: ['checkpoint-missing', 'truncated'],
      after: 0,
      tamper: ({ objects }) => {
        const last = recordObjects(objects, 'gateway').at(-1)!;
        const lastSeq = Number(/(\d{12})\.jsonl$/.exec(last.name)![1]);
        const digests = objects.filter((o) => isDigest(o) && streamOf(o).startsWith('gateway-digest'));
        return objects.filter(
          (o) =>
            o !== last &&
            o !== digests.at(-1) &&
            !(checkpointsOf(objects, 'gateway').includes(o) && parseObjectName(o.name)!.size! > lastSeq),
        );
      },
    },
    {
      name: 'the whole trail rolled back to an earlier checkpoint (everything after it removed)',
      want: ['stale'],
      tamper: ({ objects, created }) => {
        const cut = created.findIndex((n) => n.includes('/checkpoints/')) + 4;
        const kept = new Set(created.slice(0, cut + 1));
        return objects.filter((o) => kept.has(o.name));
      },
    },
    {
      name: 'a whole instance deleted (its streams, digests and checkpoints)',
      want: ['stream-missing'],
      after: 0,
      tamper: ({ objects }) => objects.filter((o) => !streamOf(o).startsWith('executor-')),
    },
    {
      name: 'the newest digest deleted (a checkpoint names it)',
      want: ['digest-chain'],
      after: 0,
      tamper: ({ objects }) => {
        const digests = objects.filter((o) => isDigest(o) && streamOf(o).startsWith('gateway-digest'));
        return objects.filter((o) => o !== digests.at(-1));
      },
    },
    {
      name: 'a checkpoint forged with another key',
      want: ['checkpoint-forged'],
      after: 0,
      tamper: async ({ objects }) => {
        const stream = streamOf(recordObjects(objects, 'gateway')[0]!);
        return [...objects, await signedCheckpoint(new MemoryKeys(), stream, leavesOf(objects, stream), 99)];
      },
    },
    {
      name: "a checkpoint's size line altered",
      want: ['checkpoint-forged'],
      after: 0,
      tamper: ({ objects }) => {
        const target = checkpointsOf(objects, 'gateway')[0]!;
        const size = parseObjectName(target.name)!.size!;
        return replace(
          objects,
          target,
          encode(decode(target.data).replace(`\n${size}\n`, `\n${size + 1}\n`)),
        );
      },
    },
    {
      name: 'a fork: a checkpoint of the same size with another root, signed with the KMS key',
      want: ['fork'],
      after: 0,
      tamper: async ({ objects, keys }) => {
        const stream = streamOf(recordObjects(objects, 'gateway')[0]!);
        const leaves = leavesOf(objects, stream);
        const other = [...leaves.slice(0, -1), hashLeaf(encode('another history'))];
        const forged = await signedCheckpoint(keys, stream, other, 999, {
          time: new Date('2026-01-01T00:00:05Z'),
        });
        return [...objects, forged];
      },
    },
    {
      name: 'a rollback: a newer checkpoint of a smaller tree, signed with the KMS key',
      want: ['rollback'],
      after: 0,
      tamper: async ({ objects, keys }) => {
        const stream = streamOf(recordObjects(objects, 'gateway')[0]!);
        return [
          ...objects,
          await signedCheckpoint(keys, stream, leavesOf(objects, stream), 999, { size: 2 }),
        ];
      },
    },
    {
      name: 'a record altered under a valid old checkpoint, and a new checkpoint signed over the altered log',
      want: ['record-altered', 'fork', 'bad-signature'],
      after: 0,
      tamper: async ({ objects, keys }) => {
        const target = recordObjects(objects, 'gateway')[1]!;
        const altered = replace(objects, target, encode(decode(target.data).replace('SELECT 1', 'SELECT 2')));
        const stream = streamOf(target);
        return [...altered, await signedCheckpoint(keys, stream, leavesOf(altered, stream), 999)];
      },
    },
  ];
  for (const c of cases) {
    it(`detects and names: ${c.name}`, async () => {
      const trail = await writeCheckpointedTrail();
      const now = new Date(trail.end.getTime() + (c.after ?? HOUR));
      assert.equal(verifyTrail(trail.objects, trail.pem, { complete: true, now }).ok, true);
      const report = verifyTrail(await c.tamper(trail), trail.pem, { complete: true, now });
      const kinds = new Set(report.problems.map((p) => p.kind));
      for (const k of c.want) assert.ok(kinds.has(k), `want ${k}, got ${JSON.stringify(report.problems)}`);
      for (const p of report.problems) assert.ok(p.object, 'every problem names its object');
    });
  }

  it('reports nothing missing in a partial read: the checkpoints of streams it did not read name nothing gone', async () => {
    const { objects, pem } = await writeCheckpointedTrail();
    const unread = new Set(recordObjects(objects, 'executor').map((o) => o.name));
    const report = verifyTrail(
      objects.filter((o) => !unread.has(o.name)),
      pem,
      { covers: (name) => !unread.has(name) },
    );
    assert.equal(report.ok, true, JSON.stringify(report.problems));
  });

  it('reports an object outside the layout, which search never reads', async () => {
    const trail = await writeCheckpointedTrail();
    const forged = JSON.stringify({
      v: 1,
      stream: 'x',
      seq: 0,
      prev: null,
      time: '2026-01-01T00:00:00Z',
      event: { type: 'mcp.request', requestId: 'forged' },
    });
    await trail.sink.create('v1/streams/forged.jsonl', encode(`${forged}\n`), 'application/x-ndjson');
    await trail.sink.create(
      'v1/streams/2026/01/01/00/x/1.jsonl',
      encode(`${forged}\n`),
      'application/x-ndjson',
    );
    const read = await readTrail(trail.sink);
    assert.deepEqual(read.outsideLayout, ['v1/streams/2026/01/01/00/x/1.jsonl', 'v1/streams/forged.jsonl']);
    assert.ok(!read.objects.some((o) => read.outsideLayout.includes(o.name)), 'never read');
    const report = verifyTrail(read.objects, trail.pem, {
      complete: true,
      outsideLayout: read.outsideLayout,
    });
    assert.deepEqual(
      report.problems.map((p) => [p.kind, p.object]),
      read.outsideLayout.map((n) => ['outside-layout', n]),
    );
    assert.ok(!recordsIn(read.objects).some((r) => r.event.requestId === 'forged'));
  });
});

describe('AuditLog checkpoints', () => {
  it('signs a heartbeat checkpoint when idle, and none while nothing changes between heartbeats', async () => {
    const sink = new MemorySink();
    const keys = new MemoryKeys();
    const log = new AuditLog({
      sink,
      keys,
      clock: new ManualClock(),
      kmsKeyVersion: KEY,
      writer: 'gateway',
      checkpointIntervalMs: 5,
      heartbeatMs: 30,
    });
    await log.append({ type: 'mcp.request', requestId: 'a' });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await sink.list('v1/checkpoints/')).length, 1, 'the interval checkpoint');
    await new Promise((r) => setTimeout(r, 100));
    const names = await sink.list('v1/checkpoints/');
    assert.ok(names.length >= 3, `heartbeats: ${names.join(', ')}`);
    assert.ok(
      names.every((n) => /\/000000000002-\d{6}\.checkpoint$/.test(n)),
      'the same tree size, re-signed',
    );
    await log.close();
  });

  it('reports a failed checkpoint write through onBackgroundError, never to the caller, and retries it', async () => {
    const sink = new MemorySink();
    const keys = new MemoryKeys();
    const errors: unknown[] = [];
    const log = new AuditLog({
      sink,
      keys,
      clock: new ManualClock(),
      kmsKeyVersion: KEY,
      writer: 'gateway',
      checkpointEvery: 1,
      digestEvery: 1000,
      onBackgroundError: (e) => errors.push(e),
    });
    await log.append({ type: 'mcp.request', requestId: 'a' });
    await log.checkpoint();
    keys.failures = 1; // the next KMS call: the checkpoint's signature
    await log.append({ type: 'mcp.request', requestId: 'b' });
    await log.settle();
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(errors.length, 1);
    assert.match(String((errors[0] as Error).message), /checkpoint could not be written/);
    await log.close();
    const { objects } = await readTrail(sink);
    const report = verifyTrail(objects, await keys.getPublicKeyPem(), { complete: true });
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.equal(Math.max(...report.checkpoints.map((c) => c.size)), 3, 'the closing checkpoint covers both');
  });
});
