// Tampering with a digested trail: every kind of alteration an insider with bucket access could try is
// detected and named by verifyTrail.

import assert from 'node:assert/strict';
import { ManualClock, MemoryKeys, MemorySink } from '../../test-support/memory-ports.ts';
import { AuditLog } from './audit-log.ts';
import { canonicalBytes } from './canonical-json.ts';
import { type Digest, parseDigest } from './digest.ts';
import { parseObjectName } from './layout.ts';
import { type AuditRecord, chainBody, hashBody, recordBody } from './record.ts';
import { createInstanceSigner } from './signing-key.ts';
import { readTrail } from './trail.ts';
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
const recordObjects = (objs: TrailObject[], writer: string) =>
  objs.filter((o) => !isDigest(o) && parseObjectName(o.name)?.stream.startsWith(`${writer}-2`));
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
    assert.equal(digests, 3);
    assert.equal(keys.calls.sign, 1 + digests, 'one certificate and one signature per digest');
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
