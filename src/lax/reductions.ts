// Reductions, arg-reductions, cumulative sums and dot_general.
import * as tf from "@tensorflow/tfjs-core";
import type { DType } from "../dtypes.js";
import { ShapedArray, pyShape } from "../jaxpr/aval.js";
import { PyList } from "../jaxpr/jaxpr.js";
import { ANY, type DtypeSet, NUMBER, checkSameDtypes, checkUnaryDtype, definePrimitive, hostData } from "./primitive.js";
import { tensorFrom } from "../array/array.js";

type AxesParams = { axes: number[]; out_sharding?: null };

function reducedShape(name: string, shape: readonly number[], axes: number[]): number[] {
  for (const a of axes)
    if (a < 0 || a >= shape.length) throw new TypeError(`${name}: axis ${a} is out of bounds for array of dimension ${shape.length}`);
  return shape.filter((_, i) => !axes.includes(i));
}

function reduction(name: string, accepted: DtypeSet, op: (x: tf.Tensor, axes: number[]) => tf.Tensor, hostOp?: (a: number, b: number) => number) {
  return definePrimitive({
    name,
    abstractEval([x], p: AxesParams) {
      checkUnaryDtype(name, x, accepted);
      return [x.update({ shape: reducedShape(name, x.shape, p.axes) })];
    },
    impl([x], p, ctx) {
      const dt = ctx.inAvals[0].dtype;
      if (p.axes.length === 0) return [tf.clone(x)];
      // tfjs reduces int32 in float64 and has no uint32: keep integer semantics on the host.
      if (hostOp && (dt === "uint32" || dt === "int32")) return [hostReduce(x, dt, p.axes, ctx.outAvals[0].shape, hostOp)];
      return [op(x, p.axes)];
    },
  });
}

function hostReduce(x: tf.Tensor, dt: DType, axes: number[], outShape: readonly number[], f: (a: number, b: number) => number): tf.Tensor {
  const src = hostData(x, dt);
  const keep = x.shape.map((_, i) => !axes.includes(i));
  const out = new Array<number>(outShape.reduce((a, b) => a * b, 1));
  const seen = new Uint8Array(out.length);
  const idx = new Array<number>(x.shape.length).fill(0);
  for (let k = 0; k < src.length; k++) {
    let o = 0;
    for (let d = 0; d < x.shape.length; d++) if (keep[d]) o = o * x.shape[d] + idx[d];
    out[o] = seen[o] ? f(out[o], Number(src[k])) : Number(src[k]);
    seen[o] = 1;
    for (let d = x.shape.length - 1; d >= 0; d--) {
      if (++idx[d] < x.shape[d]) break;
      idx[d] = 0;
    }
  }
  return tensorFrom(out, outShape, dt);
}

const wrapAdd = (dt: DType) => (dt === "uint32" ? (a: number, b: number) => (a + b) >>> 0 : (a: number, b: number) => (a + b) | 0);

export const reduce_sum_p = definePrimitive({
  name: "reduce_sum",
  abstractEval([x], p: AxesParams) {
    checkUnaryDtype("reduce_sum", x, NUMBER);
    return [x.update({ shape: reducedShape("reduce_sum", x.shape, p.axes) })];
  },
  impl([x], p, ctx) {
    const dt = ctx.inAvals[0].dtype;
    if (p.axes.length === 0) return [tf.clone(x)];
    if (dt !== "float32") return [hostReduce(x, dt, p.axes, ctx.outAvals[0].shape, wrapAdd(dt))];
    return [tf.sum(x, p.axes)];
  },
});
export const reduce_max_p = reduction("reduce_max", ANY, (x, a) => tf.max(x, a), Math.max);
export const reduce_min_p = reduction("reduce_min", ANY, (x, a) => tf.min(x, a), Math.min);
export const reduce_prod_p = reduction("reduce_prod", NUMBER, (x, a) => tf.prod(x, a), (a, b) => Math.imul(a, b));
export const reduce_and_p = reduction("reduce_and", ANY, (x, a) => tf.all(x, a));
export const reduce_or_p = reduction("reduce_or", ANY, (x, a) => tf.any(x, a));

function argReduction(name: string, op: (x: tf.Tensor, axis: number) => tf.Tensor) {
  return definePrimitive({
    name,
    abstractEval([x], p: { axes: number[]; index_dtype: DType }) {
      checkUnaryDtype(name, x, ANY);
      if (p.axes.length !== 1) throw new TypeError(`${name} only supports a single axis, got axes=${pyShape(p.axes)}`);
      if (x.shape[p.axes[0]] === 0) throw new Error(`${name} requires a non-empty reduced dimension: operand.shape=${pyShape(x.shape)} axes=${pyShape(p.axes)}`);
      return [new ShapedArray(reducedShape(name, x.shape, p.axes), p.index_dtype)];
    },
    impl([x], p, ctx) {
      // uint32 orders like int32 with the sign bit flipped.
      const src = ctx.inAvals[0].dtype === "uint32" ? tf.add(x, tf.scalar(-2147483648, "int32")) : ctx.inAvals[0].dtype === "bool" ? tf.cast(x, "int32") : x;
      const out = op(src, p.axes[0]);
      if (src !== x) src.dispose();
      return [out];
    },
  });
}
export const argmax_p = argReduction("argmax", (x, a) => tf.argMax(x, a));
export const argmin_p = argReduction("argmin", (x, a) => tf.argMin(x, a));

function cumulative(name: string, op: (x: tf.Tensor, axis: number, reverse: boolean) => tf.Tensor) {
  return definePrimitive({
    name,
    abstractEval([x], p: { axis: number; reverse: boolean }) {
      checkUnaryDtype(name, x, NUMBER);
      if (p.axis < 0 || p.axis >= x.ndim) throw new TypeError(`${name}: axis ${p.axis} is out of bounds for array of dimension ${x.ndim}`);
      return [x];
    },
    impl: ([x], p) => [op(x, p.axis, p.reverse)],
  });
}
export const cumsum_p = cumulative("cumsum", (x, axis, reverse) => tf.cumsum(x, axis, false, reverse));
export const cumprod_p = cumulative("cumprod", (x, axis, reverse) => tf.cumprod(x, axis, false, reverse));

// ---- dot_general --------------------------------------------------------------------------

export type DimensionNumbers = [[PyList<number>, PyList<number>], [PyList<number>, PyList<number>]];
type DotParams = { dimension_numbers: DimensionNumbers; precision: null; preferred_element_type: DType | null; out_sharding: null };

export function dotDimensionNumbers(lc: number[], rc: number[], lb: number[] = [], rb: number[] = []): DimensionNumbers {
  return [
    [new PyList(lc), new PyList(rc)],
    [new PyList(lb), new PyList(rb)],
  ];
}

export const dot_general_p = definePrimitive({
  name: "dot_general",
  abstractEval([a, b], p: DotParams) {
    const [[lc, rc], [lb, rb]] = p.dimension_numbers.map((x) => x.map((l) => [...l.items])) as number[][][];
    checkSameDtypes("dot_general", [a, b]);
    if (lb.length !== rb.length || lb.some((d, i) => a.shape[d] !== b.shape[rb[i]]))
      throw new TypeError(`dot_general requires lhs batch dimensions and rhs batch dimensions to have the same shape, got ${pyShape(lb.map((d) => a.shape[d]))} and ${pyShape(rb.map((d) => b.shape[d]))}.`);
    if (lc.length !== rc.length || lc.some((d, i) => a.shape[d] !== b.shape[rc[i]]))
      throw new TypeError(
        `dot_general requires contracting dimensions to have the same shape, got ${pyShape(lc.map((d) => a.shape[d]))} and ${pyShape(rc.map((d) => b.shape[d]))}.`,
      );
    const lfree = a.shape.map((_, i) => i).filter((i) => !lc.includes(i) && !lb.includes(i));
    const rfree = b.shape.map((_, i) => i).filter((i) => !rc.includes(i) && !rb.includes(i));
    const shape = [...lb.map((d) => a.shape[d]), ...lfree.map((d) => a.shape[d]), ...rfree.map((d) => b.shape[d])];
    return [new ShapedArray(shape, p.preferred_element_type ?? a.dtype, a.weakType && b.weakType)];
  },
  // Lowered as transpose + reshape + batched matMul: explicit transposes, never matMul's
  // transpose flags, which tfjs-wasm runs 10-40x slower.
  impl([a, b], p, ctx) {
    const [[lc, rc], [lb, rb]] = p.dimension_numbers.map((x) => x.map((l) => [...l.items])) as number[][][];
    const lfree = a.shape.map((_, i) => i).filter((i) => !lc.includes(i) && !lb.includes(i));
    const rfree = b.shape.map((_, i) => i).filter((i) => !rc.includes(i) && !rb.includes(i));
    const size = (s: number[], dims: number[]) => dims.reduce((n, d) => n * s[d], 1);
    const B = size(a.shape, lb);
    const M = size(a.shape, lfree);
    const K = size(a.shape, lc);
    const N = size(b.shape, rfree);
    const isIdentity = (perm: number[]) => perm.every((d, i) => d === i);
    return [
      tf.tidy(() => {
        const lp = [...lb, ...lfree, ...lc];
        const rp = [...rb, ...rc, ...rfree];
        let x = isIdentity(lp) ? a : tf.transpose(a, lp);
        let y = isIdentity(rp) ? b : tf.transpose(b, rp);
        const intOut = ctx.inAvals[0].dtype !== "float32";
        if (intOut) {
          x = tf.cast(x, "float32");
          y = tf.cast(y, "float32");
        }
        let out = tf.matMul(tf.reshape(x, [B, M, K]), tf.reshape(y, [B, K, N]));
        if (intOut) out = tf.cast(out, ctx.outAvals[0].dtype === "bool" ? "bool" : "int32");
        return tf.reshape(out, ctx.outAvals[0].shape as number[]);
      }),
    ];
  },
  printParams: (p) => {
    // JAX's dot_general pp rule hides params that are None.
    const kv: [string, unknown][] = [["dimension_numbers", p.dimension_numbers]];
    if (p.out_sharding != null) kv.push(["out_sharding", p.out_sharding]);
    if (p.precision != null) kv.push(["precision", p.precision]);
    if (p.preferred_element_type != null) kv.push(["preferred_element_type", p.preferred_element_type]);
    return kv;
  },
});
