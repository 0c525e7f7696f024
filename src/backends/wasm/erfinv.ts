// XLA's float32 erf_inv (see lax/special.ts) in wasm SIMD, bit for bit: the same float32
// operations in the same order, XLA's own log1p included, and each multiply-add that XLA's CPU
// backend contracts rounded once. Both of log1p's branches run on every lane.
//
// Where the engine's f32x4.relaxed_madd is a fused multiply-add (vexpr.ts fusedMadd), each
// multiply-add is that one instruction. Elsewhere the multiply-add chains (Horner steps) run on
// float64 pairs of lanes: a*b + c of float32 values is exact in float64 but for the sum's
// rounding, and rounding that sum to float32 is the single rounding unless it lies exactly
// halfway between two float32s. Such lanes are rare (~2^-28 per step on these polynomials, whose
// sums stay far above float32's subnormals); when a vector has one, its four lanes are recomputed
// by the host kernel erfInv32, imported. (The float64 path costs ~3.5x the fused one.)
import { ERF_INV_GE_5, ERF_INV_LT_5, LN2_HI, LN2_LO, LOG1P_DEN, LOG1P_NUM, LOG1P_SMALL, LOG_P, SQRT_HALF } from "../../lax/special.js";
import type { MathEnv } from "./math.js";
import { type VB, type VNode, fusedMadd } from "./vexpr.js";

/** Lanes 0,1 and 2,3 of float32 values, as float64x2 (float32-representable). */
type Pair = [VNode, VNode];

/** The multiply-adds' lanes: a Pair, or (fused) the f32x4 itself. */
type Lanes = Pair | VNode;

/** Multiply-adds on f32x4 lanes by the CPU's fused multiply-add. */
class FusedFma {
  constructor(private b: VB) {}
  pair = (x: VNode): Lanes => x;
  join = (p: Lanes): VNode => p as VNode;
  fma(a: Lanes, x: Lanes, c: Lanes | number): Lanes {
    return this.b.v("f32x4.relaxed_madd", a as VNode, x as VNode, typeof c === "number" ? this.b.f(c) : (c as VNode));
  }
  horner(c: readonly number[], x: Lanes): Lanes {
    const first = c[0] === 1 ? this.b.fadd(x as VNode, this.b.f(c[1])) : this.fma(this.b.f(c[0]), x, c[1]);
    return c.slice(2).reduce((p: Lanes, k) => this.fma(p, x, k), first);
  }
  /** erf_inv's coefficient i of each lane's branch (lt: w < 5). */
  coef = (lt: VNode, i: number): Lanes => this.b.sel(this.b.f(ERF_INV_LT_5[i]), this.b.f(ERF_INV_GE_5[i]), lt);
  anyDoubt = (): VNode | null => null;
}

class Fma {
  /** Masks (per float64 lane) of sums that were float32 midpoints. */
  private doubts: VNode[] = [];
  private lt64: [VNode, VNode] | null = null;
  constructor(private b: VB) {}
  pair(x: VNode): Pair {
    return [this.b.promoteLo(x), this.b.promoteHi(x)];
  }
  join(p: Lanes): VNode {
    return this.b.demote2((p as Pair)[0], (p as Pair)[1]);
  }
  /** a*b + c rounded once to float32 (c a constant or a pair). */
  fma(ap: Lanes, xp: Lanes, c: Lanes | number): Pair {
    const [b, a, x] = [this.b, ap as Pair, xp as Pair];
    return [0, 1].map((h) => {
      const s = b.dadd(b.dmul(a[h], x[h]), typeof c === "number" ? b.d(c) : (c as Pair)[h]);
      this.doubts.push(b.v("i64x2.eq", b.and(s, b.i64(0x1fffffffn)), b.i64(0x10000000n)));
      return b.v("f64x2.promote_low_f32x4", b.v("f32x4.demote_f64x2_zero", s));
    }) as Pair;
  }
  horner(c: readonly number[], x: Lanes): Pair {
    const b = this.b;
    // A leading 1 makes the first step x + c[1], a plain float32 add (its sum is often a midpoint).
    const first: Pair = c[0] === 1 ? this.pair(b.fadd(this.join(x), b.f(c[1]))) : this.fma([b.d(c[0]), b.d(c[0])], x, c[1]);
    return c.slice(2).reduce((p, k) => this.fma(p, x, k), first);
  }
  /** Coefficient i of each lane's branch (lt: w < 5), selected on float64 lanes (lt widened once). */
  coef(lt: VNode, i: number): Lanes {
    const b = this.b;
    const m = (this.lt64 ??= [b.v("i64x2.extend_low_i32x4_s", lt), b.v("i64x2.extend_high_i32x4_s", lt)]);
    return m.map((mh) => b.sel(b.d(ERF_INV_LT_5[i]), b.d(ERF_INV_GE_5[i]), mh)) as Pair;
  }
  /** True (any lane) where some sum was a midpoint. */
  anyDoubt(): VNode | null {
    return this.doubts.reduce((acc, m) => this.b.or(acc, m));
  }
}

/** XLA's log1p of float32 lanes y in (-1, 0] (erf_inv's -x^2; the caller masks other lanes). */
function log1p(b: VB, F: Fma | FusedFma, y: VNode): VNode {
  const yp = F.pair(y);
  const y2 = b.fmul(y, y);
  const q = b.fdiv(F.join(F.horner(LOG1P_NUM, yp)), F.join(F.horner(LOG1P_DEN, yp)));
  // r - y^2/2: an exact product again (or, for |y| < 2^-63, too small to change y + r).
  const small = b.fadd(y, b.fsub(b.fmul(b.fmul(y, y2), q), b.fmul(y2, b.f(0.5))));
  // log(t), t = 1 + y = 2^e (1 + x), x in [sqrt(1/2) - 1, sqrt(2) - 1) (Cephes logf).
  const t = b.fmax(b.fadd(b.f(1), y), b.i(0x00800000));
  const m = b.or(b.and(t, b.i(0x807fffff)), b.i(0x3f000000));
  const lower = b.flt(m, b.f(SQRT_HALF));
  const e = b.fsub(b.i2f(b.isub(b.ishru(t, 23), b.i(126))), b.and(lower, b.f(1)));
  const x = b.fadd(b.fsub(m, b.f(1)), b.and(lower, m));
  const x2 = b.fmul(x, x);
  const [xp, x3] = [F.pair(x), F.pair(b.fmul(x2, x))];
  const [p0, p1, p2] = [0, 3, 6].map((i) => F.horner(LOG_P.slice(i, i + 3), xp));
  const poly = F.join(F.fma(F.fma(F.fma(p0, x3, p1), x3, p2), x3, F.pair(b.fmul(e, b.f(LN2_LO)))));
  // x - x^2/2 and e ln2_hi are exact products (x is a multiple of 2^-24, e an integer of 8 bits and
  // ln2_hi of 9), so their fused multiply-adds are plain float32 steps.
  const large = b.fadd(b.fmul(e, b.f(LN2_HI)), b.fadd(b.fsub(x, b.fmul(x2, b.f(0.5))), poly));
  return b.sel(small, large, b.flt(b.fabs(y), b.f(LOG1P_SMALL)));
}

/** erf_inv of float32 lanes, bit-identical to lax/special.ts's erfInv32. */
export function erfInv(b: VB, env: MathEnv, x: VNode): VNode {
  const F = fusedMadd() ? new FusedFma(b) : new Fma(b);
  const l = log1p(b, F, b.fneg(b.fmul(x, x))); // -w
  const lt = b.fgt(l, b.f(-5));
  const t = F.pair(b.sel(b.fsub(b.f(-2.5), l), b.fsub(b.fsqrt(b.fneg(l)), b.f(3)), lt));
  // One Horner evaluation with the coefficients of each lane's branch.
  let p = F.coef(lt, 0);
  for (let i = 1; i < ERF_INV_LT_5.length; i++) p = F.fma(p, t, F.coef(lt, i));
  const ax = b.fabs(x);
  const r = b.sel(b.fmul(x, b.f(Infinity)), b.fmul(x, F.join(p)), b.feq(ax, b.f(1)));
  const out = b.sel(r, b.f(NaN), b.fle(ax, b.f(1))); // |x| > 1 and NaN: NaN
  const doubt = F.anyDoubt();
  if (!doubt) return out;
  const host = env.scalar("erf_inv");
  return b.custom("v128", [x, out, doubt], (e, [xl, rl, dl]) => {
    const c = e.code;
    c.comment("a multiply-add sum halfway between two float32s: erfInv32 on the host");
    c.op("local.get", dl).op("v128.any_true").op("if");
    for (let lane = 0; lane < 4; lane++) {
      c.op("local.get", rl).op("local.get", xl).op("f32x4.extract_lane", lane).op("f64.promote_f32").op("call", host);
      c.op("f32.demote_f64").op("f32x4.replace_lane", lane).op("local.set", rl);
    }
    c.op("end").op("local.get", rl);
  });
}
