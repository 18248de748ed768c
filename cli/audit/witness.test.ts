// `warden audit witness`: init, add and show over a copy of a trail (--trail-dir), cosigning checkpoints that
// extend what it cosigned and naming a fork, a rolled-back trail and a deleted log.

import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AuditLog } from '../../shared/core/audit/audit-log.ts';
import { checkpointObjectName, recordObjectName } from '../../shared/core/audit/layout.ts';
import { hashLeaf, rootHash } from '../../shared/core/audit/merkle.ts';
import { ecdsaKeyId, formatCheckpoint, type NoteSigner, signNote } from '../../shared/core/audit/note.ts';
import { checkWitnessed, parseCosignerKey } from '../../shared/core/audit/witness.ts';
import { ManualClock, MemoryKeys, MemorySink } from '../../shared/test-support/memory-ports.ts';
import { captured } from './test-capture.ts';
import { witnessCommand, witnessTrail } from './witness.ts';

const STREAM = 'gateway-20261207T110000Z-1a2b3c4d5e6f';
const ORIGIN = `warden.example/audit/${STREAM}`;
const START = new Date('2026-12-07T11:00:00Z');
const utf8 = new TextEncoder();

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const PEM = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const logSigner: NoteSigner = {
  name: ORIGIN,
  keyId: ecdsaKeyId(new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }))),
  sign: async (text) => new Uint8Array(sign('sha256', text, privateKey)),
};

/** Record lines of the stream (a v1 envelope; the witness reads only stream, seq and the bytes). */
const recordLines = (n: number, tag = 'r') =>
  Array.from(
    { length: n },
    (_, i) =>
      `{"event":{"requestId":"${tag}${i}","type":"mcp.request"},"prev":null,"seq":${i},"stream":"${STREAM}","time":"2026-12-07T11:00:0${i % 10}.000Z","v":1,"sig":"MEU="}`,
  );

async function checkpointNote(lines: string[], size: number): Promise<string> {
  const leaves = lines.slice(0, size).map((l) => hashLeaf(utf8.encode(l)));
  return signNote(formatCheckpoint({ origin: ORIGIN, size, rootHash: rootHash(leaves), extensions: [] }), [
    logSigner,
  ]);
}

/** Writes a trail copy: the lines in one object, and a checkpoint object for each size. */
async function writeTrail(dir: string, lines: string[], sizes: number[]): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  const put = (name: string, data: string) => {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), data);
  };
  put(recordObjectName('v1/', START, STREAM, 0), lines.map((l) => `${l}\n`).join(''));
  for (const [n, size] of sizes.entries())
    put(checkpointObjectName('v1/', START, STREAM, size, n), await checkpointNote(lines, size));
}

describe('warden audit witness', () => {
  let root: string;
  let state: string;
  let trail: string;
  const run = (...args: string[]) => captured((io) => witnessCommand(args, join(root, 'no-stack'), io));
  const add = () => run('add', '--state', state, '--trail-dir', trail);

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'warden-witness-'));
    state = join(root, 'witness');
    trail = join(root, 'trail');
    writeFileSync(join(root, 'kms.pem'), PEM);
    const init = await run(
      'init',
      '--state',
      state,
      '--name',
      'witness.example/auditor',
      '--log-key',
      join(root, 'kms.pem'),
    );
    assert.equal(init.code, 0, init.err);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('initialises a key it keeps to itself, prints its verifier key, and refuses a second init', async () => {
    const vkey = readFileSync(join(state, 'witness.json'), 'utf8');
    assert.match(vkey, /"vkey": "witness\.example\/auditor\+[0-9a-f]{8}\+/);
    const again = await run('init', '--state', state, '--name', 'w', '--log-key', join(root, 'kms.pem'));
    assert.equal(again.code, 1);
    assert.match(again.err, /already holds a witness/);
  });

  it('cosigns every checkpoint of a log in order, then each that extends it, and nothing twice', async () => {
    const lines = recordLines(9);
    await writeTrail(trail, lines.slice(0, 6), [3, 6]);
    const first = await add();
    assert.equal(first.code, 0, first.out + first.err);
    assert.match(first.out, /COSIGNED .* size 3 \(from 0\)\nCOSIGNED .* size 6 \(from 3\)/);
    assert.match(first.out, /OK: 2 checkpoints in 1 logs read; 2 cosigned, 0 already cosigned, 0 problems/);
    assert.match((await add()).out, /0 cosigned, 1 already cosigned/);

    await writeTrail(trail, lines, [3, 6, 9]);
    const more = await add();
    assert.equal(more.code, 0, more.out);
    assert.match(more.out, /COSIGNED .* size 9 \(from 6\)/);

    const shown = await run('show', '--state', state);
    assert.match(
      shown.out,
      new RegExp(`${ORIGIN}  size 9  root \\S+  cosigned \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z`),
    );
    // The stored cosigned checkpoint carries a cosignature that checkWitnessed accepts with the printed key.
    const vkey = /: (\S+\+[0-9a-f]{8}\+\S+)$/m.exec(shown.out)![1]!;
    const files = join(state, 'cosigned', ORIGIN.replace(/[^A-Za-z0-9._-]/g, '_'), '000000000009.checkpoint');
    const verdict = checkWitnessed(readFileSync(files, 'utf8'), [parseCosignerKey(vkey)]);
    assert.equal(verdict.ok, true);
  });

  it('names a fork: records altered under a cosigned checkpoint, re-checkpointed', async () => {
    await writeTrail(trail, recordLines(6), [6]);
    assert.equal((await add()).code, 0);
    const forked = [...recordLines(3), ...recordLines(6, 'forged').slice(3), ...recordLines(9).slice(6)];
    await writeTrail(trail, forked, [6, 9]);
    const r = await add();
    assert.equal(r.code, 1);
    assert.match(r.out, /REFUSED fork \(422\) .*000000000006-000000\.checkpoint: .*two histories/);
    assert.match(r.out, /REFUSED inconsistent \(422\) .*000000000009-000001\.checkpoint/);
    assert.match((await run('show', '--state', state)).out, /size 6 /, 'the witness keeps what it cosigned');
  });

  it('names a rolled-back trail and a log whose checkpoints were all deleted', async () => {
    const lines = recordLines(9);
    await writeTrail(trail, lines, [3, 9]);
    assert.equal((await add()).code, 0);
    await writeTrail(trail, lines.slice(0, 3), [3]);
    const back = await add();
    assert.equal(back.code, 1);
    assert.match(back.out, /ROLLBACK .*newest checkpoint has size 3, the witness cosigned size 9/);
    rmSync(join(trail, 'v1', 'checkpoints'), { recursive: true });
    assert.match((await add()).out, /MISSING .*cosigned size 9, and the trail has no checkpoint of it/);
  });

  it('refuses a checkpoint signed by another key', async () => {
    await writeTrail(trail, recordLines(3), []);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const forged = await signNote(
      formatCheckpoint({ origin: ORIGIN, size: 3, rootHash: createHash('sha256').digest(), extensions: [] }),
      [
        {
          name: ORIGIN,
          keyId: ecdsaKeyId(new Uint8Array(other.publicKey.export({ type: 'spki', format: 'der' }))),
          sign: async (text) => new Uint8Array(sign('sha256', text, other.privateKey)),
        },
      ],
    );
    const name = join(trail, checkpointObjectName('v1/', START, STREAM, 3, 0));
    mkdirSync(dirname(name), { recursive: true });
    writeFileSync(name, forged);
    const r = await add();
    assert.equal(r.code, 1);
    assert.match(r.out, /REFUSED bad-signature \(403\)/);
  });

  it('refuses to add without a witness, and explains its usage', async () => {
    const r = await run('add', '--state', join(root, 'nowhere'), '--trail-dir', trail);
    assert.equal(r.code, 1);
    assert.match(r.err, /no witness in .* \(run "warden audit witness init/);
    assert.equal((await run('add')).code, 2);
    assert.match((await run('--help')).out, /audit witness init --state DIR/);
  });

  it('witnesses a trail the AuditLog wrote, and names records altered under a witnessed checkpoint', async () => {
    const sink = new MemorySink();
    const keys = new MemoryKeys();
    writeFileSync(join(root, 'audit.pem'), await keys.getPublicKeyPem());
    const w = join(root, 'w2');
    const init = await run(
      'init',
      '--state',
      w,
      '--name',
      'w2.example',
      '--log-key',
      join(root, 'audit.pem'),
    );
    assert.equal(init.code, 0, init.err);
    const log = new AuditLog({
      sink,
      keys,
      clock: new ManualClock(),
      kmsKeyVersion: 'projects/p/locations/global/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1',
      writer: 'gateway',
    });
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l) };
    const append = async (from: number, to: number) => {
      for (let i = from; i < to; i++) await log.append({ type: 'mcp.request', requestId: `r${i}` });
      await log.checkpoint();
    };
    await append(0, 4);
    assert.equal(await witnessTrail(w, sink, io), 0, out.join('\n'));
    assert.match(out.join('\n'), /COSIGNED warden\/audit\/gateway-\S+ size 5 \(from 0\)/);
    out.length = 0;
    await append(4, 9);
    assert.equal(await witnessTrail(w, sink, io), 0, out.join('\n'));
    assert.match(out.join('\n'), /COSIGNED .* size 10 \(from 5\)/);
    // One with write access to the bucket rewrites a witnessed record; the writer's next checkpoint is over
    // the records as written, so the proof computed from the trail as it now is cannot extend the witnessed tree.
    const name = [...sink.objects.keys()].find(
      (n) =>
        n.includes('/streams/') &&
        new TextDecoder().decode(sink.objects.get(n)!).includes('"requestId":"r1"'),
    )!;
    const text = new TextDecoder().decode(sink.objects.get(name)!);
    sink.objects.set(name, utf8.encode(text.replace('"requestId":"r1"', '"requestId":"rX"')));
    out.length = 0;
    await append(9, 12);
    assert.equal(await witnessTrail(w, sink, io), 1, out.join('\n'));
    assert.match(
      out.join('\n'),
      /REFUSED inconsistent \(422\) .*does not extend the witnessed tree of size 10/,
    );
    await log.close();
  });
});
