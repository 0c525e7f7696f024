// XLA CPU's own float32 exp, log and log1p as SIMD vector expressions, bit-identical to
// lax/special.ts's exp32, log32 and log1p32 (which match JAX 0.10.2 on 50M inputs each): the
// same float32 steps, every contracted multiply-add an ffma (one relaxed_madd where fused, else
// float64 with an exact fallback). XLA's CPU code runs with subnormals flushed to zero: subnormal
// inputs count as zeros, subnormal results are 0. For tan and pow XLA calls the C library's tanf
// and powf: those run lane by lane as imported JS (lax/libm32.ts's ports of glibc's).
import { EXP_HI, EXP_LO, EXP_P, LN2_HI, LN2_LO, LOG1P_DEN, LOG1P_NUM, LOG1P_SMALL, LOG2E, LOG_P, SQRT_HALF } from "../../lax/special.js";
import type { MathEnv } from "./math.js";
import type { VB, VNode } from "./vexpr.js";

const MIN_NORMAL = 2 ** -126;

/** exp32 lane-wise. */
export function xlaExp(b: VB, x: VNode): VNode {
  // min/max propagate NaN, as XLA's unordered selects do.
  const c = b.fmin(b.fmax(x, b.f(EXP_LO)), b.f(EXP_HI));
  const n = b.fmin(b.fmax(b.ffloor(b.ffma(c, b.f(LOG2E), b.f(0.5))), b.f(-127)), b.f(127));
  // n ln2_hi is exact (n has 8 bits, ln2_hi 9).
  const r = b.ffma(n, b.f(-LN2_LO), b.fsub(c, b.fmul(n, b.f(LN2_HI))));
  let p = b.ffma(r, b.f(EXP_P[0]), b.f(EXP_P[1]));
  for (let i = 2; i < EXP_P.length; i++) p = b.ffma(p, r, b.f(EXP_P[i]));
  const y = b.fadd(b.f(1), b.ffma(p, b.fmul(r, r), r));
  // 2^n from its exponent bits: n = -127 gives 0 (so does NaN's saturated n = 0 times NaN: NaN).
  const z = b.fmul(y, b.ishl(b.iadd(b.f2i(n), b.i(127)), 23));
  return b.sel(b.f(0), z, b.flt(z, b.f(MIN_NORMAL)));
}

/** log32 of lanes t > 0 (normal or larger, finite): the Cephes logf steps. */
function logPositive(b: VB, t: VNode): VNode {
  const bits = b.fmax(t, b.f(MIN_NORMAL));
  const m = b.or(b.and(bits, b.i(0x807fffff)), b.i(0x3f000000));
  const small = b.flt(m, b.f(SQRT_HALF));
  const e = b.fsub(b.fadd(b.i2f(b.isub(b.ishru(bits, 23), b.i(127))), b.f(1)), b.and(small, b.f(1)));
  const x = b.fadd(b.fsub(m, b.f(1)), b.and(small, m));
  const x2 = b.fmul(x, x);
  const x3 = b.fmul(x2, x);
  const P = LOG_P;
  const pa = b.ffma(b.ffma(x, b.f(P[0]), b.f(P[1])), x, b.f(P[2]));
  const pb = b.ffma(b.ffma(x, b.f(P[3]), b.f(P[4])), x, b.f(P[5]));
  const pc = b.ffma(b.ffma(x, b.f(P[6]), b.f(P[7])), x, b.f(P[8]));
  const poly = b.ffma(b.ffma(b.ffma(pa, x3, pb), x3, pc), x3, b.fmul(e, b.f(LN2_LO)));
  // x^2/2 and e ln2_hi are exact.
  return b.fadd(b.fmul(e, b.f(LN2_HI)), b.fadd(b.fsub(x, b.fmul(x2, b.f(0.5))), poly));
}

/** log32 lane-wise: |t| < 2^-126 -> -inf, t < 0 -> NaN, inf and NaN -> themselves. */
export function xlaLog(b: VB, t: VNode): VNode {
  let r = logPositive(b, t);
  r = b.sel(b.f(-Infinity), r, b.flt(b.fabs(t), b.f(MIN_NORMAL)));
  r = b.sel(b.f(NaN), r, b.fle(t, b.f(-MIN_NORMAL)));
  return b.sel(t, r, b.not(b.flt(t, b.f(Infinity))));
}

/** log1p32 lane-wise. */
export function xlaLog1p(b: VB, y: VNode): VNode {
  let num = b.f(LOG1P_NUM[0]);
  let den = b.fadd(y, b.f(LOG1P_DEN[1]));
  for (let i = 1; i < LOG1P_NUM.length; i++) num = b.ffma(num, y, b.f(LOG1P_NUM[i]));
  for (let i = 2; i < LOG1P_DEN.length; i++) den = b.ffma(den, y, b.f(LOG1P_DEN[i]));
  const y2 = b.fmul(y, y);
  const near = b.fadd(y, b.fsub(b.fmul(b.fmul(y, y2), b.fdiv(num, den)), b.fmul(y2, b.f(0.5))));
  const far = xlaLog(b, b.fadd(b.f(1), y));
  const ay = b.fabs(y);
  const r = b.sel(near, far, b.flt(ay, b.f(LOG1P_SMALL)));
  // Subnormal y (flushed to a signed zero): y * 0.
  return b.sel(b.fmul(y, b.f(0)), r, b.flt(ay, b.f(MIN_NORMAL)));
}

/**
 * f(x[, y]) of each float32 lane by the imported host function `name` (float64 in and out, the
 * value a float32): the four calls build the result vector on the stack, lane by lane.
 */
export function hostLanes(b: VB, env: MathEnv, name: "tanf" | "powf", args: VNode[]): VNode {
  const func = env.scalar(name);
  return b.custom("v128", args, (e, locals) => {
    const c = e.code;
    c.comment(`${name} lane by lane (lax/libm32.ts)`);
    c.op("local.get", locals[0]);
    for (let lane = 0; lane < 4; lane++) {
      for (const l of locals) c.op("local.get", l).op("f32x4.extract_lane", lane).op("f64.promote_f32");
      c.op("call", func).op("f32.demote_f64").op("f32x4.replace_lane", lane);
    }
  });
}
