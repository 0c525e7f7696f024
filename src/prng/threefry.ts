// Threefry-2x32 with 20 rounds (Random123), the hash behind JAX's default PRNG. All arithmetic
// is uint32 with wrap-around: `| 0` / `>>> 0` keep every intermediate a 32-bit integer.

const ROT_A = [13, 15, 26, 6];
const ROT_B = [17, 29, 16, 24];

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
  const n = x0.length;
  const shared = typeof k1 === "number" && typeof k2 === "number";
  let ks0 = shared ? (k1 as number) | 0 : 0;
  let ks1 = shared ? (k2 as number) | 0 : 0;
  let ks2 = (ks0 ^ ks1 ^ 0x1bd11bda) | 0;
  for (let i = 0; i < n; i++) {
    if (!shared) {
      ks0 = (typeof k1 === "number" ? k1 : k1[i]) | 0;
      ks1 = (typeof k2 === "number" ? k2 : k2[i]) | 0;
      ks2 = (ks0 ^ ks1 ^ 0x1bd11bda) | 0;
    }
    let a = (x0[i] + ks0) | 0;
    let b = (x1[i] + ks1) | 0;
    // 5 groups of 4 rounds, with a key injection after each group.
    for (let g = 0; g < 5; g++) {
      const rot = g % 2 === 0 ? ROT_A : ROT_B;
      for (let r = 0; r < 4; r++) {
        a = (a + b) | 0;
        b = (b << rot[r]) | (b >>> (32 - rot[r]));
        b ^= a;
      }
      const j = (g + 1) % 3;
      a = (a + (j === 0 ? ks0 : j === 1 ? ks1 : ks2)) | 0;
      const k = (g + 2) % 3;
      b = (b + (k === 0 ? ks0 : k === 1 ? ks1 : ks2) + g + 1) | 0;
    }
    y0[i] = a;
    y1[i] = b;
  }
  return [y0, y1];
}
