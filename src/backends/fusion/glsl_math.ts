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
import { ERF_INV_GE_5, ERF_INV_LT_5, EXP_HI, EXP_LO, EXP_P, LN2_HI, LN2_LO, LOG1P_DEN, LOG1P_NUM, LOG1P_SMALL, LOG2E, LOG_P, SQRT_HALF } from "../../lax/special.js";

/** A float32 as a GLSL float literal that reads back as exactly that float. */
export const glslFloat = (v: number): string => {
  if (Number.isNaN(v)) return "(0.0/0.0)";
  if (v === Infinity) return "(1.0/0.0)";
  if (v === -Infinity) return "(-1.0/0.0)";
  const s = String(Math.fround(v));
  return /[.e]/.test(s) ? s : `${s}.0`;
};

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
  if (abs(y) < ${MIN_NORMAL}) return y * 0.0;
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
