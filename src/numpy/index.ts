/**
 * The `numpy` namespace, also exported as `jnp`: numpy's names (jax.numpy) with JAX's dtype
 * promotion and weak types; this file also installs the fluent methods of arrays.
 *
 * ```ts
 * jnp.arange(6).reshape([2, 3]).sum(0);  // [3. 5. 7.]
 * jnp.add(x, 1);                         // also x.add(1): no operator overloading in JS
 * ```
 * @module
 */
import { Array as JaxArray, arrayMethods } from "../array/base.js";
import { type DType, canonicalizeDtype } from "../dtypes.js";
import * as lax from "../lax/lax.js";
import type { ArrayLike } from "../lax/lax.js";
import * as m from "./math.js";
import * as r from "./reductions.js";
import * as sh from "./shape.js";
import { convertTo } from "./promote.js";
import { type IndexElement, IndexUpdateRef, index } from "./indexing.js";

export * from "./math.js";
export * from "./creation.js";
export * from "./reductions.js";
export { logaddexp } from "./special.js";
export * as linalg from "./linalg.js";
export { variance as var, std, tile, repeat, flip, roll, tril, triu, meshgrid, pad, split, diag, trace, sort, argsort, isclose, allclose } from "./manip.js";
export { reshape, ravel, transpose, swapaxes, squeeze, expandDims, concatenate, stack, matmul, dot, vdot, outer, broadcastToShape as broadcastTo } from "./shape.js";
export { resultTypeOf as resultType } from "./promote.js";
export {
  arcsin, arccos, arctan, sinh, cosh, arcsinh, arccosh, arctanh, asin, acos, atan, asinh, acosh, atanh, deg2rad, rad2deg, radians, degrees,
  sinc, hypot, log2, log10, logaddexp2, floatPower, positive, isposinf, isneginf, isinf, signbit, copysign, heaviside, fmax, fmin,
  nanToNum, rint, trunc, modf, fmod, divmod, frexp, ldexp, invert, bitwiseInvert, bitwiseLeftShift, bitwiseRightShift, bitwiseCount,
} from "./math_extra.js";
export { arctan2 as atan2, power as pow } from "./math.js";
export { float32, int32, uint32, uint16, uint8, bool, bool_, pi, e, inf, nan, eulerGamma, newaxis, finfo, iinfo, promoteTypes, isdtype, isscalar, ndim, shape, size } from "./dtype_info.js";
export type { FInfo, IInfo } from "./dtype_info.js";
export {
  atleast1d, atleast2d, atleast3d, hstack, vstack, dstack, columnStack, append, arraySplit, hsplit, vsplit, dsplit, unstack, moveaxis, permuteDims,
  matrixTranspose, fliplr, flipud, rot90, broadcastShapes, broadcastArrays,
} from "./stacking.js";
export { diagonal, diagflat, diagIndices, diagIndicesFrom, tri, identity, indices, fromfunction, vander, logspace, geomspace, bartlett, blackman, hamming, hanning } from "./matrices.js";
export { nanmin, nanmax, nansum, nanprod, nanmean, nanvar, nanstd, nanargmax, nanargmin, nancumsum, nancumprod } from "./nan.js";
export { cumprod, cumulativeSum, cumulativeProd, diff, ediff1d, trapezoid, unwrap } from "./cumulative.js";
export { average, countNonzero, ptp, cov, corrcoef } from "./statistics.js";
export { tensordot, inner, cross, matvec, vecmat, vecdot } from "./products.js";
export { polyadd, polysub, polymul, polyder, polyval } from "./poly.js";
export { arrayEqual, arrayEquiv, isin, select } from "./logic.js";
export { applyAlongAxis, applyOverAxes } from "./functional.js";
export { index, at, take, takeAlongAxis, slice, ds, Slice, DynamicSlice, IndexUpdateRef, IndexError, type IndexElement } from "./indexing.js";
export { einsum, einsumPath } from "./einsum.js";
export { convolve, correlate } from "./convolve.js";
export type { ArrayLike };

/** Casts to `dtype` (`x.astype("int32")`). */
export const astype = (x: ArrayLike, dtype: DType): JaxArray => convertTo(lax.asArray(x), canonicalizeDtype(dtype, "astype"), false);

declare module "../array/base.js" {
  interface Array {
    add(y: ArrayLike): Array;
    sub(y: ArrayLike): Array;
    mul(y: ArrayLike): Array;
    div(y: ArrayLike): Array;
    pow(y: ArrayLike): Array;
    mod(y: ArrayLike): Array;
    neg(): Array;
    abs(): Array;
    exp(): Array;
    log(): Array;
    sin(): Array;
    cos(): Array;
    tanh(): Array;
    sqrt(): Array;
    square(): Array;
    eq(y: ArrayLike): Array;
    ne(y: ArrayLike): Array;
    lt(y: ArrayLike): Array;
    le(y: ArrayLike): Array;
    gt(y: ArrayLike): Array;
    ge(y: ArrayLike): Array;
    maximum(y: ArrayLike): Array;
    minimum(y: ArrayLike): Array;
    clip(min?: ArrayLike | null, max?: ArrayLike | null): Array;
    sum(axis?: r.Axis, opts?: r.ReduceOpts): Array;
    mean(axis?: r.Axis, opts?: r.ReduceOpts): Array;
    max(axis?: r.Axis, opts?: r.ReduceOpts): Array;
    min(axis?: r.Axis, opts?: r.ReduceOpts): Array;
    prod(axis?: r.Axis, opts?: r.ReduceOpts): Array;
    argmax(axis?: number | null, opts?: { keepdims?: boolean }): Array;
    argmin(axis?: number | null, opts?: { keepdims?: boolean }): Array;
    reshape(shape: number | readonly number[]): Array;
    transpose(axes?: readonly number[] | null): Array;
    readonly T: Array;
    squeeze(axis?: number | readonly number[] | null): Array;
    expandDims(axis: number | readonly number[]): Array;
    ravel(): Array;
    flatten(): Array;
    matmul(y: ArrayLike): Array;
    dot(y: ArrayLike): Array;
    astype(dtype: DType): Array;
    /** NumPy indexing, `x[...]`: `x.index(0, ":", null)` is `x[0, :, None]` (see numpy/indexing.ts). */
    index(...idx: IndexElement[]): Array;
    /** `x[...]`, the same as `index`: `x.get(idx)` gathers at an integer array. */
    get(...idx: IndexElement[]): Array;
    /** Functional indexed updates, JAX's `x.at[...]`: `x.at(1).set(5)`, `x.at(idx).add(v)`. */
    at(...idx: IndexElement[]): IndexUpdateRef;
  }
}

const methods: Record<string, (this: JaxArray, ...args: any[]) => unknown> = {
  add(y) { return m.add(this, y); },
  sub(y) { return m.subtract(this, y); },
  mul(y) { return m.multiply(this, y); },
  div(y) { return m.divide(this, y); },
  pow(y) { return m.power(this, y); },
  mod(y) { return m.remainder(this, y); },
  neg() { return m.negative(this); },
  abs() { return m.abs(this); },
  exp() { return m.exp(this); },
  log() { return m.log(this); },
  sin() { return m.sin(this); },
  cos() { return m.cos(this); },
  tanh() { return m.tanh(this); },
  sqrt() { return m.sqrt(this); },
  square() { return m.square(this); },
  eq(y) { return m.equal(this, y); },
  ne(y) { return m.notEqual(this, y); },
  lt(y) { return m.less(this, y); },
  le(y) { return m.lessEqual(this, y); },
  gt(y) { return m.greater(this, y); },
  ge(y) { return m.greaterEqual(this, y); },
  maximum(y) { return m.maximum(this, y); },
  minimum(y) { return m.minimum(this, y); },
  clip(lo = null, hi = null) { return m.clip(this, lo, hi); },
  sum(axis = null, opts) { return r.sum(this, axis, opts); },
  mean(axis = null, opts) { return r.mean(this, axis, opts); },
  max(axis = null, opts) { return r.max(this, axis, opts); },
  min(axis = null, opts) { return r.min(this, axis, opts); },
  prod(axis = null, opts) { return r.prod(this, axis, opts); },
  argmax(axis = null, opts) { return r.argmax(this, axis, opts); },
  argmin(axis = null, opts) { return r.argmin(this, axis, opts); },
  reshape(shape) { return sh.reshape(this, shape); },
  transpose(axes = null) { return sh.transpose(this, axes); },
  squeeze(axis = null) { return sh.squeeze(this, axis); },
  expandDims(axis) { return sh.expandDims(this, axis); },
  ravel() { return sh.ravel(this); },
  flatten() { return sh.ravel(this); },
  matmul(y) { return sh.matmul(this, y); },
  dot(y) { return sh.dot(this, y); },
  astype(dtype) { return astype(this, dtype); },
  index(...idx) { return index(this, ...idx); },
  get(...idx) { return index(this, ...idx); },
  at(...idx) { return new IndexUpdateRef(this, idx); },
};

for (const [name, fn] of Object.entries(methods)) {
  // Concrete arrays define their own item/toString; everything else comes from here.
  if (!(name in JaxArray.prototype)) Object.defineProperty(JaxArray.prototype, name, { value: fn, writable: true, configurable: true });
}
Object.defineProperty(JaxArray.prototype, "T", {
  get(this: JaxArray) {
    return sh.transpose(this);
  },
  configurable: true,
});
arrayMethods.index = index;
