// GLSL ES 3.00 helper functions for generated shaders that need more than GLSL's built-ins.
//
// tfjax_fma: a*b + c with one rounding, which XLA's CPU backend uses for _uniform's
// scale-and-shift and inside erf_inv (lax/special.ts) and WebGL 2 lacks (fma() is GLSL ES 3.20).
// a*b = p.x + p.y exactly (Dekker's product), p.x + c = s.x + s.y exactly (Knuth's two-sum), and
// the low parts' sum s.y + p.y is rounded to odd (an inexact sum with an even last bit steps one
// ulp toward the exact one): the rounding points of s.x + u are float32s with an even last bit at
// u's scale, so an odd u lies on the same side of each as the exact low sum, and the last addition
// rounds as a*b + c would. Exact when nothing underflows (GPUs flush subnormals). This needs IEEE float32 + - *, which
// GPUs give, and no algebraic rewriting, which shader compilers do: SwiftShader folds (1 + y) - 1
// to y, and the two-sum's error term to 0 once inlined. So every error-extracting step multiplies
// one operand by the uniform tfjax_one, a 1.0 the compiler cannot see; so does the split of a
// constant, which a compiler would fold at a higher precision and get wrong.
//
// tfjax_exp, tfjax_log, tfjax_log1p and tfjax_erf_inv: XLA CPU's float32 steps (lax/special.ts),
// with tfjax_fma where XLA's multiply-adds are contracted; results below 2^-126 flushed to zero
// as XLA's CPU code (and a GPU) does. GLSL's division is only promised to 2.5 ulp; SwiftShader's
// is IEEE (measured by test/browser/prng.test.ts).
import { EXP2_POLY, EXP2_TAB, HPI as HPI_D, HPI_INV, INV_PIO4_WORDS, LOG2_INVC, LOG2_LOGC, LOG2_POLY, PI63, PIO4, PIO4LO, POW_OVERFLOW, TAN_T } from "../../lax/libm32.js";
import { ERF_INV_GE_5, ERF_INV_LT_5, EXP_HI, EXP_LO, EXP_P, LN2_HI, LN2_LO, LOG1P_DEN, LOG1P_NUM, LOG1P_SMALL, LOG2E, LOG_P, SQRT_HALF } from "../../lax/special.js";

/** A float32 as a GLSL float literal that reads back as exactly that float. */
export const glslFloat = (v: number): string => {
  if (Number.isNaN(v)) return "(0.0/0.0)";
  if (v === Infinity) return "(1.0/0.0)";
  if (v === -Infinity) return "(-1.0/0.0)";
  const s = String(Math.fround(v));
  return /[.e]/.test(s) ? s : `${s}.0`;
};

/** A float64 as a GLSL vec2 of two float32s whose sum it is (to 2^-48). */
const ff = (d: number): string => {
  const hi = Math.fround(d);
  return `vec2(${glslFloat(hi)}, ${glslFloat(d - hi)})`;
};
const ffArray = (name: string, ds: readonly number[]) => `const vec2 ${name}[${ds.length}] = vec2[${ds.length}](${ds.map(ff).join(", ")});`;

/** Horner's rule by tfjax_fma, coefficients highest degree first. */
const horner = (cs: readonly number[], t: string): string => cs.slice(1).reduce((acc, c) => `tfjax_fma(${acc}, ${t}, ${glslFloat(c)})`, glslFloat(cs[0]));

/** The uniform tfjax_fma reads (always 1.0; see above). */
export const GLSL_ONE = "tfjax_one";

/** tfjax_fma and the float-float steps it is made of. */
export const GLSL_FMA = `
vec2 tfjax_two_sum(float a, float b) { float s = a + b; float bb = s * tfjax_one - a; return vec2(s, (a - (s - bb * tfjax_one)) + (b - bb)); }
vec2 tfjax_split(float a) { a *= tfjax_one; float t = a * 4097.0; float hi = t - (t * tfjax_one - a); return vec2(hi, a - hi); }
vec2 tfjax_two_prod(float a, float b) {
  float p = a * b;
  vec2 A = tfjax_split(a), B = tfjax_split(b);
  return vec2(p, (((A.x * B.x - p) + A.x * B.y) + A.y * B.x) + A.y * B.y);
}
// Float-float (hi + lo) arithmetic, ~2^-46 relative: normalise, add, multiply.
vec2 tfjax_ff_fast(float a, float b) { float s = a + b; return vec2(s, b - (s * tfjax_one - a)); }
vec2 tfjax_ff_add(vec2 a, vec2 b) { vec2 s = tfjax_two_sum(a.x, b.x); return tfjax_ff_fast(s.x, s.y + (a.y + b.y)); }
vec2 tfjax_ff_mul(vec2 a, vec2 b) { vec2 p = tfjax_two_prod(a.x, b.x); return tfjax_ff_fast(p.x, p.y + (a.x * b.y + a.y * b.x)); }
float tfjax_fma(float a, float b, float c) {
  vec2 p = tfjax_two_prod(a, b);
  vec2 s = tfjax_two_sum(p.x, c);
  vec2 u = tfjax_two_sum(s.y, p.y);
  int ub = floatBitsToInt(u.x);
  if (u.y != 0.0 && (ub & 1) == 0) ub += (u.y > 0.0) == (u.x > 0.0) ? 1 : -1;
  return s.x + intBitsToFloat(ub) * tfjax_one;
}`;

const MIN_NORMAL = glslFloat(2 ** -126);

/** XLA's float32 log, log1p and exp; needs GLSL_FMA. */
export const GLSL_XLA_MATH = `
float tfjax_log(float t) {
  if (!(t >= ${MIN_NORMAL})) return t > -${MIN_NORMAL} ? (-1.0/0.0) : (0.0/0.0);
  if (isinf(t)) return t;
  // t = 2^e (1 + x), x in [sqrt(1/2) - 1, sqrt(2) - 1) (Cephes logf).
  int bits = floatBitsToInt(t);
  float m = intBitsToFloat((bits & ${0x807fffff | 0}) | 0x3f000000);
  bool lower = m < ${glslFloat(SQRT_HALF)};
  float e = float((bits >> 23) - 126) - (lower ? 1.0 : 0.0);
  float x = (m - 1.0) + (lower ? m : 0.0);
  float x2 = x * x, x3 = x2 * x;
  float p0 = tfjax_fma(tfjax_fma(x, ${glslFloat(LOG_P[0])}, ${glslFloat(LOG_P[1])}), x, ${glslFloat(LOG_P[2])});
  float p1 = tfjax_fma(tfjax_fma(x, ${glslFloat(LOG_P[3])}, ${glslFloat(LOG_P[4])}), x, ${glslFloat(LOG_P[5])});
  float p2 = tfjax_fma(tfjax_fma(x, ${glslFloat(LOG_P[6])}, ${glslFloat(LOG_P[7])}), x, ${glslFloat(LOG_P[8])});
  float poly = tfjax_fma(tfjax_fma(tfjax_fma(p0, x3, p1), x3, p2), x3, e * ${glslFloat(LN2_LO)});
  return tfjax_fma(e, ${glslFloat(LN2_HI)}, tfjax_fma(x2, -0.5, x) + poly);
}
float tfjax_log1p(float y) {
  // A zero of y's sign (y * 0.0, which shader compilers fold to +0).
  if (abs(y) < ${MIN_NORMAL}) return uintBitsToFloat(floatBitsToUint(y) & 0x80000000u);
  if (abs(y) < ${glslFloat(LOG1P_SMALL)}) {
    float y2 = y * y;
    float q = ${horner(LOG1P_NUM, "y")} / ${horner(LOG1P_DEN, "y")};
    return y + ((y * y2) * q - y2 * 0.5);
  }
  return tfjax_log(1.0 + y);
}
float tfjax_exp(float x) {
  if (isnan(x)) return x;
  float c = clamp(x, ${glslFloat(EXP_LO)}, ${glslFloat(EXP_HI)});
  float n = clamp(floor(tfjax_fma(c, ${glslFloat(LOG2E)}, 0.5)), -127.0, 127.0);
  // n ln2_hi is exact (n has 8 bits, ln2_hi 9).
  float r = tfjax_fma(${glslFloat(-LN2_LO)}, n, c - n * ${glslFloat(LN2_HI)});
  float p = ${EXP_P.slice(1).reduce((acc, c, i) => (i === 0 ? `tfjax_fma(r, ${glslFloat(EXP_P[0])}, ${glslFloat(c)})` : `tfjax_fma(${acc}, r, ${glslFloat(c)})`), "")};
  float y = 1.0 + tfjax_fma(p, r * r, r);
  float z = y * (n == -127.0 ? 0.0 : intBitsToFloat((int(n) + 127) << 23));
  return z < ${MIN_NORMAL} ? 0.0 : z;
}`;

/** XLA's erf_inv; needs GLSL_FMA and GLSL_XLA_MATH. */
export const GLSL_ERF_INV = `
float tfjax_erf_inv(float x) {
  float ax = abs(x);
  if (isnan(x) || ax > 1.0) return (0.0/0.0);
  if (ax == 1.0) return x * (1.0/0.0);
  float l = tfjax_log1p(-(x * x));
  float p;
  if (l > -5.0) {
    float t = -2.5 - l;
    p = ${horner(ERF_INV_LT_5, "t")};
  } else {
    float t = sqrt(-l) - 3.0;
    p = ${horner(ERF_INV_GE_5, "t")};
  }
  return x * p;
}`;

/** glibc's float64 pi/2 as three float32s (their sum is exactly it), and 2/pi as two. */
const split = (d: number, parts: number): number[] => {
  const out: number[] = [];
  for (let rest = d, k = 0; k < parts; k++) {
    out.push(Math.fround(rest));
    rest -= out[k]; // exact: each part takes the leading 24 bits of the rest
  }
  return out;
};
const HPI = split(HPI_D, 3);
const TWO_OVER_PI = split(HPI_INV * 2 ** -24, 2);

/**
 * glibc's tanf (lax/libm32.ts): its float32 kernel step for step; the reduction x - n pi/2, which
 * glibc does in float64, in float-float (needs GLSL_FMA's steps), so y0 and y1 may differ from
 * glibc's in rare last bits; from |x| = 120 glibc's 4/pi to 192 bits, in 32-bit integer steps
 * (GLSL ES 3.00 has no 64-bit product: 16-bit halves), the remainder scaled in float-float.
 */
export const GLSL_TAN = `
const uint TFJAX_INV_PIO4[24] = uint[24](${INV_PIO4_WORDS.map((w) => `${w >>> 0}u`).join(", ")});
/** The 64-bit product of a and b as (high, low) 32-bit words. */
uvec2 tfjax_mul64(uint a, uint b) {
  uint a0 = a & 0xffffu, a1 = a >> 16, b0 = b & 0xffffu, b1 = b >> 16;
  uint p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0;
  uint mid = (p00 >> 16) + (p01 & 0xffffu) + (p10 & 0xffffu);
  return uvec2(a1 * b1 + (p01 >> 16) + (p10 >> 16) + (mid >> 16), (p00 & 0xffffu) | (mid << 16));
}
/** |x| mod pi/2 for |x| >= 120 (the bits of |x|): the remainder in float-float, and the quadrant. */
vec3 tfjax_reduce_large(uint xi) {
  int j = int((xi >> 26) & 15u);
  uint m = ((xi & 0xffffffu) | 0x800000u) << ((xi >> 23) & 7u);
  uvec2 r1 = tfjax_mul64(m, TFJAX_INV_PIO4[j + 4]);
  uvec2 r2 = tfjax_mul64(m, TFJAX_INV_PIO4[j + 8]);
  // res = ((m * inv[j]) << 32 | r2.high) + r1, modulo 2^64.
  uint lo = r2.x + r1.y;
  uint hi = m * TFJAX_INV_PIO4[j] + r1.x + (lo < r2.x ? 1u : 0u);
  uint n = (hi + 0x20000000u) >> 30;
  hi -= n << 30;
  // The signed 64-bit res, exactly as four float32 pieces, times 2 pi 2^-64.
  int sh = int(hi);
  vec2 v = tfjax_ff_add(tfjax_two_sum(float(sh >> 8) * ${glslFloat(2 ** 40)}, float(sh & 255) * ${glslFloat(2 ** 32)}), tfjax_two_sum(float(lo >> 8) * 256.0, float(lo & 255u)));
  return vec3(tfjax_ff_mul(v, ${ff(PI63)}), float(n));
}
float tfjax_tan_kernel(float x, float y, int iy) {
  int hx = floatBitsToInt(x);
  int ix = hx & 0x7fffffff;
  float sgn = hx < 0 ? -1.0 : 1.0;
  if (ix < 0x39000000) return iy == 1 ? x : ix == 0 ? (1.0/0.0) : -1.0 / x;
  bool big = ix >= 0x3f2ca140;
  if (big) {
    if (hx < 0) { x = -x; y = -y; }
    x = (${glslFloat(PIO4)} - x) + (${glslFloat(PIO4LO)} - y);
    y = 0.0;
    if (abs(x) < ${glslFloat(2 ** -13)}) return sgn * float(iy) * (1.0 - 2.0 * float(iy) * x);
  }
  float z = x * x;
  float w = z * z;
  float r = ${[9, 7, 5, 3, 1].reduce((acc, i) => `${glslFloat(TAN_T[i])} + w * (${acc})`, glslFloat(TAN_T[11]))};
  float v = z * (${[10, 8, 6, 4, 2].reduce((acc, i) => `${glslFloat(TAN_T[i])} + w * (${acc})`, glslFloat(TAN_T[12]))});
  float s = z * x;
  r = y + z * (s * (r + v) + y);
  r += ${glslFloat(TAN_T[0])} * s;
  w = x + r;
  if (big) {
    float fy = float(iy);
    return sgn * (fy - 2.0 * (x - (w * w / (w + fy) - r)));
  }
  if (iy == 1) return w;
  // -1/(x + r), accurately: w and -1/w split at 12 bits.
  float zh = intBitsToFloat(floatBitsToInt(w) & ${0xfffff000 | 0});
  float vv = r - (zh - x);
  float a = -1.0 / w;
  float th = intBitsToFloat(floatBitsToInt(a) & ${0xfffff000 | 0});
  float ss = 1.0 + th * zh;
  return th + a * (ss + th * vv);
}
float tfjax_tan(float x) {
  int ix = floatBitsToInt(x) & 0x7fffffff;
  if (ix <= 0x3f490fda) return tfjax_tan_kernel(x, 0.0, 1);
  if (ix >= 0x7f800000) return (0.0/0.0);
  if (ix >= 0x42f00000) {
    vec3 r = tfjax_reduce_large(uint(ix));
    vec2 d = x < 0.0 ? -r.xy : r.xy;
    return tfjax_tan_kernel(d.x, d.y, (int(r.z) & 1) == 1 ? -1 : 1);
  }
  // n = nearest(x 2/pi), from x 2/pi in float-float (q.x - n is exact).
  vec2 q = tfjax_two_prod(x, ${glslFloat(TWO_OVER_PI[0])});
  q.y += x * ${glslFloat(TWO_OVER_PI[1])};
  float n = floor(q.x + 0.5);
  float f = (q.x - n) * tfjax_one + q.y;
  if (f >= 0.5) n += 1.0; else if (f < -0.5) n -= 1.0;
  // x - n pi/2 in float-float: x - n P1 is exact (Sterbenz), n P2 by Dekker's product.
  vec2 p = tfjax_two_prod(n, ${glslFloat(HPI[0])});
  vec2 s = tfjax_two_sum((x - p.x) * tfjax_one, -p.y);
  vec2 u = tfjax_two_prod(n, ${glslFloat(HPI[1])});
  vec2 s2 = tfjax_two_sum(s.x, -u.x);
  vec2 d = tfjax_two_sum(s2.x, ((s.y + s2.y) - u.y) - n * ${glslFloat(HPI[2])});
  return tfjax_tan_kernel(d.x, d.y, (int(n) & 1) == 1 ? -1 : 1);
}`;

/**
 * glibc's powf (lax/libm32.ts) with its float64 steps in float-float (vec2 hi + lo, ~2^-46
 * relative): its tables and polynomials, its special cases, and XLA's flush-to-zero. Its float64
 * roundings are not reproduced, so a result near a float32 midpoint may round the other way (1 ulp).
 * Needs GLSL_FMA's steps.
 */
export const GLSL_POW = `
${ffArray("TFJAX_POW_INVC", LOG2_INVC)}
${ffArray("TFJAX_POW_LOGC", LOG2_LOGC)}
${ffArray("TFJAX_POW_A", LOG2_POLY)}
${ffArray("TFJAX_EXP2_T", EXP2_TAB)}
${ffArray("TFJAX_EXP2_C", EXP2_POLY)}
bool tfjax_zeroinfnan(uint i) { return 2u * i - 1u >= ${(2 * 0x7f800000 - 1) >>> 0}u; }
/** 0: not an integer, 1: odd, 2: even (i: a finite non-zero float's bits). */
int tfjax_checkint(uint i) {
  int e = int((i >> 23) & 255u);
  if (e < 127) return 0;
  if (e > 150) return 2;
  uint bit = 1u << uint(150 - e);
  if ((i & (bit - 1u)) != 0u) return 0;
  return (i & bit) != 0u ? 1 : 2;
}
/** 2^e for integer e in [-126, 127]. */
float tfjax_pow2i(int e) { return intBitsToFloat((e + 127) << 23); }
float tfjax_powf(float x, float y) {
  uint ix = floatBitsToUint(x), iy = floatBitsToUint(y);
  bool neg = false;
  if (ix - 0x00800000u >= ${(0x7f800000 - 0x00800000) >>> 0}u || tfjax_zeroinfnan(iy)) {
    if (tfjax_zeroinfnan(iy)) {
      if (2u * iy == 0u || ix == 0x3f800000u) return 1.0;
      if (2u * ix > ${(2 * 0x7f800000) >>> 0}u || 2u * iy > ${(2 * 0x7f800000) >>> 0}u) return x + y;
      if (2u * ix == ${(2 * 0x3f800000) >>> 0}u) return 1.0;
      if ((2u * ix < ${(2 * 0x3f800000) >>> 0}u) == ((iy & 0x80000000u) == 0u)) return 0.0;
      return y * y;
    }
    if (tfjax_zeroinfnan(ix)) {
      float x2 = x * x;
      if ((ix & 0x80000000u) != 0u && tfjax_checkint(iy) == 1) x2 = -x2;
      return (iy & 0x80000000u) != 0u ? 1.0 / x2 : x2;
    }
    if ((ix & 0x80000000u) != 0u) {
      int yint = tfjax_checkint(iy);
      if (yint == 0) return (0.0/0.0);
      neg = yint == 1;
      ix &= 0x7fffffffu;
    }
    // A subnormal base counts as zero (DAZ), renormalised as glibc does: bits 0 - (23 << 23).
    if (ix < 0x00800000u) ix = 0u - (23u << 23);
  }
  // log2(x) = log1p(z/c - 1)/ln2 + log2(c) + k, c from a 16-entry table.
  uint tmp = ix - 0x3f330000u;
  int i = int((tmp >> 19) & 15u);
  uint top = tmp & 0xff800000u;
  float z = uintBitsToFloat(ix - top);
  float k = float(int(top) >> 23);
  vec2 r = tfjax_ff_add(tfjax_ff_mul(vec2(z, 0.0), TFJAX_POW_INVC[i]), vec2(-1.0, 0.0));
  vec2 y0 = tfjax_ff_add(TFJAX_POW_LOGC[i], vec2(k, 0.0));
  vec2 r2 = tfjax_ff_mul(r, r);
  vec2 yy = tfjax_ff_add(tfjax_ff_mul(TFJAX_POW_A[0], r), TFJAX_POW_A[1]);
  vec2 p = tfjax_ff_add(tfjax_ff_mul(TFJAX_POW_A[2], r), TFJAX_POW_A[3]);
  vec2 r4 = tfjax_ff_mul(r2, r2);
  vec2 q = tfjax_ff_add(tfjax_ff_mul(TFJAX_POW_A[4], r), y0);
  q = tfjax_ff_add(tfjax_ff_mul(p, r2), q);
  vec2 l = tfjax_ff_add(tfjax_ff_mul(yy, r4), q);
  // Far beyond the overflow and underflow thresholds (where Dekker's split would overflow): 0 or inf.
  float approx = y * l.x;
  if (!(abs(approx) < 256.0)) return approx > 0.0 ? (neg ? (-1.0/0.0) : (1.0/0.0)) : (neg ? -0.0 : 0.0);
  vec2 t = tfjax_ff_mul(vec2(y, 0.0), l);
  if (abs(t.x) >= 126.0) {
    if (t.x > ${glslFloat(Math.fround(POW_OVERFLOW))} || (t.x == ${glslFloat(Math.fround(POW_OVERFLOW))} && t.y > ${glslFloat(POW_OVERFLOW - Math.fround(POW_OVERFLOW))})) return neg ? (-1.0/0.0) : (1.0/0.0);
    if (t.x < -149.0) return neg ? -0.0 : 0.0;
  }
  // 2^t = 2^(n/32) 2^rr, n = nearest(32 t), |rr| <= 1/64.
  float n = roundEven(t.x * 32.0);
  float f = (t.x * 32.0 - n) * tfjax_one + t.y * 32.0;
  if (f > 0.5) n += 1.0; else if (f < -0.5) n -= 1.0;
  vec2 rr = tfjax_two_sum((t.x - n / 32.0) * tfjax_one, t.y);
  vec2 zz = tfjax_ff_add(tfjax_ff_mul(TFJAX_EXP2_C[0], rr), TFJAX_EXP2_C[1]);
  vec2 yv = tfjax_ff_add(tfjax_ff_mul(TFJAX_EXP2_C[2], rr), vec2(1.0, 0.0));
  yv = tfjax_ff_add(tfjax_ff_mul(zz, tfjax_ff_mul(rr, rr)), yv);
  int ni = int(n);
  vec2 m = tfjax_ff_mul(yv, TFJAX_EXP2_T[ni & 31]);
  int e = ni >> 5;
  int e1 = e / 2;
  float res = m.x * tfjax_pow2i(e1) * tfjax_pow2i(e - e1);
  if (abs(res) < ${MIN_NORMAL}) res = 0.0;
  return neg ? -res : res;
}`;
