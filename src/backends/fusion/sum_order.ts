// The order in which XLA's CPU backend adds up a float32 reduce_sum, where tfjax knows it, so that
// jnp.sum (and samplers built on it, such as maxwell's sum of three squares) round as JAX does.
// Measured on JAX 0.10.2 (scripts/jax_reference/sum_order.py): a sum over the last axis, of K
// elements per row,
//   - over fewer than 4096 elements in all, is XLA's own loop: a left fold in float32 starting
//     from the first element (the zero init is folded away), for K <= 32 at least (beyond, it
//     keeps several partial sums); in a kernel fused with its producer, LLVM contracts each
//     product that feeds an add into one FMA: t0 + t1 with t0 = a*b becomes fma(a, b, t1), then
//     fma(a_j, b_j, acc) for every later product;
//   - over 4096 elements or more, goes to YNNPACK, which sums even and odd positions apart:
//     (t0 + t2) + t1 for K = 3, (t0 + t2) + (t1 + t3) for K = 4 (products rounded first).
// Other reductions keep the backend's own order (tfjs-cpu: one float64 sum; tfjs-wasm: a float32
// fold), which may differ from JAX's in the last bit. On WebGL the order holds in fused kernels
// (glsl.ts sums short rows in the shader); an eager reduce_sum there is tfjs's.

import type { FusedProgram } from "./ir.js";

export type SumOrder = "fold" | "pairs";

/** Above this many elements XLA's CPU backend hands a reduction to YNNPACK. */
const YNNPACK_MIN = 4096;
/** The longest rows whose XLA order was checked to be a plain fold. */
const FOLD_MAX = 32;

/** XLA CPU's order for a float32 sum of `shape` over `axes`, or null where it is not known here. */
export function xlaSumOrder(shape: readonly number[], axes: readonly number[]): SumOrder | null {
  if (axes.length !== 1 || axes[0] !== shape.length - 1) return null;
  const k = shape[axes[0]];
  if (k < 2) return null;
  const total = shape.reduce((a, b) => a * b, 1);
  if (total < YNNPACK_MIN) return k <= FOLD_MAX ? "fold" : null;
  return k <= 4 ? "pairs" : null;
}

/**
 * A fused program's reduction in XLA's order: the row length k, the order, and the product a*b
 * (node indices) that is the summand, when a fold contracts it (a float32 mul read by nothing
 * else); null when the program's sum keeps the backend's order.
 */
export function orderedReduction(p: FusedProgram): { k: number; order: SumOrder; product: { a: number; b: number } | null } | null {
  const order = p.reduceSum?.order;
  if (!order) return null;
  const k = p.shape[p.reduceSum!.axes[0]];
  const out = p.outputs[0];
  const n = p.nodes[out];
  const readElsewhere = p.nodes.some((m) => ("a" in m && m.a === out) || ("b" in m && m.b === out) || (m.op === "select" && (m.c === out || m.t === out || m.f === out)) || (m.op === "fma" && m.c === out));
  const product = order === "fold" && n.op === "binary" && n.fn === "mul" && n.type === "f32" && !readElsewhere ? { a: n.a, b: n.b } : null;
  return { k, order, product };
}

/**
 * Source of the sum of t(0..k-1) in `order`: `t(j)` spells the j-th rounded summand, `fma(j, c)`
 * (when the summands are products a*b to contract) the fused a_j*b_j + c, `round(s)` a float32
 * rounding of s (JS: F(s); GLSL float arithmetic rounds already).
 */
export function sumSource(k: number, order: SumOrder, t: (j: number) => string, fma?: (j: number, c: string) => string, round = (s: string) => `F(${s})`): string {
  if (order === "pairs") {
    const half = (from: number) => {
      let s = t(from);
      for (let j = from + 2; j < k; j += 2) s = round(`${s} + ${t(j)}`);
      return s;
    };
    return round(`${half(0)} + ${half(1)}`);
  }
  let s = fma ? fma(0, t(1)) : round(`${t(0)} + ${t(1)}`);
  for (let j = 2; j < k; j++) s = fma ? fma(j, s) : round(`${s} + ${t(j)}`);
  return s;
}

/** One row's sum, compiled from sumSource (so the order is written once), per (k, order). */
type RowSum = (x: Float32Array, o: number, F: (v: number) => number) => number;
const rowSum = new Map<string, RowSum>();

/** Row sums of `x` (rows of k, contiguous) in `order`, no contraction: the unfused reduce_sum. */
export function sumRows(x: Float32Array, k: number, order: SumOrder): Float32Array {
  const key = `${k}/${order}`;
  let sum = rowSum.get(key);
  if (!sum) rowSum.set(key, (sum = new Function("x", "o", "F", `return ${sumSource(k, order, (j) => `x[o + ${j}]`)};`) as RowSum));
  const out = new Float32Array(x.length / k);
  for (let r = 0, o = 0; r < out.length; r++, o += k) out[r] = sum(x, o, Math.fround);
  return out;
}
