// GLSL ES 3.00 helper functions for generated shaders that need more than GLSL's built-ins.
//
// erf_inv: XLA's float32 steps (fusion/erfinv.ts) with our own log1p, because GLSL's log only
// promises an absolute error of 2^-21 on [0.5, 2], which near 1 is no relative accuracy at all.
// log1p is the wasm kernel's (wasm/math.ts logKernel: ~1 ulp where + - * / round correctly, as
// on SwiftShader): u = fl(1 + y) = 2^k m, log(m) = f - f^2/2 + s (f^2/2 + R(s^2)), s = f/(2 + f),
// plus the rounding error of u, (1 + y - u)/u. Domain: y in (-1, 0], all erf_inv needs.
import { ERF_INV_GE_5, ERF_INV_LT_5 } from "./erfinv.js";
import { LN2_HI, LN2_LO, LOG_R } from "../wasm/math.js";

/** A float32 as a GLSL float literal that reads back as exactly that float. */
export const glslFloat = (v: number): string => {
  if (Number.isNaN(v)) return "(0.0/0.0)";
  if (v === Infinity) return "(1.0/0.0)";
  if (v === -Infinity) return "(-1.0/0.0)";
  const s = String(Math.fround(v));
  return /[.e]/.test(s) ? s : `${s}.0`;
};

const horner = (cs: readonly number[], t: string): string => cs.slice(1).reduce((acc, c) => `${glslFloat(c)} + ${acc} * ${t}`.replace(/^(.*)$/, "($1)"), glslFloat(cs[0]));

export const GLSL_ERF_INV = `
float tfjax_log1p(float y) {
  float u = 1.0 + y;
  int ix = floatBitsToInt(u) - 0x3f3504f3;
  int k = ix >> 23;
  float f = y, c = 0.0;
  if (k != 0) {
    f = intBitsToFloat((ix & 0x007fffff) + 0x3f3504f3) - 1.0;
    c = (y - (u - 1.0)) / u;
  }
  float s = f / (2.0 + f);
  float z = s * s;
  float R = z * ${horner([...LOG_R].reverse(), "z")};
  float hfsq = 0.5 * f * f;
  float kf = float(k);
  return kf * ${glslFloat(LN2_HI)} - ((hfsq - (s * (hfsq + R) + (kf * ${glslFloat(LN2_LO)} + c))) - f);
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
