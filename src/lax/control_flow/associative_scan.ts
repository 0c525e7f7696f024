// lax.associative_scan: an inclusive scan with an associative operator in O(log n) parallel
// steps (Blelloch's), built from strided slices, concatenate and interior padding, as JAX builds
// it (jax/_src/lax/control_flow/loops.py): no loop primitive, so every transformation applies.
import type { Array as JaxArray } from "../../array/base.js";
import { pyShape } from "../../jaxpr/aval.js";
import * as tree from "../../tree.js";
import { leafValue } from "../../tracer/jit.js";
import { add, bitwiseOr, canonicalizeAxis, concatenate, pad, slice } from "../lax.js";
import { rev } from "../structural.js";

/** lax.slice_in_dim: `[start, limit)` with `stride` along `axis`, negative bounds from the end. */
function sliceInDim(x: JaxArray, start: number, limit: number | null, stride = 1, axis = 0): JaxArray {
  const n = x.shape[axis];
  const lo = start < 0 ? start + n : start;
  const hi = limit === null ? n : limit < 0 ? limit + n : limit;
  const starts = x.shape.map((_, i) => (i === axis ? lo : 0));
  const limits = x.shape.map((d, i) => (i === axis ? hi : d));
  return slice(x, starts, limits, stride === 1 ? null : x.shape.map((_, i) => (i === axis ? stride : 1)));
}

/** `a` and `b` interleaved along `axis` (`a` first; `a` is as long as `b` or one longer). */
function interleave(a: JaxArray, b: JaxArray, axis: number): JaxArray {
  const same = a.shape[axis] === b.shape[axis];
  const aPad = a.shape.map((): [number, number, number] => [0, 0, 0]);
  const bPad = b.shape.map((): [number, number, number] => [0, 0, 0]);
  aPad[axis] = [0, same ? 1 : 0, 1];
  bPad[axis] = [1, same ? 0 : 1, 1];
  const op = a.dtype === "bool" ? bitwiseOr : add;
  const zero = a.dtype === "bool" ? false : 0;
  return op(pad(a, zero, aPad), pad(b, zero, bPad));
}

/**
 * Scans `elems` (a pytree of arrays sharing the `axis` length) with an associative `fn(a, b)`
 * that works elementwise along `axis`: element k of the result combines elements 0..k.
 * `lax.associativeScan(jnp.add, jnp.arange(4))` is `[0, 1, 3, 6]`.
 */
export function associativeScan<T>(fn: (a: T, b: T) => T, elems: T, opts: { reverse?: boolean; axis?: number } = {}): T {
  if (typeof fn !== "function") throw new TypeError("lax.associative_scan: fn argument should be callable.");
  const [leaves, def] = tree.flatten(elems);
  let flat = leaves.map(leafValue);
  const axis = canonicalizeAxis(opts.axis ?? 0, flat[0].ndim);
  if (opts.reverse) flat = flat.map((e) => rev(e, [axis]));
  const combine = (a: JaxArray[], b: JaxArray[]): JaxArray[] =>
    tree.flatten(fn(tree.unflatten(def, a) as T, tree.unflatten(def, b) as T))[0].map(leafValue);

  const n = flat[0].shape[axis];
  if (!flat.every((e) => e.shape[axis] === n))
    throw Object.assign(new Error(`Array inputs to associative_scan must have the same first dimension. (saw: [${flat.map((e) => pyShape(e.shape)).join(", ")}])`), {
      name: "ValueError",
    });

  // Odd results are the scan of adjacent pairs (by recursion); even results add the next
  // element to an odd result; the two are then interleaved.
  const go = (elems: JaxArray[]): JaxArray[] => {
    const m = elems[0].shape[axis];
    if (m < 2) return elems;
    const reduced = combine(
      elems.map((e) => sliceInDim(e, 0, -1, 2, axis)),
      elems.map((e) => sliceInDim(e, 1, null, 2, axis)),
    );
    const odd = go(reduced);
    const even =
      m % 2 === 0
        ? combine(
            odd.map((e) => sliceInDim(e, 0, -1, 1, axis)),
            elems.map((e) => sliceInDim(e, 2, null, 2, axis)),
          )
        : combine(
            odd,
            elems.map((e) => sliceInDim(e, 2, null, 2, axis)),
          );
    const evenFull = elems.map((e, i) => concatenate([sliceInDim(e, 0, 1, 1, axis), even[i]], axis));
    return evenFull.map((e, i) => interleave(e, odd[i], axis));
  };
  let scans = go(flat);
  if (opts.reverse) scans = scans.map((s) => rev(s, [axis]));
  return tree.unflatten(def, scans) as T;
}
