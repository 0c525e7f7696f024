// Shape-changing primitives: broadcasting, reshapes, slicing, padding, iota. Each primitive's
// jvp, transpose and batching rules follow its definition, ported from JAX's lax.py/slicing.py:
// the same primitives bound in the same order with the same params, so transformed jaxprs print
// as JAX's do.
import * as tf from "@tensorflow/tfjs-core";
import type { Array as JaxArray } from "../array/base.js";
import type { DType } from "../dtypes.js";
import { ShapedArray, pyShape, sizeOf } from "../jaxpr/aval.js";
import { npInts, npMask, pyParam, sortedParams } from "../jaxpr/npint.js";
import { checkSameDtypes, definePrimitive, hostData } from "./primitive.js";
import { scalar, tensorFrom } from "../array/array.js";
import { type Trace, bind, bind1, currentTrace } from "../tracer/core.js";
import { avalOf, deflinear, instantiate, isUndefined, prim, tangentAval, zerosLike } from "../tracer/ad_util.js";
import { type BatchDim, BatchTrace, moveaxis } from "../tracer/batching.js";

const tuple = (xs: readonly number[]) => pyShape(xs);
export const range = (a: number, b?: number): number[] => (b === undefined ? [...Array(a).keys()] : [...Array(Math.max(b - a, 0)).keys()].map((i) => a + i));
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
export const argsort = (xs: readonly number[]): number[] => range(xs.length).sort((i, j) => xs[i] - xs[j]);

const inserted = <T>(xs: readonly T[], at: number, v: T): T[] => [...xs.slice(0, at), v, ...xs.slice(at)];

// ---- lax's wrappers, as the rules call them ----------------------------------------------------
// JAX's rules call lax functions, which skip some no-op binds; these do the same.

/** Is a vmap being traced? Then a no-op broadcast still goes through its batching rule. */
function underVmap(): boolean {
  for (let t: Trace | null = currentTrace(); t; t = t.parent) if (t instanceof BatchTrace) return true;
  return false;
}

/**
 * lax.broadcast_in_dim. A broadcast to the operand's own shape is dropped, as JAX's staging
 * forwards it (pe.forwarding_rules) and as evaluating it changes nothing.
 */
export function broadcastInDim(x: JaxArray, shape: readonly number[], dims: readonly number[]): JaxArray {
  if (x.ndim === shape.length && dims.length === 0) return x;
  if (sameShape(x.shape, shape) && !underVmap()) return x;
  return bind1(broadcast_in_dim_p, [x], { broadcast_dimensions: dims as number[], shape: [...shape], sharding: null });
}
/** lax.broadcast: new leading dimensions. */
export function broadcast(x: JaxArray, sizes: readonly number[]): JaxArray {
  if (sizes.length === 0) return x;
  return broadcastInDim(x, [...sizes, ...x.shape], range(sizes.length, sizes.length + x.ndim));
}
/** lax.expand_dims: size-1 axes at `dims` of the result. */
export function expandDims(x: JaxArray, dims: readonly number[]): JaxArray {
  const n = x.ndim + dims.length;
  const set = new Set(dims.map((d) => (d < 0 ? d + n : d)));
  const shape: number[] = [];
  let k = 0;
  for (let i = 0; i < n; i++) shape.push(set.has(i) ? 1 : x.shape[k++]);
  return broadcastInDim(x, shape, range(n).filter((i) => !set.has(i)));
}
/** lax.full: a scalar broadcast to `shape`. */
export const full = (shape: readonly number[], v: number | boolean, dtype: DType, weakType = false): JaxArray => broadcast(scalar(v, dtype, weakType), shape);
/** lax.reshape, optionally transposing by `dims` first. */
export function reshape(x: JaxArray, sizes: readonly number[], dims: readonly number[] | null = null): JaxArray {
  const sameDims = dims === null || dims.every((d, i) => d === i);
  if (x.ndim > 0 && sameShape(x.shape, sizes) && sameDims) return x;
  return bind1(reshape_p, [x], { dimensions: sameDims ? null : [...dims!], new_sizes: [...sizes], sharding: null });
}
export function transpose(x: JaxArray, perm: readonly number[]): JaxArray {
  if (perm.length === x.ndim && perm.every((d, i) => d === i)) return x;
  return bind1(transpose_p, [x], { permutation: [...perm] });
}
export function squeeze(x: JaxArray, dims: readonly number[]): JaxArray {
  const ds = [...new Set(dims.map((d) => (d < 0 ? d + x.ndim : d)))].sort((a, b) => a - b);
  return ds.length === 0 ? x : bind1(squeeze_p, [x], { dimensions: ds });
}
export const concatenate = (xs: JaxArray[], dimension: number): JaxArray => (xs.length === 1 ? xs[0] : bind1(concatenate_p, xs, { dimension }));
export const split = (x: JaxArray, sizes: readonly number[], axis: number): JaxArray[] => bind(split_p, [x], { sizes: [...sizes], axis: axis < 0 ? axis + x.ndim : axis });
export const rev = (x: JaxArray, dimensions: readonly number[]): JaxArray => bind1(rev_p, [x], { dimensions: [...dimensions] });
export const slice = (x: JaxArray, start: readonly number[], limit: readonly number[], strides: readonly number[] | null = null): JaxArray =>
  bind1(slice_p, [x], { limit_indices: limit as number[], start_indices: start as number[], strides: strides as number[] | null });
/** lax.slice_in_dim: `x[start:limit:stride]` along `axis` (negative bounds count from the end). */
export function sliceInDim(x: JaxArray, start: number | null, limit: number | null, stride = 1, axis = 0): JaxArray {
  const n = x.shape[axis];
  let s = start ?? 0;
  let l = limit ?? n;
  if (s < 0) s += n;
  if (l < 0) l += n;
  const starts = x.shape.map(() => 0);
  const limits = [...x.shape];
  const strides = x.shape.map(() => 1);
  starts[axis] = s;
  limits[axis] = l;
  strides[axis] = stride;
  return slice(x, starts, limits, strides);
}
export const pad = (x: JaxArray, v: JaxArray, config: readonly (readonly number[])[]): JaxArray =>
  bind1(pad_p, [x, v], { padding_config: config as [number, number, number][] });
const reduceSum = (x: JaxArray, axes: readonly number[]): JaxArray => bind1(prim("reduce_sum"), [x], { axes: axes as number[], out_sharding: null });
/** `_const(x, v)`: a literal of x's dtype. */
const constLike = (x: JaxArray, v: number): JaxArray => scalar(v, x.dtype, false);

export const broadcast_in_dim_p = definePrimitive({
  name: "broadcast_in_dim",
  abstractEval([x], p: { shape: number[]; broadcast_dimensions: number[]; sharding: null }) {
    const { shape, broadcast_dimensions: bd } = p;
    if (x.ndim !== bd.length)
      throw new TypeError(
        `broadcast_in_dim broadcast_dimensions must have length equal to operand ndim; got broadcast_dimensions ${tuple(bd)} for operand ndim ${x.ndim}.`,
      );
    bd.forEach((d, i) => {
      if (d < 0 || d >= shape.length || (x.shape[i] !== 1 && x.shape[i] !== shape[d]))
        throw new TypeError(
          `broadcast_in_dim operand dimension sizes must either be 1, or be equal to their corresponding dimensions in the target broadcast shape; got operand of shape ${tuple(x.shape)}, target broadcast shape ${tuple(shape)}, broadcast_dimensions ${tuple(bd)} `,
        );
      if (i > 0 && d <= bd[i - 1]) throw new TypeError(`broadcast_in_dim broadcast_dimensions must be strictly increasing; got broadcast_dimensions ${tuple(bd)}`);
    });
    return [x.update({ shape })];
  },
  // JAX's pp rule hides shape and sharding, and broadcast_dimensions when empty.
  printParams: (p) => (p.broadcast_dimensions.length ? [["broadcast_dimensions", pyParam(p.broadcast_dimensions)]] : []),
  impl([x], { shape, broadcast_dimensions }) {
    // tfjs's broadcastTo leaves a size-1 axis where the target size is 0.
    if (shape.includes(0)) return [tf.zeros(shape, x.dtype)];
    const expanded = shape.map(() => 1);
    broadcast_dimensions.forEach((d, i) => (expanded[d] = x.shape[i]));
    // Only size-1 axes inserted: a reshape, which shares the data (tf.broadcastTo costs ~10x more).
    if (expanded.every((d, i) => d === shape[i])) return [tf.reshape(x, shape)];
    return [tf.tidy(() => tf.broadcastTo(tf.reshape(x, expanded), shape))];
  },
});
// Transpose: sum over the broadcast axes, then put back the operand's size-1 axes.
deflinear(broadcast_in_dim_p, (ct, { shape, broadcast_dimensions: bd }, [x]) => {
  if (!isUndefined(x)) return [null];
  const unit = x.aval.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  const kept = bd.filter((_, i) => !unit.includes(i));
  return [expandDims(reduceSum(ct, range(shape.length).filter((d) => !kept.includes(d))), unit)];
});
broadcast_in_dim_p.batch = ([x], [b], p) => {
  const dims = npInts([0, ...p.broadcast_dimensions.map((d) => d + 1)], [false, ...p.broadcast_dimensions.map(() => true)]);
  return [[broadcastInDim(moveaxis(x, b!, 0), [x.shape[b!], ...p.shape], dims)], [0]];
};

export const reshape_p = definePrimitive({
  name: "reshape",
  abstractEval([x], p: { new_sizes: number[]; dimensions: number[] | null; sharding: null }) {
    if (sizeOf(p.new_sizes) !== x.size)
      throw new TypeError(`reshape total size must be unchanged, got new_sizes ${tuple(p.new_sizes)} (of total size ${sizeOf(p.new_sizes)}) for shape ${tuple(x.shape)} (of total size ${x.size}).`);
    if (p.dimensions !== null && !sameShape([...p.dimensions].sort((a, b) => a - b), range(x.ndim)))
      throw new TypeError(`reshape dimensions must be a permutation of operand dimensions, got dimensions ${tuple(p.dimensions)} for shape ${tuple(x.shape)}.`);
    return [x.update({ shape: p.new_sizes })];
  },
  // `dimensions` transposes the operand first (as reduce_prod's jvp uses it).
  impl: ([x], p) => [p.dimensions === null ? tf.reshape(x, p.new_sizes) : tf.tidy(() => tf.reshape(tf.transpose(x, p.dimensions!), p.new_sizes))],
  printParams: sortedParams(),
});
deflinear(reshape_p, (ct, p, [x]) => {
  const shape = avalOf(x).shape;
  if (p.dimensions === null) return [reshape(ct, shape)];
  return [transpose(reshape(ct, p.dimensions.map((d) => shape[d])), argsort(p.dimensions))];
});
reshape_p.batch = ([x], [b], p) => {
  const y = moveaxis(x, b!, 0);
  return [[reshape(y, [y.shape[0], ...p.new_sizes], p.dimensions && [0, ...p.dimensions.map((d) => d + 1)])], [0]];
};

export const transpose_p = definePrimitive({
  name: "transpose",
  abstractEval([x], p: { permutation: number[] }) {
    const perm = p.permutation;
    if (perm.length !== x.ndim || [...perm].sort((a, b) => a - b).some((d, i) => d !== i))
      throw new TypeError(`transpose permutation isn't a permutation of operand dimensions, got permutation ${tuple(perm)} for operand shape ${tuple(x.shape)}.`);
    return [x.update({ shape: perm.map((d) => x.shape[d]) })];
  },
  impl: ([x], p) => [tf.transpose(x, p.permutation)],
});
deflinear(transpose_p, (ct, p) => [transpose(ct, argsort(p.permutation))]);
transpose_p.batch = ([x], [b], p) => [[transpose(x, [b!, ...p.permutation.map((i) => (i < b! ? i : i + 1))])], [0]];

export const squeeze_p = definePrimitive({
  name: "squeeze",
  abstractEval([x], p: { dimensions: number[] }) {
    for (const d of p.dimensions)
      if (x.shape[d] !== 1) throw new TypeError(`cannot select an axis to squeeze out which has size not equal to one, got shape=${tuple(x.shape)} and dimensions=${tuple(p.dimensions)}`);
    return [x.update({ shape: x.shape.filter((_, i) => !p.dimensions.includes(i)) })];
  },
  impl: ([x], _p, ctx) => [tf.reshape(x, ctx.outAvals[0].shape as number[])],
});
deflinear(squeeze_p, (ct, p) => [expandDims(ct, p.dimensions)]);
squeeze_p.batch = ([x], [b], p) => [[squeeze(moveaxis(x, b!, 0), p.dimensions.map((d) => d + 1))], [0]];

/** Operands of a batching rule with their batch axes in front, unbatched ones broadcast. */
function batchedAtFront(xs: JaxArray[], dims: BatchDim[]): JaxArray[] {
  const k = dims.findIndex((d) => d !== null);
  const size = xs[k].shape[dims[k]!];
  return xs.map((x, i) => (dims[i] === null ? broadcast(x, [size]) : moveaxis(x, dims[i]!, 0)));
}

export const concatenate_p = definePrimitive({
  name: "concatenate",
  abstractEval(xs, p: { dimension: number }) {
    if (xs.length === 0) throw new TypeError("concatenate requires at least one operand");
    checkSameDtypes("concatenate", xs, "concatenate");
    const d = p.dimension;
    const x0 = xs[0];
    for (const x of xs)
      if (x.ndim !== x0.ndim || x.shape.some((s, i) => i !== d && s !== x0.shape[i]))
        throw new TypeError(
          `Cannot concatenate arrays with shapes that differ in dimensions other than the one being concatenated: concatenating along dimension ${d} for shapes ${xs.map((a) => tuple(a.shape)).join(", ")}.`,
        );
    const shape = [...x0.shape];
    shape[d] = xs.reduce((n, x) => n + x.shape[d], 0);
    return [new ShapedArray(shape, x0.dtype, xs.every((x) => x.weakType))];
  },
  impl: (xs, p, ctx) => {
    if (xs.length === 1) return [tf.clone(xs[0])];
    // An empty result is made directly: tfjs-cpu concatenates empty bool tensors into a plain
    // Array, which its Slice (and so unstack, scan's xs) cannot read.
    const out = ctx.outAvals[0];
    if (sizeOf(out.shape) === 0) return [tensorFrom([], out.shape, out.dtype)];
    return [tf.concat(xs, p.dimension)];
  },
});
// Transpose: the cotangent split back into the operands' pieces.
deflinear(concatenate_p, (ct, p, xs) => split(ct, xs.map((x) => avalOf(x).shape[p.dimension]), p.dimension));
concatenate_p.batch = (xs, dims, p) => [[concatenate(batchedAtFront(xs, dims), p.dimension + 1)], [0]];

/** split[sizes, axis]: consecutive pieces along `axis` (concatenate's transpose). */
export const split_p = definePrimitive({
  name: "split",
  abstractEval([x], p: { sizes: number[]; axis: number }) {
    if (p.sizes.some((s) => s < 0)) throw new TypeError(`Sizes passed to split must be nonnegative, got [${p.sizes.join(", ")}]`);
    const total = p.sizes.reduce((a, b) => a + b, 0);
    if (x.shape[p.axis] !== total) throw new TypeError(`Sum of sizes ${total} must be equal to dimension ${p.axis} of the operand shape [${x.shape.join(", ")}]`);
    return p.sizes.map((s) => x.update({ shape: x.shape.map((d, i) => (i === p.axis ? s : d)) }));
  },
  impl([x], p) {
    let start = 0;
    return p.sizes.map((s) => {
      const begin = x.shape.map((_, i) => (i === p.axis ? start : 0));
      start += s;
      return tf.slice(x, begin, x.shape.map((d, i) => (i === p.axis ? s : d)));
    });
  },
});
deflinear(split_p, () => []);
split_p.transpose = (cts, [x], p) => {
  if (cts.every((c) => c === null)) return [null];
  const a = tangentAval(avalOf(x));
  return [concatenate(cts.map((c, i) => instantiate(c, a.update({ shape: a.shape.map((d, k) => (k === p.axis ? p.sizes[i] : d)) }))), p.axis)];
};
split_p.batch = ([x], [b], p) => [split(x, p.sizes, p.axis >= b! ? p.axis + 1 : p.axis), p.sizes.map(() => b)];

/** stack[axis]: jnp.stack's primitive since JAX 0.11 (a new axis, then concatenation). */
export const stack_p = definePrimitive({
  name: "stack",
  abstractEval(xs, p: { axis: number }) {
    if (xs.length === 0) throw new TypeError("stack requires at least one operand");
    checkSameDtypes("stack", xs);
    for (const x of xs)
      if (x.shape.join() !== xs[0].shape.join()) throw new TypeError(`stack requires all operands to have the same shape, got ${xs.map((a) => tuple(a.shape)).join(", ")}.`);
    if (p.axis < 0 || p.axis > xs[0].ndim) throw new TypeError(`stack: axis ${p.axis} is out of bounds for result of dimension ${xs[0].ndim + 1}`);
    const shape = [...xs[0].shape];
    shape.splice(p.axis, 0, xs.length);
    return [new ShapedArray(shape, xs[0].dtype, xs.every((x) => x.weakType))];
  },
  impl: (xs, p) => [tf.stack(xs, p.axis)],
});
deflinear(stack_p, (ct, p) => bind(unstack_p, [ct], { axis: p.axis }));
stack_p.batch = (xs, dims, p) => {
  const b = dims[0];
  if (b !== null && dims.every((d) => d === b)) {
    const [axis, out] = p.axis <= b ? [p.axis, b + 1] : [p.axis + 1, b];
    return [[bind1(stack_p, xs, { axis })], [out]];
  }
  return [[bind1(stack_p, batchedAtFront(xs, dims), { axis: p.axis + 1 })], [0]];
};

/** unstack[axis]: the slices along `axis` (stack's transpose). */
export const unstack_p = definePrimitive({
  name: "unstack",
  abstractEval([x], p: { axis: number }) {
    if (x.ndim === 0) throw new TypeError("unstack requires arrays with rank > 0, however a scalar array of shape () was passed.");
    const shape = x.shape.filter((_, i) => i !== p.axis);
    return range(x.shape[p.axis]).map(() => x.update({ shape }));
  },
  impl: ([x], p) => tf.unstack(x, p.axis),
});
deflinear(unstack_p, () => []);
unstack_p.transpose = (cts, [x], p) => {
  if (cts.every((c) => c === null)) return [null];
  const a = tangentAval(avalOf(x));
  const piece = a.update({ shape: a.shape.filter((_, i) => i !== p.axis) });
  return [bind1(stack_p, cts.map((c) => instantiate(c, piece)), { axis: p.axis })];
};
unstack_p.batch = ([x], [b], p) => {
  const [axis, out] = p.axis < b! ? [p.axis, b! - 1] : [p.axis + 1, b!];
  const outs = bind(unstack_p, [x], { axis });
  return [outs, outs.map(() => out)];
};

/** rev[dimensions]: reverses the order of elements along `dimensions`. */
export const rev_p = definePrimitive({
  name: "rev",
  abstractEval([x], p: { dimensions: number[] }) {
    if (new Set(p.dimensions).size !== p.dimensions.length) throw new TypeError(`rev dimensions must be unique, got ${tuple(p.dimensions)}.`);
    if (p.dimensions.some((d) => d < 0 || d >= x.ndim))
      throw new TypeError(`rev dimensions must all be less than operand ndim, got dimensions ${tuple(p.dimensions)} for operand ndim ${x.ndim}.`);
    return [x];
  },
  impl: ([x], p) => [p.dimensions.length ? tf.reverse(x, p.dimensions) : tf.clone(x)],
});
deflinear(rev_p, (ct, p) => [rev(ct, p.dimensions)]);
rev_p.batch = ([x], [b], p) => [[rev(x, p.dimensions.map((i) => (i >= b! ? i + 1 : i)))], [b]];

export const slice_p = definePrimitive({
  name: "slice",
  abstractEval([x], p: { start_indices: number[]; limit_indices: number[]; strides: number[] | null }) {
    const { start_indices: s, limit_indices: l } = p;
    const st = p.strides ?? s.map(() => 1);
    if (s.length !== x.ndim || l.length !== x.ndim)
      throw new TypeError(`slice start_indices must have length equal to the number of dimensions of the operand, got indices ${tuple(s)} for operand shape ${tuple(x.shape)}.`);
    s.forEach((a, i) => {
      if (a < 0 || l[i] > x.shape[i] || l[i] < a)
        throw new TypeError(`slice limit_indices must be less than or equal to operand shape and at least start_indices, got start_indices ${tuple(s)}, limit_indices ${tuple(l)} for operand shape ${tuple(x.shape)}.`);
    });
    return [x.update({ shape: s.map((a, i) => Math.ceil((l[i] - a) / st[i])) })];
  },
  impl([x], p, ctx) {
    const { start_indices: s, limit_indices: l } = p;
    if (p.strides === null || p.strides.every((v) => v === 1)) return [tf.slice(x, s, s.map((a, i) => l[i] - a))];
    const outShape = ctx.outAvals[0].shape;
    const dt = ctx.inAvals[0].dtype;
    if (x.dtype !== "float32") {
      // tfjs-wasm's stridedSlice turns int32 into float32 (inexact above 2^24): gather on the host.
      const src = hostData(x, dt);
      const strides = x.shape.map((_, i) => sizeOf(x.shape.slice(i + 1)));
      const out = new Array<number>(sizeOf(outShape));
      for (let k = 0; k < out.length; k++) {
        let rem = k;
        let off = 0;
        for (let d = 0; d < outShape.length; d++) {
          const inner = sizeOf(outShape.slice(d + 1));
          off += (s[d] + Math.floor(rem / inner) * p.strides![d]) * strides[d];
          rem %= inner;
        }
        out[k] = Number(src[off]);
      }
      return [tensorFrom(out, outShape, dt)];
    }
    const out = tf.stridedSlice(x, s, l, p.strides!);
    return [out.shape.join() === outShape.join() ? out : tf.reshape(out, outShape as number[])];
  },
  printParams: sortedParams(),
});
// Transpose: pad the cotangent back to the operand's shape with zeros (interior padding for
// strides). JAX computes the high padding (and strided configs) with numpy.
deflinear(slice_p, (ct, p, [x]) => {
  const shape = avalOf(x).shape;
  const { start_indices: s, limit_indices: l, strides } = p;
  const sNp = npMask(s);
  const unit = strides === null || strides.every((v) => v === 1);
  const config = s.map((a, i) => {
    if (unit) return npInts([a, shape[i] - l[i], 0], [sNp[i], true, false]);
    const realLimit = a + (ct.shape[i] === 0 ? 0 : 1 + (ct.shape[i] - 1) * strides![i]);
    return npInts([a, shape[i] - realLimit, strides![i] - 1], [sNp[i], true, true]);
  });
  return [pad(ct, constLike(ct, 0), config)];
});
slice_p.batch = ([x], [b], p) => {
  const at = b!;
  const start = npInts(inserted(p.start_indices, at, 0), inserted(npMask(p.start_indices), at, false));
  const limit = npInts(inserted(p.limit_indices, at, x.shape[at]), inserted(npMask(p.limit_indices), at, false));
  const strides = p.strides && npInts(inserted(p.strides, at, 1), inserted(npMask(p.strides), at, false));
  return [[slice(x, start, limit, strides)], [at]];
};

/** dynamic_slice clamps each start so the slice stays in bounds, as XLA does. */
const clampStarts = (starts: tf.Tensor[], dtypes: DType[], shape: readonly number[], sizes: readonly number[]) =>
  starts.map((t, i) => Math.min(Math.max(Number(hostData(t, dtypes[i])[0]), 0), shape[i] - sizes[i]));

export const dynamic_slice_p = definePrimitive({
  name: "dynamic_slice",
  abstractEval([x, ...idx], p: { slice_sizes: number[] }) {
    if (idx.length !== x.ndim)
      throw new TypeError(`dynamic_slice: start_indices must have length equal to the number of dimensions of the operand, got start_indices of length ${idx.length} for operand shape ${tuple(x.shape)}.`);
    p.slice_sizes.forEach((s, i) => {
      if (s < 0 || s > x.shape[i]) throw new TypeError(`slice slice_sizes must be less than or equal to operand shape, got slice_sizes ${tuple(p.slice_sizes)} for operand shape ${tuple(x.shape)}.`);
    });
    return [x.update({ shape: p.slice_sizes })];
  },
  impl([x, ...idx], p, ctx) {
    const starts = clampStarts(idx, ctx.inAvals.slice(1).map((a) => a.dtype), x.shape, p.slice_sizes);
    return [tf.slice(x, starts, p.slice_sizes)];
  },
});
// JAX computes the tangent slice before the primal one.
dynamic_slice_p.jvp = ([x, ...idx], [t], p) => {
  const tOut = t === null ? null : bind1(dynamic_slice_p, [t, ...idx], p);
  return [[bind1(dynamic_slice_p, [x, ...idx], p)], [tOut]];
};
// Transpose: the cotangent written into zeros of the operand's shape.
dynamic_slice_p.transpose = ([ct], [x, ...idx]) => {
  if (ct === null) return [null, ...idx.map(() => null)];
  const zeros = zerosLike(new ShapedArray(avalOf(x).shape, ct.dtype));
  return [bind1(dynamic_update_slice_p, [zeros, ct, ...(idx as JaxArray[])]), ...idx.map(() => null)];
};

/**
 * vmap by unrolling: `f` on each example, results stacked. JAX batches dynamic_slice and
 * dynamic_update_slice with batched indices as gather/scatter, which tfjax does not have.
 */
function perExample(args: JaxArray[], dims: BatchDim[], f: (xs: JaxArray[]) => JaxArray): [JaxArray[], BatchDim[]] {
  const pieces = args.map((x, i) => (dims[i] === null ? null : bind(unstack_p, [x], { axis: dims[i] })));
  const size = pieces.find((ps) => ps !== null)!.length;
  const outs = range(size).map((k) => f(args.map((x, i) => pieces[i]?.[k] ?? x)));
  return [[bind1(stack_p, outs, { axis: 0 })], [0]];
}
const indexZero = (idx: JaxArray[]) => scalar(0, idx.length ? idx[0].dtype : "int32", false);

// Not JAX's rule (a gather there): an unbatched start takes the whole batch axis.
dynamic_slice_p.batch = ([x, ...idx], [b, ...ib], p) => {
  if (ib.some((d) => d !== null)) return perExample([x, ...idx], [b, ...ib], ([y, ...i]) => bind1(dynamic_slice_p, [y, ...i], p));
  const starts = inserted(idx, b!, indexZero(idx));
  return [[bind1(dynamic_slice_p, [x, ...starts], { slice_sizes: inserted(p.slice_sizes, b!, x.shape[b!]) })], [b]];
};

export const dynamic_update_slice_p = definePrimitive({
  name: "dynamic_update_slice",
  abstractEval([x, u, ...idx]) {
    checkSameDtypes("dynamic_update_slice", [x, u]);
    if (u.ndim !== x.ndim || u.shape.some((s, i) => s > x.shape[i]))
      throw new TypeError(`dynamic_update_slice update shape must be smaller than operand shape, got update shape ${tuple(u.shape)} for operand shape ${tuple(x.shape)}.`);
    if (idx.length !== x.ndim)
      throw new TypeError(`dynamic_update_slice start_indices must have length equal to the rank of operand, got indices of length ${idx.length} for operand shape ${tuple(x.shape)}.`);
    return [x.update({ weakType: x.weakType && u.weakType })];
  },
  impl([x, u, ...idx], _p, ctx) {
    const dt = ctx.inAvals[0].dtype;
    const starts = clampStarts(idx, ctx.inAvals.slice(2).map((a) => a.dtype), x.shape, u.shape);
    const out = Array.from(hostData(x, dt));
    const upd = hostData(u, dt);
    const strides = x.shape.map((_, i) => sizeOf(x.shape.slice(i + 1)));
    for (let k = 0; k < upd.length; k++) {
      let rem = k;
      let off = 0;
      for (let d = 0; d < u.shape.length; d++) {
        const inner = sizeOf(u.shape.slice(d + 1));
        off += (Math.floor(rem / inner) + starts[d]) * strides[d];
        rem %= inner;
      }
      out[off] = upd[k];
    }
    return [tensorFrom(out, x.shape, dt)];
  },
});
dynamic_update_slice_p.jvp = ([x, u, ...idx], [tx, tu]) => {
  const out = bind1(dynamic_update_slice_p, [x, u, ...idx]);
  if (tx === null && tu === null) return [[out], [null]];
  const gx = instantiate(tx, tangentAval(x.aval));
  const gu = instantiate(tu, tangentAval(u.aval));
  return [[out], [bind1(dynamic_update_slice_p, [gx, gu, ...idx])]];
};
// Transpose: the operand's cotangent has zeros where the update went; the update's is that window.
dynamic_update_slice_p.transpose = ([t], [x, u, ...idx]) => {
  const nulls = idx.map(() => null);
  if (t === null) return [null, null, ...nulls];
  const ua = tangentAval(avalOf(u));
  const zeros = zerosLike(new ShapedArray(ua.shape, t.dtype, t.weakType));
  const starts = idx as JaxArray[];
  const xt = isUndefined(x) ? bind1(dynamic_update_slice_p, [t, zeros, ...starts]) : null;
  const ut = isUndefined(u) ? bind1(dynamic_slice_p, [t, ...starts], { slice_sizes: [...ua.shape] }) : null;
  return [xt, ut, ...nulls];
};
// Not JAX's rule (a scatter there): with unbatched starts, the batch axis is updated whole.
dynamic_update_slice_p.batch = ([x, u, ...idx], [bx, bu, ...ib]) => {
  if (ib.some((d) => d !== null)) return perExample([x, u, ...idx], [bx, bu, ...ib], (a) => bind1(dynamic_update_slice_p, a));
  const [y, v] = batchedAtFront([x, u], [bx, bu]);
  return [[bind1(dynamic_update_slice_p, [y, v, indexZero(idx), ...idx])], [0]];
};

export const pad_p = definePrimitive({
  name: "pad",
  abstractEval([x, v], p: { padding_config: [number, number, number][] }) {
    if (x.dtype !== v.dtype) throw new TypeError(`pad operand and padding_value must be same dtype: got ${x.dtype} and ${v.dtype}.`);
    if (v.ndim !== 0) throw new TypeError(`padding_value must be a scalar, got shape ${tuple(v.shape)}`);
    if (p.padding_config.length !== x.ndim)
      throw new TypeError(`length of padding_config must equal the number of axes of operand, got padding_config ${pyStrConfig(p.padding_config)} for operand shape ${tuple(x.shape)}`);
    const shape = x.shape.map((d, i) => {
      const [lo, hi, interior] = p.padding_config[i];
      if (interior < 0) throw new TypeError(`interior padding in padding_config must be nonnegative, got padding_config ${pyStrConfig(p.padding_config)}`);
      const n = lo + hi + d + Math.max(0, d - 1) * interior;
      if (n < 0) throw new TypeError(`Dimension size after padding is not at least 0, got result shape with a negative dimension for padding_config ${pyStrConfig(p.padding_config)}`);
      return n;
    });
    return [x.update({ shape, weakType: x.weakType && v.weakType })];
  },
  impl([x, v], p, ctx) {
    const dt = ctx.inAvals[0].dtype;
    const pv = Number(hostData(v, dt)[0]);
    const cfg = p.padding_config;
    if (cfg.every(([lo, hi, i]) => lo >= 0 && hi >= 0 && i === 0) && dt !== "uint32")
      return [tf.pad(x, cfg.map(([lo, hi]) => [lo, hi] as [number, number]), pv)];
    // Negative and interior padding: place every element on the host.
    const outShape = ctx.outAvals[0].shape;
    const out = new Array<number>(sizeOf(outShape)).fill(pv);
    const src = hostData(x, dt);
    const outStrides = outShape.map((_, i) => sizeOf(outShape.slice(i + 1)));
    for (let k = 0; k < src.length; k++) {
      let rem = k;
      let off = 0;
      let inside = true;
      for (let d = 0; d < x.shape.length; d++) {
        const inner = sizeOf(x.shape.slice(d + 1));
        const j = Math.floor(rem / inner);
        rem %= inner;
        const pos = cfg[d][0] + j * (cfg[d][2] + 1);
        if (pos < 0 || pos >= outShape[d]) inside = false;
        off += pos * outStrides[d];
      }
      if (inside) out[off] = Number(src[k]);
    }
    return [tensorFrom(out, outShape, dt)];
  },
  printParams: sortedParams(),
});
// Transpose: negative padding and a strided slice undo the operand's placement; the padding
// value's cotangent is what the operand's does not account for.
deflinear(pad_p, (t, p, [x, v]) => {
  const cfg = p.padding_config;
  const total = (a: JaxArray) => reduceSum(a, range(t.ndim));
  const unpadded = () => {
    const u = pad(t, constLike(t, 0), cfg.map(([lo, hi]) => npInts([0 - lo, 0 - hi, 0])));
    return slice(u, npInts(cfg.map(() => 0)), u.shape, npInts(cfg.map(([, , i]) => i + 1)));
  };
  const tx = isUndefined(x) ? unpadded() : null;
  const tv = isUndefined(v) ? bind1(prim("sub"), [total(t), total(tx ?? unpadded())]) : null;
  return [tx, tv];
});
pad_p.batch = ([x, v], [bx, bv], p) => {
  let b = bx;
  if (b === null) {
    b = 0;
    x = broadcast(x, [v.shape[bv!]]);
  }
  const cfg = inserted(p.padding_config, b, [0, 0, 0] as [number, number, number]);
  if (bv === null) return [[pad(x, v, cfg)], [b]];
  // A batched padding value: pad with zeros, then select it where the padding went.
  const y = pad(x, scalar(0, x.dtype, x.weakType), cfg);
  const mask = pad(full(x.shape, true, "bool"), scalar(false, "bool", false), cfg);
  const padding = broadcastInDim(v, y.shape, [b]);
  return [[bind1(prim("select_n"), [mask, padding, y])], [b]];
};

const pyStrConfig = (c: [number, number, number][]) => `(${c.map((t) => `(${t.join(", ")})`).join(", ")}${c.length === 1 ? "," : ""})`;

export const iota_p = definePrimitive({
  name: "iota",
  abstractEval(_avals, p: { dtype: DType; shape: number[]; dimension: number; sharding: null }) {
    if (p.dimension < 0 || p.dimension >= p.shape.length)
      throw new TypeError(`iota dimension must be between 0 and len(shape), got dimension=${p.dimension} for shape ${tuple(p.shape)}`);
    return [new ShapedArray(p.shape, p.dtype)];
  },
  impl(_args, p) {
    const n = p.shape[p.dimension];
    const vals = Array.from({ length: n }, (_, i) => i);
    const expanded = p.shape.map((d, i) => (i === p.dimension ? d : 1));
    return [tf.tidy(() => tf.broadcastTo(tf.reshape(tensorFrom(vals, [n], p.dtype), expanded), p.shape))];
  },
});
