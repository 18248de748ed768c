// RFC 9162 Merkle trees: published vectors (transparency-dev/merkle, draft-ietf-plants-merkle-tree-certs), a
// naive recursive implementation straight from the RFC's definitions, and the writer's frontier.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  appendLeaf,
  consistencyProof,
  EMPTY_FRONTIER,
  EMPTY_ROOT,
  frontierRoot,
  hashChildren,
  hashLeaf,
  inclusionProof,
  isValidFrontier,
  type MerkleFrontier,
  rootHash,
  verifyConsistency,
  verifyInclusion,
} from './merkle.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const fromHex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
const fromB64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

// --- a naive implementation, from the definitions of RFC 9162 section 2.1 alone (shares nothing above) ---
const sha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const k = (n: number) => 2 ** Math.ceil(Math.log2(n) - 1); // largest power of two < n, for n > 1
function mth(d: Uint8Array[]): Uint8Array {
  if (d.length === 0) return sha();
  if (d.length === 1) return sha(Uint8Array.of(0), d[0]!);
  return sha(Uint8Array.of(1), mth(d.slice(0, k(d.length))), mth(d.slice(k(d.length))));
}
function path(m: number, d: Uint8Array[]): Uint8Array[] {
  if (d.length === 1) return [];
  const s = k(d.length);
  return m < s
    ? [...path(m, d.slice(0, s)), mth(d.slice(s))]
    : [...path(m - s, d.slice(s)), mth(d.slice(0, s))];
}
function subproof(m: number, d: Uint8Array[], b: boolean): Uint8Array[] {
  if (m === d.length) return b ? [] : [mth(d)];
  const s = k(d.length);
  return m <= s
    ? [...subproof(m, d.slice(0, s), b), mth(d.slice(s))]
    : [...subproof(m - s, d.slice(s), false), mth(d.slice(0, s))];
}
// ---

const entries = (n: number) => Array.from({ length: n }, (_, i) => new TextEncoder().encode(`record ${i}`));
const flipped = (h: Uint8Array) => {
  const c = new Uint8Array(h);
  c[0]! ^= 1;
  return c;
};

describe('RFC 9162 Merkle trees', () => {
  describe('published vectors', () => {
    it('hashes the empty tree, leaves and nodes as transparency-dev/merkle rfc6962_test.go does', () => {
      assert.equal(hex(EMPTY_ROOT), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
      assert.equal(hex(rootHash([])), hex(EMPTY_ROOT));
      assert.equal(
        hex(hashLeaf(new Uint8Array())),
        '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      );
      assert.equal(
        hex(hashLeaf(new TextEncoder().encode('L123456'))),
        '395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56',
      );
      assert.equal(
        hex(hashChildren(new TextEncoder().encode('N123'), new TextEncoder().encode('N456'))),
        'aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb',
      );
    });

    it('gives the root of every size of the RFC 6962 reference tree (transparency-dev testonly)', () => {
      const leaves = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657'].concat(
        '606162636465666768696a6b6c6d6e6f',
      );
      const roots = [
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
        'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
        'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
        'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
        '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
        '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
        'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
        '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
      ];
      const hashes = leaves.map((l) => hashLeaf(fromHex(l)));
      let frontier: MerkleFrontier = EMPTY_FRONTIER;
      for (let n = 0; n <= 8; n++) {
        assert.equal(hex(rootHash(hashes.slice(0, n))), roots[n], `size ${n}`);
        assert.equal(hex(frontierRoot(frontier)), roots[n], `frontier, size ${n}`);
        if (n < 8) frontier = appendLeaf(frontier, hashes[n]!);
      }
    });

    // 98 inclusion and 98 consistency probes: happy paths and every mutation the library checks (an index
    // plus or minus one, a flipped bit, a hash added, removed or moved, sizes swapped).
    const vectors = JSON.parse(readFileSync(new URL('./merkle-vectors.json', import.meta.url), 'utf8')) as {
      inclusion: {
        file: string;
        leafIdx: number;
        treeSize: number;
        root: string;
        leafHash: string;
        proof: string[] | null;
        wantErr: boolean;
      }[];
      consistency: {
        file: string;
        size1: number;
        size2: number;
        root1: string;
        root2: string;
        proof: string[] | null;
        wantErr: boolean;
      }[];
    };

    it('accepts and refuses the inclusion probes of transparency-dev/merkle testdata as it does', () => {
      assert.ok(vectors.inclusion.length > 90);
      const wrong = vectors.inclusion.filter(
        (v) =>
          verifyInclusion(
            v.leafIdx,
            v.treeSize,
            fromB64(v.leafHash),
            (v.proof ?? []).map(fromB64),
            fromB64(v.root),
          ) === v.wantErr,
      );
      assert.deepEqual(
        wrong.map((v) => v.file),
        [],
      );
    });

    it('accepts and refuses the consistency probes of transparency-dev/merkle testdata as it does', () => {
      // One probe passes there with 12-byte "roots" when the sizes are equal; here every hash must be 32 bytes.
      const strict = 'consistency/additional/sizes-are-equal-one-and-proof-is-empty.json';
      const wrong = vectors.consistency.filter(
        (v) =>
          verifyConsistency(
            v.size1,
            v.size2,
            fromB64(v.root1),
            fromB64(v.root2),
            (v.proof ?? []).map(fromB64),
          ) === (v.file === strict ? true : v.wantErr),
      );
      assert.ok(vectors.consistency.filter((v) => !v.wantErr).length >= 5);
      assert.deepEqual(
        wrong.map((v) => v.file),
        [],
      );
    });

    // draft-ietf-plants-merkle-tree-certs, appendix "Subtree Test Vectors" (as transparency-dev/merkle's
    // testonly/vectors_test.go reproduces them): over d[i] = byte(i), every valid subtree [start, end) of
    // trees up to 130 leaves, folded into one SHA-256. A subtree aligned on its size is MTH of its leaves,
    // and its inclusion proof is PATH within it.
    const tree = Array.from({ length: 130 }, (_, i) => hashLeaf(Uint8Array.of(i)));
    const validSubtrees = function* () {
      for (let end = 0; end <= 130; end++)
        for (let start = 0; start <= end; start++) {
          const len = end - start;
          if (start !== 0 && len !== 0 && start % 2 ** Math.ceil(Math.log2(len)) !== 0) continue;
          yield [start, end] as const;
        }
    };

    it('reproduces the subtree hash vector of draft-ietf-plants-merkle-tree-certs', () => {
      const fold = createHash('sha256');
      for (const [start, end] of validSubtrees())
        fold.update(`[${start}, ${end}) ${hex(rootHash(tree.slice(start, end)))}\n`);
      assert.equal(fold.digest('hex'), 'b82806ad4265bb151c1119c0f4db437bb4d1a1f887b3a7fba1cd4ebf552e3e81');
    });

    it('reproduces the subtree inclusion proof vector of draft-ietf-plants-merkle-tree-certs', () => {
      const fold = createHash('sha256');
      for (const [start, end] of validSubtrees())
        for (let index = start; index < end; index++) {
          const proof = inclusionProof(index - start, tree.slice(start, end));
          fold.update(`${index} [${start}, ${end})${proof.map((h) => ` ${hex(h)}`).join('')}\n`);
        }
      assert.equal(fold.digest('hex'), 'ac2a8f989e44d99e399db448050ff5f19757df53cfb716aa81015d3955d8163f');
    });
  });

  describe('against a naive implementation of the RFC definitions', () => {
    const MAX = 100;
    const data = entries(MAX);
    const leaves = data.map(hashLeaf);

    it('computes MTH for every size up to 100', () => {
      for (let n = 0; n <= MAX; n++)
        assert.equal(hex(rootHash(leaves.slice(0, n))), hex(mth(data.slice(0, n))));
    });

    it('proves and verifies the inclusion of every leaf of every tree up to 100, and refuses tampering', () => {
      for (let n = 1; n <= MAX; n++) {
        const d = data.slice(0, n);
        const root = mth(d);
        for (let i = 0; i < n; i++) {
          const proof = inclusionProof(i, leaves.slice(0, n));
          assert.deepEqual(proof.map(hex), path(i, d).map(hex), `PATH(${i}, D[${n}])`);
          assert.ok(verifyInclusion(i, n, leaves[i]!, proof, root), `verify ${i} in ${n}`);
          assert.ok(!verifyInclusion(i, n, flipped(leaves[i]!), proof, root), `altered leaf ${i} in ${n}`);
          if (n > 1) {
            assert.ok(!verifyInclusion((i + 1) % n, n, leaves[i]!, proof, root), `wrong index ${i} in ${n}`);
            assert.ok(!verifyInclusion(i, n, leaves[i]!, proof.slice(1), root), `short proof ${i} in ${n}`);
            assert.ok(
              !verifyInclusion(i, n, leaves[i]!, [flipped(proof[0]!), ...proof.slice(1)], root),
              `altered hash ${i} in ${n}`,
            );
          }
        }
        assert.ok(!verifyInclusion(n, n, leaves[0]!, [], root), 'an index past the end');
      }
    });

    it('proves and verifies consistency between every pair of sizes up to 100, and refuses tampering', () => {
      const roots = Array.from({ length: MAX + 1 }, (_, n) => mth(data.slice(0, n)));
      for (let n = 1; n <= MAX; n++)
        for (let m = 1; m <= n; m++) {
          const proof = consistencyProof(m, leaves.slice(0, n));
          assert.deepEqual(
            proof.map(hex),
            subproof(m, data.slice(0, n), true).map(hex),
            `PROOF(${m}, D[${n}])`,
          );
          assert.ok(verifyConsistency(m, n, roots[m]!, roots[n]!, proof), `verify ${m} -> ${n}`);
          assert.ok(
            !verifyConsistency(m, n, flipped(roots[m]!), roots[n]!, proof),
            `forked old root ${m}->${n}`,
          );
          assert.ok(
            !verifyConsistency(m, n, roots[m]!, flipped(roots[n]!), proof),
            `forked new root ${m}->${n}`,
          );
          if (proof.length > 0) {
            const bad = [...proof.slice(0, -1), flipped(proof.at(-1)!)];
            assert.ok(!verifyConsistency(m, n, roots[m]!, roots[n]!, bad), `altered proof ${m} -> ${n}`);
          }
          if (m < n)
            assert.ok(!verifyConsistency(n, m, roots[n]!, roots[m]!, proof), `rollback ${n} -> ${m}`);
        }
    });

    it('refuses a proof from the empty tree and proofs for leaves outside the tree', () => {
      assert.ok(!verifyConsistency(0, 3, EMPTY_ROOT, rootHash(leaves.slice(0, 3)), []));
      assert.throws(() => consistencyProof(0, leaves.slice(0, 3)), RangeError);
      assert.throws(() => consistencyProof(4, leaves.slice(0, 3)), RangeError);
      assert.throws(() => inclusionProof(3, leaves.slice(0, 3)), RangeError);
      assert.throws(() => inclusionProof(-1, leaves.slice(0, 3)), RangeError);
    });
  });

  describe('the frontier an appending writer keeps', () => {
    it('gives the same root as the batch function for every size 0..300, with one hash per set bit', () => {
      const leaves = entries(300).map(hashLeaf);
      let frontier: MerkleFrontier = EMPTY_FRONTIER;
      for (let n = 0; n <= 300; n++) {
        assert.equal(hex(frontierRoot(frontier)), hex(rootHash(leaves.slice(0, n))), `size ${n}`);
        assert.equal(frontier.hashes.length, n.toString(2).replaceAll('0', '').length);
        assert.ok(isValidFrontier(frontier));
        if (n < 300) frontier = appendLeaf(frontier, leaves[n]!);
      }
    });

    it('keeps O(log n) hashes for a large tree and leaves the frontier it was given untouched', () => {
      // 2^40 - 1 leaves: 40 perfect subtrees (the hashes are placeholders; only the shape is checked).
      const big: MerkleFrontier = { size: 2 ** 40 - 1, hashes: Array.from({ length: 40 }, () => EMPTY_ROOT) };
      assert.ok(isValidFrontier(big));
      const next = appendLeaf(big, hashLeaf(new Uint8Array()));
      assert.equal(next.size, 2 ** 40);
      assert.equal(next.hashes.length, 1);
      assert.equal(big.hashes.length, 40);
      assert.throws(() => appendLeaf(EMPTY_FRONTIER, new Uint8Array(31)), RangeError);
    });
  });
});
