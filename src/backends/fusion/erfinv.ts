// XLA's float32 erf_inv (M. Giles, "Approximating the erfinv function", GPU Computing Gems, 2011),
// as XLA lowers it: w = -log1p(-x^2), then a degree-8 polynomial in w - 2.5 (w < 5) or in
// sqrt(w) - 3, times x. Every generated kernel evaluates exactly these float32 steps, so
// random.normal draws JAX's bits on every backend. src/lax/special.ts's erfInv32 (the eager
// kernel) holds the same coefficients; the tests check the two agree bit for bit.

const f32 = Math.fround;

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
