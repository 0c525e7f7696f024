// Vectorization (vmap): a trace whose tracers carry a value and the position of the batch
// axis in it (JAX's BatchTrace). Each primitive's batching rule says how to run it on batched
// values; the helpers here are the shared rules and axis moves (JAX's batching.py).
import type { Array as JaxArray } from "../array/base.js";
import type { ShapedArray } from "../jaxpr/aval.js";
import type { AxisData, BatchDim, Params, Primitive } from "../jaxpr/jaxpr.js";
import { Trace, Tracer, bind, withTrace } from "./core.js";
import { prim } from "./ad_util.js";
import { npInts } from "../jaxpr/npint.js";

export type { AxisData, BatchDim };

export class BatchTracer extends Tracer {
  constructor(
    readonly trace: BatchTrace,
    readonly val: JaxArray,
    readonly bdim: number,
  ) {
    super();
  }
  get aval(): ShapedArray {
    const a = this.val.aval;
    return a.update({ shape: a.shape.filter((_, i) => i !== this.bdim) });
  }
}

/** Primitives that name axes (psum, axis_index, ...): they must see their vmap axis even unbatched. */
export const collectives = new Set<string>();
export const axisNamesOf = (params: Params): unknown[] => {
  const a = params.axes ?? params.axis_name;
  return Array.isArray(a) ? a : [a];
};

export class BatchTrace extends Trace {
  constructor(
    parent: Trace,
    description: string,
    readonly axis: AxisData,
  ) {
    super(parent, description);
  }

  unpack(x: JaxArray): [JaxArray, BatchDim] {
    return x instanceof BatchTracer && x.trace === this ? [x.val, x.bdim] : [x, null];
  }

  pack(val: JaxArray, bdim: BatchDim): JaxArray {
    return bdim === null ? val : new BatchTracer(this, val, bdim);
  }

  processPrimitive(p: Primitive, args: JaxArray[], params: Params): JaxArray[] {
    const vals: JaxArray[] = [];
    const dims: BatchDim[] = [];
    for (const a of args) {
      const [v, d] = this.unpack(a);
      vals.push(v);
      dims.push(d);
    }
    const parent = this.parent!;
    const named = collectives.has(p.name) && this.axis.name !== null && axisNamesOf(params).includes(this.axis.name);
    if (!named && dims.every((d) => d === null)) return withTrace(parent, () => bind(p, vals, params));
    if (!p.batch) throw new Error(`Batching rule for '${p.name}' not implemented`);
    const [outs, odims] = withTrace(parent, () => p.batch!(vals, dims, params, this.axis));
    return outs.map((o, i) => this.pack(o, odims[i]));
  }
}

/**
 * Axis names in scope, innermost last: vmap with an axisName and pmap bind them while they
 * trace, so collectives can check their names (JAX's axis env).
 */
export const axisEnv: AxisData[] = [];

export function withAxis<T>(axis: AxisData, fn: () => T): T {
  if (axis.name === null) return fn();
  axisEnv.push(axis);
  try {
    return fn();
  } finally {
    axisEnv.pop();
  }
}

// ---- axis moves -------------------------------------------------------------------------------

/** Moves axis `src` of `x` to position `dst` with one transpose (JAX's util.moveaxis). */
export function moveaxis(x: JaxArray, src: number, dst: number): JaxArray {
  const n = x.ndim;
  src = src < 0 ? src + n : src;
  dst = dst < 0 ? dst + n : dst;
  if (src === dst) return x;
  const perm = [...Array(n).keys()].filter((i) => i !== src);
  perm.splice(dst, 0, src);
  return bind(prim("transpose"), [x], { permutation: perm })[0];
}

/** Inserts an axis of size `size` at `axis` by broadcasting (JAX's batching.broadcast). */
export function broadcastAxis(x: JaxArray, size: number, axis: number): JaxArray {
  const shape = [...x.shape];
  shape.splice(axis, 0, size);
  // np.delete(np.arange(ndim), axis): numpy ints, printed as np.int64(i).
  const dims = npInts([...Array(shape.length).keys()].filter((i) => i !== axis));
  return bind(prim("broadcast_in_dim"), [x], { shape, broadcast_dimensions: dims, sharding: null })[0];
}

/** The batch axis moved to the front, broadcasting unbatched values to `size`. */
export const bdimAtFront = (x: JaxArray, bdim: BatchDim, size: number): JaxArray =>
  bdim === null ? broadcastAxis(x, size, 0) : moveaxis(x, bdim, 0);

/** Moves a batched value from `src` to `dst` (JAX's matchaxis); unbatched values are broadcast. */
export function matchaxis(axis: AxisData, src: BatchDim, dst: BatchDim, x: JaxArray): JaxArray {
  if (src === dst) return x;
  if (src !== null && dst !== null) return moveaxis(x, src, dst);
  if (src === null && dst !== null) return broadcastAxis(x, axis.size, dst < 0 ? dst + x.ndim + 1 : dst);
  throw new Error(`vmap has mapped output${axis.name !== null ? ` (axis_name=${axis.name})` : ""} but out_axes is None`);
}

/** lax.expand_dims: size-1 axes at `dims` of the result, as a broadcast_in_dim. */
function expandDims(x: JaxArray, dims: number[]): JaxArray {
  const nOut = x.ndim + dims.length;
  const set = new Set(dims);
  const shape: number[] = [];
  let k = 0;
  for (let i = 0; i < nOut; i++) shape.push(set.has(i) ? 1 : x.shape[k++]);
  const bd = [...Array(nOut).keys()].filter((i) => !set.has(i));
  return bind(prim("broadcast_in_dim"), [x], { shape, broadcast_dimensions: bd, sharding: null })[0];
}

// ---- shared rules -----------------------------------------------------------------------------

/**
 * n-ary elementwise primitives (JAX's broadcast_batcher): when every batched operand has the
 * same shape and batch axis, apply as is; otherwise move batch axes to the front, give
 * unbatched operands a size-1 axis there, and let the primitive's size-1 broadcasting work.
 */
export function broadcastBatcher(p: Primitive): NonNullable<Primitive["batch"]> {
  return (args, dims, params) => {
    const first = dims.findIndex((d) => d !== null);
    const shape = args[first].shape;
    const dim = dims[first];
    const agree = args.every((x, i) => x.ndim === 0 || (dims[i] === dim && x.shape.length === shape.length && x.shape.every((s, j) => s === shape[j])));
    if (agree) {
      const outs = bind(p, args, params);
      return [outs, outs.map(() => dim)];
    }
    let xs = args.map((x, i) => (x.ndim ? bdimAtFront(x, dims[i], 1) : x));
    const nd = Math.max(...xs.map((x) => x.ndim));
    xs = xs.map((x, i) => (dims[i] === null || x.ndim === nd ? x : expandDims(x, [...Array(nd - x.ndim).keys()].map((k) => x.ndim + k))));
    const outs = bind(p, xs, params);
    return [outs, outs.map(() => 0)];
  };
}

/** Unary elementwise primitives: apply as is, the batch axis stays where it is. */
export function defvectorized(p: Primitive): void {
  p.batch = (args, dims, params) => {
    const outs = bind(p, args, params);
    return [outs, outs.map(() => dims[0])];
  };
}

export function defbroadcasting(p: Primitive): void {
  p.batch = broadcastBatcher(p);
}

// ---- vmap of a flat function ------------------------------------------------------------------

/**
 * Runs `f` with inputs batched along `inDims` (null = unmapped) and returns its outputs with
 * their batch axes moved to `outDims` (null outDims entries must be unbatched).
 */
export function vmapFlat(
  f: (...xs: JaxArray[]) => JaxArray[],
  args: JaxArray[],
  inDims: BatchDim[],
  outDims: (n: number) => BatchDim[],
  axis: AxisData,
  description: string,
  current: Trace,
): JaxArray[] {
  const trace = new BatchTrace(current, description, axis);
  try {
    const ins = args.map((x, i) => trace.pack(x, inDims[i] === null ? null : inDims[i]! < 0 ? inDims[i]! + x.ndim : inDims[i]));
    const outs = withAxis(axis, () => withTrace(trace, () => f(...ins)));
    const od = outDims(outs.length);
    return outs.map((o, i) => {
      const [v, d] = trace.unpack(o);
      return matchaxis(axis, d, od[i], v);
    });
  } finally {
    trace.alive = false;
  }
}

/** vmap of a flat function returning each output's batch axis as it comes (no moves). */
export function batchFlat(f: (...xs: JaxArray[]) => JaxArray[], args: JaxArray[], inDims: BatchDim[], axis: AxisData, description: string, current: Trace): [JaxArray[], BatchDim[]] {
  const trace = new BatchTrace(current, description, axis);
  try {
    const ins = args.map((x, i) => trace.pack(x, inDims[i]));
    const outs = withAxis(axis, () => withTrace(trace, () => f(...ins)));
    const vals: JaxArray[] = [];
    const dims: BatchDim[] = [];
    for (const o of outs) {
      const [v, d] = trace.unpack(o);
      vals.push(v);
      dims.push(d);
    }
    return [vals, dims];
  } finally {
    trace.alive = false;
  }
}

// add_any (defined with the AD vocabulary) batches by aligning its operands' batch axes
// (JAX's add_batched).
import { add_any_p } from "./ad_util.js";
add_any_p.batch = ([x, y], [dx, dy], params, axis) => {
  if (dx === dy) return [bind(add_any_p, [x, y], params), [dx]];
  if (dx === null) return [bind(add_any_p, [broadcastAxis(x, axis.size, dy!), y], params), [dy]];
  if (dy === null) return [bind(add_any_p, [x, broadcastAxis(y, axis.size, dx)], params), [dx]];
  return [bind(add_any_p, [moveaxis(x, dx, dy), y], params), [dy]];
};
