// Shape-changing primitives: broadcasting, reshapes, slicing, padding, iota.
import * as tf from "@tensorflow/tfjs-core";
import type { DType } from "../dtypes.js";
import { ShapedArray, pyShape, sizeOf } from "../jaxpr/aval.js";
import { checkSameDtypes, definePrimitive, hostData } from "./primitive.js";
import { tensorFrom } from "../array/array.js";

const tuple = (xs: readonly number[]) => pyShape(xs);

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
  printParams: (p) => (p.broadcast_dimensions.length ? [["broadcast_dimensions", p.broadcast_dimensions]] : []),
  impl([x], { shape, broadcast_dimensions }) {
    const expanded = shape.map(() => 1);
    broadcast_dimensions.forEach((d, i) => (expanded[d] = x.shape[i]));
    return [tf.tidy(() => tf.broadcastTo(tf.reshape(x, expanded), shape))];
  },
});

export const reshape_p = definePrimitive({
  name: "reshape",
  abstractEval([x], p: { new_sizes: number[]; dimensions: null; sharding: null }) {
    if (sizeOf(p.new_sizes) !== x.size)
      throw new TypeError(`reshape total size must be unchanged, got new_sizes ${tuple(p.new_sizes)} (of total size ${sizeOf(p.new_sizes)}) for shape ${tuple(x.shape)} (of total size ${x.size}).`);
    return [x.update({ shape: p.new_sizes })];
  },
  impl: ([x], p) => [tf.reshape(x, p.new_sizes)],
});

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

export const squeeze_p = definePrimitive({
  name: "squeeze",
  abstractEval([x], p: { dimensions: number[] }) {
    for (const d of p.dimensions)
      if (x.shape[d] !== 1) throw new TypeError(`cannot select an axis to squeeze out which has size not equal to one, got shape=${tuple(x.shape)} and dimensions=${tuple(p.dimensions)}`);
    return [x.update({ shape: x.shape.filter((_, i) => !p.dimensions.includes(i)) })];
  },
  impl: ([x], _p, ctx) => [tf.reshape(x, ctx.outAvals[0].shape as number[])],
});

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
  impl: (xs, p) => [xs.length === 1 ? tf.clone(xs[0]) : tf.concat(xs, p.dimension)],
});

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
});

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
});

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
