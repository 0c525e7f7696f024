// NaN-ignoring reductions (jnp.nansum, nanmean, nanvar, nanargmax, nancumsum, ...), as
// jax/_src/numpy/reductions.py writes them: NaNs replaced by the reduction's identity, and an
// all-NaN slice giving NaN (min/max) or -1 (argmin/argmax).
import type { Array as JaxArray } from "../array/base.js";
import { type DType, isFloat } from "../dtypes.js";
import * as lax from "../lax/lax.js";
import type { ArrayLike } from "../lax/lax.js";
import { jit } from "../tracer/jit.js";
import { where } from "./math.js";
import { convertTo, promoteDtypes } from "./promote.js";
import { type Axis, all, argmax, argmin, max, mean, min, prod, sum } from "./reductions.js";
import { cumulativeReduction } from "./cumulative.js";

const arr = (x: ArrayLike): JaxArray => promoteDtypes(x)[0];
const isnan = (x: JaxArray) => lax.ne(x, x);
const c = (x: JaxArray, v: number) => lax.asArray(v, x.dtype, false);
type Reduction = (x: ArrayLike, axis?: Axis, opts?: { keepdims?: boolean; dtype?: DType }) => JaxArray;

/** JAX's _nan_reduction: NaNs replaced by `init`; all-NaN slices NaN when `nanIfAllNan`. */
function nanReduction(name: string, reduce: Reduction, init: number, nanIfAllNan: boolean) {
  const body = {
    [name](a: JaxArray, axis: Axis, keepdims: boolean, dtype: DType | null): JaxArray {
      const opts = { keepdims, ...(dtype ? { dtype } : {}) };
      if (!isFloat(a.dtype)) return reduce(a, axis, opts);
      const out = reduce(where(isnan(a), c(a, init), a), axis, opts);
      return nanIfAllNan ? where(all(isnan(a), axis, { keepdims }), c(a, NaN), out) : out;
    },
  }[name];
  const jitted = jit(body, { staticArgnums: [1, 2, 3] });
  return (x: ArrayLike, axis: Axis = null, opts: { keepdims?: boolean; dtype?: DType } = {}): JaxArray =>
    jitted(arr(x), normAxis(axis), opts.keepdims ?? false, opts.dtype ?? null);
}
/** Static axis arguments as plain values (jit keys on them). */
const normAxis = (axis: Axis): Axis => (axis === null || typeof axis === "number" ? axis : [...axis]);

/** The minimum, ignoring NaNs (NaN where a slice is all NaN). */
export const nanmin = nanReduction("nanmin", min, Infinity, true);
/** The maximum, ignoring NaNs. */
export const nanmax = nanReduction("nanmax", max, -Infinity, true);
/** The sum, NaNs counted as 0. */
export const nansum = nanReduction("nansum", sum, 0, false);
/** The product, NaNs counted as 1. */
export const nanprod = nanReduction("nanprod", prod, 1, false);

const nanmeanJit = jit(
  function nanmean(a: JaxArray, axis: Axis, keepdims: boolean) {
    if (!isFloat(a.dtype)) return mean(a, axis, { keepdims });
    const normalizer = sum(lax.bitwiseNot(isnan(a)), axis, { keepdims, dtype: a.dtype });
    return lax.div(nansum(a, axis, { keepdims }), normalizer);
  },
  { staticArgnums: [1, 2] },
);
/** The mean of the non-NaN values. */
export const nanmean = (x: ArrayLike, axis: Axis = null, opts: { keepdims?: boolean } = {}): JaxArray => nanmeanJit(arr(x), normAxis(axis), opts.keepdims ?? false);

const nanvarJit = jit(
  function nanvar(x: JaxArray, axis: Axis, ddof: number, keepdims: boolean) {
    const a = isFloat(x.dtype) ? x : convertTo(x, "float32", false);
    const aMean = nanmean(a, axis, { keepdims: true });
    // The double-where trick: NaN entries contribute 0 and no gradient.
    const centered = lax.square(where(isnan(a), 0, lax.sub(a, aMean)));
    let normalizer = sum(lax.bitwiseNot(isnan(a)), axis, { keepdims });
    normalizer = lax.sub(normalizer, lax.asArray(ddof, normalizer.dtype, false));
    const empty = lax.le(normalizer, lax.asArray(0, normalizer.dtype, false));
    const result = where(empty, NaN, sum(centered, axis, { keepdims }));
    const divisor = where(empty, 1, normalizer);
    return lax.div(result, convertTo(divisor, result.dtype, false));
  },
  { staticArgnums: [1, 2, 3] },
);
/** The variance of the non-NaN values, with `ddof` delta degrees of freedom. */
export const nanvar = (x: ArrayLike, axis: Axis = null, opts: { ddof?: number; keepdims?: boolean } = {}): JaxArray =>
  nanvarJit(arr(x), normAxis(axis), opts.ddof ?? 0, opts.keepdims ?? false);
/** The standard deviation of the non-NaN values. */
export const nanstd = (x: ArrayLike, axis: Axis = null, opts: { ddof?: number; keepdims?: boolean } = {}): JaxArray => lax.sqrt(nanvar(x, axis, opts));

function nanArg(name: string, fill: number, op: typeof argmax) {
  const body = {
    [name](a: JaxArray, axis: number | null, keepdims: boolean): JaxArray {
      if (!isFloat(a.dtype)) return op(a, axis, { keepdims });
      const mask = isnan(a);
      const res = op(where(mask, fill, a), axis, { keepdims });
      return where(all(mask, axis, { keepdims }), -1, res);
    },
  }[name];
  const jitted = jit(body, { staticArgnums: [1, 2] });
  return (x: ArrayLike, axis: number | null = null, opts: { keepdims?: boolean } = {}): JaxArray => jitted(arr(x), axis, opts.keepdims ?? false);
}
/** The index of the maximum, ignoring NaNs (-1 for an all-NaN slice). */
export const nanargmax = nanArg("nanargmax", -Infinity, argmax);
/** The index of the minimum, ignoring NaNs (-1 for an all-NaN slice). */
export const nanargmin = nanArg("nanargmin", Infinity, argmin);

const nancumsumJit = jit(
  function nancumsum(a: JaxArray, axis: number | null, dtype: DType | null) {
    return cumulativeReduction("nancumsum", lax.cumsum, a, axis, dtype, { fillNan: 0 });
  },
  { staticArgnums: [1, 2] },
);
const nancumprodJit = jit(
  function nancumprod(a: JaxArray, axis: number | null, dtype: DType | null) {
    return cumulativeReduction("nancumprod", lax.cumprod, a, axis, dtype, { fillNan: 1 });
  },
  { staticArgnums: [1, 2] },
);
/** Cumulative sum with NaNs counted as 0 (flattened when axis is null). */
export const nancumsum = (x: ArrayLike, axis: number | null = null, opts: { dtype?: DType } = {}): JaxArray => nancumsumJit(arr(x), axis, opts.dtype ?? null);
/** Cumulative product with NaNs counted as 1. */
export const nancumprod = (x: ArrayLike, axis: number | null = null, opts: { dtype?: DType } = {}): JaxArray => nancumprodJit(arr(x), axis, opts.dtype ?? null);
