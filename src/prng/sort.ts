// `sort[dimension=0 is_stable=True num_keys=1]`: JAX's multi-operand sort, as permutation and
// shuffle use it (lax.sort_key_val). A lax primitive, here until lax gains sorting (issue 6);
// it then moves to src/lax unchanged. Sorted on the host: uint32 and float orders that tfjs lacks.
import * as tf from "@tensorflow/tfjs-core";
import { isFloat } from "../dtypes.js";
import { sizeOf } from "../jaxpr/aval.js";
import { definePrimitive, hostData } from "../lax/primitive.js";
import { tensorFrom } from "../array/array.js";
import { bind } from "../tracer/core.js";
import { bdimAtFront } from "../tracer/batching.js";
import { broadcastedIota } from "../lax/lax.js";
import { takeAlongAxis } from "../numpy/indexing.js";

type SortParams = { dimension: number; is_stable: boolean; num_keys: number };

/** XLA's total order for sort keys: -0 equals 0, NaNs are equal and after everything. */
function compareKeys(a: number, b: number): number {
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export const sort_p = definePrimitive({
  name: "sort",
  abstractEval(avals, p: SortParams) {
    if (avals.some((a) => a.shape.join() !== avals[0].shape.join()))
      throw new TypeError(`Arguments to sort must have equal shapes, got: ${avals.map((a) => `(${a.shape.join(", ")}${a.ndim === 1 ? "," : ""})`).join(" ")}`);
    if (p.dimension < 0 || p.dimension >= avals[0].ndim) throw new TypeError(`sort: dimension ${p.dimension} is out of bounds for rank ${avals[0].ndim}`);
    if (p.num_keys < 1 || p.num_keys > avals.length) throw new TypeError(`sort: num_keys ${p.num_keys} must be between 1 and the number of operands ${avals.length}`);
    return avals;
  },
  impl(args, p, ctx) {
    const shape = ctx.inAvals[0].shape;
    const n = shape[p.dimension];
    const stride = sizeOf(shape.slice(p.dimension + 1));
    const outer = sizeOf(shape) / Math.max(1, n * stride);
    const data = args.map((t, i) => hostData(t, ctx.inAvals[i].dtype));
    const keys = data.slice(0, p.num_keys);
    const outs = data.map((d, a) => (isFloat(ctx.inAvals[a].dtype) ? new Float32Array(d.length) : new Float64Array(d.length)));
    const order = new Array<number>(n);
    for (let o = 0; o < outer; o++)
      for (let s = 0; s < stride; s++) {
        const base = o * n * stride + s;
        for (let i = 0; i < n; i++) order[i] = i;
        // Array.prototype.sort is stable, so is_stable holds either way.
        order.sort((i, j) => {
          for (const k of keys) {
            const c = compareKeys(k[base + i * stride], k[base + j * stride]);
            if (c !== 0) return c;
          }
          return 0;
        });
        for (let i = 0; i < n; i++) for (let a = 0; a < data.length; a++) outs[a][base + i * stride] = data[a][base + order[i] * stride];
      }
    return outs.map((o, i) => (o instanceof Float32Array ? tf.tensor(o, shape as number[], "float32") : tensorFrom(o, shape, ctx.inAvals[i].dtype)));
  },
});

// Batch axes go to the front (unbatched operands broadcast), and the sorted axis moves up by one.
sort_p.batch = (args, dims, p, axis) => {
  const xs = args.map((x, i) => bdimAtFront(x, dims[i], axis.size));
  const outs = bind(sort_p, xs, { ...p, dimension: p.dimension + 1 });
  return [outs, outs.map(() => 0)];
};

// JAX's _sort_jvp: sort an iota along with the operands, then gather each tangent by the
// resulting permutation (a gather, so the rule transposes for reverse mode).
sort_p.jvp = (primals, tangents, p) => {
  const iota = broadcastedIota("int32", primals[0].shape, p.dimension);
  const outs = bind(sort_p, [...primals, iota], p);
  const perm = outs[outs.length - 1];
  return [outs.slice(0, -1), tangents.map((t) => (t === null ? null : takeAlongAxis(t, perm, p.dimension)))];
};
