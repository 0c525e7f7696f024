// Key arrays are stored as their key data: a key<fry>[...shape] array is uint32[...shape, 2]
// (JAX's "physical" layout of extended dtypes). Shape-only primitives run on keys by running
// their kernel on the data with the trailing axis added to their params, as JAX's key rules do.
import * as tf from "@tensorflow/tfjs-core";
import { isKey } from "../dtypes.js";
import { ShapedArray } from "../jaxpr/aval.js";
import type { LowerCtx, Params, Primitive } from "../jaxpr/jaxpr.js";
import { primitives } from "../lax/primitive.js";

const physical = (a: ShapedArray): ShapedArray => (isKey(a.dtype) ? new ShapedArray([...a.shape, 2], "uint32") : a);

/** How each primitive's params change for the data layout (`n`: the logical rank of the output). */
const RULES: Record<string, (p: Params, ctx: LowerCtx) => Params> = {
  reshape: (p, ctx) => ({ ...p, new_sizes: [...(p.new_sizes as number[]), 2], dimensions: p.dimensions === null ? null : [...(p.dimensions as number[]), ctx.inAvals[0].ndim] }),
  transpose: (p) => ({ ...p, permutation: [...(p.permutation as number[]), (p.permutation as number[]).length] }),
  broadcast_in_dim: (p) => ({ ...p, shape: [...(p.shape as number[]), 2], broadcast_dimensions: [...(p.broadcast_dimensions as number[]), (p.shape as number[]).length] }),
  slice: (p) => ({
    ...p,
    start_indices: [...(p.start_indices as number[]), 0],
    limit_indices: [...(p.limit_indices as number[]), 2],
    strides: p.strides === null ? null : [...(p.strides as number[]), 1],
  }),
  squeeze: (p) => p,
  concatenate: (p) => p,
  stack: (p) => p,
  unstack: (p) => p,
  rev: (p) => p,
  copy: (p) => p,
  dynamic_slice: (p) => ({ ...p, slice_sizes: [...(p.slice_sizes as number[]), 2] }),
  dynamic_update_slice: (p) => p,
  select_n: (p) => p,
};

// Index operands (dynamic_slice/dynamic_update_slice starts) get a 0 for the data axis;
// select_n's predicate gets the data axis by broadcasting.
function physicalArgs(name: string, args: tf.Tensor[], ctx: LowerCtx): tf.Tensor[] {
  if (name === "dynamic_slice" || name === "dynamic_update_slice") return [...args, tf.scalar(0, "int32")];
  if (name === "select_n") {
    const [which, ...cases] = args;
    const shape = cases[0].shape;
    return [tf.broadcastTo(tf.expandDims(which, which.rank), shape), ...cases];
  }
  void ctx;
  return args;
}

for (const [name, rule] of Object.entries(RULES)) {
  const p = primitives.get(name) as Primitive | undefined;
  if (!p) continue;
  const impl = p.impl.bind(p);
  p.impl = (args, params, ctx) => {
    if (!ctx.inAvals.some((a) => isKey(a.dtype)) && !ctx.outAvals.some((a) => isKey(a.dtype))) return impl(args, params, ctx);
    const pctx: LowerCtx = {
      inAvals: [...ctx.inAvals.map(physical), ...(name.startsWith("dynamic_") ? [new ShapedArray([], "int32")] : [])],
      outAvals: ctx.outAvals.map(physical),
    };
    const xs = physicalArgs(name, args, ctx);
    const outs = impl(xs, rule(params, ctx), pctx);
    xs.forEach((t, i) => t !== args[i] && t.dispose());
    return outs;
  };
}
