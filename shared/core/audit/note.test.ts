// C2SP signed notes and checkpoints: the spec's own Ed25519 example, Sigstore Rekor's and a Pixel log's ECDSA
// checkpoints (as transparency-dev/formats tests them), KMS signing through the port, strict parsing.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { MemoryKeys } from '../../test-support/memory-ports.ts';
import { isWardenError } from '../errors.ts';
import { EMPTY_ROOT, hashLeaf } from './merkle.ts';
import {
  type Checkpoint,
  describeKey,
  ecdsaVerifier,
  ed25519NoteSigner,
  ed25519Verifier,
  formatCheckpoint,
  formatVerifierKey,
  kmsNoteSigner,
  openNote,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  signNote,
} from './note.ts';

const KEY = 'projects/demo/locations/global/keyRings/warden/cryptoKeys/audit/cryptoKeyVersions/1';

// c2sp.org/signed-note, section "Verifier keys", "Example".
const SPEC_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const SPEC_NOTE =
  'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';
// transparency-dev/formats note/note_verifier_test.go: Sigstore Rekor's and the Pixel 6 log's ECDSA keys and
// checkpoints.
const REKOR_VKEY =
  'rekor.sigstore.dev+c0d23d6a+AjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABNhtmPtrWm3U1eQXBogSMdGvXwBcK5AW5i0hrZLOC96l+smGNM7nwZ4QvFK/4sueRoVj//QP22Ni4Qt9DPfkWLc=';
const REKOR_NOTE =
  'Rekor\n798034\nf+7CoKgXKE/tNys9TTXcr/ad6U/K3xvznmzew9y6SP0=\n\n— rekor.sigstore.dev wNI9ajBEAiARInWIWyCdyG27CO6LPnPekyw20qO0YJfoaPaowGp/XgIgc+qEHS3+GKVClgqq20uDLet7MCoTURUCRdxwWBHHufk=\n';
const PIXEL_VKEY =
  'pixel6_transparency_log+91c16e30+AjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABN+4x0Jk1yTwvLFI9A4NDdGZcX0aiWVdWM5XJVy0M4VWD3AvyW5Q6Hs9A0mcDkpUoYgn+KKPNzFC0H3nN3q6JQ8=';
const PIXEL_NOTE =
  'DEFAULT\n10\nbsWRucJU5xJPHb5eBdOm6+DM+VelCZBuvtI3sHERJ9Y=\n\n— pixel6_transparency_log kcFuMDBFAiEAhqMAP8P6qf6QxtUJhzMhbN+MbZ9dwfUHzGQJmffJHtoCIGD0cNe47dHWBoPwYdgBCepB06/+g5O1FmYjXl06owL4\n';

/** The WardenError message `f` throws, or a failure if it does not throw one. */
function refusal(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    assert.ok(isWardenError(err), String(err));
    return err.message;
  }
  assert.fail('accepted');
}

describe('C2SP signed notes', () => {
  describe('published examples', () => {
    it('verifies the Ed25519 example of c2sp.org/signed-note with its verifier key', () => {
      const key = parseVerifierKey(SPEC_VKEY);
      assert.equal(describeKey(key), 'example.com/foo+530d903a');
      assert.equal(formatVerifierKey(key), SPEC_VKEY);
      const opened = openNote(SPEC_NOTE, [key]);
      assert.equal(opened.text, 'This is an example message.\n');
      assert.deepEqual(opened.signedBy, [key]);
      assert.match(
        refusal(() => openNote(SPEC_NOTE.replace('example message', 'exemplary note'), [key])),
        /does not verify/,
      );
    });

    for (const [name, vkey, note, origin, size] of [
      ['Sigstore Rekor', REKOR_VKEY, REKOR_NOTE, 'Rekor', 798034],
      ['the Pixel 6 transparency log', PIXEL_VKEY, PIXEL_NOTE, 'DEFAULT', 10],
    ] as const)
      it(`verifies ${name}'s ECDSA (type 0x02) checkpoint, its key id computed from the DER SPKI key`, () => {
        const key = parseVerifierKey(vkey);
        assert.equal(formatVerifierKey(key), vkey);
        const checkpoint = parseCheckpoint(openNote(note, [key]).text);
        assert.equal(checkpoint.origin, origin);
        assert.equal(checkpoint.size, size);
        assert.equal(checkpoint.rootHash.length, 32);
        // The same key under another name is another key: its signatures are ignored, so none is known.
        const renamed = ecdsaVerifier('bananas.sigstore.dev', key.publicKey);
        assert.match(
          refusal(() => openNote(note, [renamed])),
          /no signature by a known key/,
        );
        assert.match(
          refusal(() => openNote(note.replace(`\n${size}\n`, `\n${size + 1}\n`), [key])),
          /does not verify/,
        );
      });

    it('refuses a verifier key whose id does not match its key, or of an unknown type', () => {
      assert.match(
        refusal(() => parseVerifierKey(REKOR_VKEY.replace('c0d23d6a', '00000000'))),
        /id does not match/,
      );
      assert.match(
        refusal(() => parseVerifierKey('rekor.sigstore.dev+12345678+AwEB')),
        /type 3 is not supported/,
      );
    });
  });

  describe('signing', () => {
    it('signs a checkpoint with KMS through the port (one AsymmetricSign) and verifies it with the PEM key', async () => {
      const keys = new MemoryKeys();
      const pem = await keys.getPublicKeyPem();
      const origin = 'warden.example/audit/gateway-20260101T000000Z-1a2b3c4d5e6f';
      const checkpoint: Checkpoint = {
        origin,
        size: 3,
        rootHash: hashLeaf(new Uint8Array()),
        extensions: [],
      };
      const note = await signNote(formatCheckpoint(checkpoint), [kmsNoteSigner(keys, KEY, origin, pem)]);
      assert.equal(keys.calls.sign, 1);
      const key = ecdsaVerifier(origin, pem);
      const opened = openNote(note, [key]);
      assert.deepEqual(parseCheckpoint(opened.text), checkpoint);
      assert.match(note, new RegExp(`\n\n— ${origin} [A-Za-z0-9+/]+=*\n$`));
      const other = ecdsaVerifier(
        origin,
        generateKeyPairSync('ec', { namedCurve: 'P-256' })
          .publicKey.export({ type: 'spki', format: 'pem' })
          .toString(),
      );
      assert.match(
        refusal(() => openNote(note, [other])),
        /no signature by a known key/,
      );
    });

    it('carries a witness cosignature: unknown signatures are ignored, each known one must verify', async () => {
      const keys = new MemoryKeys();
      const pem = await keys.getPublicKeyPem();
      const origin = 'warden.example/audit/log';
      const witnessKey = generateKeyPairSync('ed25519');
      const witness = ed25519NoteSigner('witness.example/w1', witnessKey.privateKey);
      const text = formatCheckpoint({ origin, size: 0, rootHash: EMPTY_ROOT, extensions: [] });
      const note = await signNote(text, [kmsNoteSigner(keys, KEY, origin, pem), witness]);
      const log = ecdsaVerifier(origin, pem);
      const witnessVerifier = ed25519Verifier('witness.example/w1', witnessKey.publicKey);
      assert.deepEqual(openNote(note, [log]).signedBy, [log]);
      assert.deepEqual(openNote(note, [log, witnessVerifier]).signedBy, [log, witnessVerifier]);
      // A known key's bad signature rejects the whole note (c2sp.org/signed-note: clients SHOULD).
      const sigLine = note.trimEnd().split('\n').at(-1)!;
      const bytes = Buffer.from(sigLine.split(' ')[2]!, 'base64');
      bytes[10]! ^= 1; // in the signature, after the 4-byte key id
      const forged = note.replace(sigLine, `— witness.example/w1 ${bytes.toString('base64')}`);
      assert.notEqual(forged, note);
      assert.match(
        refusal(() => openNote(forged, [log, witnessVerifier])),
        /witness\.example\/w1\+[0-9a-f]{8} does not verify/,
      );
      assert.deepEqual(openNote(forged, [log]).signedBy, [log]);
    });
  });

  describe('strict parsing', () => {
    const good = REKOR_NOTE;
    const cases: { name: string; note: string | Uint8Array; error: RegExp }[] = [
      { name: 'no blank line before the signatures', note: good.replace('\n\n', '\n'), error: /blank line/ },
      { name: 'no newline after the last signature', note: good.slice(0, -1), error: /ends with a newline/ },
      { name: 'a control character', note: good.replace('Rekor', 'Re\tkor'), error: /control characters/ },
      { name: 'a carriage return', note: good.replace('\n\n', '\r\n\n'), error: /control characters/ },
      { name: 'invalid UTF-8', note: Uint8Array.of(0x52, 0xff, 0x0a, 0x0a), error: /UTF-8/ },
      { name: 'a lone surrogate', note: good.replace('Rekor', 'Rek\ud800or'), error: /UTF-8/ },
      {
        name: 'a signature line without the em dash',
        note: good.replace('— ', '- '),
        error: /signature line 1/,
      },
      {
        name: 'a key name with "+"',
        note: good.replace('— rekor.sigstore.dev', '— rekor+sigstore'),
        error: /signature line 1/,
      },
      {
        name: 'a signature that is not base64',
        note: good.replace('wNI9aj', 'wNI9a*'),
        error: /signature line 1/,
      },
      { name: 'non-canonical base64', note: good.replace('Hufk=', 'Hufk'), error: /not base64/ },
      {
        name: 'a signature shorter than its key id',
        note: good.replace(/— rekor.sigstore.dev .*\n$/, '— rekor.sigstore.dev AAAA\n'),
        error: /too short/,
      },
    ];
    for (const c of cases)
      it(`refuses a note with ${c.name}`, () =>
        assert.match(
          refusal(() => parseNote(c.note)),
          c.error,
        ));

    it('separates the text at the last blank line, so a text may hold empty lines', () => {
      const note = parseNote('first\n\nsecond\n\n— a.example/k AAAAAAA=\n');
      assert.equal(note.text, 'first\n\nsecond\n');
      assert.deepEqual(
        note.signatures.map((s) => [s.name, s.keyId]),
        [['a.example/k', 0]],
      );
    });

    const checkpoints: { name: string; text: string; error: RegExp }[] = [
      {
        name: 'a size with a leading zero',
        text: 'o\n010\nf+7CoKgXKE/tNys9TTXcr/ad6U/K3xvznmzew9y6SP0=\n',
        error: /leading zeros/,
      },
      {
        name: 'a negative size',
        text: 'o\n-1\nf+7CoKgXKE/tNys9TTXcr/ad6U/K3xvznmzew9y6SP0=\n',
        error: /leading zeros/,
      },
      {
        name: 'a size beyond 2^53',
        text: 'o\n9007199254740993\nf+7CoKgXKE/tNys9TTXcr/ad6U/K3xvznmzew9y6SP0=\n',
        error: /tree size/,
      },
      {
        name: 'a 31-byte root hash',
        text: 'o\n1\nf+7CoKgXKE/tNys9TTXcr/ad6U/K3xvznmzew9y6SA==\n',
        error: /32 bytes/,
      },
      { name: 'no root hash', text: 'o\n1\n', error: /root hash line/ },
      {
        name: 'an empty extension line',
        text: 'o\n1\nf+7CoKgXKE/tNys9TTXcr/ad6U/K3xvznmzew9y6SP0=\n\nx\n',
        error: /no empty lines/,
      },
      {
        name: 'no final newline',
        text: 'o\n1\nf+7CoKgXKE/tNys9TTXcr/ad6U/K3xvznmzew9y6SP0=',
        error: /ends with a newline/,
      },
    ];
    for (const c of checkpoints)
      it(`refuses a checkpoint with ${c.name}`, () =>
        assert.match(
          refusal(() => parseCheckpoint(c.text)),
          c.error,
        ));

    it('keeps extension lines and writes exactly origin, size, root, extensions', () => {
      const c: Checkpoint = {
        origin: 'example.com/log',
        size: 20852163,
        rootHash: EMPTY_ROOT,
        extensions: ['ext one'],
      };
      const text = formatCheckpoint(c);
      assert.equal(
        text,
        'example.com/log\n20852163\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next one\n',
      );
      assert.deepEqual(parseCheckpoint(text), c);
      assert.match(
        refusal(() => formatCheckpoint({ ...c, origin: 'has space' })),
        /origin/,
      );
    });
  });
});
