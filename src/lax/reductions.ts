// Reductions, arg-reductions, cumulative sums and dot_general, each followed by its jvp,
// transpose and batching rules (ported from JAX's lax.py and control_flow/loops.py).
import * as tf from "@tensorflow/tfjs-core";
import type { Array as JaxArray } from "../array/base.js";
import { type DType, isFloat } from "../dtypes.js";
import { ShapedArray, pyShape } from "../jaxpr/aval.js";
import { type Primitive, PyList } from "../jaxpr/jaxpr.js";
import { ANY, type DtypeSet, NUMBER, checkSameDtypes, checkUnaryDtype, definePrimitive, hostData } from "./primitive.js";
import { scalar, tensorFrom } from "../array/array.js";
import { bind1 } from "../tracer/core.js";
import { avalOf, defZeroJvp, defjvp, defjvp2, deflinear, instantiate, isUndefined, prim, tangentAval } from "../tracer/ad_util.js";
import { jvpFlat } from "../tracer/ad.js";
import { npInts, sortedParams } from "../jaxpr/npint.js";
// Wrappers that bind structural primitives as lax's functions do (structural.ts imports no file here).
import {
  argsort,
  broadcastInDim,
  concatenate,
  full,
  pad,
  range,
  reshape,
  rev,
  sliceInDim,
  squeeze,
  transpose,
} from "./structural.js";

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
    printParams: sortedParams(),
  });
}

/**
 * Reductions under vmap (JAX's reducer_batcher): the reduced axes shift past the batch axis
 * (numpy computes them, so they print as np.int64); the batch axis stays among the kept ones.
 */
function reducerBatcher(p: Primitive): NonNullable<Primitive["batch"]> {
  return ([x], [b], params) => {
    const axes = npInts((params.axes as number[]).map((a) => (a < b! ? a : a + 1)));
    const kept = range(x.ndim).filter((d) => !axes.includes(d));
    return [[bind1(p, [x], { ...params, axes })], [kept.indexOf(b!)]];
  };
}
const reduceSum = (x: JaxArray, axes: readonly number[]) => bind1(reduce_sum_p, [x], { axes: axes as number[], out_sharding: null });
const mul = (x: JaxArray, y: JaxArray) => bind1(prim("mul"), [x, y]);
const convert = (x: JaxArray, dtype: DType, weakType = false) => bind1(prim("convert_element_type"), [x], { new_dtype: dtype, sharding: null, weak_type: weakType });

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
    // An empty operand sums to zeros (an empty output if a kept axis is empty): tfjs-wasm's Sum
    // returns garbage for an empty reduced axis and traps (divide by zero) for an empty kept one.
    if (x.size === 0) return [tf.zeros(ctx.outAvals[0].shape as number[], "float32")];
    return [tf.sum(x, p.axes)];
  },
  printParams: sortedParams(),
});
// Transpose: the cotangent broadcast back over the summed axes (numpy computes the kept ones).
deflinear(reduce_sum_p, (ct, p, [x]) => {
  const shape = avalOf(x).shape;
  return [broadcastInDim(ct, shape, npInts(range(shape.length).filter((d) => !p.axes.includes(d))))];
});
reduce_sum_p.batch = reducerBatcher(reduce_sum_p);
export const reduce_max_p = reduction("reduce_max", ANY, (x, a) => tf.max(x, a), Math.max, (dt) => (dt === "float32" ? -Infinity : dt === "int32" ? -2147483648 : 0));
export const reduce_min_p = reduction("reduce_min", ANY, (x, a) => tf.min(x, a), Math.min, (dt) =>
  dt === "float32" ? Infinity : dt === "int32" ? 2147483647 : dt === "uint32" ? 4294967295 : 1,
);
export const reduce_prod_p = reduction("reduce_prod", NUMBER, (x, a) => tf.prod(x, a), (a, b) => Math.imul(a, b), () => 1);
export const reduce_and_p = reduction("reduce_and", null, (x, a) => tf.all(x, a), (a, b) => a & b, (dt) => (dt === "bool" ? 1 : -1));
export const reduce_or_p = reduction("reduce_or", null, (x, a) => tf.any(x, a), (a, b) => a | b, () => 0);

/**
 * max/min's tangent (JAX's _reduce_chooser_jvp_rule): the tangent averaged over the positions
 * that attain the extremum.
 */
function chooserJvp(g: JaxArray, ans: JaxArray, [x]: JaxArray[], p: AxesParams): JaxArray {
  const shape = x.shape.map((d, i) => (p.axes.includes(i) ? 1 : d));
  const location = convert(bind1(prim("eq"), [x, reshape(ans, shape)]), g.dtype);
  const counts = reduceSum(location, p.axes);
  return bind1(prim("div"), [reduceSum(mul(g, location), p.axes), counts]);
}
defjvp2(reduce_max_p, chooserJvp);
defjvp2(reduce_min_p, chooserJvp);

/**
 * prod's jvp (JAX's _reduce_jvp): the reduced axes flattened to the front, then the jvp of a
 * pairwise product tree, so the primal comes from the tree too.
 */
reduce_prod_p.jvp = ([x], [t], p: AxesParams) => {
  const shape = x.shape;
  const nonAxes = range(shape.length).filter((d) => !p.axes.includes(d));
  const perm = [...p.axes, ...nonAxes];
  const newShape = [p.axes.reduce((n, a) => n * shape[a], 1), ...nonAxes.map((d) => shape[d])];
  const xs = reshape(x, newShape, perm);
  const ts = reshape(t!, newShape, perm);
  const one = scalar(1, x.dtype, x.weakType && x.ndim === 0);
  const tree = (y: JaxArray): JaxArray => {
    while (y.shape[0] > 1) {
      const n = y.shape[0];
      const n1 = Math.floor((n + 1) / 2);
      const y1 = sliceInDim(y, 0, n1);
      let y2 = sliceInDim(y, n1, null);
      if (n - n1 !== n1) y2 = pad(y2, one, y.shape.map((_, i) => (i === 0 ? [0, 1, 0] : [0, 0, 0])));
      y = mul(y1, y2);
    }
    if (y.shape[0] === 0) return full(nonAxes.map((d) => shape[d]), 1, x.dtype);
    return squeeze(y, [0]);
  };
  const [[out], [tOut]] = jvpFlat((y) => [tree(y)], [xs], [ts], "reduce_prod");
  return [[out], [instantiate(tOut, tangentAval(out.aval))]];
};

for (const p of [reduce_max_p, reduce_min_p, reduce_prod_p, reduce_and_p, reduce_or_p]) p.batch = reducerBatcher(p);
// Logical reductions only see bool and integer values, which carry no tangents.
defZeroJvp(reduce_and_p);
defZeroJvp(reduce_or_p);

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
for (const p of [argmax_p, argmin_p]) {
  defZeroJvp(p);
  p.batch = reducerBatcher(p);
  p.printParams = sortedParams();
}

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
    // An empty operand is its own result: tfjs-wasm's Cumsum traps (divide by zero) on one.
    impl: ([x], p, ctx) => [
      x.size === 0 ? tf.clone(x) : intOp && ctx.inAvals[0].dtype !== "float32" ? hostScan(x, ctx.inAvals[0].dtype, p.axis, p.reverse, intOp) : op(x, p.axis, p.reverse),
    ],
  });
}
export const cumsum_p = cumulative("cumsum", (x, axis, reverse) => tf.cumsum(x, axis, false, reverse));
export const cumprod_p = cumulative("cumprod", (x, axis, reverse) => tf.cumprod(x, axis, false, reverse), (a, b) => Math.imul(a, b));
deflinear(cumsum_p, (ct, p) => [bind1(cumsum_p, [ct], { axis: p.axis, reverse: !p.reverse })]);
for (const p of [cumsum_p, cumprod_p])
  p.batch = ([x], [b], params) => [[bind1(p, [x], { ...params, axis: params.axis < b! ? params.axis : params.axis + 1 })], [b]];

/** `x[i] ⊕ x[j]` interleaved along `axis`: a at even positions, b at odd (JAX's _interleave). */
function interleave(a: JaxArray, b: JaxArray, axis: number): JaxArray {
  const equal = a.shape[axis] === b.shape[axis];
  const aPad = a.shape.map((_, i) => (i === axis ? [0, equal ? 1 : 0, 1] : [0, 0, 0]));
  const bPad = b.shape.map((_, i) => (i === axis ? [1, equal ? 0 : 1, 1] : [0, 0, 0]));
  const op = prim(a.dtype === "bool" ? "or" : "add");
  const pa = pad(a, scalar(0, a.dtype, false), aPad);
  return bind1(op, [pa, pad(b, scalar(0, b.dtype, false), bPad)]);
}

/**
 * lax.associative_scan of one array: combine adjacent pairs, scan those recursively, then fill
 * in the even positions (Blelloch's parallel prefix scan, as JAX writes it).
 */
function associativeScan(fn: (a: JaxArray, b: JaxArray) => JaxArray, x: JaxArray, axis: number, reverse: boolean): JaxArray {
  const scan = (e: JaxArray): JaxArray => {
    const n = e.shape[axis];
    if (n < 2) return e;
    const reduced = fn(sliceInDim(e, 0, -1, 2, axis), sliceInDim(e, 1, null, 2, axis));
    const odd = scan(reduced);
    const even = n % 2 === 0 ? fn(sliceInDim(odd, 0, -1, 1, axis), sliceInDim(e, 2, null, 2, axis)) : fn(odd, sliceInDim(e, 2, null, 2, axis));
    return interleave(concatenate([sliceInDim(e, 0, 1, 1, axis), even], axis), odd, axis);
  };
  const out = scan(reverse ? rev(x, [axis]) : x);
  return reverse ? rev(out, [axis]) : out;
}

// cumprod differentiates through the parallel prefix scan, as JAX does for every cumulative
// reduction but cumsum.
cumprod_p.jvp = ([x], [t], p) => {
  const [[out], [tOut]] = jvpFlat((y) => [associativeScan(mul, y, p.axis, p.reverse)], [x], [t], "cumprod");
  return [[out], [instantiate(tOut, tangentAval(out.aval))]];
};

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

/**
 * tfjs-wasm caches its XNNPACK matmul (batch 1) by the rhs buffer alone, not its shape: a buffer
 * used as the rhs in two shapes (x·x contracted fully, then its transpose's [1]×[6]) would get
 * the first shape's packed weights. A buffer seen in another shape is copied first.
 */
const wasmRhsShapes = new WeakMap<object, string>();
function wasmRhs(y: tf.Tensor): tf.Tensor {
  if (tf.getBackend() !== "wasm" || y.shape[0] !== 1) return y;
  const key = y.shape.join();
  const seen = wasmRhsShapes.get(y.dataId);
  if (seen === undefined) wasmRhsShapes.set(y.dataId, key);
  return seen === undefined || seen === key ? y : tf.mul(y, tf.scalar(1));
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
  // transpose flags, which tfjs-wasm runs 10-40x slower. (float32 on cpu and wasm runs
  // backends/matmul.ts instead: the same results without the copies.)
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
    // Nothing to contract: zeros (false); an empty result is made directly. tfjs-wasm's MatMul
    // leaves its output unwritten for K = 0 and traps (divide by zero) for an empty batch.
    if (K === 0 || B * M * N === 0) return [tensorFrom(new Array<number>(B * M * N).fill(0), ctx.outAvals[0].shape, ctx.outAvals[0].dtype)];
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
        let out = tf.matMul(tf.reshape(x, [B, M, K]), wasmRhs(tf.reshape(y, [B, K, N])));
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

// ---- dot_general's rules ----------------------------------------------------------------------

const dimsOf = (p: DotParams) => p.dimension_numbers.map((x) => x.map((l) => [...l.items])) as [[number[], number[]], [number[], number[]]];
const remaining = (n: number, ...removed: number[][]) => range(n).filter((d) => !removed.some((r) => r.includes(d)));

/** lax.dot_general with a rule's params (precision and the preferred type carried over). */
function dotGeneral(x: JaxArray, y: JaxArray, [[xc, yc], [xb, yb]]: number[][][], p: DotParams): JaxArray {
  return bind1(dot_general_p, [x, y], {
    dimension_numbers: dotDimensionNumbers(xc, yc, xb, yb),
    out_sharding: null,
    precision: p.precision,
    preferred_element_type: p.preferred_element_type,
  });
}

/**
 * The cotangent of dot_general's lhs (JAX's _dot_general_transpose_lhs): contract the output
 * cotangent with the rhs over the rhs's free dims, then permute into the lhs's axis order.
 */
function transposeLhs(g: JaxArray, x: { aval: ShapedArray }, y: { aval: ShapedArray }, [[xc, yc], [xb, yb]]: number[][][], p: DotParams, swapAns = false): JaxArray {
  const xKept = remaining(x.aval.ndim, xc, xb);
  const yKept = remaining(y.aval.ndim, yc, yb);
  const nb = xb.length;
  const ansBatch = range(nb);
  const ansY = swapAns ? range(nb, nb + yKept.length) : range(nb + xKept.length, nb + xKept.length + yKept.length);
  const xContractSortedByY = argsort(yc).map((i) => xc[i]);
  const outAxes = argsort([...xb, ...xKept, ...xContractSortedByY]);
  const xBar = transpose(dotGeneral(g, y as JaxArray, [[ansY, yKept], [ansBatch, yb]], p), outAxes);
  return xBar.dtype !== x.aval.dtype ? convert(xBar, x.aval.dtype, x.aval.weakType) : xBar;
}

// Bilinear (JAX's defbilinear): each operand's tangent contracts with the other operand.
defjvp(
  dot_general_p,
  (g, [, y], p) => bind1(dot_general_p, [g, y], p),
  (g, [x], p) => bind1(dot_general_p, [x, g], p),
);
dot_general_p.transpose = ([ct], [x, y], p) => {
  if (ct === null) return [null, null];
  const [[xc, yc], [xb, yb]] = dimsOf(p);
  if (isUndefined(x)) return [transposeLhs(ct, x, y, [[xc, yc], [xb, yb]], p), null];
  return [null, transposeLhs(ct, y, x, [[yc, xc], [yb, xb]], p, true)];
};

// vmap (JAX's _dot_general_batch_dim_nums): two batched operands get a new leading batch
// dimension; one batched operand's batch axis becomes one of its free dimensions.
dot_general_p.batch = ([l, r], [lbd, rbd], p) => {
  let [[lc, rc], [lb, rb]] = dimsOf(p);
  const bump = (dims: number[], b: number) => dims.map((d) => (d >= b ? d + 1 : d));
  let out: number;
  if (lbd !== null && rbd !== null) {
    [lb, rb, lc, rc] = [[lbd, ...bump(lb, lbd)], [rbd, ...bump(rb, rbd)], bump(lc, lbd), bump(rc, rbd)];
    out = 0;
  } else if (lbd !== null) {
    const lTensor = range(l.ndim).filter((d) => !lb.includes(d) && !lc.includes(d));
    out = lb.length + lTensor.filter((d) => d < lbd).length;
    [lb, lc] = [bump(lb, lbd), bump(lc, lbd)];
  } else {
    const rTensor = remaining(r.ndim, rb, rc);
    out = l.ndim - lc.length + rTensor.filter((d) => d < rbd!).length;
    [rb, rc] = [bump(rb, rbd!), bump(rc, rbd!)];
  }
  return [[dotGeneral(l, r, [[lc, rc], [lb, rb]], p)], [out]];
};
