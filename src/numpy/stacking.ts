// Joining, splitting and re-axing arrays as jax/_src/numpy/lax_numpy.py does: atleast_nd,
// h/v/d/column stacks, array_split and friends (one `split` equation), unstack, moveaxis,
// permute_dims, matrix_transpose, fliplr/flipud/rot90, broadcast_arrays/broadcast_shapes.
import type { Array as JaxArray } from "../array/base.js";
import * as lax from "../lax/lax.js";
import type { ArrayLike } from "../lax/lax.js";
import { split as laxSplit, unstack_p } from "../lax/structural.js";
import { bind } from "../tracer/core.js";
import { flip } from "./manip.js";
import { broadcastShapes as npBroadcastShapes, broadcastTo, promoteDtypes } from "./promote.js";
import { concatenate, ravel } from "./shape.js";

const arr = (x: ArrayLike): JaxArray => promoteDtypes(x)[0];
const axisOf = (a: JaxArray, axis: number, name: string) => lax.canonicalizeAxis(axis, a.ndim, name);

/** `array(x, ndmin=n)`: leading size-1 axes up to rank n. */
const ndmin = (a: JaxArray, n: number): JaxArray => (a.ndim >= n ? a : lax.expandDims(a, Array.from({ length: n - a.ndim }, (_, i) => i)));

/** x with at least one dimension (a scalar becomes shape [1]). */
export const atleast1d = (x: ArrayLike): JaxArray => ndmin(arr(x), 1);
/** x with at least two dimensions (leading axes added). */
export const atleast2d = (x: ArrayLike): JaxArray => ndmin(arr(x), 2);
/** x with at least three dimensions: [] -> [1, 1, 1], [n] -> [1, n, 1], [m, n] -> [m, n, 1]. */
export function atleast3d(x: ArrayLike): JaxArray {
  const a = arr(x);
  if (a.ndim === 0) return lax.reshape(a, [1, 1, 1]);
  if (a.ndim === 1) return lax.expandDims(a, [0, 2]);
  if (a.ndim === 2) return lax.expandDims(a, [2]);
  return a;
}

/** Stacks along the second axis (the first for 1-d arrays): `hstack([a, b])`. */
export function hstack(xs: ArrayLike[]): JaxArray {
  const arrs = xs.map(atleast1d);
  return concatenate(arrs, arrs[0].ndim === 1 ? 0 : 1);
}
/** Stacks along the first axis, 1-d arrays as rows. */
export const vstack = (xs: ArrayLike[]): JaxArray => concatenate(xs.map(atleast2d), 0);
/** Stacks along the third axis. */
export const dstack = (xs: ArrayLike[]): JaxArray => concatenate(xs.map(atleast3d), 2);
/** Stacks 1-d arrays as columns (2-d arrays as they are). */
export function columnStack(xs: ArrayLike[]): JaxArray {
  return concatenate(
    xs.map((x) => {
      const a = arr(x);
      return a.ndim < 2 ? lax.transpose(atleast2d(a), [1, 0]) : a;
    }),
    1,
  );
}

/** `values` appended to `x` along `axis` (both flattened when axis is null). */
export function append(x: ArrayLike, values: ArrayLike, axis: number | null = null): JaxArray {
  return axis === null ? concatenate([ravel(x), ravel(values)], 0) : concatenate([x, values], axis);
}

function splitSizes(op: string, size: number, sections: number | readonly number[]): number[] {
  if (typeof sections !== "number") {
    const bounds = [0, ...sections.map((s) => Math.min(Math.max(s < 0 ? s + size : s, 0), size)), size];
    return bounds.slice(1).map((b, i) => Math.max(b - bounds[i], 0));
  }
  if (!Number.isInteger(sections) || sections <= 0) throw new RangeError(`${op}: number sections must be larger than 0.`);
  const part = Math.floor(size / sections);
  const r = size % sections;
  if (r !== 0 && op !== "array_split") throw new RangeError(`array split does not result in an equal division: rest is ${r}`);
  return Array.from({ length: sections }, (_, i) => (i < r ? part + 1 : part));
}

function splitAlong(op: string, x: ArrayLike, sections: number | readonly number[], axis: number): JaxArray[] {
  const a = arr(x);
  const ax = axisOf(a, axis, op);
  return laxSplit(a, splitSizes(op, a.shape[ax], sections), ax);
}

/** Splits into `sections` parts (the first ones one longer when uneven) or at the given indices. */
export const arraySplit = (x: ArrayLike, sections: number | readonly number[], axis = 0): JaxArray[] => splitAlong("array_split", x, sections, axis);
/** Splits along the second axis (the first for 1-d arrays). */
export const hsplit = (x: ArrayLike, sections: number | readonly number[]): JaxArray[] => splitAlong("hsplit", x, sections, arr(x).ndim === 1 ? 0 : 1);
/** Splits along the first axis. */
export const vsplit = (x: ArrayLike, sections: number | readonly number[]): JaxArray[] => splitAlong("vsplit", x, sections, 0);
/** Splits along the third axis. */
export const dsplit = (x: ArrayLike, sections: number | readonly number[]): JaxArray[] => splitAlong("dsplit", x, sections, 2);

/** The slices along `axis`, as separate arrays (one `unstack` equation). */
export function unstack(x: ArrayLike, axis = 0): JaxArray[] {
  const a = arr(x);
  if (a.ndim === 0) throw new TypeError("Unstack requires arrays with rank > 0, however a scalar array was passed.");
  return bind(unstack_p, [a], { axis: axisOf(a, axis, "unstack") });
}

/** Moves axes `source` to positions `destination`, the others keeping their order. */
export function moveaxis(x: ArrayLike, source: number | readonly number[], destination: number | readonly number[]): JaxArray {
  const a = arr(x);
  const src = (typeof source === "number" ? [source] : [...source]).map((d) => axisOf(a, d, "moveaxis"));
  const dst = (typeof destination === "number" ? [destination] : [...destination]).map((d) => axisOf(a, d, "moveaxis"));
  if (src.length !== dst.length) throw new RangeError(`Inconsistent number of elements: ${src.length} vs ${dst.length}`);
  const perm = a.shape.map((_, i) => i).filter((i) => !src.includes(i));
  for (const [d, s] of dst.map((d, i) => [d, src[i]]).sort((p, q) => p[0] - q[0])) perm.splice(d, 0, s);
  return lax.transpose(a, perm);
}

/** Permutes axes by `axes` (no duplicates). */
export function permuteDims(x: ArrayLike, axes: readonly number[]): JaxArray {
  const a = arr(x);
  const perm = axes.map((d) => axisOf(a, d, "permute_dims"));
  if (new Set(perm).size !== perm.length || perm.length !== a.ndim) throw new RangeError(`permute_dims: axes ${JSON.stringify(axes)} are not a permutation of ${a.ndim} axes`);
  return lax.transpose(a, perm);
}

/** Swaps the last two axes. */
export function matrixTranspose(x: ArrayLike): JaxArray {
  const a = arr(x);
  if (a.ndim < 2) throw new RangeError(`x must be at least two-dimensional for matrix_transpose; got ndim=${a.ndim}`);
  return lax.transpose(a, [...a.shape.slice(0, -2).map((_, i) => i), a.ndim - 1, a.ndim - 2]);
}

/** Reverses the second axis. */
export const fliplr = (x: ArrayLike): JaxArray => flip(x, 1);
/** Reverses the first axis. */
export const flipud = (x: ArrayLike): JaxArray => flip(x, 0);

/** Rotates by 90 degrees `k` times in the plane of `axes` (from the first toward the second). */
export function rot90(x: ArrayLike, k = 1, axes: [number, number] = [0, 1]): JaxArray {
  const a = arr(x);
  if (a.ndim < 2) throw new RangeError(`rot90 requires its first argument to have ndim at least two, but got first argument of shape (${a.shape.join(", ")}), which has ndim ${a.ndim}`);
  const [ax1, ax2] = axes.map((d) => axisOf(a, d, "rot90"));
  if (ax1 === ax2) throw new RangeError("Axes must be different");
  const kk = ((k % 4) + 4) % 4;
  if (kk === 0) return a;
  if (kk === 2) return flip(flip(a, ax1), ax2);
  const perm = a.shape.map((_, i) => i);
  [perm[ax1], perm[ax2]] = [perm[ax2], perm[ax1]];
  return kk === 1 ? lax.transpose(flip(a, ax2), perm) : flip(lax.transpose(a, perm), ax2);
}

/** The common shape the given shapes broadcast to (numpy's rules). */
export const broadcastShapes = (...shapes: (readonly number[])[]): number[] => npBroadcastShapes("broadcast_shapes", ...shapes);

/** Each array broadcast to the common shape (dtypes unchanged). */
export function broadcastArrays(...xs: ArrayLike[]): JaxArray[] {
  const arrs = xs.map(arr);
  const s = broadcastShapes(...arrs.map((a) => a.shape));
  return arrs.map((a) => broadcastTo(a, s));
}
