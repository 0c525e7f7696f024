// Vectorised float32 elementary functions, built as wasm SIMD expression DAGs (see vexpr.ts).
//
// The methods are the classical ones (Cody & Waite range reduction, polynomial kernels on the
// reduced interval, scaling by 2^k through the exponent bits), written for 4 float32 lanes at
// once: both sides of every branch are computed and the lanes are blended with v128.bitselect.
//
// Provenance of the constants. Every float32 polynomial below was fitted by us for this file:
// a minimax fit of the stated remainder on the stated interval, by Lawson's iteratively
// reweighted least squares on ~6000 points with a 100-bit mpmath reference, weighting the
// residual so that it measures the relative error of the final function value; coefficients
// were then rounded to float32 one at a time (lowest degree first), refitting the remaining
// ones after each rounding. The "fit error" quoted for each is the max relative error of the
// approximated function value with the float32 coefficients, before evaluation rounding.
// scripts/fitpoly.py reproduces every coefficient below.
// The split constants (ln2 and pi/2 in two or three pieces) are derived in comments.
//
// Measured accuracy: max distance in ulps from fround(float64 Math.* result), i.e. from the
// correctly rounded float32 result, with the share of inputs that are not correctly rounded,
// over every 13th float32 bit pattern of all 2^32 (330M inputs, all binades, both signs,
// subnormals, infinities, NaNs):
//   exp 1 (0.42%)   exp2 1 (0.41%)   expm1 1 (0.30%)   sin 1 (0.53%)   cos 1 (0.52%)
//   tanh 1 (0.16%)  logistic 1 (0.04%)
// Special values (NaN, ±inf, ±0, overflow and underflow thresholds) match exactly.
// The exp, log, log1p, tan and pow primitives do not use these but XLA CPU's own float32
// functions and the glibc ones it calls (xla_math.ts, JAX's bits); exp's kernel here serves tanh
// and logistic.
import type { VB, VNode } from "./vexpr.js";

/** The measured worst error of each function in float32 ulps (asserted by the tests). */
export const MAX_ULP: Record<string, number> = {
  exp: 1, exp2: 1, expm1: 1, sin: 1, cos: 1, tanh: 1, logistic: 1,
};

const SIGN = 0x80000000 | 0;

// ln2 split for Cody-Waite: LN2_HI has 9 significant bits, so k*LN2_HI is exact for |k| < 2^15
// (we need |k| <= 151); LN2_LO = fround(ln2 - LN2_HI) carries the next 24 bits.
export const LN2_HI = 0.693359375;
export const LN2_LO = -2.1219444170128554e-4;
const LOG2E = 1.4426950408889634;

/**
 * exp(r) = 1 + r + r^2 * P(r) on |r| <= ln2/2 (+0.01%). Fit error 2^-28.3.
 * (Degree 4 is the smallest that leaves the fit error far below half an ulp, 2^-24.)
 */
const EXP_P = [0.4999999403953552, 0.1666652113199234, 0.04166825860738754, 0.00836867094039917, 0.0013821382308378816];
/** 2^r = 1 + r * Q(r) on |r| <= 1/2. Fit error 2^-28.3. */
const EXP2_Q = [0.6931471824645996, 0.24022647738456726, 0.05550359934568405, 0.009618505835533142, 0.001339081209152937, 0.00015326497668866068];
/** expm1(r) = r + r^2/2 + r^3 * Q(r) on |r| <= ln2/2. Fit error 2^-31.1 (degree 3 gave 2^-26.1, too close to an ulp). */
const EXPM1_Q = [0.1666666567325592, 0.04166649281978607, 0.008333547040820122, 0.0013932320289313793, 0.00019760773284360766];
/** sin(r) = r + r^3 * S(r^2) on |r| <= pi/4. Fit error 2^-27.9. */
const SIN_S = [-0.16666655242443085, 0.008332189172506332, -0.00019518285989761353];
/** cos(r) = 1 - r^2/2 + r^4 * C(r^2) on |r| <= pi/4. Fit error 2^-33.0. */
const COS_C = [0.04166664555668831, -0.0013887309469282627, 2.4432327336398885e-5];
/** tanh(x) = x + x^3 * T(x^2) on |x| <= 0.55. Fit error 2^-29.7. */
const TANH_T = [-0.33333316445350647, 0.13332544267177582, -0.0538475476205349, 0.02105071395635605, -0.00624284939840436];
const TANH_SMALL = 0.55;

// pi/2 for the sin/cos reduction, done in float64: PIO2_1 = pi/2 rounded to 31 significant bits
// (0x1.921fb544p0), so q*PIO2_1 is exact for |q| < 2^22; PIO2_2 = (pi/2 - PIO2_1) rounded to
// double; what is left (3.5e-27) times |q| < 2^20 stays below 2^-67 in r.
const PIO2_1 = 1.5707963267341256;
const PIO2_2 = 6.077100506506192e-11;
const TWO_OVER_PI = 0.6366197723675814;
/**
 * Above this |x| sin/cos/tan call the scalar JS Math function for that lane (a Payne-Hanek
 * reduction would be needed for the full float32 range). The vector reduction is good to
 * 2^-39 relative in r up to here: no float32 in [pi/4, 2^20) is closer than 2^-27.8 to a
 * multiple of pi/2 (x = 252.8982; found by checking all of them offline), while the absolute
 * error of the float64 reduction stays below 2^-67.
 */
export const TRIG_VECTOR_LIMIT = 2 ** 20;

/** Functions that, on some lanes, call an imported JS Math function (see codegen.ts). */
export interface MathEnv {
  /**
   * Index of an imported (f64) -> f64 function computing Math[name] (erf_inv: lax/special.ts's
   * erfInv32; tanf and powf, the latter (f64, f64) -> f64: lax/libm32.ts's glibc ports).
   */
  scalar(name: "sin" | "cos" | "log1p" | "erf_inv" | "tanf" | "powf"): number;
}

/** The float32 bits of 2^k for integer lanes k in [-126, 127]. */
const pow2i = (b: VB, k: VNode) => b.ishl(b.iadd(k, b.i(127)), 23);

/**
 * x * 2^k for integer lanes k in [-252, 254], with a single rounding even when the result is
 * subnormal or overflows: the scale is applied as 2^(k>>1) * 2^(k - (k>>1)), both normal.
 */
function ldexp(b: VB, x: VNode, k: VNode): VNode {
  const k1 = b.ishr(k, 1);
  return b.fmul(b.fmul(x, pow2i(b, k1)), pow2i(b, b.isub(k, k1)));
}

/**
 * exp(x). Reduction x = k ln2 + r, |r| <= ln2/2, with k = nearest(x log2e); r = (x - k LN2_HI) -
 * k LN2_LO where the first product and difference are exact. Clamping x to [-104, 89] keeps k in
 * [-150, 128] (exp(-104) rounds to 0, exp(89) to inf); min/max propagate NaN, and NaN lanes
 * come out NaN through the polynomial.
 */
export function exp(b: VB, x: VNode): VNode {
  return expPair(b, x, false).hi;
}

/**
 * exp(x) as hi (the rounded result, as exp() returns it) and, when `wantLo`, a correction lo
 * with hi + lo = exp(x) to ~2^-27 relative: it collects the rounding errors of r, of
 * r + r^2 P(r) and of 1 + that, each recovered exactly by Fast2Sum (|a| >= |b| => (a - fl(a + b))
 * + b is the exact error). Used where the next operation would magnify exp's rounding error.
 */
function expPair(b: VB, x: VNode, wantLo: boolean): { hi: VNode; lo: VNode | null } {
  const X = b.fmin(b.fmax(x, b.f(-104)), b.f(89));
  const kf = b.fnearest(b.fmul(X, b.f(LOG2E)));
  const r1 = b.fsub(X, b.fmul(kf, b.f(LN2_HI)));
  const t = b.fmul(kf, b.f(LN2_LO));
  const r = b.fsub(r1, t);
  const w = b.fmul(b.fmul(r, r), b.fpoly(r, EXP_P));
  const q = b.fadd(r, w);
  const p = b.fadd(b.f(1), q);
  const k = b.f2i(kf);
  const hi = ldexp(b, p, k);
  if (!wantLo) return { hi, lo: null };
  const rc = b.fsub(b.fsub(r1, r), t); // r1 - t - r
  const qc = b.fadd(b.fsub(r, q), w); // r + w - q
  const pc = b.fadd(b.fsub(b.f(1), p), q); // 1 + q - p
  // exp(r + rc) ~ p (1 + rc)
  const lo = b.fadd(b.fadd(pc, qc), b.fmul(rc, p));
  return { hi, lo: ldexp(b, lo, k) };
}

/** 2^x: k = nearest(x), r = x - k exactly, 2^r by EXP2_Q, then scaled like exp. */
export function exp2(b: VB, x: VNode): VNode {
  const X = b.fmin(b.fmax(x, b.f(-151)), b.f(129));
  const kf = b.fnearest(X);
  const r = b.fsub(X, kf);
  const p = b.fadd(b.f(1), b.fmul(r, b.fpoly(r, EXP2_Q)));
  return ldexp(b, p, b.f2i(kf));
}

/**
 * expm1(x) = 2^k (expm1(r) + 1) - 1 = s*e + (s - 1) with s = 2^k, e = expm1(r): s*e is exact and
 * s - 1 is exact for the k where it matters, so the sum is one rounding away from the result.
 * k = 128 (x in (88.4, 88.7]) would overflow s: those lanes use k = 127 and double the result.
 * x < -30 gives -1 (clamped); x == ±0 returns x (keeps the sign of zero).
 */
export function expm1(b: VB, x: VNode): VNode {
  const X = b.fmin(b.fmax(x, b.f(-30)), b.f(89));
  const kf = b.fnearest(b.fmul(X, b.f(LOG2E)));
  const r = b.fsub(b.fsub(X, b.fmul(kf, b.f(LN2_HI))), b.fmul(kf, b.f(LN2_LO)));
  const r2 = b.fmul(r, r);
  const e = b.fadd(r, b.fmul(r2, b.fadd(b.f(0.5), b.fmul(r, b.fpoly(r, EXPM1_Q)))));
  const k = b.f2i(kf);
  const big = b.igt(k, b.i(127));
  const s = pow2i(b, b.v("i32x4.min_s", k, b.i(127)));
  const res = b.fmul(b.fadd(b.fmul(s, e), b.fsub(s, b.f(1))), b.sel(b.f(2), b.f(1), big));
  return b.sel(x, res, b.feq(x, b.f(0)));
}

/**
 * tanh: |x| < 0.55 by the odd polynomial; above, 1 - 2/(exp(2|x|) + 1) (no cancellation there,
 * since the result is >= 0.5), then the sign of x is put back (so -0 -> -0, NaN stays NaN).
 */
export function tanh(b: VB, x: VNode): VNode {
  const ax = b.fabs(x);
  const z = b.fmul(ax, ax);
  const small = b.fadd(ax, b.fmul(b.fmul(ax, z), b.fpoly(z, TANH_T)));
  const E = exp(b, b.fadd(ax, ax));
  const big = b.fsub(b.f(1), b.fdiv(b.f(2), b.fadd(E, b.f(1))));
  const t = b.sel(small, big, b.flt(ax, b.f(TANH_SMALL)));
  return b.or(t, b.and(x, b.i(SIGN)));
}

/**
 * logistic(x) = 1/(1 + e) for x >= 0 and e/(1 + e) for x < 0, with e = exp(-|x|) <= 1: never
 * overflows, and the tiny results of very negative x come out right (subnormal included).
 * Rounding 1 + e to float32 would cost up to 0.75 ulp of a result just below a power of 2, so e
 * is taken as a pair hi + lo and the quotient is formed in float64 (two halves), then rounded.
 */
export function logistic(b: VB, x: VNode): VNode {
  const { hi, lo } = expPair(b, b.fneg(b.fabs(x)), true);
  const neg = b.flt(x, b.f(0));
  const half = (h: 0 | 1) => {
    const e = b.dadd(h ? b.promoteHi(hi) : b.promoteLo(hi), h ? b.promoteHi(lo!) : b.promoteLo(lo!));
    const m = b.v("i64x2.extend_low_i32x4_s", h ? b.shuffle(neg, neg, HI_TO_LO_32) : neg);
    return b.ddiv(b.sel(e, b.d(1), m), b.dadd(b.d(1), e));
  };
  return b.demote2(half(0), half(1));
}

/** i8x16.shuffle lanes moving 32-bit lanes 2,3 to 0,1. */
const HI_TO_LO_32 = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];

/**
 * The trigonometric reduction, in float64 lanes (two halves of the f32x4): q = nearest(x 2/pi),
 * r = (x - q PIO2_1) - q PIO2_2 (first product and difference exact), then r is split into a
 * float32 pair hi + lo. Returns hi, lo (f32x4) and q (i32x4).
 */
function trigReduce(b: VB, x: VNode): { hi: VNode; lo: VNode; q: VNode } {
  const halves = [b.promoteLo(x), b.promoteHi(x)].map((xd) => {
    const q = b.dnearest(b.dmul(xd, b.d(TWO_OVER_PI)));
    const r = b.dsub(b.dsub(xd, b.dmul(q, b.d(PIO2_1))), b.dmul(q, b.d(PIO2_2)));
    const hi = b.v("f32x4.demote_f64x2_zero", r);
    const lo = b.v("f32x4.demote_f64x2_zero", b.dsub(r, b.promoteLo(hi)));
    return { hi, lo, q: b.v("i32x4.trunc_sat_f64x2_s_zero", q) };
  });
  const [A, B] = halves;
  return { hi: b.join(A.hi, B.hi), lo: b.join(A.lo, B.lo), q: b.join(A.q, B.q) };
}

/**
 * sin(hi + lo) = hi + st and cos(hi + lo) = 1 - cw for |hi| <= pi/4, lo tiny (first-order
 * correction by lo); s and c are those sums rounded to float32.
 */
function sinCosKernels(b: VB, hi: VNode, lo: VNode): { s: VNode; c: VNode } {
  const z = b.fmul(hi, hi);
  // sin(hi + lo) = hi + (lo + hi^3 S(z))
  const st = b.fadd(lo, b.fmul(b.fmul(hi, z), b.fpoly(z, SIN_S)));
  // cos(hi + lo) = 1 - (z/2 - (z^2 C(z) - hi lo))
  const cw = b.fsub(b.fmul(b.f(0.5), z), b.fsub(b.fmul(b.fmul(z, z), b.fpoly(z, COS_C)), b.fmul(hi, lo)));
  return { s: b.fadd(hi, st), c: b.fsub(b.f(1), cw) };
}

/** Lanes with |x| >= TRIG_VECTOR_LIMIT (or infinite) are recomputed by the imported JS function. */
function scalarFallback(b: VB, env: MathEnv, fn: "sin" | "cos", x: VNode, res: VNode): VNode {
  const func = env.scalar(fn);
  return b.custom("v128", [x, res], (e, [xl, rl]) => {
    const c = e.code;
    c.comment(`lanes with |x| >= 2^20 (or inf): Math.${fn}`);
    c.op("local.get", xl).op("f32x4.abs").f32x4([TRIG_VECTOR_LIMIT, TRIG_VECTOR_LIMIT, TRIG_VECTOR_LIMIT, TRIG_VECTOR_LIMIT]);
    c.op("f32x4.ge").op("v128.any_true").op("if");
    for (let lane = 0; lane < 4; lane++) {
      c.op("local.get", xl).op("f32x4.extract_lane", lane).op("f32.abs").op("f32.const", TRIG_VECTOR_LIMIT).op("f32.ge").op("if");
      c.op("local.get", rl).op("local.get", xl).op("f32x4.extract_lane", lane).op("f64.promote_f32").op("call", func);
      c.op("f32.demote_f64").op("f32x4.replace_lane", lane).op("local.set", rl).op("end");
    }
    c.op("end").op("local.get", rl);
  });
}

/** sin or cos of float32 lanes (see trigReduce; results by quadrant q mod 4). */
export function trig(b: VB, env: MathEnv, fn: "sin" | "cos", x: VNode): VNode {
  // sin(x) and cos(x) of one x share the reduction and both polynomials.
  const { s, c, q } = b.memo("trig", x, () => {
    const { hi, lo, q } = trigReduce(b, x);
    return { ...sinCosKernels(b, hi, lo), q };
  });
  const n = fn === "cos" ? b.iadd(q, b.i(1)) : q;
  // odd quadrant: swap sin and cos; quadrants 2 and 3: negate.
  const odd = b.ieq(b.and(n, b.i(1)), b.i(1));
  let res = b.xor(b.sel(c, s, odd), b.ishl(b.and(n, b.i(2)), 30));
  // sin(-0) = -0 (the reduction turns -0 into +0).
  if (fn === "sin") res = b.sel(x, res, b.feq(x, b.f(0)));
  return scalarFallback(b, env, fn, x, res);
}
