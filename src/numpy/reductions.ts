// jnp reductions: sum, mean, max, min, prod, argmax, argmin, cumsum, with axis and keepdims.
import type { Array as JaxArray } from "../array/base.js";
import { type DType, isFloat } from "../dtypes.js";
import * as lax from "../lax/lax.js";
import { jit } from "../tracer/jit.js";
import type { ArrayLike } from "../lax/lax.js";
import { convertTo, promoteDtypes } from "./promote.js";
import { ValueError } from "../errors.js";

export type Axis = number | readonly number[] | null;
export interface ReduceOpts {
  keepdims?: boolean;
  dtype?: DType;
}

function axesOf(axis: Axis, ndim: number, name: string): number[] {
  if (axis === null || axis === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const xs = typeof axis === "number" ? [axis] : [...axis];
  const out = xs.map((a) => lax.canonicalizeAxis(a, ndim, name));
  if (new Set(out).size !== out.length) throw new Error(`${name}: repeated axis in ${JSON.stringify(axis)}`);
  return out.sort((a, b) => a - b);
}

function keepDims(x: JaxArray, axes: number[], keepdims: boolean | undefined): JaxArray {
  return keepdims ? lax.expandDims(x, axes) : x;
}

/** sum and prod compute bool and small ints in int32, as jnp does. */
const accumDtype = (d: DType): DType => (d === "bool" || d === "uint8" || d === "uint16" || d === "int8" || d === "int16" ? "int32" : d);

function reducer(name: string, op: (x: JaxArray, axes: number[]) => JaxArray, upcast: boolean) {
  return (x: ArrayLike, axis: Axis = null, opts: ReduceOpts = {}): JaxArray => {
    let a = promoteDtypes(x)[0];
    const axes = axesOf(axis, a.ndim, name);
    const dt = opts.dtype ?? (upcast ? accumDtype(a.dtype) : a.dtype);
    if (dt !== a.dtype) a = convertTo(a, dt, false);
    return keepDims(op(a, axes), axes, opts.keepdims);
  };
}

export const sum = reducer("sum", lax.reduceSum, true);
export const prod = reducer("prod", lax.reduceProd, true);
export const max = reducer("max", (x, axes) => checkedNonEmpty("max", x, axes, lax.reduceMax), false);
export const min = reducer("min", (x, axes) => checkedNonEmpty("min", x, axes, lax.reduceMin), false);
export const all = reducer("all", (x, axes) => lax.reduceAnd(convertTo(x, "bool", false), axes), false);
export const any = reducer("any", (x, axes) => lax.reduceOr(convertTo(x, "bool", false), axes), false);

function checkedNonEmpty(name: string, x: JaxArray, axes: number[], op: (x: JaxArray, axes: number[]) => JaxArray): JaxArray {
  if (axes.some((a) => x.shape[a] === 0))
    throw new ValueError(`zero-size array to reduction operation ${name} which has no identity`);
  return op(x, axes);
}

/** Arithmetic mean; integer inputs average in float32. */
export function mean(x: ArrayLike, axis: Axis = null, opts: ReduceOpts = {}): JaxArray {
  let a = promoteDtypes(x)[0];
  const axes = axesOf(axis, a.ndim, "mean");
  const dt = opts.dtype ?? (isFloat(a.dtype) ? a.dtype : "float32");
  if (a.dtype !== dt) a = convertTo(a, dt, false);
  const n = axes.reduce((k, i) => k * a.shape[i], 1);
  const s = lax.reduceSum(a, axes);
  return keepDims(lax.div(s, n), axes, opts.keepdims);
}

function argReducer(name: string, op: (x: JaxArray, axis: number) => JaxArray) {
  return (x: ArrayLike, axis: number | null = null, opts: { keepdims?: boolean } = {}): JaxArray => {
    let a = promoteDtypes(x)[0];
    if (axis === null) {
      if (a.size === 0) throw new ValueError(`attempt to get ${name} of an empty sequence`);
      a = lax.reshape(a, [a.size]);
      const out = op(a, 0);
      return opts.keepdims ? lax.reshape(out, new Array(promoteDtypes(x)[0].ndim).fill(1)) : out;
    }
    const ax = lax.canonicalizeAxis(axis, a.ndim, name);
    if (a.shape[ax] === 0) throw new ValueError(`attempt to get ${name} of an empty sequence`);
    return keepDims(op(a, ax), [ax], opts.keepdims);
  };
}
export const argmax = argReducer("argmax", (x, ax) => lax.argmax(x, ax));
export const argmin = argReducer("argmin", (x, ax) => lax.argmin(x, ax));

const cumsumJit = jit(
  function cumsum(x: JaxArray, axis: number | null, dtype: DType | null) {
    let a = x;
    if (axis === null) {
      a = lax.reshape(a, [a.size]);
      axis = 0;
    }
    const dt = dtype ?? accumDtype(a.dtype);
    if (dt !== a.dtype) a = convertTo(a, dt, false);
    return lax.cumsum(a, lax.canonicalizeAxis(axis, a.ndim, "cumsum"));
  },
  { staticArgnums: [1, 2] },
);

/** Cumulative sum along `axis` (flattened when null). */
export function cumsum(x: ArrayLike, axis: number | null = null, opts: { dtype?: DType } = {}): JaxArray {
  return cumsumJit(promoteDtypes(x)[0], axis, opts.dtype ?? null);
}
