// XLA CPU's own float32 exp, log and log1p as SIMD vector expressions, bit-identical to
// lax/special.ts's exp32, log32 and log1p32 (which match JAX 0.10.2 on 50M inputs each): the
// same float32 steps, every contracted multiply-add an ffma (one relaxed_madd where fused, else
// float64 with an exact fallback). XLA's CPU code runs with subnormals flushed to zero: subnormal
// inputs count as zeros, subnormal results are 0. For tan and pow XLA calls the C library's tanf
// and powf: glibcTan and glibcPow compute lax/libm32.ts's ports of glibc's in SIMD (float64 steps
// in f64x2 lanes), leaving rare lanes (huge tan arguments, special pow operands) to those ports.
import { EXP_HI, EXP_LO, EXP_P, LN2_HI, LN2_LO, LOG1P_DEN, LOG1P_NUM, LOG1P_SMALL, LOG2E, LOG_P, SQRT_HALF } from "../../lax/special.js";
import type { MathEnv } from "./math.js";
import { EXP2_POLY, EXP2_SHIFT, EXP2_TAB, HPI, HPI_INV, LOG2_INVC, LOG2_LOGC, LOG2_POLY, PIO4, PIO4LO, POW_OFF, TAN_T } from "../../lax/libm32.js";
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
 * glibc's tanf lane-wise, bit-identical to lax/libm32.ts's tanf32: below |x| = 120 the float64
 * reduction by pi/2 in f64x2 lanes and the float32 kernel in f32x4 lanes, every branch computed
 * and blended; lanes at 120 and beyond (glibc's 192-bit 4/pi reduction), infinite or NaN call
 * the imported tanf32.
 */
export function glibcTan(b: VB, env: MathEnv, x: VNode): VNode {
  const ix = b.and(x, b.i(0x7fffffff));
  const small = b.igt(b.i(0x3f490fdb), ix); // |x| <= pi/4: no reduction
  // n = (trunc(x 2^24 2/pi) + 2^23) >> 24 and x - n pi/2, in float64 as glibc's reduce_fast.
  const halves = [0, 1].map((h) => {
    const xd = h ? b.promoteHi(x) : b.promoteLo(x);
    const t = b.v("i32x4.trunc_sat_f64x2_s_zero", b.dmul(xd, b.d(HPI_INV)));
    const n = b.ishr(b.iadd(t, b.i(0x800000)), 24);
    return { n, dx: b.dsub(xd, b.dmul(b.v("f64x2.convert_low_i32x4_s", n), b.d(HPI))) };
  });
  const dx0 = b.v("f32x4.demote_f64x2_zero", halves[0].dx);
  const dx1 = b.v("f32x4.demote_f64x2_zero", halves[1].dx);
  const lo0 = b.v("f32x4.demote_f64x2_zero", b.dsub(halves[0].dx, b.promoteLo(dx0)));
  const lo1 = b.v("f32x4.demote_f64x2_zero", b.dsub(halves[1].dx, b.promoteLo(dx1)));
  const y0 = b.sel(x, b.join(dx0, dx1), small);
  const y1 = b.sel(b.f(0), b.join(lo0, lo1), small);
  const odd = b.andnot(b.ieq(b.and(b.join(halves[0].n, halves[1].n), b.i(1)), b.i(1)), small);
  const iy = b.sel(b.f(-1), b.f(1), odd);
  return hostLanesWhere(b, env, "tanf", [x], tanKernel(b, y0, y1, iy, odd), b.not(b.flt(b.fabs(x), b.f(120))));
}

/** glibc's __kernel_tanf(x, y, iy) lane-wise (iy = ±1 as floats, `odd` where iy = -1). */
function tanKernel(b: VB, x: VNode, y: VNode, iy: VNode, odd: VNode): VNode {
  const T = TAN_T;
  const ix = b.and(x, b.i(0x7fffffff));
  const sign = b.and(x, b.i(0x80000000 | 0));
  const sgn = b.or(b.f(1), sign); // ±1.0 by x's sign
  const big = b.igt(ix, b.i(0x3f2ca13f)); // |x| >= 0.6744: tan(pi/4 - |x|)
  // |x| and y with x's sign taken off, then pi/4 - |x| (in two parts).
  const xb = b.fadd(b.fsub(b.f(PIO4), b.xor(x, sign)), b.fsub(b.f(PIO4LO), b.xor(y, sign)));
  const xk = b.sel(xb, x, big);
  const yk = b.sel(b.f(0), y, big);
  const z = b.fmul(xk, xk);
  const w = b.fmul(z, z);
  let r = T[11] as number | VNode;
  for (const i of [9, 7, 5, 3, 1]) r = b.fadd(b.f(T[i]), b.fmul(w, typeof r === "number" ? b.f(r) : r));
  let v = T[12] as number | VNode;
  for (const i of [10, 8, 6, 4, 2]) v = b.fadd(b.f(T[i]), b.fmul(w, typeof v === "number" ? b.f(v) : v));
  const vz = b.fmul(z, v as VNode);
  const s = b.fmul(z, xk);
  let rr = b.fadd(yk, b.fmul(z, b.fadd(b.fmul(s, b.fadd(r as VNode, vz)), yk)));
  rr = b.fadd(rr, b.fmul(b.f(T[0]), s));
  const wv = b.fadd(xk, rr);
  // big: sgn (iy - 2 (x - (w^2/(w + iy) - r))); beside pi/4 (|pi/4 - |x|| < 2^-13): sgn iy (1 - 2 iy x).
  const bigRes = b.fmul(sgn, b.fsub(iy, b.fmul(b.f(2), b.fsub(xk, b.fsub(b.fdiv(b.fmul(wv, wv), b.fadd(wv, iy)), rr)))));
  const nearPio4 = b.fmul(b.fmul(sgn, iy), b.fsub(b.f(1), b.fmul(b.fmul(b.f(2), iy), xb)));
  // -1/(x + r) accurately: w and -1/w split at 12 bits.
  const zh = b.and(wv, b.i(0xfffff000 | 0));
  const vv = b.fsub(rr, b.fsub(zh, xk));
  const a = b.fdiv(b.f(-1), wv);
  const th = b.and(a, b.i(0xfffff000 | 0));
  const negRes = b.fadd(th, b.fmul(a, b.fadd(b.fadd(b.f(1), b.fmul(th, zh)), b.fmul(th, vv))));
  let res = b.sel(negRes, wv, odd);
  res = b.sel(b.sel(nearPio4, bigRes, b.flt(b.fabs(xb), b.f(2 ** -13))), res, big);
  // |x| < 2^-13: x itself (iy = 1), else -1/x (+inf for a zero).
  const tiny = b.igt(b.i(0x39000000), ix);
  const tinyRes = b.sel(b.sel(b.f(Infinity), b.fdiv(b.f(-1), x), b.ieq(ix, b.i(0))), x, odd);
  return b.sel(tinyRes, res, tiny);
}

/** `res`, with the lanes where `mask` holds recomputed by the imported host function `name` of `args`. */
function hostLanesWhere(b: VB, env: MathEnv, name: "tanf" | "powf", args: VNode[], res: VNode, mask: VNode): VNode {
  const func = env.scalar(name);
  return b.custom("v128", [res, mask, ...args], (e, [rl, ml, ...al]) => {
    const c = e.code;
    c.comment(`lanes beyond the vector path: ${name} on the host (lax/libm32.ts)`);
    c.op("local.get", ml).op("v128.any_true").op("if");
    for (let lane = 0; lane < 4; lane++) {
      c.op("local.get", ml).op("i32x4.extract_lane", lane).op("if");
      c.op("local.get", rl);
      for (const l of al) c.op("local.get", l).op("f32x4.extract_lane", lane).op("f64.promote_f32");
      c.op("call", func).op("f32.demote_f64").op("f32x4.replace_lane", lane).op("local.set", rl).op("end");
    }
    c.op("end").op("local.get", rl);
  });
}

// ---- powf ---------------------------------------------------------------------------------

/** The high and low 32-bit words of float64s. */
const words = (ds: readonly number[]) => {
  const u = new Uint32Array(Float64Array.from(ds).buffer);
  return { hi: ds.map((_, i) => u[2 * i + 1]), lo: ds.map((_, i) => u[2 * i]) };
};
const LOGC_INVC = words(LOG2_INVC);
const LOGC_LOGC = words(LOG2_LOGC);
const EXP2_WORDS = words(EXP2_TAB);

/**
 * table[i] for each i32 lane i (table: up to 32 words): per byte position, i8x16.swizzle of a
 * vector holding that byte of 16 entries, by i repeated in the lane's four bytes (indices 16 and
 * up read 0, so entries 16-31 come from a second vector by i - 16).
 */
function lookup(b: VB, table: readonly number[], i: VNode): VNode {
  const rep = b.imul(i, b.i(0x01010101));
  const parts = [rep, ...(table.length > 16 ? [b.isub(rep, b.i(0x10101010))] : [])];
  let out: VNode | null = null;
  for (let p = 0; p < 4; p++) {
    let byte: VNode | null = null;
    parts.forEach((idx, half) => {
      const plane = Array.from({ length: 16 }, (_, k) => (table[16 * half + k] ?? 0) >>> (8 * p));
      const bytes = b.ilanes([0, 1, 2, 3].map((q) => (plane[4 * q] & 255) | ((plane[4 * q + 1] & 255) << 8) | ((plane[4 * q + 2] & 255) << 16) | ((plane[4 * q + 3] & 255) << 24)));
      const got = b.v("i8x16.swizzle", bytes, idx);
      byte = byte ? b.or(byte, got) : got;
    });
    const masked = b.and(byte!, b.i(255 << (8 * p)));
    out = out ? b.or(out, masked) : masked;
  }
  return out!;
}

/** Lanes 0,1 (h = 0) or 2,3 (h = 1) of the float64s whose words are `hi` and `lo` (i32x4 each). */
const f64Lanes = (b: VB, hi: VNode, lo: VNode, h: 0 | 1) =>
  b.shuffle(lo, hi, h ? [8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31] : [0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23]);

/**
 * glibc's powf lane-wise, bit-identical to lax/libm32.ts's powf32: log2 from a 16-entry table and
 * a polynomial, times y, then 2^ from a 32-entry table and a polynomial, all in float64 lanes as
 * glibc computes them; the tables are read by byte swizzles. Lanes with a zero, subnormal,
 * infinite or NaN base, or a zero, infinite or NaN exponent, call the imported powf32.
 */
export function glibcPow(b: VB, env: MathEnv, x: VNode, y: VNode): VNode {
  const ax = b.and(x, b.i(0x7fffffff));
  const special = b.or(
    b.v("i32x4.ge_u", b.isub(ax, b.i(0x00800000)), b.i(0x7f800000 - 0x00800000)),
    b.v("i32x4.ge_u", b.isub(b.ishl(y, 1), b.i(1)), b.i((2 * 0x7f800000 - 1) | 0)),
  );
  // A negative base needs an integer exponent (else NaN); an odd one makes the result negative.
  const isInt = b.feq(b.ffloor(y), y);
  const half = b.fmul(y, b.f(0.5));
  const negOdd = b.and(b.and(isInt, b.fne(b.ffloor(half), half)), b.and(x, b.i(0x80000000 | 0)));
  const nan = b.andnot(b.flt(x, b.f(0)), isInt);
  // log2(|x|) = log1p(z/c - 1)/ln2 + log2(c) + k, c from the table.
  const tmp = b.isub(ax, b.i(POW_OFF));
  const i = b.and(b.ishru(tmp, 19), b.i(15));
  const top = b.and(tmp, b.i(0xff800000 | 0));
  const z = b.isub(ax, top);
  const k = b.ishr(top, 23);
  const [invcHi, invcLo, logcHi, logcLo] = [LOGC_INVC.hi, LOGC_INVC.lo, LOGC_LOGC.hi, LOGC_LOGC.lo].map((t) => lookup(b, t, i));
  const A = LOG2_POLY;
  const C = EXP2_POLY;
  const ylogx = [0, 1].map((h) => {
    const pick = (v: VNode) => (h ? b.promoteHi(v) : b.promoteLo(v));
    const ilanes = (v: VNode) => (h ? b.shuffle(v, v, [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]) : v);
    const r = b.dsub(b.dmul(pick(z), f64Lanes(b, invcHi, invcLo, h as 0 | 1)), b.d(1));
    const y0 = b.dadd(f64Lanes(b, logcHi, logcLo, h as 0 | 1), b.v("f64x2.convert_low_i32x4_s", ilanes(k)));
    const r2 = b.dmul(r, r);
    const yy = b.dadd(b.dmul(b.d(A[0]), r), b.d(A[1]));
    const p = b.dadd(b.dmul(b.d(A[2]), r), b.d(A[3]));
    const r4 = b.dmul(r2, r2);
    const q = b.dadd(b.dmul(p, r2), b.dadd(b.dmul(b.d(A[4]), r), y0));
    const t = b.dmul(pick(y), b.dadd(b.dmul(yy, r4), q));
    // Outside [-160, 160] the result is 0 or inf (selected below); clamped, n stays small.
    return b.dmin(b.dmax(t, b.d(-160)), b.d(160));
  });
  // 2^t = 2^(n/32) 2^r: n = round(32 t) by adding and subtracting 1.5 2^47.
  const kd = ylogx.map((t) => b.dsub(b.dadd(t, b.d(EXP2_SHIFT)), b.d(EXP2_SHIFT)));
  const n = b.join(...(kd.map((d) => b.v("i32x4.trunc_sat_f64x2_s_zero", b.dmul(d, b.d(32)))) as [VNode, VNode]));
  const j = b.and(n, b.i(31));
  const [tHi, tLo] = [lookup(b, EXP2_WORDS.hi, j), lookup(b, EXP2_WORDS.lo, j)];
  const e = b.ishr(n, 5);
  const res = [0, 1].map((h) => {
    const ilanes = (v: VNode) => (h ? b.shuffle(v, v, [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15]) : v);
    const r = b.dsub(ylogx[h], kd[h]);
    const zz = b.dadd(b.dmul(b.d(C[0]), r), b.d(C[1]));
    const yv = b.dadd(b.dmul(zz, b.dmul(r, r)), b.dadd(b.dmul(b.d(C[2]), r), b.d(1)));
    // 2^e as float64 bits: (e + 1023) << 52.
    const scale = b.node("i64x2.shl", "v128", [b.v("i64x2.add", b.v("i64x2.extend_low_i32x4_s", ilanes(e)), b.i64(1023n)), b.i32c(52)]);
    return b.dmul(yv, b.dmul(f64Lanes(b, tHi, tLo, h as 0 | 1), scale));
  });
  // Rounding to float32 overflows to inf exactly beyond glibc's threshold (POW_OVERFLOW is where
  // x^y passes the midpoint below 2^128); subnormal results flush to zero (XLA's FTZ), as do glibc's
  // underflows.
  let out = b.xor(b.demote2(res[0], res[1]), b.and(negOdd, b.i(0x80000000 | 0)));
  out = b.sel(b.and(out, b.i(0x80000000 | 0)), out, b.flt(b.fabs(out), b.f(2 ** -126)));
  out = b.sel(b.f(NaN), out, nan);
  return hostLanesWhere(b, env, "powf", [x, y], out, special);
}
