// The random primitives with JAX's names, params and abstract-eval rules (jax/_src/random/prng.py
// and threefry2x32.py). Their kernels run on the host over uint32 words (src/prng/impl.ts): the
// hash is 32-bit integer arithmetic that tfjs cannot do exactly on every backend. A key array is
// stored as uint32[...shape, 2]; its aval is `key<fry>[...shape]`.
import * as tf from "@tensorflow/tfjs-core";
import { type DType, isKey } from "../dtypes.js";
import { ShapedArray, pyShape, sizeOf } from "../jaxpr/aval.js";
import { broadcastingShape, definePrimitive, hostData } from "../lax/primitive.js";
import { tensorFrom } from "../array/array.js";
import { threefry2x32 } from "./threefry.js";
import * as fry from "./impl.js";
import { randomBitsWasm } from "./threefry_wasm.js";
import { bind } from "../tracer/core.js";
import { defbroadcasting, defvectorized, moveaxis } from "../tracer/batching.js";

export const KEY: DType = "key<fry>";
const keyAval = (shape: readonly number[]) => new ShapedArray(shape, KEY);

/** A tensor's words as uint32 (keys and uint32 are stored as int32 bits). */
const words = (t: tf.Tensor): Uint32Array => hostData(t, "uint32") as Uint32Array;

/**
 * uint32 words as a tensor, stored as tensorFrom stores uint32 (int32 bits) but without its
 * per-element copy (~250 ns an element, 10x the hash itself): the words go in as an Int32Array view.
 */
const wordsTensor = (w: Uint32Array, shape: readonly number[]): tf.Tensor => tf.tensor(new Int32Array(w.buffer, w.byteOffset, w.length), shape as number[], "int32");

/** Words of `t` broadcast to `shape` (a size-1 tensor stays one word). */
function wordsAt(t: tf.Tensor, shape: readonly number[]): Uint32Array {
  if (t.size === 1 || t.shape.join() === shape.join()) return words(t);
  const b = tf.broadcastTo(t, shape as number[]);
  const w = words(b);
  b.dispose();
  return w;
}

// ---- the hash and its counters --------------------------------------------------------------

/** `threefry2x32 k1 k2 x0 x1`: Threefry-2x32 (20 rounds) of the pairs (x0, x1) under (k1, k2). */
export const threefry2x32_p = definePrimitive({
  name: "threefry2x32",
  abstractEval(avals) {
    if (avals.some((a) => a.dtype !== "uint32"))
      throw new TypeError(`Arguments to threefry2x32 must have uint32 type, got (${avals.map((a) => a.strShort()).join(", ")})`);
    const shape = broadcastingShape("threefry2x32", avals);
    return [new ShapedArray(shape, "uint32"), new ShapedArray(shape, "uint32")];
  },
  impl(args, _p, ctx) {
    const shape = ctx.outAvals[0].shape;
    const [k1, k2, x0, x1] = args.map((t) => wordsAt(t, shape));
    const n = sizeOf(shape);
    const full = (w: Uint32Array) => (w.length === n ? w : new Uint32Array(n).fill(w[0] ?? 0));
    const key = (w: Uint32Array) => (w.length === 1 ? w[0] : full(w));
    const [y0, y1] = threefry2x32(key(k1), key(k2), full(x0), full(x1));
    return [wordsTensor(y0, shape), wordsTensor(y1, shape)];
  },
});

/** `iota_2x32_shape[shape=...]`: the row-major index of each element as (high, low) uint32 words. */
export const iota_2x32_shape_p = definePrimitive({
  name: "iota_2x32_shape",
  abstractEval(_avals, p: { shape: number[] }) {
    return [new ShapedArray(p.shape, "uint32"), new ShapedArray(p.shape, "uint32")];
  },
  impl(_args, p) {
    const n = sizeOf(p.shape);
    const hi = new Uint32Array(n);
    const lo = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      hi[i] = Math.floor(i / 4294967296);
      lo[i] = i % 4294967296;
    }
    return [wordsTensor(hi, p.shape), wordsTensor(lo, p.shape)];
  },
});

// ---- keys -----------------------------------------------------------------------------------

type Impl = { impl: "fry" };

/** `random_seed[impl=fry] seeds`: an integer array of seeds becomes a key array of its shape. */
export const random_seed_p = definePrimitive({
  name: "random_seed",
  abstractEval([s], _p: Impl) {
    if (isKey(s.dtype) || s.dtype === "bool" || s.dtype.startsWith("float"))
      throw new TypeError(`PRNG key seed must be an integer; got ${s.dtype}`);
    return [keyAval(s.shape)];
  },
  impl([s], _p, ctx) {
    const seeds = hostData(s, ctx.inAvals[0].dtype);
    const out = new Uint32Array(2 * seeds.length);
    for (let i = 0; i < seeds.length; i++) [out[2 * i], out[2 * i + 1]] = fry.seed(seeds[i]);
    return [tensorFrom(out, ctx.outAvals[0].shape, KEY)];
  },
});

/** `random_wrap[impl=fry] data`: uint32[..., 2] key data viewed as a key array. */
export const random_wrap_p = definePrimitive({
  name: "random_wrap",
  abstractEval([x], _p: Impl) {
    if (x.ndim < 1) throw new TypeError(`JAX encountered invalid PRNG key data: expected key_data.ndim >= 1; got ndim=${x.ndim}`);
    if (x.shape[x.ndim - 1] !== 2)
      throw new TypeError(`JAX encountered invalid PRNG key data: expected key_data.shape to end with (2,); got shape=${pyShape(x.shape)} for impl=PRNGImpl(threefry2x32)`);
    if (x.dtype !== "uint32") throw new TypeError(`JAX encountered invalid PRNG key data: expected key_data.dtype = uint32; got dtype=${x.dtype}`);
    return [keyAval(x.shape.slice(0, -1))];
  },
  impl: ([x]) => [tf.clone(x)],
});

/** `random_unwrap keys`: the uint32[..., 2] data under a key array. */
export const random_unwrap_p = definePrimitive({
  name: "random_unwrap",
  abstractEval([k]) {
    if (!isKey(k.dtype)) throw new TypeError(`random_unwrap takes key array operand, got keys.dtype=dtype('${k.dtype}')`);
    return [new ShapedArray([...k.shape, 2], "uint32")];
  },
  impl: ([k]) => [tf.clone(k)],
});

function checkKeys(name: string, k: ShapedArray): void {
  if (!isKey(k.dtype)) throw new TypeError(`${name} takes a key array operand, got dtype ${k.dtype}`);
}

/** `random_split[shape=(2,)] keys`: each key becomes `shape` new keys (trailing axes). */
export const random_split_p = definePrimitive({
  name: "random_split",
  abstractEval([k], p: { shape: number[] }) {
    checkKeys("random_split", k);
    return [keyAval([...k.shape, ...p.shape])];
  },
  impl([k], p, ctx) {
    const ws = words(k);
    const n = sizeOf(p.shape);
    const out = new Uint32Array(ws.length * n);
    for (let i = 0; 2 * i < ws.length; i++) fry.split(ws[2 * i], ws[2 * i + 1], n, out, 2 * n * i);
    return [wordsTensor(out, [...ctx.outAvals[0].shape, 2])];
  },
});

/** `random_fold_in keys msgs`: keys and uint32 messages, broadcast against each other. */
export const random_fold_in_p = definePrimitive({
  name: "random_fold_in",
  abstractEval([k, m]) {
    checkKeys("random_fold_in", k);
    if (m.dtype !== "uint32") throw new TypeError(`random_fold_in requires uint32 messages, got ${m.dtype}`);
    return [keyAval(broadcastingShape("random_fold_in", [k, m]))];
  },
  impl([k, m], _p, ctx) {
    const shape = ctx.outAvals[0].shape;
    const n = sizeOf(shape);
    // A scalar key is its two words; other key arrays broadcast with their trailing word axis.
    const ks = k.shape.length === 1 ? words(k) : wordsAt(k, [...shape, 2]);
    const ms = wordsAt(m, shape);
    const out = new Uint32Array(2 * n);
    for (let i = 0; i < n; i++) {
      const j = ks.length === 2 ? 0 : i;
      [out[2 * i], out[2 * i + 1]] = fry.foldIn(ks[2 * j], ks[2 * j + 1], ms.length === 1 ? ms[0] : ms[i]);
    }
    return [tensorFrom(out, shape, KEY)];
  },
});

/** `random_bits[bit_width=32 shape=(3,)] keys`: `shape` random unsigned words per key. */
export const random_bits_p = definePrimitive({
  name: "random_bits",
  abstractEval([k], p: { bit_width: number; shape: number[] }) {
    checkKeys("random_bits", k);
    if (![8, 16, 32].includes(p.bit_width)) throw new TypeError(`random_bits: bit_width ${p.bit_width} is not supported (tfjax has no 64-bit types)`);
    return [new ShapedArray([...k.shape, ...p.shape], `uint${p.bit_width}` as DType)];
  },
  impl([k], p, ctx) {
    const ws = words(k);
    const n = sizeOf(p.shape);
    const onHeap = randomBitsWasm(ws, p.bit_width, n, ctx.outAvals[0].shape); // tfjs-wasm: generated SIMD, in place
    if (onHeap) return [onHeap];
    const out = new Uint32Array((ws.length / 2) * n);
    for (let i = 0; 2 * i < ws.length; i++) fry.randomBits(ws[2 * i], ws[2 * i + 1], p.bit_width as 8 | 16 | 32, n, out, n * i);
    return [wordsTensor(out, ctx.outAvals[0].shape)]; // 8 and 16-bit words are small: the same int32 storage
  },
});

// ---- transformation rules ---------------------------------------------------------------------

// Keys and uint32 words have no derivative (JAX gives them float0 tangents): zero tangents.
for (const p of [threefry2x32_p, random_seed_p, random_wrap_p, random_unwrap_p, random_split_p, random_fold_in_p, random_bits_p]) p.nonDifferentiable = true;
// Per key (or seed): outputs only add trailing axes, so the batch axis stays where it is.
for (const p of [random_seed_p, random_unwrap_p, random_split_p, random_bits_p]) defvectorized(p);
// Operands broadcast against each other as an n-ary op's do (key arrays move axes on their data).
defbroadcasting(threefry2x32_p);
defbroadcasting(random_fold_in_p);
// The key-data axis is the last one: a batch axis there is moved to the front first.
random_wrap_p.batch = ([x], [d], params) => {
  const data = d === x.ndim - 1 ? moveaxis(x, d, 0) : x;
  return [bind(random_wrap_p, [data], params), [d === x.ndim - 1 ? 0 : d]];
};
