// Products beyond matmul/dot: tensordot, inner, cross, and the array API's matvec, vecmat and
// vecdot (batched over leading axes, as jnp.vectorize maps matmul in JAX).
import type { Array as JaxArray } from "../array/base.js";
import * as lax from "../lax/lax.js";
import type { ArrayLike } from "../lax/lax.js";
import { pyShape } from "../jaxpr/aval.js";
import { multiply, subtract } from "./math.js";
import { promoteDtypes } from "./promote.js";
import { matmul, stack } from "./shape.js";
import { moveaxis } from "./stacking.js";

/**
 * Contracts the last `axes` axes of a with the first of b, or the axes listed:
 * `tensordot(a, b, [[1], [0]])` is a matrix product.
 */
export function tensordot(x: ArrayLike, y: ArrayLike, axes: number | [number, number] | [readonly number[], readonly number[]] = 2): JaxArray {
  const [a, b] = promoteDtypes(x, y);
  let ca: number[];
  let cb: number[];
  if (typeof axes === "number") {
    if (axes > Math.min(a.ndim, b.ndim)) throw new TypeError(`Number of tensordot axes (axes ${axes}) exceeds input ranks (${pyShape(a.shape)} and ${pyShape(b.shape)})`);
    ca = Array.from({ length: axes }, (_, i) => a.ndim - axes + i);
    cb = Array.from({ length: axes }, (_, i) => i);
  } else if (Array.isArray(axes) && axes.length === 2) {
    const [p, q] = axes;
    if (typeof p === "number" && typeof q === "number") [ca, cb] = [[p], [q]];
    else if (Array.isArray(p) && Array.isArray(q)) {
      if (p.length !== q.length) throw new TypeError(`tensordot requires axes lists to have equal length, got ${JSON.stringify(p)} and ${JSON.stringify(q)}.`);
      [ca, cb] = [[...p], [...q]];
    } else throw new TypeError("tensordot requires both axes lists to be either ints, tuples or lists");
    ca = ca.map((d) => lax.canonicalizeAxis(d, a.ndim, "tensordot"));
    cb = cb.map((d) => lax.canonicalizeAxis(d, b.ndim, "tensordot"));
  } else throw new TypeError("tensordot axes argument must be an int, a pair of ints, or a pair of lists/tuples of ints.");
  return lax.dotGeneral(a, b, [[ca, cb], [[], []]], { preferredElementType: a.dtype });
}

/** Sum of products over the last axes of a and b (a product when either is a scalar). */
export function inner(x: ArrayLike, y: ArrayLike): JaxArray {
  const [a, b] = promoteDtypes(x, y);
  if (a.ndim === 0 || b.ndim === 0) return multiply(a, b);
  return tensordot(a, b, [-1, -1]);
}

const component = (a: JaxArray, i: number) => lax.squeeze(lax.slice(a, a.shape.map((_, d) => (d === a.ndim - 1 ? i : 0)), a.shape.map((s, d) => (d === a.ndim - 1 ? i + 1 : s))), [a.ndim - 1]);

/** The cross product of 3-vectors (2-vectors have a zero third component) along the given axes. */
export function cross(x: ArrayLike, y: ArrayLike, opts: { axisa?: number; axisb?: number; axisc?: number; axis?: number | null } = {}): JaxArray {
  const axis = opts.axis ?? null;
  const [axisa, axisb, axisc] = axis === null ? [opts.axisa ?? -1, opts.axisb ?? -1, opts.axisc ?? -1] : [axis, axis, axis];
  const [a0, b0] = promoteDtypes(x, y);
  const a = moveaxis(a0, axisa, -1);
  const b = moveaxis(b0, axisb, -1);
  const [na, nb] = [a.shape[a.ndim - 1], b.shape[b.ndim - 1]];
  if (![2, 3].includes(na) || ![2, 3].includes(nb)) throw new RangeError("Dimension must be either 2 or 3 for cross product");
  if (na === 2 && nb === 2) return subtract(multiply(component(a, 0), component(b, 1)), multiply(component(a, 1), component(b, 0)));
  const [a1, a2, a3] = [0, 1, 2].map((i) => (i < na ? component(a, i) : null));
  const [b1, b2, b3] = [0, 1, 2].map((i) => (i < nb ? component(b, i) : null));
  const zeroA = lax.mul(a1!, 0);
  const zeroB = lax.mul(b1!, 0);
  const [A3, B3] = [a3 ?? zeroA, b3 ?? zeroB];
  const c = stack([subtract(multiply(a2!, B3), multiply(A3, b2!)), subtract(multiply(A3, b1!), multiply(a1!, B3)), subtract(multiply(a1!, b2!), multiply(a2!, b1!))]);
  return moveaxis(c, 0, axisc);
}

/** Matrix-vector products over broadcast leading axes: `(..., n, m) x (..., m) -> (..., n)`. */
export function matvec(x1: ArrayLike, x2: ArrayLike): JaxArray {
  const [a, b] = promoteDtypes(x1, x2);
  if (a.ndim < 2 || b.ndim < 1) throw new RangeError(`matvec: expected shapes (..., n, m) and (..., m), got ${pyShape(a.shape)} and ${pyShape(b.shape)}`);
  const out = matmul(a, lax.expandDims(b, [b.ndim]));
  return lax.squeeze(out, [out.ndim - 1]);
}

/** Vector-matrix products over broadcast leading axes: `(..., n) x (..., n, m) -> (..., m)`. */
export function vecmat(x1: ArrayLike, x2: ArrayLike): JaxArray {
  const [a, b] = promoteDtypes(x1, x2);
  if (a.ndim < 1 || b.ndim < 2) throw new RangeError(`vecmat: expected shapes (..., n) and (..., n, m), got ${pyShape(a.shape)} and ${pyShape(b.shape)}`);
  const out = matmul(lax.expandDims(a, [a.ndim - 1]), b);
  return lax.squeeze(out, [out.ndim - 2]);
}

/** Dot products of vectors along `axis`, over broadcast leading axes. */
export function vecdot(x1: ArrayLike, x2: ArrayLike, axis = -1): JaxArray {
  const [a0, b0] = promoteDtypes(x1, x2);
  const ia = lax.canonicalizeAxis(axis, a0.ndim, "vecdot");
  const ib = lax.canonicalizeAxis(axis, b0.ndim, "vecdot");
  if (a0.shape[ia] !== b0.shape[ib]) throw new RangeError(`axes must match; got shapes ${pyShape(a0.shape)} and ${pyShape(b0.shape)} with axis=${axis}`);
  const a = moveaxis(a0, ia, -1);
  const b = moveaxis(b0, ib, -1);
  const out = matmul(lax.expandDims(a, [a.ndim - 1]), lax.expandDims(b, [b.ndim]));
  return lax.squeeze(out, [out.ndim - 2, out.ndim - 1]);
}
