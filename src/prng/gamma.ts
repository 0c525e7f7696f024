// Gamma draws and the samplers built on them (jax/_src/random/core.py): the `random_gamma`
// primitive (param log_space), lowered as JAX lowers it to Marsaglia and Tsang's rejection
// sampler vmapped over one key per element, with JAX's batching rule and its implicit
// reparameterization derivative (lax.randomGammaGrad: d sample / d a with the CDF held fixed);
// then gamma, loggamma, beta, dirichlet, chisquare, f, t, generalizedNormal and ball, each JAX's
// algorithm step for step over the same draws.
import type { Array as JaxArray } from "../array/base.js";
import { scalar } from "../array/array.js";
import { type DType, isFloat } from "../dtypes.js";
import { ShapedArray, pyShape, sizeOf } from "../jaxpr/aval.js";
import * as lax from "../lax/lax.js";
import { lowerFun } from "../lax/special_functions.js";
import { definePrimitive } from "../lax/primitive.js";
import { bind1 } from "../tracer/core.js";
import { defjvp2 } from "../tracer/ad_util.js";
import { bdimAtFront } from "../tracer/batching.js";
import { jit } from "../tracer/jit.js";
import { vmap } from "../tracer/vmap.js";
import { abs, add, divide, multiply, power, sqrt } from "../numpy/math.js";
import { broadcastTo, convertTo } from "../numpy/promote.js";
import { sum } from "../numpy/reductions.js";
import { expandDims, reshape } from "../numpy/shape.js";
import { softmax } from "../nn/functions.js";
import { rademacher } from "./discrete.js";
import { random_split_p } from "./primitives.js";
import { type Shape, checkKey } from "./keys.js";
import { type Bound, TINY, checkShape, exponential, floatDtype, normal, shapeList, uniform } from "./samplers.js";
import { sampleShape, split2 } from "./samplers_extra.js";

const f32 = Math.fround;
/** JAX's lax._const(x, v): a strongly typed scalar of x's dtype. */
const c = (x: JaxArray, v: number): JaxArray => scalar(f32(v), x.dtype, false);

/** `n` keys from one (JAX's `_split(key, n)` unpacked): random_split, then slice and squeeze. */
function splitN(key: JaxArray, n: number): JaxArray[] {
  const ks = bind1(random_split_p, [key], { shape: [n] });
  return Array.from({ length: n }, (_, i) => lax.squeeze(lax.slice(ks, [i], [i + 1], [1]), [0]));
}

// ---- one draw: Marsaglia and Tsang ------------------------------------------------------------

/**
 * a b + c rounded once, from float32 operations (Dekker's exact product, Knuth's exact sum):
 * XLA's CPU compiler contracts JAX's `1 + x c` into a fused multiply-add, so this is what JAX's
 * draws are made of (a product and a sum rounded separately differ in 13% of them).
 */
function fma(a: JaxArray, b: JaxArray, c: JaxArray): JaxArray {
  const { add, sub, mul } = lax;
  const split = (v: JaxArray): [JaxArray, JaxArray] => {
    const t = mul(v, scalar(4097, v.dtype, false)); // 2^12 + 1: v = hi + lo, each 12 bits wide
    const hi = sub(t, sub(t, v));
    return [hi, sub(v, hi)];
  };
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  const p = mul(a, b);
  const e = add(add(add(sub(mul(ah, bh), p), mul(ah, bl)), mul(al, bh)), mul(al, bl)); // a b = p + e
  const s = add(c, p);
  const bv = sub(s, c);
  const err = add(sub(c, sub(s, bv)), sub(p, bv)); // c + p = s + err
  return add(s, add(err, e));
}

/**
 * JAX's _gamma_one: d V with d = a - 1/3 and V = (1 + c x)^3 for the first normal x (with
 * V > 0) and uniform U accepted by the squeeze test or log U < x^2/2 + d (1 - V + log V). For
 * a < 1 the draw is Gamma(a + 1) U^(1/a) (in log space: log d V - E / a for E exponential).
 */
function gammaOne(key: JaxArray, alpha0: JaxArray, logSpace: boolean): JaxArray {
  const [zero, one, two, minusOne] = [0, 1, 2, -1].map((v) => c(alpha0, v));
  const [half, third, squeeze] = [c(alpha0, 0.5), c(alpha0, 1 / 3), c(alpha0, 0.0331)];
  const dtype = alpha0.dtype;
  const boostMask = lax.ge(alpha0, one);
  const alpha = lax.select(boostMask, alpha0, lax.add(alpha0, one));
  const d = lax.sub(alpha, third);
  // JAX divides by sqrt(d); XLA rewrites that as a product with rsqrt(d), as here.
  const cc = lax.mul(third, lax.rsqrt(d));

  const condFn = ([, X, V, U]: JaxArray[]) =>
    lax.bitwiseAnd(
      lax.ge(U, lax.sub(one, lax.mul(squeeze, lax.mul(X, X)))),
      lax.ge(lax.log(U), lax.add(lax.mul(X, half), lax.mul(d, lax.add(lax.sub(one, V), lax.log(V))))),
    );
  const nextKxv = ([k]: JaxArray[]) => {
    const [k1, sub] = splitN(k, 2);
    const x = normal(sub, [], dtype);
    return [k1, x, fma(x, cc, one)];
  };
  const bodyFn = ([k]: JaxArray[]) => {
    const [k1, xKey, uKey] = splitN(k, 3);
    const [, x, v] = lax.whileLoop((kxv: JaxArray[]) => lax.le(kxv[2], zero), nextKxv, [xKey, zero, minusOne]) as JaxArray[];
    return [k1, lax.mul(x, x), lax.mul(lax.mul(v, v), v), uniform(uKey, [], dtype)];
  };
  // The initial state fails the test, so the body runs at least once.
  const [k0, subkey] = splitN(key, 2);
  const V = (lax.whileLoop(condFn, bodyFn, [k0, zero, one, two]) as JaxArray[])[2];
  if (logSpace) {
    // log U = -E, with E = -log1p(-U') exponential, so that both spaces use the same draw.
    const logSamples = lax.neg(exponential(subkey, [], dtype));
    const logBoost = lax.select(lax.bitwiseOr(boostMask, lax.eq(logSamples, zero)), zero, lax.mul(logSamples, lax.div(one, alpha0)));
    return lax.add(lax.add(lax.log(d), lax.log(V)), logBoost);
  }
  const samples = lax.sub(scalar(1, dtype, true), uniform(subkey, [], dtype));
  const boost = lax.select(boostMask, one, lax.pow(samples, lax.div(one, alpha0)));
  return lax.mul(lax.mul(d, V), boost);
}

/** JAX's _gamma_impl: one key per element of `a` (each key split into as many), one draw per key. */
function gammaImpl(key: JaxArray, a: JaxArray, logSpace: boolean): JaxArray {
  const count = sizeOf(a.shape.slice(key.ndim));
  const keys = reshape(bind1(random_split_p, [reshape(key, [-1])], { shape: [count] }), [-1]);
  const samples = vmap((k: JaxArray, alpha: JaxArray) => gammaOne(k, alpha, logSpace))(keys, reshape(a, [-1]));
  return reshape(samples, a.shape);
}

/**
 * JAX's _gamma_grad: d sample / d a for each element, by lax.randomGammaGrad (vmapped, JAX's
 * choice off CPU; on CPU JAX maps it with lax.map, the same values one element at a time).
 */
function gammaGrad(sample: JaxArray, a: JaxArray, logSpace: boolean): JaxArray {
  let samples = reshape(sample, [-1]);
  const alphas = reshape(a, [-1]);
  let grad = (alpha: JaxArray, x: JaxArray) => lax.randomGammaGrad(alpha, x);
  if (logSpace) {
    // d log x = dx / x, where exp(log x) may round to 0: the smallest normal float stands in.
    samples = lax.exp(samples);
    const tiny = lax.broadcastInDim(scalar(TINY, samples.dtype, false), samples.shape, []);
    samples = lax.select(lax.eq(samples, c(sample, 0)), tiny, samples);
    grad = (alpha, x) => lax.div(lax.randomGammaGrad(alpha, x), x);
  }
  return reshape(vmap(grad)(alphas, samples), a.shape);
}

type GammaParams = { log_space: boolean };

/** `random_gamma[log_space=False] key a`: Gamma(a, 1) draws (their logs in log space), one per element of a. */
export const random_gamma_p = definePrimitive<GammaParams>({
  name: "random_gamma",
  abstractEval([, a]) {
    return [new ShapedArray(a.shape, a.dtype, a.weakType)];
  },
  impl: lowerFun<GammaParams>("random_gamma", ([key, a], p) => [gammaImpl(key, a, p.log_space)]),
});
defjvp2(random_gamma_p, null, (g, ans, [, a], p) => lax.mul(g, gammaGrad(ans, a, p.log_space)));
// Batch axes to the front of both (an unbatched one is broadcast), so keys and alphas pair up.
random_gamma_p.batch = ([k, a], [bk, ba], p, axis) => [[bind1(random_gamma_p, [bdimAtFront(k, bk, axis.size), bdimAtFront(a, ba, axis.size)], p)], [0]];

// ---- gamma, loggamma ----------------------------------------------------------------------------

const _gamma = jit(
  function _gamma(key: JaxArray, a: JaxArray, shape: number[] | null, dtype: DType, logSpace: boolean): JaxArray {
    const s = shape ?? [...a.shape];
    if (shape !== null) checkShape("gamma", shape, a.shape);
    let alpha = convertTo(a, dtype, false);
    if (alpha.shape.join() !== s.join() || alpha.ndim !== s.length) alpha = broadcastTo(alpha, s);
    return bind1(random_gamma_p, [key, alpha], { log_space: logSpace });
  },
  { staticArgnums: [2, 3, 4] },
);

const asParam = (x: Bound): JaxArray => (typeof x === "number" ? lax.asArray(x) : x);

/** Gamma(a, 1) draws: `gamma(key, a, shape=null, dtype)` (shape defaults to a's). Differentiable in a. */
export function gamma(key: JaxArray, a: Bound, shape: Shape | null = null, dtype: DType = "float32"): JaxArray {
  const [typed] = checkKey("gamma", key);
  return _gamma(typed, asParam(a), shape === null ? null : shapeList(shape), floatDtype("gamma", dtype), false);
}

/** The logs of Gamma(a, 1) draws, accurate where the draws underflow (small a): `loggamma(key, a, shape, dtype)`. */
export function loggamma(key: JaxArray, a: Bound, shape: Shape | null = null, dtype: DType = "float32"): JaxArray {
  const [typed] = checkKey("loggamma", key);
  if (!isFloat(dtype)) throw new TypeError(`dtype argument to \`gamma\` must be a float dtype, got ${dtype}`);
  return _gamma(typed, asParam(a), shape === null ? null : shapeList(shape), floatDtype("loggamma", dtype), true);
}

// ---- beta, dirichlet --------------------------------------------------------------------------

const _beta = jit(
  function _beta(key: JaxArray, a0: JaxArray, b0: JaxArray, shape: number[], dtype: DType): JaxArray {
    let a = convertTo(a0, dtype, false);
    let b = convertTo(b0, dtype, false);
    const [ka, kb] = split2(key);
    a = broadcastTo(a, shape);
    b = broadcastTo(b, shape);
    const logA = loggamma(ka, a, shape, dtype);
    const logB = loggamma(kb, b, shape, dtype);
    // G_a / (G_a + G_b), both scaled by the larger so that neither underflows.
    const logMax = lax.max(logA, logB);
    const sa = lax.exp(lax.sub(logA, logMax));
    const sb = lax.exp(lax.sub(logB, logMax));
    return lax.div(sa, lax.add(sa, sb));
  },
  { staticArgnums: [3, 4] },
);

/** Beta(a, b) draws as a ratio of log-space gammas: `beta(key, a, b, shape=null, dtype)`. */
export function beta(key: JaxArray, a: Bound, b: Bound, shape: Shape | null = null, dtype: DType = "float32"): JaxArray {
  const [typed] = checkKey("beta", key);
  const dt = floatDtype("beta", dtype);
  return _beta(typed, asParam(a), asParam(b), sampleShape("beta", shape, a, b), dt);
}

const _dirichlet = jit(
  function _dirichlet(key: JaxArray, alpha0: JaxArray, shape: number[] | null, dtype: DType): JaxArray {
    if (alpha0.ndim < 1) throw new RangeError(`dirichlet requires alpha.ndim >= 1, got alpha.ndim == ${alpha0.ndim}`);
    const batch = alpha0.shape.slice(0, -1);
    if (shape !== null) checkShape("dirichlet", shape, batch);
    const alpha = convertTo(alpha0, dtype, false);
    // Gammas in log space: with small alphas the draws themselves underflow.
    const logGammas = loggamma(key, alpha, [...(shape ?? batch), alpha0.shape[alpha0.ndim - 1]], dtype);
    return softmax(logGammas, -1);
  },
  { staticArgnums: [2, 3] },
);

/** Dirichlet(alpha) draws over alpha's last axis: `dirichlet(key, alpha, shape=null, dtype)`. */
export function dirichlet(key: JaxArray, alpha: JaxArray, shape: Shape | null = null, dtype: DType = "float32"): JaxArray {
  const [typed] = checkKey("dirichlet", key);
  return _dirichlet(typed, alpha, shape === null ? null : shapeList(shape), floatDtype("dirichlet", dtype));
}

// ---- chisquare, f, t --------------------------------------------------------------------------

const _chisquare = jit(
  function _chisquare(key: JaxArray, df0: JaxArray, shape: number[], dtype: DType): JaxArray {
    const df = convertTo(df0, dtype, false);
    const two = c(df, 2);
    const logG = loggamma(key, lax.div(df, two), shape, dtype);
    return lax.mul(lax.exp(logG), two);
  },
  { staticArgnums: [2, 3] },
);

/** Chi-squared(df) draws, 2 Gamma(df / 2): `chisquare(key, df, shape=null, dtype)`. */
export function chisquare(key: JaxArray, df: Bound, shape: Shape | null = null, dtype: DType = "float32"): JaxArray {
  const [typed] = checkKey("chisquare", key);
  const dt = floatDtype("chisquare", dtype);
  return _chisquare(typed, asParam(df), sampleShape("chisquare", shape, df), dt);
}

const _f = jit(
  function _f(key: JaxArray, dfnum0: JaxArray, dfden0: JaxArray, shape: number[], dtype: DType): JaxArray {
    const dfden = convertTo(dfden0, dtype, false);
    const dfnum = convertTo(dfnum0, dtype, false);
    const [kd, kn] = split2(key);
    const num = lax.div(chisquare(kn, dfnum, shape, dtype), dfnum);
    const den = lax.div(chisquare(kd, dfden, shape, dtype), dfden);
    return lax.div(num, den);
  },
  { staticArgnums: [3, 4] },
);

/** F(dfnum, dfden) draws, a ratio of scaled chi-squares: `f(key, dfnum, dfden, shape=null, dtype)`. */
export function f(key: JaxArray, dfnum: Bound, dfden: Bound, shape: Shape | null = null, dtype: DType = "float32"): JaxArray {
  const [typed] = checkKey("f", key);
  const dt = floatDtype("f", dtype);
  return _f(typed, asParam(dfnum), asParam(dfden), sampleShape("f", shape, dfnum, dfden), dt);
}

const _t = jit(
  function _t(key: JaxArray, df0: JaxArray, shape: number[], dtype: DType): JaxArray {
    const df = convertTo(df0, dtype, false);
    const [kn, kg] = split2(key);
    const n = normal(kn, shape, dtype);
    const halfDf = lax.div(df, c(n, 2));
    const g = gamma(kg, halfDf, shape, dtype);
    return multiply(n, sqrt(divide(halfDf, g)));
  },
  { staticArgnums: [2, 3] },
);

/** Student's t(df) draws, normal * sqrt(df / 2 / Gamma(df / 2)): `t(key, df, shape=null, dtype)`. */
export function t(key: JaxArray, df: Bound, shape: Shape | null = null, dtype: DType = "float32"): JaxArray {
  const [typed] = checkKey("t", key);
  const dt = floatDtype("t", dtype);
  return _t(typed, asParam(df), sampleShape("t", shape, df), dt);
}

// ---- generalized normal, ball -----------------------------------------------------------------

const _generalized_normal = jit(
  function _generalized_normal(key: JaxArray, p: JaxArray, shape: number[], dtype: DType): JaxArray {
    const [k1, k2] = split2(key);
    const g = gamma(k1, divide(1, p), shape, dtype);
    const r = rademacher(k2, shape, dtype);
    return multiply(r, power(g, divide(1, p)));
  },
  { staticArgnums: [2, 3] },
);

/** Draws with density proportional to exp(-|x|^p): `generalizedNormal(key, p, shape=[], dtype)`. */
export function generalizedNormal(key: JaxArray, p: Bound, shape: Shape = [], dtype: DType = "float32"): JaxArray {
  const [typed] = checkKey("generalized_normal", key);
  const s = shapeList(shape);
  checkShape("generalized_normal", s);
  return _generalized_normal(typed, asParam(p), s, floatDtype("generalized_normal", dtype));
}

const _ball = jit(
  function _ball(key: JaxArray, p: JaxArray, d: number, shape: number[], dtype: DType): JaxArray {
    const [k1, k2] = split2(key);
    const g = generalizedNormal(k1, p, [...shape, d], dtype);
    const e = exponential(k2, shape, dtype);
    const r = power(add(sum(power(abs(g), p), -1), e), divide(1, p));
    return divide(g, expandDims(r, -1));
  },
  { staticArgnums: [2, 3, 4] },
);

/** Points uniform in the unit Lp ball of dimension d: `ball(key, d, p=2, shape=[], dtype)`. */
export function ball(key: JaxArray, d: number, p: Bound = 2, shape: Shape = [], dtype: DType = "float32"): JaxArray {
  const [typed] = checkKey("ball", key);
  if (!Number.isInteger(d) || d < 0) throw new TypeError(`ball: d must be a nonnegative integer, got ${pyShape([d])}`);
  const s = shapeList(shape);
  checkShape("ball", s);
  return _ball(typed, asParam(p), d, s, floatDtype("ball", dtype));
}
