// GLSL ES 3.00 helper functions for generated shaders that need more than GLSL's built-ins.
//
// erf_inv: XLA's float32 steps (lax/special.ts), with a log1p of our own: GLSL's log only
// promises an absolute error of 2^-21 on [0.5, 2], and even a careful float32 log1p (1 ulp) would
// put random.normal 3 ulps off JAX now and then, since erf_inv's polynomial magnifies an ulp of w.
// So log1p is evaluated in float-float (pairs hi + lo, exact products by Dekker's splitting, exact
// sums by Knuth's two-sum) to ~2^-37 relative, and rounded once: on all 2^23 inputs random.normal
// gives erf_inv, only 14 logs are an ulp off the correctly rounded one and no normal draw is more
// than 1 ulp off JAX's (measured with a float32 emulation of this code, and on SwiftShader by
// test/browser/prng.test.ts). This needs IEEE float32 + - * /, which GPUs give, and no algebraic
// rewriting, which shader compilers do: SwiftShader folds (1 + y) - 1 to y, and the two-sum's
// error term to 0 once inlined. So every error-extracting step multiplies one operand by the
// uniform tfjax_one, a 1.0 the compiler cannot see: nothing cancels symbolically any more.
//
// log1p(y), y in (-1, 0] (all erf_inv needs): 1 + y = 2^k F, F = 1 + f in [sqrt(1/2), sqrt(2)),
// f = fh + fl exactly; log F = 2 atanh(s) = 2s + 2s z (1/3 + z/5 + z^2/7 + ...), s = f/(2 + f),
// z = s^2 <= 0.0295; ln 2 = C1 + C2 + C3 with k C1 and k C2 exact.
import { ERF_INV_GE_5, ERF_INV_LT_5 } from "../../lax/special.js";

/** A float32 as a GLSL float literal that reads back as exactly that float. */
export const glslFloat = (v: number): string => {
  if (Number.isNaN(v)) return "(0.0/0.0)";
  if (v === Infinity) return "(1.0/0.0)";
  if (v === -Infinity) return "(-1.0/0.0)";
  const s = String(Math.fround(v));
  return /[.e]/.test(s) ? s : `${s}.0`;
};

const horner = (cs: readonly number[], t: string): string => cs.slice(1).reduce((acc, c) => `${glslFloat(c)} + ${acc} * ${t}`.replace(/^(.*)$/, "($1)"), glslFloat(cs[0]));

const f32 = Math.fround;
/** ln 2 in three parts: C1 has 9 significant bits and C2 18, so k C1 and k C2 are exact for |k| <= 32. */
const LN2_C1 = 0.693359375;
const LN2_C2 = f32(Math.trunc((Math.LN2 - LN2_C1) * 2 ** 30) / 2 ** 30);
const LN2_C3 = f32(Math.LN2 - LN2_C1 - LN2_C2);
const THIRD = [f32(1 / 3), f32(1 / 3 - f32(1 / 3))];
const FIFTH = [f32(1 / 5), f32(1 / 5 - f32(1 / 5))];
/** 1/7, 1/9, ..., 1/17: the tail beyond z^2/5, in plain float32. */
const ATANH_TAIL = [1 / 17, 1 / 15, 1 / 13, 1 / 11, 1 / 9, 1 / 7];

/**
 * Dekker's split of a constant into 12-bit halves, done here: a compiler folding the split of a
 * literal may keep more precision than float32 and get the halves wrong.
 */
function splitLiteral(b: number): string {
  const t = f32(4097 * b);
  const hi = f32(t - f32(t - b));
  return `vec2(${glslFloat(hi)}, ${glslFloat(f32(b - hi))})`;
}

/** The uniform the erf_inv code reads (always 1.0; see above). */
export const GLSL_ONE = "tfjax_one";

export const GLSL_ERF_INV = `
vec2 tfjax_two_sum(float a, float b) { float s = a + b; float bb = s * tfjax_one - a; return vec2(s, (a - (s - bb * tfjax_one)) + (b - bb)); }
vec2 tfjax_split(float a) { float t = a * 4097.0; float hi = t - (t * tfjax_one - a); return vec2(hi, a - hi); }
vec2 tfjax_two_prod_split(float a, float b, vec2 B) {
  float p = a * b;
  vec2 A = tfjax_split(a);
  return vec2(p, (((A.x * B.x - p) + A.x * B.y) + A.y * B.x) + A.y * B.y);
}
vec2 tfjax_two_prod(float a, float b) { return tfjax_two_prod_split(a, b, tfjax_split(b)); }
float tfjax_log1p(float y) {
  float u = 1.0 + y;
  int ix = floatBitsToInt(u) - 0x3f3504f3;
  int k = ix >> 23;
  float fh = y, fl = 0.0;
  if (k != 0) {
    // F = m + (1 + y - u) 2^-k, both parts exact.
    float m = intBitsToFloat((ix & 0x007fffff) + 0x3f3504f3);
    fh = m - 1.0;
    fl = (y - (u * tfjax_one - 1.0)) * intBitsToFloat((127 - k) << 23);
  }
  // s = sh + sl: the residual f - sh (2 + f) is exact up to its last two terms.
  float d = 2.0 + fh;
  float sh = fh / d;
  vec2 p = tfjax_two_prod(sh, fh);
  float sl = ((((fh - 2.0 * sh) - p.x) - p.y) + fl * (1.0 - sh)) / d;
  vec2 z = tfjax_two_prod(sh, sh);
  float zh = z.x, zl = z.y + (2.0 * sh) * sl;
  // zQ = z/3 + z^2/5 (float-float) + z^3 (1/7 + z/9 + ...) (float32).
  vec2 q = tfjax_two_prod_split(zh, ${glslFloat(THIRD[0])}, ${splitLiteral(THIRD[0])});
  vec2 v = tfjax_two_prod_split(zh, ${glslFloat(FIFTH[0])}, ${splitLiteral(FIFTH[0])});
  float vl = v.y + zh * ${glslFloat(FIFTH[1])};
  vec2 w = tfjax_two_prod(zh, v.x);
  vec2 q2 = tfjax_two_sum(q.x, w.x);
  float R = ${horner(ATANH_TAIL.map(f32), "zh")};
  float ql = ((((((((zh * zh) * zh) * R + zh * vl) + (0.4 * zh) * zl) + w.y) + zh * ${glslFloat(THIRD[1])}) + zl * ${glslFloat(THIRD[0])}) + q.y) + q2.y;
  // log F = 2s + 2s zQ; then k ln2 + log F, summed from the largest terms down.
  float sh2 = 2.0 * sh;
  vec2 t = tfjax_two_prod(sh2, q2.x);
  float tl = (t.y + sh2 * ql) + (2.0 * sl) * q2.x;
  float kf = float(k);
  vec2 h1 = tfjax_two_sum(kf * ${glslFloat(LN2_C1)}, sh2);
  vec2 h2 = tfjax_two_sum(h1.x, t.x);
  vec2 h3 = tfjax_two_sum(h2.x, kf * ${glslFloat(LN2_C2)});
  float lo = ((((tl + 2.0 * sl) + kf * ${glslFloat(LN2_C3)}) + h3.y) + h2.y) + h1.y;
  return h3.x + lo * tfjax_one;
}
float tfjax_erf_inv(float x) {
  float ax = abs(x);
  if (isnan(x) || ax > 1.0) return (0.0/0.0);
  if (ax == 1.0) return x * (1.0/0.0);
  float w = -tfjax_log1p(-(x * x));
  float p;
  if (w < 5.0) {
    float t = w - 2.5;
    p = ${horner(ERF_INV_LT_5, "t")};
  } else {
    float t = sqrt(w) - 3.0;
    p = ${horner(ERF_INV_GE_5, "t")};
  }
  return p * x;
}`;
