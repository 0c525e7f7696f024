// Threefry-2x32 with 20 rounds (Random123), the hash behind JAX's default PRNG. All arithmetic
// is uint32 with wrap-around: `| 0` / `>>> 0` keep every intermediate a 32-bit integer.

/**
 * Hashes the counter pairs (x0[i], x1[i]) under key (k1, k2), writing y0[i], y1[i].
 * Key words may be per element (arrays) or shared (numbers).
 */
export function threefry2x32(
  k1: number | Uint32Array,
  k2: number | Uint32Array,
  x0: Uint32Array,
  x1: Uint32Array,
  y0: Uint32Array = new Uint32Array(x0.length),
  y1: Uint32Array = new Uint32Array(x0.length),
): [Uint32Array, Uint32Array] {
  if (typeof k1 !== "number" || typeof k2 !== "number") {
    // Per-element keys: one element at a time with its own key schedule.
    for (let i = 0; i < x0.length; i++)
      hash((typeof k1 === "number" ? k1 : k1[i]) | 0, (typeof k2 === "number" ? k2 : k2[i]) | 0, x0.subarray(i, i + 1), x1.subarray(i, i + 1), y0.subarray(i, i + 1), y1.subarray(i, i + 1));
    return [y0, y1];
  }
  hash(k1 | 0, k2 | 0, x0, x1, y0, y1);
  return [y0, y1];
}

/**
 * One key over many counters: 5 groups of 4 rounds (rotations [13, 15, 26, 6], then
 * [17, 29, 16, 24], alternating), each followed by a key injection. Unrolled: this loop is the
 * PRNG's whole cost.
 */
function hash(ks0: number, ks1: number, x0: Uint32Array, x1: Uint32Array, y0: Uint32Array, y1: Uint32Array): void {
  const ks2 = (ks0 ^ ks1 ^ 0x1bd11bda) | 0;
  const n = x0.length;
  for (let i = 0; i < n; i++) {
    let a = (x0[i] + ks0) | 0;
    let b = (x1[i] + ks1) | 0;
    a = (a + b) | 0; b = ((b << 13) | (b >>> 19)) ^ a;
    a = (a + b) | 0; b = ((b << 15) | (b >>> 17)) ^ a;
    a = (a + b) | 0; b = ((b << 26) | (b >>> 6)) ^ a;
    a = (a + b) | 0; b = ((b << 6) | (b >>> 26)) ^ a;
    a = (a + ks1) | 0; b = (b + ks2 + 1) | 0;
    a = (a + b) | 0; b = ((b << 17) | (b >>> 15)) ^ a;
    a = (a + b) | 0; b = ((b << 29) | (b >>> 3)) ^ a;
    a = (a + b) | 0; b = ((b << 16) | (b >>> 16)) ^ a;
    a = (a + b) | 0; b = ((b << 24) | (b >>> 8)) ^ a;
    a = (a + ks2) | 0; b = (b + ks0 + 2) | 0;
    a = (a + b) | 0; b = ((b << 13) | (b >>> 19)) ^ a;
    a = (a + b) | 0; b = ((b << 15) | (b >>> 17)) ^ a;
    a = (a + b) | 0; b = ((b << 26) | (b >>> 6)) ^ a;
    a = (a + b) | 0; b = ((b << 6) | (b >>> 26)) ^ a;
    a = (a + ks0) | 0; b = (b + ks1 + 3) | 0;
    a = (a + b) | 0; b = ((b << 17) | (b >>> 15)) ^ a;
    a = (a + b) | 0; b = ((b << 29) | (b >>> 3)) ^ a;
    a = (a + b) | 0; b = ((b << 16) | (b >>> 16)) ^ a;
    a = (a + b) | 0; b = ((b << 24) | (b >>> 8)) ^ a;
    a = (a + ks1) | 0; b = (b + ks2 + 4) | 0;
    a = (a + b) | 0; b = ((b << 13) | (b >>> 19)) ^ a;
    a = (a + b) | 0; b = ((b << 15) | (b >>> 17)) ^ a;
    a = (a + b) | 0; b = ((b << 26) | (b >>> 6)) ^ a;
    a = (a + b) | 0; b = ((b << 6) | (b >>> 26)) ^ a;
    a = (a + ks2) | 0; b = (b + ks0 + 5) | 0;
    y0[i] = a;
    y1[i] = b;
  }
}
