// Elementwise primitives: their shape/dtype rules and tfjs lowerings, one table entry each.
import * as tf from "@tensorflow/tfjs-core";
import { type DType, isFloat, isUnsigned } from "../dtypes.js";
import { ShapedArray } from "../jaxpr/aval.js";
import type { LowerCtx, Primitive } from "../jaxpr/jaxpr.js";
import {
  ABS, ANY, BI, type DtypeSet, F, FC, I, IF, NUM, ORD,
  broadcastingShape, checkDtypes, checkSameDtypes, checkUnaryDtype, definePrimitive, hostElementwise,
} from "./primitive.js";
import { erf32, erfInv32 } from "./special.js";


const f32 = Math.fround;
/** The unary ops whose `accuracy=None` param JAX hides when printing. */
const hideAccuracy = (p: { accuracy?: unknown }): [string, unknown][] => (p.accuracy == null ? [] : [["accuracy", p.accuracy]]);

// ---- unary --------------------------------------------------------------------------------

type Unary = (x: tf.Tensor, ctx: LowerCtx) => tf.Tensor;

function unary(name: string, accepted: DtypeSet | null, impl: Unary, opts: { accuracy?: boolean } = {}): Primitive {
  return definePrimitive({
    name,
    abstractEval([x]) {
      if (accepted) checkUnaryDtype(name, x, accepted);
      return [x];
    },
    impl: ([x], _p, ctx) => [impl(x, ctx)],
    printParams: opts.accuracy ? hideAccuracy : undefined,
  });
}

/** A float op computed on the host in float64 then rounded: exact where tfjs approximates. */
const hostUnary =
  (fn: (x: number) => number): Unary =>
  (x, ctx) =>
    hostElementwise([x], [ctx.inAvals[0].dtype], x.shape, ctx.outAvals[0].dtype, (v) => f32(fn(v)));

const intOr =
  (floatImpl: Unary, intFn: (x: number) => number): Unary =>
  (x, ctx) =>
    isFloat(ctx.inAvals[0].dtype) ? floatImpl(x, ctx) : hostElementwise([x], [ctx.inAvals[0].dtype], x.shape, ctx.outAvals[0].dtype, intFn);

export const neg_p = unary("neg", NUM, intOr((x) => tf.neg(x), (v) => -v | 0));
export const sign_p = unary("sign", NUM, intOr((x) => tf.tidy(() => tf.where(tf.isNaN(x), x, tf.sign(x))), (v) => Math.sign(v)));
export const floor_p = unary("floor", F, (x) => tf.floor(x));
export const ceil_p = unary("ceil", F, (x) => tf.ceil(x));
export const is_finite_p = definePrimitive({
  name: "is_finite",
  abstractEval([x]) {
    checkUnaryDtype("is_finite", x, F);
    return [new ShapedArray(x.shape, "bool")];
  },
  impl: ([x]) => [tf.isFinite(x)],
});
// rounding_method 0 = away from zero (lax's default), 1 = to nearest even (jnp.round).
export const round_p = definePrimitive({
  name: "round",
  abstractEval([x]) {
    checkUnaryDtype("round", x, F);
    return [x];
  },
  impl: ([x], p: { rounding_method: number }, ctx) =>
    [p.rounding_method === 1 ? tf.round(x) : hostUnary((v) => Math.sign(v) * Math.floor(Math.abs(v) + 0.5) || v * 0)(x, ctx)],
});
export const abs_p = unary("abs", ABS, intOr((x) => tf.abs(x), (v) => Math.abs(v) | 0));
export const exp_p = unary("exp", FC, (x) => tf.exp(x), { accuracy: true });
export const exp2_p = unary("exp2", FC, hostUnary((v) => 2 ** v), { accuracy: true });
export const log_p = unary("log", FC, (x) => tf.log(x), { accuracy: true });
export const log1p_p = unary("log1p", FC, hostUnary(Math.log1p), { accuracy: true });
export const expm1_p = unary("expm1", FC, hostUnary(Math.expm1), { accuracy: true });
export const sin_p = unary("sin", FC, (x) => tf.sin(x), { accuracy: true });
export const cos_p = unary("cos", FC, (x) => tf.cos(x), { accuracy: true });
export const tan_p = unary("tan", FC, (x) => tf.tan(x), { accuracy: true });
export const tanh_p = unary("tanh", FC, (x) => tf.tanh(x), { accuracy: true });
export const logistic_p = unary("logistic", FC, (x) => tf.sigmoid(x), { accuracy: true });
export const sqrt_p = unary("sqrt", FC, (x) => tf.sqrt(x), { accuracy: true });
export const rsqrt_p = unary("rsqrt", FC, hostUnary((v) => 1 / Math.sqrt(v)), { accuracy: true });
export const cbrt_p = unary("cbrt", FC, hostUnary(Math.cbrt), { accuracy: true });
export const erf_p = unary("erf", F, hostUnary(erf32));
export const erf_inv_p = unary("erf_inv", F, (x, ctx) => hostElementwise([x], ["float32"], x.shape, ctx.outAvals[0].dtype, erfInv32));
export const not_p = unary("not", BI, (x, ctx) =>
  ctx.inAvals[0].dtype === "bool" ? tf.logicalNot(x) : hostElementwise([x], [ctx.inAvals[0].dtype], x.shape, ctx.inAvals[0].dtype, (v) => ~v),
);
export const stop_gradient_p = unary("stop_gradient", null, (x) => tf.clone(x));
export const copy_p = unary("copy", null, (x) => tf.clone(x));

export const integer_pow_p = definePrimitive({
  name: "integer_pow",
  abstractEval([x], _p: { y: number }) {
    checkUnaryDtype("integer_pow", x, NUM);
    return [x];
  },
  // Binary exponentiation with a rounding per multiply, as XLA lowers integer_pow.
  impl([x], { y }, ctx) {
    const mul = (a: tf.Tensor, b: tf.Tensor) => binaryImpls.mul(a, b, squareCtx(ctx));
    if (y === 0) return [tf.onesLike(x)];
    let n = Math.abs(y);
    let acc: tf.Tensor | null = null;
    let base = x;
    const garbage: tf.Tensor[] = [];
    while (n > 0) {
      if (n & 1) {
        if (acc) garbage.push(acc);
        acc = acc === null ? tf.clone(base) : mul(acc, base);
      }
      n >>= 1;
      if (n > 0) {
        if (base !== x) garbage.push(base);
        base = mul(base, base);
      }
    }
    if (base !== x && base !== acc) garbage.push(base);
    let out = acc!;
    if (y < 0) {
      garbage.push(out);
      out = tf.tidy(() => tf.div(tf.onesLike(out), out));
    }
    for (const g of garbage) if (g !== out) g.dispose();
    return [out];
  },
});

/** The context of `x * x` inside a unary op (binary impls read both operands' avals). */
const squareCtx = (ctx: LowerCtx): LowerCtx => ({ inAvals: [ctx.inAvals[0], ctx.inAvals[0]], outAvals: ctx.outAvals });
export const square_p = unary("square", NUM, (x, ctx) => binaryImpls.mul(x, x, squareCtx(ctx)));

// ---- binary -------------------------------------------------------------------------------

type Binary = (a: tf.Tensor, b: tf.Tensor, ctx: LowerCtx) => tf.Tensor;

const hostBinary =
  (fn: (a: number, b: number) => number): Binary =>
  (a, b, ctx) =>
    hostElementwise([a, b], [ctx.inAvals[0].dtype, ctx.inAvals[1].dtype], ctx.outAvals[0].shape, ctx.outAvals[0].dtype, fn);

const isInt = (ctx: LowerCtx) => !isFloat(ctx.inAvals[0].dtype) && ctx.inAvals[0].dtype !== "bool";
const unsigned = (ctx: LowerCtx) => isUnsigned(ctx.inAvals[0].dtype);

// C semantics for integer division, as XLA: truncate; x/0 = -1; x%0 = x.
const idiv = (a: number, b: number) => (b === 0 ? -1 : Math.trunc(a / b));
const irem = (a: number, b: number) => (b === 0 ? a : a % b);
const floatRem: Binary = hostBinary((a, b) => f32(a % b));

const binaryImpls: Record<string, Binary> = {
  add: (a, b, c) => (isInt(c) ? hostBinary((x, y) => x + y)(a, b, c) : tf.add(a, b)),
  sub: (a, b, c) => (isInt(c) ? hostBinary((x, y) => x - y)(a, b, c) : tf.sub(a, b)),
  mul: (a, b, c) => (isInt(c) ? hostBinary(Math.imul)(a, b, c) : tf.mul(a, b)),
  div: (a, b, c) => (isInt(c) ? hostBinary(idiv)(a, b, c) : tf.div(a, b)),
  rem: (a, b, c) => (isInt(c) ? hostBinary(irem)(a, b, c) : floatRem(a, b, c)),
  max: (a, b, c) => c.inAvals[0].dtype === "bool" ? tf.logicalOr(a, b) : (unsigned(c) ? hostBinary(Math.max)(a, b, c) : isFloat(c.inAvals[0].dtype) ? nanMax(a, b) : tf.maximum(a, b)),
  min: (a, b, c) => c.inAvals[0].dtype === "bool" ? tf.logicalAnd(a, b) : (unsigned(c) ? hostBinary(Math.min)(a, b, c) : isFloat(c.inAvals[0].dtype) ? nanMin(a, b) : tf.minimum(a, b)),
  atan2: (a, b) => tf.atan2(a, b),
  nextafter: hostBinary((a, b) => nextAfter32(a, b)),
  and: (a, b, c) => (c.inAvals[0].dtype === "bool" ? tf.logicalAnd(a, b) : hostBinary((x, y) => x & y)(a, b, c)),
  or: (a, b, c) => (c.inAvals[0].dtype === "bool" ? tf.logicalOr(a, b) : hostBinary((x, y) => x | y)(a, b, c)),
  xor: (a, b, c) => (c.inAvals[0].dtype === "bool" ? tf.logicalXor(a, b) : hostBinary((x, y) => x ^ y)(a, b, c)),
  shift_left: hostBinary((x, y) => (y >>> 0 >= 32 ? 0 : x << y)),
  shift_right_logical: hostBinary((x, y) => (y >>> 0 >= 32 ? 0 : x >>> y)),
  shift_right_arithmetic: hostBinary((x, y) => x >> Math.min(y >>> 0, 31)),
};

// XLA's max/min propagate NaN; tfjs's maximum does not.
function nanMax(a: tf.Tensor, b: tf.Tensor) {
  return tf.tidy(() => tf.where(tf.isNaN(a), a, tf.where(tf.isNaN(b), b, tf.maximum(a, b))));
}
function nanMin(a: tf.Tensor, b: tf.Tensor) {
  return tf.tidy(() => tf.where(tf.isNaN(a), a, tf.where(tf.isNaN(b), b, tf.minimum(a, b))));
}

function nextAfter32(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  if (a === b) return b;
  if (a === 0) return b > 0 ? 1.401298464324817e-45 : -1.401298464324817e-45;
  const buf = new Float32Array([a]);
  const bits = new Int32Array(buf.buffer);
  bits[0] += (b > a) === (a > 0) ? 1 : -1;
  return buf[0];
}

function binary(name: string, accepted: DtypeSet[], jnpName?: string): Primitive {
  const impl = binaryImpls[name];
  return definePrimitive({
    name,
    // Shape rule first, then dtypes, as lax's standard_abstract_eval orders them.
    abstractEval(avals) {
      const shape = broadcastingShape(name, avals);
      checkDtypes(name, avals, accepted);
      checkSameDtypes(name, avals, jnpName);
      return [new ShapedArray(shape, avals[0].dtype, avals.every((a) => a.weakType))];
    },
    impl: ([a, b], _p, ctx) => [impl(a, b, ctx)],
  });
}

export const add_p = binary("add", [NUM, NUM], "add");
export const sub_p = binary("sub", [NUM, NUM], "subtract");
export const mul_p = binary("mul", [NUM, NUM], "multiply");
export const div_p = binary("div", [NUM, NUM], "divide");
export const rem_p = binary("rem", [IF, IF]);
export const max_p = binary("max", [ANY, ANY], "maximum");
export const min_p = binary("min", [ANY, ANY], "minimum");
export const atan2_p = binary("atan2", [F, F], "arctan2");
export const nextafter_p = binary("nextafter", [F, F], "nextafter");
export const and_p = binary("and", [BI, BI]);
export const or_p = binary("or", [BI, BI]);
export const xor_p = binary("xor", [BI, BI]);
export const shift_left_p = binary("shift_left", [I, I], "left_shift");
export const shift_right_logical_p = binary("shift_right_logical", [I, I], "right_shift");
export const shift_right_arithmetic_p = binary("shift_right_arithmetic", [I, I], "right_shift");

// pow takes a float base and a float or integer exponent (JAX's _pow_dtype_rule).
export const pow_p = definePrimitive({
  name: "pow",
  abstractEval([x, y]) {
    const shape = broadcastingShape("pow", [x, y]);
    checkDtypes("pow", [x, y], [FC, NUM]);
    if (isFloat(y.dtype) && y.dtype !== x.dtype)
      throw new TypeError(
        `the first argument to pow must have an inexact dtype (float or complex), and the second argument must have an inexact or integer dtype, and two inexact dtypes must match, but got ${x.dtype} and ${y.dtype} respectively.`,
      );
    return [new ShapedArray(shape, x.dtype, x.weakType && y.weakType)];
  },
  impl: ([a, b], _p, ctx) => [
    tf.tidy(() => {
      const y = isFloat(ctx.inAvals[1].dtype) ? b : tf.cast(b, "float32");
      // C99 (and XLA): pow(1, y) = 1 and pow(-1, +-inf) = 1, where tfjs's Math.pow says NaN.
      const one = tf.logicalOr(tf.equal(a, 1), tf.logicalAnd(tf.equal(a, -1), tf.isInf(y)));
      return tf.where(one, tf.scalar(1), tf.pow(a, y));
    }),
  ],
});

// ---- comparisons --------------------------------------------------------------------------

/**
 * uint32 (stored as int32 bits) orders as int32 unless exactly one operand has its top bit set
 * (reads negative): then that one is the larger. No arithmetic on the bits, so this stays exact
 * wherever int32 storage is exact (on WebGL, below 2^24).
 */
function unsignedCompare(op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const zero = tf.scalar(0, "int32");
    const aHigh = tf.less(a, zero);
    const bHigh = tf.less(b, zero);
    // With differing top bits, a < b exactly when b is the high one; op on (aHigh, bHigh) as 0/1
    // orders the same way (lt: 0 < 1 when b is high).
    return tf.where(tf.notEqual(aHigh, bHigh), op(tf.cast(aHigh, "int32"), tf.cast(bHigh, "int32")), op(a, b));
  });
}

function comparison(name: string, op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, accepted: DtypeSet, jnpName?: string): Primitive {
  return definePrimitive({
    name,
    abstractEval(avals) {
      const shape = broadcastingShape(name, avals);
      checkDtypes(name, avals, [accepted]);
      checkSameDtypes(name, avals, jnpName);
      return [new ShapedArray(shape, "bool")];
    },
    impl([a, b], _p, ctx) {
      if (!unsigned(ctx) || name === "eq" || name === "ne") return [op(a, b)];
      return [unsignedCompare(op, a, b)];
    },
  });
}

export const eq_p = comparison("eq", tf.equal, ANY, "equal");
export const ne_p = comparison("ne", tf.notEqual, ANY, "not_equal");
export const lt_p = comparison("lt", tf.less, ORD);
export const le_p = comparison("le", tf.lessEqual, ORD);
export const gt_p = comparison("gt", tf.greater, ORD);
export const ge_p = comparison("ge", tf.greaterEqual, ORD);

// ---- select and conversion ----------------------------------------------------------------

export const select_n_p = definePrimitive({
  name: "select_n",
  abstractEval([which, ...cases]) {
    if (cases.length === 0) throw new TypeError("select_n must have at least one case");
    if (which.dtype !== "bool" && which.dtype !== "int32")
      throw new TypeError(`select_n \`which\` must be boolean or int32 type, got ${which.dtype}.`);
    if (which.dtype === "bool" && cases.length > 2) throw new TypeError("select with boolean `which` cannot have > 2 cases.");
    checkSameDtypes("select_n", cases);
    for (const c of cases)
      if (c.shape.join() !== cases[0].shape.join()) throw new TypeError(`select_n cases must have the same shapes, got [${cases.map((a) => `(${a.shape.join(", ")})`).join(", ")}].`);
    if (which.ndim !== 0 && which.shape.join() !== cases[0].shape.join())
      throw new TypeError(`select_n \`which\` must be scalar or have the same shape as cases, got \`which\` shape (${which.shape.join(", ")}) but case shape (${cases[0].shape.join(", ")}).`);
    return [new ShapedArray(cases[0].shape, cases[0].dtype, cases.every((c) => c.weakType))];
  },
  impl([which, ...cases], _p, ctx) {
    const shape = ctx.outAvals[0].shape as number[];
    return [
      tf.tidy(() => {
        const w = which.shape.length === shape.length ? which : tf.broadcastTo(which, shape);
        if (ctx.inAvals[0].dtype === "bool") return cases.length === 1 ? tf.clone(cases[0]) : tf.where(w, cases[1], cases[0]);
        let out = cases[cases.length - 1];
        for (let i = cases.length - 2; i >= 0; i--) out = tf.where(tf.equal(w, tf.scalar(i, "int32")), cases[i], out);
        return out === cases[cases.length - 1] ? tf.clone(out) : out;
      }),
    ];
  },
});

export const convert_element_type_p = definePrimitive({
  name: "convert_element_type",
  abstractEval([x], p: { new_dtype: DType; weak_type: boolean; sharding: null }) {
    return [new ShapedArray(x.shape, p.new_dtype, p.weak_type)];
  },
  impl([x], { new_dtype }, ctx) {
    return [convert(x, ctx.inAvals[0].dtype, new_dtype)];
  },
  // JAX's pp rule for convert_element_type always hides `sharding`.
  printParams: (p) => [
    ["new_dtype", p.new_dtype],
    ["weak_type", p.weak_type],
  ],
});

/** Converts between dtypes with XLA's semantics: float->int truncates and saturates, NaN -> 0. */
export function convert(x: tf.Tensor, from: DType, to: DType): tf.Tensor {
  if (from === to) return tf.clone(x);
  if (to === "bool") return from === "bool" ? tf.clone(x) : tf.tidy(() => tf.notEqual(x, tf.zerosLike(x)));
  if (isFloat(to)) {
    if (from === "uint32") return hostElementwise([x], [from], x.shape, to, f32);
    return tf.cast(x, "float32");
  }
  // Integer targets.
  const [lo, hi] = to === "uint32" ? [0, 4294967295] : to === "int32" ? [-2147483648, 2147483647] : to === "uint8" ? [0, 255] : to === "uint16" ? [0, 65535] : to === "int8" ? [-128, 127] : [-32768, 32767];
  if (isFloat(from)) return hostElementwise([x], [from], x.shape, to, (v) => (Number.isNaN(v) ? 0 : Math.min(hi, Math.max(lo, Math.trunc(v)))));
  // tf.cast(bool) keeps the bool bytes under an int32 label; going through float32 makes int32 data.
  if (from === "bool") return tf.tidy(() => tf.cast(tf.cast(x, "float32"), "int32"));
  // Integer to integer wraps, as in C.
  const bits = to === "uint8" || to === "int8" ? 8 : to === "uint16" || to === "int16" ? 16 : 32;
  if (bits === 32) return tf.clone(x); // int32 <-> uint32 share their bits
  return hostElementwise([x], [from], x.shape, to, (v) => {
    const m = v & ((1 << bits) - 1);
    return lo < 0 && m >= 1 << (bits - 1) ? m - (1 << bits) : m;
  });
}
