// Statistics over axes: average (weighted), count_nonzero, ptp, cov and corrcoef, as
// jax/_src/numpy/reductions.py and lax_numpy.py write them.
import type { Array as JaxArray } from "../array/base.js";
import { type DType, isFloat, isInteger } from "../dtypes.js";
import * as lax from "../lax/lax.js";
import type { ArrayLike } from "../lax/lax.js";
import { jit } from "../tracer/jit.js";
import { abs, clip, divide, multiply, sqrt } from "./math.js";
import { promoteArgsInexact, promoteDtypesInexact } from "./math_extra.js";
import { broadcastTo, convertTo, promoteDtypes } from "./promote.js";
import { type Axis, max, mean, min, sum } from "./reductions.js";
import { concatenate, dot, squeeze } from "./shape.js";
import { diag } from "./manip.js";
import { atleast2d } from "./stacking.js";

const arr = (x: ArrayLike): JaxArray => promoteDtypes(x)[0];
const axesOf = (axis: Axis, ndim: number, name: string): number[] =>
  axis === null ? Array.from({ length: ndim }, (_, i) => i) : (typeof axis === "number" ? [axis] : [...axis]).map((d) => lax.canonicalizeAxis(d, ndim, name));

/** `[average, sum of weights]`, the weighted mean of JAX's _average. */
function averageImpl(x: ArrayLike, axis: Axis, weights: ArrayLike | null, keepdims: boolean): [JaxArray, JaxArray] {
  if (weights === null) {
    const [a] = promoteDtypesInexact(x);
    const avg = mean(a, axis, { keepdims });
    const n = axesOf(axis, a.ndim, "average").reduce((k, d) => k * a.shape[d], 1);
    return [avg, lax.asArray(n, avg.dtype, false)];
  }
  let [a, w] = promoteDtypesInexact(x, weights);
  if (a.shape.join() !== w.shape.join()) {
    if (axis === null) throw new RangeError("Axis must be specified when shapes of a and weights differ.");
    const axes = axesOf(axis, a.ndim, "average");
    if (w.shape.join() !== axes.map((d) => a.shape[d]).join()) throw new RangeError("Shape of weights must be consistent with shape of a along specified axis.");
    // Weights laid along `axes` (in the order given), size 1 elsewhere.
    const order = axes.map((_, i) => i).sort((i, j) => axes[i] - axes[j]);
    w = lax.transpose(w, order);
    w = lax.reshape(w, a.shape.map((d, i) => (axes.includes(i) ? d : 1)));
  }
  const wsum = sum(w, axis, { keepdims });
  return [lax.div(sum(multiply(a, w), axis, { keepdims }), wsum), wsum];
}

/** The (weighted) mean along `axis`; `returned: true` also gives the sum of the weights. */
export function average(x: ArrayLike, axis: Axis = null, opts: { weights?: ArrayLike | null; keepdims?: boolean; returned?: boolean } = {}): JaxArray | [JaxArray, JaxArray] {
  const [avg, wsum] = averageImpl(x, axis, opts.weights ?? null, opts.keepdims ?? false);
  if (!opts.returned) return avg;
  return [avg, avg.shape.join() === wsum.shape.join() ? wsum : broadcastTo(wsum, avg.shape)];
}

const countNonzeroJit = jit(
  function count_nonzero(a: JaxArray, axis: Axis, keepdims: boolean) {
    return sum(lax.ne(a, lax.asArray(0, a.dtype, false)), axis, { keepdims, dtype: "int32" });
  },
  { staticArgnums: [1, 2] },
);
/** The number of non-zero elements along `axis` (int32). */
export const countNonzero = (x: ArrayLike, axis: Axis = null, opts: { keepdims?: boolean } = {}): JaxArray =>
  countNonzeroJit(arr(x), axis === null || typeof axis === "number" ? axis : [...axis], opts.keepdims ?? false);

const ptpJit = jit(
  function ptp(a: JaxArray, axis: Axis, keepdims: boolean) {
    return lax.sub(max(a, axis, { keepdims }), min(a, axis, { keepdims }));
  },
  { staticArgnums: [1, 2] },
);
/** Peak to peak: max - min along `axis`. */
export const ptp = (x: ArrayLike, axis: Axis = null, opts: { keepdims?: boolean } = {}): JaxArray =>
  ptpJit(arr(x), axis === null || typeof axis === "number" ? axis : [...axis], opts.keepdims ?? false);

export interface CovOptions {
  y?: ArrayLike | null;
  /** Rows are variables and columns observations (the default); false: the transpose. */
  rowvar?: boolean;
  /** Normalize by N rather than N - 1. */
  bias?: boolean;
  ddof?: number | null;
  /** Integer frequency weights per observation. */
  fweights?: ArrayLike | null;
  /** Observation weights. */
  aweights?: ArrayLike | null;
  dtype?: DType;
}

/** The covariance matrix of the variables in the rows of `m` (numpy.cov). */
export function cov(m: ArrayLike, opts: CovOptions = {}): JaxArray {
  const rowvar = opts.rowvar ?? true;
  let [a, y] = opts.y == null ? [promoteArgsInexact("cov", m)[0], null] : promoteArgsInexact("cov", m, opts.y);
  if (y !== null && y.ndim > 2) throw new RangeError("y has more than 2 dimensions");
  if (a.ndim > 2) throw new RangeError("m has more than 2 dimensions");
  if (opts.dtype !== undefined && !isFloat(opts.dtype)) throw new RangeError(`cov: dtype must be a subclass of float or complex; got dtype=${opts.dtype}`);
  let X = atleast2d(a);
  if (!rowvar && a.ndim !== 1) X = lax.transpose(X, [1, 0]);
  if (X.shape[0] === 0) return lax.reshape(lax.iota("float32", 0), [0, 0]);
  if (y !== null) {
    let Y = atleast2d(y);
    if (!rowvar && Y.shape[0] !== 1) Y = lax.transpose(Y, [1, 0]);
    X = concatenate([X, Y], 0);
  }
  const n = X.shape[1];
  if (n === 0) return lax.broadcastInDim(lax.asArray(NaN, X.dtype, false), X.shape[0] === 1 ? [] : [X.shape[0], X.shape[0]], []);
  const ddof = opts.ddof ?? (opts.bias ? 0 : 1);
  let w: JaxArray | null = null;
  let aw: JaxArray | null = null;
  if (opts.fweights != null) {
    const fw = arr(opts.fweights);
    if (fw.ndim > 1) throw new RangeError("cannot handle multidimensional fweights");
    if (fw.shape[0] !== n) throw new RangeError("incompatible numbers of samples and fweights");
    if (!isInteger(fw.dtype)) throw new TypeError("fweights must be integer.");
    w = abs(fw);
  }
  if (opts.aweights != null) {
    aw = abs(arr(opts.aweights));
    if (aw.ndim > 1) throw new RangeError("cannot handle multidimensional aweights");
    if (aw.shape[0] !== n) throw new RangeError("incompatible numbers of samples and aweights");
    w = w === null ? aw : multiply(w, aw);
  }
  if (opts.dtype) {
    X = convertTo(X, opts.dtype, false);
    if (w) w = convertTo(w, opts.dtype, false);
  }
  const [avg, wsum0] = averageImpl(X, 1, w, false);
  const wsum = wsum0.ndim ? lax.reshape(lax.slice(wsum0, [0], [1]), []) : wsum0;
  let f: ArrayLike;
  if (w === null) f = n - ddof;
  else if (ddof === 0) f = wsum;
  else if (aw === null) f = lax.sub(wsum, lax.asArray(ddof, wsum.dtype, true));
  else f = lax.sub(wsum, lax.div(lax.mul(lax.asArray(ddof, wsum.dtype, true), sum(multiply(w, aw))), wsum));
  X = lax.sub(X, lax.expandDims(avg, [1]));
  const XT = lax.transpose(w === null ? X : multiply(X, lax.broadcast(w, [1])), [1, 0]);
  return squeeze(divide(dot(X, XT), f));
}

/** Pearson correlation coefficients: cov normalized by the standard deviations, clipped to [-1, 1]. */
export function corrcoef(x: ArrayLike, opts: { y?: ArrayLike | null; rowvar?: boolean; dtype?: DType } = {}): JaxArray {
  const c = cov(x, { y: opts.y, rowvar: opts.rowvar, dtype: opts.dtype });
  if (c.ndim === 0) return divide(c, c);
  const stddev = sqrt(diag(c));
  const scaled = divide(divide(c, lax.expandDims(stddev, [1])), lax.expandDims(stddev, [0]));
  return clip(scaled, -1, 1);
}
