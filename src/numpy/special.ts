// Log-domain sums (jnp.logaddexp, jax.scipy.special.logsumexp) as JAX writes them: a max shift
// under stop_gradient so neither overflows, and logaddexp's custom jvp that stays finite at
// infinities.
import type { Array as JaxArray } from "../array/base.js";
import * as lax from "../lax/lax.js";
import { customJvp } from "../tracer/custom_derivatives.js";
import { jit } from "../tracer/jit.js";
import { promoteDtypes, convertTo } from "./promote.js";
import { max, sum, type Axis } from "./reductions.js";
import { isfinite, where } from "./math.js";
import { fullLike } from "../lax/elementwise.js";
import { ArrayImpl, scalar } from "../array/array.js";
import type { ArrayLike } from "../lax/lax.js";

const isnan = (x: JaxArray) => lax.ne(x, x);
/** inf → 0 where it would make inf - inf (JAX's _replace_inf). */
const replaceInf = (x: JaxArray) => lax.select(lax.isFinite(x), x, lax.mul(x, 0));

// lax's logaddexp (jax/_src/lax/other.py): equal-dtype operands.
const laxLogaddexp = customJvp(function logaddexp(x1: JaxArray, x2: JaxArray): JaxArray {
  const amax = lax.max(x1, x2);
  const delta = lax.sub(x1, x2);
  return lax.select(isnan(delta), lax.add(x1, x2), lax.add(amax, lax.log1p(lax.exp(lax.neg(lax.abs(delta))))));
});
laxLogaddexp.defjvp(function _logaddexp_jvp([x1, x2]: JaxArray[], [t1, t2]: JaxArray[]) {
  const out = laxLogaddexp(x1, x2);
  const t = lax.add(lax.mul(t1, lax.exp(lax.sub(replaceInf(x1), replaceInf(out)))), lax.mul(t2, lax.exp(lax.sub(replaceInf(x2), replaceInf(out)))));
  return [out, t];
});

const logaddexpJit = jit(function logaddexp(x1: JaxArray, x2: JaxArray): JaxArray {
  return laxLogaddexp(x1, x2);
});

/** `log(exp(x1) + exp(x2))` without overflow. */
export function logaddexp(x1: ArrayLike, x2: ArrayLike): JaxArray {
  let [a, b] = promoteDtypes(x1, x2);
  if (a.dtype !== "float32") [a, b] = [convertTo(a, "float32", a.weakType), convertTo(b, "float32", b.weakType)];
  return logaddexpJit(a, b);
}

/** `log(sum(exp(a), axis))` computed stably (jax.scipy.special.logsumexp; also jax.nn.logsumexp). */
export function logsumexp(a: ArrayLike, axis: Axis = null, opts: { keepdims?: boolean } = {}): JaxArray {
  let x = promoteDtypes(a)[0];
  if (x.dtype !== "float32") x = convertTo(x, "float32", false);
  const dims = axis === null ? x.shape.map((_, i) => i) : (typeof axis === "number" ? [axis] : [...axis]).map((d) => (d < 0 ? d + x.ndim : d));
  // As jax/_src/ops/special.py: max with initial=-inf (applied before keepdims), a full_like
  // zero for non-finite maxima, and the sign computed (JAX binds it even when unused).
  let amax = lax.max(scalar(-Infinity, x.dtype, false), max(x, dims));
  if (opts.keepdims) amax = lax.expandDims(amax, dims);
  amax = lax.stopGradient(lax.select(isfinite(amax), amax, fullLike(amax, 0)));
  const amaxDims = opts.keepdims ? amax : lax.expandDims(amax, dims);
  const expA = lax.exp(lax.sub(x, amaxDims));
  let sumexp = sum(expA, dims, { keepdims: opts.keepdims });
  const sign = lax.sign(sumexp);
  if (sign instanceof ArrayImpl) sign.dispose(); // eager: nobody reads it
  sumexp = lax.abs(sumexp);
  return lax.add(lax.log(sumexp), amax);
}

export { where };
