// readTrail, the one trail reader: what it lists for each kind and range, and that a listing can be refused
// before anything is read.

import assert from 'node:assert/strict';
import { MemorySink } from '../../test-support/memory-ports.ts';
import { checkpointObjectName, digestObjectName, recordObjectName } from './layout.ts';
import { readTrail } from './trail.ts';

const T = new Date('2026-03-04T05:06:07.000Z');
const RECORDS = recordObjectName('v1/', T, 's1', 0);
const DIGEST = digestObjectName('v1/', T, 'd1', 0);
const CHECKPOINT = checkpointObjectName('v1/', T, 's1', 1, 0);
const FORGED = 'v1/streams/forged.jsonl';

/** A sink holding one object of each kind and one outside the layout, counting lists and reads. */
async function trailSink() {
  const sink = new MemorySink();
  for (const name of [RECORDS, DIGEST, CHECKPOINT, FORGED])
    await sink.create(name, new TextEncoder().encode('x'));
  const listed: string[] = [];
  const read: string[] = [];
  return {
    listed,
    read,
    source: {
      list: (prefix: string) => {
        listed.push(prefix);
        return sink.list(prefix);
      },
      read: (name: string) => {
        read.push(name);
        return sink.read(name);
      },
    },
  };
}

describe('readTrail', () => {
  it('reads every kind of an open range from one listing of the prefix, naming what lies outside the layout', async () => {
    const { source, listed } = await trailSink();
    const trail = await readTrail(source);
    assert.deepEqual(listed, ['v1/']);
    assert.deepEqual(trail.objects.map((o) => o.name).sort(), [CHECKPOINT, DIGEST, RECORDS].sort());
    assert.deepEqual(trail.outsideLayout, [FORGED]);
  });

  it('reads only the kinds asked for, listing only their folders', async () => {
    const { source, listed } = await trailSink();
    const trail = await readTrail(source, { kinds: ['streams'] });
    assert.deepEqual(listed, ['v1/streams/']);
    assert.deepEqual(
      trail.objects.map((o) => o.name),
      [RECORDS],
    );
    assert.deepEqual(trail.outsideLayout, [FORGED]);
  });

  it("lists a range's day folders of the kinds asked for", async () => {
    const { source, listed } = await trailSink();
    const range = { from: new Date('2026-03-04T00:00:00Z'), to: new Date('2026-03-04T23:59:59Z') };
    const trail = await readTrail(source, { range, kinds: ['checkpoints'] });
    // Checkpoints, like digests, are looked for a day after the range (layout.ts listingPrefixes).
    assert.deepEqual(listed, ['v1/checkpoints/2026/03/04/', 'v1/checkpoints/2026/03/05/']);
    assert.deepEqual(
      trail.objects.map((o) => o.name),
      [CHECKPOINT],
    );
  });

  it('reads nothing when onListed refuses the listing', async () => {
    const { source, read } = await trailSink();
    await assert.rejects(
      readTrail(source, {
        onListed: (names) => {
          if (names.length > 2) throw new Error(`too large: ${names.length}`);
        },
      }),
      /too large: 3/,
    );
    assert.deepEqual(read, []);
  });
});
