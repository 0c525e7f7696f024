// More of jax.random's continuous and discrete samplers, each JAX's algorithm step for step
// (jax/_src/random/core.py) over uniform/normal/exponential/rademacher draws, so they give the
// numbers JAX gives: cauchy, lognormal, pareto, rayleigh, weibull_min, triangular, maxwell,
// double_sided_maxwell, geometric, multivariate_normal (by Cholesky factor).
import type { Array as JaxArray } from "../array/base.js";
import { type DType, isFloat, isInteger } from "../dtypes.js";
import { pyShape } from "../jaxpr/aval.js";
import * as lax from "../lax/lax.js";
import { jit } from "../tracer/jit.js";
import { divide, multiply, power, subtract, add, where } from "../numpy/math.js";
import { cholesky, norm } from "../numpy/linalg.js";
import { broadcastShapes, broadcastTo, convertTo } from "../numpy/promote.js";
import { promoteDtypesInexact } from "../numpy/math_extra.js";
import { matvec } from "../numpy/products.js";
import { rademacher } from "./discrete.js";
import { type Shape, checkKey, splitTyped } from "./keys.js";
import { type Bound, checkShape, constant, exponential, floatDtype, normal, shapeList, uniform } from "./samplers.js";

const EPS = 2 ** -23;
const shapeOf = (x: Bound): number[] => (typeof x === "number" ? [] : [...x.shape]);
const asParam = (x: Bound): JaxArray => (typeof x === "number" ? lax.asArray(x) : x);

/** JAX's _check_broadcast_shapes: the parameters' broadcast shape, or `shape` checked against it. */
export function sampleShape(name: string, shape: Shape | null, ...params: Bound[]): number[] {
  const shapes = params.map(shapeOf);
  if (shape === null) return shapes.length ? broadcastShapes(name, ...shapes) : [];
  const s = shapeList(shape);
  // lax.broadcast_shapes first: incompatible shapes fail there, before the sampler's own check.
  try {
    broadcastShapes(name, s, ...shapes);
  } catch {
    throw new RangeError(`Incompatible shapes for broadcasting: shapes=[${[s, ...shapes].map(pyShape).join(", ")}]`);
  }
  checkShape(name, s, ...shapes);
  return s;
}

/** Keys `split(key)[0]` and `split(key)[1]`, as JAX's `k1, k2 = _split(key)` unpacks them. */
export function split2(key: JaxArray): [JaxArray, JaxArray] {
  const ks = splitTyped(key, 2);
  const at = (i: number) => lax.squeeze(lax.slice(ks, [i], [i + 1], [1]), [0]); // iterating a key array: strides (1,)
  return [at(0), at(1)];
}

// ---- cauchy ---------------------------------------------------------------------------------

const _cauchy = jit(
  function _cauchy(key: JaxArray, shape: number[], dtype: DType): JaxArray {
    checkShape("cauchy", shape);
    const u = uniform(key, shape, dtype, constant(EPS, dtype), 1);
    return lax.tan(lax.mul(constant(Math.PI, dtype), lax.sub(u, constant(0.5, dtype))));
  },
  { staticArgnums: [1, 2] },
);
/** Standard Cauchy draws: tan(pi (u - 1/2)). `cauchy(key, shape=[], dtype="float32")`. */
export function cauchy(key: JaxArray, shape: Shape = [], dtype: DType = "float32"): JaxArray {
  const [typed] = checkKey("cauchy", key);
  return _cauchy(typed, shapeList(shape), floatDtype("cauchy", dtype));
}

// ---- lognormal --------------------------------------------------------------------------------

/** exp(sigma * normal): `lognormal(key, sigma=1, shape=null, dtype)` (JAX inlines its jit). */
export function lognormal(key: JaxArray, sigma: Bound = 1, shape: Shape | null = null, dtype: DType = "float32"): JaxArray {
  const [typed] = checkKey("lognormal", key);
  const dt = floatDtype("lognormal", dtype);
  const s = sampleShape("lognormal", shape, sigma);
  const sig = typeof sigma === "number" ? constant(sigma, dt) : convertTo(sigma, dt, false);
  return lax.exp(multiply(normal(typed, s, dt), sig));
}

// ---- pareto ---------------------------------------------------------------------------------

const _pareto = jit(
  function _pareto(key: JaxArray, b: JaxArray, shape: number[], dtype: DType): JaxArray {
    const bb = convertTo(b, dtype, false);
    return lax.exp(divide(exponential(key, shape, dtype), bb));
  },
  { staticArgnums: [2, 3] },
);
/** Pareto draws with shape parameter b: exp(exponential / b). */
export function pareto(key: JaxArray, b: Bound, shape: Shape | null = null, dtype: DType = "float32"): JaxArray {
  const [typed] = checkKey("pareto", key);
  return _pareto(typed, asParam(b), sampleShape("pareto", shape, b), floatDtype("pareto", dtype));
}

// ---- rayleigh -------------------------------------------------------------------------------

const _rayleigh = jit(
  function _rayleigh(key: JaxArray, scale: JaxArray, shape: number[], dtype: DType): JaxArray {
    const u = uniform(key, shape, dtype);
    const s = broadcastTo(convertTo(scale, dtype, false), shape);
    const sqrtU = lax.sqrt(lax.mul(lax.log(u), constant(-2, dtype)));
    return lax.mul(s, sqrtU);
  },
  { staticArgnums: [2, 3] },
);
/** Rayleigh draws: scale * sqrt(-2 log u). */
export function rayleigh(key: JaxArray, scale: Bound, shape: Shape | null = null, dtype: DType = "float32"): JaxArray {
  const [typed] = checkKey("rayleigh", key);
  return _rayleigh(typed, asParam(scale), sampleShape("rayleigh", shape, scale), floatDtype("rayleigh", dtype));
}

// ---- weibull_min ----------------------------------------------------------------------------

const _weibull_min = jit(
  function _weibull_min(key: JaxArray, scale: JaxArray, concentration: JaxArray, shape: number[], dtype: DType): JaxArray {
    const u = uniform(key, shape, dtype, 0, 1);
    // jnp.power(-log1p(-u), 1.0 / concentration) * scale
    return multiply(power(lax.neg(lax.log1p(lax.neg(u))), divide(1.0, concentration)), scale);
  },
  { staticArgnums: [3, 4] },
);
/** Weibull draws: scale * (-log1p(-u))^(1 / concentration). */
export function weibullMin(key: JaxArray, scale: Bound, concentration: Bound, shape: Shape = [], dtype: DType = "float32"): JaxArray {
  const [typed] = checkKey("weibull_min", key);
  return _weibull_min(typed, asParam(scale), asParam(concentration), shapeList(shape), floatDtype("weibull_min", dtype));
}

// ---- triangular -----------------------------------------------------------------------------

/** Triangular draws on [left, right] peaking at mode, by inverting the CDF (JAX inlines its jit). */
export function triangular(key: JaxArray, left: Bound, mode: Bound, right: Bound, shape: Shape | null = null, dtype: DType = "float32"): JaxArray {
  const [typed] = checkKey("triangular", key);
  const dt = floatDtype("triangular", dtype);
  const s = sampleShape("triangular", shape, left, mode, right);
  const [l, m, r] = [left, mode, right].map((p) => broadcastTo(typeof p === "number" ? constant(p, dt) : convertTo(p, dt, false), s));
  const fc = divide(subtract(m, l), subtract(r, l));
  const u = uniform(typed, s, dt);
  const out1 = add(l, lax.sqrt(multiply(multiply(u, subtract(r, l)), subtract(m, l))));
  const out2 = subtract(r, lax.sqrt(multiply(multiply(subtract(1, u), subtract(r, l)), subtract(r, m))));
  return lax.select(lax.lt(u, fc), out1, out2);
}

// ---- maxwell --------------------------------------------------------------------------------

const _maxwell = jit(
  function _maxwell(key: JaxArray, shape: number[], dtype: DType): JaxArray {
    return norm(normal(key, [...shape, 3], dtype), null, -1);
  },
  { staticArgnums: [1, 2] },
);
/** Maxwell draws: the length of a standard normal 3-vector. */
export function maxwell(key: JaxArray, shape: Shape = [], dtype: DType = "float32"): JaxArray {
  const [typed] = checkKey("maxwell", key);
  return _maxwell(typed, shapeList(shape), floatDtype("maxwell", dtype));
}

const _double_sided_maxwell = jit(
  function _double_sided_maxwell(key: JaxArray, loc: JaxArray, scale: JaxArray, shape: number[], dtype: DType): JaxArray {
    const params = broadcastShapes("double_sided_maxwell", loc.shape, scale.shape);
    const s = [...(shape.length ? shape : params), ...params];
    const [k1, k2] = split2(key);
    const m = maxwell(k1, s, dtype);
    const sign = rademacher(k2, s, dtype);
    return add(multiply(multiply(sign, m), scale), loc);
  },
  { staticArgnums: [3, 4] },
);
/** Maxwell magnitudes with random signs, scaled and shifted: `doubleSidedMaxwell(key, loc, scale, shape=[])`. */
export function doubleSidedMaxwell(key: JaxArray, loc: Bound, scale: Bound, shape: Shape = [], dtype: DType = "float32"): JaxArray {
  const [typed] = checkKey("double_sided_maxwell", key);
  return _double_sided_maxwell(typed, asParam(loc), asParam(scale), shapeList(shape), floatDtype("double_sided_maxwell", dtype));
}

// ---- geometric ------------------------------------------------------------------------------

const _geometric = jit(
  function _geometric(key: JaxArray, p0: JaxArray, shape: number[], dtype: DType): JaxArray {
    const [p] = promoteDtypesInexact(p0);
    let u = uniform(key, shape, p.dtype);
    u = where(lax.eq(u, constant(0, u.dtype)), 1, u);
    const logOneMinusP = broadcastTo(lax.log1p(lax.neg(p)), shape);
    const g = add(lax.floor(lax.div(lax.log(u), logOneMinusP)), 1);
    return convertTo(g, dtype, false);
  },
  { staticArgnums: [2, 3] },
);
/** The number of Bernoulli(p) trials up to the first success (>= 1), as integers. */
export function geometric(key: JaxArray, p: Bound, shape: Shape | null = null, dtype: DType = "int32"): JaxArray {
  const [typed] = checkKey("geometric", key);
  if (!isInteger(dtype)) throw new TypeError(`dtype argument to \`geometric\` must be an int dtype, got ${dtype}`);
  return _geometric(typed, asParam(p), sampleShape("geometric", shape, p), dtype);
}

// ---- multivariate_normal --------------------------------------------------------------------

const _multivariate_normal = jit(
  function _multivariate_normal(key: JaxArray, mean: JaxArray, cov: JaxArray, shape: number[] | null, dtype: DType): JaxArray {
    if (mean.ndim < 1) throw new RangeError(`multivariate_normal requires mean.ndim >= 1, got mean.ndim == ${mean.ndim}`);
    if (cov.ndim < 2) throw new RangeError(`multivariate_normal requires cov.ndim >= 2, got cov.ndim == ${cov.ndim}`);
    const n = mean.shape[mean.ndim - 1];
    if (cov.shape.slice(-2).join() !== `${n},${n}`)
      throw new RangeError(`multivariate_normal requires cov.shape == (..., n, n) for n=${n}, but got cov.shape == ${pyShape(cov.shape)}.`);
    let s: number[];
    if (shape === null) s = broadcastShapes("multivariate_normal", mean.shape.slice(0, -1), cov.shape.slice(0, -2));
    else {
      checkShape("normal", shape, mean.shape.slice(0, -1), cov.shape.slice(0, -2));
      s = shape;
    }
    const factor = cholesky(cov);
    const z = normal(key, [...s, n], dtype);
    return add(mean, matvec(factor, z));
  },
  { staticArgnums: [3, 4] },
);
/**
 * Draws from N(mean, cov): mean + L z with L the Cholesky factor of cov (JAX's default method;
 * "svd" and "eigh" need factorizations tfjax does not have yet).
 */
export function multivariateNormal(
  key: JaxArray,
  mean: Bound,
  cov: Bound,
  shape: Shape | null = null,
  dtype: DType | null = null,
  method: "cholesky" | "svd" | "eigh" = "cholesky",
): JaxArray {
  const [typed] = checkKey("multivariate_normal", key);
  if (!["svd", "eigh", "cholesky"].includes(method)) throw new RangeError("method must be one of {'svd', 'eigh', 'cholesky'}");
  if (method !== "cholesky") throw new Error(`multivariate_normal: method=${JSON.stringify(method)} needs an ${method === "svd" ? "SVD" : "eigendecomposition"}, which tfjax does not have yet; use "cholesky"`);
  const [m, c] = promoteDtypesInexact(mean, cov);
  const dt = dtype ?? m.dtype;
  if (!isFloat(dt)) throw new TypeError(`dtype argument to \`multivariate_normal\` must be a float dtype, got ${dt}`);
  return _multivariate_normal(typed, m, c, shape === null ? null : shapeList(shape), floatDtype("multivariate_normal", dt));
}
