// Merkle tree hashing, inclusion and consistency proofs as RFC 9162 (Certificate Transparency 2.0) section 2.1
// defines them, over SHA-256, plus the compact "frontier" an appending writer keeps instead of the tree.

import { createHash } from 'node:crypto';

/** Size in bytes of every hash here (SHA-256). */
export const HASH_SIZE = 32;

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** MTH({}) = SHA-256 of the empty string (RFC 9162 section 2.1.1). */
export const EMPTY_ROOT: Uint8Array = new Uint8Array(createHash('sha256').digest());

/** A leaf's hash: SHA-256(0x00 || entry) (RFC 9162 section 2.1.1). */
export function hashLeaf(entry: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(LEAF_PREFIX).update(entry).digest());
}

/** An interior node's hash: SHA-256(0x01 || left || right) (RFC 9162 section 2.1.1). */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest());
}

/**
 * The largest power of two smaller than `n` (n > 1): RFC 9162's split point k. Arithmetic, not bit operations:
 * JavaScript's bitwise operators truncate to 32 bits, and tree sizes may exceed 2^31.
 */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function checkSize(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer`);
}

/** MTH(D[lo:hi]) over leaf hashes. */
function subtreeRoot(leaves: readonly Uint8Array[], lo: number, hi: number): Uint8Array {
  const n = hi - lo;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return leaves[lo]!;
  const k = splitPoint(n);
  return hashChildren(subtreeRoot(leaves, lo, lo + k), subtreeRoot(leaves, lo + k, hi));
}

/** The Merkle Tree Hash (RFC 9162 section 2.1.1) of a list of leaf hashes (each from `hashLeaf`). */
export function rootHash(leafHashes: readonly Uint8Array[]): Uint8Array {
  return subtreeRoot(leafHashes, 0, leafHashes.length);
}

/**
 * The inclusion proof PATH(index, D[n]) of leaf `index` in the tree of all `leafHashes` (RFC 9162 section
 * 2.1.3.1): the sibling hashes from the leaf's up to the root's child.
 */
export function inclusionProof(index: number, leafHashes: readonly Uint8Array[]): Uint8Array[] {
  checkSize(index, 'the leaf index');
  if (index >= leafHashes.length)
    throw new RangeError(`leaf ${index} is not in a tree of ${leafHashes.length} leaves`);
  const path: Uint8Array[] = [];
  // PATH(m, D[lo:hi]) = PATH(m, D[lo:lo+k]) : MTH(D[lo+k:hi]) when m < k, else PATH(m-k, D[lo+k:hi]) : MTH(D[lo:lo+k]);
  // the recursion, unrolled from the root down, collects the path from the top, so it is reversed at the end.
  let lo = 0;
  let hi = leafHashes.length;
  let m = index;
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (m < k) {
      path.push(subtreeRoot(leafHashes, lo + k, hi));
      hi = lo + k;
    } else {
      path.push(subtreeRoot(leafHashes, lo, lo + k));
      lo += k;
      m -= k;
    }
  }
  return path.reverse();
}

/**
 * The consistency proof PROOF(size1, D[n]) between the tree of the first `size1` leaves and the tree of all
 * `leafHashes` (RFC 9162 section 2.1.4.1). Empty when the sizes are equal; 0 < size1 <= n.
 */
export function consistencyProof(size1: number, leafHashes: readonly Uint8Array[]): Uint8Array[] {
  checkSize(size1, 'the first tree size');
  const n = leafHashes.length;
  if (size1 === 0 || size1 > n)
    throw new RangeError(`no consistency proof from size ${size1} to size ${n} (0 < size1 <= size2)`);
  if (size1 === n) return [];
  const proof: Uint8Array[] = [];
  // SUBPROOF(m, D[lo:hi], b), unrolled: each step appends one hash, then recurses into one half; the
  // outermost call's hashes come last, so the collected list is reversed at the end.
  let lo = 0;
  let hi = n;
  let m = size1;
  let complete = true;
  for (;;) {
    const size = hi - lo;
    if (m === size) {
      // SUBPROOF(m, D[m], true) = {}; SUBPROOF(m, D[m], false) = {MTH(D[m])}.
      if (!complete) proof.push(subtreeRoot(leafHashes, lo, hi));
      break;
    }
    const k = splitPoint(size);
    if (m <= k) {
      // SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
      proof.push(subtreeRoot(leafHashes, lo + k, hi));
      hi = lo + k;
    } else {
      // SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
      proof.push(subtreeRoot(leafHashes, lo, lo + k));
      lo += k;
      m -= k;
      complete = false;
    }
  }
  return proof.reverse();
}

function isHash(h: Uint8Array): boolean {
  return h instanceof Uint8Array && h.length === HASH_SIZE;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const isOdd = (x: number) => x % 2 === 1;
const isPowerOfTwo = (x: number) => x > 0 && splitPoint(x + 1) === x;
const half = (x: number) => Math.floor(x / 2);

/**
 * Verifies that `leafHash` is leaf `index` of the tree of `size` leaves whose root is `root`, with the
 * algorithm of RFC 9162 section 2.1.3.2. Every hash must be 32 bytes.
 */
export function verifyInclusion(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  if (!isHash(leafHash) || !isHash(root) || !proof.every(isHash)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = hashChildren(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equal(r, root);
}

/**
 * Verifies that the tree of `size2` leaves with root `root2` extends the tree of `size1` leaves with root
 * `root1`, with the algorithm of RFC 9162 section 2.1.4.2. Equal sizes need an empty proof and equal roots; a
 * proof from the empty tree (size1 = 0) proves nothing and is refused, as transparency-dev/merkle does (every
 * tree extends the empty one: callers handle a first checkpoint without a proof).
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 <= 0 || size2 < size1)
    return false;
  if (!isHash(root1) || !isHash(root2) || !proof.every(isHash)) return false;
  if (size1 === size2) return proof.length === 0 && equal(root1, root2);
  // 1. An empty path fails. 2. When size1 is a power of two, the path starts with root1 itself.
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  // 3.-4.
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // 5.-6.
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // 7.
  return sn === 0 && equal(fr, root1) && equal(sr, root2);
}

/**
 * The compact form of a tree an appending writer keeps: the roots of its perfect subtrees, largest (leftmost)
 * first, one per set bit of `size` (a "compact range" [0, size) in transparency-dev/merkle's terms), so at
 * most 53 hashes for any tree of safe-integer size. The root is the same as `rootHash` over all the leaves.
 */
export interface MerkleFrontier {
  readonly size: number;
  readonly hashes: readonly Uint8Array[];
}

/** The frontier of the empty tree. */
export const EMPTY_FRONTIER: MerkleFrontier = { size: 0, hashes: [] };

/**
 * The frontier after appending one leaf hash: the new leaf merges with the perfect subtrees to its left
 * while they have its size (one merge per trailing 1 bit of the old size). Returns a new frontier.
 */
export function appendLeaf(frontier: MerkleFrontier, leafHash: Uint8Array): MerkleFrontier {
  if (!isHash(leafHash)) throw new RangeError('a leaf hash is 32 bytes');
  if (frontier.size >= Number.MAX_SAFE_INTEGER) throw new RangeError('the tree is full');
  const hashes = [...frontier.hashes];
  let node = leafHash;
  for (let s = frontier.size; isOdd(s); s = half(s)) node = hashChildren(hashes.pop()!, node);
  hashes.push(node);
  return { size: frontier.size + 1, hashes };
}

/** The root hash of the tree a frontier stands for: its subtree roots folded from the right. */
export function frontierRoot(frontier: MerkleFrontier): Uint8Array {
  const { hashes } = frontier;
  if (hashes.length === 0) return EMPTY_ROOT;
  let root = hashes[hashes.length - 1]!;
  for (let i = hashes.length - 2; i >= 0; i--) root = hashChildren(hashes[i]!, root);
  return root;
}

/** True when a frontier is well formed: one 32-byte hash per set bit of its size. */
export function isValidFrontier(frontier: MerkleFrontier): boolean {
  if (!Number.isSafeInteger(frontier.size) || frontier.size < 0) return false;
  let bits = 0;
  for (let s = frontier.size; s > 0; s = half(s)) if (isOdd(s)) bits++;
  return frontier.hashes.length === bits && frontier.hashes.every(isHash);
}
