// Continuous samplers with JAX's names, argument order and defaults (jax/_src/random/core.py).
// Each is a jit named as JAX's (`_uniform`, `_normal`, ...), so jaxprs show
// `jit[name=_uniform ...]`; uniform and normal follow JAX equation for equation.
import type { Array as JaxArray } from "../array/base.js";
import { scalar } from "../array/array.js";
import { type DType, isFloat } from "../dtypes.js";
import { pyShape } from "../jaxpr/aval.js";
import * as lax from "../lax/lax.js";
import { bind1 } from "../tracer/core.js";
import { jit } from "../tracer/jit.js";
import { clip, where } from "../numpy/math.js";
import { convertTo } from "../numpy/promote.js";
import { bitcast_convert_type_p } from "./bitcast.js";
import { type Shape, checkKey, randomBits } from "./keys.js";

export type Bound = number | JaxArray;

const f32 = Math.fround;
/** A strongly typed scalar constant: a literal in jaxprs, as a 0-d NumPy value is in JAX. */
export const constant = (v: number, dtype: DType): JaxArray => scalar(dtype === "float32" ? f32(v) : v, dtype, false);

/** float32 constants of `jnp.finfo(float32)`. */
export const TINY = 2 ** -126;
export const EPSNEG = 2 ** -24;
export const NMANT = 23;

export function shapeList(shape: Shape): number[] {
  const s = typeof shape === "number" ? [shape] : [...shape];
  if (!s.every((d) => Number.isInteger(d))) throw new TypeError(`Shapes must be 1D sequences of concrete values of integer type, got ${pyShape(s)}.`);
  return s;
}

export function floatDtype(name: string, dtype: DType): DType {
  if (!isFloat(dtype)) throw new TypeError(`dtype argument to \`${name}\` must be a float dtype, got ${dtype}`);
  if (dtype !== "float32") throw new TypeError(`${name}: dtype ${dtype} is not supported (tfjax samples float32)`);
  return dtype;
}

/** `lax.broadcast_to_rank`: leading 1s up to `rank` (nothing when already there). */
export const broadcastToRank = (x: JaxArray, rank: number): JaxArray => (x.ndim === rank ? x : lax.broadcast(x, new Array(rank - x.ndim).fill(1)));

const bitcast = (x: JaxArray, dtype: DType): JaxArray => bind1(bitcast_convert_type_p, [x], { new_dtype: dtype });

/** `_check_shape`: parameters must broadcast to exactly `shape`. */
export function checkShape(name: string, shape: readonly number[], ...paramShapes: (readonly number[])[]): void {
  const rank = Math.max(shape.length, ...paramShapes.map((s) => s.length));
  const out = Array.from({ length: rank }, (_, i) => {
    const ds = [shape, ...paramShapes].map((s) => s[i - rank + s.length] ?? 1);
    return ds.find((d) => d !== 1) ?? 1;
  });
  if (out.join() !== shape.join())
    throw new TypeError(
      `${name} parameter shapes must be broadcast-compatible with shape argument, and the result of broadcasting the shapes must equal the shape argument, but got result ${pyShape(out)} for shape argument ${pyShape(shape)}.`,
    );
}

// ---- uniform --------------------------------------------------------------------------------

// Random mantissa bits under the exponent of 1.0 give a float in [1, 2); minus 1 is [0, 1).
export const _uniform = jit(
  function _uniform(key: JaxArray, minval: Bound, maxval: Bound, shape: number[], dtype: DType): JaxArray {
    checkShape("uniform", shape);
    let lo = convertTo(minval, dtype, false);
    let hi = convertTo(maxval, dtype, false);
    lo = broadcastToRank(lo, shape.length);
    hi = broadcastToRank(hi, shape.length);
    const bits = randomBits(key, 32, shape);
    let floatBits = lax.shiftRightLogical(bits, constant(32 - NMANT, "uint32"));
    floatBits = lax.bitwiseOr(floatBits, constant(0x3f800000, "uint32"));
    const floats = lax.sub(bitcast(floatBits, dtype), constant(1, dtype));
    return lax.max(lo, lax.reshape(lax.add(lax.mul(floats, lax.sub(hi, lo)), lo), shape));
  },
  { staticArgnums: [3, 4] },
);

/** Uniform floats in [minval, maxval): `uniform(key, shape=[], dtype="float32", minval=0, maxval=1)`. */
export function uniform(key: JaxArray, shape: Shape = [], dtype: DType = "float32", minval: Bound = 0, maxval: Bound = 1): JaxArray {
  const [typed] = checkKey("uniform", key);
  if (!isFloat(dtype)) throw new TypeError(`dtype argument to \`uniform\` must be a float dtype, got ${dtype}`);
  return _uniform(typed, minval, maxval, shapeList(shape), floatDtype("uniform", dtype));
}

// ---- normal ---------------------------------------------------------------------------------

// sqrt(2) erf_inv(u) for u uniform on (-1, 1): the smallest float above -1 keeps erf_inv finite.
const _normal_real = jit(
  function _normal_real(key: JaxArray, shape: number[], dtype: DType): JaxArray {
    checkShape("normal", shape);
    const u = uniform(key, shape, dtype, constant(-1 + EPSNEG, dtype), constant(1, dtype));
    return lax.mul(constant(Math.SQRT2, dtype), lax.erfInv(u));
  },
  { staticArgnums: [1, 2] },
);

const _normal = jit(
  function _normal(key: JaxArray, shape: number[], dtype: DType): JaxArray {
    return _normal_real(key, shape, dtype);
  },
  { staticArgnums: [1, 2] },
);

/** Standard normal floats: `normal(key, shape=[], dtype="float32")`. */
export function normal(key: JaxArray, shape: Shape = [], dtype: DType = "float32"): JaxArray {
  const [typed] = checkKey("normal", key);
  return _normal(typed, shapeList(shape), floatDtype("normal", dtype));
}

// ---- truncated normal -----------------------------------------------------------------------

const _truncated_normal = jit(
  function _truncated_normal(key: JaxArray, lower: JaxArray, upper: JaxArray, shape: number[] | null, dtype: DType): JaxArray {
    const sh = shape ?? broadcastPair(lower.shape, upper.shape);
    if (shape) checkShape("truncated_normal", shape, lower.shape, upper.shape);
    const sqrt2 = constant(Math.SQRT2, dtype);
    const lo = convertTo(lower, dtype, false);
    const hi = convertTo(upper, dtype, false);
    const a = lax.erf(lax.div(lo, sqrt2));
    const b = lax.erf(lax.div(hi, sqrt2));
    const u = uniform(key, sh, dtype, a, b);
    const out = lax.mul(sqrt2, lax.erfInv(u));
    // Clamp to the open interval (lower, upper): rounding may land on a bound.
    return clip(out, lax.nextafter(lax.stopGradient(lo), constant(Infinity, dtype)), lax.nextafter(lax.stopGradient(hi), constant(-Infinity, dtype)));
  },
  { staticArgnums: [3, 4] },
);

function broadcastPair(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, i) => Math.max(a[i - rank + a.length] ?? 1, b[i - rank + b.length] ?? 1));
}

/** Standard normal truncated to (lower, upper): `truncatedNormal(key, lower, upper, shape=null, dtype)`. */
export function truncatedNormal(key: JaxArray, lower: Bound, upper: Bound, shape: Shape | null = null, dtype: DType = "float32"): JaxArray {
  const [typed] = checkKey("truncated_normal", key);
  const dt = floatDtype("truncated_normal", dtype);
  return _truncated_normal(typed, lax.asArray(lower, dt), lax.asArray(upper, dt), shape === null ? null : shapeList(shape), dt);
}

// ---- samplers over one uniform --------------------------------------------------------------

/** A sampler `f(uniform draw)` as a named jit over (key, shape, dtype). */
function overUniform(name: string, minval: number, maxval: number, f: (u: JaxArray, dtype: DType) => JaxArray) {
  const body = {
    [name](key: JaxArray, shape: number[], dtype: DType): JaxArray {
      checkShape(name.slice(1), shape);
      return f(uniform(key, shape, dtype, minval, maxval), dtype);
    },
  }[name];
  const jitted = jit(body, { staticArgnums: [1, 2] });
  return (key: JaxArray, shape: Shape = [], dtype: DType = "float32"): JaxArray => {
    const [typed] = checkKey(name.slice(1), key);
    return jitted(typed, shapeList(shape), floatDtype(name.slice(1), dtype));
  };
}

/** Exponential(1): -log1p(-u), so log sees (0, 1]. */
export const exponential = overUniform("_exponential", 0, 1, (u) => lax.neg(lax.log1p(lax.neg(u))));

/** Laplace(0, 1): sign(u) log1p(-|u|) for u uniform on (-1, 1). */
export const laplace = overUniform("_laplace", -1 + EPSNEG, 1, (u) => lax.mul(lax.sign(u), lax.log1p(lax.neg(lax.abs(u)))));

/** Logistic(0, 1): log(u) - log1p(-u) for u uniform on [tiny, 1). */
export const logistic = overUniform("_logistic", TINY, 1, (u) => lax.sub(lax.log(u), lax.log1p(lax.neg(u))));

// ---- gumbel ---------------------------------------------------------------------------------

const _gumbel = jit(
  function _gumbel(key: JaxArray, shape: number[], dtype: DType, mode: string): JaxArray {
    checkShape("gumbel", shape);
    if (mode === "high") {
      // Two uniforms: the second refines the first below 0.5, reaching logits near 32.
      const both = _uniform(key, 0, 1, [2, ...shape], dtype);
      const [high, low] = [0, 1].map((i) => lax.squeeze(lax.slice(both, [i, ...shape.map(() => 0)], [i + 1, ...shape]), [0]));
      const x = where(lax.ge(high, constant(0.5, dtype)), high, lax.add(lax.add(high, lax.mul(constant(2 ** -NMANT, dtype), low)), constant(Math.max(2 ** -(2 * NMANT + 1), TINY), dtype)));
      return lax.neg(lax.log(lax.neg(lax.log1p(lax.neg(x)))));
    }
    return lax.neg(lax.log(lax.neg(lax.log(_uniform(key, constant(TINY, dtype), 1, shape, dtype)))));
  },
  { staticArgnums: [1, 2, 3] },
);

/** Gumbel(0, 1): -log(-log(u)); `mode` "low" (default) or "high" (two uniforms per draw). */
export function gumbel(key: JaxArray, shape: Shape = [], dtype: DType = "float32", mode: "low" | "high" = "low"): JaxArray {
  const [typed] = checkKey("gumbel", key);
  if (mode !== "low" && mode !== "high") throw new TypeError(`Must provide valid mode for gumbel got: ${mode}`);
  return _gumbel(typed, shapeList(shape), floatDtype("gumbel", dtype), mode);
}
