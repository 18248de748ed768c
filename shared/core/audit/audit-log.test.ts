import assert from 'node:assert/strict';
import { ManualClock, MemoryKeys, MemorySink } from '../../test-support/memory-ports.ts';
import { isWardenError } from '../errors.ts';
import { AuditLog } from './audit-log.ts';
import type { AuditRecord } from './record.ts';
import { readTrail } from './trail.ts';
import { type TrailObject, verifyTrail } from './verify.ts';

const KEY = 'projects/demo/locations/global/keyRings/warden/cryptoKeys/audit/cryptoKeyVersions/1';

/** A gateway's log over `sink` (in memory by default); `lanes` as AUDIT_WRITE_LANES. */
function setup<S extends MemorySink = MemorySink>(sink: S = new MemorySink() as S, lanes?: number) {
  const keys = new MemoryKeys();
  const clock = new ManualClock();
  const log = new AuditLog({
    sink,
    keys,
    clock,
    kmsKeyVersion: KEY,
    writer: 'gateway',
    ...(lanes !== undefined ? { lanes } : {}),
  });
  return { sink, keys, clock, log };
}

async function trail(sink: MemorySink): Promise<TrailObject[]> {
  return (await readTrail(sink)).objects;
}

function records(objects: TrailObject[]): AuditRecord[] {
  return objects.flatMap((o) =>
    new TextDecoder()
      .decode(o.data)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditRecord),
  );
}

describe('AuditLog', () => {
  it('writes a certified stream start, then chained records, all verifying', async () => {
    const { sink, keys, log } = setup();
    await log.append({ type: 'mcp.request', requestId: 'r1' });
    await log.append({ type: 'mcp.response', requestId: 'r1' });
    const objects = await trail(sink);
    const all = records(objects);
    assert.deepEqual(
      all.map((r) => [r.seq, r.event.type]),
      [
        [0, 'stream.start'],
        [1, 'mcp.request'],
        [2, 'mcp.response'],
      ],
    );
    const report = verifyTrail(objects, await keys.getPublicKeyPem());
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.equal(report.records, 3);
    assert.equal(report.streams[0]?.writer, 'gateway');
  });

  it('asks KMS to sign once per instance, not once per record', async () => {
    const { keys, log } = setup();
    for (let i = 0; i < 20; i++) await log.append({ type: 'mcp.request', requestId: `r${i}` });
    assert.equal(keys.calls.sign, 1);
  });

  it('groups concurrent appends into few objects while every append waits for durability', async () => {
    const { sink, keys, log } = setup();
    const placed = await Promise.all(
      Array.from({ length: 50 }, (_, i) => log.append({ type: 'mcp.request', requestId: `r${i}` })),
    );
    assert.deepEqual(
      placed.map((p) => p.seq),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    assert.ok(sink.objects.size < 50, `expected group commit, got ${sink.objects.size} objects`);
    for (const p of placed) assert.ok(sink.objects.has(p.object));
    assert.equal(verifyTrail(await trail(sink), await keys.getPublicKeyPem()).ok, true);
  });

  it('fails closed when storage fails, then continues in a fresh, valid stream', async () => {
    const { sink, keys, log } = setup();
    await log.append({ type: 'mcp.request', requestId: 'a' });
    sink.failures = 1;
    await assert.rejects(log.append({ type: 'mcp.request', requestId: 'b' }), (e) =>
      isWardenError(e, 'unavailable'),
    );
    const after = await log.append({ type: 'mcp.request', requestId: 'c' });
    assert.equal(after.seq, 1, 'the next record opens a new stream');
    const report = verifyTrail(await trail(sink), await keys.getPublicKeyPem());
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.equal(report.streams.length, 2);
  });

  it('fails closed when KMS cannot certify the instance key, and retries certification later', async () => {
    const { sink, keys, log } = setup();
    keys.failures = 1;
    await assert.rejects(log.append({ type: 'mcp.request', requestId: 'a' }), (e) =>
      isWardenError(e, 'unavailable'),
    );
    assert.equal(sink.objects.size, 0, 'nothing is written without a certified key');
    await log.append({ type: 'mcp.request', requestId: 'b' });
    assert.equal(verifyTrail(await trail(sink), await keys.getPublicKeyPem()).ok, true);
  });
});

/** A sink whose writes wait until the test lets them land (or fail), in any order. */
class GatedSink extends MemorySink {
  readonly held: { name: string; land: () => void; fail: () => void }[] = [];
  override create(name: string, data: Uint8Array, contentType?: string) {
    return new Promise<Awaited<ReturnType<MemorySink['create']>>>((resolve, reject) => {
      this.held.push({
        name,
        land: () => void super.create(name, data, contentType).then(resolve, reject),
        fail: () => reject(new Error('injected storage failure')),
      });
    });
  }
}

const tick = () => new Promise((r) => setImmediate(r));

describe('AuditLog lanes', () => {
  const lanes = (n: number) => setup(new GatedSink(), n);
  const settled = (p: Promise<unknown>) => {
    const s = { done: false };
    p.then(
      () => (s.done = true),
      () => (s.done = true),
    );
    return s;
  };

  it('starts a barrier write at once while another is in flight, each lane its own verifying stream', async () => {
    const { sink, keys, log } = lanes(4);
    const first = log.append({ type: 'mcp.request', requestId: 'r1' });
    await tick();
    assert.equal(sink.held.length, 1);
    sink.held[0]!.land();
    await first; // the instance key is certified now
    const a = log.append({ type: 'policy.decision', requestId: 'r2' });
    await tick();
    const b = log.append({ type: 'policy.decision', requestId: 'r3' });
    await tick();
    assert.equal(sink.held.length, 3, 'the second barrier did not wait for the first write to land');
    sink.held[2]!.land();
    sink.held[1]!.land();
    const [pa, pb] = await Promise.all([a, b]);
    assert.notEqual(pa.stream, pb.stream);
    const report = verifyTrail(await trail(sink), await keys.getPublicKeyPem());
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.equal(report.streams.length, 2);
  });

  it("holds a barrier until its own request's earlier records are written, and only those", async () => {
    const { sink, log } = lanes(4);
    await Promise.all([
      log.append({ type: 'mcp.request', requestId: 'warm' }),
      tick().then(() => sink.held[0]!.land()),
    ]);
    log.defer({ type: 'mcp.request', requestId: 'r1' });
    const early = log.append({ type: 'policy.decision', requestId: 'r1' }); // takes both, lane 1
    await tick();
    const sameRequest = settled(log.append({ type: 'query.start', requestId: 'r1' })); // lane 2
    await tick();
    const other = settled(log.append({ type: 'policy.decision', requestId: 'r2' })); // lane 3
    await tick();
    assert.equal(sink.held.length, 4);
    sink.held[3]!.land();
    sink.held[2]!.land();
    await tick();
    await tick();
    assert.equal(other.done, true, "another request's barrier does not wait for lane 1");
    assert.equal(sameRequest.done, false, "r1's later barrier waits for r1's records on lane 1");
    sink.held[1]!.land();
    await early;
    await tick();
    assert.equal(sameRequest.done, true);
  });

  it('a failed lane fails only its own batch, and that lane continues in a fresh stream', async () => {
    const { sink, keys, log } = lanes(2);
    await Promise.all([
      log.append({ type: 'mcp.request', requestId: 'warm' }),
      tick().then(() => sink.held[0]!.land()),
    ]);
    const a = log.append({ type: 'policy.decision', requestId: 'a' });
    await tick();
    const b = log.append({ type: 'policy.decision', requestId: 'b' });
    await tick();
    // A third barrier finds both lanes busy: it waits for the first lane to free.
    const c = log.append({ type: 'policy.decision', requestId: 'c' });
    await tick();
    assert.equal(sink.held.length, 3, 'no third lane opens');
    sink.held[1]!.fail();
    sink.held[2]!.land();
    await assert.rejects(a, (e) => isWardenError(e, 'unavailable'));
    assert.equal((await b).seq, 1);
    await tick();
    assert.equal(sink.held.length, 4);
    sink.held[3]!.land();
    assert.equal((await c).seq, 1, 'the failed lane opened a new stream');
    const report = verifyTrail(await trail(sink), await keys.getPublicKeyPem());
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.equal(report.streams.length, 3);
  });

  it('settle waits for every lane, and deferred records alone never open a second lane', async () => {
    const { sink, log } = lanes(4);
    await Promise.all([
      log.append({ type: 'mcp.request', requestId: 'warm' }),
      tick().then(() => sink.held[0]!.land()),
    ]);
    const a = log.append({ type: 'policy.decision', requestId: 'a' });
    await tick();
    log.defer({ type: 'mcp.response', requestId: 'a' });
    const s = settled(log.settle());
    await tick();
    assert.equal(sink.held.length, 2, 'the deferred record waits for the busy lane');
    sink.held[1]!.land();
    await a;
    await tick();
    assert.equal(s.done, false);
    assert.equal(sink.held.length, 3);
    sink.held[2]!.land();
    await tick();
    await tick();
    assert.equal(s.done, true);
  });

  it('refuses a lane count that is not a positive integer', () => {
    for (const n of [0, -1, 1.5]) assert.throws(() => setup(new MemorySink(), n), RangeError);
  });
});

describe('verifyTrail', () => {
  async function writeTrail(n: number) {
    const { sink, keys, log } = setup();
    // Sequential appends: one record per object, so objects can be removed individually.
    for (let i = 0; i < n; i++)
      await log.append({ type: 'mcp.request', requestId: `r${i}`, sql: 'SELECT 1' });
    return { objects: await trail(sink), pem: await keys.getPublicKeyPem(), keys };
  }
  const edit = (o: TrailObject, f: (r: AuditRecord[]) => AuditRecord[]): TrailObject => ({
    name: o.name,
    data: new TextEncoder().encode(
      f(records([o]))
        .map((r) => `${JSON.stringify(r)}\n`)
        .join(''),
    ),
  });

  const cases: { name: string; tamper: (objs: TrailObject[]) => TrailObject[]; want: string }[] = [
    {
      name: 'reports a modified record',
      tamper: (objs) =>
        objs.map((o, i) =>
          i === 2 ? edit(o, (rs) => rs.map((r) => ({ ...r, event: { ...r.event, sql: 'SELECT 2' } }))) : o,
        ),
      want: 'bad-signature',
    },
    { name: 'reports a removed record', tamper: (objs) => objs.filter((_, i) => i !== 2), want: 'missing' },
    {
      name: 'reports a record moved to another position',
      tamper: (objs) =>
        objs.map((o, i) =>
          i === 2 ? { ...o, name: o.name.replace(/\d{12}\.jsonl$/, '999999999999.jsonl') } : o,
        ),
      want: 'reordered',
    },
    {
      name: 'reports an inserted record signed with another key',
      tamper: (objs) => [
        ...objs,
        edit(objs[1]!, (rs) =>
          rs.map((r) => ({ ...r, seq: 99, sig: Buffer.from('forged').toString('base64') })),
        ),
      ],
      want: 'bad-signature',
    },
    {
      name: 'reports a stream whose start was removed',
      tamper: (objs) => objs.slice(1),
      want: 'missing-start',
    },
    {
      name: 'reports garbage in an object',
      tamper: (objs) => [
        ...objs,
        {
          name: objs[0]!.name.replace('000000000000', '000000000050'),
          data: new TextEncoder().encode('not json\n'),
        },
      ],
      want: 'unparseable',
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { objects, pem } = await writeTrail(5);
      assert.equal(verifyTrail(objects, pem).ok, true);
      const report = verifyTrail(c.tamper(objects), pem);
      assert.equal(report.ok, false);
      assert.ok(
        report.problems.some((p) => p.kind === c.want),
        `want ${c.want}, got ${JSON.stringify(report.problems)}`,
      );
    });
  }

  it('reports a certificate not signed by the KMS key', async () => {
    const { objects } = await writeTrail(2);
    const other = await new MemoryKeys().getPublicKeyPem();
    assert.ok(verifyTrail(objects, other).problems.some((p) => p.kind === 'bad-certificate'));
  });
});
