// The `numpy` namespace (also exported as `jnp`), and the fluent methods of arrays.
import { Array as JaxArray, arrayMethods } from "../array/base.js";
import type { DType } from "../dtypes.js";
import * as lax from "../lax/lax.js";
import type { ArrayLike } from "../lax/lax.js";
import * as m from "./math.js";
import * as r from "./reductions.js";
import * as sh from "./shape.js";
import { convertTo } from "./promote.js";

export * from "./math.js";
export * from "./creation.js";
export * from "./reductions.js";
export { logaddexp } from "./special.js";
export * as linalg from "./linalg.js";
export { variance as var, std, tile, repeat, flip, roll, tril, triu, meshgrid, pad, split, diag, trace, sort, argsort, isclose, allclose } from "./manip.js";
export { reshape, ravel, transpose, swapaxes, squeeze, expandDims, concatenate, stack, matmul, dot, vdot, outer, broadcastToShape as broadcastTo } from "./shape.js";
export { resultTypeOf as resultType } from "./promote.js";
export type { ArrayLike };

/** `x[i]` along the leading axis, for a static integer `i` (negative counts from the end). */
export function index(x: JaxArray, i: number): JaxArray {
  if (x.ndim === 0) throw new TypeError("Too many indices: 0-dimensional array indexed with 1 index");
  const n = x.shape[0];
  if (!Number.isInteger(i) || i < -n || i >= n) throw new RangeError(`index ${i} is out of bounds for axis 0 with size ${n}`);
  const j = i < 0 ? i + n : i;
  const start = x.shape.map((_, d) => (d === 0 ? j : 0));
  const limit = x.shape.map((s, d) => (d === 0 ? j + 1 : s));
  return lax.squeeze(lax.slice(x, start, limit), [0]);
}

/** Casts to `dtype` (`x.astype("int32")`). */
export const astype = (x: ArrayLike, dtype: DType): JaxArray => convertTo(lax.asArray(x), dtype, false);

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
    /** `x[i]` along the leading axis. */
    index(i: number): Array;
  }
}

const methods: Record<string, (this: JaxArray, ...args: any[]) => JaxArray> = {
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
  index(i) { return index(this, i); },
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
