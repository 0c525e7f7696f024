// More of jnp's elementwise functions, written as jax/_src/numpy/ufuncs.py writes them: inverse
// and hyperbolic trigonometry, angle conversion, sinc, hypot, log2/log10, float decomposition
// (frexp, ldexp, modf, signbit), NaN-aware max/min, infinities, and the bitwise aliases.
import type { Array as JaxArray } from "../array/base.js";
import { type DType, isFloat, isInteger } from "../dtypes.js";
import * as lax from "../lax/lax.js";
import type { ArrayLike } from "../lax/lax.js";
import { customJvp } from "../tracer/custom_derivatives.js";
import { jit } from "../tracer/jit.js";
import { convertTo, promoteArgs, promoteDtypes, promoteShapes, resultTypeOf } from "./promote.js";
import { floorDivide, greater, isnan, less, logicalOr, pyScalars, remainder, rightShift, where } from "./math.js";

type Unary = (x: ArrayLike) => JaxArray;
type Binary = (x: ArrayLike, y: ArrayLike) => JaxArray;

/** JAX's promote_dtypes_inexact: promotion, then integers and bools to float32 (weakness kept). */
export function promoteDtypesInexact(...xs: ArrayLike[]): JaxArray[] {
  const { dtype, weakType } = resultTypeOf(...xs);
  const dt: DType = isFloat(dtype) ? dtype : "float32";
  return xs.map((x) => convertTo(x, dt, weakType));
}
/** JAX's promote_args_inexact: promote_dtypes_inexact, then ranks. */
export const promoteArgsInexact = (name: string, ...xs: ArrayLike[]): JaxArray[] => promoteShapes(name, ...promoteDtypesInexact(...xs));

/** A constant of x's dtype (JAX's _lax_const). */
const constLike = (x: JaxArray, v: number): JaxArray => lax.asArray(v, x.dtype, false);

const inexactUnary =
  (name: string, op: (x: JaxArray) => JaxArray): Unary =>
  (x) =>
    op(promoteArgsInexact(name, x)[0]);

// ---- trigonometric and hyperbolic -------------------------------------------------------------

export const arcsin = inexactUnary("arcsin", lax.asin);
export const arccos = inexactUnary("arccos", lax.acos);
export const arctan = inexactUnary("arctan", lax.atan);
export const sinh = inexactUnary("sinh", lax.sinh);
export const cosh = inexactUnary("cosh", lax.cosh);
export const arcsinh = inexactUnary("arcsinh", lax.asinh);
const arccoshJit = jit(function arccosh(x: JaxArray) {
  return lax.acosh(x);
});
export const arccosh: Unary = (x) => arccoshJit(promoteArgsInexact("arccosh", x)[0]);
export const arctanh = inexactUnary("arctanh", lax.atanh);
// The array API's names.
export { arcsin as asin, arccos as acos, arctan as atan, arcsinh as asinh, arccosh as acosh, arctanh as atanh };

/** Degrees to radians: `deg2rad(180)` is pi. */
export const deg2rad = inexactUnary("deg2rad", (x) => lax.mul(x, constLike(x, Math.PI / 180)));
/** Radians to degrees. */
export const rad2deg = inexactUnary("rad2deg", (x) => lax.mul(x, constLike(x, 180 / Math.PI)));
export const radians = deg2rad;
export const degrees = rad2deg;

// The k-th derivative of sin(x)/x at 0 (JAX's _sinc_maclaurin), as a custom jvp per k, so
// sinc is smooth at 0 to every order.
const maclaurin = new Map<number, (x: JaxArray) => JaxArray>();
function sincMaclaurin(k: number): (x: JaxArray) => JaxArray {
  let f = maclaurin.get(k);
  if (f) return f;
  const g = customJvp(function _sinc_maclaurin(x: JaxArray) {
    return k % 2 ? lax.mul(x, 0) : lax.add(lax.mul(x, 0), constLike(x, (-1) ** (k / 2) / (k + 1)));
  });
  g.defjvp(function _sinc_maclaurin_jvp([x]: JaxArray[], [t]: JaxArray[]) {
    return [g(x), lax.mul(sincMaclaurin(k + 1)(x), t)];
  });
  maclaurin.set(k, (f = g));
  return f;
}

const sincJit = jit(function sinc(x: JaxArray) {
  const eqZero = lax.eq(x, constLike(x, 0));
  const eqInf = lax.eq(lax.abs(x), constLike(x, Infinity));
  const piX = lax.mul(constLike(x, Math.PI), x);
  const safePiX = where(lax.bitwiseOr(eqZero, eqInf), constLike(x, 1), piX);
  const result = where(eqZero, sincMaclaurin(0)(piX), lax.div(lax.sin(safePiX), safePiX));
  return where(eqInf, constLike(x, 0), result);
});
/** sin(pi x) / (pi x), and 1 at 0 (smooth there under differentiation). */
export const sinc: Unary = (x) => sincJit(promoteArgsInexact("sinc", x)[0]);

const hypotJit = jit(function hypot(a: JaxArray, b: JaxArray) {
  let [x1, x2] = [lax.abs(a), lax.abs(b)];
  const idxInf = lax.bitwiseOr(isposinf(x1), isposinf(x2));
  [x1, x2] = [lax.max(x1, x2), lax.min(x1, x2)];
  const isZero = lax.eq(x1, constLike(x1, 0));
  const ratio = lax.div(x2, where(isZero, lax.asArray(1, x1.dtype, x1.weakType), x1));
  const x = where(isZero, x1, lax.mul(x1, lax.sqrt(lax.add(lax.asArray(1, x1.dtype, true), lax.square(ratio)))));
  return where(idxInf, constLike(x, Infinity), x);
});
/** sqrt(x1^2 + x2^2) without overflow. */
export const hypot: Binary = (x1, x2) => hypotJit(...(promoteArgsInexact("hypot", x1, x2) as [JaxArray, JaxArray]));

// ---- logarithms and powers ------------------------------------------------------------------

export const log2 = inexactUnary("log2", (x) => lax.div(lax.log(x), lax.log(constLike(x, 2))));
export const log10 = inexactUnary("log10", (x) => lax.mul(lax.log(x), constLike(x, 0.4342944819032518)));

/** inf -> 0 where it would make inf - inf (JAX's _replace_inf). */
const replaceInf = (x: JaxArray) => lax.select(lax.isFinite(x), x, lax.mul(x, 0));
// lax's logaddexp2 (jax/_src/lax/other.py), with its custom jvp that stays finite at infinities.
const laxLogaddexp2 = customJvp(function logaddexp2(x1: JaxArray, x2: JaxArray): JaxArray {
  const amax = lax.max(x1, x2);
  const invln2 = constLike(amax, 1 / Math.LN2);
  const delta = lax.sub(x1, x2);
  return lax.select(lax.ne(delta, delta), lax.add(x1, x2), lax.add(amax, lax.mul(invln2, lax.log1p(lax.exp2(lax.neg(lax.abs(delta)))))));
});
laxLogaddexp2.defjvp(function _logaddexp2_jvp([x1, x2]: JaxArray[], [t1, t2]: JaxArray[]) {
  const out = laxLogaddexp2(x1, x2);
  const t = lax.add(lax.mul(t1, lax.exp2(lax.sub(replaceInf(x1), replaceInf(out)))), lax.mul(t2, lax.exp2(lax.sub(replaceInf(x2), replaceInf(out)))));
  return [out, t];
});
const logaddexp2Jit = jit(function logaddexp2(x1: JaxArray, x2: JaxArray) {
  return laxLogaddexp2(x1, x2);
});
/** log2(2^x1 + 2^x2) without overflow. */
export const logaddexp2: Binary = (x1, x2) => logaddexp2Jit(...(promoteArgsInexact("logaddexp2", x1, x2) as [JaxArray, JaxArray]));

/** x1 ** x2 computed in floating point (integers are promoted to float32 first). */
export const floatPower: Binary = (x, y) => lax.pow(...(promoteArgsInexact("float_power", x, y) as [JaxArray, JaxArray]));

/** `+x`: a promoted copy of the value. */
export const positive: Unary = (x) => promoteArgs("positive", x)[0];

// ---- sign, infinities, NaNs -------------------------------------------------------------------

const isposneginf = (inf: number) => (x: ArrayLike): JaxArray => {
  const a = promoteDtypes(x)[0];
  return isFloat(a.dtype) ? lax.eq(a, constLike(a, inf)) : lax.broadcastInDim(lax.asArray(false, "bool"), a.shape, []);
};
/** x == +inf. */
export const isposinf = isposneginf(Infinity);
/** x == -inf. */
export const isneginf = isposneginf(-Infinity);

const isinfJit = jit(function isinf(x: JaxArray) {
  return isFloat(x.dtype) ? lax.eq(lax.abs(x), constLike(x, Infinity)) : lax.broadcastInDim(lax.asArray(false, "bool"), x.shape, []);
});
/** |x| == inf. */
export const isinf: Unary = (x) => isinfJit(promoteDtypes(x)[0]);

const signbitJit = jit(function signbit(x: JaxArray) {
  if (isInteger(x.dtype)) return lax.lt(x, lax.asArray(0, x.dtype, false));
  if (x.dtype === "bool") return lax.broadcastInDim(lax.asArray(false, "bool"), x.shape, []);
  // The float's top bit: an arithmetic shift of its int32 bits by nexp + nmant.
  const bits = lax.bitcastConvertType(x, "int32");
  return lax.convertElementType(rightShift(bits, 31), "bool");
});
/** True where the sign bit is set (so for -0 and negative NaNs too). */
export const signbit: Unary = (x) => signbitJit(promoteArgs("signbit", x)[0]);

const copysignJit = jit(function copysign(x1: JaxArray, x2: JaxArray) {
  return where(signbit(x2), lax.neg(lax.abs(x1)), lax.abs(x1));
});
/** |x1| with the sign of x2. */
export const copysign: Binary = (x1, x2) => copysignJit(...(promoteArgsInexact("copysign", x1, x2) as [JaxArray, JaxArray]));

const heavisideJit = jit(function heaviside(x1: JaxArray, x2: JaxArray) {
  const zero = constLike(x1, 0);
  return where(lax.lt(x1, zero), zero, where(lax.gt(x1, zero), constLike(x1, 1), where(isnan(x1), x1, x2)));
});
/** The step function: 0 below 0, 1 above, x2 at 0. */
export const heaviside: Binary = (x1, x2) => {
  const [a, b] = promoteDtypes(...(pyScalars(x1, x2) as JaxArray[]));
  const dt: DType = isFloat(a.dtype) ? a.dtype : "float32";
  return heavisideJit(convertTo(a, dt, a.weakType), convertTo(b, dt, b.weakType));
};

const fmaxJit = jit(function fmax(x1: JaxArray, x2: JaxArray) {
  return where(logicalOr(greater(x1, x2), isnan(x2)), x1, x2);
});
const fminJit = jit(function fmin(x1: JaxArray, x2: JaxArray) {
  return where(logicalOr(less(x1, x2), isnan(x2)), x1, x2);
});
/** Elementwise maximum that ignores NaNs (NaN only where both are). */
export const fmax: Binary = (x1, x2) => fmaxJit(...(pyScalars(x1, x2) as [JaxArray, JaxArray]));
/** Elementwise minimum that ignores NaNs. */
export const fmin: Binary = (x1, x2) => fminJit(...(pyScalars(x1, x2) as [JaxArray, JaxArray]));

const nanToNumJit = jit(
  function nan_to_num(x: JaxArray, nan: number, posinf: number | null, neginf: number | null) {
    if (!isFloat(x.dtype)) return x;
    const c = (v: number) => lax.asArray(v, x.dtype, false);
    let out = where(isnan(x), c(nan), x);
    out = where(isposinf(out), c(posinf ?? FLOAT32_MAX), out);
    return where(isneginf(out), c(neginf ?? -FLOAT32_MAX), out);
  },
  { staticArgnums: [1, 2, 3] },
);
const FLOAT32_MAX = 3.4028234663852886e38;
/** NaN -> `nan` (0), +-inf -> `posinf`/`neginf` (the dtype's largest finite values). */
export function nanToNum(x: ArrayLike, opts: { nan?: number; posinf?: number | null; neginf?: number | null } = {}): JaxArray {
  return nanToNumJit(promoteDtypes(x)[0], opts.nan ?? 0, opts.posinf ?? null, opts.neginf ?? null);
}

// ---- rounding and float decomposition -------------------------------------------------------

const rintJit = jit(function rint(x: JaxArray) {
  return isFloat(x.dtype) ? lax.round(x, 1) : lax.convertElementType(x, "float32");
});
/** Rounds to the nearest integer, ties to even; integers become float32. */
export const rint: Unary = (x) => rintJit(promoteDtypes(x)[0]);

const truncJit = jit(function trunc(x: JaxArray) {
  return isFloat(x.dtype) ? where(lax.lt(x, constLike(x, 0)), lax.ceil(x), lax.floor(x)) : x;
});
/** Rounds toward zero. */
export const trunc: Unary = (x) => truncJit(promoteDtypes(x)[0]);

const modfJit = jit(function modf(x: JaxArray) {
  const whole = where(lax.ge(x, constLike(x, 0)), lax.floor(x), lax.ceil(x));
  return [lax.sub(x, whole), whole];
});
/** `[fractional, whole]` parts, both with x's sign. */
export const modf = (x: ArrayLike): [JaxArray, JaxArray] => modfJit(promoteArgsInexact("modf", x)[0]) as unknown as [JaxArray, JaxArray];

const fmodJit = jit(function fmod(x1: JaxArray, x2: JaxArray) {
  const b = isInteger(x2.dtype) ? where(lax.eq(x2, lax.asArray(0, x2.dtype, false)), lax.asArray(1, x2.dtype, x2.weakType), x2) : x2;
  const [p, q] = promoteArgs("fmod", x1, b);
  return lax.rem(p, q);
});
/** C's fmod: the remainder with the sign of the dividend (integer x % 0 is x % 1 = 0). */
export const fmod: Binary = (x1, x2) => fmodJit(...(promoteArgs("fmod", ...(pyScalars(x1, x2) as JaxArray[])) as [JaxArray, JaxArray]));

// CPython's float_divmod: the quotient and remainder of floor division.
function floatDivmod(x1: JaxArray, x2: JaxArray): [JaxArray, JaxArray] {
  let mod = lax.rem(x1, x2);
  const corrected = where(lax.eq(x2, constLike(x2, 0)), x1, lax.sub(x1, mod));
  let div = lax.div(corrected, x2);
  const ind = lax.bitwiseAnd(lax.ne(mod, constLike(mod, 0)), lax.ne(lax.sign(x2), lax.sign(mod)));
  mod = lax.select(ind, lax.add(mod, x2), mod);
  div = lax.select(ind, lax.sub(div, lax.asArray(1, div.dtype, true)), div);
  return [lax.round(div, 0), mod];
}
const divmodJit = jit(function divmod(x1: JaxArray, x2: JaxArray) {
  return isInteger(x1.dtype) ? [floorDivide(x1, x2), remainder(x1, x2)] : floatDivmod(x1, x2);
});
/** `[floorDivide(x1, x2), remainder(x1, x2)]`. */
export const divmod = (x1: ArrayLike, x2: ArrayLike): [JaxArray, JaxArray] =>
  divmodJit(...(promoteArgs("divmod", ...(pyScalars(x1, x2) as JaxArray[])) as [JaxArray, JaxArray])) as unknown as [JaxArray, JaxArray];

// float32: 8 exponent bits, 23 mantissa bits, bias 127.
const NMANT = 23;
const EXP_MASK = 0xff;
const BIAS = 127;
const int32 = (v: number) => lax.asArray(v, "int32", false);

// JAX's _frexp: the exponent and mantissa fields of the bits, subnormals scaled up first.
const frexpCustom = customJvp(function _frexp(x: JaxArray) {
  const tiny = lax.lt(lax.abs(x), constLike(x, 2 ** -126));
  const scaled = where(tiny, lax.mul(x, constLike(x, 2 ** NMANT)), x);
  let e = where(tiny, int32(-NMANT), int32(0));
  let bits = lax.bitcastConvertType(scaled, "int32");
  e = lax.add(e, lax.add(lax.sub(lax.bitwiseAnd(rightShift(bits, NMANT), int32(EXP_MASK)), int32(BIAS)), int32(1)));
  bits = lax.bitwiseAnd(bits, int32(~(EXP_MASK << NMANT)));
  bits = lax.bitwiseOr(bits, int32((BIAS - 1) << NMANT));
  const m = lax.bitcastConvertType(bits, x.dtype);
  const special = lax.bitwiseOr(lax.bitwiseOr(isinf(x), isnan(x)), lax.eq(x, constLike(x, 0)));
  return [where(special, x, m), where(special, lax.mul(e, 0), e)];
});
frexpCustom.defjvp(function _frexp_jvp([x]: JaxArray[], [t]: JaxArray[]) {
  const [m, e] = frexpCustom(x) as unknown as [JaxArray, JaxArray];
  return [
    [m, e],
    [lax.mul(t, lax.exp2(lax.neg(lax.convertElementType(e, t.dtype)))), lax.mul(e, 0)],
  ];
});
const frexpJit = jit(function frexp(x: JaxArray) {
  return frexpCustom(x);
});
/** `[mantissa, exponent]` with x = mantissa * 2^exponent and 0.5 <= |mantissa| < 1. */
export const frexp = (x: ArrayLike): [JaxArray, JaxArray] => frexpJit(promoteArgsInexact("frexp", x)[0]) as unknown as [JaxArray, JaxArray];

const ldexpJit = jit(function ldexp(x1: JaxArray, x2: JaxArray) {
  const [m0, e0] = frexp(x1);
  let e = convertTo(lax.add(convertTo(e0, x2.dtype, false), x2), x1.dtype, false);
  // The exponent may overflow by one and still give a finite result.
  const pos = lax.gt(e, constLike(e, 0));
  const m = where(pos, lax.mul(m0, lax.asArray(2, m0.dtype, true)), m0);
  e = where(pos, lax.sub(e, lax.asArray(1, e.dtype, true)), e);
  const x = lax.mul(m, lax.pow(lax.asArray(2, m.dtype, true), convertTo(e, m.dtype, false)));
  return where(lax.bitwiseOr(isinf(x1), lax.eq(x1, constLike(x1, 0))), x1, x);
});
/** x1 * 2^x2 for an integer x2, without overflow in between. */
export function ldexp(x1: ArrayLike, x2: ArrayLike): JaxArray {
  const [a, b] = pyScalars(x1, x2) as JaxArray[];
  if (typeof x2 === "number" && !Number.isInteger(x2)) throw new TypeError(`ldexp not supported for input types (${a.dtype}, float32)`);
  const bi = typeof x2 === "number" ? lax.asArray(x2, "int32", true) : b;
  if (isFloat(bi.dtype)) throw new TypeError(`ldexp not supported for input types (${a.dtype}, ${bi.dtype})`);
  const x = promoteArgsInexact("ldexp", a)[0];
  const [xb, eb] = promoteShapes("ldexp", x, lax.convertElementType(bi, "int32"));
  return ldexpJit(xb, eb);
}

// ---- bitwise aliases --------------------------------------------------------------------------

/** ~x (bitwise not; logical not for bools). */
export const invert: Unary = (x) => lax.bitwiseNot(promoteArgs("invert", x)[0]);
export const bitwiseInvert = invert;
/** x << y. */
export const bitwiseLeftShift: Binary = (x, y) => lax.shiftLeft(...(promoteArgs("bitwise_left_shift", x, y) as [JaxArray, JaxArray]));
/** x >> y (arithmetic for signed integers). */
export const bitwiseRightShift: Binary = (x, y) => rightShift(x, y);

const bitwiseCountJit = jit(function bitwise_count(x: JaxArray) {
  return lax.convertElementType(lax.populationCount(x.dtype.startsWith("u") ? x : lax.abs(x)), "uint8");
});
/** The number of 1 bits of |x|, as uint8. */
export const bitwiseCount: Unary = (x) => {
  const a = promoteArgs("bitwise_count", x)[0];
  if (!isInteger(a.dtype)) throw new TypeError(`bitwise_count requires an integer input, got ${a.dtype}`);
  return bitwiseCountJit(a);
};
