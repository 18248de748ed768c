// FarmHash Fingerprint64 (what GoogleSQL's FARM_FINGERPRINT computes), so the leak oracle can recognise a fingerprinted identifier.

const MASK = (1n << 64n) - 1n;
const K0 = 0xc3a5c85c97cb3127n;
const K1 = 0xb492b66fbe98f273n;
const K2 = 0x9ae16a3b2f90404fn;

const u64 = (x: bigint): bigint => x & MASK;
const mul = (a: bigint, b: bigint): bigint => (a * b) & MASK;
const add = (...xs: bigint[]): bigint => xs.reduce((s, x) => s + x, 0n) & MASK;
const rotr = (x: bigint, r: bigint): bigint => u64((x >> r) | (x << (64n - r)));
const shiftMix = (x: bigint): bigint => x ^ (x >> 47n);

function load64(b: Uint8Array, at: number): bigint {
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(b[at + i]!);
  return v;
}

function load32(b: Uint8Array, at: number): bigint {
  return BigInt((b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0);
}

function hash16(u: bigint, v: bigint, m: bigint): bigint {
  let a = mul(u ^ v, m);
  a ^= a >> 47n;
  let b = mul(v ^ a, m);
  b ^= b >> 47n;
  return mul(b, m);
}

function len0to16(s: Uint8Array): bigint {
  const n = s.length;
  const m = add(K2, BigInt(n * 2));
  if (n >= 8) {
    const a = add(load64(s, 0), K2);
    const b = load64(s, n - 8);
    const c = add(mul(rotr(b, 37n), m), a);
    const d = mul(add(rotr(a, 25n), b), m);
    return hash16(c, d, m);
  }
  if (n >= 4) return hash16(add(BigInt(n), u64(load32(s, 0) << 3n)), load32(s, n - 4), m);
  if (n > 0) {
    const y = BigInt(s[0]! + (s[n >> 1]! << 8));
    const z = BigInt(n + (s[n - 1]! << 2));
    return mul(shiftMix(mul(y, K2) ^ mul(z, K0)), K2);
  }
  return K2;
}

function len17to32(s: Uint8Array): bigint {
  const n = s.length;
  const m = add(K2, BigInt(n * 2));
  const a = mul(load64(s, 0), K1);
  const b = load64(s, 8);
  const c = mul(load64(s, n - 8), m);
  const d = mul(load64(s, n - 16), K2);
  return hash16(add(rotr(add(a, b), 43n), rotr(c, 30n), d), add(a, rotr(add(b, K2), 18n), c), m);
}

function len33to64(s: Uint8Array): bigint {
  const n = s.length;
  const m = add(K2, BigInt(n * 2));
  const a = mul(load64(s, 0), K2);
  const b = load64(s, 8);
  const c = mul(load64(s, n - 8), m);
  const d = mul(load64(s, n - 16), K2);
  const y = add(rotr(add(a, b), 43n), rotr(c, 30n), d);
  const z = hash16(y, add(a, rotr(add(b, K2), 18n), c), m);
  const e = mul(load64(s, 16), m);
  const f = load64(s, 24);
  const g = mul(add(y, load64(s, n - 32)), m);
  const h = mul(add(z, load64(s, n - 24)), m);
  return hash16(add(rotr(add(e, f), 43n), rotr(g, 30n), h), add(e, rotr(add(f, a), 18n), g), m);
}

/** The two halves of FarmHash's weak 32-byte hash with seeds. */
function weak32(s: Uint8Array, at: number, seedA: bigint, seedB: bigint): [bigint, bigint] {
  const w = load64(s, at);
  const x = load64(s, at + 8);
  const y = load64(s, at + 16);
  const z = load64(s, at + 24);
  let a = add(seedA, w);
  let b = rotr(add(seedB, a, z), 21n);
  const c = a;
  a = add(a, x, y);
  b = add(b, rotr(a, 44n));
  return [add(a, z), add(b, c)];
}

function len65plus(s: Uint8Array): bigint {
  const n = s.length;
  const seed = 81n;
  let x = seed;
  let y = add(mul(seed, K1), 113n);
  let z = mul(shiftMix(add(mul(y, K2), 113n)), K2);
  let v: [bigint, bigint] = [0n, 0n];
  let w: [bigint, bigint] = [0n, 0n];
  x = add(mul(x, K2), load64(s, 0));
  let at = 0;
  const end = Math.floor((n - 1) / 64) * 64;
  const last64 = end + ((n - 1) & 63) - 63;
  do {
    x = mul(rotr(add(x, y, v[0], load64(s, at + 8)), 37n), K1);
    y = mul(rotr(add(y, v[1], load64(s, at + 48)), 42n), K1);
    x ^= w[1];
    y = add(y, v[0], load64(s, at + 40));
    z = mul(rotr(add(z, w[0]), 33n), K1);
    v = weak32(s, at, mul(v[1], K1), add(x, w[0]));
    w = weak32(s, at + 32, add(z, w[1]), add(y, load64(s, at + 16)));
    [x, z] = [z, x];
    at += 64;
  } while (at !== end);
  const m = add(K1, (z & 0xffn) << 1n);
  at = last64;
  w[0] = add(w[0], BigInt((n - 1) & 63));
  v[0] = add(v[0], w[0]);
  w[0] = add(w[0], v[0]);
  x = mul(rotr(add(x, y, v[0], load64(s, at + 8)), 37n), m);
  y = mul(rotr(add(y, v[1], load64(s, at + 48)), 42n), m);
  x ^= mul(w[1], 9n);
  y = add(y, mul(v[0], 9n), load64(s, at + 40));
  z = mul(rotr(add(z, w[0]), 33n), m);
  v = weak32(s, at, mul(v[1], m), add(x, w[0]));
  w = weak32(s, at + 32, add(z, w[1]), add(y, load64(s, at + 16)));
  return hash16(add(hash16(v[0], w[0], m), mul(shiftMix(y), K0), x), add(hash16(v[1], w[1], m), z), m);
}

/** Fingerprint64 of `bytes` as an unsigned 64-bit integer. */
export function fingerprint64(bytes: Uint8Array): bigint {
  const n = bytes.length;
  if (n <= 16) return len0to16(bytes);
  if (n <= 32) return len17to32(bytes);
  if (n <= 64) return len33to64(bytes);
  return len65plus(bytes);
}

/** GoogleSQL's `FARM_FINGERPRINT(text)`: Fingerprint64 of the UTF-8 bytes as a signed INT64, in decimal. */
export function farmFingerprint(text: string | Uint8Array): string {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  return String(BigInt.asIntN(64, fingerprint64(bytes)));
}
