// jnp shape manipulation and products: reshape, transpose, squeeze, expandDims, concatenate,
// stack, matmul, dot.
import type { Array as JaxArray } from "../array/base.js";
import * as lax from "../lax/lax.js";
import type { ArrayLike } from "../lax/lax.js";
import { pyShape } from "../jaxpr/aval.js";
import { broadcastShapes, broadcastTo, promoteDtypes } from "./promote.js";
import { multiply } from "./math.js";

/** Reshapes; one dimension may be -1. */
export function reshape(x: ArrayLike, shape: number | readonly number[]): JaxArray {
  const a = promoteDtypes(x)[0];
  const s = typeof shape === "number" ? [shape] : [...shape];
  const unknown = s.indexOf(-1);
  if (s.indexOf(-1, unknown + 1) > 0) throw new TypeError(`can only specify one unknown axis size with a \`-1\` value, got ${pyShape(s)}`);
  if (unknown >= 0) {
    const known = s.reduce((n, d, i) => (i === unknown ? n : n * d), 1);
    if (known === 0 || a.size % known !== 0) throw new TypeError(`cannot reshape array of shape ${pyShape(a.shape)} (size ${a.size}) into shape ${pyShape(s)}`);
    s[unknown] = a.size / known;
  }
  const size = s.reduce((n, d) => n * d, 1);
  if (size !== a.size) throw new TypeError(`cannot reshape array of shape ${pyShape(a.shape)} (size ${a.size}) into shape ${pyShape(s)} (size ${size})`);
  return a.shape.join() === s.join() ? a : lax.reshape(a, s);
}

export const ravel = (x: ArrayLike): JaxArray => reshape(x, -1);

/** Permutes axes (reverses them by default). */
export function transpose(x: ArrayLike, axes: readonly number[] | null = null): JaxArray {
  const a = promoteDtypes(x)[0];
  const perm = axes === null ? a.shape.map((_, i) => a.ndim - 1 - i) : axes.map((d) => lax.canonicalizeAxis(d, a.ndim, "transpose"));
  return lax.transpose(a, perm);
}

export function swapaxes(x: ArrayLike, axis1: number, axis2: number): JaxArray {
  const a = promoteDtypes(x)[0];
  const perm = a.shape.map((_, i) => i);
  const [i, j] = [lax.canonicalizeAxis(axis1, a.ndim, "swapaxes"), lax.canonicalizeAxis(axis2, a.ndim, "swapaxes")];
  [perm[i], perm[j]] = [perm[j], perm[i]];
  return lax.transpose(a, perm);
}

/** Removes size-1 axes (all of them, or those named). */
export function squeeze(x: ArrayLike, axis: number | readonly number[] | null = null): JaxArray {
  const a = promoteDtypes(x)[0];
  const axes = axis === null ? a.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : typeof axis === "number" ? [axis] : [...axis];
  return lax.squeeze(a, axes);
}

export function expandDims(x: ArrayLike, axis: number | readonly number[]): JaxArray {
  return lax.expandDims(promoteDtypes(x)[0], typeof axis === "number" ? [axis] : axis);
}

export function concatenate(xs: ArrayLike[], axis = 0): JaxArray {
  if (xs.length === 0) throw new Error("Need at least one array to concatenate.");
  const arrs = promoteDtypes(...xs);
  if (arrs.some((a) => a.ndim === 0)) throw new Error("Zero-dimensional arrays cannot be concatenated.");
  return lax.concatenate(arrs, lax.canonicalizeAxis(axis, arrs[0].ndim, "concatenate"));
}

export function stack(xs: ArrayLike[], axis = 0): JaxArray {
  if (xs.length === 0) throw new Error("Need at least one array to stack.");
  const arrs = promoteDtypes(...xs);
  const shape0 = arrs[0].shape.join();
  if (arrs.some((a) => a.shape.join() !== shape0)) throw new Error("All input arrays must have the same shape.");
  return lax.stack(arrs, lax.canonicalizeAxis(axis, arrs[0].ndim + 1, "stack"));
}

export const broadcastToShape = (x: ArrayLike, shape: readonly number[]): JaxArray => broadcastTo(promoteDtypes(x)[0], shape);

/** Matrix product with numpy's rules for 1-D operands and batch broadcasting. */
export function matmul(x: ArrayLike, y: ArrayLike): JaxArray {
  let [a, b] = promoteDtypes(x, y);
  if (a.ndim === 0 || b.ndim === 0) throw new TypeError(`matmul: inputs must be at least 1-D, got shapes ${pyShape(a.shape)} and ${pyShape(b.shape)}`);
  const aVec = a.ndim === 1;
  const bVec = b.ndim === 1;
  if (a.shape[a.ndim - 1] !== b.shape[bVec ? 0 : b.ndim - 2])
    throw new TypeError(`dot_general requires contracting dimensions to have the same shape, got (${a.shape[a.ndim - 1]},) and (${b.shape[bVec ? 0 : b.ndim - 2]},).`);
  if (a.ndim <= 2 && b.ndim <= 2) return lax.dotGeneral(a, b, [[[a.ndim - 1], [0]], [[], []]], { preferredElementType: a.dtype });
  // Batched: broadcast the batch dims, then one dot_general with batch dimensions.
  if (aVec) a = lax.broadcast(a, [1]);
  if (bVec) b = lax.reshape(b, [b.shape[0], 1]);
  const batch = broadcastShapes("matmul", a.shape.slice(0, -2), b.shape.slice(0, -2));
  a = broadcastTo(a, [...batch, ...a.shape.slice(-2)]);
  b = broadcastTo(b, [...batch, ...b.shape.slice(-2)]);
  const nb = batch.length;
  const bd = batch.map((_, i) => i);
  let out = lax.dotGeneral(a, b, [[[nb + 1], [nb]], [bd, bd]], { preferredElementType: a.dtype });
  if (aVec) out = lax.squeeze(out, [nb]);
  if (bVec) out = lax.squeeze(out, [out.ndim - 1]);
  return out;
}

/** numpy's dot: products of scalars, vectors and matrices. */
export function dot(x: ArrayLike, y: ArrayLike): JaxArray {
  const [a, b] = promoteDtypes(x, y);
  if (a.ndim === 0 || b.ndim === 0) return lax.mul(a, b);
  const contractB = b.ndim === 1 ? 0 : b.ndim - 2;
  return lax.dotGeneral(a, b, [[[a.ndim - 1], [contractB]], [[], []]], { preferredElementType: a.dtype });
}

export const vdot = (x: ArrayLike, y: ArrayLike): JaxArray => dot(ravel(x), ravel(y));
export const outer = (x: ArrayLike, y: ArrayLike): JaxArray => multiply(reshape(x, [-1, 1]), ravel(y));
