// jax.nn's activation functions, written as JAX writes them (jax/_src/nn/functions.py): the same
// jits (so jaxprs show `jit[name=relu ...]`), custom jvps (relu at 0, softmax) and
// stop_gradient shifts, so values and derivatives match JAX's.
import type { Array as JaxArray } from "../array/base.js";
import { scalar } from "../array/array.js";
import * as lax from "../lax/lax.js";
import * as jnp from "../numpy/index.js";
import { logaddexp, logsumexp } from "../numpy/special.js";
import { customJvp } from "../tracer/custom_derivatives.js";
import { jit } from "../tracer/jit.js";
import type { ArrayLike } from "../lax/lax.js";
import type { DType } from "../dtypes.js";

type Axis = number | number[] | null;
const arr = (x: ArrayLike): JaxArray => lax.asArray(x);

/** max(x, 0), with derivative 0 at 0 (JAX's choice). */
export const relu = customJvp(
  jit(function relu(x: JaxArray) {
    return jnp.maximum(x, 0);
  }),
);
relu.defjvp(function relu_jvp([x]: JaxArray[], [g]: JaxArray[]) {
  return [relu(x), lax.select(lax.gt(x, 0), g, lax.mul(g, 0))];
});

export const softplus = jit(function softplus(x: JaxArray) {
  return logaddexp(x, 0);
});

/** logistic(x); JAX inlines this jit, so it shows as a bare `logistic`. */
export const sigmoid = (x: ArrayLike): JaxArray => lax.logistic(arr(x));

export const silu = jit(function silu(x: JaxArray) {
  return jnp.multiply(x, sigmoid(x));
});
export const swish = silu;

export const logSigmoid = jit(function log_sigmoid(x: JaxArray) {
  return jnp.negative(softplus(jnp.negative(x)));
});

export const elu = jit(function elu(x: JaxArray, alpha: ArrayLike = 1.0) {
  const safe = jnp.where(jnp.greater(x, 0), 0, x);
  return jnp.where(jnp.greater(x, 0), x, jnp.multiply(alpha, jnp.expm1(safe)));
});

export const leakyRelu = jit(function leaky_relu(x: JaxArray, negativeSlope: ArrayLike = 1e-2) {
  return jnp.where(jnp.greaterEqual(x, 0), x, jnp.multiply(negativeSlope, x));
});

/** GELU; `approximate` (the default, as in JAX) uses the tanh formula. */
export function gelu(x: ArrayLike, approximate = true): JaxArray {
  const a = arr(x);
  if (approximate) {
    const c = scalar(Math.fround(Math.sqrt(2 / Math.PI)), a.dtype, false);
    const cdf = jnp.multiply(0.5, jnp.add(1.0, jnp.tanh(jnp.multiply(c, jnp.add(a, jnp.multiply(0.044715, jnp.power(a, 3)))))));
    return jnp.multiply(a, cdf);
  }
  const sqrtHalf = scalar(Math.fround(Math.sqrt(0.5)), a.dtype, false);
  // erfc(z) = 1 - erf(z)
  return jnp.multiply(jnp.multiply(0.5, a), jnp.subtract(1, lax.erf(jnp.multiply(jnp.negative(a), sqrtHalf))));
}

const axesOf = (x: JaxArray, axis: Axis): number[] =>
  axis === null ? x.shape.map((_, i) => i) : (typeof axis === "number" ? [axis] : axis).map((d) => (d < 0 ? d + x.ndim : d));

/** log(softmax(x)) along `axis` (default -1), shifted by the max under stop_gradient. */
export function logSoftmax(x: ArrayLike, axis: Axis = -1): JaxArray {
  return logSoftmaxJit(arr(x), axis);
}
const logSoftmaxJit = jit(
  function log_softmax(x: JaxArray, axis: Axis) {
    const dims = axesOf(x, axis);
    const xMax = jnp.max(x, dims, { keepdims: true });
    const shifted = jnp.subtract(x, lax.stopGradient(xMax));
    const lse = jnp.log(jnp.sum(jnp.exp(shifted), dims, { keepdims: true }));
    return jnp.subtract(shifted, lse);
  },
  { staticArgnums: 1 },
);

// softmax with JAX's custom jvp: y * (x_dot - sum(y * x_dot)), no derivative through the max.
const softmaxImpl = (x: JaxArray, axis: Axis): JaxArray => {
  const dims = axesOf(x, axis);
  const unnormalized = jnp.exp(jnp.subtract(x, jnp.max(x, dims, { keepdims: true })));
  return jnp.divide(unnormalized, jnp.sum(unnormalized, dims, { keepdims: true }));
};
const softmaxFor = new Map<string, (x: JaxArray) => JaxArray>();
/** exp(x) / sum(exp(x)) along `axis` (default -1). */
export function softmax(x: ArrayLike, axis: Axis = -1): JaxArray {
  const key = JSON.stringify(axis);
  let f = softmaxFor.get(key);
  if (!f) {
    const g = customJvp(function _softmax(x: JaxArray) {
      return softmaxImpl(x, axis);
    });
    g.defjvp(function _softmax_jvp([x]: JaxArray[], [t]: JaxArray[]) {
      const y = g(x);
      const dims = axesOf(x, axis);
      return [y, jnp.multiply(y, jnp.subtract(t, jnp.sum(jnp.multiply(y, t), dims, { keepdims: true })))];
    });
    softmaxFor.set(key, (f = g));
  }
  return f(arr(x));
}

export { logsumexp };

/** One-hot encoding: `oneHot(labels, numClasses)` compares with an iota along `axis` (default -1). */
export function oneHot(x: ArrayLike, numClasses: number, opts: { dtype?: DType; axis?: number } = {}): JaxArray {
  if (!Number.isInteger(numClasses) || numClasses < 0) throw new TypeError(`one_hot: num_classes must be a non-negative integer, got ${numClasses}`);
  return oneHotJit(arr(x), numClasses, opts.dtype ?? "float32", opts.axis ?? -1);
}
const oneHotJit = jit(
  function _one_hot(x: JaxArray, numClasses: number, dtype: DType, axis: number) {
    const outNdim = x.ndim + 1;
    const ax = axis < 0 ? axis + outNdim : axis;
    const lhs = lax.expandDims(x, [ax]);
    const rhsShape = new Array(outNdim).fill(1);
    rhsShape[ax] = numClasses;
    const rhs = lax.broadcastedIota(x.dtype === "float32" ? "int32" : x.dtype, rhsShape, ax);
    return jnp.astype(jnp.equal(lhs, rhs), dtype);
  },
  { staticArgnums: [1, 2, 3] },
);

/** (x - mean) / sqrt(var + epsilon) along `axis` (JAX's default "fast" variance). */
export function standardize(x: ArrayLike, axis: Axis = -1, opts: { mean?: ArrayLike; variance?: ArrayLike; epsilon?: number } = {}): JaxArray {
  const a = arr(x);
  const dims = axesOf(a, axis);
  const mean = opts.mean ?? jnp.mean(a, dims, { keepdims: true });
  let variance = opts.variance;
  if (variance === undefined) variance = jnp.clip(jnp.subtract(jnp.mean(jnp.square(a), dims, { keepdims: true }), jnp.square(mean)), 0);
  return jnp.multiply(jnp.subtract(a, mean), lax.rsqrt(jnp.add(variance, opts.epsilon ?? 1e-5)));
}
