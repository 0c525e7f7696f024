// Applying functions over axes: apply_along_axis (nested vmaps, as JAX builds it) and
// apply_over_axes.
import type { Array as JaxArray } from "../array/base.js";
import * as lax from "../lax/lax.js";
import type { ArrayLike } from "../lax/lax.js";
import { vmap } from "../tracer/vmap.js";
import { promoteDtypes } from "./promote.js";

/** `fn` applied to every 1-d slice along `axis`; its outputs take that axis's place. */
export function applyAlongAxis(fn: (x: JaxArray, ...args: unknown[]) => JaxArray, axis: number, x: ArrayLike, ...args: unknown[]): JaxArray {
  const a = promoteDtypes(x)[0];
  const ax = lax.canonicalizeAxis(axis, a.ndim, "apply_along_axis");
  let f = (v: JaxArray) => fn(v, ...args);
  for (let i = 1; i < a.ndim - ax; i++) f = vmap(f, { inAxes: i, outAxes: -1 });
  for (let i = 0; i < ax; i++) f = vmap(f, { inAxes: 0, outAxes: 0 });
  return f(a);
}

/** `fn(x, axis)` for each axis in turn, keeping the rank (a reduced axis comes back with size 1). */
export function applyOverAxes(fn: (x: JaxArray, axis: number) => JaxArray, x: ArrayLike, axes: readonly number[]): JaxArray {
  let a = promoteDtypes(x)[0];
  for (const axis of axes) {
    const b = fn(a, axis);
    if (b.ndim === a.ndim) a = b;
    else if (b.ndim === a.ndim - 1) a = lax.expandDims(b, [lax.canonicalizeAxis(axis, a.ndim, "apply_over_axes")]);
    else throw new RangeError("function is not returning an array of the correct shape");
  }
  return a;
}
