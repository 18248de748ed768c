// c2sp.org/tlog-proof@v1 receipts: round trips, strict parsing, every tampering named, a proof that survives
// appends (via consistency), and a second, independent verifier written from docs/audit-format.md alone.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryKeys } from '../../test-support/memory-ports.ts';
import { consistencyProof, hashLeaf, rootHash, verifyConsistency } from './merkle.ts';
import {
  ecdsaVerifier,
  ed25519NoteSigner,
  ed25519Verifier,
  formatCheckpoint,
  kmsNoteSigner,
  type NoteSigner,
  signNote,
} from './note.ts';
import {
  formatProof,
  parseProof,
  proveRecord,
  TLOG_PROOF_HEADER,
  type TlogProof,
  verifyProof,
} from './proof.ts';

const KEY = 'projects/demo/locations/global/keyRings/warden/cryptoKeys/audit/cryptoKeyVersions/1';
const ORIGIN = 'warden.example/audit/gateway-20260101T000000Z-1a2b3c4d5e6f';
const utf8 = new TextEncoder();

/** Record lines as a stream stores them (the leaf input is a line without its newline). */
const recordLines = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) =>
    utf8.encode(
      `{"event":{"requestId":"r${from + i}","type":"mcp.request"},"prev":null,"seq":${from + i},"stream":"s","time":"2026-01-01T00:00:00.000Z","v":1,"sig":"MEU="}`,
    ),
  );

async function checkpointOf(records: Uint8Array[], signer: NoteSigner, origin = ORIGIN): Promise<string> {
  const text = formatCheckpoint({
    origin,
    size: records.length,
    rootHash: rootHash(records.map(hashLeaf)),
    extensions: [],
  });
  return signNote(text, [signer]);
}

describe('tlog-proof receipts', () => {
  let keys: MemoryKeys;
  let pem: string;
  let signer: NoteSigner;
  const verifiers = (origin: string) => [ecdsaVerifier(origin, pem)];

  before(async () => {
    keys = new MemoryKeys();
    pem = await keys.getPublicKeyPem();
    signer = kmsNoteSigner(keys, KEY, ORIGIN, pem);
  });

  it('proves and verifies every record of logs of 1 to 13 records, from the text and with the record carried', async () => {
    for (const n of [1, 2, 3, 7, 8, 13]) {
      const records = recordLines(n);
      const note = await checkpointOf(records, signer);
      for (let i = 0; i < n; i++) {
        const proof = proveRecord(i, records.map(hashLeaf), note, records[i]);
        const text = formatProof(proof);
        assert.deepEqual(parseProof(text), proof);
        const verdict = verifyProof(text, { verifiers });
        assert.ok(verdict.ok, `${i} of ${n}: ${!verdict.ok && verdict.reason}`);
        assert.equal(verdict.index, i);
        assert.equal(verdict.checkpoint.size, n);
        assert.deepEqual(verdict.signedBy, [`${ORIGIN}+${signer.keyId.toString(16).padStart(8, '0')}`]);
        assert.ok(
          verifyProof(formatProof({ ...proof, extra: undefined } as TlogProof), {
            verifiers,
            record: records[i]!,
          }).ok,
        );
      }
    }
  });

  it('writes the layout of c2sp.org/tlog-proof@v1: header, extra, index, hashes, blank line, checkpoint', async () => {
    const records = recordLines(3);
    const note = await checkpointOf(records, signer);
    const text = formatProof(proveRecord(2, records.map(hashLeaf), note, records[2]));
    const lines = text.split('\n');
    assert.equal(lines[0], TLOG_PROOF_HEADER);
    assert.equal(lines[1], `extra ${Buffer.from(records[2]!).toString('base64')}`);
    assert.equal(lines[2], 'index 2');
    // Leaf 2 of 3: its one sibling is the root of leaves 0 and 1.
    assert.equal(lines[3], Buffer.from(rootHash(records.slice(0, 2).map(hashLeaf))).toString('base64'));
    assert.equal(lines[4], '');
    assert.equal(lines.slice(5).join('\n'), note);
  });

  describe('names every tampering', () => {
    const records = recordLines(11);
    let note: string;
    let good: TlogProof;
    before(async () => {
      note = await checkpointOf(records, signer);
      good = proveRecord(5, records.map(hashLeaf), note, records[5]);
    });
    const flip = (b: Uint8Array, at = 0) => {
      const c = new Uint8Array(b);
      c[at]! ^= 1;
      return c;
    };
    const cases: {
      name: string;
      make: () => { proof: TlogProof | string; record?: Uint8Array; pem?: string };
      reason: RegExp;
    }[] = [
      {
        name: 'a wrong index',
        make: () => ({ proof: { ...good, index: 4 } }),
        reason: /inclusion proof does not lead .* index 4/,
      },
      {
        name: 'an index past the tree',
        make: () => ({ proof: { ...good, index: 11 } }),
        reason: /index 11 is outside .* 11 records/,
      },
      {
        name: 'an altered proof hash',
        make: () => ({
          proof: { ...good, inclusion: [flip(good.inclusion[0]!), ...good.inclusion.slice(1)] },
        }),
        reason: /inclusion proof does not lead/,
      },
      {
        name: 'a dropped proof hash',
        make: () => ({ proof: { ...good, inclusion: good.inclusion.slice(1) } }),
        reason: /inclusion proof does not lead/,
      },
      {
        name: 'an altered record (carried)',
        make: () => ({ proof: { ...good, extra: flip(good.extra!, 40) } }),
        reason: /inclusion proof does not lead/,
      },
      {
        name: 'an altered record (given)',
        make: () => ({ proof: { ...good, extra: undefined } as TlogProof, record: flip(records[5]!, 40) }),
        reason: /inclusion proof does not lead/,
      },
      {
        name: 'a record given that is not the carried one',
        make: () => ({ proof: good, record: records[4]! }),
        reason: /differs from the record the proof carries/,
      },
      {
        name: 'a record that is not in the log',
        make: () => ({ proof: { ...good, extra: recordLines(1, 99)[0]! } }),
        reason: /inclusion proof does not lead/,
      },
      {
        name: 'no record at all',
        make: () => ({ proof: { ...good, extra: undefined } as TlogProof }),
        reason: /no record to check/,
      },
      {
        name: 'another key',
        make: () => ({
          proof: good,
          pem: generateKeyPairSync('ec', { namedCurve: 'P-256' })
            .publicKey.export({ type: 'spki', format: 'pem' })
            .toString(),
        }),
        reason: /checkpoint: no signature by a known key/,
      },
      {
        name: 'an altered checkpoint size',
        make: () => ({ proof: { ...good, checkpoint: note.replace('\n11\n', '\n12\n') } }),
        reason: /checkpoint: the signature by .* does not verify/,
      },
      {
        name: 'an altered checkpoint root',
        make: () => ({
          proof: {
            ...good,
            checkpoint: note.replace(
              /\n[A-Za-z0-9+/]{43}=\n/,
              `\n${Buffer.from(flip(rootHash([]))).toString('base64')}\n`,
            ),
          },
        }),
        reason: /does not verify/,
      },
      {
        name: 'a checkpoint whose origin was changed',
        make: () => ({ proof: { ...good, checkpoint: note.replaceAll(ORIGIN, 'warden.example/other') } }),
        reason: /does not verify/,
      },
      {
        name: 'a truncated signature',
        make: () => ({ proof: formatProof(good).replace(/.{8}\n$/, '\n') }),
        reason: /malformed proof|checkpoint/,
      },
    ];
    for (const c of cases)
      it(`refuses ${c.name}`, () => {
        const { proof, record, pem: otherPem } = c.make();
        const verdict = verifyProof(proof, {
          verifiers: (origin) => [ecdsaVerifier(origin, otherPem ?? pem)],
          ...(record ? { record } : {}),
        });
        assert.equal(verdict.ok, false);
        assert.match((verdict as { reason: string }).reason, c.reason);
      });

    it('refuses a checkpoint of another origin when one is required', () => {
      const verdict = verifyProof(good, { verifiers, origin: 'warden.example/audit/other' });
      assert.deepEqual(verdict, {
        ok: false,
        reason: `the checkpoint is for origin "${ORIGIN}", not "warden.example/audit/other"`,
      });
    });

    it('refuses to prove against a checkpoint that is not the root of the records', () => {
      assert.throws(
        () => proveRecord(0, recordLines(11, 1).map(hashLeaf), note),
        /not the root of these records/,
      );
      assert.throws(() => proveRecord(0, records.slice(0, 10).map(hashLeaf), note), /more than given/);
    });
  });

  describe('parses strictly', () => {
    let text: string;
    before(async () => {
      const records = recordLines(4);
      text = formatProof(
        proveRecord(1, records.map(hashLeaf), await checkpointOf(records, signer), records[1]),
      );
    });
    const cases: { name: string; edit: (t: string) => string; error: RegExp }[] = [
      {
        name: 'another header',
        edit: (t) => t.replace(TLOG_PROOF_HEADER, 'c2sp.org/tlog-proof@v2'),
        error: /first line/,
      },
      {
        name: 'an index with a leading zero',
        edit: (t) => t.replace('\nindex 1\n', '\nindex 01\n'),
        error: /index <decimal/,
      },
      {
        name: 'a negative index',
        edit: (t) => t.replace('\nindex 1\n', '\nindex -1\n'),
        error: /index <decimal/,
      },
      { name: 'no index', edit: (t) => t.replace('\nindex 1\n', '\n'), error: /index <decimal|not base64/ },
      {
        name: 'a 31-byte hash',
        edit: (t) => t.replace(/\nindex 1\n[^\n]+\n/, `\nindex 1\n${Buffer.alloc(31).toString('base64')}\n`),
        error: /not a 32-byte hash/,
      },
      {
        name: 'extra that is not base64',
        edit: (t) => t.replace(/\nextra [^\n]+\n/, '\nextra not*base64\n'),
        error: /extra line is not base64/,
      },
      {
        name: 'no blank line before the checkpoint',
        edit: (t) => t.replace(/\n\n(?=warden)/, '\n'),
        error: /not base64|no empty line/,
      },
      { name: 'garbage after the checkpoint', edit: (t) => `${t}garbage\n`, error: /the checkpoint/ },
      { name: 'CRLF line ends', edit: (t) => t.replaceAll('\n', '\r\n'), error: /first line/ },
    ];
    for (const c of cases)
      it(`refuses a proof with ${c.name}`, () => {
        const edited = c.edit(text);
        assert.notEqual(edited, text);
        assert.throws(() => parseProof(edited), c.error);
        assert.equal(verifyProof(edited, { verifiers }).ok, false);
      });
  });

  it('keeps a proof made today valid after more records are appended, through a consistency proof', async () => {
    const records = recordLines(6);
    const today = await checkpointOf(records, signer);
    const receipt = formatProof(proveRecord(3, records.map(hashLeaf), today, records[3]));
    const later = [...records, ...recordLines(9, 6)];
    const newer = await checkpointOf(later, signer);
    // The receipt still verifies against the checkpoint it carries, and that checkpoint's tree is a prefix
    // of the newer one: the record is in the newer tree too.
    const verdict = verifyProof(receipt, { verifiers });
    assert.ok(verdict.ok);
    const newerVerdict = verifyProof(formatProof(proveRecord(3, later.map(hashLeaf), newer, records[3])), {
      verifiers,
    });
    assert.ok(newerVerdict.ok);
    const proof = consistencyProof(6, later.map(hashLeaf));
    assert.ok(verifyConsistency(6, 15, verdict.checkpoint.rootHash, newerVerdict.checkpoint.rootHash, proof));
    assert.ok(
      !verifyConsistency(
        6,
        15,
        rootHash(recordLines(6, 50).map(hashLeaf)),
        newerVerdict.checkpoint.rootHash,
        proof,
      ),
    );
  });

  it('verifies receipts of a log signed with Ed25519 (type 0x01), given its key', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const ed = ed25519NoteSigner('log.example/ed', privateKey);
    const records = recordLines(5);
    const note = await checkpointOf(records, ed, 'log.example/ed');
    const receipt = formatProof(proveRecord(4, records.map(hashLeaf), note, records[4]));
    assert.ok(verifyProof(receipt, { verifiers: [ed25519Verifier('log.example/ed', publicKey)] }).ok);
    assert.equal(verifyProof(receipt, { verifiers }).ok, false);
  });

  describe('an independent verifier, written from docs/audit-format.md alone', () => {
    // Shares no code with proof.ts, note.ts or merkle.ts: node:crypto, and `openssl` for the signature.
    function independentlyVerify(proof: string, pemKey: string): boolean {
      const sha = (...p: Buffer[]) => createHash('sha256').update(Buffer.concat(p)).digest();
      const lines = proof.split('\n');
      if (lines[0] !== 'c2sp.org/tlog-proof@v1' || !lines[1]!.startsWith('extra ')) return false;
      const record = Buffer.from(lines[1]!.slice(6), 'base64');
      const index = BigInt(/^index (\d+)$/.exec(lines[2]!)![1]!);
      const blank = lines.indexOf('', 3);
      const path = lines.slice(3, blank).map((l) => Buffer.from(l, 'base64'));
      const note = lines.slice(blank + 1).join('\n');
      const text = note.slice(0, note.lastIndexOf('\n\n') + 1);
      const [, size, root] = text.split('\n');
      // The signature line "— <origin> base64(key id || DER signature)"; the key id is SHA-256(DER key)[:4].
      const der = createPublicKey(pemKey).export({ type: 'spki', format: 'der' });
      const sigLine = note.slice(text.length + 1).split('\n')[0]!;
      const sig = Buffer.from(sigLine.split(' ')[2]!, 'base64');
      if (!sig.subarray(0, 4).equals(sha(der).subarray(0, 4))) return false;
      if (!verify('sha256', Buffer.from(text), pemKey, sig.subarray(4))) return false;
      // RFC 9162 section 2.1.3.2, with BigInt.
      let fn = index;
      let sn = BigInt(size!) - 1n;
      if (fn > sn) return false;
      let r = sha(Buffer.of(0), record);
      for (const p of path) {
        if (sn === 0n) return false;
        if ((fn & 1n) === 1n || fn === sn) {
          r = sha(Buffer.of(1), p, r);
          while ((fn & 1n) === 0n && fn !== 0n) [fn, sn] = [fn >> 1n, sn >> 1n];
        } else r = sha(Buffer.of(1), r, p);
        [fn, sn] = [fn >> 1n, sn >> 1n];
      }
      return sn === 0n && r.equals(Buffer.from(root!, 'base64'));
    }

    it('accepts every receipt of a 21-record log and refuses a tampered one', async () => {
      const records = recordLines(21);
      const note = await checkpointOf(records, signer);
      for (let i = 0; i < records.length; i++) {
        const receipt = formatProof(proveRecord(i, records.map(hashLeaf), note, records[i]));
        assert.ok(independentlyVerify(receipt, pem), `record ${i}`);
        assert.ok(!independentlyVerify(receipt.replace(`\nindex ${i}\n`, `\nindex ${(i + 1) % 21}\n`), pem));
      }
    });

    it('runs the by-hand openssl procedure of docs/audit-format.md as written', async () => {
      const docs = readFileSync(new URL('../../../docs/audit-format.md', import.meta.url), 'utf8');
      const script = /By hand, the checkpoint's signature with `openssl`:\n\n```sh\n([\s\S]*?)```/.exec(
        docs,
      )?.[1];
      assert.ok(script, 'the procedure is in docs/audit-format.md');
      const records = recordLines(7);
      const note = await checkpointOf(records, signer);
      const dir = mkdtempSync(join(tmpdir(), 'warden-proof-'));
      const sh = (receipt: string) => {
        writeFileSync(join(dir, 'receipt.tlog-proof'), receipt);
        try {
          return execFileSync('sh', ['-e', '-c', script], {
            cwd: dir,
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'pipe'],
          });
        } catch (err) {
          return `${(err as { stdout?: string }).stdout ?? ''}FAILED`;
        }
      };
      try {
        writeFileSync(join(dir, 'kms.pem'), pem);
        writeFileSync(
          join(dir, '000000000000.jsonl'),
          records.map((r) => `${new TextDecoder().decode(r)}\n`).join(''),
        );
        const receipt = formatProof(proveRecord(3, records.map(hashLeaf), note, records[3]));
        const [idInReceipt, idOfKey, verified, leaf] = sh(receipt).trim().split('\n');
        assert.equal(idInReceipt, signer.keyId.toString(16).padStart(8, '0'));
        assert.equal(idOfKey, idInReceipt);
        assert.equal(verified, 'Verified OK');
        assert.equal(leaf, `${Buffer.from(hashLeaf(records[3]!)).toString('hex')}  -`);
        assert.match(sh(receipt.replace(`\n${records.length}\n`, `\n${records.length + 1}\n`)), /FAILED$/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
