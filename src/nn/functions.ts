// jax.nn's activation functions, written as JAX writes them (jax/_src/nn/functions.py): the same
// jits (so jaxprs show `jit[name=relu ...]`), custom jvps (relu at 0, softmax) and
// stop_gradient shifts, so values and derivatives match JAX's.
import type { Array as JaxArray } from "../array/base.js";
import { scalar } from "../array/array.js";
import * as lax from "../lax/lax.js";
import { fullLike } from "../lax/elementwise.js";
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
// JAX's relu.defjvps(lambda g, ans, x: lax.select(x > 0, g, lax.full_like(g, 0))): defjvps names its rule `jvp`.
relu.defjvp(function jvp([x]: JaxArray[], [g]: JaxArray[]) {
  return [relu(x), lax.select(lax.gt(x, 0), g, fullLike(g, 0))];
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

const axesOf = (x: JaxArray, axis: Axis, name: string): number[] =>
  axis === null ? x.shape.map((_, i) => i) : (typeof axis === "number" ? [axis] : axis).map((d) => lax.canonicalizeAxis(d, x.ndim, name));

/** log(softmax(x)) along `axis` (default -1), shifted by the max under stop_gradient. */
export function logSoftmax(x: ArrayLike, axis: Axis = -1): JaxArray {
  return logSoftmaxJit(arr(x), axis);
}
const logSoftmaxJit = jit(
  function log_softmax(x: JaxArray, axis: Axis) {
    const dims = axesOf(x, axis, "log_softmax");
    const xMax = jnp.max(x, dims, { keepdims: true });
    const shifted = jnp.subtract(x, lax.stopGradient(xMax));
    const lse = jnp.log(jnp.sum(jnp.exp(shifted), dims, { keepdims: true }));
    return jnp.subtract(shifted, lse);
  },
  { staticArgnums: 1 },
);

/** jnp.max(x, dims, initial=-inf, keepdims=True): JAX's _reduction applies `initial` before keepdims. */
const maxFromNegInf = (x: JaxArray, dims: number[]): JaxArray => lax.expandDims(lax.max(scalar(-Infinity, x.dtype, false), jnp.max(x, dims)), dims);

/**
 * exp(x) / sum(exp(x)) along `axis` (default -1). As JAX's softmax with its default
 * jax_softmax_custom_jvp=False (_softmax_deprecated): not jitted, the max shift under
 * stop_gradient, differentiated as written.
 */
export function softmax(x: ArrayLike, axis: Axis = -1): JaxArray {
  const a = arr(x);
  const dims = axesOf(a, axis, "softmax");
  const unnormalized = jnp.exp(jnp.subtract(a, lax.stopGradient(maxFromNegInf(a, dims))));
  return jnp.divide(unnormalized, jnp.sum(unnormalized, dims, { keepdims: true }));
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
  const dims = axesOf(a, axis, "standardize");
  const mean = opts.mean ?? jnp.mean(a, dims, { keepdims: true });
  let variance = opts.variance;
  if (variance === undefined) variance = jnp.clip(jnp.subtract(jnp.mean(jnp.square(a), dims, { keepdims: true }), jnp.square(mean)), 0);
  return jnp.multiply(jnp.subtract(a, mean), lax.rsqrt(jnp.add(variance, opts.epsilon ?? 1e-5)));
}

// ---- more activations (jax/_src/nn/functions.py) ----------------------------------------------

/** The identity, as a named jit (JAX's jax.nn.identity). */
export const identity = jit(function identity(x: JaxArray) {
  return x;
});

/** min(max(x, 0), 6), with derivative 0 at 0 and 6 (JAX's custom jvp). */
export const relu6 = customJvp(
  jit(function relu6(x: JaxArray) {
    return jnp.minimum(jnp.maximum(x, 0), 6);
  }),
);
relu6.defjvp(function jvp([x]: JaxArray[], [g]: JaxArray[]) {
  return [relu6(x), lax.select(jnp.logicalAnd(lax.gt(x, 0), lax.lt(x, 6)), g, fullLike(g, 0))];
});

/** relu6(x + 3) / 6. */
export const hardSigmoid = jit(function hard_sigmoid(x: JaxArray) {
  return jnp.divide(relu6(jnp.add(x, 3)), 6);
});

/** x * hard_sigmoid(x) (also `hardSwish`). */
export const hardSilu = jit(function hard_silu(x: JaxArray) {
  return jnp.multiply(x, hardSigmoid(x));
});
export const hardSwish = hardSilu;

/** x clipped to [-1, 1]. */
export const hardTanh = jit(function hard_tanh(x: JaxArray) {
  return jnp.where(jnp.greater(x, 1), 1, jnp.where(jnp.less(x, -1), -1, x));
});

/** Continuously-differentiable ELU: max(x, 0) + alpha * expm1(min(x, 0) / alpha). */
export const celu = jit(function celu(x: JaxArray, alpha: ArrayLike = 1.0) {
  return jnp.add(jnp.maximum(x, 0.0), jnp.multiply(alpha, jnp.expm1(jnp.divide(jnp.minimum(x, 0.0), alpha))));
});

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;
/** Scaled ELU with the self-normalizing constants. */
export const selu = jit(function selu(x: JaxArray) {
  return jnp.multiply(SELU_SCALE, elu(x, SELU_ALPHA));
});

/** x * tanh(softplus(x)). */
export const mish = jit(function mish(x: JaxArray) {
  return jnp.multiply(x, jnp.tanh(softplus(x)));
});

/** x / (|x| + 1). */
export const softSign = jit(function soft_sign(x: JaxArray) {
  return jnp.divide(x, jnp.add(jnp.abs(x), 1));
});

/** 0 below -1, x above 1, (x + 1)^2 / 4 between. */
export const sparsePlus = jit(function sparse_plus(x: JaxArray) {
  return jnp.where(jnp.lessEqual(x, -1.0), 0.0, jnp.where(jnp.greaterEqual(x, 1.0), x, jnp.divide(jnp.power(jnp.add(x, 1.0), 2), 4)));
});

/** 0.5 * clip(x + 1, 0, 2): sparse_plus's derivative. */
export const sparseSigmoid = jit(function sparse_sigmoid(x: JaxArray) {
  return jnp.multiply(0.5, jnp.clip(jnp.add(x, 1.0), 0.0, 2.0));
});

/** (x + sqrt(x^2 + b)) / 2, a smooth relu (b = 4 by default). */
export const squareplus = jit(function squareplus(x: JaxArray, b: ArrayLike = 4) {
  return jnp.divide(jnp.add(x, jnp.sqrt(jnp.add(jnp.square(x), b))), 2);
});

/** log(1 - exp(-x)) for x > 0, by whichever of two formulas is accurate (JAX's custom jvp). */
export const log1mexp = customJvp(
  jit(function log1mexp(x: JaxArray) {
    const c = Math.log(2.0);
    return jnp.where(jnp.less(x, c), jnp.log(jnp.negative(jnp.expm1(jnp.negative(x)))), jnp.log1p(jnp.negative(jnp.exp(jnp.negative(x)))));
  }),
);
log1mexp.defjvp(function jvp([x]: JaxArray[], [g]: JaxArray[]) {
  return [log1mexp(x), jnp.divide(g, jnp.expm1(x))];
});

/** The gated linear unit: the first half of `axis` times the sigmoid of the second half. */
export function glu(x: ArrayLike, axis = -1): JaxArray {
  return gluJit(arr(x), axis);
}
const gluJit = jit(
  function glu(x: JaxArray, axis: number) {
    if (x.shape.at(axis)! % 2 !== 0) throw new RangeError("axis size must be divisible by 2");
    const [x1, x2] = jnp.split(x, 2, axis);
    return jnp.multiply(x1, sigmoid(x2));
  },
  { staticArgnums: 1 },
);

/** log(mean(exp(x))) along `axis`, computed stably: logsumexp minus log of the count. */
export function logmeanexp(x: ArrayLike, axis: Axis = null, opts: { keepdims?: boolean } = {}): JaxArray {
  return logmeanexpJit(arr(x), axis, opts.keepdims ?? false);
}
const logmeanexpJit = jit(
  function logmeanexp(x: JaxArray, axis: Axis, keepdims: boolean) {
    const lse = logsumexp(x, axis, { keepdims });
    const count = axesOf(x, axis, "logmeanexp").reduce((n, d) => n * x.shape[d], 1);
    return jnp.subtract(lse, jnp.log(lax.asArray(count, lse.dtype, false)));
  },
  { staticArgnums: [1, 2] },
);
