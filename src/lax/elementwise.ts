// Elementwise primitives: their shape/dtype rules and tfjs lowerings, one table entry each.
import * as tf from "@tensorflow/tfjs-core";
import { type DType, isFloat, isUnsigned } from "../dtypes.js";
import { ShapedArray, pyShape } from "../jaxpr/aval.js";
import type { LowerCtx, Primitive } from "../jaxpr/jaxpr.js";
import {
  ABS, ANY, BI, type DtypeSet, F, FC, I, IF, NUM, ORD,
  broadcastingShape, checkDtypes, checkSameDtypes, checkUnaryDtype, definePrimitive, hostElementwise,
} from "./primitive.js";
import { divByReciprocal, erf32, erfInv32, erfc64 } from "./special.js";
import type { Array as JaxArray } from "../array/base.js";
import { ArrayImpl, scalar } from "../array/array.js";
import { bind1 } from "../tracer/core.js";
import { deflinear, defjvp, defjvp2, defZeroJvp, isUndefined, prim, unbroadcast } from "../tracer/ad_util.js";
import { bdimAtFront, defbroadcasting, defvectorized, moveaxis } from "../tracer/batching.js";


const f32 = Math.fround;
/** The unary ops whose `accuracy=None` param JAX hides when printing. */
const hideAccuracy = (p: { accuracy?: unknown }): [string, unknown][] => (p.accuracy == null ? [] : [["accuracy", p.accuracy]]);

// ---- the lax calls that rules make ----------------------------------------------------------
// Rules bind exactly what JAX's rules bind, in the same order, so grad's jaxprs print as JAX's.
// These mirror lax's wrappers (including when a wrapper binds nothing); hoisted, and only called
// once every primitive below exists.

type Acc = { accuracy?: unknown };
const acc = (p: Acc = {}) => ({ accuracy: p.accuracy ?? null });
function add(x: JaxArray, y: JaxArray) { return bind1(add_p, [x, y]); }
function sub(x: JaxArray, y: JaxArray) { return bind1(sub_p, [x, y]); }
function mul(x: JaxArray, y: JaxArray) { return bind1(mul_p, [x, y]); }
function div(x: JaxArray, y: JaxArray) { return bind1(div_p, [x, y]); }
function pow(x: JaxArray, y: JaxArray) { return bind1(pow_p, [x, y]); }
function eq(x: JaxArray, y: JaxArray) { return bind1(eq_p, [x, y]); }
function ge(x: JaxArray, y: JaxArray) { return bind1(ge_p, [x, y]); }
function gt(x: JaxArray, y: JaxArray) { return bind1(gt_p, [x, y]); }
function lt(x: JaxArray, y: JaxArray) { return bind1(lt_p, [x, y]); }
function and(x: JaxArray, y: JaxArray) { return bind1(and_p, [x, y]); }
function neg(x: JaxArray) { return bind1(neg_p, [x]); }
function sign(x: JaxArray) { return bind1(sign_p, [x]); }
function floor(x: JaxArray) { return bind1(floor_p, [x]); }
function abs(x: JaxArray) { return bind1(abs_p, [x]); }
function square(x: JaxArray) { return bind1(square_p, [x]); }
function exp(x: JaxArray, p?: Acc) { return bind1(exp_p, [x], acc(p)); }
function log(x: JaxArray, p?: Acc) { return bind1(log_p, [x], acc(p)); }
function sin(x: JaxArray, p?: Acc) { return bind1(sin_p, [x], acc(p)); }
function cos(x: JaxArray, p?: Acc) { return bind1(cos_p, [x], acc(p)); }
function rsqrt(x: JaxArray) { return bind1(rsqrt_p, [x], acc()); }
function sinh(x: JaxArray) { return bind1(sinh_p, [x]); }
function cosh(x: JaxArray) { return bind1(cosh_p, [x]); }
function integerPow(x: JaxArray, y: number) { return bind1(integer_pow_p, [x], { y }); }
/** lax.select: `select_n` takes its cases in the opposite order. */
function select(pred: JaxArray, onTrue: JaxArray, onFalse: JaxArray) { return bind1(select_n_p, [pred, onFalse, onTrue]); }

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** lax.broadcast_in_dim, which binds nothing for a same-rank call with no dimensions. */
function broadcastInDim(x: JaxArray, shape: readonly number[], dims: number[]): JaxArray {
  if (x.ndim === shape.length && dims.length === 0) return x;
  return bind1(prim("broadcast_in_dim"), [x], { shape: [...shape], broadcast_dimensions: dims, sharding: null });
}

/**
 * JAX's _const(x, v): a constant of x's dtype. Beside a weak scalar it is a Python scalar
 * (weak, its double value printed as is); otherwise a numpy scalar (rounded to the dtype).
 */
function constLike(x: JaxArray, v: number): JaxArray {
  if (x.weakType && x.ndim === 0 && (x.dtype === "float32" || x.dtype === "int32")) return scalar(isFloat(x.dtype) ? v : Math.trunc(v), x.dtype, true);
  return scalar(x.dtype === "float32" ? f32(v) : isFloat(x.dtype) ? v : Math.trunc(v), x.dtype, false);
}

/** lax.full_like(x, v, shape?): a literal, broadcast when the shape is not scalar (weak as x). */
export function fullLike(x: JaxArray, v: number, shape: readonly number[] = x.shape): JaxArray {
  const s = scalar(x.dtype === "bool" ? v !== 0 : v, x.dtype, x.weakType);
  return broadcastInDim(s, shape, []);
}
/** JAX's _one(x)/_zero(x): scalar full_like. */
const one = (x: JaxArray) => fullLike(x, 1, []);
const zero = (x: JaxArray) => fullLike(x, 0, []);

/**
 * convert_element_type as JAX stages it: forwarded (no equation) when dtype and weak type already
 * match, folded when the operand is a scalar constant (its const-folding rule), bound otherwise.
 * `lax.convert_element_type(x, dtype)` is this with weakType false.
 */
function convertElementType(x: JaxArray, dtype: DType, weakType = false): JaxArray {
  if (x.dtype === dtype && x.weakType === weakType) return x;
  if (x instanceof ArrayImpl && x.literal !== undefined) {
    const v = Number(x.literal);
    return scalar(dtype === "bool" ? v !== 0 : isFloat(dtype) ? (dtype === "float32" ? f32(v) : v) : Math.trunc(v), dtype, weakType);
  }
  return bind1(convert_element_type_p, [x], { new_dtype: dtype, weak_type: weakType, sharding: null });
}

/** numpy's broadcast_shapes for lax operands (equal ranks, or rank 0). */
const broadcastShapes = (a: readonly number[], b: readonly number[]): number[] =>
  a.length === 0 ? [...b] : b.length === 0 ? [...a] : a.map((d, i) => (d === 1 ? b[i] : d));

/** JAX's _maybe_broadcast: x broadcast to `shape` (size-1 axes dropped by a reshape first). */
function maybeBroadcast(shape: readonly number[], x: JaxArray): JaxArray {
  if (sameShape(x.shape, shape)) return x;
  if (x.ndim === 0) return broadcastInDim(x, shape, []);
  const dims = x.shape.flatMap((d, i) => (d === shape[i] ? [i] : []));
  const squeezed = bind1(prim("reshape"), [x], { new_sizes: dims.map((i) => x.shape[i]), dimensions: null, sharding: null });
  return broadcastInDim(squeezed, shape, dims);
}

/** JAX's _replace_zero: zeros replaced by ones (so log and division stay finite). */
const replaceZero = (x: JaxArray) => select(eq(x, constLike(x, 0)), fullLike(x, 1), x);

// ---- unary --------------------------------------------------------------------------------

type Unary = (x: tf.Tensor, ctx: LowerCtx) => tf.Tensor;

function unary(name: string, accepted: DtypeSet | null, impl: Unary, opts: { accuracy?: boolean } = {}): Primitive {
  const p = definePrimitive({
    name,
    abstractEval([x]) {
      if (accepted) checkUnaryDtype(name, x, accepted);
      return [x];
    },
    impl: ([x], _p, ctx) => [impl(x, ctx)],
    printParams: opts.accuracy ? hideAccuracy : undefined,
  });
  defvectorized(p); // as lax's unop does for every unary primitive
  return p;
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
deflinear(neg_p, (t) => [neg(t)]);
// Piecewise-constant functions: zero derivative almost everywhere.
export const sign_p = unary("sign", NUM, intOr((x) => tf.tidy(() => tf.where(tf.isNaN(x), x, tf.sign(x))), (v) => Math.sign(v)));
defZeroJvp(sign_p);
export const floor_p = unary("floor", F, (x) => tf.floor(x));
defZeroJvp(floor_p);
export const ceil_p = unary("ceil", F, (x) => tf.ceil(x));
defZeroJvp(ceil_p);
export const is_finite_p = definePrimitive({
  name: "is_finite",
  abstractEval([x]) {
    checkUnaryDtype("is_finite", x, F);
    return [new ShapedArray(x.shape, "bool")];
  },
  impl: ([x]) => [tf.isFinite(x)],
});
defZeroJvp(is_finite_p);
defvectorized(is_finite_p);
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
defZeroJvp(round_p);
defvectorized(round_p);
export const abs_p = unary("abs", ABS, intOr((x) => tf.abs(x), (v) => Math.abs(v) | 0));
// d|x| = g where x >= 0, else -g (so the derivative at 0 is 1).
defjvp2(abs_p, (g, _ans, [x]) => select(ge(x, zero(x)), g, neg(g)));

// The rules of the accuracy-taking ops follow JAX's default-accuracy branch (no API sets
// accuracy=HIGHEST yet); rules that call such an op pass the primitive's accuracy on.
export const exp_p = unary("exp", FC, (x) => tf.exp(x), { accuracy: true });
defjvp2(exp_p, (g, ans) => mul(g, ans));
export const exp2_p = unary("exp2", FC, hostUnary((v) => 2 ** v), { accuracy: true });
defjvp2(exp2_p, (g, ans, [x]) => mul(log(constLike(x, 2)), mul(g, ans)));
export const log_p = unary("log", FC, (x) => tf.log(x), { accuracy: true });
defjvp(log_p, (g, [x]) => div(g, x));
export const log1p_p = unary("log1p", FC, hostUnary(Math.log1p), { accuracy: true });
defjvp(log1p_p, (g, [x]) => div(g, add(x, one(x))));
export const expm1_p = unary("expm1", FC, hostUnary(Math.expm1), { accuracy: true });
defjvp2(expm1_p, (g, ans) => mul(g, add(ans, one(ans))));
export const sin_p = unary("sin", FC, (x) => tf.sin(x), { accuracy: true });
defjvp(sin_p, (g, [x], p) => mul(g, cos(x, p)));
export const cos_p = unary("cos", FC, (x) => tf.cos(x), { accuracy: true });
defjvp(cos_p, (g, [x], p) => neg(mul(g, sin(x, p))));
export const tan_p = unary("tan", FC, (x) => tf.tan(x), { accuracy: true });
defjvp2(tan_p, (g, ans, [x]) => mul(g, add(constLike(x, 1), square(ans))));
export const tanh_p = unary("tanh", FC, (x) => tf.tanh(x), { accuracy: true });
// (g + g*ans) * (1 - ans) = g * (1 - ans^2), written to keep precision where ans is near +-1.
defjvp2(tanh_p, (g, ans, [x]) => mul(add(g, mul(g, ans)), sub(one(x), ans)));
export const logistic_p = unary("logistic", FC, (x) => tf.sigmoid(x), { accuracy: true });
defjvp2(logistic_p, (g, ans) => mul(g, mul(ans, sub(one(ans), ans))));
export const sqrt_p = unary("sqrt", FC, (x) => tf.sqrt(x), { accuracy: true });
defjvp2(sqrt_p, (g, ans, [x]) => mul(g, div(constLike(x, 0.5), ans)));
export const rsqrt_p = unary("rsqrt", FC, hostUnary((v) => 1 / Math.sqrt(v)), { accuracy: true });
defjvp2(rsqrt_p, (g, ans, [x]) => mul(g, mul(constLike(x, -0.5), div(ans, x))));
export const cbrt_p = unary("cbrt", FC, hostUnary(Math.cbrt), { accuracy: true });
defjvp2(cbrt_p, (g, ans, [x]) => mul(g, mul(constLike(x, 1 / 3), integerPow(ans, -2))));
// erf and erf_inv (JAX's lax/special.py): derivatives through exp of the square.
export const erf_p = unary("erf", F, hostUnary(erf32));
defjvp(erf_p, (g, [x]) => mul(constLike(x, 2 / Math.sqrt(Math.PI)), mul(g, exp(neg(square(x))))));
export const erf_inv_p = unary("erf_inv", F, (x, ctx) => hostElementwise([x], ["float32"], x.shape, ctx.outAvals[0].dtype, erfInv32));
defjvp2(erf_inv_p, (g, ans, [x]) => mul(constLike(x, Math.sqrt(Math.PI) / 2), mul(g, exp(square(ans)))));
// Inverse trigonometric and hyperbolic functions (JAX's lax.py): derivatives as JAX writes them.
// asin/acos/atan run tfjs's kernels; the others run on the host in float64, because tfjs's
// exp/log formulas cancel near 0 (sinh, asinh, atanh) and near 1 (acosh).
export const asin_p = unary("asin", FC, (x) => tf.asin(x));
defjvp(asin_p, (g, [x]) => mul(g, rsqrt(sub(constLike(x, 1), square(x)))));
export const acos_p = unary("acos", FC, (x) => tf.acos(x));
defjvp(acos_p, (g, [x]) => mul(g, neg(rsqrt(sub(constLike(x, 1), square(x))))));
export const atan_p = unary("atan", FC, (x) => tf.atan(x));
defjvp(atan_p, (g, [x]) => div(g, add(constLike(x, 1), square(x))));
export const sinh_p = unary("sinh", FC, hostUnary(Math.sinh));
defjvp(sinh_p, (g, [x]) => mul(g, cosh(x)));
export const cosh_p = unary("cosh", FC, hostUnary(Math.cosh));
defjvp(cosh_p, (g, [x]) => mul(g, sinh(x)));
export const asinh_p = unary("asinh", FC, hostUnary(Math.asinh));
defjvp(asinh_p, (g, [x]) => mul(g, rsqrt(add(square(x), one(x)))));
export const acosh_p = unary("acosh", FC, hostUnary(Math.acosh));
// x^2 - 1 rather than (x + 1)(x - 1), as JAX: the domain is x >= 1.
defjvp(acosh_p, (g, [x]) => mul(g, rsqrt(sub(square(x), one(x)))));
export const atanh_p = unary("atanh", FC, hostUnary(Math.atanh));
defjvp(atanh_p, (g, [x]) => mul(integerPow(add(one(x), x), -1), div(g, sub(one(x), x))));
// erfc = 1 - erf without the cancellation (JAX's special.py).
export const erfc_p = unary("erfc", F, hostUnary(erfc64));
defjvp(erfc_p, (g, [x]) => mul(constLike(x, -2 / Math.sqrt(Math.PI)), mul(g, exp(neg(square(x))))));
// Bit counts of integers: integer outputs, so no tangent ever flows.
const popcount = (v: number) => {
  let n = v >>> 0;
  n -= (n >>> 1) & 0x55555555;
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
  return (Math.imul((n + (n >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
};
/** Bits of `v` in a `bits`-wide integer: a signed value's two's complement. */
const widthOf = (d: DType) => (d === "uint8" || d === "int8" ? 8 : d === "uint16" || d === "int16" ? 16 : 32);
export const population_count_p = unary("population_count", I, (x, ctx) => {
  const w = widthOf(ctx.inAvals[0].dtype);
  return hostElementwise([x], [ctx.inAvals[0].dtype], x.shape, ctx.outAvals[0].dtype, (v) => popcount(w === 32 ? v : v & ((1 << w) - 1)));
});
defZeroJvp(population_count_p);
export const clz_p = unary("clz", I, (x, ctx) => {
  const w = widthOf(ctx.inAvals[0].dtype);
  return hostElementwise([x], [ctx.inAvals[0].dtype], x.shape, ctx.outAvals[0].dtype, (v) => Math.clz32(w === 32 ? v : v & ((1 << w) - 1)) - (32 - w));
});
defZeroJvp(clz_p);
export const not_p = unary("not", BI, (x, ctx) =>
  ctx.inAvals[0].dtype === "bool" ? tf.logicalNot(x) : hostElementwise([x], [ctx.inAvals[0].dtype], x.shape, ctx.inAvals[0].dtype, (v) => ~v),
);
defZeroJvp(not_p);
// The primal is stop_gradient itself again, so enclosing differentiations see no tangent either.
export const stop_gradient_p = unary("stop_gradient", null, (x) => tf.clone(x));
defZeroJvp(stop_gradient_p);
export const copy_p = unary("copy", null, (x) => tf.clone(x));
deflinear(copy_p, (t) => [bind1(copy_p, [t])]);

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
defvectorized(integer_pow_p);
defjvp(integer_pow_p, (g, [x], { y }) =>
  y === 0 ? fullLike(g, 0) : y === 1 ? g : y === 2 ? mul(g, mul(constLike(x, y), x)) : mul(g, mul(constLike(x, y), integerPow(x, y - 1))),
);

/** The context of `x * x` inside a unary op (binary impls read both operands' avals). */
const squareCtx = (ctx: LowerCtx): LowerCtx => ({ inAvals: [ctx.inAvals[0], ctx.inAvals[0]], outAvals: ctx.outAvals });
export const square_p = unary("square", NUM, (x, ctx) => binaryImpls.mul(x, x, squareCtx(ctx)));
defjvp2(square_p, (g, _ans, [x]) => mul(g, mul(constLike(x, 2), x)));

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
  div: (a, b, c) =>
    isInt(c) ? hostBinary(idiv)(a, b, c)
    : divByReciprocal(c.inAvals[1], c.outAvals[0]) ? tf.tidy(() => tf.mul(a, tf.div(tf.scalar(1, "float32"), b)))
    : tf.div(a, b),
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
  const p = definePrimitive({
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
  defbroadcasting(p); // as lax's naryop does
  return p;
}

export const add_p = binary("add", [NUM, NUM], "add");
// A lone tangent is broadcast to the output's shape rather than added to an instantiated zero.
add_p.jvp = ([x, y], [xd, yd]) => {
  const out = add(x, y);
  if (xd === null && yd === null) return [[out], [null]];
  if (xd === null) return [[out], [maybeBroadcast(out.shape, yd!)]];
  if (yd === null) return [[out], [maybeBroadcast(out.shape, xd)]];
  return [[out], [add(xd, yd)]];
};
add_p.transpose = ([t], [x, y]) => (t === null ? [null, null] : [unbroadcast(x.aval, t), unbroadcast(y.aval, t)]);

export const sub_p = binary("sub", [NUM, NUM], "subtract");
sub_p.jvp = ([x, y], [xd, yd]) => {
  const out = sub(x, y);
  if (xd === null && yd === null) return [[out], [null]];
  if (xd === null) return [[out], [maybeBroadcast(out.shape, neg(yd!))]];
  if (yd === null) return [[out], [maybeBroadcast(out.shape, xd)]];
  return [[out], [sub(xd, yd)]];
};
sub_p.transpose = ([t], [x, y]) => (t === null ? [null, null] : [unbroadcast(x.aval, t), unbroadcast(y.aval, neg(t))]);

export const mul_p = binary("mul", [NUM, NUM], "multiply");
// Bilinear: linear in whichever operand is undefined (JAX's defbilinear).
defjvp(mul_p, (g, [, y], p) => bind1(mul_p, [g, y], p), (g, [x], p) => bind1(mul_p, [x, g], p));
mul_p.transpose = ([t], [x, y], p) => {
  if (isUndefined(x)) return [t === null ? null : unbroadcast(x.aval, bind1(mul_p, [t, y as JaxArray], p)), null];
  return [null, t === null ? null : unbroadcast(y.aval, bind1(mul_p, [x, t], p))];
};

export const div_p = binary("div", [NUM, NUM], "divide");
defjvp(div_p, (g, [, y]) => div(g, y), (g, [x, y]) => mul(mul(neg(g), x), integerPow(y, -2)));
// Linear in the numerator only.
div_p.transpose = ([t], [x, y]) => {
  if (isUndefined(y)) throw new Error("nonlinear div can't be transposed");
  return [t === null ? null : unbroadcast(x.aval, div(t, y)), null];
};

export const rem_p = binary("rem", [IF, IF]);
// rem(x, y) = x - y * trunc(x / y): dx passes through; dy scales by -trunc(x / y).
defjvp(
  rem_p,
  (g, [x, y]) => maybeBroadcast(broadcastShapes(x.shape, y.shape), g),
  (g, [x, y]) => mul(neg(g), mul(sign(div(x, y)), floor(abs(div(x, y))))),
);

/**
 * JAX's _balanced_eq: 1 where x attains the max/min z and y does not, 1/2 at ties (the
 * gradient is split evenly), 0 elsewhere.
 */
const balancedEq = (x: JaxArray, z: JaxArray, y: JaxArray) =>
  div(select(eq(x, z), fullLike(z, 1), fullLike(z, 0)), select(eq(y, z), fullLike(z, 2), fullLike(z, 1)));
export const max_p = binary("max", [ANY, ANY], "maximum");
defjvp2(max_p, (g, ans, [x, y]) => mul(g, balancedEq(x, ans, y)), (g, ans, [x, y]) => mul(g, balancedEq(y, ans, x)));
export const min_p = binary("min", [ANY, ANY], "minimum");
defjvp2(min_p, (g, ans, [x, y]) => mul(g, balancedEq(x, ans, y)), (g, ans, [x, y]) => mul(g, balancedEq(y, ans, x)));

/**
 * clamp(min, x, max) = min(max(x, min), max), XLA's Clamp (NaN propagates); min and max are
 * scalars or of x's shape (JAX's clamp_p, its shape and dtype rules, jvp and batching rule).
 */
export const clamp_p = definePrimitive({
  name: "clamp",
  abstractEval(avals) {
    const [lo, x, hi] = avals;
    for (const [name, b] of [["min", lo], ["max", hi]] as const)
      if (b.shape.length && !sameShape(b.shape, x.shape))
        throw new TypeError(`clamp requires ${name}.shape == operand.shape or ${name}.shape == (), got ${name}.shape=${pyShape(b.shape)}, operand.shape=${pyShape(x.shape)}.`);
    checkDtypes("clamp", avals, [ANY, ANY, ANY]);
    checkSameDtypes("clamp", avals);
    return [new ShapedArray(x.shape, x.dtype, avals.every((a) => a.weakType))];
  },
  impl([lo, x, hi], _p, ctx) {
    const [loA, xA, hiA] = ctx.inAvals;
    const out = ctx.outAvals[0];
    return [
      tf.tidy(() => {
        const m = binaryImpls.max(x, lo, { ...ctx, inAvals: [xA, loA], outAvals: [out] });
        return binaryImpls.min(m, hi, { ...ctx, inAvals: [out, hiA], outAvals: [out] });
      }),
    ];
  },
});
defjvp(
  clamp_p,
  (g, [lo, x, hi]) => select(and(gt(lo, x), lt(lo, hi)), g, fullLike(x, 0)),
  (g, [lo, x, hi]) => select(and(gt(x, lo), lt(x, hi)), g, fullLike(x, 0)),
  (g, [, x, hi]) => select(lt(hi, x), g, fullLike(x, 0)),
);
// JAX's _clamp_batch_rule: no moves when the batch axes agree or the bounds are scalars.
clamp_p.batch = (args, dims, _p, axis) => {
  let [lo, x, hi] = args;
  const [ld, xd, hd] = dims;
  if (ld === xd && xd === hd) {
    if (sameShape(lo.shape, x.shape) && sameShape(x.shape, hi.shape)) return [[bind1(clamp_p, [lo, x, hi])], [xd]];
    if (lo.ndim === 0 && hi.ndim === 0) return [[bind1(clamp_p, [lo, x, hi])], [xd]];
    if (lo.ndim === 1 && hi.ndim === 1)
      return [[bind1(clamp_p, [broadcastInDim(lo, x.shape, [ld!]), x, broadcastInDim(hi, x.shape, [hd!])])], [xd]];
  } else if (lo.ndim === 0 && hi.ndim === 0 && xd !== null) return [[bind1(clamp_p, [lo, x, hi])], [xd]];
  if (lo.ndim) lo = bdimAtFront(lo, ld, axis.size);
  if (hi.ndim) hi = bdimAtFront(hi, hd, axis.size);
  if (x.ndim) x = bdimAtFront(x, xd, axis.size);
  if (lo.ndim === 0 && x.ndim > 0) lo = broadcastInDim(lo, x.shape, []);
  if (hi.ndim === 0 && x.ndim > 0) hi = broadcastInDim(hi, x.shape, []);
  if (lo.ndim > 0 && lo.ndim < x.ndim) lo = broadcastInDim(lo, x.shape, [0]);
  if (hi.ndim > 0 && hi.ndim < x.ndim) hi = broadcastInDim(hi, x.shape, [0]);
  if (lo.ndim > x.ndim) x = broadcastInDim(x, lo.shape, []);
  return [[bind1(clamp_p, [lo, x, hi])], [0]];
};

export const atan2_p = binary("atan2", [F, F], "arctan2");
defjvp(
  atan2_p,
  (g, [x, y]) => mul(g, div(y, add(square(x), square(y)))),
  (g, [x, y]) => mul(g, div(neg(x), add(square(x), square(y)))),
);
// nextafter has no derivative rule in JAX either.
export const nextafter_p = binary("nextafter", [F, F], "nextafter");
// Bitwise ops and shifts: integer results, zero tangents.
export const and_p = binary("and", [BI, BI]);
export const or_p = binary("or", [BI, BI]);
export const xor_p = binary("xor", [BI, BI]);
export const shift_left_p = binary("shift_left", [I, I], "left_shift");
export const shift_right_logical_p = binary("shift_right_logical", [I, I], "right_shift");
export const shift_right_arithmetic_p = binary("shift_right_arithmetic", [I, I], "right_shift");
for (const p of [and_p, or_p, xor_p, shift_left_p, shift_right_logical_p, shift_right_arithmetic_p]) defZeroJvp(p);

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
      // onesLike, not a scalar 1: tfjs broadcasts a scalar against an empty shape to (1,).
      const p = tf.pow(a, y);
      return tf.where(one, tf.onesLike(p), p);
    }),
  ],
});
defbroadcasting(pow_p);
defjvp2(
  pow_p,
  // d/dx x^y = y * x^(y-1), computed in the result dtype; an integer exponent 0 gives exactly 0.
  (g, _ans, [x0, y0]) => {
    const dt = x0.dtype; // result_type(x, y): the base's float dtype
    let x = convertElementType(x0, dt);
    let y = convertElementType(y0, dt);
    let jac: JaxArray;
    if (!isFloat(y0.dtype)) {
      if (!sameShape(x.shape, y.shape)) {
        const shape = broadcastShapes(x.shape, y.shape);
        x = maybeBroadcast(shape, x);
        y = maybeBroadcast(shape, y);
      }
      jac = select(eq(y, constLike(y, 0)), fullLike(y, 0), mul(replaceZero(y), pow(x, sub(y, fullLike(y, 1)))));
    } else jac = mul(y, pow(x, sub(y, fullLike(y, 1))));
    return mul(g, jac);
  },
  // d/dy x^y = log(x) * x^y; at x = 0 log(1) stands in for log(0), so 0 * -inf makes no NaN.
  (g, ans, [x, y]) => convertElementType(mul(g, mul(log(replaceZero(x)), ans)), y.dtype),
);

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
  const p = definePrimitive({
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
  defZeroJvp(p); // boolean results
  defbroadcasting(p);
  return p;
}

export const eq_p = comparison("eq", tf.equal, ANY, "equal");
export const ne_p = comparison("ne", tf.notEqual, ANY, "not_equal");
export const lt_p = comparison("lt", tf.less, ORD);
export const le_p = comparison("le", tf.lessEqual, ORD);
export const gt_p = comparison("gt", tf.greater, ORD);
export const ge_p = comparison("ge", tf.greaterEqual, ORD);

// ---- select and conversion ----------------------------------------------------------------

/**
 * tf.where, except for bool operands: tfjs-wasm's Select kernel reads and writes them as float32
 * (4 bytes per 1-byte element), past the end of its output; they go through int32 instead.
 */
export function where(cond: tf.Tensor, x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  if (x.dtype !== "bool") return tf.where(cond, x, y);
  return tf.tidy(() => tf.cast(tf.where(cond, tf.cast(x, "int32"), tf.cast(y, "int32")), "bool"));
}

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
        if (ctx.inAvals[0].dtype === "bool") return cases.length === 1 ? tf.clone(cases[0]) : where(w, cases[1], cases[0]);
        let out = cases[cases.length - 1];
        for (let i = cases.length - 2; i >= 0; i--) out = where(tf.equal(w, tf.scalar(i, "int32")), cases[i], out);
        return out === cases[cases.length - 1] ? tf.clone(out) : out;
      }),
    ];
  },
});

const selectN = (which: JaxArray, cases: JaxArray[]) => bind1(select_n_p, [which, ...cases]);

// Linear in the cases: the tangent selects among the cases' tangents (zeros for those with none).
select_n_p.jvp = ([which, ...cases], [, ...ts]) => {
  const out = selectN(which, cases);
  const nz = ts.find((t) => t !== null);
  if (!nz) return [[out], [null]];
  const z = fullLike(nz, 0);
  return [[out], [selectN(which, ts.map((t) => t ?? z))]];
};

// Each undefined case gets the cotangent where it was selected, zero elsewhere.
select_n_p.transpose = ([ct], [which, ...cases]) => {
  if (ct === null) return [null, ...cases.map(() => null)];
  const zeros = fullLike(ct, 0);
  const w = which as JaxArray;
  // A single case is always selected (JAX's rule assumes two cases for a boolean `which`).
  if (cases.length === 1) return [null, isUndefined(cases[0]) ? ct : null];
  if (w.dtype === "bool") return [null, isUndefined(cases[0]) ? select(w, zeros, ct) : null, isUndefined(cases[1]) ? select(w, ct, zeros) : null];
  return [null, ...cases.map((c, i) => (isUndefined(c) ? select(eq(w, constLike(w, i)), ct, zeros) : null))];
};

// JAX's _select_batch_rule: avoids moving axes where the batch axes already agree.
select_n_p.batch = ([which, ...cases], [wd, ...cds], _p, axis) => {
  if (cds.every((d) => d === wd)) {
    // Agreeing batch axes; a `which` that was scalar per example is broadcast to the cases.
    if (!sameShape(which.shape, cases[0].shape)) which = broadcastInDim(which, cases[0].shape, [wd!]);
    return [[selectN(which, cases)], [wd]];
  }
  if (which.ndim === 0 && cds.every((d) => d !== null)) {
    if (cds.every((d) => d === cds[0])) return [[selectN(which, cases)], [cds[0]]];
    if (cases.every((c) => sameShape(c.shape, cases[0].shape))) {
      const bd = cds[0]!;
      return [[selectN(which, [cases[0], ...cases.slice(1).map((c, i) => moveaxis(c, cds[i + 1]!, bd))])], [bd]];
    }
  }
  if (which.ndim) which = bdimAtFront(which, wd, axis.size);
  if (!cases.every((c) => c.ndim === 0)) cases = cases.map((c, i) => bdimAtFront(c, cds[i], axis.size));
  if (which.ndim > 0 && which.ndim < cases[0].ndim) which = broadcastInDim(which, cases[0].shape, [0]);
  if (which.ndim > cases[0].ndim) cases = cases.map((c) => broadcastInDim(c, which.shape, []));
  return [[selectN(which, cases)], [0]];
};

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
defvectorized(convert_element_type_p);
// Linear between float dtypes; a conversion to an integer or bool type has a zero tangent.
defjvp2(convert_element_type_p, (g, _ans, _x, p) => (isFloat(p.new_dtype) ? convertElementType(g, p.new_dtype, p.weak_type) : null));
// Back to the operand's dtype and weak type; integer operands get no cotangent.
convert_element_type_p.transpose = ([ct], [x]) => (ct === null || !isFloat(x.aval.dtype) ? [null] : [convertElementType(ct, x.aval.dtype, x.aval.weakType)]);

/** Converts between dtypes with XLA's semantics: float->int truncates and saturates, NaN -> 0. */
export function convert(x: tf.Tensor, from: DType, to: DType): tf.Tensor {
  if (from === to) return tf.clone(x);
  if (to === "bool") return from === "bool" ? tf.clone(x) : tf.tidy(() => tf.notEqual(x, tf.zerosLike(x)));
  if (isFloat(to)) {
    // tfjs-cpu's int32 -> float32 Cast relabels the Int32Array (no "encoding loss" to tfjs), so
    // 987654321 would stay 987654321 instead of rounding to float32's 987654336.
    if (from === "uint32" || (from === "int32" && tf.getBackend() === "cpu")) return hostElementwise([x], [from], x.shape, to, f32);
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
