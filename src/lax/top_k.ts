// `top_k[axis k is_stable]`: the k largest entries along an axis and their indices, with JAX's
// jvp (a gather of the tangent at the indices) and batching rule. Selected on the host in XLA's
// total order (NaN above inf, +0 above -0; ties keep the lower index), which tfjs's TopK lacks.
import * as tf from "@tensorflow/tfjs-core";
import type { Array as JaxArray } from "../array/base.js";
import { tensorFrom } from "../array/array.js";
import { isFloat } from "../dtypes.js";
import { ShapedArray, pyShape, sizeOf } from "../jaxpr/aval.js";
import { bind } from "../tracer/core.js";
import { definePrimitive, hostData } from "./primitive.js";
import { gather } from "./slicing.js";
import { reshape } from "./lax.js";

type TopKParams = { k: number; axis: number; is_stable: boolean };

/** XLA's TOTALORDER for floats as a sortable key: -NaN < -inf < ... < -0 < +0 < ... < inf < NaN. */
function totalOrder(v: number): number {
  if (Number.isNaN(v)) return Infinity;
  if (v === Infinity) return Number.MAX_VALUE;
  if (v === 0) return Object.is(v, -0) ? -Number.MIN_VALUE : 0;
  return v;
}

export const top_k_p = definePrimitive<TopKParams>({
  name: "top_k",
  abstractEval([x], p) {
    if (p.k < 0) throw new RangeError(`k argument to top_k must be nonnegative, got ${p.k}`);
    if (x.ndim === 0) throw new TypeError(`top_k operand must have >= 1 dimension, got ${pyShape(x.shape)}`);
    if (!(p.axis >= 0 && p.axis < x.ndim)) throw new RangeError(`axis argument out of range: axis=${p.axis} for operand.shape=${pyShape(x.shape)}`);
    if (x.shape[p.axis] < p.k)
      throw new RangeError(`k argument to top_k must be no larger than size along axis; got k=${p.k} with shape=${pyShape(x.shape)} and axis=${p.axis}`);
    const shape = x.shape.map((d, i) => (i === p.axis ? p.k : d));
    return [new ShapedArray(shape, x.dtype, x.weakType), new ShapedArray(shape, "int32", false)];
  },
  impl([x], p, ctx) {
    const aval = ctx.inAvals[0];
    const n = aval.shape[p.axis];
    const stride = sizeOf(aval.shape.slice(p.axis + 1));
    const outer = sizeOf(aval.shape) / Math.max(1, n * stride);
    const data = hostData(x, aval.dtype);
    const float = isFloat(aval.dtype);
    const outShape = ctx.outAvals[0].shape;
    const values = float ? new Float32Array(sizeOf(outShape)) : new Float64Array(sizeOf(outShape));
    const indices = new Int32Array(sizeOf(outShape));
    const order = new Array<number>(n);
    const keys = new Float64Array(n);
    for (let o = 0; o < outer; o++)
      for (let s = 0; s < stride; s++) {
        const base = o * n * stride + s;
        for (let i = 0; i < n; i++) {
          order[i] = i;
          keys[i] = float ? totalOrder(data[base + i * stride]) : data[base + i * stride];
        }
        // Descending; Array.prototype.sort is stable, so ties keep the lower index first.
        order.sort((i, j) => keys[j] - keys[i] || 0);
        const out = o * p.k * stride + s;
        for (let i = 0; i < p.k; i++) {
          values[out + i * stride] = data[base + order[i] * stride];
          indices[out + i * stride] = order[i];
        }
      }
    return [float ? tf.tensor(values, outShape as number[], "float32") : tensorFrom(values, outShape, aval.dtype), tf.tensor(indices, outShape as number[], "int32")];
  },
});

/** The k largest entries along `axis` (default -1), in descending order, and their indices. */
export function topK(operand: JaxArray, k: number, opts: { axis?: number; isStable?: boolean } = {}): [JaxArray, JaxArray] {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`k argument to top_k must be nonnegative, got ${k}`);
  const axis = opts.axis ?? -1;
  if (axis < -operand.ndim || axis >= Math.max(operand.ndim, 1)) throw new RangeError(`axis ${axis} is out of bounds for array of dimension ${operand.ndim}`);
  return bind(top_k_p, [operand], { k, axis: axis < 0 ? axis + operand.ndim : axis, is_stable: opts.isStable ?? true }) as [JaxArray, JaxArray];
}

// The tangent at the selected entries: a gather batched over every axis but `axis` (JAX's rule).
top_k_p.jvp = ([x], [t], p) => {
  const [vals, idxs] = bind(top_k_p, [x], p);
  if (t === null) return [[vals, idxs], [null, null]];
  const rank = idxs.ndim;
  const others = Array.from({ length: rank }, (_, i) => i).filter((i) => i !== p.axis);
  const dnums = { offsetDims: [], collapsedSliceDims: [p.axis], startIndexMap: [p.axis], operandBatchingDims: others, startIndicesBatchingDims: others };
  const tangent = gather(t, reshape(idxs, [...idxs.shape, 1]), dnums, new Array(rank).fill(1));
  return [[vals, idxs], [tangent, null]];
};

top_k_p.batch = ([x], [b], p) => {
  const axis = b! <= p.axis ? p.axis + 1 : p.axis;
  return [bind(top_k_p, [x], { ...p, axis }), [b, b]];
};
