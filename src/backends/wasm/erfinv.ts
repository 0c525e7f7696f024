// XLA's float32 erf_inv (see lax/special.ts) in wasm SIMD, bit for bit: the same float32
// operations in the same order, XLA's own log1p included, and each multiply-add that XLA's CPU
// backend contracts is one rounding (VB.ffma). Both of log1p's branches run on every lane.
import { ERF_INV_GE_5, ERF_INV_LT_5, LN2_HI, LN2_LO, LOG1P_DEN, LOG1P_NUM, LOG1P_SMALL, LOG_P, SQRT_HALF } from "../../lax/special.js";
import type { VB, VNode } from "./vexpr.js";

/** Horner by fused multiply-adds, coefficients highest degree first. */
const horner = (b: VB, c: readonly number[], x: VNode): VNode => c.slice(1).reduce((p, k) => b.ffma(p, x, b.f(k)), b.f(c[0]));

/** XLA's log1p of float32 lanes y in (-1, 0] (erf_inv's -x^2; the caller masks other lanes). */
function log1p(b: VB, y: VNode): VNode {
  const y2 = b.fmul(y, y);
  const small = b.fadd(y, b.ffma(y2, b.f(-0.5), b.fmul(b.fmul(y, y2), b.fdiv(horner(b, LOG1P_NUM, y), horner(b, LOG1P_DEN, y)))));
  // log(t), t = 1 + y = 2^e (1 + x), x in [sqrt(1/2) - 1, sqrt(2) - 1) (Cephes logf).
  const t = b.fmax(b.fadd(b.f(1), y), b.i(0x00800000));
  const m = b.or(b.and(t, b.i(0x807fffff)), b.i(0x3f000000));
  const lower = b.flt(m, b.f(SQRT_HALF));
  const e = b.fsub(b.i2f(b.isub(b.ishru(t, 23), b.i(126))), b.and(lower, b.f(1)));
  const x = b.fadd(b.fsub(m, b.f(1)), b.and(lower, m));
  const x2 = b.fmul(x, x);
  const x3 = b.fmul(x2, x);
  const [p0, p1, p2] = [0, 3, 6].map((i) => b.ffma(b.ffma(x, b.f(LOG_P[i]), b.f(LOG_P[i + 1])), x, b.f(LOG_P[i + 2])));
  const poly = b.ffma(b.ffma(b.ffma(p0, x3, p1), x3, p2), x3, b.fmul(e, b.f(LN2_LO)));
  const large = b.ffma(e, b.f(LN2_HI), b.fadd(b.ffma(x2, b.f(-0.5), x), poly));
  return b.sel(small, large, b.flt(b.fabs(y), b.f(LOG1P_SMALL)));
}

/** erf_inv of float32 lanes, bit-identical to lax/special.ts's erfInv32. */
export function erfInv(b: VB, x: VNode): VNode {
  const l = log1p(b, b.fneg(b.fmul(x, x))); // -w
  const lt = b.fgt(l, b.f(-5));
  const t = b.sel(b.fsub(b.f(-2.5), l), b.fsub(b.fsqrt(b.fneg(l)), b.f(3)), lt);
  // One Horner evaluation with the coefficients of each lane's branch.
  const coef = (i: number) => b.sel(b.f(ERF_INV_LT_5[i]), b.f(ERF_INV_GE_5[i]), lt);
  let p = coef(0);
  for (let i = 1; i < ERF_INV_LT_5.length; i++) p = b.ffma(p, t, coef(i));
  const ax = b.fabs(x);
  const r = b.sel(b.fmul(x, b.f(Infinity)), b.fmul(x, p), b.feq(ax, b.f(1)));
  return b.sel(r, b.f(NaN), b.fle(ax, b.f(1))); // |x| > 1 and NaN: NaN
}
