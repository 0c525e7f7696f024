/**
 * The `lax` namespace (jax.lax): thin, typed wrappers that bind primitives, and control flow
 * (`cond`, `switch`, `whileLoop`, `foriLoop`, `scan`) and collectives (`psum`, ...). No dtype
 * promotion here (lax requires matching dtypes, as in JAX), except that JS numbers take the
 * other operand's dtype.
 *
 * ```ts
 * const [last, cumsum] = lax.scan((c: Array, x: Array) => [c.add(x), c.add(x)], 0, jnp.arange(4));
 * ```
 * @module
 */
import type { Array as JaxArray } from "../array/base.js";
import { ArrayImpl, scalar } from "../array/array.js";
import { type DType, isFloat, isKey, isUnsigned } from "../dtypes.js";
import { bind1 } from "../tracer/core.js";
import { ValueError } from "../errors.js";
import * as e from "./elementwise.js";
import * as s from "./structural.js";
import * as r from "./reductions.js";
import { bitcast_convert_type_p } from "../prng/bitcast.js";

export { psum, pmean, pmax, pmin, allGather, axisIndex } from "./parallel.js";
export { scan, map, type ScanOptions } from "./control_flow/scan.js";
export { associativeScan } from "./control_flow/associative_scan.js";
export { cond, switch_ as switch } from "./control_flow/conditionals.js";
export { whileLoop, foriLoop } from "./control_flow/loops.js";
export * as linalg from "./linalg_api.js";
export { topK } from "./top_k.js";
export { gather, scatter, scatterAdd, scatterSub, scatterMul, scatterMin, scatterMax, GatherDimensionNumbers, ScatterDimensionNumbers, GatherScatterMode } from "./slicing.js";
export { convGeneralDilated, conv, convWithGeneralPadding, convTranspose, convDimensionNumbers, convGeneralPermutations, ConvDimensionNumbers, padtypeToPads } from "./convolution.js";
export { reduceWindow, reduceWindowShapeTuple } from "./windowed_reductions.js";
export { lgamma, digamma, polygamma, zeta, igamma, igammac, igammaGradA, randomGammaGrad } from "./special_functions.js";

export type ArrayLike = JaxArray | number | boolean;

/**
 * A JS scalar as a literal of `dtype`; an array as itself. A weak literal keeps the JS value
 * (JAX prints `0.1:f32[]`); a strong one is rounded to the dtype, as when jnp folds a Python
 * scalar into an array's dtype (`0.10000000149011612:f32[]`).
 */
export function asArray(x: ArrayLike, dtype: DType = "float32", weakType = true): JaxArray {
  if (typeof x === "number" || typeof x === "boolean") {
    const weak = dtype !== "bool" && weakType;
    return scalar(castScalar(x, dtype, weak), dtype, weak);
  }
  return x;
}

/** A JS scalar converted to `dtype`'s value set (JAX raises OverflowError out of range). */
export function castScalar(v: number | boolean, dtype: DType, keepDouble = false): number | boolean {
  if (dtype === "bool") return Boolean(v);
  const n = Number(v);
  if (isFloat(dtype)) return keepDouble ? n : Math.fround(n);
  if (!Number.isFinite(n)) throw new TypeError(`Cannot convert ${n} to ${dtype}`);
  const [lo, hi] = isUnsigned(dtype) ? [0, 2 ** (dtype === "uint32" ? 32 : dtype === "uint16" ? 16 : 8) - 1] : [-(2 ** 31), 2 ** 31 - 1];
  if (Number.isInteger(n) && (n < lo || n > hi)) throw new RangeError(`Python int ${n} too large to convert to ${dtype}`);
  return Math.trunc(n);
}

const dtypeOf = (...xs: ArrayLike[]): DType => {
  for (const x of xs) if (typeof x === "object") return x.dtype;
  return "float32";
};

function binary(prim: import("../jaxpr/jaxpr.js").Primitive) {
  return (x: ArrayLike, y: ArrayLike): JaxArray => {
    const dt = dtypeOf(x, y);
    return bind1(prim, [asArray(x, dt), asArray(y, dt)]);
  };
}
const unary = (prim: import("../jaxpr/jaxpr.js").Primitive, params: object = {}) => (x: ArrayLike): JaxArray => bind1(prim, [asArray(x)], params as never);
const acc = { accuracy: null };

export const add = binary(e.add_p);
export const sub = binary(e.sub_p);
export const mul = binary(e.mul_p);
export const div = binary(e.div_p);
export const rem = binary(e.rem_p);
export const pow = binary(e.pow_p);
export const max = binary(e.max_p);
export const min = binary(e.min_p);
export const atan2 = binary(e.atan2_p);
export const nextafter = binary(e.nextafter_p);
export const bitwiseAnd = binary(e.and_p);
export const bitwiseOr = binary(e.or_p);
export const bitwiseXor = binary(e.xor_p);
export const shiftLeft = binary(e.shift_left_p);
export const shiftRightLogical = binary(e.shift_right_logical_p);
export const shiftRightArithmetic = binary(e.shift_right_arithmetic_p);
export const eq = binary(e.eq_p);
export const ne = binary(e.ne_p);
export const lt = binary(e.lt_p);
export const le = binary(e.le_p);
export const gt = binary(e.gt_p);
export const ge = binary(e.ge_p);

export const neg = unary(e.neg_p);
export const sign = unary(e.sign_p);
export const floor = unary(e.floor_p);
export const ceil = unary(e.ceil_p);
export const abs = unary(e.abs_p);
export const isFinite = unary(e.is_finite_p);
export const exp = unary(e.exp_p, acc);
export const exp2 = unary(e.exp2_p, acc);
export const log = unary(e.log_p, acc);
export const log1p = unary(e.log1p_p, acc);
export const expm1 = unary(e.expm1_p, acc);
export const sin = unary(e.sin_p, acc);
export const cos = unary(e.cos_p, acc);
export const tan = unary(e.tan_p, acc);
export const tanh = unary(e.tanh_p, acc);
export const logistic = unary(e.logistic_p, acc);
export const sqrt = unary(e.sqrt_p, acc);
export const rsqrt = unary(e.rsqrt_p, acc);
export const cbrt = unary(e.cbrt_p, acc);
export const erf = unary(e.erf_p);
export const erfInv = unary(e.erf_inv_p);
export const erfc = unary(e.erfc_p);
export const asin = unary(e.asin_p);
export const acos = unary(e.acos_p);
export const atan = unary(e.atan_p);
export const sinh = unary(e.sinh_p);
export const cosh = unary(e.cosh_p);
export const asinh = unary(e.asinh_p);
export const acosh = unary(e.acosh_p);
export const atanh = unary(e.atanh_p);
export const populationCount = unary(e.population_count_p);
export const clz = unary(e.clz_p);
/** `1 / x`, as JAX writes it: `integer_pow(x, -1)`. */
export const reciprocal = (x: ArrayLike): JaxArray => bind1(e.integer_pow_p, [asArray(x)], { y: -1 });
/** The same bits read as `newDtype` (32-bit types). */
export const bitcastConvertType = (x: ArrayLike, newDtype: DType): JaxArray => bind1(bitcast_convert_type_p, [asArray(x)], { new_dtype: newDtype });
export const bitwiseNot = unary(e.not_p);
export const stopGradient = unary(e.stop_gradient_p);
export const copy = unary(e.copy_p);
export const square = unary(e.square_p);

/** Rounds half away from zero (`0`, lax's default) or half to even (`1`). */
export const round = (x: ArrayLike, roundingMethod: 0 | 1 = 0): JaxArray => bind1(e.round_p, [asArray(x)], { rounding_method: roundingMethod });
export const integerPow = (x: ArrayLike, y: number): JaxArray => {
  if (!Number.isInteger(y)) throw new TypeError(`integer_pow: y must be an integer, got ${y}`);
  return bind1(e.integer_pow_p, [asArray(x)], { y });
};

/** Converts to `newDtype` (strongly typed unless `weakType`). */
export function convertElementType(x: ArrayLike, newDtype: DType, weakType = false): JaxArray {
  const a = asArray(x, typeof x === "object" ? x.dtype : newDtype);
  // As JAX's wrapper: a no-op conversion is the operand itself, and a scalar constant is
  // converted now (a literal of the new type), so neither stages an equation.
  if (a.dtype === newDtype && a.weakType === weakType) return a;
  if (a instanceof ArrayImpl && a.literal !== undefined && !isKey(newDtype) && (isFloat(newDtype) || Number.isFinite(Number(a.literal))))
    return scalar(castScalar(a.literal, newDtype), newDtype, weakType);
  return bind1(e.convert_element_type_p, [a], { new_dtype: newDtype, sharding: null, weak_type: weakType });
}

/** `which ? cases[1] : cases[0]` elementwise (or `cases[which]` for int32 `which`). */
export const selectN = (which: ArrayLike, ...cases: ArrayLike[]): JaxArray => {
  const dt = dtypeOf(...cases);
  return bind1(e.select_n_p, [asArray(which, "bool"), ...cases.map((c) => asArray(c, dt))]);
};
export const select = (pred: ArrayLike, onTrue: ArrayLike, onFalse: ArrayLike): JaxArray => selectN(pred, onFalse, onTrue);
/** `min(max(x, lo), hi)` elementwise; `lo` and `hi` are scalars or of x's shape: `lax.clamp(0, x, 1)`. */
export const clamp = (lo: ArrayLike, x: ArrayLike, hi: ArrayLike): JaxArray => {
  const dt = dtypeOf(lo, x, hi);
  return bind1(e.clamp_p, [asArray(lo, dt), asArray(x, dt), asArray(hi, dt)]);
};

// ---- structural -----------------------------------------------------------------------------

export const broadcastInDim = (x: ArrayLike, shape: readonly number[], broadcastDimensions: readonly number[]): JaxArray =>
  bind1(s.broadcast_in_dim_p, [asArray(x)], { broadcast_dimensions: [...broadcastDimensions], shape: [...shape], sharding: null });
/** Adds leading dimensions `sizes`. */
export const broadcast = (x: ArrayLike, sizes: readonly number[]): JaxArray => {
  const a = asArray(x);
  return broadcastInDim(a, [...sizes, ...a.shape], a.shape.map((_, i) => i + sizes.length));
};
/** Reshapes (no equation when the shape is unchanged, as in JAX). */
export const reshape = (x: ArrayLike, newSizes: readonly number[]): JaxArray => {
  const a = asArray(x);
  // As lax.reshape: a no-op returns the operand, except for a scalar (np.shape(operand) is falsy).
  if (a.ndim > 0 && a.shape.length === newSizes.length && a.shape.every((d, i) => d === newSizes[i])) return a;
  return bind1(s.reshape_p, [a], { dimensions: null, new_sizes: [...newSizes], sharding: null });
};
/** Permutes axes (no equation for the identity permutation, as in JAX). */
export const transpose = (x: ArrayLike, permutation: readonly number[]): JaxArray => {
  const a = asArray(x);
  if (permutation.length === a.ndim && permutation.every((d, i) => d === i)) return a;
  return bind1(s.transpose_p, [a], { permutation: [...permutation] });
};
export const squeeze = (x: ArrayLike, dimensions: readonly number[]): JaxArray => {
  const a = asArray(x);
  const dims = [...new Set(dimensions.map((d) => canonicalizeAxis(d, a.ndim, "squeeze")))].sort((p, q) => p - q);
  return dims.length === 0 ? a : bind1(s.squeeze_p, [a], { dimensions: dims });
};
/** Inserts size-1 dimensions (a broadcast_in_dim, as in JAX). */
export const expandDims = (x: ArrayLike, dimensions: readonly number[]): JaxArray => {
  const a = asArray(x);
  const ndimOut = a.ndim + dimensions.length;
  const dims = dimensions.map((d) => canonicalizeAxis(d, ndimOut, "expand_dims")).sort((p, q) => p - q);
  const shape: number[] = [];
  let k = 0;
  for (let i = 0; i < ndimOut; i++) shape.push(dims.includes(i) ? 1 : a.shape[k++]);
  const bdims = shape.map((_, i) => i).filter((i) => !dims.includes(i));
  return broadcastInDim(a, shape, bdims);
};
export const concatenate = (xs: ArrayLike[], dimension: number): JaxArray => {
  const dt = dtypeOf(...xs);
  return bind1(
    s.concatenate_p,
    xs.map((x) => asArray(x, dt)),
    { dimension },
  );
};
/** Stacks equal-shaped arrays along a new axis (JAX 0.11's stack primitive). */
export const stack = (xs: ArrayLike[], axis: number): JaxArray => {
  const dt = dtypeOf(...xs);
  return bind1(
    s.stack_p,
    xs.map((x) => asArray(x, dt)),
    { axis },
  );
};
export const slice = (x: ArrayLike, startIndices: readonly number[], limitIndices: readonly number[], strides: readonly number[] | null = null): JaxArray =>
  bind1(s.slice_p, [asArray(x)], { limit_indices: [...limitIndices], start_indices: [...startIndices], strides: strides && [...strides] });
export const dynamicSlice = (x: ArrayLike, startIndices: ArrayLike[], sliceSizes: readonly number[]): JaxArray =>
  bind1(s.dynamic_slice_p, [asArray(x), ...startIndices.map((i) => asArray(i, "int32"))], { slice_sizes: [...sliceSizes] });
export const dynamicUpdateSlice = (x: ArrayLike, update: ArrayLike, startIndices: ArrayLike[]): JaxArray =>
  bind1(s.dynamic_update_slice_p, [asArray(x), asArray(update, dtypeOf(x)), ...startIndices.map((i) => asArray(i, "int32"))]);
export const pad = (x: ArrayLike, paddingValue: ArrayLike, paddingConfig: readonly (readonly [number, number, number])[]): JaxArray => {
  const dt = dtypeOf(x, paddingValue);
  return bind1(s.pad_p, [asArray(x, dt), asArray(paddingValue, dt)], { padding_config: paddingConfig.map((c) => [...c]) });
};
export const iota = (dtype: DType, size: number): JaxArray => bind1(s.iota_p, [], { dimension: 0, dtype, shape: [size], sharding: null });
export const broadcastedIota = (dtype: DType, shape: readonly number[], dimension: number): JaxArray =>
  bind1(s.iota_p, [], { dimension, dtype, shape: [...shape], sharding: null });

// ---- reductions -----------------------------------------------------------------------------

const axesParams = (axes: readonly number[]) => ({ axes: [...axes], out_sharding: null });
export const reduceSum = (x: ArrayLike, axes: readonly number[]): JaxArray => bind1(r.reduce_sum_p, [asArray(x)], axesParams(axes));
export const reduceMax = (x: ArrayLike, axes: readonly number[]): JaxArray => bind1(r.reduce_max_p, [asArray(x)], axesParams(axes));
export const reduceMin = (x: ArrayLike, axes: readonly number[]): JaxArray => bind1(r.reduce_min_p, [asArray(x)], axesParams(axes));
// reduce_prod has no out_sharding param in JAX 0.11.
export const reduceProd = (x: ArrayLike, axes: readonly number[]): JaxArray => bind1(r.reduce_prod_p, [asArray(x)], { axes: [...axes] });
// JAX binds the logical reductions with their axes alone (no out_sharding).
export const reduceAnd = (x: ArrayLike, axes: readonly number[]): JaxArray => bind1(r.reduce_and_p, [asArray(x, "bool")], { axes: [...axes] });
export const reduceOr = (x: ArrayLike, axes: readonly number[]): JaxArray => bind1(r.reduce_or_p, [asArray(x, "bool")], { axes: [...axes] });
export const argmax = (x: ArrayLike, axis: number, indexDtype: DType = "int32"): JaxArray => bind1(r.argmax_p, [asArray(x)], { axes: [axis], index_dtype: indexDtype });
export const argmin = (x: ArrayLike, axis: number, indexDtype: DType = "int32"): JaxArray => bind1(r.argmin_p, [asArray(x)], { axes: [axis], index_dtype: indexDtype });
export const cumsum = (x: ArrayLike, axis = 0, reverse = false): JaxArray => bind1(r.cumsum_p, [asArray(x)], { axis, reverse });
export const cumprod = (x: ArrayLike, axis = 0, reverse = false): JaxArray => bind1(r.cumprod_p, [asArray(x)], { axis, reverse });

/** General tensor contraction: `dimensionNumbers = [[lhsContract, rhsContract], [lhsBatch, rhsBatch]]`. */
export function dotGeneral(
  lhs: ArrayLike,
  rhs: ArrayLike,
  dimensionNumbers: [[number[], number[]], [number[], number[]]],
  opts: { preferredElementType?: DType | null } = {},
): JaxArray {
  const [[lc, rc], [lb, rb]] = dimensionNumbers;
  const dt = dtypeOf(lhs, rhs);
  return bind1(r.dot_general_p, [asArray(lhs, dt), asArray(rhs, dt)], {
    dimension_numbers: r.dotDimensionNumbers(lc, rc, lb, rb),
    out_sharding: null,
    precision: null,
    preferred_element_type: opts.preferredElementType ?? null,
  });
}

/** Matrix/vector product of 1-D or 2-D operands. */
export const dot = (lhs: ArrayLike, rhs: ArrayLike, opts: { preferredElementType?: DType | null } = {}): JaxArray => {
  const a = asArray(lhs);
  return dotGeneral(lhs, rhs, [[[a.ndim - 1], [0]], [[], []]], opts);
};

export function canonicalizeAxis(axis: number, ndim: number, where = "axis"): number {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim)
    throw new ValueError(`${where}: axis ${axis} is out of bounds for array of dimension ${ndim}`);
  return axis < 0 ? axis + ndim : axis;
}
