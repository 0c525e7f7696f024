// Running and neighbouring-element operations: cumprod, cumulative_sum/prod (the array API's,
// with include_initial), diff, ediff1d, trapezoid and unwrap, as jax/_src/numpy writes them.
import type { Array as JaxArray } from "../array/base.js";
import { type DType, isFloat, isInteger } from "../dtypes.js";
import * as lax from "../lax/lax.js";
import type { ArrayLike } from "../lax/lax.js";
import { jit } from "../tracer/jit.js";
import { abs, add, bitwiseAnd, equal, floorDivide, greater, less, multiply, notEqual, remainder, subtract, where } from "./math.js";
import { promoteArgsInexact } from "./math_extra.js";
import { broadcastTo, convertTo, promoteDtypes } from "./promote.js";
import { cumsum, sum } from "./reductions.js";
import { concatenate, ravel } from "./shape.js";
import { moveaxis } from "./stacking.js";

const arr = (x: ArrayLike): JaxArray => promoteDtypes(x)[0];

/** bool and narrow integers accumulate in the default integer types (JAX's _promote_integer_dtype). */
const promoteInteger = (d: DType): DType => (d === "bool" || d === "int8" || d === "int16" ? "int32" : d === "uint8" || d === "uint16" ? "uint32" : d);

/** JAX's _cumulative_reduction: flatten for a null axis, fill NaNs, pick the accumulation dtype. */
export function cumulativeReduction(
  name: string,
  reduction: (x: JaxArray, axis: number) => JaxArray,
  x: JaxArray,
  axis: number | null,
  dtype: DType | null,
  opts: { fillNan?: number; promoteIntegers?: boolean } = {},
): JaxArray {
  let a = x;
  if (axis === null || a.ndim === 0) a = lax.reshape(a, [a.size]);
  const ax = lax.canonicalizeAxis(axis ?? 0, a.ndim, name);
  if (opts.fillNan !== undefined && isFloat(a.dtype)) a = where(lax.ne(a, a), lax.asArray(opts.fillNan, a.dtype, false), a);
  let result: DType;
  let compute: DType;
  if (dtype === null) {
    result = compute = opts.promoteIntegers || a.dtype === "bool" ? promoteInteger(a.dtype) : a.dtype;
  } else if (dtype === "bool") {
    result = "bool";
    if (a.dtype !== "bool") a = notEqual(a, 0);
    compute = promoteInteger("bool");
  } else result = compute = dtype;
  a = convertTo(a, compute, false);
  return convertTo(reduction(a, ax), result, false);
}

const cumprodJit = jit(
  function cumprod(a: JaxArray, axis: number | null, dtype: DType | null) {
    return cumulativeReduction("cumprod", lax.cumprod, a, axis, dtype);
  },
  { staticArgnums: [1, 2] },
);
/** Cumulative product along `axis` (flattened when null). */
export const cumprod = (x: ArrayLike, axis: number | null = null, opts: { dtype?: DType } = {}): JaxArray => cumprodJit(arr(x), axis, opts.dtype ?? null);

function arrayApiCumulative(name: string, reduction: (x: JaxArray, axis: number) => JaxArray, initial: number) {
  const body = {
    [name](x: JaxArray, axis: number, dtype: DType | null, includeInitial: boolean): JaxArray {
      const out = cumulativeReduction(name, reduction, x, axis, dtype, { promoteIntegers: name === "cumulative_sum" });
      if (!includeInitial) return out;
      const shape = [...x.shape];
      shape[axis] = 1;
      return lax.concatenate([lax.broadcastInDim(lax.asArray(initial, out.dtype, false), shape, []), out], axis);
    },
  }[name];
  const jitted = jit(body, { staticArgnums: [1, 2, 3] });
  return (x: ArrayLike, opts: { axis?: number | null; dtype?: DType; includeInitial?: boolean } = {}): JaxArray => {
    const a = arr(x);
    if (a.ndim === 0) throw new RangeError(`The input must be non-scalar to take a ${name === "cumulative_sum" ? "cumulative sum" : "cumulative product"}, however a scalar value or scalar array was given.`);
    if ((opts.axis ?? null) === null && a.ndim > 1)
      throw new RangeError(`The input array has rank ${a.ndim}, however axis was not set to an explicit value. The axis argument is only optional for one-dimensional arrays.`);
    return jitted(a, lax.canonicalizeAxis(opts.axis ?? 0, a.ndim, name), opts.dtype ?? null, opts.includeInitial ?? false);
  };
}
/** The array API's cumulative sum: `cumulativeSum(x, { axis, includeInitial })` (integers widen). */
export const cumulativeSum = arrayApiCumulative("cumulative_sum", lax.cumsum, 0);
/** The array API's cumulative product. */
export const cumulativeProd = arrayApiCumulative("cumulative_prod", lax.cumprod, 1);

/** `a[lo:hi]` along `axis` (hi null: to the end). */
function sliceAxis(a: JaxArray, axis: number, lo: number, hi: number | null = null): JaxArray {
  const n = a.shape[axis];
  const norm = (i: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
  return lax.slice(a, a.shape.map((_, d) => (d === axis ? norm(lo) : 0)), a.shape.map((s, d) => (d === axis ? Math.max(norm(lo), hi === null ? n : norm(hi)) : s)));
}

const diffJit = jit(
  function diff(x: JaxArray, n: number, axis: number, prepend: JaxArray | null, append: JaxArray | null) {
    let a = x;
    const edge = (v: JaxArray) => {
      if (v.ndim) return v;
      const shape = [...a.shape];
      shape[axis] = 1;
      return broadcastTo(v, shape);
    };
    const parts = [...(prepend ? [edge(prepend)] : []), a, ...(append ? [edge(append)] : [])];
    if (parts.length > 1) a = concatenate(parts, axis);
    for (let i = 0; i < n; i++) {
      const hi = sliceAxis(a, axis, 1);
      const lo = sliceAxis(a, axis, 0, -1);
      a = a.dtype === "bool" ? notEqual(hi, lo) : subtract(hi, lo);
    }
    return a;
  },
  { staticArgnums: [1, 2] },
);
/** The n-th discrete difference along `axis`: `diff([1, 2, 4, 7])` is [1, 2, 3]. */
export function diff(x: ArrayLike, n = 1, axis = -1, opts: { prepend?: ArrayLike; append?: ArrayLike } = {}): JaxArray {
  const a = arr(x);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`order must be non-negative but got ${n}`);
  if (n === 0) return a;
  if (a.ndim === 0) throw new RangeError("diff requires input that is at least one dimensional");
  const p = opts.prepend === undefined ? null : arr(opts.prepend);
  const q = opts.append === undefined ? null : arr(opts.append);
  return diffJit(a, n, lax.canonicalizeAxis(axis, a.ndim, "diff"), p, q);
}

/** Differences of the flattened array, with optional values before and after. */
export function ediff1d(x: ArrayLike, opts: { toEnd?: ArrayLike; toBegin?: ArrayLike } = {}): JaxArray {
  const a = ravel(x);
  let result = lax.sub(sliceAxis(a, 0, 1), sliceAxis(a, 0, 0, -1));
  if (opts.toBegin !== undefined) result = concatenate([ravel(convertTo(opts.toBegin, a.dtype, false)), result]);
  if (opts.toEnd !== undefined) result = concatenate([result, ravel(convertTo(opts.toEnd, a.dtype, false))]);
  return result;
}

const trapezoidJit = jit(
  function trapezoid(y0: JaxArray, x0: JaxArray | null, dx0: JaxArray, axis: number) {
    let dx: JaxArray;
    let y: JaxArray;
    if (x0 === null) {
      [y] = promoteArgsInexact("trapezoid", y0);
      dx = dx0;
      if (dx.ndim > 0) dx = moveaxis(lax.expandDims(dx, Array.from({ length: y.ndim - dx.ndim }, (_, i) => i)), axis, -1);
    } else {
      let x: JaxArray;
      [y, x] = promoteArgsInexact("trapezoid", y0, x0);
      dx = x.ndim === 1 ? diff(x) : moveaxis(diff(x, 1, axis), axis, -1);
    }
    y = moveaxis(y, axis, -1);
    const last = y.ndim - 1;
    const at = (i: number) => lax.squeeze(sliceAxis(y, last, i, i === -1 ? null : i + 1), [last]);
    if (dx.ndim === 0 || dx.shape[dx.ndim - 1] === 1) {
      const d = dx.ndim === 0 ? dx : lax.squeeze(sliceAxis(dx, dx.ndim - 1, 0, 1), [dx.ndim - 1]);
      return multiply(d, subtract(sum(y, -1), multiply(0.5, add(at(0), at(-1)))));
    }
    return multiply(0.5, sum(multiply(dx, add(sliceAxis(y, last, 1), sliceAxis(y, last, 0, -1))), -1));
  },
  { staticArgnums: [3] },
);
/** The integral of y by the trapezoidal rule, over sample points x (or spacing dx). */
export function trapezoid(y: ArrayLike, x: ArrayLike | null = null, dx: ArrayLike = 1.0, axis = -1): JaxArray {
  const ya = arr(y);
  return trapezoidJit(ya, x === null ? null : arr(x), arr(dx), lax.canonicalizeAxis(axis, ya.ndim, "trapezoid"));
}

const unwrapJit = jit(
  function unwrap(p0: JaxArray, period0: JaxArray, discont0: JaxArray | null, axis: number) {
    const [p, period] = promoteDtypes(p0, period0);
    if (p.shape[axis] === 0) return p;
    const interval = isInteger(p.dtype) ? floorDivide(period, 2) : lax.div(period, lax.asArray(2, period.dtype, true));
    const discont = discont0 ?? interval;
    const dd = diff(p, 1, axis);
    let ddmod = subtract(remainder(add(dd, interval), period), interval);
    ddmod = where(bitwiseAnd(equal(ddmod, lax.neg(interval)), greater(dd, 0)), interval, ddmod);
    const correct = where(less(abs(dd), discont), 0, subtract(ddmod, dd));
    return concatenate([sliceAxis(p, axis, 0, 1), add(sliceAxis(p, axis, 1), cumsum(correct, axis))], axis);
  },
  { staticArgnums: [3] },
);
/** Removes jumps larger than `discont` (default period/2) by adding multiples of `period` (2 pi). */
export function unwrap(p: ArrayLike, opts: { discont?: ArrayLike | null; axis?: number; period?: ArrayLike } = {}): JaxArray {
  const a = arr(p);
  const period = opts.period ?? 2 * Math.PI;
  return unwrapJit(
    a,
    typeof period === "object" ? period : lax.asArray(period),
    opts.discont == null ? null : arr(opts.discont),
    lax.canonicalizeAxis(opts.axis ?? -1, a.ndim, "unwrap"),
  );
}
