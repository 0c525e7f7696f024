// Discrete samplers with JAX's names, argument order and defaults (jax/_src/random/core.py):
// randint, bernoulli, rademacher, permutation, choice, categorical. Integer arithmetic runs on
// uint32 with wrap-around, as in JAX, so these are bit-exact wherever their uniforms are.
import type { Array as JaxArray } from "../array/base.js";
import { type DType, isFloat, isInteger } from "../dtypes.js";
import { pyShape, sizeOf } from "../jaxpr/aval.js";
import * as lax from "../lax/lax.js";
import { bind } from "../tracer/core.js";
import { jit } from "../tracer/jit.js";
import { add, less, log, subtract } from "../numpy/math.js";
import { arange, zeros } from "../numpy/creation.js";
import { argmax, cumsum } from "../numpy/reductions.js";
import { convertTo } from "../numpy/promote.js";
import { type Shape, checkKey, randomBits, splitTyped } from "./keys.js";
import { type Bound, NMANT, broadcastToRank, checkShape, constant, gumbel, shapeList, uniform } from "./samplers.js";
import { sort_p } from "./sort.js";
import { ValueError } from "../errors.js";

const INT_RANGE: Record<string, [number, number]> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
  uint16: [0, 2 ** 16 - 1],
  uint8: [0, 2 ** 8 - 1],
};

const fullLike = (x: JaxArray, v: number): JaxArray => (x.ndim ? lax.broadcastInDim(constant(v, x.dtype), x.shape, []) : constant(v, x.dtype));

/** `_convert_and_clip_integer`: to `dtype`, clipping to the range both dtypes share (no wrap). */
function convertAndClip(x: JaxArray, dtype: DType): JaxArray {
  if (x.dtype === dtype) return x;
  const [lo, hi] = INT_RANGE[dtype];
  const [xlo, xhi] = INT_RANGE[x.dtype];
  let y = x;
  if (lo > xlo) y = lax.max(y, fullLike(y, lo));
  if (hi < xhi) y = lax.min(y, fullLike(y, hi));
  return convertTo(y, dtype, false);
}

const keyPair = (key: JaxArray): [JaxArray, JaxArray] => {
  const [a, b] = splitTyped(key);
  return [a, b];
};

// ---- randint --------------------------------------------------------------------------------

// 2 * 32 random bits per value reduced modulo the span: slightly biased unless the span is a power of 2.
const _randint = jit(
  function _randint(key: JaxArray, minval: JaxArray, maxval: JaxArray, shape: number[], dtype: DType): JaxArray {
    checkShape("randint", shape, minval.shape, maxval.shape);
    let lo = isInteger(minval.dtype) ? minval : convertTo(minval, "int32", false);
    let hi = isInteger(maxval.dtype) ? maxval : convertTo(maxval, "int32", false);
    // Where maxval exceeds the dtype's range the span is one larger (randint(key, s, 0, 256, uint8)).
    const outOfRange = lax.gt(hi, convertAndClip(constant(INT_RANGE[dtype][1], dtype), hi.dtype));
    lo = broadcastToRank(convertAndClip(lo, dtype), shape.length);
    hi = broadcastToRank(convertAndClip(hi, dtype), shape.length);
    const [k1, k2] = keyPair(key);
    const higher = randomBits(k1, 32, shape);
    const lower = randomBits(k2, 32, shape);
    let span = convertTo(lax.sub(hi, lo), "uint32", false);
    span = lax.select(lax.le(hi, lo), fullLike(span, 1), span);
    const oor = broadcastToRank(outOfRange, shape.length);
    span = lax.select(lax.bitwiseAnd(oor, lax.gt(hi, lo)), lax.add(span, constant(1, "uint32")), span);
    // 2^32 mod span, as ((2^16 mod span)^2) mod span without overflow.
    let multiplier = lax.rem(fullLike(span, 2 ** 16), span);
    multiplier = lax.rem(lax.mul(multiplier, multiplier), span);
    let offset = lax.add(lax.mul(lax.rem(higher, span), multiplier), lax.rem(lower, span));
    offset = lax.rem(offset, span);
    return lax.add(lo, convertTo(offset, dtype, false));
  },
  { staticArgnums: [3, 4] },
);

/** Integers in [minval, maxval): `randint(key, shape, minval, maxval, dtype="int32")`. */
export function randint(key: JaxArray, shape: Shape, minval: Bound, maxval: Bound, dtype: DType = "int32"): JaxArray {
  const [typed] = checkKey("randint", key);
  if (!isInteger(dtype) || !(dtype in INT_RANGE)) throw new TypeError(`randint only accepts integer dtypes, got ${dtype}`);
  let lo = lax.asArray(minval, "int32");
  let hi = lax.asArray(maxval, "int32");
  let sampling = dtype;
  if (dtype === "uint8" || dtype === "uint16") {
    // Narrow dtypes sample as int32 (less bias), with the bounds clipped to the dtype's range.
    const [dlo, dhi] = INT_RANGE[dtype];
    sampling = "int32";
    lo = clipTo(convertTo(lo, "int32", false), dlo, dhi);
    hi = clipTo(convertTo(hi, "int32", false), dlo, dhi + 1);
  }
  const out = _randint(typed, lo, hi, shapeList(shape), sampling);
  return sampling === dtype ? out : convertTo(out, dtype, false);
}

const clipTo = (x: JaxArray, lo: number, hi: number): JaxArray => lax.min(lax.max(x, fullLike(x, lo)), fullLike(x, hi));

// ---- bernoulli, rademacher ------------------------------------------------------------------

const _bernoulli = jit(
  function _bernoulli(key: JaxArray, p: JaxArray, shape: number[] | null, mode: string): JaxArray {
    const sh = shape ?? [...p.shape];
    if (shape) checkShape("bernoulli", shape, p.shape);
    if (mode === "high") {
      const u = uniform(key, [2, ...sh], p.dtype);
      const [u1, u2] = u;
      // The second draw refines the first below its resolution 2^-nmant.
      return less(lax.mul(u2, constant(2 ** -NMANT, p.dtype)), subtract(p, u1));
    }
    return less(uniform(key, sh, p.dtype), p);
  },
  { staticArgnums: [2, 3] },
);

/** Booleans true with probability p: `bernoulli(key, p=0.5, shape=null, mode="low")`. */
export function bernoulli(key: JaxArray, p: Bound = 0.5, shape: Shape | null = null, mode: "low" | "high" = "low"): JaxArray {
  if (mode !== "high" && mode !== "low") throw new TypeError(`got mode=${JSON.stringify(mode)}, expected 'high' or 'low'`);
  const [typed] = checkKey("bernoulli", key);
  const pa = lax.asArray(p);
  if (!isFloat(pa.dtype)) throw new TypeError(`bernoulli probability \`p\` must have a floating dtype, got ${pa.dtype}.`);
  // `lax.convert_element_type(p, dtype)`: p is strongly typed from here on.
  const strong = typeof p === "number" ? constant(p, "float32") : convertTo(pa, pa.dtype, false);
  return _bernoulli(typed, strong, shape === null ? null : shapeList(shape), mode);
}

const _rademacher = jit(
  function _rademacher(key: JaxArray, shape: number[], dtype: DType): JaxArray {
    const b = convertTo(bernoulli(key, 0.5, shape), dtype, false);
    return convertTo(lax.sub(lax.mul(constant(2, dtype), b), constant(1, dtype)), dtype, false);
  },
  { staticArgnums: [1, 2] },
);

/** -1 or 1 with equal probability: `rademacher(key, shape=[], dtype="int32")`. */
export function rademacher(key: JaxArray, shape: Shape = [], dtype: DType = "int32"): JaxArray {
  const [typed] = checkKey("rademacher", key);
  return _rademacher(typed, shapeList(shape), dtype);
}

// ---- sorting helpers (lax.sort_key_val, top_k, take) -----------------------------------------

/** `lax.sort_key_val(keys, values, dimension)`: values reordered by a stable sort of keys. */
const sortKeyVal = (keys: JaxArray, values: JaxArray, dimension: number): JaxArray =>
  bind(sort_p, [keys, values], { dimension, is_stable: true, num_keys: 1 })[1];

/** `lax.top_k(x, k)[1]` over the last axis: indices of the k largest (earlier index on ties). */
function topKIndices(x: JaxArray, k: number): JaxArray {
  const last = x.ndim - 1;
  const idx = lax.broadcastedIota("int32", x.shape, last);
  const sorted = sortKeyVal(lax.neg(x), idx, last);
  return lax.slice(sorted, x.shape.map(() => 0), [...x.shape.slice(0, last), k]);
}

/**
 * `jnp.take(a, ind, axis)` for in-range indices, as a select_n over the slices of `a` (tfjax has
 * no gather yet): exact, and linear in a.shape[axis].
 */
function take(a: JaxArray, ind: JaxArray, axis: number): JaxArray {
  const outShape = [...a.shape.slice(0, axis), ...ind.shape, ...a.shape.slice(axis + 1)];
  const which = lax.broadcastInDim(convertTo(ind, "int32", false), outShape, ind.shape.map((_, i) => axis + i));
  const restDims = [...a.shape.slice(0, axis).map((_, i) => i), ...a.shape.slice(axis + 1).map((_, i) => axis + ind.ndim + i)];
  const cases = Array.from({ length: a.shape[axis] }, (_, i) => {
    const start = a.shape.map((_, d) => (d === axis ? i : 0));
    const limit = a.shape.map((s, d) => (d === axis ? i + 1 : s));
    return lax.broadcastInDim(lax.squeeze(lax.slice(a, start, limit), [axis]), outShape, restDims);
  });
  return lax.selectN(which, ...cases);
}

// ---- permutation ----------------------------------------------------------------------------

// Repeated stable sorts by fresh 32-bit keys: enough rounds that all keys differ w.h.p.
const _shuffle = jit(
  function _shuffle(key: JaxArray, x: JaxArray, axis: number): JaxArray {
    const rounds = Math.ceil((3 * Math.log(Math.max(1, x.size))) / Math.log(4294967295));
    let k = key;
    for (let r = 0; r < rounds; r++) {
      const [next, subkey] = keyPair(k);
      k = next;
      x = sortKeyVal(randomBits(subkey, 32, x.shape), x, axis);
    }
    return x;
  },
  { staticArgnums: [2] },
);

/** Permutes `x` along `axis` by a permutation `ind` of its indices (inverted, then sorted by). */
function applyPermutation(x: JaxArray, ind: JaxArray, axis: number): JaxArray {
  const n = ind.shape[0];
  const inverse = sortKeyVal(ind, lax.iota("int32", n), 0);
  const keys = lax.broadcastInDim(inverse, x.shape, [axis]);
  return sortKeyVal(keys, x, axis);
}

/** A shuffled copy of `x` along `axis` (each slice independently if asked), or of arange(x). */
export function permutation(key: JaxArray, x: number | JaxArray, axis = 0, independent = false): JaxArray {
  const [typed] = checkKey("permutation", key);
  if (typeof x === "number") {
    if (!Number.isInteger(x)) throw new TypeError("x must be an integer or at least 1-dimensional");
    return _shuffle(typed, arange(x, undefined, 1, { dtype: "int32" }), 0);
  }
  if (x.ndim === 0) throw new TypeError("x must be an integer or at least 1-dimensional");
  const ax = lax.canonicalizeAxis(axis, x.ndim, "permutation");
  if (independent || x.ndim === 1) return _shuffle(typed, x, ax);
  // JAX takes rows by the shuffled arange (a gather); sorting by its inverse is the same move.
  const ind = _shuffle(typed, arange(x.shape[ax], undefined, 1, { dtype: "int32" }), 0);
  return applyPermutation(x, ind, ax);
}

// ---- choice ---------------------------------------------------------------------------------

/** `p_cuml` searched for each `r`: the number of entries below it (searchsorted, side='left'). */
function searchSorted(sorted: JaxArray, r: JaxArray): JaxArray {
  const n = sorted.shape[0];
  const below = lax.lt(lax.broadcastInDim(sorted, [...r.shape, n], [r.ndim]), lax.broadcastInDim(r, [...r.shape, n], r.shape.map((_, i) => i)));
  return lax.reduceSum(convertTo(below, "int32", false), [r.ndim]);
}

/** Samples from `a` (an array, or arange(a)): `choice(key, a, shape=[], replace=true, p=null, axis=0)`. */
export function choice(key: JaxArray, a: number | JaxArray, shape: Shape = [], replace = true, p: JaxArray | null = null, axis = 0, mode: "low" | "high" = "low"): JaxArray {
  const [typed] = checkKey("choice", key);
  const sh = shapeList(shape);
  const arr = lax.asArray(a, "int32");
  const nInputs = arr.ndim === 0 ? Number((arr as unknown as { item(): number }).item()) : arr.shape[lax.canonicalizeAxis(axis, arr.ndim, "choice")];
  const ax = arr.ndim === 0 ? 0 : lax.canonicalizeAxis(axis, arr.ndim, "choice");
  const nDraws = sizeOf(sh);
  if (nDraws === 0) return zeros(sh, { dtype: arr.dtype });
  if (nInputs <= 0) throw new ValueError("a must be greater than 0 unless no samples are taken");
  if (!replace && nDraws > nInputs) throw new ValueError(`Cannot take a larger sample (size ${nDraws}) than population (size ${nInputs}) when 'replace=False'`);
  let result: JaxArray;
  if (p === null) {
    if (replace) {
      const ind = randint(typed, sh, 0, nInputs);
      result = arr.ndim === 0 ? ind : take(arr, ind, ax);
    } else {
      const perm = permutation(typed, arr.ndim === 0 ? nInputs : arr, ax);
      result = lax.slice(perm, perm.shape.map(() => 0), perm.shape.map((s, d) => (d === ax ? nDraws : s)));
    }
  } else {
    const pa = isFloat(p.dtype) ? p : convertTo(p, "float32", false);
    if (pa.ndim !== 1 || pa.shape[0] !== nInputs)
      throw new TypeError(`p must be None or a 1D vector with the same size as a.shape[axis]. p has shape ${pyShape(pa.shape)} and a.shape[axis] is ${nInputs}.`);
    let ind: JaxArray;
    if (replace) {
      const pCuml = cumsum(pa);
      const total = lax.squeeze(lax.slice(pCuml, [nInputs - 1], [nInputs]), [0]);
      const r = lax.mul(total, subtract(1, uniform(typed, sh, pa.dtype)));
      ind = searchSorted(pCuml, r);
    } else {
      // Gumbel top-k: the n_draws largest of log(p) + Gumbel noise.
      const g = add(gumbel(typed, [nInputs], pa.dtype, mode), log(pa));
      ind = topKIndices(g, nDraws);
    }
    result = arr.ndim === 0 ? ind : take(arr, ind, ax);
  }
  return lax.reshape(result, arr.ndim === 0 ? sh : [...arr.shape.slice(0, ax), ...sh, ...arr.shape.slice(ax + 1)]);
}

// ---- categorical ----------------------------------------------------------------------------

/** Indices drawn from softmax(logits) along `axis`: the Gumbel-max (or top-k) trick. */
export function categorical(key: JaxArray, logits: JaxArray, axis = -1, shape: Shape | null = null, replace = true, mode: "low" | "high" = "low"): JaxArray {
  const [typed] = checkKey("categorical", key);
  const ax = lax.canonicalizeAxis(axis, logits.ndim, "categorical");
  const batchShape = logits.shape.filter((_, d) => d !== ax);
  const sh = shape === null ? batchShape : shapeList(shape);
  if (shape !== null) checkShape("categorical", sh, batchShape);
  const prefix = sh.slice(0, sh.length - batchShape.length);
  if (replace) {
    const logitsShape = sh.slice(sh.length - batchShape.length);
    logitsShape.splice(ax, 0, logits.shape[ax]);
    const noise = gumbel(typed, [...prefix, ...logitsShape], logits.dtype, mode);
    const expanded = prefix.length ? lax.expandDims(logits, prefix.map((_, i) => i)) : logits;
    return argmax(add(noise, expanded), prefix.length + ax);
  }
  const k = sizeOf(prefix);
  if (k > logits.shape[ax]) throw new RangeError(`Number of samples without replacement (${k}) cannot exceed number of categories (${logits.shape[ax]}).`);
  const noisy = add(logits, gumbel(typed, logits.shape, logits.dtype, mode));
  const perm = [...logits.shape.map((_, d) => d).filter((d) => d !== ax), ax];
  const indices = topKIndices(lax.transpose(noisy, perm), k); // batch..., k
  const moved = lax.transpose(indices, [indices.ndim - 1, ...indices.shape.slice(0, -1).map((_, d) => d)]);
  return lax.reshape(moved, sh);
}
