// Kernels of the windowed reductions. Max/min/sum pooling of float32 over at most two windowed
// axes runs on tfjs (maxPool, or a conv2d with a kernel of ones for sums) after the other axes are
// folded into the batch; everything else (integers, dilations, more windowed axes) and the
// select-and-scatter/gather pair behind max pooling's derivatives walk the windows on the host
// with XLA's semantics.
import * as tf from "@tensorflow/tfjs-core";
import { type DType, isFloat, isUnsigned } from "../dtypes.js";
import { sizeOf } from "../jaxpr/aval.js";
import { hostData } from "./primitive.js";
import { hostTensor, padAxes } from "./conv_lowering.js";

export interface WindowSpec {
  window_dimensions: readonly number[];
  window_strides: readonly number[];
  padding: readonly (readonly [number, number])[];
  base_dilation?: readonly number[];
  window_dilation?: readonly number[];
}

export type Monoid = "sum" | "max" | "min";

const range = (n: number) => [...Array(n).keys()];
const ones = (n: number) => new Array<number>(n).fill(1);
const stridesOf = (s: readonly number[]) => s.map((_, i) => sizeOf(s.slice(i + 1)));

/** lax._get_max_identity / _get_min_identity. */
export function identityOf(kind: Monoid, dtype: DType): number {
  if (kind === "sum") return 0;
  const hi = kind === "min";
  if (isFloat(dtype)) return hi ? Infinity : -Infinity;
  if (dtype === "bool") return hi ? 1 : 0;
  if (isUnsigned(dtype)) return hi ? (dtype === "uint8" ? 0xff : dtype === "uint16" ? 0xffff : 0xffffffff) : 0;
  const bits = dtype === "int8" ? 8 : dtype === "int16" ? 16 : 32;
  return hi ? 2 ** (bits - 1) - 1 : -(2 ** (bits - 1));
}

// XLA's max and min propagate NaN.
const OPS: Record<Monoid, (a: number, b: number) => number> = {
  sum: (a, b) => a + b,
  max: (a, b) => (a !== a || a > b ? a : b),
  min: (a, b) => (a !== a || a < b ? a : b),
};

/**
 * Visits each window: `visit(out, pos)` for each output position gets the flat operand offset of
 * every window element (-1 for padding and base-dilation holes), in row-major window order.
 */
export function forEachWindow(inShape: readonly number[], outShape: readonly number[], p: WindowSpec, visit: (out: number, offsets: Int32Array) => void): void {
  const n = inShape.length;
  const win = p.window_dimensions;
  const bd = p.base_dilation ?? ones(n);
  const wd = p.window_dilation ?? ones(n);
  const inSt = stridesOf(inShape);
  // table[d][o * win[d] + w]: the offset along axis d of window element w of output o (-1: a hole or padding).
  const table = range(n).map((d) => {
    const t = new Int32Array(outShape[d] * win[d]);
    for (let o = 0; o < outShape[d]; o++)
      for (let w = 0; w < win[d]; w++) {
        const pos = o * p.window_strides[d] + w * wd[d] - p.padding[d][0];
        t[o * win[d] + w] = pos < 0 || pos % bd[d] !== 0 || pos / bd[d] >= inShape[d] ? -1 : (pos / bd[d]) * inSt[d];
      }
    return t;
  });
  const k = sizeOf(win);
  let offs = new Int32Array(k);
  let next = new Int32Array(k);
  const o = new Array<number>(n).fill(0);
  const total = sizeOf(outShape);
  for (let flat = 0; flat < total; flat++) {
    // Window offsets, row-major: the per-axis offsets summed axis by axis.
    let len = 1;
    offs[0] = 0;
    for (let d = 0; d < n; d++) {
      const base = o[d] * win[d];
      let m = 0;
      for (let i = 0; i < len; i++) {
        const a = offs[i];
        for (let w = 0; w < win[d]; w++) {
          const t = table[d][base + w];
          next[m++] = a < 0 || t < 0 ? -1 : a + t;
        }
      }
      const tmp = offs;
      offs = next;
      next = tmp;
      len = m;
    }
    visit(flat, offs);
    for (let d = n - 1; d >= 0; d--) {
      if (++o[d] < outShape[d]) break;
      o[d] = 0;
    }
  }
}

/** reduce_window_{sum,max,min} element by element, holes and padding taking the identity. */
export function reduceWindowHost(x: tf.Tensor, kind: Monoid, dtype: DType, p: WindowSpec, outShape: readonly number[]): tf.Tensor {
  const data = hostData(x, dtype);
  const init = identityOf(kind, dtype);
  const op = OPS[kind];
  const intSum = kind === "sum" && !isFloat(dtype);
  const out = new Float64Array(sizeOf(outShape));
  forEachWindow(x.shape, outShape, p, (i, offs) => {
    let acc = init;
    for (let j = 0; j < offs.length; j++) {
      const off = offs[j];
      if (off < 0) continue;
      const v = Number(data[off]);
      acc = intSum ? (acc + v) | 0 : op(acc, v);
    }
    out[i] = acc;
  });
  return hostTensor(out, outShape, dtype);
}

/**
 * XLA's variadic reduce_window over (operand, tangent) pairs that select_and_gather_add lowers to:
 * from (identity, 0), the pair kept is replaced by the next unless select(kept, next); padding and
 * holes are skipped.
 */
export function selectAndGatherAddHost(t: tf.Tensor, x: tf.Tensor, ge: boolean, dtype: DType, p: WindowSpec, outShape: readonly number[]): tf.Tensor {
  const xs = hostData(x, dtype);
  const ts = hostData(t, dtype);
  const init = ge ? -Infinity : Infinity;
  const out = new Float64Array(sizeOf(outShape));
  forEachWindow(x.shape, outShape, p, (i, offs) => {
    let k = init;
    let v = 0;
    for (let j = 0; j < offs.length; j++) {
      const off = offs[j];
      if (off < 0) continue;
      const ek = Number(xs[off]);
      if (!(ge ? k >= ek : k <= ek)) {
        k = ek;
        v = Number(ts[off]);
      }
    }
    out[i] = v;
  });
  return hostTensor(out, outShape, dtype);
}

/**
 * select_and_scatter_add as JAX lowers it on CPU: the operand padded with the select's identity,
 * in each window the first element wins unless select(winner, next) fails, and the window's
 * source value is added at the winner (winners in the padding are dropped).
 */
export function selectAndScatterAddHost(source: tf.Tensor, x: tf.Tensor, ge: boolean, dtype: DType, p: WindowSpec): tf.Tensor {
  const xs = hostData(x, dtype);
  const ss = hostData(source, dtype);
  const init = ge ? -Infinity : Infinity;
  const out = new Float64Array(sizeOf(x.shape));
  forEachWindow(x.shape, source.shape, p, (i, offs) => {
    let best = -2;
    let bk = 0;
    for (let j = 0; j < offs.length; j++) {
      const off = offs[j];
      const ek = off < 0 ? init : Number(xs[off]);
      if (best === -2 || !(ge ? bk >= ek : bk <= ek)) {
        best = off;
        bk = ek;
      }
    }
    if (best >= 0) out[best] += Number(ss[i]);
  });
  return hostTensor(out, x.shape, dtype);
}

/**
 * reduce_window_{sum,max,min} of float32 on tfjs pooling kernels, or null where they do not
 * apply (dilations, more than two windowed axes).
 */
export function reduceWindowTfjs(x: tf.Tensor, kind: Monoid, p: WindowSpec, outShape: readonly number[]): tf.Tensor | null {
  const n = x.rank;
  if ((p.base_dilation ?? ones(n)).some((d) => d !== 1) || (p.window_dilation ?? ones(n)).some((d) => d !== 1)) return null;
  const active = range(n).filter((d) => p.window_dimensions[d] !== 1 || p.window_strides[d] !== 1 || p.padding[d][0] !== 0 || p.padding[d][1] !== 0);
  if (active.length > 2) return null;
  if (sizeOf(outShape) === 0) return tf.zeros(outShape as number[], "float32");
  return tf.tidy(() => {
    if (active.length === 0) return tf.clone(x);
    // Axes before the first windowed one fold into the batch, the others into the channels
    // (NHWC pooling needs no transpose at all).
    const pre = range(active[0]).filter((d) => !active.includes(d));
    const post = range(n).filter((d) => d > active[0] && !active.includes(d));
    const perm = [...pre, ...active, ...post];
    let y = perm.every((d, i) => d === i) ? x : tf.transpose(x, perm);
    y = padAxes(y, active.map((_, i) => pre.length + i), active.map((d) => p.padding[d]), kind === "sum" ? 0 : kind === "max" ? -Infinity : Infinity);
    const batch = sizeOf(pre.map((d) => x.shape[d]));
    const channels = sizeOf(post.map((d) => x.shape[d]));
    const spatial = active.map((_, i) => y.shape[pre.length + i]);
    const win = active.map((d) => p.window_dimensions[d]);
    const str = active.map((d) => p.window_strides[d]);
    if (active.length === 1) {
      spatial.unshift(1);
      win.unshift(1);
      str.unshift(1);
    }
    let y4: tf.Tensor4D = tf.reshape(y, [batch, spatial[0], spatial[1], channels]);
    const [w2, s2] = [win as [number, number], str as [number, number]];
    // cpu and wasm pool with their kernels; WebGL's start max pooling from -1e20 (so windows of
    // -inf, or of anything below, come out wrong) and its depthwise conv is inexact: there a
    // window is folded from strided slices.
    const local = tf.getBackend() === "cpu" || tf.getBackend() === "wasm";
    const fold = (t: tf.Tensor4D, op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): tf.Tensor => {
      const [B, Hh, Ww, C] = t.shape;
      const [oh, ow] = [Math.floor((Hh - w2[0]) / s2[0]) + 1, Math.floor((Ww - w2[1]) / s2[1]) + 1];
      let acc: tf.Tensor | null = null;
      for (let i = 0; i < w2[0]; i++)
        for (let j = 0; j < w2[1]; j++) {
          const sl = tf.stridedSlice(t, [0, i, j, 0], [B, i + (oh - 1) * s2[0] + 1, j + (ow - 1) * s2[1] + 1, C], [1, s2[0], s2[1], 1]);
          acc = acc === null ? sl : op(acc, sl);
        }
      return acc!;
    };
    const maxPool = (t: tf.Tensor4D) => (local ? tf.maxPool(t, w2, s2, "valid") : fold(t, tf.maximum));
    let out: tf.Tensor;
    if (kind === "sum") {
      out = local ? tf.depthwiseConv2d(y4, tf.ones([w2[0], w2[1], channels, 1]) as tf.Tensor4D, s2, "valid") : fold(y4, tf.add);
    } else {
      if (kind === "min") y4 = tf.neg(y4) as tf.Tensor4D;
      // tfjs's maxPool skips NaN (and on wasm mishandles it); XLA's max propagates it. Where
      // reading back is cheap (cpu, wasm), the NaN path runs only when there is a NaN.
      const nan = tf.isNaN(y4);
      if (local && !tf.any(nan).dataSync()[0]) out = maxPool(y4);
      else {
        out = maxPool(tf.where(nan, tf.fill(y4.shape, -Infinity), y4) as tf.Tensor4D);
        const anyNan = maxPool(tf.cast(nan, "float32") as tf.Tensor4D);
        out = tf.where(tf.greater(anyNan, 0), tf.fill(out.shape, NaN), out);
      }
      if (kind === "min") out = tf.neg(out);
    }
    const permuted = perm.map((d) => outShape[d]);
    const inv = range(n).map((d) => perm.indexOf(d));
    const res = tf.reshape(out, permuted);
    return inv.every((d, i) => d === i) ? res : tf.transpose(res, inv);
  });
}
