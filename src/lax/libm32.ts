// The C library's float32 powf and tanf as XLA's CPU backend gets them: XLA compiles lax.pow and
// lax.tan to calls of the process's libm, so JAX on x86-64 Linux returns glibc's results (2.28
// through 2.40: powf by Szabolcs Nagy, in float64 with a 16-entry log2 table and a 32-entry exp2
// table, 0.82 ulp; tanf the Sun kernel in float32 after a float64 reduction by pi/2), not the
// correctly rounded ones (tan differs in ~4% of [-pi/2, pi/2], pow in ~0.05% of random pairs).
// Written here from the algorithms' descriptions and constants; every step rounds as the C code
// does (float64 steps in JS doubles, float32 steps through Math.fround). XLA runs its code with
// the MXCSR's flush-to-zero and denormals-are-zero bits set, which reach into libm: a subnormal
// result of powf is 0, and a subnormal base scales to 0 in powf's normalisation. Checked bit for
// bit against JAX 0.10.2 (test/xla_math.test.ts).

const f32 = Math.fround;
const MIN_NORMAL = 2 ** -126;

// Bit casts through typed arrays sharing one buffer (faster than a DataView in V8).
const F32 = new Float32Array(2);
const U32 = new Uint32Array(F32.buffer);
const F64 = new Float64Array(F32.buffer);
const asuint = (x: number): number => ((F32[0] = x), U32[0]);
const asfloat = (u: number): number => ((U32[0] = u), F32[0]);
/** The float64 whose bits are hi:lo (32-bit halves; the platform is little-endian, as wasm is). */
const asdouble = (hi: number, lo: number): number => ((U32[1] = hi), (U32[0] = lo), F64[0]);

// ---- powf ---------------------------------------------------------------------------------

/** 1/c and log2(c) for 16 subintervals c of [0x3f330000, 2 * 0x3f330000) (as float32 bits). */
export const LOG2_INVC = [
  "0x1.661ec79f8f3bep+0", "0x1.571ed4aaf883dp+0", "0x1.49539f0f010bp+0", "0x1.3c995b0b80385p+0",
  "0x1.30d190c8864a5p+0", "0x1.25e227b0b8eap+0", "0x1.1bb4a4a1a343fp+0", "0x1.12358f08ae5bap+0",
  "0x1.0953f419900a7p+0", "0x1p+0", "0x1.e608cfd9a47acp-1", "0x1.ca4b31f026aap-1",
  "0x1.b2036576afce6p-1", "0x1.9c2d163a1aa2dp-1", "0x1.886e6037841edp-1", "0x1.767dcf5534862p-1",
].map(hexFloat);
export const LOG2_LOGC = [
  "-0x1.efec65b963019p-2", "-0x1.b0b6832d4fca4p-2", "-0x1.7418b0a1fb77bp-2", "-0x1.39de91a6dcf7bp-2",
  "-0x1.01d9bf3f2b631p-2", "-0x1.97c1d1b3b7afp-3", "-0x1.2f9e393af3c9fp-3", "-0x1.960cbbf788d5cp-4",
  "-0x1.a6f9db6475fcep-5", "0x0p+0", "0x1.338ca9f24f53dp-4", "0x1.476a9543891bap-3",
  "0x1.e840b4ac4e4d2p-3", "0x1.40645f0c6651cp-2", "0x1.88e9c2c1b9ff8p-2", "0x1.ce0a44eb17bccp-2",
].map(hexFloat);
/** log1p(r)/ln2 ~ A0 r^5 + ... + A4 r, as the pipelined evaluation in log2Inline uses them. */
export const LOG2_POLY = ["0x1.27616c9496e0bp-2", "-0x1.71969a075c67ap-2", "0x1.ec70a6ca7baddp-2", "-0x1.7154748bef6c8p-1", "0x1.71547652ab82bp0"].map(hexFloat);
/** 2^(i/32) for i < 32: the table's words are 2^(i/32)'s bits less i << 47, added back here. */
export const EXP2_TAB = [
  [0x3ff00000, 0x00000000], [0x3fefd9b0, 0xd3158574], [0x3fefb558, 0x6cf9890f], [0x3fef9301, 0xd0125b51],
  [0x3fef72b8, 0x3c7d517b], [0x3fef5487, 0x3168b9aa], [0x3fef387a, 0x6e756238], [0x3fef1e9d, 0xf51fdee1],
  [0x3fef06fe, 0x0a31b715], [0x3feef1a7, 0x373aa9cb], [0x3feedea6, 0x4c123422], [0x3feece08, 0x6061892d],
  [0x3feebfda, 0xd5362a27], [0x3feeb42b, 0x569d4f82], [0x3feeab07, 0xdd485429], [0x3feea47e, 0xb03a5585],
  [0x3feea09e, 0x667f3bcd], [0x3fee9f75, 0xe8ec5f74], [0x3feea114, 0x73eb0187], [0x3feea589, 0x994cce13],
  [0x3feeace5, 0x422aa0db], [0x3feeb737, 0xb0cdc5e5], [0x3feec491, 0x82a3f090], [0x3feed503, 0xb23e255d],
  [0x3feee89f, 0x995ad3ad], [0x3feeff76, 0xf2fb5e47], [0x3fef199b, 0xdd85529c], [0x3fef3720, 0xdcef9069],
  [0x3fef5818, 0xdcfba487], [0x3fef7c97, 0x337b9b5f], [0x3fefa4af, 0xa2a490da], [0x3fefd076, 0x5b6e4540],
].map(([hi, lo], i) => asdouble(hi + (i << 15), lo)); // i << 47 of the 64-bit word is i << 15 of its high half
/** 2^r ~ C0 r^3 + C1 r^2 + C2 r + 1 on |r| <= 1/64. */
export const EXP2_POLY = ["0x1.c6af84b912394p-5", "0x1.ebfce50fac4f3p-3", "0x1.62e42ff0c52d6p-1"].map(hexFloat);
/** 1.5 * 2^52 / 32: adding it rounds a float64 to a multiple of 1/32. */
export const EXP2_SHIFT = 1.5 * 2 ** 47;
export const POW_OFF = 0x3f330000;
/** log2 of the largest float32 below 2^128 rounding to it: beyond, x^y overflows. */
export const POW_OVERFLOW = hexFloat("0x1.fffffffd1d571p+6");

/** A C99 hexadecimal floating literal ("-0x1.8p+3" or a number already) as a float64. */
function hexFloat(s: string | number): number {
  if (typeof s === "number") return s;
  const m = /^(-?)0x([0-9a-f]+)(?:\.([0-9a-f]*))?p([+-]?\d+)$/i.exec(s);
  if (!m) throw new Error(`hexFloat: bad literal ${s}`);
  const frac = m[3] ?? "";
  // The mantissa has at most 53 bits, so the integer is exact and the scaling by 2^e is too.
  const v = Number.parseInt(m[2] + frac, 16) * 2 ** (Number(m[4]) - 4 * frac.length);
  return m[1] ? -v : v;
}

/** log2 of the float32 with bits ix (a normal, or a subnormal renormalised to a negative exponent). */
function log2Inline(ix: number): number {
  const tmp = (ix - POW_OFF) >>> 0;
  const i = (tmp >>> 19) & 15;
  const top = (tmp & 0xff800000) >>> 0;
  const z = asfloat(ix - top);
  const k = (top | 0) >> 23;
  const r = z * LOG2_INVC[i] - 1;
  const y0 = LOG2_LOGC[i] + k;
  const A = LOG2_POLY;
  const r2 = r * r;
  const y = A[0] * r + A[1];
  const p = A[2] * r + A[3];
  const r4 = r2 * r2;
  const q = p * r2 + (A[4] * r + y0);
  return y * r4 + q;
}

/** 2^xd for xd in [-150, 128], negated when `negative`. */
function exp2Inline(xd: number, negative: boolean): number {
  const kd = xd + EXP2_SHIFT - EXP2_SHIFT; // k/32, k = round(32 xd)
  const k = kd * 32;
  const r = xd - kd;
  const s = EXP2_TAB[k & 31] * 2 ** Math.floor(k / 32);
  const C = EXP2_POLY;
  const z = C[0] * r + C[1];
  const y = z * (r * r) + (C[2] * r + 1);
  return negative ? -(y * s) : y * s;
}

/** 0: not an integer, 1: odd integer, 2: even integer (iy: the bits of a finite non-zero float32). */
function checkint(iy: number): 0 | 1 | 2 {
  const e = (iy >>> 23) & 0xff;
  if (e < 0x7f) return 0;
  if (e > 0x7f + 23) return 2;
  const bit = 2 ** (0x7f + 23 - e);
  const low = iy % (2 * bit);
  if (low % bit !== 0) return 0;
  return low === bit ? 1 : 2;
}

/** Zero, infinity or NaN, from the bits. */
const zeroInfNaN = (i: number): boolean => ((((2 * i) >>> 0) - 1) >>> 0) >= 2 * 0x7f800000 - 1;

/** The result as XLA's flush-to-zero leaves it: subnormals become zeros of their sign. */
const ftz = (r: number): number => (Math.abs(r) < MIN_NORMAL ? r * 0 : r);

/** glibc's powf(x, y) of float32 x and y, as JAX on CPU computes lax.pow. */
export function powf32(x: number, y: number): number {
  let ix = asuint(x);
  const iy = asuint(y);
  let negative = false;
  if (((ix - 0x00800000) >>> 0) >= 0x7f800000 - 0x00800000 || zeroInfNaN(iy)) {
    // x subnormal, zero, infinite, negative or NaN; or y zero, infinite or NaN.
    if (zeroInfNaN(iy)) {
      if (((2 * iy) >>> 0) === 0) return 1;
      if (ix === 0x3f800000) return 1;
      if (((2 * ix) >>> 0) > 2 * 0x7f800000 || ((2 * iy) >>> 0) > 2 * 0x7f800000) return x + y;
      if (((2 * ix) >>> 0) === 2 * 0x3f800000) return 1;
      if (((2 * ix) >>> 0) < 2 * 0x3f800000 === !(iy & 0x80000000)) return 0;
      return y * y;
    }
    if (zeroInfNaN(ix)) {
      let x2 = f32(x * x);
      if (ix & 0x80000000 && checkint(iy) === 1) x2 = -x2;
      return iy & 0x80000000 ? f32(1 / x2) : x2;
    }
    if (ix & 0x80000000) {
      const yint = checkint(iy);
      if (yint === 0) return NaN;
      negative = yint === 1;
      ix &= 0x7fffffff;
    }
    // A subnormal base: glibc scales it by 2^23 to normalise it, but denormals-are-zero makes
    // the product 0, whose bits less 23 << 23 wrap round to a huge "exponent" of -150.
    if (ix < 0x00800000) ix = (0 - (23 << 23)) >>> 0;
  }
  const ylogx = y * log2Inline(ix);
  if (Math.abs(ylogx) >= 126) {
    if (ylogx > POW_OVERFLOW) return negative ? -Infinity : Infinity;
    // Below -149 glibc returns 2^-149 or 0, both flushed.
    if (ylogx < -149) return negative ? -0 : 0;
  }
  return ftz(f32(exp2Inline(ylogx, negative)));
}

// ---- tanf ---------------------------------------------------------------------------------

/** pi/4 in two float32 parts, for tan(pi/4 - |x|) near pi/4 (also used by the SIMD and GLSL tan). */
export const PIO4 = f32(0.78539812565);
export const PIO4LO = f32(3.7748947079e-8);
/** tan(x) ~ x + T0 x^3 + T1 x^5 + ... on |x| <= pi/4 (the Sun kernel's float32 coefficients). */
export const TAN_T = [
  0x3eaaaaab, 0x3e088889, 0x3d5d0dd1, 0x3cb327a4, 0x3c11371f, 0x3b6b6916, 0x3abede48,
  0x3a1a26c8, 0x398137b9, 0x38a3f445, 0x3895c07a, 0xb79bae5f, 0x37d95384,
].map(asfloat);
/** 2/pi * 2^24 and pi/2 in float64, for the reduction of |x| < 120. */
export const HPI_INV = hexFloat("0x1.45F306DC9C883p+23");
export const HPI = hexFloat("0x1.921FB54442D18p0");
/** 2 pi * 2^-64. */
export const PI63 = hexFloat("0x1.921FB54442D18p-62");
/** 4/pi to 192 bits, 8 new bits per entry. */
export const INV_PIO4_WORDS = [
  0xa2, 0xa2f9, 0xa2f983, 0xa2f9836e, 0xf9836e4e, 0x836e4e44, 0x6e4e4415, 0x4e441529,
  0x441529fc, 0x1529fc27, 0x29fc2757, 0xfc2757d1, 0x2757d1f5, 0x57d1f534, 0xd1f534dd, 0xf534ddc0,
  0x34ddc0db, 0xddc0db62, 0xc0db6295, 0xdb629599, 0x6295993c, 0x95993c43, 0x993c4390, 0x3c439041,
];
const INV_PIO4 = INV_PIO4_WORDS.map(BigInt);
const M64 = (1n << 64n) - 1n;

/** tan(x + y) for |x + y| <= ~pi/4, or -1/tan(x + y) when iy = -1, in float32 steps. */
function kernelTan(x: number, y: number, iy: 1 | -1): number {
  const hx = asuint(x) | 0;
  const ix = hx & 0x7fffffff;
  const sign = hx < 0 ? -1 : 1;
  if (ix < 0x39000000) {
    // |x| < 2^-13 (and (int)x == 0 always holds there).
    if ((ix | (iy + 1)) === 0) return f32(1 / Math.abs(x));
    if (iy === 1) return x;
    return f32(-1 / x);
  }
  const big = ix >= 0x3f2ca140; // |x| >= 0.6744: tan(pi/4 - |x|) instead
  if (big) {
    if (hx < 0) {
      x = -x;
      y = -y;
    }
    x = f32(f32(PIO4 - x) + f32(PIO4LO - y));
    y = 0;
    if (Math.abs(x) < 2 ** -13) return f32(sign * iy * f32(1 - 2 * iy * x));
  }
  const T = TAN_T;
  const z = f32(x * x);
  const w = f32(z * z);
  // x^5 (T1 + x^4 T3 + ...) and x^5 x^2 (T2 + x^4 T4 + ...), each by Horner in w = x^4.
  let r = f32(T[9] + f32(w * T[11]));
  r = f32(T[7] + f32(w * r));
  r = f32(T[5] + f32(w * r));
  r = f32(T[3] + f32(w * r));
  r = f32(T[1] + f32(w * r));
  let v = f32(T[10] + f32(w * T[12]));
  v = f32(T[8] + f32(w * v));
  v = f32(T[6] + f32(w * v));
  v = f32(T[4] + f32(w * v));
  v = f32(T[2] + f32(w * v));
  v = f32(z * v);
  const s = f32(z * x);
  r = f32(y + f32(z * f32(f32(s * f32(r + v)) + y)));
  r = f32(r + f32(T[0] * s));
  const t = f32(x + r);
  if (big) {
    const vy = iy;
    return f32(sign * f32(vy - f32(2 * f32(x - f32(f32(f32(t * t) / f32(t + vy)) - r)))));
  }
  if (iy === 1) return t;
  // -1/(x + r), accurately: split w and -1/w at 12 bits.
  const zh = asfloat(asuint(t) & 0xfffff000);
  const vv = f32(r - f32(zh - x));
  const a = f32(-1 / t);
  const th = asfloat(asuint(a) & 0xfffff000);
  const ss = f32(1 + f32(th * zh));
  return f32(th + f32(a * f32(ss + f32(th * vv))));
}

/** x mod pi/2 for |x| >= 120, from 4/pi to 192 bits: [remainder (float64), quadrant]. */
function reduceLarge(xi: number): [number, number] {
  const j = (xi >>> 26) & 15;
  const shift = (xi >>> 23) & 7;
  const m = BigInt((((xi & 0xffffff) | 0x800000) << shift) >>> 0);
  let res0 = (m * INV_PIO4[j]) & 0xffffffffn; // a 32-bit product in C
  const res1 = m * INV_PIO4[j + 4];
  const res2 = m * INV_PIO4[j + 8];
  res0 = ((res2 >> 32n) | (res0 << 32n)) & M64;
  res0 = (res0 + res1) & M64;
  const n = ((res0 + (1n << 61n)) & M64) >> 62n;
  res0 = (res0 - (n << 62n)) & M64;
  return [Number(BigInt.asIntN(64, res0)) * PI63, Number(n)];
}

/** glibc's tanf(x) of a float32 x, as JAX on CPU computes lax.tan. */
export function tanf32(x: number): number {
  const ix = asuint(x) & 0x7fffffff;
  if (ix <= 0x3f490fda) return kernelTan(x, 0, 1);
  if (ix >= 0x7f800000) return NaN;
  let dx: number;
  let n: number;
  if (ix >>> 20 < 0x42f) {
    // |x| < 120: one multiply-subtract by pi/2 in float64; the quadrant comes from the 8 bits
    // above 2^24 of x * 2/pi * 2^24 (truncated toward zero, then rounded by adding 2^23).
    n = (((x * HPI_INV) | 0) + 0x800000) >> 24;
    dx = x - n * HPI;
  } else {
    [dx, n] = reduceLarge(asuint(x));
    if (x < 0) dx = -dx;
  }
  const y0 = f32(dx);
  return kernelTan(y0, f32(dx - y0), n & 1 ? -1 : 1);
}
