// Collectives over named axes (JAX's lax/parallel.py): psum, pmax, pmin, all_gather and
// axis_index, with pmean on top. A named axis comes from vmap(axisName) or pmap; tfjax runs
// pmap's devices as one vectorized program, so every collective is resolved by the batching
// rule of the axis it names.
import type { Array as JaxArray } from "../array/base.js";
import { scalar } from "../array/array.js";
import { ShapedArray } from "../jaxpr/aval.js";
import type { AxisData, Params, Primitive } from "../jaxpr/jaxpr.js";
import * as tree from "../tree.js";
import { bind, bind1 } from "../tracer/core.js";
import { defZeroJvp, deflinear, prim } from "../tracer/ad_util.js";
import { axisEnv, broadcastAxis, collectives, moveaxis } from "../tracer/batching.js";
import { definePrimitive } from "./primitive.js";

type Name = string;
interface ReduceParams extends Params {
  axes: Name[];
  axis_index_groups: null;
}

class NameError extends Error {
  name = "NameError";
}

function checkBound(names: Name[]): void {
  for (const n of names) if (!axisEnv.some((a) => a.name === n)) throw new NameError(`unbound axis name: ${n}`);
}

const noImpl = (name: string) => (): never => {
  throw new NameError(`${name}: collective used outside of pmap/vmap with an axis name`);
};

/** A reduction over the named axes: on the axis being batched it reduces the batch dim. */
function reducer(name: string, reduceBatch: (x: JaxArray, bdim: number) => JaxArray, unbatched: (x: JaxArray, size: number) => JaxArray): Primitive<ReduceParams> {
  const p: Primitive<ReduceParams> = definePrimitive<ReduceParams>({
    name,
    abstractEval: ([x]) => [x],
    impl: noImpl(name),
    batch([x], [d], params, axis: AxisData) {
      if (axis.name === null || !params.axes.includes(axis.name)) return [bind(p, [x], params), [d]];
      const rest = params.axes.filter((a) => a !== axis.name);
      let y = d === null ? unbatched(x, axis.size) : reduceBatch(x, d);
      if (rest.length) y = bind1(p, [y], { ...params, axes: rest });
      return [[y], [null]];
    },
  });
  collectives.add(name);
  return p;
}

export const psum_p = reducer(
  "psum",
  (x, d) => bind1(prim("reduce_sum"), [x], { axes: [d], out_sharding: null }),
  (x, n) => bind1(prim("mul"), [x, scalar(n, x.dtype, false)]),
);
// The cotangent of a sum over devices is the sum of the cotangents (JAX's psum transpose).
deflinear(psum_p, (ct, params) => [bind1(psum_p, [ct], params)]);

export const pmax_p = reducer("pmax", (x, d) => bind1(prim("reduce_max"), [x], { axes: [d], out_sharding: null }), (x) => x);
export const pmin_p = reducer("pmin", (x, d) => bind1(prim("reduce_min"), [x], { axes: [d], out_sharding: null }), (x) => x);

interface AllGatherParams extends Params {
  all_gather_dimension: number;
  axis_name: Name;
  axis_index_groups: null;
  axis_size: number;
  tiled: boolean;
}

export const all_gather_p: Primitive<AllGatherParams> = definePrimitive<AllGatherParams>({
  name: "all_gather",
  abstractEval([x], p) {
    const shape = [...x.shape];
    if (p.tiled) shape[p.all_gather_dimension] *= p.axis_size;
    else shape.splice(p.all_gather_dimension, 0, p.axis_size);
    return [x.update({ shape })];
  },
  impl: noImpl("all_gather"),
  batch([x], [d], p, axis) {
    if (axis.name !== p.axis_name) return [bind(all_gather_p, [x], p), [d === null ? null : d >= p.all_gather_dimension && !p.tiled ? d + 1 : d]];
    // Every device's value, stacked along all_gather_dimension: the batch axis moved there.
    let y = d === null ? broadcastAxis(x, axis.size, p.all_gather_dimension) : moveaxis(x, d, p.all_gather_dimension);
    if (p.tiled) {
      const shape = [...x.shape];
      if (d !== null) shape.splice(d, 1);
      shape[p.all_gather_dimension] *= axis.size;
      y = bind1(prim("reshape"), [y], { new_sizes: shape, dimensions: null, sharding: null });
    }
    return [[y], [null]];
  },
});
collectives.add("all_gather");
// Gathering is linear; its transpose sums the cotangents over devices and keeps this device's block.
deflinear(all_gather_p, (ct, p) => {
  const summed = bind1(psum_p, [ct], { axes: [p.axis_name], axis_index_groups: null });
  const idx = bind1(axis_index_p, [], { axis_name: p.axis_name });
  const dim = p.all_gather_dimension;
  const block = p.tiled ? summed.shape[dim] / p.axis_size : 1;
  const start = p.tiled ? bind1(prim("mul"), [idx, scalar(block, "int32", false)]) : idx;
  const zero = scalar(0, "int32", false);
  const starts = summed.shape.map((_, i) => (i === dim ? start : zero));
  const sizes = summed.shape.map((s, i) => (i === dim ? block : s));
  let y = bind1(prim("dynamic_slice"), [summed, ...starts], { slice_sizes: sizes });
  if (!p.tiled) y = bind1(prim("squeeze"), [y], { dimensions: [dim] });
  return [y];
});

export const axis_index_p: Primitive<{ axis_name: Name }> = definePrimitive<{ axis_name: Name }>({
  name: "axis_index",
  abstractEval: () => [new ShapedArray([], "int32", false)],
  impl: noImpl("axis_index"),
  batch(_args, _dims, p, axis) {
    if (axis.name !== p.axis_name) return [bind(axis_index_p, [], p), [null]];
    return [[bind1(prim("iota"), [], { dimension: 0, dtype: "int32", shape: [axis.size], sharding: null })], [0]];
  },
});
collectives.add("axis_index");
defZeroJvp(axis_index_p);

// ---- the public API (pytrees of arrays) ---------------------------------------------------------

const names = (axisName: Name | Name[]): Name[] => (Array.isArray(axisName) ? axisName : [axisName]);
const mapLeaves = (x: unknown, f: (l: JaxArray) => JaxArray): any => tree.map((l: JaxArray) => f(l), x);

/** Sum over the named axis: every device gets the total. `lax.psum(x, "i")`. */
export function psum<T>(x: T, axisName: Name | Name[]): T {
  const axes = names(axisName);
  checkBound(axes);
  return mapLeaves(x, (l) => bind1(psum_p, [l], { axes, axis_index_groups: null }));
}

/** Mean over the named axis. */
export function pmean<T>(x: T, axisName: Name | Name[]): T {
  const axes = names(axisName);
  checkBound(axes);
  const n = axes.reduce((k, a) => k * axisEnv.find((e) => e.name === a)!.size, 1);
  return mapLeaves(psum(x, axes), (l) => bind1(prim("div"), [l, scalar(n, l.dtype, true)]));
}

export function pmax<T>(x: T, axisName: Name | Name[]): T {
  const axes = names(axisName);
  checkBound(axes);
  return mapLeaves(x, (l) => bind1(pmax_p, [l], { axes, axis_index_groups: null }));
}

export function pmin<T>(x: T, axisName: Name | Name[]): T {
  const axes = names(axisName);
  checkBound(axes);
  return mapLeaves(x, (l) => bind1(pmin_p, [l], { axes, axis_index_groups: null }));
}

/** Every device's value, stacked (or concatenated with `tiled`) along `axis`. */
export function allGather<T>(x: T, axisName: Name, opts: { axis?: number; tiled?: boolean } = {}): T {
  checkBound([axisName]);
  const size = axisEnv.find((e) => e.name === axisName)!.size;
  return mapLeaves(x, (l) => {
    const axis = opts.axis ?? 0;
    const dim = axis < 0 ? axis + l.ndim + (opts.tiled ? 0 : 1) : axis;
    return bind1(all_gather_p, [l], { all_gather_dimension: dim, axis_name: axisName, axis_index_groups: null, axis_size: size, tiled: !!opts.tiled });
  });
}

/** This device's index along the named axis. */
export function axisIndex(axisName: Name): JaxArray {
  checkBound([axisName]);
  return bind1(axis_index_p, [], { axis_name: axisName });
}

