import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { EMPTY_ROOT, hashLeaf, rootHash } from './merkle.ts';
import { formatCheckpoint, formatNote } from './note.ts';
import type { CheckedCheckpoint } from './verify-checkpoints.ts';
import { verifyWitnessed } from './verify-witness.ts';
import { cosign, cosignerKey, ed25519Cosigner } from './witness.ts';

const utf8 = new TextEncoder();
const ORIGIN = 'warden/audit/gateway-1';
const root = (n: number, tag = 'r') =>
  n === 0 ? EMPTY_ROOT : rootHash(Array.from({ length: n }, (_, i) => hashLeaf(utf8.encode(`${tag}${i}`))));

/** A checkpoint of the trail as verify returns it (only the fields the witness check reads matter). */
const checkpoint = (size: number, origin = ORIGIN, tag = 'r'): CheckedCheckpoint => ({
  origin,
  stream: origin.split('/').pop()!,
  size,
  rootHash: root(size, tag),
  time: '2026-12-07T12:00:00Z',
  instance: 'i',
  closed: false,
  known: [],
  object: `v1/checkpoints/${origin.split('/').pop()}/${String(size).padStart(12, '0')}-000000.checkpoint`,
  n: 0,
});

const { privateKey } = generateKeyPairSync('ed25519');
const witness = ed25519Cosigner('witness.example', privateKey);
const KEY = cosignerKey('witness.example', createPublicKey(privateKey));
const { privateKey: otherPrivate } = generateKeyPairSync('ed25519');
const impostor = ed25519Cosigner('witness.example', otherPrivate);
const NOW = new Date('2026-12-07T12:30:00Z');

/** A note as the witness stores it: the log's checkpoint, cosigned (the log's own signature is not read here). */
const cosigned = (size: number, by = witness, origin = ORIGIN, tag = 'r') => ({
  name: `cosigned/${origin}/${size}.checkpoint`,
  note: cosign(
    formatNote(formatCheckpoint({ origin, size, rootHash: root(size, tag), extensions: [] }), [
      { name: origin, keyId: 1, signature: new Uint8Array(64) },
    ]),
    by,
    NOW,
  ).cosigned,
});

const kinds = (...args: Parameters<typeof verifyWitnessed>) => verifyWitnessed(...args).map((p) => p.kind);

describe('verify --witness-key: the trail against what the witness cosigned', () => {
  it('passes when the newest checkpoint of every stream is cosigned', () => {
    assert.deepEqual(kinds([checkpoint(5), checkpoint(9)], [cosigned(5), cosigned(9)], [KEY]), []);
  });

  it('reports unwitnessed when the newest checkpoint is not cosigned (an older one is)', () => {
    assert.deepEqual(kinds([checkpoint(5), checkpoint(9)], [cosigned(5)], [KEY]), ['unwitnessed']);
  });

  it('ignores a cosignature by another key under the witness name: unwitnessed, not OK', () => {
    assert.deepEqual(kinds([checkpoint(9)], [cosigned(9, impostor)], [KEY]), ['unwitnessed']);
  });

  it('reports a rollback when the witness cosigned a larger tree than the trail holds', () => {
    assert.deepEqual(kinds([checkpoint(5)], [cosigned(5), cosigned(9)], [KEY]).sort(), ['rollback']);
  });

  it('reports a fork when the witness cosigned the same size with another root', () => {
    assert.deepEqual(kinds([checkpoint(9)], [cosigned(9, witness, ORIGIN, 'other')], [KEY]).sort(), [
      'fork',
      'unwitnessed',
    ]);
  });

  it('reports a deleted stream the witness cosigned', () => {
    const other = 'warden/audit/executor-1';
    assert.deepEqual(kinds([checkpoint(9)], [cosigned(9), cosigned(3, witness, other)], [KEY]), [
      'stream-missing',
    ]);
  });

  it('requires the quorum of witness keys', () => {
    const { privateKey: p2 } = generateKeyPairSync('ed25519');
    const second = ed25519Cosigner('witness2.example', p2);
    const KEY2 = cosignerKey('witness2.example', createPublicKey(p2));
    const once = cosigned(9);
    assert.deepEqual(kinds([checkpoint(9)], [once], [KEY, KEY2], { quorum: 2 }), ['unwitnessed']);
    const both = { name: once.name, note: cosign(once.note, second, NOW).cosigned };
    assert.deepEqual(kinds([checkpoint(9)], [both], [KEY, KEY2], { quorum: 2 }), []);
  });
});
