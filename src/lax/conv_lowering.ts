// conv_general_dilated on tfjs kernels: operands are moved to tfjs's channels-last layout, lhs
// dilation and padding are applied explicitly, and what is left (a VALID convolution with
// strides and rhs dilation) runs as tf.conv2d (1-D and 2-D, and 0-D as 1x1), tf.conv3d, or
// tf.depthwiseConv2d; feature and batch groups are split into one convolution per group. A host
// loop with XLA's semantics covers the rest: integer and bool operands, more than 3 spatial dims.
import * as tf from "@tensorflow/tfjs-core";
import { type DType, isFloat, isUnsigned } from "../dtypes.js";
import { sizeOf } from "../jaxpr/aval.js";
import { hostData } from "./primitive.js";

/** What the lowering needs of conv_general_dilated's params. */
export interface ConvSpec {
  window_strides: readonly number[];
  padding: readonly (readonly [number, number])[];
  lhs_dilation: readonly number[];
  rhs_dilation: readonly number[];
  dimension_numbers: { lhsSpec: readonly number[]; rhsSpec: readonly number[]; outSpec: readonly number[] };
  feature_group_count: number;
  batch_group_count: number;
}

const range = (n: number) => [...Array(n).keys()];
const isIdentity = (perm: readonly number[]) => perm.every((d, i) => d === i);
const transpose = (x: tf.Tensor, perm: number[]) => (isIdentity(perm) ? x : tf.transpose(x, perm));

/** Inserts `d - 1` zeros between neighbours along `axis` (XLA's dilation), with tfjs ops. */
export function dilateAxis(x: tf.Tensor, axis: number, d: number): tf.Tensor {
  const n = x.shape[axis];
  if (d === 1 || n <= 1) return x;
  const zerosShape = [...x.shape];
  zerosShape.splice(axis + 1, 0, d - 1);
  zerosShape[axis] = n;
  const withZeros = tf.concat([tf.expandDims(x, axis + 1), tf.zeros(zerosShape, x.dtype)], axis + 1);
  const merged = [...x.shape];
  merged[axis] = n * d;
  const begin = x.shape.map(() => 0);
  const size = [...x.shape];
  size[axis] = (n - 1) * d + 1;
  return tf.slice(tf.reshape(withZeros, merged), begin, size);
}

/** Pads (or, where negative, crops) the axes listed in `axes` with the value `v`. */
export function padAxes(x: tf.Tensor, axes: readonly number[], pads: readonly (readonly [number, number])[], v: number): tf.Tensor {
  if (pads.some(([lo, hi]) => lo < 0 || hi < 0)) {
    const begin = x.shape.map(() => 0);
    const size = [...x.shape];
    axes.forEach((a, i) => {
      const [lo, hi] = pads[i];
      begin[a] = Math.max(0, -lo);
      size[a] = Math.max(0, x.shape[a] - begin[a] - Math.max(0, -hi));
    });
    x = tf.slice(x, begin, size);
  }
  if (pads.every(([lo, hi]) => lo <= 0 && hi <= 0)) return x;
  const cfg = x.shape.map((): [number, number] => [0, 0]);
  axes.forEach((a, i) => (cfg[a] = [Math.max(0, pads[i][0]), Math.max(0, pads[i][1])]));
  if (x.rank <= 4 || tf.getBackend() !== "webgl") return tf.pad(x, cfg, v);
  // tfjs's WebGL pad shader does not compile for rank 5 and up: concatenate the edges instead.
  cfg.forEach(([lo, hi], a) => {
    const edge = (n: number) => tf.fill(x.shape.map((d, k) => (k === a ? n : d)), v, x.dtype);
    if (lo > 0 || hi > 0) x = tf.concat([...(lo > 0 ? [edge(lo)] : []), x, ...(hi > 0 ? [edge(hi)] : [])], a);
  });
  return x;
}

/** Can tfjs run this convolution? (float32 operands, at most 3 spatial dimensions.) */
export const tfjsCanConv = (dtype: DType, rank: number): boolean => dtype === "float32" && rank <= 5;

/**
 * conv_general_dilated of float32 `lhs` and `rhs` on tfjs kernels; `outShape` is the result's
 * shape in the layout of out_spec (from the shape rule).
 */
export function convTfjs(lhs: tf.Tensor, rhs: tf.Tensor, p: ConvSpec, outShape: readonly number[]): tf.Tensor {
  const { lhsSpec: ls, rhsSpec: rs, outSpec: os } = p.dimension_numbers;
  const nsp = lhs.rank - 2;
  const I = rhs.shape[rs[1]];
  const kernelEmpty = rs.slice(2).some((d) => rhs.shape[d] === 0) || I === 0;
  if (sizeOf(outShape) === 0 || kernelEmpty) return tf.zeros(outShape as number[], "float32");
  return tf.tidy(() => {
    // Channels last: x is [N, spatial..., C], w is [spatial..., I, O].
    let x = transpose(lhs, [ls[0], ...ls.slice(2), ls[1]]);
    let w = transpose(rhs, [...rs.slice(2), rs[1], rs[0]]);
    p.lhs_dilation.forEach((d, i) => (x = dilateAxis(x, 1 + i, d)));
    x = padAxes(x, range(nsp).map((i) => 1 + i), p.padding, 0);
    let strides = [...p.window_strides];
    let dil = [...p.rhs_dilation];
    // tfjs wants 2 or 3 spatial dims: a 0-D conv is 1x1, a 1-D one has height 1.
    if (nsp < 2) {
      const add = 2 - nsp;
      x = tf.reshape(x, [x.shape[0], ...new Array(add).fill(1), ...x.shape.slice(1)]);
      w = tf.reshape(w, [...new Array(add).fill(1), ...w.shape]);
      strides = [...new Array(add).fill(1), ...strides];
      dil = [...new Array(add).fill(1), ...dil];
    }
    // tfjs takes strides or dilations, not both: then the kernel is dilated by hand.
    if (strides.some((s) => s > 1) && dil.some((d) => d > 1)) {
      dil.forEach((d, i) => (w = dilateAxis(w, i, d)));
      dil = dil.map(() => 1);
    }
    const run = (xs: tf.Tensor, ws: tf.Tensor): tf.Tensor =>
      xs.rank === 4
        ? tf.conv2d(xs as tf.Tensor4D, ws as tf.Tensor4D, strides as [number, number], "valid", "NHWC", dil as [number, number])
        : tf.conv3d(xs as tf.Tensor5D, ws as tf.Tensor5D, strides as [number, number, number], "valid", "NDHWC", dil as [number, number, number]);
    const G = p.feature_group_count;
    const B = p.batch_group_count;
    let out: tf.Tensor;
    if (G > 1 && I === 1 && x.rank === 4 && x.shape[3] === G) {
      // One input channel per group: a depthwise convolution, whose channel c*K + k is XLA's g*K + k.
      const [fh, fw, , O] = w.shape as number[];
      out = tf.depthwiseConv2d(x as tf.Tensor4D, tf.reshape(w, [fh, fw, G, O / G]) as tf.Tensor4D, strides as [number, number], "valid", "NHWC", dil as [number, number]);
    } else if (G > 1) {
      const xs = tf.split(x, G, x.rank - 1);
      const ws = tf.split(w, G, w.rank - 1);
      out = tf.concat(xs.map((xg, g) => run(xg, ws[g])), x.rank - 1);
    } else if (B > 1) {
      // Batch groups (group-major lhs batch, group-major output features).
      const xs = tf.split(x, B, 0);
      const ws = tf.split(w, B, w.rank - 1);
      out = tf.concat(xs.map((xg, g) => run(xg, ws[g])), x.rank - 1);
    } else out = run(x, w);
    if (nsp < 2) out = tf.reshape(out, [out.shape[0], ...out.shape.slice(1 + 2 - nsp)]);
    // [N, spatial..., O] to the output layout: output axis os[k] holds canonical dim k.
    const posOfCanonical = (k: number) => (k === 0 ? 0 : k === 1 ? nsp + 1 : k - 1);
    const perm = range(nsp + 2).map((j) => posOfCanonical(os.indexOf(j)));
    return transpose(out, perm);
  });
}

/** Host results (float64, integers already in `dtype`'s value set) as a tensor of dtype's storage type. */
export function hostTensor(v: Float64Array, shape: readonly number[], dtype: DType): tf.Tensor {
  const s = shape as number[];
  if (isFloat(dtype)) return tf.tensor(new Float32Array(v), s, "float32");
  if (dtype === "bool") return tf.tensor(Uint8Array.from(v, (x) => (x ? 1 : 0)), s, "bool");
  if (dtype === "uint32") return tf.tensor(new Int32Array(new Uint32Array(v).buffer), s, "int32");
  return tf.tensor(new Int32Array(v), s, "int32");
}

/** Wraps an integer result into `dtype`'s value set. */
function wrapInt(dtype: DType, v: number): number {
  if (dtype === "uint8") return v & 0xff;
  if (dtype === "uint16") return v & 0xffff;
  if (dtype === "int8") return (v << 24) >> 24;
  if (dtype === "int16") return (v << 16) >> 16;
  return isUnsigned(dtype) ? v >>> 0 : v | 0;
}

/**
 * conv_general_dilated with XLA's semantics, element by element on the host: integers wrap
 * (multiply-add in 32 bits), bools are or-of-ands, floats accumulate in float64.
 */
export function convHost(lhs: tf.Tensor, rhs: tf.Tensor, p: ConvSpec, dtype: DType, outDtype: DType, outShape: readonly number[]): tf.Tensor {
  const { lhsSpec: ls, rhsSpec: rs, outSpec: os } = p.dimension_numbers;
  const nsp = lhs.rank - 2;
  const L = hostData(lhs, dtype);
  const R = hostData(rhs, dtype);
  const strides = (s: readonly number[]) => s.map((_, i) => sizeOf(s.slice(i + 1)));
  const [lst, rst, ost] = [strides(lhs.shape), strides(rhs.shape), strides(outShape)];
  const N = lhs.shape[ls[0]];
  const O = rhs.shape[rs[0]];
  const I = rhs.shape[rs[1]];
  const G = p.feature_group_count;
  const B = p.batch_group_count;
  const M = N / B;
  const inSp = ls.slice(2).map((d) => lhs.shape[d]);
  const kSp = rs.slice(2).map((d) => rhs.shape[d]);
  const outSp = os.slice(2).map((d) => outShape[d]);
  const kSize = sizeOf(kSp);
  const out = new Float64Array(sizeOf(outShape));
  const float = isFloat(dtype);
  const bool = dtype === "bool";
  const o_ = new Array<number>(nsp);
  const k_ = new Array<number>(nsp);
  for (let n = 0; n < outShape[os[0]]; n++)
    for (let o = 0; o < O; o++) {
      const g = Math.floor(o / (O / G));
      const bg = Math.floor(o / (O / B));
      const nIn = B > 1 ? bg * M + n : n;
      for (let s = 0; s < sizeOf(outSp); s++) {
        let r = s;
        for (let d = nsp - 1; d >= 0; d--) {
          o_[d] = r % outSp[d];
          r = Math.floor(r / outSp[d]);
        }
        let acc = 0;
        for (let i = 0; i < I; i++) {
          const c = g * I + i;
          for (let k = 0; k < kSize; k++) {
            let rk = k;
            for (let d = nsp - 1; d >= 0; d--) {
              k_[d] = rk % kSp[d];
              rk = Math.floor(rk / kSp[d]);
            }
            let lOff = nIn * lst[ls[0]] + c * lst[ls[1]];
            let inside = true;
            for (let d = 0; d < nsp && inside; d++) {
              const pos = o_[d] * p.window_strides[d] + k_[d] * p.rhs_dilation[d] - p.padding[d][0];
              const ld = p.lhs_dilation[d];
              if (pos < 0 || pos % ld !== 0 || pos / ld >= inSp[d]) inside = false;
              else lOff += (pos / ld) * lst[ls[2 + d]];
            }
            if (!inside) continue;
            let rOff = o * rst[rs[0]] + i * rst[rs[1]];
            for (let d = 0; d < nsp; d++) rOff += k_[d] * rst[rs[2 + d]];
            const a = Number(L[lOff]);
            const b = Number(R[rOff]);
            if (float) acc += a * b;
            else if (bool) acc = acc || (a && b) ? 1 : 0;
            else acc = (acc + Math.imul(a, b)) | 0;
          }
        }
        let oOff = n * ost[os[0]] + o * ost[os[1]];
        for (let d = 0; d < nsp; d++) oOff += o_[d] * ost[os[2 + d]];
        out[oOff] = float || bool ? acc : wrapInt(dtype, acc);
      }
    }
  return hostTensor(out, outShape, outDtype);
}
