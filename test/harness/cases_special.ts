// Records for the gamma-family special functions (lgamma, digamma, polygamma, zeta, igamma,
// igammac, igamma_grad_a) and the random_gamma primitive, in the harness's format (cases.ts).
// References are float64 and independent of XLA's formulas: Stirling's series with shifts and
// reflection, the Euler-Maclaurin zeta, the power series and Lentz's continued fraction of the
// incomplete gamma function. random_gamma's are JAX's own draws (its known answers) carried along
// a: x(a) = P^-1(a, P(a0, x0)) keeps the CDF of JAX's draw x0 fixed, which is exactly the
// implicit reparameterization whose derivative random_gamma's jvp computes.
import "../../src/index.js";
import type { DType } from "../../src/dtypes.js";
import type { Params } from "../../src/jaxpr/jaxpr.js";
import type { Case } from "./cases.js";
import { type Host, f32, host, zipWith } from "./ref.js";

export const specialCases: Case[] = [];

const label = (x: Host) => `${x.literal ? "literal " : ""}${x.dtype}[${x.shape}]`;
function add(prim: string, inputs: Host[], ref: Case["ref"], ulps: number, what = "", params: Params = {}): void {
  let name = `${prim}(${inputs.map(label).join(", ")})${what ? ` ${what}` : ""}`;
  for (let k = 2; specialCases.some((c) => c.name === name); k++) name = name.replace(/( #\d+)?$/, ` #${k}`);
  // The lowerings compile lax code once per type and keep it, as jit does (JAX's lower_fun).
  specialCases.push({ prim, name, inputs, params, ref, ulps, caches: true });
}
function addError(prim: string, inputs: Host[], error: string): void {
  specialCases.push({ prim, name: `${prim} error: ${error}`, inputs, params: {}, ulps: 0, error });
}
const F = (...v: number[]): Host => host("float32", v);
const lit = (v: number): Host => ({ ...host("float32", [v], []), literal: true });
const elementwise = (fn: (...v: number[]) => number) => (...xs: Host[]): Host[] => [zipWith("float32", xs, (...v) => f32(fn(...v)))];

// ---- float64 references -----------------------------------------------------------------------

/** log |Gamma(x)|: Stirling's series above 15 (shifted up from below), reflection below 1/2. */
function lgamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (!Number.isFinite(x)) return Infinity;
  if (x <= 0 && x === Math.floor(x)) return Infinity;
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  let shift = 0;
  while (x < 15) {
    shift += Math.log(x);
    x += 1;
  }
  const z = 1 / (x * x);
  const series = (1 / 12 - z * (1 / 360 - z * (1 / 1260 - z * (1 / 1680 - z * (1 / 1188))))) / x;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + series - shift;
}

/** digamma: the asymptotic series above 15 (shifted up from below), reflection below 1/2. */
function digamma(x: number): number {
  if (Number.isNaN(x) || (x <= 0 && x === Math.floor(x))) return NaN;
  if (x < 0.5) return digamma(1 - x) - Math.PI / Math.tan(Math.PI * x);
  let shift = 0;
  while (x < 15) {
    shift += 1 / x;
    x += 1;
  }
  const z = 1 / (x * x);
  return Math.log(x) - 0.5 / x - z * (1 / 12 - z * (1 / 120 - z * (1 / 252 - z * (1 / 240 - z / 132)))) - shift;
}

/** Hurwitz zeta(s, q) for s > 1, q > 0: 12 terms summed, then Euler-Maclaurin with 8 Bernoulli terms. */
function zeta(s: number, q: number): number {
  if (s === 1) return Infinity;
  if (!(s > 1) || !(q > 0)) return NaN;
  const n = 12;
  let sum = 0;
  for (let k = 0; k < n; k++) sum += Math.pow(q + k, -s);
  const a = q + n;
  sum += Math.pow(a, 1 - s) / (s - 1) + 0.5 * Math.pow(a, -s);
  const B = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510];
  let fact = 1; // (2k)!
  let rising = s; // s (s+1) ... (s+2k-2)
  for (let k = 1; k <= B.length; k++) {
    fact *= (2 * k - 1) * 2 * k;
    sum += (B[k - 1] / fact) * rising * Math.pow(a, -s - 2 * k + 1);
    rising *= (s + 2 * k - 1) * (s + 2 * k);
  }
  return sum;
}

const factorial = (m: number): number => (m <= 1 ? 1 : m * factorial(m - 1));
/** polygamma(m, x) = (-1)^(m+1) m! zeta(m + 1, x) for natural m (digamma at 0). */
const polygamma = (m: number, x: number) => (m !== Math.floor(m) || m < 0 ? NaN : m === 0 ? digamma(x) : (m % 2 ? 1 : -1) * factorial(m) * zeta(m + 1, x));

/** The regularized lower incomplete gamma function P(a, x): its series below a + 1, else 1 - Q by Lentz's continued fraction. */
function igamma(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || x < 0 || a < 0 || (a === 0 && x === 0)) return NaN;
  if (x === 0) return 0;
  if (x === Infinity || a === 0) return 1;
  const logPrefix = a * Math.log(x) - x - lgamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10000 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
      term *= x / (a + n);
      sum += term;
    }
    return sum * Math.exp(logPrefix);
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    d = Math.abs(d) < tiny ? tiny : d;
    c = b + an / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return 1 - Math.exp(logPrefix) * h;
}
const igammac = (a: number, x: number) => 1 - igamma(a, x);
/** dP/da by Richardson-extrapolated central differences of the float64 P (error ~1e-10). */
function igammaGradA(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0) || Number.isNaN(x)) return NaN;
  if (x === 0) return 0;
  const h = 1e-3 * a;
  const d = (k: number) => (igamma(a + k, x) - igamma(a - k, x)) / (2 * k);
  return (4 * d(h / 2) - d(h)) / 3;
}

/** x with P(a, x) = p, by bisection on a bracket grown from 1 (P increases in x). */
function igammaInv(a: number, p: number): number {
  if (Number.isNaN(a) || Number.isNaN(p)) return NaN;
  let [lo, hi] = [0, 1];
  while (igamma(a, hi) < p) [lo, hi] = [hi, 2 * hi];
  for (let i = 0; i < 200 && hi - lo > 1e-17 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (igamma(a, mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

// ---- lgamma, digamma, polygamma, zeta -----------------------------------------------------------
// XLA's float32 formulas (Lanczos, g = 7) lose relative precision near the zeros of lgamma (1, 2)
// and of digamma (1.4616...): the points stay clear of them.

add("lgamma", [F(0.5, 3, 7.75, 0.1, 1e-3, 25, 100, 1e4, 1e30, -2.5, -0.3, -7.2)], elementwise(lgamma), 16);
add("lgamma", [F(0, -1, -2, Infinity, -Infinity, NaN, 3e38)], elementwise((x) => (x === 3e38 || Math.fround(x) === Math.fround(3e38) ? Infinity : lgamma(x))), 0, "poles and specials (XLA overflows at 3e38)");
add("lgamma", [host("float32", [0.5, 4.25], [2, 1])], elementwise(lgamma), 16);
add("digamma", [F(0.5, 3, 7.75, 0.1, 1e-3, 25, 100, 1e4, -2.5, -0.3, 2.5, 0.9)], elementwise(digamma), 16);
add("digamma", [F(0, -1, -2, NaN, Infinity)], elementwise((x) => (x === Infinity ? Infinity : digamma(x))), 0, "poles and specials");
add("polygamma", [lit(1), F(0.5, 3, 7.75, 0.3, 25, 2.5)], elementwise(polygamma), 16);
add("polygamma", [lit(2), F(0.5, 3, 7.75, 0.3, 25, 2.5)], elementwise(polygamma), 16);
add("polygamma", [F(0, 1, 3, 1.5, -1), F(2.5, 2.5, 4, 2, 2)], elementwise(polygamma), 16, "m an array (non-natural m: NaN)");
add("zeta", [F(2, 3, 2.5, 6, 1, 0.5), F(1, 0.5, 3, 2, 2, 2)], elementwise(zeta), 8);
add("zeta", [lit(3), F(0.25, 1, 4, 10, 100)], elementwise(zeta), 8);
addError("lgamma", [host("int32", [1])], "lgamma does not accept dtype int32. Accepted dtypes are subtypes of floating.");
addError("zeta", [F(2), host("int32", [1])], "zeta does not accept dtype int32 at position 1. Accepted dtypes at position 1 are subtypes of floating.");

// ---- the incomplete gamma functions -------------------------------------------------------------
// Both branches (series for x < max(1, a), continued fraction above), small and large a, and the
// specials JAX defines (x = 0, x = inf, a = 0, domain errors).

const A = F(0.5, 1, 2, 5, 0.1, 1e-3, 3.5, 12);
const X = F(0.5, 2, 1, 3, 1e-5, 1, 7, 4);
// With a ~ 100 the prefix exp(a log x - x - lgamma(a)) inherits the error of an exponent near
// 100 in float32, hundreds of ulps (JAX's own igamma(30, 25) is 106 ulps off).
const [AL, XL] = [F(30, 100, 60), F(25, 120, 55)];
add("igamma", [A, X], elementwise(igamma), 32);
add("igamma", [AL, XL], elementwise(igamma), 1024, "large a");
add("igamma", [F(0, 0, -1, 1, NaN, 3, 2), F(0, 1, 1, -1, 1, Infinity, 0)], elementwise(igamma), 0, "specials");
add("igamma", [lit(2.5), F(0.5, 2, 4, 9)], elementwise(igamma), 32);
add("igammac", [A, X], elementwise(igammac), 32);
add("igammac", [AL, XL], elementwise(igammac), 1024, "large a");
add("igammac", [F(0, 0, -1, 1, NaN, 3, 2), F(0, 1, 1, -1, 1, Infinity, 0)], elementwise((a, x) => (a === 0 && x > 0 ? 0 : igammac(a, x))), 0, "specials");
add("igamma_grad_a", [A, X], elementwise(igammaGradA), 64);
add("igamma_grad_a", [AL, XL], elementwise(igammaGradA), 1024, "large a");
add("igamma_grad_a", [F(0, -1, 1, NaN, 2), F(1, 1, -1, 1, 0)], elementwise(igammaGradA), 0, "specials");

// ---- random_gamma -------------------------------------------------------------------------------
// random_gamma_p.bind(key, a, log_space) as JAX 0.10.2 draws it (scripts/jax_reference has the
// same keys). The references extend each draw x0 at a0 to x(a) = P^-1(a, P(a0, x0)).

const KEYT: DType = "key<fry>";
const keys = (shape: number[], data: number[]): Host => ({ dtype: KEYT, shape, data });
function drawn(a0: number[], x0: number[], logSpace: boolean) {
  const u = a0.map((a, i) => igamma(a, logSpace ? Math.exp(x0[i]) : x0[i]));
  return (_key: Host, a: Host): Host[] => {
    const x = a.data.map((v, i) => igammaInv(v, u[i]));
    return [{ dtype: "float32", shape: [...a.shape], data: x.map((v) => f32(logSpace ? Math.log(v) : v)) }];
  };
}
const gammaCase = (key: Host, a: Host, x0: number[], logSpace: boolean, what: string) =>
  add("random_gamma", [key, a], drawn(a.data, x0, logSpace), 4, what, { log_space: logSpace });

gammaCase(keys([], [0, 42]), F(0.5, 1, 2.5, 7), [0.9994542, 0.33158407, 4.1941113, 5.5609684], false, "key(42)");
gammaCase(keys([], [0, 42]), host("float32", [0.3, 3, 1.5, 20], [2, 2]), [-0.8295456, 0.65190315, 1.0223472, 2.8746781], true, "key(42), log space");
gammaCase(keys([2], [507451445, 1853169794, 1948878966, 4237131848]), host("float32", [0.8, 2, 4, 0.2], [2, 2]), [0.30802035, 0.82416415, 2.5778463, 1.0716904], false, "split(key(1)): a key per row");
