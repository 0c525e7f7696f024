// jnp's elementwise functions: promote, broadcast, then one lax call.
import { Array as JaxArray } from "../array/base.js";
import { jit } from "../tracer/jit.js";
import { isFloat, isInteger } from "../dtypes.js";
import * as lax from "../lax/lax.js";
import type { ArrayLike } from "../lax/lax.js";
import { broadcastArrays, convertTo, promoteArgs, promoteDtypes, resultTypeOf } from "./promote.js";

type Binary = (x: ArrayLike, y: ArrayLike) => JaxArray;

const ufunc =
  (name: string, op: Binary): Binary =>
  (x, y) => {
    const [a, b] = promoteArgs(name, x, y);
    return op(a, b);
  };

export const add: Binary = (x, y) => {
  const [a, b] = promoteArgs("add", x, y);
  return a.dtype === "bool" ? lax.bitwiseOr(a, b) : lax.add(a, b);
};
export const subtract = ufunc("subtract", lax.sub);
export const multiply: Binary = (x, y) => {
  const [a, b] = promoteArgs("multiply", x, y);
  return a.dtype === "bool" ? lax.bitwiseAnd(a, b) : lax.mul(a, b);
};
export const maximum = ufunc("maximum", lax.max);
export const minimum = ufunc("minimum", lax.min);
export const equal = ufunc("equal", lax.eq);
export const notEqual = ufunc("not_equal", lax.ne);
export const less = ufunc("less", lax.lt);
export const lessEqual = ufunc("less_equal", lax.le);
export const greater = ufunc("greater", lax.gt);
export const greaterEqual = ufunc("greater_equal", lax.ge);
export const bitwiseAnd = ufunc("bitwise_and", lax.bitwiseAnd);
export const bitwiseOr = ufunc("bitwise_or", lax.bitwiseOr);
export const bitwiseXor = ufunc("bitwise_xor", lax.bitwiseXor);
export const leftShift = ufunc("left_shift", lax.shiftLeft);
export const rightShift: Binary = (x, y) => {
  const [a, b] = promoteArgs("right_shift", x, y);
  return a.dtype.startsWith("u") ? lax.shiftRightLogical(a, b) : lax.shiftRightArithmetic(a, b);
};
export const arctan2: Binary = (x, y) => lax.atan2(...(promoteArgs("arctan2", ...toFloat(x, y)) as [JaxArray, JaxArray]));

/** True division: integer operands are promoted to float32 first. */
export const divide: Binary = (x, y) => {
  const [a, b] = promoteArgs("true_divide", ...toFloat(x, y));
  return lax.div(a, b);
};
export const trueDivide = divide;

/** Floor division, rounding toward negative infinity as Python's `//`. */
export const floorDivide: Binary = (x, y) => {
  const [a, b] = promoteArgs("floor_divide", x, y);
  if (isFloat(a.dtype)) return lax.floor(lax.div(a, b));
  if (a.dtype.startsWith("u")) return lax.div(a, b);
  // Truncated quotient minus one where the signs differ and the division is inexact.
  const q = lax.div(a, b);
  const fix = lax.bitwiseAnd(lax.ne(lax.lt(a, 0), lax.lt(b, 0)), lax.ne(lax.rem(a, b), 0));
  return lax.select(fix, lax.sub(q, 1), q);
};

/** Remainder with the sign of the divisor, as Python's `%`. */
export const remainder: Binary = (x, y) => {
  const [a, b] = promoteArgs("remainder", x, y);
  const r = lax.rem(a, b);
  if (a.dtype.startsWith("u")) return r;
  const fix = lax.bitwiseAnd(lax.ne(r, 0), lax.ne(lax.lt(r, 0), lax.lt(b, 0)));
  return lax.select(fix, lax.add(r, b), r);
};
export const mod = remainder;

/** `x ** y`; a static integer exponent becomes integer_pow, as in JAX. */
export const power = (x: ArrayLike, y: ArrayLike): JaxArray => {
  if (typeof y === "number" && Number.isInteger(y) && typeof x !== "number") {
    const [a] = promoteDtypes(x);
    if (!isInteger(a.dtype) || y >= 0) return lax.integerPow(a, y);
  }
  const [a, b] = promoteArgs("power", x, y);
  if (isInteger(a.dtype)) throw new TypeError("power: integer base with a traced integer exponent is not supported yet; pass a static integer exponent");
  return lax.pow(a, b);
};

function toFloat(...xs: ArrayLike[]): ArrayLike[] {
  const { dtype, weakType } = resultTypeOf(...xs);
  if (isFloat(dtype)) return xs;
  return xs.map((x) => convertTo(x, "float32", weakType));
}

// ---- unary ----------------------------------------------------------------------------------

type Unary = (x: ArrayLike) => JaxArray;
/** Float-only functions promote integer and bool inputs to float32, as jnp's ufuncs do. */
const floatUnary =
  (op: (x: JaxArray) => JaxArray): Unary =>
  (x) => {
    const [a] = promoteDtypes(x);
    return op(isFloat(a.dtype) ? a : convertTo(a, "float32", a.weakType));
  };
const numUnary =
  (op: (x: JaxArray) => JaxArray): Unary =>
  (x) =>
    op(promoteDtypes(x)[0]);

export const negative = numUnary(lax.neg);
export const sign = numUnary(lax.sign);
export const abs = numUnary((a) => (a.dtype.startsWith("u") || a.dtype === "bool" ? a : lax.abs(a)));
export const absolute = abs;
export const floor = numUnary((a) => (isFloat(a.dtype) ? lax.floor(a) : a));
export const ceil = numUnary((a) => (isFloat(a.dtype) ? lax.ceil(a) : a));
const roundJit = jit(
  function round(a: JaxArray, decimals: number) {
    if (!isFloat(a.dtype)) {
      if (decimals < 0) throw new Error("integer np.round not implemented for decimals < 0");
      return a;
    }
    if (decimals === 0) return lax.round(a, 1);
    // Rescaled, as JAX does (so the result may be off by the scaling's rounding).
    const factor = lax.asArray(10 ** decimals, a.dtype, false);
    return lax.div(lax.round(lax.mul(a, factor), 1), factor);
  },
  { staticArgnums: 1 },
);
/** Rounds half to even (as numpy does) to `decimals` places: `round(x, 2)`. */
export const round = (x: ArrayLike, decimals = 0): JaxArray => {
  if (!Number.isInteger(decimals)) throw new TypeError(`'decimals' argument of jnp.round must be an integer, got ${decimals}`);
  return roundJit(promoteDtypes(x)[0], decimals);
};
export const around = round;
export const exp = floatUnary(lax.exp);
export const exp2 = floatUnary(lax.exp2);
export const log = floatUnary(lax.log);
export const log1p = floatUnary(lax.log1p);
export const expm1 = floatUnary(lax.expm1);
export const sin = floatUnary(lax.sin);
export const cos = floatUnary(lax.cos);
export const tan = floatUnary(lax.tan);
export const tanh = floatUnary(lax.tanh);
export const sqrt = floatUnary(lax.sqrt);
export const cbrt = floatUnary(lax.cbrt);
export const square = numUnary(lax.square);
export const reciprocal = numUnary((a) => lax.integerPow(a, -1));
export const logicalNot = (x: ArrayLike): JaxArray => lax.bitwiseNot(convertTo(promoteDtypes(x)[0], "bool", false));
export const bitwiseNot = numUnary(lax.bitwiseNot);
export const isfinite = numUnary((a) => (isFloat(a.dtype) ? lax.isFinite(a) : lax.asArray(true, "bool")));
export const isnan = numUnary((a) => lax.ne(a, a));

const logical =
  (op: Binary): Binary =>
  (x, y) => {
    const [a, b] = promoteArgs("logical", x, y).map((v) => convertTo(v, "bool", false));
    return op(a, b);
  };
export const logicalAnd = logical(lax.bitwiseAnd);
export const logicalOr = logical(lax.bitwiseOr);
export const logicalXor = logical(lax.bitwiseXor);

/**
 * JS numbers as the Python scalars they stand for, before they cross a jit boundary: beside an
 * array an integer is a weak int32, otherwise a weak float32 (a jit argument is always weak f32).
 */
export function pyScalars(...xs: (ArrayLike | null)[]): (JaxArray | null)[] {
  const anyArray = xs.some((x) => x instanceof JaxArray);
  return xs.map((x) =>
    x === null || x instanceof JaxArray ? x : lax.asArray(x, typeof x === "boolean" ? "bool" : anyArray && Number.isInteger(x) ? "int32" : "float32", true),
  );
}

// jnp functions that JAX wraps in a (non-inlined) jit appear as `jit[name=...]` equations.
const whereJit = jit(function _where(condition: JaxArray, x: JaxArray, y: JaxArray) {
  let c = condition;
  if (c.dtype !== "bool") c = lax.ne(c, lax.asArray(0, c.dtype, false));
  const [a, b] = promoteDtypes(x, y);
  const [cb, xb, yb] = broadcastArrays("where", c, a, b);
  return lax.select(cb, xb, yb);
});

/** `condition ? x : y` elementwise, with promotion and broadcasting. */
export function where(condition: ArrayLike, x: ArrayLike, y: ArrayLike): JaxArray {
  const [c, a, b] = pyScalars(condition, x, y) as JaxArray[];
  return whereJit(c, a, b);
}

const clipJit = jit(function clip(x: JaxArray, min: JaxArray | null, max: JaxArray | null) {
  let out = x;
  if (min !== null) out = maximum(min, out);
  if (max !== null) out = minimum(max, out);
  return out;
});

/** Clamps to [min, max]; either bound may be null. */
export function clip(x: ArrayLike, min: ArrayLike | null = null, max: ArrayLike | null = null): JaxArray {
  const [a, lo, hi] = pyScalars(x, min, max);
  return clipJit(promoteDtypes(a!)[0], lo, hi);
}
