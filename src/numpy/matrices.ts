// Structured arrays and grids: diagonals (diagonal, diagflat, diag_indices), tri, identity,
// indices, fromfunction, vander, log/geometric spacing, and the window functions, built from
// iotas as jax/_src/numpy/lax_numpy.py and window_functions.py build them.
import type { Array as JaxArray } from "../array/base.js";
import { type DType, isFloat } from "../dtypes.js";
import * as lax from "../lax/lax.js";
import type { ArrayLike } from "../lax/lax.js";
import { jit } from "../tracer/jit.js";
import { vmap } from "../tracer/vmap.js";
import { arange, eye, linspace } from "./creation.js";
import { diag } from "./manip.js";
import { abs, cos, power, sign, subtract, multiply, divide } from "./math.js";
import { log10 } from "./math_extra.js";
import { convertTo, promoteDtypes } from "./promote.js";
import { ravel, reshape, stack } from "./shape.js";
import { moveaxis } from "./stacking.js";

const arr = (x: ArrayLike): JaxArray => promoteDtypes(x)[0];

/**
 * The `offset` diagonal of the `axis1`/`axis2` planes, as the last axis. A strided slice of the
 * flattened planes (element i of the diagonal is at i * (m + 1) + start).
 */
export function diagonal(x: ArrayLike, offset = 0, axis1 = 0, axis2 = 1): JaxArray {
  const a0 = arr(x);
  if (a0.ndim < 2) throw new RangeError("diagonal requires an array of at least two dimensions.");
  const a = moveaxis(a0, [axis1, axis2], [-2, -1]);
  const [n, m] = a.shape.slice(-2);
  const size = Math.max(0, Math.min(n + Math.min(offset, 0), m - Math.max(offset, 0)));
  const batch = a.shape.slice(0, -2);
  const flat = reshape(a, [...batch, n * m]);
  const start = size === 0 ? 0 : offset >= 0 ? offset : -offset * m;
  const limit = size === 0 ? 0 : start + (size - 1) * (m + 1) + 1;
  const zeros = batch.map(() => 0);
  return lax.slice(flat, [...zeros, start], [...batch, limit], [...batch.map(() => 1), m + 1]);
}

/** A 2-d array with the flattened `v` on diagonal `k`. */
export const diagflat = (v: ArrayLike, k = 0): JaxArray => diag(ravel(v), k);

/** The index arrays of the main diagonal of an `ndim`-dimensional array of side `n`. */
export function diagIndices(n: number, ndim = 2): JaxArray[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n argument to diag_indices must be nonnegative, got ${n}`);
  if (!Number.isInteger(ndim) || ndim < 0) throw new RangeError(`ndim argument to diag_indices must be nonnegative, got ${ndim}`);
  const i = lax.iota("int32", n);
  return Array.from({ length: ndim }, () => i);
}

/** diagIndices for an array whose sides are all equal. */
export function diagIndicesFrom(x: JaxArray): JaxArray[] {
  if (x.ndim < 2) throw new RangeError("input array must be at least 2-d");
  if (new Set(x.shape).size !== 1) throw new RangeError("All dimensions of input must be of equal length");
  return diagIndices(x.shape[0], x.ndim);
}

/** Ones at and below diagonal `k` of an `n x m` array, zeros above (lax's _tri). */
export function tri(n: number, m: number = n, k = 0, opts: { dtype?: DType } = {}): JaxArray {
  const i = lax.broadcastedIota("int32", [n, m], 0);
  const j = lax.broadcastedIota("int32", [n, m], 1);
  return convertTo(lax.ge(lax.add(i, lax.asArray(k, "int32", false)), j), opts.dtype ?? "float32", false);
}

/** The `n x n` identity matrix. */
export const identity = (n: number, opts: { dtype?: DType } = {}): JaxArray => eye(n, n, 0, opts);

/** Grid indices: `indices([2, 3])` has shape [2, 2, 3], row then column numbers (`sparse`: one per axis). */
export function indices(dimensions: readonly number[], opts: { dtype?: DType; sparse?: boolean } = {}): JaxArray | JaxArray[] {
  const dtype = opts.dtype ?? "int32";
  const n = dimensions.length;
  const out = dimensions.map((d, i) => {
    const shape = opts.sparse ? dimensions.map((e, j) => (j === i ? e : 1)) : [...dimensions];
    return lax.broadcastInDim(lax.iota(dtype, d), shape, [i]);
  });
  if (opts.sparse) return out;
  return n ? stack(out, 0) : lax.reshape(lax.iota(dtype, 0), [0]);
}

/** `fn(i, j, ...)` over the index grid of `shape` (vmapped once per axis, as JAX does). */
export function fromfunction(fn: (...idx: JaxArray[]) => JaxArray, shape: readonly number[], opts: { dtype?: DType } = {}): JaxArray {
  let f = fn as (...xs: JaxArray[]) => JaxArray;
  for (let i = 0; i < shape.length; i++) {
    const inAxes = shape.map((_, j) => (i === j ? 0 : null)).reverse();
    f = vmap(f, { inAxes });
  }
  return f(...shape.map((s) => arange(0, s, 1, { dtype: opts.dtype ?? "float32" })));
}

/** The Vandermonde matrix: columns x^(N-1), ..., x^0 (increasing powers with `increasing`). */
export function vander(x: ArrayLike, n: number | null = null, increasing = false): JaxArray {
  const a = arr(x);
  if (a.ndim !== 1) throw new RangeError("x must be a one-dimensional array");
  const N = n ?? a.shape[0];
  if (!Number.isInteger(N) || N < 0) throw new RangeError("N must be nonnegative");
  const exps = Array.from({ length: N }, (_, i) => (increasing ? i : N - 1 - i));
  // Integer bases have no float pow: their columns are integer powers, exactly.
  if (!isFloat(a.dtype)) return N === 0 ? lax.broadcastInDim(lax.asArray(0, a.dtype, false), [a.shape[0], 0], []) : stack(exps.map((k) => lax.integerPow(a, k)), 1);
  let iota = lax.iota(a.dtype, N);
  if (!increasing) iota = lax.sub(lax.asArray(N - 1, a.dtype, false), iota);
  return power(lax.expandDims(a, [1]), lax.expandDims(iota, [0]));
}

// ---- spacing ----------------------------------------------------------------------------------

export interface SpaceOptions {
  endpoint?: boolean;
  dtype?: DType;
}

const logspaceJit = jit(
  function _logspace(start: JaxArray, stop: JaxArray, num: number, endpoint: boolean, base: JaxArray, dtype: DType) {
    const lin = linspace(convertTo(start, "float32", false), convertTo(stop, "float32", false), num, { endpoint });
    return convertTo(power(base, lin), dtype, false);
  },
  { staticArgnums: [2, 3, 5] },
);

/** `base ** linspace(start, stop, num)`. */
export function logspace(start: ArrayLike, stop: ArrayLike, num = 50, opts: SpaceOptions & { base?: ArrayLike } = {}): JaxArray {
  const [a, b, base] = [start, stop, opts.base ?? 10].map((v) => (typeof v === "number" ? lax.asArray(v) : v)) as JaxArray[];
  return logspaceJit(a, b, num, opts.endpoint ?? true, base, opts.dtype ?? "float32");
}

const geomspaceJit = jit(
  function _geomspace(start: JaxArray, stop: JaxArray, num: number, endpoint: boolean, dtype: DType) {
    const a = convertTo(start, "float32", false);
    const b = convertTo(stop, "float32", false);
    const s = sign(a);
    const res = multiply(s, logspace(log10(divide(a, s)), log10(divide(b, s)), num, { endpoint, base: 10 }));
    return convertTo(res, dtype, false);
  },
  { staticArgnums: [2, 3, 4] },
);

/** `num` values from start to stop in geometric progression (same signs). */
export function geomspace(start: ArrayLike, stop: ArrayLike, num = 50, opts: SpaceOptions = {}): JaxArray {
  const [a, b] = [start, stop].map((v) => (typeof v === "number" ? lax.asArray(v) : v)) as JaxArray[];
  return geomspaceJit(a, b, num, opts.endpoint ?? true, opts.dtype ?? "float32");
}

// ---- window functions -------------------------------------------------------------------------

function window(name: string, m: number, f: (n: JaxArray, m: number) => JaxArray): JaxArray {
  if (!Number.isInteger(m)) throw new TypeError(`M argument of jnp.${name} must be an integer, got ${m}`);
  if (m <= 1) return lax.broadcastInDim(lax.asArray(1, "float32", false), [Math.max(m, 0)], []);
  return f(lax.iota("float32", m), m);
}
const TWO_PI = 2 * Math.PI;

/** The triangular window of length M. */
export const bartlett = (M: number): JaxArray =>
  window("bartlett", M, (n, m) => subtract(1, divide(abs(subtract(lax.add(multiply(2, n), 1), m)), m - 1)));
/** The Blackman window: 0.42 - 0.5 cos(2 pi n / (M-1)) + 0.08 cos(4 pi n / (M-1)). */
export const blackman = (M: number): JaxArray =>
  window("blackman", M, (n, m) =>
    lax.add(subtract(0.42, multiply(0.5, cos(divide(multiply(TWO_PI, n), m - 1)))), multiply(0.08, cos(divide(multiply(2 * TWO_PI, n), m - 1)))),
  );
/** The Hamming window: 0.54 - 0.46 cos(2 pi n / (M-1)). */
export const hamming = (M: number): JaxArray => window("hamming", M, (n, m) => subtract(0.54, multiply(0.46, cos(divide(multiply(TWO_PI, n), m - 1)))));
/** The Hann window: 0.5 (1 - cos(2 pi n / (M-1))). */
export const hanning = (M: number): JaxArray => window("hanning", M, (n, m) => multiply(0.5, subtract(1, cos(divide(multiply(TWO_PI, n), m - 1)))));
