// XLA's float32 erf_inv (see lax/special.ts) in wasm SIMD, bit for bit: every float32 step is
// the same IEEE operation as in the scalar version, and its one transcendental step,
// fround(Math.log1p(y)), is reproduced exactly: log1p is computed in float64 to ~2^-44 relative,
// and the few lanes whose value lies within 2^-40 (relative) of a float32 rounding boundary,
// where that error or Math.log1p's own could round the other way, call the imported Math.log1p
// (about 1 lane in 30,000).
import { ERF_INV_GE_5, ERF_INV_LT_5 } from "../../lax/special.js";
import type { MathEnv } from "./math.js";
import type { VB, VNode } from "./vexpr.js";

/**
 * log1p(y) = k ln2 + 2 atanh(s): 2 atanh(s) = 2s (1 + z/3 + z^2/5 + ...), z = s^2 < 0.031,
 * truncated below 2^-44 relative.
 */
const ATANH_D = [1, 1 / 3, 1 / 5, 1 / 7, 1 / 9, 1 / 11, 1 / 13, 1 / 15];
/**
 * c[0] + c[1] x + ... by Estrin's scheme (pairs, then pairs of pairs): a dependency chain of 3
 * multiply-adds instead of Horner's 7 (erf_inv alone: ~85 -> ~72 ms for 10M on wasm).
 */
function estrin(b: VB, x: VNode, c: readonly number[]): VNode {
  let terms = c.map((k) => b.d(k));
  let p = x;
  while (terms.length > 1) {
    const next: VNode[] = [];
    for (let i = 0; i < terms.length; i += 2) next.push(i + 1 < terms.length ? b.dadd(terms[i], b.dmul(p, terms[i + 1])) : terms[i]);
    terms = next;
    p = b.dmul(p, p);
  }
  return terms[0];
}

/** Width of the band around the float64 result that must round to one float32 (see above). */
const BAND = 2 ** -40;
const HI_TO_LO = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];

/**
 * fround(Math.log1p(y)) for float32 lanes y in (-1, 0] (erf_inv's -x^2; other lanes are garbage
 * the caller masks). 1 + y = 2^k f with f in ~[sqrt(1/2), sqrt(2)): k comes from the rounded
 * float32 1 + y, f = (1 + y) 2^-k is exact in float64 (1 + y is exact there once k != 0, i.e.
 * y < -0.29), and s = (f - 1)/(f + 1), or y/(2 + y) when k = 0 (exact for tiny y too).
 */
function log1pExact(b: VB, env: MathEnv, y: VNode): VNode {
  const ix = b.isub(b.fadd(b.f(1), y), b.i(0x3f3504f3));
  const k = b.ishr(ix, 23);
  const scale = b.ishl(b.isub(b.i(127), k), 23); // float32 bits of 2^-k
  const halves = [0, 1].map((h) => {
    const pick = (v: VNode) => (h ? b.promoteHi(v) : b.promoteLo(v));
    const yd = pick(y);
    const kd = b.v("f64x2.convert_low_i32x4_s", h ? b.shuffle(k, k, HI_TO_LO) : k);
    const fd = b.dmul(b.dadd(b.d(1), yd), pick(scale));
    const k0 = b.v("f64x2.eq", kd, b.d(0));
    const s = b.ddiv(b.sel(yd, b.dsub(fd, b.d(1)), k0), b.sel(b.dadd(b.d(2), yd), b.dadd(fd, b.d(1)), k0));
    return b.dadd(b.dmul(kd, b.d(Math.LN2)), b.dmul(b.dadd(s, s), estrin(b, b.dmul(s, s), ATANH_D)));
  });
  const res = b.demote2(halves[0], halves[1]);
  const below = b.demote2(b.dmul(halves[0], b.d(1 - BAND)), b.dmul(halves[1], b.d(1 - BAND)));
  const above = b.demote2(b.dmul(halves[0], b.d(1 + BAND)), b.dmul(halves[1], b.d(1 + BAND)));
  // Compared as bits, so NaN lanes (masked later anyway) do not count as close calls.
  const close = b.v("i32x4.ne", below, above);
  const log1p = env.scalar("log1p");
  return b.custom("v128", [y, res, close], (e, [yl, rl, cl]) => {
    const c = e.code;
    c.comment("lanes within 2^-40 of a float32 rounding boundary: Math.log1p");
    c.op("local.get", cl).op("v128.any_true").op("if");
    for (let lane = 0; lane < 4; lane++) {
      c.op("local.get", cl).op("i32x4.extract_lane", lane).op("if");
      c.op("local.get", rl).op("local.get", yl).op("f32x4.extract_lane", lane).op("f64.promote_f32").op("call", log1p);
      c.op("f32.demote_f64").op("f32x4.replace_lane", lane).op("local.set", rl).op("end");
    }
    c.op("end").op("local.get", rl);
  });
}

/** erf_inv of float32 lanes, bit-identical to lax/special.ts's erfInv32. */
export function erfInv(b: VB, env: MathEnv, x: VNode): VNode {
  const w = b.fneg(log1pExact(b, env, b.fneg(b.fmul(x, x))));
  const lt = b.flt(w, b.f(5));
  const t = b.sel(b.fsub(w, b.f(2.5)), b.fsub(b.fsqrt(w), b.f(3)), lt);
  // One Horner evaluation with the coefficients of each lane's branch.
  const coef = (i: number) => b.sel(b.f(ERF_INV_LT_5[i]), b.f(ERF_INV_GE_5[i]), lt);
  let p = coef(0);
  for (let i = 1; i < ERF_INV_LT_5.length; i++) p = b.fadd(coef(i), b.fmul(p, t));
  const ax = b.fabs(x);
  const r = b.sel(b.fmul(x, b.f(Infinity)), b.fmul(p, x), b.feq(ax, b.f(1)));
  return b.sel(r, b.f(NaN), b.fle(ax, b.f(1))); // |x| > 1 and NaN: NaN
}
