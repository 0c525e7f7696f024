// Reductions, arg-reductions, cumulative sums and dot_general.
import * as tf from "@tensorflow/tfjs-core";
import { type DType, isFloat } from "../dtypes.js";
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

/** `accepted: null` makes a logical reduction: bool or integers (bitwise), weak type stripped. */
function reduction(
  name: string,
  accepted: DtypeSet | null,
  op: (x: tf.Tensor, axes: number[]) => tf.Tensor,
  hostOp: ((a: number, b: number) => number) | undefined,
  identity: (dt: DType) => number,
) {
  return definePrimitive({
    name,
    abstractEval([x], p: AxesParams) {
      if (accepted) checkUnaryDtype(name, x, accepted);
      else if (isFloat(x.dtype)) throw new TypeError(`logical reduction requires operand dtype bool or int, got ${x.dtype}.`);
      return [x.update({ shape: reducedShape(name, x.shape, p.axes), weakType: accepted !== null && x.weakType })];
    },
    impl([x], p, ctx) {
      const dt = ctx.inAvals[0].dtype;
      if (p.axes.length === 0) return [tf.clone(x)];
      // Reducing nothing gives the identity (tfjs says NaN or 0).
      const outShape = ctx.outAvals[0].shape;
      if (x.size === 0) return [tensorFrom(new Array<number>(outShape.reduce((a, b) => a * b, 1)).fill(identity(dt)), outShape, dt)];
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
    // An empty reduction is the identity; tfjs-wasm's Sum returns garbage for it.
    if (p.axes.some((a) => x.shape[a] === 0)) return [tf.zeros(ctx.outAvals[0].shape as number[], "float32")];
    return [tf.sum(x, p.axes)];
  },
});
export const reduce_max_p = reduction("reduce_max", ANY, (x, a) => tf.max(x, a), Math.max, (dt) => (dt === "float32" ? -Infinity : dt === "int32" ? -2147483648 : 0));
export const reduce_min_p = reduction("reduce_min", ANY, (x, a) => tf.min(x, a), Math.min, (dt) =>
  dt === "float32" ? Infinity : dt === "int32" ? 2147483647 : dt === "uint32" ? 4294967295 : 1,
);
export const reduce_prod_p = reduction("reduce_prod", NUMBER, (x, a) => tf.prod(x, a), (a, b) => Math.imul(a, b), () => 1);
export const reduce_and_p = reduction("reduce_and", null, (x, a) => tf.all(x, a), (a, b) => a & b, (dt) => (dt === "bool" ? 1 : -1));
export const reduce_or_p = reduction("reduce_or", null, (x, a) => tf.any(x, a), (a, b) => a | b, () => 0);

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
      const [axis] = p.axes;
      const dt = ctx.inAvals[0].dtype;
      return [
        tf.tidy(() => {
          // uint32 orders like int32 with the sign bit flipped.
          const src = dt === "uint32" ? tf.add(x, tf.scalar(-2147483648, "int32")) : dt === "bool" ? tf.cast(x, "int32") : x;
          const out = op(src, axis);
          if (dt !== "float32") return out;
          // NaN is the extreme value for both, as in JAX: the first NaN wins.
          const nan = tf.isNaN(x);
          return tf.where(tf.any(nan, axis), tf.argMax(tf.cast(nan, "int32"), axis), out);
        }),
      ];
    },
  });
}
export const argmax_p = argReduction("argmax", (x, a) => tf.argMax(x, a));
export const argmin_p = argReduction("argmin", (x, a) => tf.argMin(x, a));

/** A scan along `axis` on the host, for integer products (tfjs multiplies in float64 and loses the low bits). */
function hostScan(x: tf.Tensor, dt: DType, axis: number, reverse: boolean, f: (a: number, b: number) => number): tf.Tensor {
  const src = hostData(x, dt);
  const out = new Array<number>(src.length);
  const n = x.shape[axis];
  const inner = x.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  for (let o = 0; o < src.length; o += n * inner)
    for (let i = 0; i < inner; i++) {
      let acc = 0;
      for (let k = 0; k < n; k++) {
        const j = o + (reverse ? n - 1 - k : k) * inner + i;
        acc = k === 0 ? Number(src[j]) : f(acc, Number(src[j]));
        out[j] = acc;
      }
    }
  return tensorFrom(out, x.shape, dt);
}

function cumulative(name: string, op: (x: tf.Tensor, axis: number, reverse: boolean) => tf.Tensor, intOp?: (a: number, b: number) => number) {
  return definePrimitive({
    name,
    abstractEval([x], p: { axis: number; reverse: boolean }) {
      checkUnaryDtype(name, x, NUMBER);
      if (p.axis < 0 || p.axis >= x.ndim) throw new TypeError(`${name}: axis ${p.axis} is out of bounds for array of dimension ${x.ndim}`);
      return [x];
    },
    impl: ([x], p, ctx) => [intOp && ctx.inAvals[0].dtype !== "float32" ? hostScan(x, ctx.inAvals[0].dtype, p.axis, p.reverse, intOp) : op(x, p.axis, p.reverse)],
  });
}
export const cumsum_p = cumulative("cumsum", (x, axis, reverse) => tf.cumsum(x, axis, false, reverse));
export const cumprod_p = cumulative("cumprod", (x, axis, reverse) => tf.cumprod(x, axis, false, reverse), (a, b) => Math.imul(a, b));

// ---- dot_general --------------------------------------------------------------------------

export type DimensionNumbers = [[PyList<number>, PyList<number>], [PyList<number>, PyList<number>]];
type DotParams = { dimension_numbers: DimensionNumbers; precision: null; preferred_element_type: DType | null; out_sharding: null };

export function dotDimensionNumbers(lc: number[], rc: number[], lb: number[] = [], rb: number[] = []): DimensionNumbers {
  return [
    [new PyList(lc), new PyList(rc)],
    [new PyList(lb), new PyList(rb)],
  ];
}

/** [B,M,K] x [B,K,N] in wrapping 32-bit integer arithmetic. */
function hostMatMul(x: tf.Tensor, y: tf.Tensor, dt: DType, out: ShapedArray): tf.Tensor {
  const [B, M, K] = x.shape as [number, number, number];
  const N = y.shape[2] as number;
  const xs = hostData(x, dt);
  const ys = hostData(y, dt);
  const res = new Array<number>(B * M * N);
  for (let b = 0; b < B; b++)
    for (let m = 0; m < M; m++)
      for (let n = 0; n < N; n++) {
        let acc = 0;
        for (let k = 0; k < K; k++) acc = (acc + Math.imul(xs[(b * M + m) * K + k], ys[(b * K + k) * N + n])) | 0;
        res[(b * M + m) * N + n] = acc;
      }
  return tensorFrom(res, out.shape, out.dtype);
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
        const dt = ctx.inAvals[0].dtype;
        // Integers wrap, multiply-add by multiply-add: on the host (float32 matMul keeps 24 bits).
        if (dt !== "float32" && dt !== "bool") return hostMatMul(tf.reshape(x, [B, M, K]), tf.reshape(y, [B, K, N]), dt, ctx.outAvals[0]);
        const intOut = dt !== "float32";
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
