// JAX's PRNG streams rebuilt in the tests from the Random123-checked hash (src/prng/threefry.ts)
// and JAX's source, independently of src/prng/impl.ts and of the fused kernels: the reference the
// prng, fusion and WebGL tests compare against. Floats follow the samplers' float32 steps.
import { threefry2x32 } from "../src/prng/threefry.js";
import { erfInv32 } from "../src/lax/special.js";

export type K = [number, number];

const f32 = Math.fround;
export const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

export const hash = (k: K, x0: number[], x1: number[]): [number[], number[]] => {
  const [y0, y1] = threefry2x32(k[0], k[1], Uint32Array.from(x0), Uint32Array.from(x1));
  return [Array.from(y0), Array.from(y1)];
};

/** threefry_2x32(key, count): first half of the counts hashed with the second (odd: padded). */
export const hashCounts = (k: K, c: number[]): number[] => {
  const h = Math.ceil(c.length / 2);
  const [y0, y1] = hash(k, c.slice(0, h), [...c.slice(h), 0].slice(0, h));
  return [...y0, ...y1].slice(0, c.length);
};

export function f32bitsTo(w: number): number {
  return new Float32Array(Uint32Array.of(w).buffer)[0];
}

export const ref = {
  split(k: K, n: number, part: boolean): K[] {
    if (part) {
      const [y0, y1] = hash(k, new Array(n).fill(0), range(n));
      return range(n).map((i) => [y0[i], y1[i]]);
    }
    const w = hashCounts(k, range(2 * n));
    return range(n).map((i) => [w[2 * i], w[2 * i + 1]]);
  },
  bits(k: K, n: number, part: boolean): number[] {
    if (!part) return hashCounts(k, range(n));
    const [y0, y1] = hash(k, new Array(n).fill(0), range(n));
    return y0.map((v, i) => (v ^ y1[i]) >>> 0);
  },
  /**
   * `_uniform`: mantissa bits under 1.0's exponent, minus 1, scaled to [lo, hi) in float32 steps,
   * the scale-and-shift as one fused multiply-add (XLA's CPU backend contracts it).
   */
  uniform(k: K, n: number, part: boolean, lo = 0, hi = 1): number[] {
    const [l, h] = [f32(lo), f32(hi)];
    const span = f32(h - l);
    return ref.bits(k, n, part).map((b) => Math.max(l, exactFma32(f32(f32bitsTo(((b >>> 9) | 0x3f800000) >>> 0) - 1), span, l)));
  },
  /** `_normal`: sqrt(2) erf_inv(u) for u uniform on (-1, 1). */
  normal(k: K, n: number, part: boolean): number[] {
    return ref.uniform(k, n, part, -1 + 2 ** -24, 1).map((u) => f32(f32(Math.SQRT2) * erfInv32(u)));
  },
  randint(k: K, n: number, lo: number, hi: number, part: boolean): number[] {
    const [k1, k2] = ref.split(k, 2, part);
    const [h, l] = [ref.bits(k1, n, part), ref.bits(k2, n, part)];
    const span = BigInt(hi - lo);
    const mult = (2n ** 32n) % span;
    return h.map((v, i) => lo + Number(((BigInt(v) % span) * mult + (BigInt(l[i]) % span)) % span));
  },
  permutation(k: K, n: number, part: boolean): number[] {
    let x = range(n);
    for (let r = 0; r < Math.ceil((3 * Math.log(Math.max(1, n))) / Math.log(4294967295)); r++) {
      const [next, sub] = ref.split(k, 2, part);
      k = next;
      const sortKeys = ref.bits(sub, n, part);
      x = range(n).sort((a, b) => sortKeys[a] - sortKeys[b] || a - b).map((i) => x[i]);
    }
    return x;
  },
};

/** float32 bit patterns of numbers (compare these to compare floats exactly, -0 and NaN included). */
export const f32bits = (xs: ArrayLike<number>): number[] => Array.from(new Uint32Array(Float32Array.from(xs).buffer));

/** Distance in float32 ulps between two float32 values of the same sign (Infinity across signs). */
export function ulpDistance(a: number, b: number): number {
  if (Object.is(a, b)) return 0;
  if (Number.isNaN(a) || Number.isNaN(b)) return Infinity;
  const [x, y] = f32bits([a, b]);
  if ((x ^ y) >>> 31) return a === 0 && b === 0 ? 0 : Infinity;
  return Math.abs(x - y);
}

/** A finite float32 as m 2^e, m an integer. */
function dyadic(x: number): [bigint, number] {
  if (x === 0) return [0n, 0];
  let e = Math.floor(Math.log2(Math.abs(x))) - 23;
  while (!Number.isInteger(x / 2 ** e)) e++; // (log2 may be one off at powers of 2)
  while (e > -149 && Number.isInteger(x / 2 ** (e - 1)) && Math.abs(x / 2 ** (e - 1)) < 2 ** 24) e--;
  return [BigInt(x / 2 ** e), e];
}

/**
 * a*b + c for finite float32s, computed exactly in integers and rounded once to float32 (ties to
 * even, subnormals, overflow): the reference for fused multiply-adds, independent of src/.
 */
export function exactFma32(a: number, b: number, c: number): number {
  const [ma, ea] = dyadic(a);
  const [mb, eb] = dyadic(b);
  const [mc, ec] = dyadic(c);
  const e = Math.min(ea + eb, ec);
  const n = ((ma * mb) << BigInt(ea + eb - e)) + (mc << BigInt(ec - e)); // the exact sum is n 2^e
  if (n === 0n) return a * b === 0 && c === 0 ? (Object.is(a * b, -0) && Object.is(c, -0) ? -0 : 0) : 0;
  const neg = n < 0n;
  const mag = neg ? -n : n;
  // Keep 24 significant bits, or fewer below 2^-126 (no exponent under -149).
  const drop = Math.max(mag.toString(2).length - 24, -149 - e, 0);
  let q = mag >> BigInt(drop);
  const rem = mag - (q << BigInt(drop));
  const half = drop > 0 ? 1n << BigInt(drop - 1) : 0n;
  if (drop > 0 && (rem > half || (rem === half && (q & 1n) === 1n))) q += 1n;
  const v = Number(q) * 2 ** (e + drop);
  const r = v >= 2 ** 128 ? Infinity : v;
  return neg ? -r : r;
}

/**
 * Float32 triples (a, b, c) for testing fused multiply-adds: random ones, and ones where a*b + c
 * lies within 2^-53 (relative) of a float32 midpoint, where a float64 sum rounded again to
 * float32 goes the wrong way about one time in six: a*b = ±2^-24 (1 + t 2^-47), |t| < 2^18,
 * plus c near ±1, all scaled by powers of 2.
 */
export function fmaCases(n: number, seed = 1): [number, number, number][] {
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const out: [number, number, number][] = [];
  const pow = (lo: number, hi: number) => 2 ** Math.floor(lo + rand() * (hi - lo));
  while (out.length < n) {
    if (out.length % 2) {
      out.push([f32((rand() - 0.5) * pow(-20, 20)), f32((rand() - 0.5) * pow(-20, 20)), f32((rand() - 0.5) * pow(-20, 20))]);
      continue;
    }
    const m1 = 2 ** 23 + Math.floor(rand() * 2 ** 23);
    const m2 = Math.round(2 ** 47 / m1);
    const t = m1 * m2 - 2 ** 47;
    if (m2 >= 2 ** 24 || Math.abs(t) >= 2 ** 18 || t === 0) continue;
    const scale = pow(-10, 10);
    const c = [1, 1 + 2 ** -23, -1, -(1 + 2 ** -23)][Math.floor(rand() * 4)];
    out.push([(rand() < 0.5 ? -1 : 1) * m1 * 2 ** -40 * scale, m2 * 2 ** -31, c * scale]);
  }
  return out;
}
