// JAX's threefry2x32 PRNG implementation (jax/_src/random/threefry2x32.py) on host words: seed,
// split, fold_in and random_bits, one key (two uint32 words) at a time. The random primitives'
// kernels call these; both of JAX's stream modes live here and nowhere else.
import { config } from "../config.js";
import { threefry2x32 } from "./threefry.js";

/** JAX's `jax_threefry_partitionable` (true since JAX 0.5.0): the split and random_bits streams. */
export const partitionable = (): boolean => config.read<boolean>("jax_threefry_partitionable");

const iota = (n: number, from = 0): Uint32Array => {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = from + i;
  return a;
};

/**
 * JAX's `threefry_2x32(key, count)`: the counts (padded with a 0 to even length) are hashed as
 * pairs (first half, second half), and the two output halves concatenated (padding dropped).
 */
export function hashCounts(k0: number, k1: number, count: Uint32Array): Uint32Array {
  const n = count.length;
  const half = Math.ceil(n / 2);
  const x1 = new Uint32Array(half);
  x1.set(count.subarray(half));
  const [y0, y1] = threefry2x32(k0, k1, count.subarray(0, half), x1);
  const out = new Uint32Array(n);
  out.set(y0);
  out.set(y1.subarray(0, n - half), half);
  return out;
}

/** `threefry_seed`: a 32-bit seed becomes the key [0, seed mod 2^32] (the high word is seed >> 32). */
export const seed = (s: number): [number, number] => [0, s >>> 0];

/**
 * `threefry_split(key, shape)` with n = prod(shape) keys, written as n pairs into `out` at `at`.
 * Partitionable: key i = hash(key, (0, i)) = fold_in(key, i). Legacy: the hash of iota(2n),
 * reshaped to (n, 2).
 */
export function split(k0: number, k1: number, n: number, out: Uint32Array, at = 0): void {
  if (partitionable()) {
    const [y0, y1] = threefry2x32(k0, k1, new Uint32Array(n), iota(n));
    for (let i = 0; i < n; i++) {
      out[at + 2 * i] = y0[i];
      out[at + 2 * i + 1] = y1[i];
    }
  } else out.set(hashCounts(k0, k1, iota(2 * n)), at);
}

/** `threefry_fold_in(key, data)` = threefry_2x32(key, threefry_seed(data)) = hash(key, (0, data)). */
export function foldIn(k0: number, k1: number, data: number): [number, number] {
  const [y0, y1] = threefry2x32(k0, k1, Uint32Array.of(0), Uint32Array.of(data >>> 0));
  return [y0[0], y1[0]];
}

/**
 * `threefry_random_bits(key, bit_width, shape)` for `size` elements of 8, 16 or 32 bits, into
 * `out` at `at`. Partitionable: element i is y0 ^ y1 of hash(key, (i >> 32, i mod 2^32)),
 * truncated to its low bits. Legacy: ceil(bits * size / 32) hashed counts, read as a
 * little-endian stream of `bitWidth`-bit words (numpy's `view`).
 */
export function randomBits(k0: number, k1: number, bitWidth: 8 | 16 | 32, size: number, out: Uint32Array, at = 0): void {
  const mask = bitWidth === 32 ? 0xffffffff : (1 << bitWidth) - 1;
  if (partitionable()) {
    const hi = new Uint32Array(size); // the high words are 0 below 2^32 elements
    for (let i = 4294967296; i < size; i++) hi[i] = Math.floor(i / 4294967296);
    const [y0, y1] = threefry2x32(k0, k1, hi, iota(size));
    for (let i = 0; i < size; i++) out[at + i] = ((y0[i] ^ y1[i]) & mask) >>> 0;
    return;
  }
  const words = hashCounts(k0, k1, iota(Math.ceil((bitWidth * size) / 32)));
  const per = 32 / bitWidth;
  for (let i = 0; i < size; i++) out[at + i] = ((words[Math.floor(i / per)] >>> (bitWidth * (i % per))) & mask) >>> 0;
}
