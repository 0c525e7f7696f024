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

// XLA's float32 ErfInv (M. Giles' single-precision approximation), evaluated in float32 steps
// so the random normal sampler draws JAX's bits.
const W_LT_5 = [2.81022636e-8, 3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941].map(f32);
const W_GE_5 = [-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682].map(f32);

export function erfInv32(x: number): number {
  x = f32(x);
  if (Math.abs(x) === 1) return x * Infinity;
  if (Math.abs(x) > 1 || Number.isNaN(x)) return NaN;
  let w = -f32(Math.log1p(f32(-f32(x * x))));
  const lt = w < 5;
  const cs = lt ? W_LT_5 : W_GE_5;
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
