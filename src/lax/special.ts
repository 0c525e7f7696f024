// Special functions tfjs lacks or approximates too coarsely, evaluated per element on the host.
import type { ShapedArray } from "../jaxpr/aval.js";
import { isFloat } from "../dtypes.js";

const f32 = Math.fround;

/** erf in float64 (Taylor series below 3, continued fraction for erfc above), then float32. */
export function erf32(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  let r: number;
  if (a < 3) {
    // 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1)); terms stay below e^9, so ~12 digits survive.
    let term = a;
    let sum = a;
    const x2 = a * a;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const t = term / (2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
    }
    r = (2 / Math.sqrt(Math.PI)) * sum;
  } else if (a < 6) {
    // erfc(a) = exp(-a^2)/sqrt(pi) * 1/(a + 1/2/(a + 1/(a + 3/2/(a + ...)))), by Lentz's method.
    let f = a;
    let c = a;
    let d = 0;
    for (let k = 1; k < 200; k++) {
      const an = k / 2;
      d = a + an * d;
      d = d === 0 ? 1e-300 : 1 / d;
      c = a + an / c;
      const delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  } else r = 1;
  return f32(x < 0 ? -r : r);
}

// XLA's float32 erf_inv (M. Giles, "Approximating the erfinv function", GPU Computing Gems, 2011),
// exactly as XLA's CPU backend compiles it (read off JAX 0.10.2's optimized LLVM IR and x86
// object code for jit(_normal)): w = -log1p(-x^2) with XLA's own float32 log1p (a Cephes rational
// function for |y| < sqrt(2) - 1, else Cephes' logf of 1 + y), then a degree-8 polynomial in
// w - 2.5 (w < 5) or in sqrt(w) - 3, times x. LLVM contracts each multiply feeding only an add
// into one fused multiply-add, so every such step is fma32 here. On all 2^23 inputs
// random.normal can give erf_inv, this reproduces JAX's draws bit for bit. The eager kernel and
// the fused-kernel generators (jsloop, wasm, GLSL) all use these steps and constants.

/** Coefficients, highest degree first, for w < 5 (in w - 2.5) and w >= 5 (in sqrt(w) - 3). */
export const ERF_INV_LT_5 = [2.81022636e-8, 3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941].map(f32);
export const ERF_INV_GE_5 = [-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682].map(f32);

const fromBits = (w: number): number => new Float32Array(Uint32Array.of(w).buffer)[0];
/**
 * XLA's log1p(y), |y| < LOG1P_SMALL: numerator / denominator coefficients (highest degree
 * first, Horner by fma), the quotient q giving y - y^2/2 + y^3 q.
 */
export const LOG1P_SMALL = fromBits(0x3ed413cd);
export const LOG1P_NUM = [4.527e-5, ...[0x3eff40c5, 0x40d284fa, 0x41ef4b9c, 0x4273cc76, 0x426473ad, 0x41a05101].map(fromBits)].map(f32);
export const LOG1P_DEN = [1, ...[0x417101ad, 0x42a6185b, 0x435dc32d, 0x439a8ca3, 0x43586d8a, 0x42707982].map(fromBits)];
/**
 * Cephes logf's polynomial, p0..p8, which XLA evaluates as three degree-2 pieces (p0 p1 p2,
 * p3 p4 p5, p6 p7 p8) in x, combined in powers of x^3; then ln 2 = LN2_HI + LN2_LO.
 */
export const LOG_P = [0x3d9021bb, 0xbdebd1b8, 0x3def251a, 0xbdfe5d4f, 0x3e11e9bf, 0xbe2aae50, 0x3e4cceac, 0xbe7ffffc, 0x3eaaaaaa].map(fromBits);
const [P0, P1, P2, P3, P4, P5, P6, P7, P8] = LOG_P;
export const LN2_HI = 0.693359375;
export const LN2_LO = fromBits(0xb95e8083);
export const SQRT_HALF = fromBits(0x3f3504f3);

/**
 * a*b + c rounded once to float32, for float32 a, b, c (XLA's contracted multiply-add). a*b is
 * exact in float64 (48 bits), but a float64 sum rounded again to float32 can differ from one
 * rounding: when the float64 sum s is exactly halfway between two float32s while the exact sum is
 * not (e.g. 1 + 2^-24 (1 + 2^-30), which is 1047553 2^-44 times 1025 2^-10, plus 1), ties-to-even
 * may go the wrong way. Only then (fma32Midpoint, out of line) is the sum's error consulted.
 */
export function fma32(a: number, b: number, c: number): number {
  const s = a * b + c;
  const r = f32(s);
  // The other float32 neighbour if s is a midpoint (2s - r is exact), else no float32 at all;
  // NaN where s is infinite or NaN, and r is then right.
  const o = 2 * s - r;
  return f32(o) !== o || o === r ? r : fma32Midpoint(a * b, c, s, r, o);
}

/**
 * s = p + c in float64 lies halfway between the float32s r and o (or r is s overflowed): the
 * exact sum lies beyond the midpoint, toward o, when the sum's error e (two-sum) points away from r.
 */
function fma32Midpoint(p: number, c: number, s: number, r: number, o: number): number {
  const bb = s - p;
  const e = p - (s - bb) + (c - bb);
  // s rounded to ±Infinity is wrong only if s is the midpoint 2^128 - 2^103 and the exact sum lies below it.
  if (!Number.isFinite(r)) return Math.abs(s) === 2 ** 128 - 2 ** 103 && e !== 0 && e > 0 !== s > 0 ? Math.sign(s) * f32(2 ** 128 - 2 ** 104) : r;
  return e !== 0 && e > 0 === s > r ? o : r;
}

const F32 = new Float32Array(1);
const I32 = new Int32Array(F32.buffer);

/** XLA's float32 log1p on the CPU (elemental_ir_emitter EmitLog1p, with its float32 log). */
export function log1p32(y: number): number {
  // Subnormals flushed to zero, as XLA's CPU code runs (FTZ/DAZ; see log32).
  if (Math.abs(y) < 2 ** -126) return y * 0;
  if (Math.abs(y) < LOG1P_SMALL) {
    // Where a product is exact (1 y, y^2/2: for |y| < 2^-63, where y^2/2 may not be, the sum is
    // y anyway), its multiply-add is a plain float32 step.
    let num = LOG1P_NUM[0];
    let den = f32(y + LOG1P_DEN[1]);
    for (let i = 1; i < LOG1P_NUM.length; i++) num = fma32(num, y, LOG1P_NUM[i]);
    for (let i = 2; i < LOG1P_DEN.length; i++) den = fma32(den, y, LOG1P_DEN[i]);
    const y2 = f32(y * y);
    return f32(y + f32(f32(f32(y * y2) * f32(num / den)) - f32(y2 * 0.5)));
  }
  return log32(f32(1 + y));
}

/**
 * XLA's float32 log on the CPU (Cephes logf): t = 2^E (1 + x), x in [sqrt(1/2) - 1, sqrt(2) - 1).
 * XLA's CPU code runs with subnormals flushed to zero (FTZ/DAZ), so a subnormal t is 0 here.
 */
export function log32(t: number): number {
  if (!(t >= 2 ** -126)) return t >= 0 ? -Infinity : t > -(2 ** -126) ? -Infinity : NaN;
  if (t === Infinity) return t;
  F32[0] = Math.max(t, 2 ** -126);
  const bits = I32[0];
  I32[0] = (bits & 0x807fffff) | 0x3f000000; // the mantissa in [0.5, 1)
  const m = F32[0];
  const small = m < SQRT_HALF;
  const e = f32(f32((bits >>> 23) - 126) - (small ? 1 : 0));
  const x = f32(f32(m - 1) + (small ? m : 0));
  const x2 = f32(x * x);
  const x3 = f32(x2 * x);
  // Unrolled (no arrays or closures per call: this runs per element on the cpu backend).
  const a = fma32(fma32(x, P0, P1), x, P2);
  const b = fma32(fma32(x, P3, P4), x, P5);
  const c = fma32(fma32(x, P6, P7), x, P8);
  const poly = fma32(fma32(fma32(a, x3, b), x3, c), x3, f32(e * LN2_LO));
  // x^2/2 and e ln2_hi are exact (x is a multiple of 2^-24; e has 8 bits, ln2_hi 9).
  return f32(e * LN2_HI + f32(f32(x - x2 * 0.5) + poly));
}

/** XLA's float32 exp (Cephes expf): Horner coefficients, highest degree first. */
export const EXP_P = [0x39506967, 0x3ab743ce, 0x3c088908, 0x3d2aa9c1, 0x3e2aaaaa, 0x3f000000].map(fromBits);
const [E0, E1, E2, E3, E4, E5] = EXP_P;
export const LOG2E = fromBits(0x3fb8aa3b);
export const EXP_LO = -87.8;
export const EXP_HI = 88.8;
/** 2^n for n in [-127, 127] at n + 127 (2^-127 as 0, as XLA builds it); `2 ** n` costs ~80 ns. */
const POW2 = Float64Array.from({ length: 255 }, (_, i) => (i === 0 ? 0 : 2 ** (i - 127)));

/**
 * XLA's float32 exp on the CPU (elemental_ir_emitter's exp_f32, read off JAX 0.10.2's optimized
 * LLVM IR; multiplies feeding an add contracted, as in log32): x clamped to [-87.8, 88.8],
 * n = floor(x log2 e + 1/2) clamped to [-127, 127], r = x - n ln2 (ln2 = LN2_HI + LN2_LO),
 * 1 + r + r^2 p(r), times 2^n built from n's exponent bits (2^-127 is built as 0). XLA's CPU
 * code runs with subnormals flushed to zero (FTZ), so a subnormal result is 0. NaN stays NaN.
 */
export function exp32(x: number): number {
  if (x !== x) return x;
  x = f32(x);
  const c = x < EXP_LO ? f32(EXP_LO) : x > EXP_HI ? f32(EXP_HI) : x;
  let n = Math.floor(fma32(c, LOG2E, 0.5));
  n = n < -127 ? -127 : n > 127 ? 127 : n;
  // n ln2_hi is exact (n has 8 bits, ln2_hi 9).
  const r = fma32(-LN2_LO, n, f32(c - n * LN2_HI));
  let p = fma32(r, E0, E1);
  p = fma32(p, r, E2);
  p = fma32(p, r, E3);
  p = fma32(p, r, E4);
  p = fma32(p, r, E5);
  const y = f32(1 + fma32(p, f32(r * r), r));
  const z = f32(y * POW2[n + 127]);
  return z < 2 ** -126 ? 0 : z;
}

/** erf_inv of a float32, as XLA computes it in float32 (see above). */
export function erfInv32(x: number): number {
  x = f32(x);
  if (Math.abs(x) === 1) return x * Infinity;
  if (Math.abs(x) > 1 || Number.isNaN(x)) return NaN;
  const l = log1p32(f32(-f32(x * x))); // -w
  const lt = l > -5;
  const cs = lt ? ERF_INV_LT_5 : ERF_INV_GE_5;
  const t = lt ? f32(-2.5 - l) : f32(f32(Math.sqrt(-l)) - 3);
  let p = cs[0];
  for (let i = 1; i < cs.length; i++) p = fma32(p, t, cs[i]);
  return f32(x * p);
}

/** erfc in float64: 1 - erf's series below 0.5, the continued fraction above (no cancellation). */
export function erfc64(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc64(-x);
  if (x < 0.5) return 1 - erfSeries(x);
  if (x > 27) return 0; // below the smallest float64
  // erfc(a) = exp(-a^2)/sqrt(pi) / (a + 1/2/(a + 1/(a + 3/2/(a + ...)))), by Lentz's method.
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 5000; k++) {
    const an = k / 2;
    d = x + an * d;
    d = d === 0 ? 1e-300 : 1 / d;
    c = x + an / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** erf's Taylor series in float64, for small |x|. */
function erfSeries(a: number): number {
  let term = a;
  let sum = a;
  const x2 = a * a;
  for (let n = 1; n < 200; n++) {
    term *= -x2 / n;
    const t = term / (2 * n + 1);
    sum += t;
    if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

// ---- the gamma family, as XLA computes them in float32 --------------------------------------
// XLA lowers lgamma, digamma, zeta and polygamma (chlo) to float32 formulas: Lanczos' series with
// g = 7 and 9 terms, reflection below 1/2, an Euler-Maclaurin zeta. They are evaluated here step
// by step in float32 (each log, log1p, sin, pow correctly rounded), so they give JAX's values to
// the ulp in most cases (XLA's own log/log1p differ from correctly rounded ones in ~10% of
// cases) and keep its quirks: lgamma(1) = 2^-21, lgamma(3e38) = inf.

const LANCZOS_G = 7;
const LANCZOS_BASE = f32(0.99999999999980993227684700473478);
const LANCZOS = [
  676.520368121885098567009190444019, -1259.13921672240287047156078755283, 771.3234287776530788486528258894, -176.61502916214059906584551354,
  12.507343278686904814458936853, -0.13857109526572011689554707, 9.984369578019570859563e-6, 1.50563273514931155834e-7,
].map(f32);
const G_HALF = f32(LANCZOS_G + 0.5);
const LOG_G_HALF = f32(Math.log(LANCZOS_G + 0.5));
const PI32 = f32(Math.PI);

/** z = x - 1, or -x where the reflection formula applies (x < 1/2). */
const lanczosZ = (x: number): number => (x < 0.5 ? -x : f32(x - 1));

/** log(t) for t = z + g + 1/2, as log(g + 1/2) + log1p(z / (g + 1/2)). */
const lanczosLogT = (z: number): number => f32(LOG_G_HALF + f32(Math.log1p(f32(z / G_HALF))));

/** lgamma (log |Gamma(x)|) in XLA's float32 steps. */
export function lgamma32(x: number): number {
  x = f32(x);
  if (x === Infinity || x === -Infinity) return Infinity;
  const z = lanczosZ(x);
  let a = LANCZOS_BASE;
  for (let i = 0; i < LANCZOS.length; i++) a = f32(a + f32(LANCZOS[i] / f32(z + (i + 1))));
  const t = f32(G_HALF + z);
  const logT = lanczosLogT(z);
  // (z + 1/2) log t - t, written so that it does not overflow for large t.
  const r = f32(f32(f32(z + 0.5) - f32(t / logT)) * logT);
  const lg = f32(f32(f32((Math.log(2) + Math.log(Math.PI)) / 2) + r) + f32(Math.log(a)));
  if (!(x < 0.5)) return lg;
  // Reflection: log(pi) - log|sin(pi frac(|x|))| - lgamma(1 - x), frac folded into [0, 1/2].
  const ax = Math.abs(x);
  let frac = f32(ax - Math.floor(ax));
  if (0.5 < frac) frac = f32(1 - frac);
  const denom = f32(Math.log(f32(Math.sin(f32(PI32 * frac)))));
  return Number.isFinite(denom) ? f32(f32(f32(Math.log(Math.PI)) - denom) - lg) : -denom;
}

/** digamma in XLA's float32 steps (NaN at the poles 0, -1, -2, ...). */
export function digamma32(x: number): number {
  x = f32(x);
  const z = lanczosZ(x);
  let a = LANCZOS_BASE;
  let da = 0;
  for (let i = 0; i < LANCZOS.length; i++) {
    const zi = f32(z + (i + 1));
    da = f32(da - f32(LANCZOS[i] / f32(zi * zi)));
    a = f32(a + f32(LANCZOS[i] / zi));
  }
  const t = f32(G_HALF + z);
  let d = f32(f32(lanczosLogT(z) + f32(da / a)) - f32(LANCZOS_G / t));
  if (x < 0.5) {
    // digamma(1 - x) - pi cot(pi x), with x shifted into [-1/2, 1/2] first.
    const reduced = f32(x + Math.abs(Math.floor(f32(x + 0.5))));
    const px = f32(PI32 * reduced);
    d = f32(d - f32(f32(PI32 * f32(Math.cos(px))) / f32(Math.sin(px))));
  }
  return x <= 0 && x === Math.floor(x) ? NaN : d;
}

const ZETA_COEFFS = [
  -7.1661652561756670113e18, 1.8152105401943546773e17, -4.5979787224074726105e15, 1.1646782814350067249e14, -2.950130727918164224e12, 7.47242496e10,
  -1.8924375803183791606e9, 47900160.0, -1209600.0, 30240.0, -720.0, 12.0,
];
const ZETA_INV = ZETA_COEFFS.map((c) => f32(1 / c));
const pow32 = (a: number, b: number): number => f32(Math.pow(a, b));

/** Hurwitz zeta(x, q) in XLA's float32 steps: 10 terms, then a 12-term Euler-Maclaurin tail. */
export function zeta32(x: number, q: number): number {
  x = f32(x);
  q = f32(q);
  const nx = -x;
  let a = q;
  const initial = (() => {
    let s = pow32(q, nx);
    for (let i = 0; i < 9; i++) {
      a = f32(a + 1);
      s = f32(s + pow32(a, nx));
    }
    return s;
  })();
  a = f32(a + 1);
  const negPower = pow32(a, nx);
  let s = f32(initial + f32(f32(negPower * a) / f32(x - 1)));
  const aInvSq = f32(1 / f32(a * a));
  let horner = 0;
  for (let i = 0; i < 11; i++) {
    const factor = f32(f32(x - (22 - 2 * i)) * f32(x - (21 - 2 * i)));
    horner = f32(factor * f32(aInvSq * f32(horner + ZETA_INV[i])));
  }
  s = f32(s + f32(negPower * f32(0.5 + f32(f32(x / a) * f32(ZETA_INV[11] + horner)))));
  // The tail is dropped only when it is below the smallest float32 relative to the sum.
  let out = Math.abs(negPower) < f32(Math.abs(initial) * 1.401298464324817e-45) ? initial : s;
  if (x < 1) out = NaN;
  const qLeZero = q <= 0;
  if (qLeZero && x !== Math.floor(x)) out = NaN;
  if (qLeZero && q === Math.floor(q)) out = x === Math.floor(x) && x % 2 === 0 ? Infinity : NaN;
  return x === 1 ? Infinity : out;
}

/** polygamma(n, x) = (-1)^(n+1) n! zeta(n + 1, x) for natural n (digamma at 0), else NaN; float32 steps. */
export function polygamma32(n: number, x: number): number {
  n = f32(n);
  x = f32(x);
  if (n !== Math.floor(n) || n < 0) return NaN;
  if (n === 0) return digamma32(x);
  const sign = f32(2 * (n % 2) - 1);
  const np1 = f32(n + 1);
  return f32(f32(sign * f32(Math.exp(lgamma32(np1)))) * zeta32(np1, x));
}

/**
 * Whether a float division is computed as `a * (1 / b)`, the reciprocal rounded first: XLA's
 * algebraic simplifier rewrites `a / broadcast(b)` (and `a / constant`) that way, so JAX on CPU
 * computes `x / 3` and `x / row` with the reciprocal, eagerly too (jnp's divide is a jit), and
 * 1/3 of `x / 3`'s quotients differ from a true division in the last bit. tfjax follows it
 * wherever the divisor's shape differs from the output's: in div's kernel (elementwise.ts), in
 * fused kernels (backends/fusion/plan.ts), and in compiled jaxprs, where the division becomes a
 * product before planning (jaxpr/passes/xla_divide.ts, which also sees broadcasts written out).
 */
export function divByReciprocal(b: ShapedArray, out: ShapedArray): boolean {
  return isFloat(out.dtype) && (b.shape.length !== out.shape.length || b.shape.some((d, i) => d !== out.shape[i]));
}
