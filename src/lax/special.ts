// Special functions tfjs lacks or approximates too coarsely, evaluated per element on the host.

const f32 = Math.fround;

/** erf in float64 (Taylor series below 3, continued fraction for erfc above), then float32. */
export function erf32(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  let r: number;
  if (a < 3) {
    // 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1)); terms stay below e^9, so ~12 digits survive.
    let term = a;
    let sum = a;
    const x2 = a * a;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const t = term / (2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
    }
    r = (2 / Math.sqrt(Math.PI)) * sum;
  } else if (a < 6) {
    // erfc(a) = exp(-a^2)/sqrt(pi) * 1/(a + 1/2/(a + 1/(a + 3/2/(a + ...)))), by Lentz's method.
    let f = a;
    let c = a;
    let d = 0;
    for (let k = 1; k < 200; k++) {
      const an = k / 2;
      d = a + an * d;
      d = d === 0 ? 1e-300 : 1 / d;
      c = a + an / c;
      const delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  } else r = 1;
  return f32(x < 0 ? -r : r);
}

// XLA's float32 erf_inv (M. Giles, "Approximating the erfinv function", GPU Computing Gems, 2011),
// as XLA lowers it: w = -log1p(-x^2), then a degree-8 polynomial in w - 2.5 (w < 5) or in
// sqrt(w) - 3, times x, in float32 steps, so random.normal draws JAX's bits. The eager kernel and
// the fused-kernel generators (jsloop, wasm, GLSL) all use these coefficients.

/** Coefficients, highest degree first, for w < 5 (in w - 2.5) and w >= 5 (in sqrt(w) - 3). */
export const ERF_INV_LT_5 = [2.81022636e-8, 3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941].map(f32);
export const ERF_INV_GE_5 = [-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682].map(f32);

/**
 * erf_inv of a float32, in float32 steps. log1p is fround(Math.log1p(y)), the correctly rounded
 * float32 log1p except in cases closer to a rounding boundary than Math.log1p's error (the wasm
 * kernel detects those and calls Math.log1p itself, so it agrees here too).
 */
export function erfInv32(x: number): number {
  x = f32(x);
  if (Math.abs(x) === 1) return x * Infinity;
  if (Math.abs(x) > 1 || Number.isNaN(x)) return NaN;
  let w = -f32(Math.log1p(f32(-f32(x * x))));
  const lt = w < 5;
  const cs = lt ? ERF_INV_LT_5 : ERF_INV_GE_5;
  w = lt ? f32(w - 2.5) : f32(f32(Math.sqrt(w)) - 3);
  let p = cs[0];
  for (let i = 1; i < cs.length; i++) p = f32(cs[i] + f32(p * w));
  return f32(p * x);
}

/** erfc in float64: 1 - erf's series below 0.5, the continued fraction above (no cancellation). */
export function erfc64(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc64(-x);
  if (x < 0.5) return 1 - erfSeries(x);
  if (x > 27) return 0; // below the smallest float64
  // erfc(a) = exp(-a^2)/sqrt(pi) / (a + 1/2/(a + 1/(a + 3/2/(a + ...)))), by Lentz's method.
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 5000; k++) {
    const an = k / 2;
    d = x + an * d;
    d = d === 0 ? 1e-300 : 1 / d;
    c = x + an / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** erf's Taylor series in float64, for small |x|. */
function erfSeries(a: number): number {
  let term = a;
  let sum = a;
  const x2 = a * a;
  for (let n = 1; n < 200; n++) {
    term *= -x2 / n;
    const t = term / (2 * n + 1);
    sum += t;
    if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

// ---- the gamma family, as XLA computes them in float32 --------------------------------------
// XLA lowers lgamma, digamma, zeta and polygamma (chlo) to float32 formulas: Lanczos' series with
// g = 7 and 9 terms, reflection below 1/2, an Euler-Maclaurin zeta. They are evaluated here step
// by step in float32 (each log, log1p, sin, pow correctly rounded), so they give JAX's values to
// the ulp in most cases (XLA's own log/log1p differ from correctly rounded ones in ~10% of
// cases) and keep its quirks: lgamma(1) = 2^-21, lgamma(3e38) = inf.

const LANCZOS_G = 7;
const LANCZOS_BASE = f32(0.99999999999980993227684700473478);
const LANCZOS = [
  676.520368121885098567009190444019, -1259.13921672240287047156078755283, 771.3234287776530788486528258894, -176.61502916214059906584551354,
  12.507343278686904814458936853, -0.13857109526572011689554707, 9.984369578019570859563e-6, 1.50563273514931155834e-7,
].map(f32);
const G_HALF = f32(LANCZOS_G + 0.5);
const LOG_G_HALF = f32(Math.log(LANCZOS_G + 0.5));
const PI32 = f32(Math.PI);

/** z = x - 1, or -x where the reflection formula applies (x < 1/2). */
const lanczosZ = (x: number): number => (x < 0.5 ? -x : f32(x - 1));

/** log(t) for t = z + g + 1/2, as log(g + 1/2) + log1p(z / (g + 1/2)). */
const lanczosLogT = (z: number): number => f32(LOG_G_HALF + f32(Math.log1p(f32(z / G_HALF))));

/** lgamma (log |Gamma(x)|) in XLA's float32 steps. */
export function lgamma32(x: number): number {
  x = f32(x);
  if (x === Infinity || x === -Infinity) return Infinity;
  const z = lanczosZ(x);
  let a = LANCZOS_BASE;
  for (let i = 0; i < LANCZOS.length; i++) a = f32(a + f32(LANCZOS[i] / f32(z + (i + 1))));
  const t = f32(G_HALF + z);
  const logT = lanczosLogT(z);
  // (z + 1/2) log t - t, written so that it does not overflow for large t.
  const r = f32(f32(f32(z + 0.5) - f32(t / logT)) * logT);
  const lg = f32(f32(f32((Math.log(2) + Math.log(Math.PI)) / 2) + r) + f32(Math.log(a)));
  if (!(x < 0.5)) return lg;
  // Reflection: log(pi) - log|sin(pi frac(|x|))| - lgamma(1 - x), frac folded into [0, 1/2].
  const ax = Math.abs(x);
  let frac = f32(ax - Math.floor(ax));
  if (0.5 < frac) frac = f32(1 - frac);
  const denom = f32(Math.log(f32(Math.sin(f32(PI32 * frac)))));
  return Number.isFinite(denom) ? f32(f32(f32(Math.log(Math.PI)) - denom) - lg) : -denom;
}

/** digamma in XLA's float32 steps (NaN at the poles 0, -1, -2, ...). */
export function digamma32(x: number): number {
  x = f32(x);
  const z = lanczosZ(x);
  let a = LANCZOS_BASE;
  let da = 0;
  for (let i = 0; i < LANCZOS.length; i++) {
    const zi = f32(z + (i + 1));
    da = f32(da - f32(LANCZOS[i] / f32(zi * zi)));
    a = f32(a + f32(LANCZOS[i] / zi));
  }
  const t = f32(G_HALF + z);
  let d = f32(f32(lanczosLogT(z) + f32(da / a)) - f32(LANCZOS_G / t));
  if (x < 0.5) {
    // digamma(1 - x) - pi cot(pi x), with x shifted into [-1/2, 1/2] first.
    const reduced = f32(x + Math.abs(Math.floor(f32(x + 0.5))));
    const px = f32(PI32 * reduced);
    d = f32(d - f32(f32(PI32 * f32(Math.cos(px))) / f32(Math.sin(px))));
  }
  return x <= 0 && x === Math.floor(x) ? NaN : d;
}

const ZETA_COEFFS = [
  -7.1661652561756670113e18, 1.8152105401943546773e17, -4.5979787224074726105e15, 1.1646782814350067249e14, -2.950130727918164224e12, 7.47242496e10,
  -1.8924375803183791606e9, 47900160.0, -1209600.0, 30240.0, -720.0, 12.0,
];
const ZETA_INV = ZETA_COEFFS.map((c) => f32(1 / c));
const pow32 = (a: number, b: number): number => f32(Math.pow(a, b));

/** Hurwitz zeta(x, q) in XLA's float32 steps: 10 terms, then a 12-term Euler-Maclaurin tail. */
export function zeta32(x: number, q: number): number {
  x = f32(x);
  q = f32(q);
  const nx = -x;
  let a = q;
  const initial = (() => {
    let s = pow32(q, nx);
    for (let i = 0; i < 9; i++) {
      a = f32(a + 1);
      s = f32(s + pow32(a, nx));
    }
    return s;
  })();
  a = f32(a + 1);
  const negPower = pow32(a, nx);
  let s = f32(initial + f32(f32(negPower * a) / f32(x - 1)));
  const aInvSq = f32(1 / f32(a * a));
  let horner = 0;
  for (let i = 0; i < 11; i++) {
    const factor = f32(f32(x - (22 - 2 * i)) * f32(x - (21 - 2 * i)));
    horner = f32(factor * f32(aInvSq * f32(horner + ZETA_INV[i])));
  }
  s = f32(s + f32(negPower * f32(0.5 + f32(f32(x / a) * f32(ZETA_INV[11] + horner)))));
  // The tail is dropped only when it is below the smallest float32 relative to the sum.
  let out = Math.abs(negPower) < f32(Math.abs(initial) * 1.401298464324817e-45) ? initial : s;
  if (x < 1) out = NaN;
  const qLeZero = q <= 0;
  if (qLeZero && x !== Math.floor(x)) out = NaN;
  if (qLeZero && q === Math.floor(q)) out = x === Math.floor(x) && x % 2 === 0 ? Infinity : NaN;
  return x === 1 ? Infinity : out;
}

/** polygamma(n, x) = (-1)^(n+1) n! zeta(n + 1, x) for natural n (digamma at 0), else NaN; float32 steps. */
export function polygamma32(n: number, x: number): number {
  n = f32(n);
  x = f32(x);
  if (n !== Math.floor(n) || n < 0) return NaN;
  if (n === 0) return digamma32(x);
  const sign = f32(2 * (n % 2) - 1);
  const np1 = f32(n + 1);
  return f32(f32(sign * f32(Math.exp(lgamma32(np1)))) * zeta32(np1, x));
}
