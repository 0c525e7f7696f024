// jax.nn.dot_product_attention, the XLA implementation (jax/_src/nn/functions.py): logits by
// dot_general over (batch, kv head), scale, bias, boolean/causal/window/padding masks as a large
// negative number, softmax in float32, then the weighted sum of values. Grouped-query attention
// (fewer key/value heads than query heads) shares each kv head among N / K query heads.
import type { Array as JaxArray } from "../array/base.js";
import * as lax from "../lax/lax.js";
import type { ArrayLike } from "../lax/lax.js";
import * as jnp from "../numpy/index.js";
import { pyShape } from "../jaxpr/aval.js";
import { softmax } from "./functions.js";

export interface AttentionOptions {
  /** Added to the logits: broadcastable to (B, N, T, S). */
  bias?: ArrayLike | null;
  /** Boolean, broadcastable to (B, N, T, S): false entries are masked out. */
  mask?: ArrayLike | null;
  /** Multiplies the logits; 1 / sqrt(H) by default. */
  scale?: number | null;
  /** Query t attends only to keys s <= t. */
  isCausal?: boolean;
  /** int32 (B,): the valid query length per example (later rows of the output are zero). */
  querySeqLengths?: ArrayLike | null;
  /** int32 (B,): the valid key/value length per example. */
  keyValueSeqLengths?: ArrayLike | null;
  /** Query t attends to keys in [t - left, t + right]. */
  localWindowSize?: number | [number, number] | null;
}

const ensure4d = (x: ArrayLike): JaxArray => {
  const a = jnp.asarray(x as JaxArray);
  return a.ndim >= 4 ? a : lax.expandDims(a, Array.from({ length: 4 - a.ndim }, (_, i) => i));
};

/** The float32 value masked logits take (JAX's _get_large_negative). */
const LARGE_NEGATIVE = -0.7 * 3.4028234663852886e38;

/**
 * Scaled dot-product attention of `query` (B, T, N, H) over `key`/`value` (B, S, K, H); the
 * batch axis may be left out. `dotProductAttention(q, k, v, { isCausal: true })`.
 */
export function dotProductAttention(query: ArrayLike, key: ArrayLike, value: ArrayLike, opts: AttentionOptions = {}): JaxArray {
  const outShape = jnp.asarray(query as JaxArray).shape;
  const q = ensure4d(query);
  const k = ensure4d(key);
  const v = ensure4d(value);
  const [B, S, K, H] = k.shape;
  const [, T, N] = q.shape;
  const check = (t: JaxArray | null, shape: number[], dtype: string | null, name: string) => {
    if (t === null) return;
    if (t.ndim !== shape.length) throw new RangeError(`${name} ndim should be ${shape.length}, but got ${t.ndim}`);
    if (dtype !== null && t.dtype !== dtype) throw new TypeError(`${name} dtype should be ${dtype}, but got ${t.dtype}`);
    if (shape.some((d, i) => d !== -1 && t.shape[i] !== d)) throw new RangeError(`${name} shape should be ${pyShape(shape)}: but got ${pyShape(t.shape)}`);
  };
  const bias = opts.bias == null ? null : ensure4d(opts.bias);
  const mask = opts.mask == null ? null : ensure4d(opts.mask);
  const qLen = opts.querySeqLengths == null ? null : jnp.asarray(opts.querySeqLengths as JaxArray);
  const kvLen = opts.keyValueSeqLengths == null ? null : jnp.asarray(opts.keyValueSeqLengths as JaxArray);
  check(v, [B, S, K, H], k.dtype, "value");
  check(q, [B, -1, -1, H], k.dtype, "query");
  check(mask, [-1, -1, -1, -1], "bool", "mask");
  check(bias, [-1, -1, -1, -1], null, "bias");
  check(qLen, [B], "int32", "query_seq_lengths");
  check(kvLen, [B], "int32", "key_value_seq_lengths");
  if (N % K !== 0) throw new RangeError(`The number of query heads must be a multiple of key/value heads, but got ${N} vs ${K}`);
  const G = N / K;
  const scale = opts.scale ?? 1 / Math.sqrt(H);
  const window = opts.localWindowSize == null ? null : typeof opts.localWindowSize === "number" ? [opts.localWindowSize, opts.localWindowSize] : opts.localWindowSize;

  // logits[b, k, t, g, s] = sum_h q[b, t, k, g, h] key[b, s, k, h], then (B, N, T, S) with n = k G + g.
  const q5 = lax.reshape(q, [B, T, K, G, H]);
  let logits = lax.dotGeneral(q5, k, [[[4], [3]], [[0, 2], [0, 2]]], { preferredElementType: "float32" });
  logits = lax.reshape(lax.transpose(logits, [0, 1, 3, 2, 4]), [B, N, T, S]);
  logits = jnp.multiply(logits, lax.asArray(scale, logits.dtype, false));
  if (bias !== null) logits = jnp.astype(jnp.add(logits, bias), logits.dtype);

  let combined: JaxArray | null = mask;
  const and = (m: JaxArray) => (combined = combined === null ? m : jnp.logicalAnd(combined, m));
  if (opts.isCausal) and(lax.expandDims(jnp.tril(jnp.ones([T, S], { dtype: "bool" })), [0, 1]));
  if (window !== null) {
    const qPos = lax.broadcastedIota("int32", [T, S], 0);
    const kPos = lax.broadcastedIota("int32", [T, S], 1);
    const [left, right] = window;
    and(lax.expandDims(jnp.logicalAnd(jnp.greaterEqual(qPos, jnp.subtract(kPos, right)), jnp.lessEqual(qPos, jnp.add(kPos, left))), [0, 1]));
  }
  if (qLen !== null || kvLen !== null) {
    let pad: JaxArray | boolean = true;
    if (qLen !== null) pad = jnp.less(lax.broadcastedIota("int32", [1, T, 1], 1), lax.expandDims(qLen, [1, 2]));
    if (kvLen !== null) pad = jnp.logicalAnd(pad, jnp.less(lax.broadcastedIota("int32", [1, 1, S], 2), lax.expandDims(kvLen, [1, 2])));
    and(lax.expandDims(pad as JaxArray, [1]));
  }
  if (combined !== null) logits = jnp.where(combined, logits, lax.asArray(LARGE_NEGATIVE, logits.dtype, false));

  const probs = jnp.astype(softmax(jnp.astype(logits, "float32"), -1), k.dtype);
  // encoded[b, k, g, t, h] = sum_s probs[b, k, g, t, s] value[b, s, k, h], then (B, T, N, H).
  let encoded = lax.dotGeneral(lax.reshape(probs, [B, K, G, T, S]), v, [[[4], [1]], [[0, 1], [0, 2]]]);
  encoded = lax.reshape(lax.transpose(encoded, [0, 3, 1, 2, 4]), [B, T, N, H]);
  if (qLen !== null) encoded = jnp.multiply(encoded, jnp.astype(lax.expandDims(jnp.less(lax.broadcastedIota("int32", [1, T], 1), lax.expandDims(qLen, [1])), [2, 3]), encoded.dtype));
  return jnp.reshape(encoded, outShape);
}
