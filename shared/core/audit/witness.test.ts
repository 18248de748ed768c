// The witness: c2sp.org/tlog-witness add-checkpoint semantics (every refusal by name and status), cosignatures
// in the c2sp.org/tlog-cosignature Ed25519 format (checked by a second verifier written from the spec alone),
// and checkWitnessed, which a verifier calls to require a witness on the newest checkpoint.

import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { MemoryKeys } from '../../test-support/memory-ports.ts';
import { consistencyProof, EMPTY_ROOT, hashLeaf, rootHash } from './merkle.ts';
import {
  ecdsaVerifier,
  formatCheckpoint,
  kmsNoteSigner,
  type NoteSigner,
  parseNote,
  signNote,
} from './note.ts';
import {
  type AddCheckpointRequest,
  addCheckpoint,
  checkWitnessed,
  cosignerKey,
  EMPTY_WITNESS_STATE,
  ed25519Cosigner,
  formatAddCheckpoint,
  formatCosignerKey,
  parseAddCheckpoint,
  parseCosignerKey,
  type WitnessConfig,
  type WitnessState,
} from './witness.ts';

const KEY = 'projects/demo/locations/global/keyRings/warden/cryptoKeys/audit/cryptoKeyVersions/1';
const ORIGIN = 'warden.example/audit/gateway-20260101T000000Z-1a2b3c4d5e6f';
const utf8 = new TextEncoder();
const NOW = new Date('2026-12-07T12:00:00Z');

const lines = (n: number, tag = 'r') =>
  Array.from({ length: n }, (_, i) => utf8.encode(`{"seq":${i},"event":{"requestId":"${tag}${i}"}}`));
const leaves = (records: Uint8Array[]) => records.map(hashLeaf);

describe('witness add-checkpoint', () => {
  let logSigner: NoteSigner;
  let pem: string;
  const witnessKey = generateKeyPairSync('ed25519').privateKey;
  const cosigner = ed25519Cosigner('witness.example/auditor', witnessKey);
  const witnessPublic = cosignerKey('witness.example/auditor', createPublicKey(witnessKey));
  let config: WitnessConfig;

  before(async () => {
    const keys = new MemoryKeys();
    pem = await keys.getPublicKeyPem();
    logSigner = kmsNoteSigner(keys, KEY, ORIGIN, pem);
    config = {
      logKeys: (origin) =>
        origin.startsWith('warden.example/audit/') ? [ecdsaVerifier(origin, pem)] : undefined,
      cosigner,
      now: NOW,
    };
  });

  const checkpoint = (records: Uint8Array[], signer = logSigner, origin = ORIGIN) =>
    signNote(
      formatCheckpoint({ origin, size: records.length, rootHash: rootHash(leaves(records)), extensions: [] }),
      [signer],
    );

  /** The witness after cosigning the first `n` records. */
  async function witnessed(records: Uint8Array[]): Promise<WitnessState> {
    const r = addCheckpoint(
      EMPTY_WITNESS_STATE,
      { oldSize: 0, consistency: [], checkpoint: await checkpoint(records) },
      config,
    );
    assert.ok(r.ok, r.ok ? '' : r.message);
    return r.state;
  }

  it('cosigns a first checkpoint (old size 0, no proof) and remembers it', async () => {
    const records = lines(5);
    const note = await checkpoint(records);
    const r = addCheckpoint(EMPTY_WITNESS_STATE, { oldSize: 0, consistency: [], checkpoint: note }, config);
    assert.ok(r.ok);
    assert.equal(r.state.logs[ORIGIN]!.size, 5);
    assert.equal(r.state.logs[ORIGIN]!.rootHash, Buffer.from(rootHash(leaves(records))).toString('base64'));
    assert.equal(r.state.logs[ORIGIN]!.cosignedAt, '2026-12-07T12:00:00.000Z');
    assert.ok(r.cosigned.startsWith(note), 'the log note, with one more line');
    assert.match(r.cosignature, /^— witness\.example\/auditor [A-Za-z0-9+/=]+\n$/);
    assert.equal(r.cosigned, note + r.cosignature);
    assert.deepEqual(EMPTY_WITNESS_STATE, { logs: {} }, 'the old state is not changed');
  });

  it('cosigns a larger checkpoint with a valid consistency proof from the stored size', async () => {
    const records = lines(11);
    const state = await witnessed(records.slice(0, 6));
    const proof = consistencyProof(6, leaves(records));
    const r = addCheckpoint(
      state,
      { oldSize: 6, consistency: proof, checkpoint: await checkpoint(records) },
      config,
    );
    assert.ok(r.ok, r.ok ? '' : r.message);
    assert.equal(r.state.logs[ORIGIN]!.size, 11);
  });

  it('cosigns the same checkpoint again (same size, same root, empty proof)', async () => {
    const records = lines(4);
    const state = await witnessed(records);
    const r = addCheckpoint(
      state,
      { oldSize: 4, consistency: [], checkpoint: state.logs[ORIGIN]!.checkpoint },
      config,
    );
    assert.ok(r.ok);
    assert.equal(
      parseNote(r.cosigned).signatures.length,
      2,
      'its earlier cosignature is replaced, not repeated',
    );
  });

  const refusals: {
    name: string;
    kind: string;
    status: number;
    request: (state: WitnessState) => Promise<AddCheckpointRequest>;
  }[] = [
    {
      name: 'a checkpoint of a log it does not serve',
      kind: 'unknown-log',
      status: 404,
      request: async () => ({
        oldSize: 0,
        consistency: [],
        checkpoint: await checkpoint(
          lines(3),
          kmsNoteSigner(new MemoryKeys(), KEY, 'other.example/log', pem),
          'other.example/log',
        ),
      }),
    },
    {
      name: 'a checkpoint forged with another key (no trusted signature)',
      kind: 'bad-signature',
      status: 403,
      request: async () => {
        const other = new MemoryKeys();
        return {
          oldSize: 8,
          consistency: [],
          checkpoint: await checkpoint(
            lines(9),
            kmsNoteSigner(other, KEY, ORIGIN, await other.getPublicKeyPem()),
          ),
        };
      },
    },
    {
      name: 'a checkpoint whose text was altered after signing',
      kind: 'bad-signature',
      status: 403,
      request: async () => {
        const note = await checkpoint(lines(9));
        return { oldSize: 8, consistency: [], checkpoint: note.replace('\n9\n', '\n10\n') };
      },
    },
    {
      name: 'an old size that is not the one it holds (409, with its size)',
      kind: 'stale',
      status: 409,
      request: async () => {
        const records = lines(12);
        return {
          oldSize: 6,
          consistency: consistencyProof(6, leaves(records)),
          checkpoint: await checkpoint(records),
        };
      },
    },
    {
      name: 'a smaller checkpoint than the one it cosigned (a rolled-back log)',
      kind: 'rollback',
      status: 400,
      request: async () => ({ oldSize: 8, consistency: [], checkpoint: await checkpoint(lines(5)) }),
    },
    {
      name: 'a checkpoint of the same size with another root (a fork)',
      kind: 'fork',
      status: 422,
      request: async () => ({
        oldSize: 8,
        consistency: [],
        checkpoint: await checkpoint(lines(8, 'forked')),
      }),
    },
    {
      name: 'a larger checkpoint that does not extend the stored one (records altered under it)',
      kind: 'inconsistent',
      status: 422,
      request: async () => {
        const altered = [...lines(8, 'forked'), ...lines(4, 'new')];
        return {
          oldSize: 8,
          consistency: consistencyProof(8, leaves(altered)),
          checkpoint: await checkpoint(altered),
        };
      },
    },
    {
      name: 'a larger checkpoint with an altered consistency proof',
      kind: 'inconsistent',
      status: 422,
      request: async () => {
        const records = lines(13);
        const proof = consistencyProof(8, leaves(records));
        proof[0] = new Uint8Array(32);
        return { oldSize: 8, consistency: proof, checkpoint: await checkpoint(records) };
      },
    },
    {
      name: 'a larger checkpoint without a proof',
      kind: 'inconsistent',
      status: 422,
      request: async () => ({ oldSize: 8, consistency: [], checkpoint: await checkpoint(lines(13)) }),
    },
    {
      name: 'a malformed checkpoint',
      kind: 'malformed',
      status: 400,
      request: async () => ({ oldSize: 8, consistency: [], checkpoint: 'not a note\n' }),
    },
  ];
  for (const c of refusals)
    it(`refuses ${c.name}: ${c.kind} (${c.status})`, async () => {
      const state = await witnessed(lines(8));
      const r = addCheckpoint(state, await c.request(state), config);
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.kind, c.kind, r.message);
      assert.equal(r.status, c.status);
      if (r.kind === 'stale') assert.equal(r.storedSize, 8);
    });

  it('refuses a size-0 checkpoint without the empty root, and a proof from size 0', async () => {
    const bad = await signNote(
      formatCheckpoint({ origin: ORIGIN, size: 0, rootHash: new Uint8Array(32).fill(1), extensions: [] }),
      [logSigner],
    );
    const r = addCheckpoint(EMPTY_WITNESS_STATE, { oldSize: 0, consistency: [], checkpoint: bad }, config);
    assert.equal(r.ok ? '' : r.kind, 'bad-empty-root');
    const empty = await signNote(
      formatCheckpoint({ origin: ORIGIN, size: 0, rootHash: EMPTY_ROOT, extensions: [] }),
      [logSigner],
    );
    assert.ok(
      addCheckpoint(EMPTY_WITNESS_STATE, { oldSize: 0, consistency: [], checkpoint: empty }, config).ok,
    );
    const withProof = addCheckpoint(
      EMPTY_WITNESS_STATE,
      { oldSize: 0, consistency: [new Uint8Array(32)], checkpoint: await checkpoint(lines(3)) },
      config,
    );
    assert.equal(withProof.ok ? '' : withProof.kind, 'inconsistent');
  });

  it('keeps its state when it refuses (a refusal returns no state)', async () => {
    const state = await witnessed(lines(8));
    const before = JSON.stringify(state);
    addCheckpoint(
      state,
      { oldSize: 8, consistency: [], checkpoint: await checkpoint(lines(8, 'forked')) },
      config,
    );
    assert.equal(JSON.stringify(state), before);
  });

  it('writes and parses the add-checkpoint request body of c2sp.org/tlog-witness', async () => {
    const records = lines(7);
    const request = {
      oldSize: 3,
      consistency: consistencyProof(3, leaves(records)),
      checkpoint: await checkpoint(records),
    };
    const body = formatAddCheckpoint(request);
    assert.match(body, /^old 3\n([A-Za-z0-9+/=]{44}\n)+\nwarden\.example\/audit\//);
    assert.deepEqual(parseAddCheckpoint(body), request);
    for (const bad of ['old 03\n\nx', 'old 3\nAAAA\n\nx', 'old 3\n', 'new 3\n\nx'])
      assert.throws(() => parseAddCheckpoint(bad), /malformed add-checkpoint request/);
  });

  describe('cosignatures', () => {
    it('verify with a second verifier written from c2sp.org/tlog-cosignature alone', async () => {
      const r = addCheckpoint(
        EMPTY_WITNESS_STATE,
        { oldSize: 0, consistency: [], checkpoint: await checkpoint(lines(3)) },
        config,
      );
      assert.ok(r.ok);
      // "— <name> base64(key id || u64 timestamp || Ed25519 signature)", key id = SHA-256(name "\n" 0x04 key)[:4],
      // over "cosignature/v1\ntime <t>\n" || the note text.
      const raw = Buffer.from(createPublicKey(witnessKey).export({ format: 'jwk' }).x!, 'base64url');
      const line = r.cosignature.trimEnd().split(' ');
      assert.equal(line[1], 'witness.example/auditor');
      const bytes = Buffer.from(line[2]!, 'base64');
      const id = createHash('sha256')
        .update(Buffer.concat([Buffer.from('witness.example/auditor\n'), Buffer.from([4]), raw]))
        .digest()
        .subarray(0, 4);
      assert.deepEqual(bytes.subarray(0, 4), id);
      const time = bytes.readBigUInt64BE(4);
      assert.equal(time, BigInt(NOW.getTime() / 1000));
      const text = r.cosigned.slice(0, r.cosigned.indexOf('\n\n') + 1);
      const message = Buffer.from(`cosignature/v1\ntime ${time}\n${text}`);
      assert.ok(verify(null, message, createPublicKey(witnessKey), bytes.subarray(12)));
    });

    it('round-trips the witness verifier key (vkey type 0x04)', () => {
      const vkey = formatCosignerKey(witnessPublic);
      assert.match(vkey, /^witness\.example\/auditor\+[0-9a-f]{8}\+/);
      assert.deepEqual(parseCosignerKey(vkey), witnessPublic);
      assert.throws(
        () => parseCosignerKey(vkey.replace(/\+[0-9a-f]{8}\+/, '+00000000+')),
        /id does not match/,
      );
    });
  });

  describe('checkWitnessed', () => {
    it('accepts a checkpoint cosigned by a known witness, with the cosignature time', async () => {
      const state = await witnessed(lines(4));
      const v = checkWitnessed(state.logs[ORIGIN]!.checkpoint, [witnessPublic], { now: NOW });
      assert.deepEqual(v, {
        ok: true,
        witnessedBy: [
          {
            key: `witness.example/auditor+${witnessPublic.keyId.toString(16).padStart(8, '0')}`,
            time: '2026-12-07T12:00:00.000Z',
          },
        ],
      });
    });

    it('refuses a checkpoint no known witness cosigned', async () => {
      const v = checkWitnessed(await checkpoint(lines(4)), [witnessPublic]);
      assert.equal(v.ok, false);
      assert.match(v.ok ? '' : v.reason, /no cosignature by a known witness/);
      const other = cosignerKey(
        'witness.example/auditor',
        createPublicKey(generateKeyPairSync('ed25519').privateKey),
      );
      const state = await witnessed(lines(4));
      assert.equal(
        checkWitnessed(state.logs[ORIGIN]!.checkpoint, [other]).ok,
        false,
        'another key of that name',
      );
    });

    it('refuses a cosignature that does not verify, moved to another checkpoint', async () => {
      const state = await witnessed(lines(4));
      const cosignature = state.logs[ORIGIN]!.checkpoint.split('\n').at(-2)!;
      const v = checkWitnessed(`${await checkpoint(lines(5))}${cosignature}\n`, [witnessPublic]);
      assert.match(v.ok ? '' : v.reason, /cosignature by witness .* does not verify/);
    });

    it('refuses a cosignature dated in the future, and counts a quorum of distinct witnesses', async () => {
      const state = await witnessed(lines(4));
      const note = state.logs[ORIGIN]!.checkpoint;
      assert.match(
        ((v) => (v.ok ? '' : v.reason))(
          checkWitnessed(note, [witnessPublic], { now: new Date(NOW.getTime() - 3_600_000) }),
        ),
        /dated in the future/,
      );
      assert.match(
        ((v) => (v.ok ? '' : v.reason))(checkWitnessed(note, [witnessPublic], { quorum: 2 })),
        /1 known witness\(es\), 2 required/,
      );
    });
  });
});
