// The primitive table (JAX's tests/lax_test.py LAX_OPS): one record per (primitive, inputs,
// params), each with a reference written independently of tfjax in plain JS. The runner
// (run.ts) puts every record through every execution path in `modes`.
import type { DType } from "../../src/dtypes.js";
import type { Params } from "../../src/jaxpr/jaxpr.js";
import { pyStr } from "../../src/jaxpr/print.js";
import { dotDimensionNumbers } from "../../src/lax/reductions.js";
import {
  type Host, at, bigIntOp, cast, cpow, erf, erfc, erfInv, f32, floatToInt, generate, host, idiv, irem, nextafter, reduce,
  shiftLeft, shiftRight, size, unravel, zipWith,
} from "./ref.js";
import { indexingCases } from "./cases_indexing.js";
import { convCases } from "./cases_conv.js";
import { specialCases } from "./cases_special.js";
import { moreCases, moreGrad } from "./cases_more.js";

export interface Case {
  /** The registry name of the primitive under test. */
  prim: string;
  /** Unique label, derived from the prim and input types unless given. */
  name: string;
  inputs: Host[];
  params: Params;
  /** Expected outputs (dtype, shape, values); absent for error cases. */
  ref?: (...xs: Host[]) => Host[];
  /** Float outputs may differ from the reference by this many float32 ulps. Integers and bools are exact. */
  ulps: number;
  /** Error cases: every mode must throw an error whose message contains this text. */
  error?: string;
  /** The primitive's kernel compiles lax code on first use and keeps it (as jit does): every mode may cache. */
  caches?: boolean;
}

/**
 * Float tolerances, in float32 ulps of a reference computed in float64 and rounded once (so
 * the reference is itself within 0.5 ulp of the true value). On tfjs-cpu, which evaluates most
 * kernels with float64 Math.*, the observed error is 0 ulps except for XLA's float32 formulas
 * (erf_inv: 2, integer_pow's multiply chain: 1); the slack is for the float32 kernels of the
 * wasm and WebGL backends.
 */
export const ULPS = {
  /** IEEE-exact results: neg, abs, floor, round, max, nextafter, rem, select, conversions, moves. */
  exact: 0,
  /** One correctly-rounded float32 operation: add, sub, mul, div, sqrt, rsqrt, cbrt, pow, atan2. */
  rounded: 1,
  /** exp, log, sin, tanh, logistic, erf, erf_inv, integer_pow: a few ulps. */
  transcendental: 4,
  /** Ill-conditioned points (see erf_inv near +-1): bounded by the conditioning, not by ulps. */
  illConditioned: 64,
  /** Reductions, scans and dots of at most 6 same-signed terms, accumulated in float32. */
  accumulated: 4,
};

/**
 * How the grad mode (grad.ts) treats a primitive's cases. By default every case with float
 * arguments has its jvp checked against finite differences of its reference and its vjp against
 * its jvp; points where the reference is not differentiable are found and left out numerically.
 */
export interface GradSpec {
  /** Piecewise constant, or zero by definition: jvp and vjp must be exact zeros (JAX's defjvp_zero). Why. */
  zero?: string;
  /** Not differentiable at all (differentiating raises, as in JAX). Why. */
  none?: string;
  /** Operands given no tangent (JAX raises for a derivative with respect to them), and why. */
  constant?: { operands: number[]; why: string };
  /** Operands (square matrices, in their last two axes) whose tangents are symmetric: the primitive reads one triangle and its jvp assumes a symmetric tangent (cholesky, as JAX's). */
  symmetrize?: number[];
}

export const GRAD: Record<string, GradSpec> = {
  floor: { zero: "piecewise constant: JAX defines its derivative as zero everywhere" },
  ceil: { zero: "piecewise constant: JAX defines its derivative as zero everywhere" },
  round: { zero: "piecewise constant: JAX defines its derivative as zero everywhere" },
  sign: { zero: "piecewise constant: JAX defines its derivative as zero everywhere" },
  stop_gradient: { zero: "the identity whose derivative is zero by definition" },
  nextafter: { none: "JAX defines no derivative for nextafter (jvp raises 'Differentiation rule ... not implemented')" },
  zeta: { none: "JAX defines no derivative for zeta" },
  igamma_grad_a: { none: "JAX defines no derivative for igamma_grad_a" },
  polygamma: { constant: { operands: [0], why: "JAX raises for a gradient with respect to m" } },
  ...moreGrad,
};

export const gradSpec = (c: Case): GradSpec => GRAD[c.prim] ?? {};

// ---- inputs ---------------------------------------------------------------------------------

type Num = number | boolean;
const vec = (dtype: DType) => (...v: Num[]): Host => host(dtype, v);
const F = vec("float32");
const I = vec("int32");
const U = vec("uint32");
const B = vec("bool");
const scalar = (dtype: DType, v: Num): Host => host(dtype, [v], []);
const literal = (dtype: DType, v: Num): Host => ({ ...scalar(dtype, v), literal: true });
const reshape = (x: Host, shape: number[]): Host => ({ ...x, shape });
const take = (x: Host, n: number, shape: number[] = [n]): Host => ({ ...x, data: x.data.slice(0, n), shape });
const iota = (dtype: DType, shape: number[], f: (i: number) => Num = (i) => i): Host => host(dtype, Array.from({ length: size(shape) }, (_, i) => f(i)), shape);

const FX = [0, -0, 1, -1.5, 2.5, -3.25, 0.1, 1e-3, 7.75, -20, 1e30, -1e30, Infinity, -Infinity, NaN];
const IX = [0, 1, -1, 7, -7, 2147483647, -2147483648, 123456789, -98765432];
const UX = [0, 1, 7, 2147483647, 2147483648, 3000000000, 4294967295, 123456789];
const BX = [false, true];
const VALUES: Record<string, Num[]> = { float32: FX, int32: IX, uint32: UX, bool: BX };

// Binary operands, position by position: specials (0/0, inf-inf, NaN), overflow, x/0, INT_MIN/-1,
// shifts by >= 32 and by negative amounts.
const PAIRS: Record<string, [Num[], Num[]]> = {
  float32: [
    [0, -0, 1.5, -2.25, 3, 1e10, 7, -7, Infinity, Infinity, NaN, 5, 0.1, 1e-20, -1e30, 0, 3e38],
    [1, 2, -0.5, 0, 0, 3, 2, 2, 1, Infinity, 1, NaN, 0.3, 1e20, 1e30, 0, 10],
  ],
  int32: [
    [0, 7, -7, 7, -7, 2147483647, -2147483648, -2147483648, 123456789, 100, 5, -5, 65536, -1, 1],
    [3, 2, 2, -2, -2, 1, -1, 2147483647, 987654, 0, 0, 33, 65536, 31, 32],
  ],
  uint32: [
    [0, 7, 4294967295, 2147483648, 3000000000, 4000000000, 123456789, 5, 2147483647, 65536, 2147483649],
    [3, 2, 1, 2147483648, 2, 3000000000, 4294967295, 0, 31, 65536, 1],
  ],
  bool: [
    [false, false, true, true],
    [false, true, false, true],
  ],
};

// ---- the table ------------------------------------------------------------------------------

export const cases: Case[] = [];

function add(prim: string, inputs: Host[], ref: Case["ref"], opts: { params?: Params; ulps?: number; name?: string } = {}): void {
  const sig = inputs.map((x) => `${x.literal ? "literal " : ""}${x.weak ? "weak " : ""}${x.dtype}[${x.shape}]`).join(", ");
  const params = Object.entries(opts.params ?? {}).filter(([, v]) => v !== null);
  let name = `${prim}(${sig})${params.length ? `[${params.map(([k, v]) => `${k}=${pyStr(v)}`).join(" ")}]` : ""}${opts.name ? ` ${opts.name}` : ""}`;
  for (let k = 2; cases.some((c) => c.name === name); k++) name = name.replace(/( #\d+)?$/, ` #${k}`);
  cases.push({ prim, name, inputs, params: opts.params ?? {}, ref, ulps: opts.ulps ?? ULPS.exact });
}

function addError(prim: string, inputs: Host[], params: Params, error: string): void {
  cases.push({ prim, name: `${prim} error: ${error}`, inputs, params, ulps: 0, error });
}

/** A reference that maps `f` over broadcast operands into `dtype` (the first operand's by default). */
const elementwise =
  (f: (...v: number[]) => Num, outDtype?: DType) =>
  (...xs: Host[]): Host[] => [zipWith(outDtype ?? xs[0].dtype, xs, f)];

type DtypeFn = (dtype: DType) => (...v: number[]) => Num;
const same = (f: (...v: number[]) => Num): DtypeFn => () => f;

// -- unary --

function unaryOp(prim: string, dtypes: DType[], fn: DtypeFn, opts: { params?: Params; ulps?: number; values?: Num[]; out?: DType } = {}) {
  for (const dt of dtypes) {
    const values = dt === "float32" && opts.values ? opts.values : VALUES[dt];
    add(prim, [host(dt, values)], elementwise(fn(dt), opts.out), opts);
  }
  // Rank 0 and rank 2 operands.
  const dt = dtypes[0];
  const values = dt === "float32" && opts.values ? opts.values : VALUES[dt];
  add(prim, [scalar(dt, values[Math.min(2, values.length - 1)])], elementwise(fn(dt), opts.out), opts);
  add(prim, [reshape(take(host(dt, values), 2), [2, 1])], elementwise(fn(dt), opts.out), opts);
}

const acc = { accuracy: null };
const T = ULPS.transcendental;
const POSITIVE = [0, -0, 1e-3, 0.1, 0.5, 1, 2, 2.718281828, 100, 1e30, Infinity, -1, -Infinity, NaN];
const TRIG = [0, -0, 0.1, -0.5, 1, 1.5707963, 3.1415927, -2, 10, 100, Infinity, NaN];
const NUM: DType[] = ["float32", "int32", "uint32"];

unaryOp("neg", NUM, same((v) => -v));
unaryOp("sign", NUM, same(Math.sign));
unaryOp("floor", ["float32"], same(Math.floor));
unaryOp("ceil", ["float32"], same(Math.ceil));
unaryOp("is_finite", ["float32"], same(Number.isFinite), { out: "bool" });
const HALVES = [0, 0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997, -0.49999997, 1.2, -1.7, 8388607.5, 1e30, Infinity, NaN];
const halfAway = (v: number) => (v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5));
const halfEven = (v: number) => {
  const fl = Math.floor(v);
  const d = v - fl;
  return d < 0.5 ? fl : d > 0.5 ? fl + 1 : fl % 2 === 0 ? fl : fl + 1;
};
unaryOp("round", ["float32"], same(halfAway), { params: { rounding_method: 0 }, values: HALVES });
unaryOp("round", ["float32"], same((v) => (Number.isFinite(v) ? halfEven(v) : v)), { params: { rounding_method: 1 }, values: HALVES });
unaryOp("abs", ["float32", "int32"], same(Math.abs));
unaryOp("exp", ["float32"], same(Math.exp), { params: acc, ulps: T, values: [...FX, 88, 89, -87, -104] });
unaryOp("exp2", ["float32"], same((v) => 2 ** v), { params: acc, ulps: T, values: [...FX, 127.5, 128, -126, -149, -150] });
unaryOp("log", ["float32"], same(Math.log), { params: acc, ulps: T, values: POSITIVE });
unaryOp("log1p", ["float32"], same(Math.log1p), { params: acc, ulps: T, values: [...POSITIVE, 1e-10, -0.5, -1, -1.5] });
unaryOp("expm1", ["float32"], same(Math.expm1), { params: acc, ulps: T, values: [...FX, 1e-10, -1e-10] });
unaryOp("sin", ["float32"], same(Math.sin), { params: acc, ulps: T, values: TRIG });
unaryOp("cos", ["float32"], same(Math.cos), { params: acc, ulps: T, values: TRIG });
unaryOp("tan", ["float32"], same(Math.tan), { params: acc, ulps: T, values: TRIG });
unaryOp("tanh", ["float32"], same(Math.tanh), { params: acc, ulps: T, values: [...FX, 1e-5, -0.3, 5, 9] });
unaryOp("logistic", ["float32"], same((v) => 1 / (1 + Math.exp(-v))), { params: acc, ulps: T, values: [...FX, 5, -5, 30, -30, -88, -100] });
unaryOp("sqrt", ["float32"], same(Math.sqrt), { params: acc, ulps: ULPS.rounded, values: [...POSITIVE, 2e-38] });
unaryOp("rsqrt", ["float32"], same((v) => 1 / Math.sqrt(v)), { params: acc, ulps: ULPS.rounded, values: [...POSITIVE, 2e-38] });
unaryOp("cbrt", ["float32"], same(Math.cbrt), { params: acc, ulps: ULPS.rounded, values: [...FX, 27, -8, 2] });
unaryOp("erf", ["float32"], same(erf), { ulps: T, values: [...FX, 0.5, -0.9, 2, 3, -3.5, 4, 5.9, 1e-20] });
unaryOp("erf_inv", ["float32"], same(erfInv), {
  ulps: T,
  values: [0, -0, 0.1, -0.5, 0.9, -0.99, 0.99999994, -0.99999994, 1e-6, 1, -1, 1.5, -2, Infinity, NaN],
});
// Near +-1 erf_inv is ill-conditioned: x erfinv'(x) / erfinv(x) is ~85 at 0.999 and ~600 at 0.9999,
// so half an ulp of input moves the result by tens to hundreds of ulps. XLA's float32 algorithm
// (which tfjax follows bit for bit, for jax.random) forms 1 - x*x in float32, a backward error of
// about an ulp of x; the tolerance allows a fraction of the conditioning, not of the output.
add("erf_inv", [F(0.999, -0.999, 0.9999, -0.9999, 0.99995)], elementwise(erfInv), { ulps: ULPS.illConditioned, name: "near +-1" });
const UNIT = [0, -0, 1e-3, 0.5, -0.5, 0.9, -0.99, 0.99999994, 1, -1, 1.5, -2, Infinity, NaN];
unaryOp("asin", ["float32"], same(Math.asin), { ulps: T, values: UNIT });
unaryOp("acos", ["float32"], same(Math.acos), { ulps: T, values: UNIT });
unaryOp("atan", ["float32"], same(Math.atan), { ulps: T, values: [...FX, 0.5, -0.9, 1e-20] });
unaryOp("sinh", ["float32"], same(Math.sinh), { ulps: T, values: [...FX, 1e-5, -0.3, 5, 89, 90, -90] });
unaryOp("cosh", ["float32"], same(Math.cosh), { ulps: T, values: [...FX, 1e-5, -0.3, 5, 89, 90, -90] });
unaryOp("asinh", ["float32"], same(Math.asinh), { ulps: T, values: [...FX, 1e-5, -0.3, 5, -100, 3e38] });
unaryOp("acosh", ["float32"], same(Math.acosh), { ulps: T, values: [1, 1.0000001, 1.5, 2, 10, 1e30, 3e38, Infinity, 0.5, 0, -1, -Infinity, NaN] });
unaryOp("atanh", ["float32"], same(Math.atanh), { ulps: T, values: [0, -0, 1e-3, 0.5, -0.5, 0.99, -0.999, 0.99999994, 1, -1, 1.5, -2, NaN] });
unaryOp("erfc", ["float32"], same(erfc), { ulps: T, values: [...FX, 0.5, -0.9, 2, 3, -3.5, 4, 5.9, 9, 10, 10.5, 1e-20] });
// Bit counts of the two's complement bits (numpy's bitwise_count of int32 counts |x|; lax does not).
const popcount = (v: number) => [...(v >>> 0).toString(2)].filter((b) => b === "1").length;
const clz = (v: number) => 32 - (v >>> 0).toString(2).replace(/^0$/, "").length;
unaryOp("population_count", ["int32", "uint32"], same(popcount));
unaryOp("clz", ["int32", "uint32"], same(clz));
unaryOp("not", ["bool", "int32", "uint32"], (dt) => (dt === "bool" ? (v) => !v : (v) => ~v));
unaryOp("stop_gradient", ["float32", "int32", "uint32", "bool"], same((v) => v));
unaryOp("copy", ["float32", "int32", "uint32", "bool"], same((v) => v));

// integer_pow: float via float64 pow (XLA rounds each multiply of its square-and-multiply chain:
// a few ulps); integers wrap, multiply by multiply.
// Negative powers are 1 / x^|y| (JAX's lowering): x^|y| overflowing float32 gives 0, not a denormal.
for (const y of [0, 1, 2, 3, 5, -1, -2])
  add("integer_pow", [F(0, -0, 1.5, -2, 0.1, 10, 1e20, Infinity, NaN, -3)], elementwise((v) => (y < 0 ? 1 / f32(cpow(v, -y)) : cpow(v, y))), { params: { y }, ulps: T });
for (const y of [0, 2, 3, 7])
  for (const dt of ["int32", "uint32"] as DType[])
    add("integer_pow", [host(dt, VALUES[dt])], elementwise((v) => Array.from({ length: y }).reduce<number>((p) => Math.imul(p, v), 1)), { params: { y } });

unaryOp("square", NUM, (dt) => (dt === "float32" ? (v) => v * v : (v) => Math.imul(v, v)), { ulps: ULPS.rounded });

// -- binary --

const FLOAT: DType[] = ["float32"];
const INT: DType[] = ["int32", "uint32"];

function binaryOp(prim: string, dtypes: DType[], fn: DtypeFn, opts: { ulps?: number; out?: DType; pairs?: [Num[], Num[]] } = {}) {
  for (const dt of dtypes) {
    const [xs, ys] = dt === "float32" && opts.pairs ? opts.pairs : PAIRS[dt];
    const ref = elementwise(fn(dt), opts.out ?? dt);
    add(prim, [host(dt, xs), host(dt, ys)], ref, opts);
  }
  // Broadcasting: rank-0 operands on either side (one a literal), and size-1 dimensions.
  const dt = dtypes[0];
  const [xs, ys] = dt === "float32" && opts.pairs ? opts.pairs : PAIRS[dt];
  const ref = elementwise(fn(dt), opts.out ?? dt);
  add(prim, [take(host(dt, xs), 3), scalar(dt, ys[2])], ref, opts);
  add(prim, [literal(dt, xs[2]), take(host(dt, ys), 3)], ref, opts);
  add(prim, [take(host(dt, xs), 2, [2, 1]), take(host(dt, ys), 3, [1, 3])], ref, opts);
  add(prim, [scalar(dt, xs[1]), scalar(dt, ys[1])], ref, opts);
}

const R = ULPS.rounded;
const intOr = (float: (a: number, b: number) => number, int: (a: bigint, b: bigint) => bigint): DtypeFn => (dt) => (dt === "float32" ? float : bigIntOp(dt, int));
binaryOp("add", [...FLOAT, ...INT], intOr((a, b) => a + b, (a, b) => a + b), { ulps: R });
add("add", [F(), F()], elementwise((a, b) => a + b), { name: "empty" });
// add_any: the sum of two tangents (JAX's add_jaxvals), same shapes, no broadcasting or promotion.
add("add_any", [F(1.5, -2.25, 3, 1e10, Infinity, NaN), F(-0.5, 0, 0.3, 3, 1, 2)], elementwise((a, b) => a + b), { ulps: R });
add("add_any", [reshape(F(1, 2, 3, 4), [2, 2]), reshape(F(0.1, -2, 1e-3, 7.75), [2, 2])], elementwise((a, b) => a + b), { ulps: R });
add("add_any", [scalar("float32", 2.5), scalar("float32", -1)], elementwise((a, b) => a + b), { ulps: R });
binaryOp("sub", [...FLOAT, ...INT], intOr((a, b) => a - b, (a, b) => a - b), { ulps: R });
binaryOp("mul", [...FLOAT, ...INT], intOr((a, b) => a * b, (a, b) => a * b), { ulps: R });
binaryOp("div", [...FLOAT, ...INT], intOr((a, b) => a / b, idiv), { ulps: R });
binaryOp("rem", [...FLOAT, ...INT], intOr((a, b) => a % b, irem)); // fmod is exact
binaryOp("pow", FLOAT, same(cpow), {
  ulps: R,
  pairs: [
    [2, 2, -2, -2, 0, 0, -0, 1, -1, 0.5, 4, NaN, 1, 10, -8, Infinity, 3, 2],
    [3, -1.5, 3, 0.5, 0, -1, -1, NaN, Infinity, 2, 0.5, 0, 1e30, 38, 0.33333334, -1, 1e-7, 128],
  ],
});
// C99's special values (pow(-1, +-inf) = pow(1, y) = pow(x, 0) = 1) also where operands broadcast.
add("pow", [reshape(F(-1, 1, 2), [3, 1]), reshape(F(Infinity, -Infinity, 0), [1, 3])], elementwise(cpow), { ulps: R, name: "specials, broadcast" });
// pow's exponent may also be an integer (JAX's _pow_dtype_rule), converted to the base's dtype.
const powInt = elementwise((a, b) => cpow(a, f32(b)));
add("pow", [F(2, -2, 0, 0.5, 10, NaN, 1, -1.5), I(3, -3, 0, -2, 38, 0, 2147483647, 5)], powInt, { ulps: R });
add("pow", [F(2, 3), literal("int32", -1)], powInt, { ulps: R });
const nanMax = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b));
const nanMin = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b));
binaryOp("max", [...FLOAT, ...INT, "bool"], same(nanMax));
binaryOp("min", [...FLOAT, ...INT, "bool"], same(nanMin));
binaryOp("atan2", FLOAT, same(Math.atan2), { ulps: R });
binaryOp("nextafter", FLOAT, same(nextafter), {
  pairs: [
    [1, 1, 0, 0, -0, 1.401298464324817e-45, -1.401298464324817e-45, 3.4028234663852886e38, -Infinity, 2, NaN, 1, 1.1754943508222875e-38],
    [2, 0, 1, -1, 0, 0, 1, Infinity, 0, 2, 1, NaN, 0],
  ],
});
const BITS: DType[] = ["bool", ...INT];
const bitwise = (f: (a: bigint, b: bigint) => bigint, g: (a: boolean, b: boolean) => boolean): DtypeFn => (dt) =>
  dt === "bool" ? (a, b) => g(!!a, !!b) : bigIntOp(dt, f);
binaryOp("and", BITS, bitwise((a, b) => a & b, (a, b) => a && b));
binaryOp("or", BITS, bitwise((a, b) => a | b, (a, b) => a || b));
binaryOp("xor", BITS, bitwise((a, b) => a ^ b, (a, b) => a !== b));
binaryOp("shift_left", INT, (dt) => bigIntOp(dt, shiftLeft));
binaryOp("shift_right_logical", INT, (dt) => bigIntOp(dt, shiftRight(dt, false)));
binaryOp("shift_right_arithmetic", INT, (dt) => bigIntOp(dt, shiftRight(dt, true)));

const ALL: DType[] = ["float32", "int32", "uint32", "bool"];
binaryOp("eq", ALL, same((a, b) => a === b), { out: "bool" });
binaryOp("ne", ALL, same((a, b) => a !== b), { out: "bool" });
binaryOp("lt", ALL, same((a, b) => a < b), { out: "bool" });
binaryOp("le", ALL, same((a, b) => a <= b), { out: "bool" });
binaryOp("gt", ALL, same((a, b) => a > b), { out: "bool" });
binaryOp("ge", ALL, same((a, b) => a >= b), { out: "bool" });

// -- select_n and convert_element_type --

const selectRef = (which: Host, ...cs: Host[]): Host[] => [generate(cs[0].dtype, cs[0].shape, (idx) => at(cs[which.shape.length ? at(which, idx) : which.data[0]], idx))];
add("select_n", [B(true, false, true, false), F(1, 2, NaN, -0), F(5, 6, 7, 8)], selectRef);
add("select_n", [literal("bool", true), U(3000000000, 1, 4294967295), U(5, 2147483648, 7)], selectRef);
add("select_n", [scalar("bool", false), reshape(B(true, false, true, true), [2, 2]), reshape(B(false, false, true, false), [2, 2])], selectRef);
add("select_n", [I(0, 1, 2, 1, 0), I(1, 2, 3, 4, 5), I(-1, -2, -3, -4, -5), I(2147483647, 0, -2147483648, 9, 9)], selectRef);

// -- clamp: min(max(x, lo), hi), lo and hi scalars or of x's shape; scalar float bounds are
// literals (JAX's jvp in a scalar bound of an array operand raises: its select needs the shape) --
const clampRef = (lo: Host, x: Host, hi: Host): Host[] => {
  const bound = (h: Host, idx: number[]) => Number(h.shape.length ? at(h, idx) : h.data[0]);
  return [generate(x.dtype, x.shape, (idx) => Math.min(Math.max(Number(at(x, idx)), bound(lo, idx)), bound(hi, idx)))];
};
add("clamp", [F(-1, 0, 0.5, -2, 1, 0), F(-3, 0.25, 0.5, 7, 1.5, NaN), F(1, 2, 3, 2, 2, 1)], clampRef);
add("clamp", [literal("float32", -1), F(-3, -1.5, 0.5, 1.75, 5, Infinity, -Infinity), literal("float32", 2)], clampRef);
add("clamp", [scalar("int32", 0), I(-5, 0, 1, 2, 7, 2147483647), scalar("int32", 2)], clampRef);
add("clamp", [U(0, 5, 3000000000, 7), U(3, 4294967295, 2, 3000000001), U(4, 6, 3000000000, 4294967295)], clampRef);
addError("clamp", [F(1, 2), F(1, 2, 3), scalar("float32", 1)], {}, "clamp requires min.shape == operand.shape or min.shape == (), got min.shape=(2,), operand.shape=(3,).");
addError("clamp", [scalar("int32", 0), F(1, 2), scalar("float32", 1)], {}, "lax.clamp requires arguments to have the same dtypes, got int32, float32, float32.");

const convertRef = (to: DType) => (x: Host): Host[] => [
  zipWith(to, [x], (v) => (to === "bool" ? v !== 0 : x.dtype === "float32" && to !== "float32" ? floatToInt(to, v) : v)),
];
const convert = (to: DType, weak = false) => ({ params: { new_dtype: to, weak_type: weak, sharding: null } });
const F2I = [0, -0, 1.9, -1.9, 2.5, -2.5, 3e9, -3e9, 2147483520, 2147483648, 4294967040, 5e9, -1, Infinity, -Infinity, NaN, 1e-30];
for (const [from, to] of [
  ["float32", "int32"], ["float32", "uint32"], ["int32", "float32"], ["uint32", "float32"], ["int32", "uint32"], ["uint32", "int32"],
  ["bool", "float32"], ["bool", "int32"], ["bool", "uint32"], ["float32", "bool"], ["int32", "bool"], ["uint32", "bool"], ["float32", "float32"], ["bool", "bool"],
] as [DType, DType][])
  add("convert_element_type", [host(from, from === "float32" ? F2I : VALUES[from])], convertRef(to), convert(to));
add("convert_element_type", [scalar("int32", -7)], convertRef("uint32"), convert("uint32"));

// -- structural --

const mat = (dtype: DType, shape: number[], f?: (i: number) => Num) => iota(dtype, shape, f ?? ((i) => (dtype === "uint32" ? 4294967295 - i * 1000000007 : dtype === "bool" ? i % 3 === 1 : i * 1.5 - 4)));

const broadcastInDim = (shape: number[], bd: number[]) => (x: Host) => [generate(x.dtype, shape, (idx) => at(x, bd.map((d, i) => (x.shape[i] === 1 ? 0 : idx[d]))))];
for (const [x, shape, bd] of [
  [F(1, 2, 3), [2, 3], [1]], [mat("int32", [3, 1]), [3, 4], [0, 1]], [scalar("uint32", 4000000000), [2, 2], []], [B(true, false), [2, 3], [0]],
  [literal("float32", 2.5), [3], []],
] as [Host, number[], number[]][])
  add("broadcast_in_dim", [x], broadcastInDim(shape, bd), { params: { shape, broadcast_dimensions: bd, sharding: null } });

const reshapeRef = (shape: number[]) => (x: Host) => [reshape(x, shape)];
for (const [x, shape] of [[mat("float32", [2, 3]), [3, 2]], [mat("uint32", [6]), [2, 3]], [mat("bool", [2, 2]), [4]], [scalar("int32", -3), [1, 1]]] as [Host, number[]][])
  add("reshape", [x], reshapeRef(shape), { params: { new_sizes: shape, dimensions: null, sharding: null } });

const transposeRef = (perm: number[]) => (x: Host) => [
  generate(x.dtype, perm.map((d) => x.shape[d]), (idx) => at(x, x.shape.map((_, d) => idx[perm.indexOf(d)]))),
];
for (const [x, perm] of [[mat("float32", [2, 3]), [1, 0]], [mat("int32", [2, 3, 4]), [2, 0, 1]], [mat("uint32", [2, 2]), [1, 0]], [mat("bool", [2, 3]), [1, 0]], [mat("float32", [2]), [0]]] as [Host, number[]][])
  add("transpose", [x], transposeRef(perm), { params: { permutation: perm } });

for (const [x, dims] of [[mat("float32", [1, 3, 1]), [0, 2]], [mat("uint32", [3, 1]), [1]], [mat("bool", [1]), [0]], [mat("int32", [2, 1, 2]), [1]]] as [Host, number[]][])
  add("squeeze", [x], (a) => [reshape(a, a.shape.filter((_, d) => !dims.includes(d)))], { params: { dimensions: dims } });

const concatRef = (dim: number) => (...xs: Host[]) => {
  const shape = [...xs[0].shape];
  shape[dim] = xs.reduce((n, x) => n + x.shape[dim], 0);
  return [
    generate(xs[0].dtype, shape, (idx) => {
      let j = idx[dim];
      const k = xs.findIndex((x) => (j -= x.shape[dim]) < 0);
      return at(xs[k], idx.map((v, d) => (d === dim ? j + xs[k].shape[dim] : v)));
    }),
  ];
};
for (const [xs, dim] of [
  [[mat("float32", [2, 2]), mat("float32", [2, 1], (i) => -i)], 1], [[U(4000000000, 1), U(2, 3, 4294967295), U(7)], 0],
  [[mat("bool", [1, 2]), mat("bool", [2, 2])], 0], [[I(5, 6)], 0], [[mat("int32", [2, 0]), mat("int32", [2, 3])], 1],
] as [Host[], number][])
  add("concatenate", xs, concatRef(dim), { params: { dimension: dim } });

const stackRef = (axis: number) => (...xs: Host[]) => {
  const shape = [...xs[0].shape];
  shape.splice(axis, 0, xs.length);
  return [generate(xs[0].dtype, shape, (idx) => at(xs[idx[axis]], idx.filter((_, d) => d !== axis)))];
};
for (const [xs, axis] of [
  [[F(1, 2, 3), F(4, 5, 6)], 0], [[F(1, 2, 3), F(4, 5, 6)], 1], [[mat("uint32", [2, 2]), mat("uint32", [2, 2], (i) => i), mat("uint32", [2, 2])], 1],
  [[B(true, false)], 0], [[scalar("int32", 1), literal("int32", -2147483648)], 0],
] as [Host[], number][])
  add("stack", xs, stackRef(axis), { params: { axis } });

const sliceRef = (start: number[], limit: number[], strides: number[] | null) => (x: Host) => [
  generate(x.dtype, start.map((s, d) => Math.ceil((limit[d] - s) / (strides?.[d] ?? 1))), (idx) => at(x, idx.map((j, d) => start[d] + j * (strides?.[d] ?? 1)))),
];
for (const [x, start, limit, strides] of [
  [mat("float32", [3, 4]), [1, 0], [3, 4], null], [mat("int32", [10]), [1], [9], [3]], [mat("uint32", [4, 5]), [0, 1], [4, 5], [2, 3]],
  [mat("bool", [3, 3]), [1, 1], [2, 3], [1, 1]], [mat("float32", [4]), [2], [2], null],
] as [Host, number[], number[], number[] | null][])
  add("slice", [x], sliceRef(start, limit, strides), { params: { start_indices: start, limit_indices: limit, strides } });

/** XLA clamps dynamic starts so the window stays inside the operand. */
const clampStarts = (x: Host, starts: Host[], sizes: number[]) => starts.map((s, d) => Math.min(Math.max(s.data[0], 0), x.shape[d] - sizes[d]));
const dynamicSliceRef = (sizes: number[]) => (x: Host, ...idx: Host[]) => {
  const st = clampStarts(x, idx, sizes);
  return [generate(x.dtype, sizes, (i) => at(x, i.map((j, d) => j + st[d])))];
};
for (const [x, idx, sizes] of [
  [mat("float32", [5]), [scalar("int32", 2)], [3]], [mat("float32", [5]), [scalar("int32", 4)], [3]], [mat("uint32", [5]), [scalar("int32", -1)], [2]],
  [mat("int32", [3, 4]), [scalar("int32", 1), scalar("int32", 3)], [2, 2]], [mat("bool", [4]), [scalar("uint32", 3000000000)], [2]],
  [mat("float32", [3, 3]), [literal("int32", 1), scalar("int32", 0)], [2, 3]],
] as [Host, Host[], number[]][])
  add("dynamic_slice", [x, ...idx], dynamicSliceRef(sizes), { params: { slice_sizes: sizes } });

const dynamicUpdateSliceRef = (x: Host, u: Host, ...idx: Host[]) => {
  const st = clampStarts(x, idx, u.shape);
  return [generate(x.dtype, [...x.shape], (i) => (i.every((j, d) => j >= st[d] && j < st[d] + u.shape[d]) ? at(u, i.map((j, d) => j - st[d])) : at(x, i)))];
};
for (const [x, u, idx] of [
  [mat("float32", [5]), F(-1, -2), [scalar("int32", 1)]], [mat("float32", [5]), F(-1, -2), [scalar("int32", 10)]],
  [mat("int32", [3, 4]), reshape(I(-1, -2, -3, -4), [2, 2]), [scalar("int32", -5), scalar("int32", 1)]],
  [mat("uint32", [4]), U(4294967295, 2147483648), [scalar("uint32", 2)]], [mat("bool", [3]), B(true), [literal("int32", 0)]],
] as [Host, Host, Host[]][])
  add("dynamic_update_slice", [x, u, ...idx], dynamicUpdateSliceRef);

const padRef = (config: [number, number, number][]) => (x: Host, v: Host) => {
  const shape = x.shape.map((n, d) => config[d][0] + config[d][1] + n + Math.max(0, n - 1) * config[d][2]);
  return [
    generate(x.dtype, shape, (idx) => {
      const src = idx.map((o, d) => (o - config[d][0]) / (config[d][2] + 1));
      return src.every((j, d) => Number.isInteger(j) && j >= 0 && j < x.shape[d]) ? at(x, src) : v.data[0];
    }),
  ];
};
for (const [x, v, config] of [
  [F(1, 2, 3), scalar("float32", 0), [[1, 2, 0]]], [F(1, 2, 3), scalar("float32", -1.5), [[0, 0, 2]]], [F(1, 2, 3, 4), literal("float32", 9), [[-1, 1, 1]]],
  [mat("int32", [2, 3]), scalar("int32", -7), [[1, 0, 1], [0, -1, 0]]], [U(1, 2), scalar("uint32", 4000000000), [[1, 1, 0]]],
  [B(true, false), scalar("bool", true), [[1, 1, 1]]], [mat("float32", [2, 2]), scalar("float32", NaN), [[0, 0, 0], [-2, 0, 0]]],
] as [Host, Host, [number, number, number][]][])
  add("pad", [x, v], padRef(config), { params: { padding_config: config } });

for (const [dtype, shape, dimension] of [["int32", [5], 0], ["float32", [2, 3], 1], ["uint32", [3, 2], 0], ["int32", [2, 2, 2], 2]] as [DType, number[], number][])
  add("iota", [], () => [generate(dtype, shape, (idx) => idx[dimension])], { params: { dtype, shape, dimension, sharding: null }, name: `${dtype}[${shape}] dim ${dimension}` });

// -- reductions --

const axesP = (axes: number[]) => ({ params: { axes, out_sharding: null } });
type Monoid = { init: (dt: DType) => number; op: DtypeFn };
const reduceRef = (m: Monoid, ulps = 0) => (axes: number[]) => ({
  ref: (x: Host) => [reduce(x.dtype, x, axes, m.init(x.dtype), m.op(x.dtype) as (a: number, b: number) => Num)],
  ...axesP(axes),
  ulps,
});
const REDUCE_INPUTS: Record<string, Host[]> = {
  float32: [mat("float32", [2, 3], (i) => 0.1 + i * 1.7), reshape(F(1, NaN, -2, 3, -Infinity, 0.5), [2, 3])],
  int32: [reshape(I(2147483647, 1, -5, 123456789, -2147483648, 987654321), [2, 3]), reshape(I(65536, 65536, 3, 7, -1, 9), [2, 3])],
  uint32: [reshape(U(4294967295, 1, 5, 3000000000, 2147483648, 7), [2, 3])],
  bool: [reshape(B(true, true, false, false, false, true), [2, 3]), reshape(B(true, true, true, false, false, false), [2, 3])],
};
function reduction(prim: string, dtypes: DType[], make: (axes: number[]) => { ref: Case["ref"]; params: Params; ulps: number }) {
  for (const dt of dtypes) {
    for (const x of REDUCE_INPUTS[dt]) for (const axes of [[1], [0, 1]]) add(prim, [x], make(axes).ref, make(axes));
    // Reducing an empty axis gives the monoid's identity.
    add(prim, [host(dt, [], [0, 2])], make([0]).ref, make([0]));
  }
  const x = REDUCE_INPUTS[dtypes[0]][0];
  for (const axes of [[], [0]]) add(prim, [x], make(axes).ref, make(axes));
  add(prim, [scalar(dtypes[0], x.data[1])], make([]).ref, make([]));
}
const intAdd = (dt: DType) => bigIntOp(dt, (a, b) => a + b);
const [INT_MIN, INT_MAX, UINT_MAX] = [-(2 ** 31), 2 ** 31 - 1, 2 ** 32 - 1];
const SUM: Monoid = { init: () => 0, op: (dt) => (dt === "float32" ? (a, b) => a + b : intAdd(dt)) };
const PROD: Monoid = { init: () => 1, op: (dt) => (dt === "float32" ? (a, b) => a * b : (a, b) => Math.imul(a, b)) };
const MAX: Monoid = { init: (dt) => ({ float32: -Infinity, int32: INT_MIN, uint32: 0 })[dt as string] ?? 0, op: same(nanMax) };
const MIN: Monoid = { init: (dt) => ({ float32: Infinity, int32: INT_MAX, uint32: UINT_MAX })[dt as string] ?? 1, op: same(nanMin) };
// reduce_and/or are bitwise on integers (lax's logical reductions accept bool or int).
const AND: Monoid = { init: (dt) => (dt === "bool" ? 1 : -1), op: (dt) => (dt === "bool" ? (a, b) => a && b : bigIntOp(dt, (a, b) => a & b)) };
const OR: Monoid = { init: () => 0, op: (dt) => (dt === "bool" ? (a, b) => a || b : bigIntOp(dt, (a, b) => a | b)) };
reduction("reduce_sum", NUM, reduceRef(SUM, ULPS.accumulated));
reduction("reduce_prod", NUM, reduceRef(PROD, ULPS.accumulated));
reduction("reduce_max", ALL, reduceRef(MAX));
reduction("reduce_min", ALL, reduceRef(MIN));
reduction("reduce_and", ["bool", "int32", "uint32"], reduceRef(AND));
reduction("reduce_or", ["bool", "int32", "uint32"], reduceRef(OR));

// argmax/argmin: the first index of the extreme value; NaN counts as the extreme (as in JAX).
const argRef = (better: (a: number, b: number) => boolean) => (axis: number) => (x: Host) => [
  generate("int32", x.shape.filter((_, d) => d !== axis), (idx) => {
    const pick = (j: number) => at(x, [...idx.slice(0, axis), j, ...idx.slice(axis)]);
    let best = 0;
    for (let j = 1; j < x.shape[axis]; j++) if (!Number.isNaN(pick(best)) && (Number.isNaN(pick(j)) || better(pick(j), pick(best)))) best = j;
    return best;
  }),
];
for (const [prim, better] of [["argmax", (a: number, b: number) => a > b], ["argmin", (a: number, b: number) => a < b]] as const)
  for (const dt of ALL)
    for (const x of [...REDUCE_INPUTS[dt], ...(dt === "float32" ? [reshape(F(2, 1, 2, 1, NaN, NaN), [2, 3])] : [])])
      for (const axis of [0, 1]) add(prim, [x], argRef(better)(axis), { params: { axes: [axis], index_dtype: "int32" } });

const scanRef = (f: DtypeFn, axis: number, reverse: boolean) => (x: Host) => {
  const g = f(x.dtype) as (a: number, b: number) => number;
  return [
    generate(x.dtype, x.shape, (idx) => {
      const n = x.shape[axis];
      const js = Array.from({ length: n }, (_, j) => j).filter((j) => (reverse ? j >= idx[axis] : j <= idx[axis]));
      return js.map((j) => at(x, idx.map((v, d) => (d === axis ? j : v)))).reduce((a, b) => cast(x.dtype, g(a, b)));
    }),
  ];
};
for (const [prim, f] of [
  ["cumsum", (dt: DType) => (dt === "float32" ? (a: number, b: number) => a + b : intAdd(dt))],
  ["cumprod", (dt: DType) => (dt === "float32" ? (a: number, b: number) => a * b : (a: number, b: number) => Math.imul(a, b))],
] as [string, DtypeFn][])
  for (const x of [REDUCE_INPUTS.float32[0], REDUCE_INPUTS.int32[0], REDUCE_INPUTS.int32[1], REDUCE_INPUTS.uint32[0], reshape(I(65537, 65537, 65537, 3), [4, 1])])
    for (const [axis, reverse] of [[0, false], [1, false], [0, true]] as [number, boolean][])
      if (axis < x.shape.length) add(prim, [x], scanRef(f, axis, reverse), { params: { axis, reverse }, ulps: ULPS.accumulated });

// dot_general: each output element sums lhs*rhs over every contracting index (float64 then rounded;
// integers wrap; bool is OR of ANDs).
function dotRef(lc: number[], rc: number[], lb: number[], rb: number[], out?: DType) {
  return (a: Host, b: Host): Host[] => {
    const lfree = a.shape.map((_, i) => i).filter((i) => !lc.includes(i) && !lb.includes(i));
    const rfree = b.shape.map((_, i) => i).filter((i) => !rc.includes(i) && !rb.includes(i));
    const shape = [...lb.map((d) => a.shape[d]), ...lfree.map((d) => a.shape[d]), ...rfree.map((d) => b.shape[d])];
    const csizes = lc.map((d) => a.shape[d]);
    const dt = out ?? a.dtype;
    return [
      generate(dt, shape, (idx) => {
        let acc = 0;
        for (let k = 0; k < size(csizes); k++) {
          const c = unravel(k, csizes);
          const ai = a.shape.map((_, d) => (lb.includes(d) ? idx[lb.indexOf(d)] : lc.includes(d) ? c[lc.indexOf(d)] : idx[lb.length + lfree.indexOf(d)]));
          const bi = b.shape.map((_, d) => (rb.includes(d) ? idx[rb.indexOf(d)] : rc.includes(d) ? c[rc.indexOf(d)] : idx[lb.length + lfree.length + rfree.indexOf(d)]));
          const [x, y] = [at(a, ai), at(b, bi)];
          acc = dt === "float32" ? acc + x * y : dt === "bool" ? acc || (x && y) : cast(dt, acc + Math.imul(x, y));
        }
        return acc;
      }),
    ];
  };
}
const dotP = (lc: number[], rc: number[], lb: number[] = [], rb: number[] = [], pref: DType | null = null) => ({
  params: { dimension_numbers: dotDimensionNumbers(lc, rc, lb, rb), precision: null, preferred_element_type: pref, out_sharding: null },
});
for (const [a, b, lc, rc, lb, rb] of [
  [mat("float32", [2, 3], (i) => 0.5 + i), mat("float32", [3, 4], (i) => 1.25 + i / 3), [1], [0], [], []],
  [mat("float32", [3]), mat("float32", [3], (i) => i + 1), [0], [0], [], []],
  [mat("float32", [3, 2], (i) => i + 0.1), mat("float32", [3, 2], (i) => 2 - i / 7), [0], [0], [], []],
  [mat("float32", [2, 2, 3], (i) => i / 4), mat("float32", [2, 3, 2], (i) => i + 1), [2], [1], [0], [0]],
  [mat("float32", [2, 3, 2], (i) => i + 1), mat("float32", [3, 2, 4], (i) => 1 / (i + 1)), [1, 2], [0, 1], [], []],
  [mat("float32", [2]), mat("float32", [3]), [], [], [], []],
  [reshape(I(2147483647, 65536, -3, 123456789, 7, -2147483648), [2, 3]), reshape(I(3, 65536, 5, -1, 987654321, 2), [3, 2]), [1], [0], [], []],
  [reshape(U(4294967295, 3000000000, 2, 65536), [2, 2]), reshape(U(3, 4000000000, 65536, 1), [2, 2]), [1], [0], [], []],
  [reshape(B(true, false, false, false, true, true), [2, 3]), reshape(B(false, true, true, false, false, true), [3, 2]), [1], [0], [], []],
] as [Host, Host, number[], number[], number[], number[]][])
  add("dot_general", [a, b], dotRef(lc, rc, lb, rb), { ...dotP(lc, rc, lb, rb), ulps: ULPS.accumulated });
add("dot_general", [F(1, 2), F(3, 4)], dotRef([0], [0], [], [], "float32"), { ...dotP([0], [0], [], [], "float32"), name: "preferred_element_type" });

// ---- weak types ---------------------------------------------------------------------------
// Weak operands (JS scalars) stay weak only if every operand is; argmax and the logical
// reductions always strip it (JAX's weak_type rules).

const weak = (x: Host): Host => ({ ...x, weak: true });
const weakOut = (ref: NonNullable<Case["ref"]>) => (...xs: Host[]) => ref(...xs).map(weak);
add("add", [weak(scalar("float32", 1.5)), weak(literal("float32", 2))], weakOut(elementwise((a, b) => a + b)), { ulps: R });
add("add", [F(1, 2, 3), weak(literal("float32", 2))], elementwise((a, b) => a + b), { ulps: R });
add("mul", [weak(scalar("int32", 65536)), weak(literal("int32", 65537))], weakOut(elementwise((a, b) => Math.imul(a, b))));
add("neg", [weak(scalar("int32", -2147483648))], weakOut(elementwise((v) => -v)));
add("broadcast_in_dim", [weak(literal("float32", 2.5))], weakOut(broadcastInDim([2], [])), { params: { shape: [2], broadcast_dimensions: [], sharding: null } });
add("reduce_sum", [weak(F(1, 2, 3))], weakOut(reduceRef(SUM)([0]).ref!), axesP([0]));
add("reduce_or", [weak(I(1, 2, 4))], reduceRef(OR)([0]).ref, axesP([0]));
add("argmax", [weak(F(1, 3, 2))], argRef((a, b) => a > b)(0), { params: { axes: [0], index_dtype: "int32" } });
add("convert_element_type", [F(1.5, -2)], weakOut(convertRef("float32")), convert("float32", true));

// ---- errors (JAX's exact messages) ------------------------------------------------------------

addError("exp", [I(1, 2)], acc, "exp does not accept dtype int32. Accepted dtypes are subtypes of floating, complexfloating.");
addError("add", [F(1), I(1)], {}, "lax.add requires arguments to have the same dtypes, got float32, int32.");
addError("add", [F(1, 2, 3), F(1, 2, 3, 4)], {}, "add got incompatible shapes for broadcasting: (3,), (4,).");
addError("shift_left", [F(1), F(2)], {}, "shift_left does not accept dtype float32 at position 0. Accepted dtypes at position 0 are subtypes of integer.");
addError("reduce_or", [F(1)], axesP([0]).params, "logical reduction requires operand dtype bool or int, got float32.");
addError("reduce_sum", [B(true)], axesP([0]).params, "reduce_sum does not accept dtype bool. Accepted dtypes are subtypes of number.");

// ---- PRNG (src/prng) --------------------------------------------------------------------------
// Expected words come from JAX's tests and docs (sources at each case), the Random123 vectors for
// the raw hash, or plain-JS bit manipulation. Key arrays are hosts of dtype key<fry> whose data
// holds 2 uint32 words per key; the partitionable stream (JAX's default) is what the harness runs.

const KEYT: DType = "key<fry>";
const keys = (shape: number[], data: number[]): Host => ({ dtype: KEYT, shape, data: data.map((v) => v >>> 0) });
const fixed = (...outs: Host[]) => () => outs;

// threefry2x32: Random123's known answers (JAX's testThreefry2x32), then key (0, 0) on counts
// (0, 0), (0, 1): fold_in(key(0), 0) and fold_in(key(0), 1) (jax.experimental.random.stateful_rng docstring).
add("threefry2x32", [U(0, 0xffffffff, 0x13198a2e), U(0, 0xffffffff, 0x03707344), U(0, 0xffffffff, 0x243f6a88), U(0, 0xffffffff, 0x85a308d3)],
  fixed(U(0x6b200159, 0x1cb996fc, 0xc4923a9c), U(0x99ba4efe, 0xbb002be7, 0x483df7a0)));
add("threefry2x32", [scalar("uint32", 0), scalar("uint32", 0), U(0, 0), U(0, 1)], fixed(U(1797259609, 928981903), U(2579123966, 3453687069)));
add("threefry2x32", [scalar("uint32", 0x13198a2e), literal("uint32", 0x03707344), reshape(U(0x243f6a88, 0x243f6a88), [2, 1]), scalar("uint32", 0x85a308d3)],
  fixed(reshape(U(0xc4923a9c, 0xc4923a9c), [2, 1]), reshape(U(0x483df7a0, 0x483df7a0), [2, 1])));
addError("threefry2x32", [F(1), U(1), U(1), U(1)], {}, "Arguments to threefry2x32 must have uint32 type");

// iota_2x32_shape: the uint64 row-major index split into words (prng.py docstring, shape (3, 4)).
add("iota_2x32_shape", [], fixed(host("uint32", new Array(12).fill(0), [3, 4]), iota("uint32", [3, 4])), { params: { shape: [3, 4] } });

// random_seed: x32 seeds are [0, seed mod 2^32] (JAX's test_prng_seeds_and_keys).
add("random_seed", [scalar("int32", 42)], fixed(keys([], [0, 42])), { params: { impl: "fry" } });
add("random_seed", [I(-1, -2, 3)], fixed(keys([3], [0, 4294967295, 0, 4294967294, 0, 3])), { params: { impl: "fry" } });
add("random_seed", [scalar("uint32", 2147483748)], fixed(keys([], [0, 2147483748])), { params: { impl: "fry" } });
addError("random_seed", [F(1)], { impl: "fry" }, "PRNG key seed must be an integer");

// random_wrap / random_unwrap: the same words, viewed as keys or as uint32[..., 2].
add("random_wrap", [U(0, 42)], fixed(keys([], [0, 42])), { params: { impl: "fry" } });
add("random_wrap", [reshape(U(1, 2, 3, 4000000000), [2, 2])], fixed(keys([2], [1, 2, 3, 4000000000])), { params: { impl: "fry" } });
addError("random_wrap", [U(1, 2, 3)], { impl: "fry" }, "expected key_data.shape to end with (2,)");
add("random_unwrap", [keys([], [0, 42])], fixed(U(0, 42)));
add("random_unwrap", [keys([2], [1, 2, 3, 4000000000])], fixed(reshape(U(1, 2, 3, 4000000000), [2, 2])));

// random_split: split(key(1), 3) (prng.md section 14); a batch of keys splits per key, and in the
// partitionable stream split(k, n)[i] = fold_in(k, i) whatever n is.
const SPLIT_KEY1 = [507451445, 1853169794, 1948878966, 4237131848, 2441914641, 3819641963];
const FOLD_KEY0 = [1797259609, 2579123966, 928981903, 3453687069];
add("random_split", [keys([], [0, 1])], fixed(keys([3], SPLIT_KEY1)), { params: { shape: [3] } });
add("random_split", [keys([2], [0, 0, 0, 1])], fixed(keys([2, 2], [...FOLD_KEY0, ...SPLIT_KEY1.slice(0, 4)])), { params: { shape: [2] } });
add("random_split", [keys([], [0, 1])], fixed(keys([1, 2], SPLIT_KEY1.slice(0, 4))), { params: { shape: [1, 2] } });

// random_fold_in: fold_in(key(0), 0 and 1), fold_in(key(42), 4) (stateful_rng docstrings).
add("random_fold_in", [keys([], [0, 0]), U(0, 1)], fixed(keys([2], FOLD_KEY0)));
add("random_fold_in", [keys([], [0, 42]), scalar("uint32", 4)], fixed(keys([], [2954079971, 3276725750])));
add("random_fold_in", [keys([2], [0, 0, 0, 42]), U(1, 4)], fixed(keys([2], [928981903, 3453687069, 2954079971, 3276725750])));

// random_bits: bits(key(0)) and bits(key(10), (4,)) (prng.md section 14); 8 and 16 bits keep the low
// bits of the 32-bit draw (convert_element_type truncates).
const BITS_KEY10 = [169096361, 1572511259, 2689743692, 2228103506];
add("random_bits", [keys([], [0, 0])], fixed(host("uint32", [4070199207], [])), { params: { bit_width: 32, shape: [] } });
add("random_bits", [keys([], [0, 10])], fixed(host("uint32", BITS_KEY10)), { params: { bit_width: 32, shape: [4] } });
add("random_bits", [keys([2], [0, 0, 0, 10])], fixed(host("uint32", [4070199207, BITS_KEY10[0]], [2, 1])), { params: { bit_width: 32, shape: [1] } });
// (ref.ts casts only the four core dtypes; these words are in range, so the host is built directly.)
const narrow = (dtype: DType, data: number[], shape = [data.length]): Host => ({ dtype, shape, data });
add("random_bits", [keys([], [0, 10])], fixed(narrow("uint8", BITS_KEY10.map((v) => v & 0xff))), { params: { bit_width: 8, shape: [4] } });
add("random_bits", [keys([], [0, 10])], fixed(narrow("uint16", BITS_KEY10.map((v) => v & 0xffff), [2, 2])), { params: { bit_width: 16, shape: [2, 2] } });

// bitcast_convert_type: the same 32 bits as another type (plain-JS DataView reference).
const bitsAs = (to: DType) => (x: Host): Host[] => {
  const view = new DataView(new ArrayBuffer(4));
  const data = x.data.map((v) => {
    if (x.dtype === "float32") view.setFloat32(0, v);
    else view.setUint32(0, v >>> 0);
    return to === "float32" ? view.getFloat32(0) : to === "int32" ? view.getInt32(0) : view.getUint32(0);
  });
  return [{ dtype: to, shape: [...x.shape], data }];
};
add("bitcast_convert_type", [U(0x3f800000, 0x7f800000, 0x80000000, 1, 0x7fc00000, 0x3fffffff)], bitsAs("float32"), { params: { new_dtype: "float32" } });
add("bitcast_convert_type", [F(1, -2.5, Infinity, -0, 1e-45)], bitsAs("uint32"), { params: { new_dtype: "uint32" } });
add("bitcast_convert_type", [reshape(I(-1, 1065353216), [2, 1])], bitsAs("float32"), { params: { new_dtype: "float32" } });
add("bitcast_convert_type", [weak(scalar("float32", 1.5))], bitsAs("int32"), { params: { new_dtype: "int32" } });
addError("bitcast_convert_type", [B(true)], { new_dtype: "int32" }, "lax.bitcast_convert_type does not support bool or complex values");

// sort: a stable sort by the first operand (XLA's order: -0 == 0, NaN last) carrying the others along.
const sortRef = (dim: number, numKeys: number) => (...xs: Host[]): Host[] => {
  const shape = xs[0].shape;
  const order = (idx: number[]) => {
    const line = Array.from({ length: shape[dim] }, (_, j) => idx.map((v, d) => (d === dim ? j : v)));
    const cmp = (a: number, b: number) => (Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : Number.isNaN(b) ? -1 : a < b ? -1 : a > b ? 1 : 0);
    return line.map((p, j) => [p, j] as const).sort((p, q) => {
      for (let k = 0; k < numKeys; k++) {
        const c = cmp(at(xs[k], p[0]), at(xs[k], q[0]));
        if (c) return c;
      }
      return p[1] - q[1];
    });
  };
  return xs.map((x) => generate(x.dtype, shape, (idx) => at(x, order(idx)[idx[dim]][0])));
};
const sortP = (dimension: number, num_keys = 1) => ({ params: { dimension, is_stable: true, num_keys } });
add("sort", [U(3, 1, 2, 1, 4294967295, 2147483648), F(10, 20, 30, 40, 50, 60)], sortRef(0, 1), sortP(0));
add("sort", [F(NaN, -0, 0, -1, Infinity), I(0, 1, 2, 3, 4)], sortRef(0, 1), sortP(0));
add("sort", [reshape(I(3, 1, 2, 2, 9, 2), [2, 3]), reshape(B(true, false, true, false, true, true), [2, 3])], sortRef(1, 1), sortP(1));
add("sort", [reshape(I(1, 1, 0, 0), [2, 2]), reshape(I(5, 4, 3, 2), [2, 2]), reshape(F(1, 2, 3, 4), [2, 2])], sortRef(0, 2), sortP(0, 2));

// top_k: the k largest in XLA's total order (NaN above inf, +0 above -0), ties to the lower index.
const totalKey = (v: number) => (Number.isNaN(v) ? Infinity : v === Infinity ? Number.MAX_VALUE : Object.is(v, -0) ? -Number.MIN_VALUE : v);
const topKRef = (k: number, axis: number) => (x: Host): Host[] => {
  const shape = x.shape.map((d, i) => (i === axis ? k : d));
  const ranked = (idx: number[]) => {
    const key = (j: number) => {
      const v = at(x, idx.map((d, i) => (i === axis ? j : d)));
      return x.dtype === "float32" ? totalKey(v) : v;
    };
    return Array.from({ length: x.shape[axis] }, (_, j) => j).sort((p, q) => (key(q) > key(p) ? 1 : key(q) < key(p) ? -1 : p - q));
  };
  return [
    generate(x.dtype, shape, (idx) => at(x, idx.map((d, i) => (i === axis ? ranked(idx)[idx[axis]] : d)))),
    generate("int32", shape, (idx) => ranked(idx)[idx[axis]]),
  ];
};
const topK = (k: number, axis: number) => ({ params: { k, axis, is_stable: true } });
add("top_k", [F(1, NaN, 3, 3, -0, 0, -Infinity, Infinity)], topKRef(8, 0), topK(8, 0));
add("top_k", [F(0.5, -2, 3.25, 1, 7)], topKRef(3, 0), topK(3, 0));
add("top_k", [reshape(F(0.5, -2, 3.25, 1, 7, -1.5), [2, 3])], topKRef(2, 1), topK(2, 1));
add("top_k", [reshape(F(0.5, -2, 3.25, 1, 7, -1.5), [3, 2])], topKRef(2, 0), topK(2, 0));
add("top_k", [U(3, 4294967295, 2147483648, 7)], topKRef(2, 0), topK(2, 0));
add("top_k", [reshape(I(5, -3, 5, 0, 2, -2147483648), [2, 3])], topKRef(3, 1), topK(3, 1));
add("top_k", [F(1, 2)], topKRef(0, 0), topK(0, 0));

// gather and the scatters: their records and XLA-semantics references live in cases_indexing.ts.
cases.push(...indexingCases);

// conv_general_dilated and the windowed reductions: records and XLA-semantics references in cases_conv.ts.
cases.push(...convCases);
// split, unstack, rev, cholesky, triangular_solve and lu: records and float64 references in cases_more.ts.
cases.push(...moreCases);

// lgamma, digamma, polygamma, zeta, the incomplete gamma functions and random_gamma: cases_special.ts.
cases.push(...specialCases);
