// Host arrays and the plain-JS math the reference implementations are written in. Nothing
// here imports tfjax's kernels: references compute in float64 (or BigInt) and round once.
import type { DType } from "../../src/dtypes.js";

/** A host array: row-major values in the dtype's value set (bool as 0/1, uint32 as 0..2^32-1). */
export interface Host {
  dtype: DType;
  shape: number[];
  data: number[];
  /** Bind it as a closed-over scalar (a jaxpr Literal, a compiled constant) rather than an argument. */
  literal?: boolean;
  /** A weakly-typed value (what JS scalars become); on a reference output, the expected weak type. */
  weak?: boolean;
}

let rounding = true;
/** Rounds to float32 (references round once, at the end), except inside `unrounded`. */
export const f32 = (x: number): number => (rounding ? Math.fround(x) : x);

/**
 * Runs `f` with float32 rounding off: a reference then computes in float64 throughout, which is
 * what finite differences of it need (test/harness/grad.ts).
 */
export function unrounded<T>(f: () => T): T {
  rounding = false;
  try {
    return f();
  } finally {
    rounding = true;
  }
}

/** A float64 (or boolean) value in `dtype`'s value set: float32 rounds once, integers wrap mod 2^32. */
export function cast(dtype: DType, v: number | boolean): number {
  if (dtype === "bool") return v ? 1 : 0;
  const n = Number(v);
  if (dtype === "float32") return f32(n);
  if (dtype === "int32") return n | 0;
  if (dtype === "uint32") return n >>> 0;
  throw new Error(`harness: dtype ${dtype} has no reference semantics`);
}

export function host(dtype: DType, data: (number | boolean)[], shape: number[] = [data.length]): Host {
  if (size(shape) !== data.length) throw new Error(`harness: ${data.length} values for shape (${shape})`);
  return { dtype, shape, data: data.map((v) => cast(dtype, v)) };
}

export const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}

export const ravel = (idx: readonly number[], shape: readonly number[]): number => idx.reduce((o, j, d) => o * shape[d] + j, 0);
export const at = (x: Host, idx: readonly number[]): number => x.data[ravel(idx, x.shape)];

/** An array of `shape` whose element at each index is `f(index)` (cast to `dtype`). */
export function generate(dtype: DType, shape: number[], f: (idx: number[]) => number | boolean): Host {
  return { dtype, shape, data: Array.from({ length: size(shape) }, (_, i) => cast(dtype, f(unravel(i, shape)))) };
}

/** Elementwise `f` with NumPy-style broadcasting (rank-0 operands broadcast to anything). */
export function zipWith(dtype: DType, xs: Host[], f: (...v: number[]) => number | boolean): Host {
  const rank = Math.max(...xs.map((x) => x.shape.length));
  const shape = Array.from({ length: rank }, (_, d) => Math.max(...xs.map((x) => x.shape[d - rank + x.shape.length] ?? 1)));
  return generate(dtype, shape, (idx) =>
    f(...xs.map((x) => at(x, x.shape.map((n, k) => (n === 1 ? 0 : idx[k + rank - x.shape.length]))))),
  );
}

/** Reduces `axes` of `x` with `f` from the monoid's identity `init` (which empty groups return). */
export function reduce(dtype: DType, x: Host, axes: number[], init: number, f: (acc: number, v: number) => number | boolean): Host {
  const keep = x.shape.map((_, d) => !axes.includes(d));
  const shape = x.shape.filter((_, d) => keep[d]);
  const data = new Array<number>(size(shape)).fill(cast(dtype, init));
  x.data.forEach((v, i) => {
    const o = ravel(unravel(i, x.shape).filter((_, d) => keep[d]), shape);
    data[o] = cast(dtype, f(data[o], v));
  });
  return { dtype, shape, data };
}

// ---- float32 bits ---------------------------------------------------------------------------

const bits = new Int32Array(1);
const float = new Float32Array(bits.buffer);

/** A float32's position on the number line in ulps: monotonic, -0 and +0 both 0. */
export function ordinal(x: number): number {
  float[0] = x;
  return bits[0] < 0 ? -(bits[0] & 0x7fffffff) : bits[0];
}
export function fromOrdinal(k: number): number {
  bits[0] = k < 0 ? -k | 0x80000000 : k;
  return float[0];
}

/** How many float32 ulps apart two float32 values are (NaN matches only NaN; infinities only themselves). */
export function ulpDistance(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (a === b) return 0;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Infinity;
  return Math.abs(ordinal(a) - ordinal(b));
}

// ---- special functions in float64 -------------------------------------------------------------

/**
 * erf by its everywhere-convergent series of positive terms (no cancellation):
 * erf(x) = 2/sqrt(pi) e^(-x^2) sum_n 2^n x^(2n+1) / (1*3*...*(2n+1)).
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a > 6) return Math.sign(x); // 1 - erf(6) < 1e-17
  let term = a;
  let sum = a;
  for (let n = 1; term > 1e-17 * sum; n++) {
    term *= (2 * a * a) / (2 * n + 1);
    sum += term;
  }
  return Math.sign(x) * Math.min(1, (2 / Math.sqrt(Math.PI)) * Math.exp(-a * a) * sum);
}

/**
 * erfc by quadrature, independent of erf: erfc(x) = 2/sqrt(pi) e^(-x^2) * int_0^inf e^(-2xs - s^2) ds
 * for x >= 0 (Simpson's rule over the integrand's support), and 2 - erfc(-x) below 0.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x === Infinity) return 0;
  let v = erfcMemo.get(x);
  if (v === undefined) erfcMemo.set(x, (v = erfcQuadrature(x)));
  return v;
}
// The quadrature costs ~0.3 ms; finite differences (grad.ts) re-evaluate the same points often.
const erfcMemo = new Map<number, number>();
function erfcQuadrature(x: number): number {
  const len = Math.min(12, 40 / (2 * x + 1));
  const n = 20000;
  const h = len / n;
  const f = (s: number) => Math.exp(-2 * x * s - s * s);
  let sum = f(0) + f(len);
  for (let i = 1; i < n; i++) sum += (i % 2 ? 4 : 2) * f(i * h);
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * ((sum * h) / 3);
}

/** erf's inverse by bisection on erf (monotonic), to float64 resolution. */
export function erfInv(y: number): number {
  if (Number.isNaN(y) || Math.abs(y) > 1) return NaN;
  if (Math.abs(y) === 1) return y * Infinity;
  let lo = -6;
  let hi = 6;
  for (let i = 0; i < 200 && lo < hi; i++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (erf(mid) < y) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** C99/IEEE pow: pow(1, y) = 1 and pow(x, 0) = 1 even for NaN, pow(-1, +-inf) = 1 (JS's ** says NaN). */
export function cpow(a: number, b: number): number {
  if (a === 1 || b === 0) return 1;
  if (a === -1 && (b === Infinity || b === -Infinity)) return 1;
  return Math.pow(a, b);
}

/** The next float32 after `a` in the direction of `b`, by stepping its ordinal. */
export function nextafter(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  if (a === b) return b;
  return fromOrdinal(ordinal(a) + (b > a ? 1 : -1));
}

// ---- integers ---------------------------------------------------------------------------------

/** Integer ops in BigInt, wrapped to the dtype: C division truncates; x/0 = -1, x%0 = x (as XLA). */
export function bigIntOp(dtype: DType, op: (a: bigint, b: bigint) => bigint): (a: number, b: number) => number {
  const wrap = (v: bigint) => Number(dtype === "uint32" ? BigInt.asUintN(32, v) : BigInt.asIntN(32, v));
  return (a, b) => wrap(op(BigInt(a), BigInt(b)));
}
export const idiv = (a: bigint, b: bigint): bigint => (b === 0n ? -1n : a / b);
export const irem = (a: bigint, b: bigint): bigint => (b === 0n ? a : a % b);

/** XLA's shifts: amounts are read as unsigned; out-of-range amounts give 0 (or the sign fill). */
export const shiftLeft = (a: bigint, b: bigint): bigint => (BigInt.asUintN(32, b) >= 32n ? 0n : a << BigInt.asUintN(32, b));
export function shiftRight(dtype: DType, arithmetic: boolean): (a: bigint, b: bigint) => bigint {
  return (a, b) => {
    const n = BigInt.asUintN(32, b);
    const x = arithmetic ? BigInt.asIntN(32, a) : BigInt.asUintN(32, a); // arithmetic shifts the bits as signed, even for uint32
    return n >= 32n ? (arithmetic && x < 0n ? -1n : 0n) : x >> n;
  };
}

/** float -> integer as XLA converts: truncate, saturate at the type's bounds, NaN -> 0. */
export function floatToInt(dtype: DType, v: number): number {
  if (Number.isNaN(v)) return 0;
  const [lo, hi] = dtype === "uint32" ? [0, 2 ** 32 - 1] : [-(2 ** 31), 2 ** 31 - 1];
  return Math.min(hi, Math.max(lo, Math.trunc(v)));
}
