// jax.random breadth: each sampler below draws from the same key as
// scripts/jax_reference/random_breadth.py, whose draws (printed by JAX itself) are
// test/fixtures/random_breadth_jax.json. The uniform and normal bits underneath are bit-exact
// (test/prng.test.ts). Samplers built on log, log1p and exp (XLA's own float32 functions on cpu
// and wasm, lax/special.ts) draw JAX's exact bits (EXACT); the others agree to a few float32 ulps
// (tan, pow, sqrt, gamma kernels round differently from XLA's), integers exactly. Then sample
// moments for the shapes.
import { describe, expect, it, test } from "vitest";
import { type Array as JaxArray, ArrayImpl, jit, jnp, random } from "../src/index.js";
import { checkAnswer, loadAnswers } from "./jax_answers.js";

const REF = loadAnswers("random_breadth_jax.json");
const k = random.key(42);
const raw = random.PRNGKey(7);
const cov = jnp.array([
  [2.0, 0.3, 0.1],
  [0.3, 1.0, -0.2],
  [0.1, -0.2, 0.5],
]);

const CASES: Record<string, () => JaxArray> = {
  cauchy: () => random.cauchy(k, [6]),
  cauchy_raw: () => random.cauchy(raw, [2, 3]),
  lognormal: () => random.lognormal(k, 1, [5]),
  lognormal_sigma: () => random.lognormal(k, jnp.array([0.5, 2.0]), [3, 2]),
  pareto: () => random.pareto(k, 3.0, [5]),
  pareto_b: () => random.pareto(k, jnp.array([1.0, 2.5, 4.0])),
  rayleigh: () => random.rayleigh(k, 2.0, [5]),
  rayleigh_scale: () => random.rayleigh(k, jnp.array([1.0, 0.5])),
  weibull_min: () => random.weibullMin(k, 2.0, 1.5, [5]),
  weibull_min_arr: () => random.weibullMin(k, jnp.array([1.0, 3.0]), jnp.array([0.7, 2.0]), [2]),
  triangular: () => random.triangular(k, -1.0, 0.5, 2.0, [6]),
  triangular_arr: () => random.triangular(k, jnp.array([0.0, -2.0]), jnp.array([0.2, 0.0]), jnp.array([1.0, 5.0])),
  maxwell: () => random.maxwell(k, [5]),
  double_sided_maxwell: () => random.doubleSidedMaxwell(k, 1.0, 2.0, [5]),
  double_sided_maxwell_arr: () => random.doubleSidedMaxwell(k, jnp.array([0.0, 10.0]), 1.0, [3]),
  geometric: () => random.geometric(k, 0.3, [8]),
  geometric_p: () => random.geometric(k, jnp.array([0.9, 0.05]), [3, 2]),
  multivariate_normal: () => random.multivariateNormal(k, jnp.array([1.0, -1.0, 0.0]), cov, [4]),
  multivariate_normal_default: () => random.multivariateNormal(k, jnp.zeros([2, 3]), cov),
};

// Bit for bit on cpu and wasm (also on 2^20 draws, test/random_exact.test.ts).
const EXACT = new Set([
  "lognormal", "lognormal_sigma", "rayleigh", "rayleigh_scale", "triangular", "triangular_arr", "geometric", "geometric_p",
  "pareto", "pareto_b",
]);

describe("samplers draw JAX's numbers", () => {
  it("every reference has a case and every case a reference", () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(REF).sort());
  });
  it.each(Object.keys(CASES))("%s", (name) => checkAnswer(name, CASES[name](), REF[name], EXACT.has(name) ? { ulps: 0, atol: 0 } : { ulps: 16, atol: 1e-6 }));
});

const values = (x: JaxArray) => Array.from((x as ArrayImpl).dataSync());
const meanOf = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1];

test("sample statistics match the distributions' closed forms", () => {
  const n = 40000;
  const key = random.key(3);
  // Medians and means with standard errors well inside the tolerances at n = 40000.
  expect(median(values(random.cauchy(key, [n])))).toBeCloseTo(0, 1);
  expect(meanOf(values(random.lognormal(key, 0.5, [n])))).toBeCloseTo(Math.exp(0.125), 1);
  expect(meanOf(values(random.pareto(key, 4, [n])))).toBeCloseTo(4 / 3, 1);
  expect(meanOf(values(random.rayleigh(key, 2, [n])))).toBeCloseTo(2 * Math.sqrt(Math.PI / 2), 1);
  expect(meanOf(values(random.weibullMin(key, 1, 2, [n])))).toBeCloseTo(Math.sqrt(Math.PI) / 2, 1); // Gamma(1.5)
  expect(meanOf(values(random.triangular(key, 0, 1, 4, [n])))).toBeCloseTo(5 / 3, 1);
  expect(meanOf(values(random.maxwell(key, [n])))).toBeCloseTo(2 * Math.sqrt(2 / Math.PI), 1);
  expect(meanOf(values(random.doubleSidedMaxwell(key, 3, 1, [n])))).toBeCloseTo(3, 1);
  const g = values(random.geometric(key, 0.25, [n]));
  expect(Math.min(...g)).toBe(1);
  expect(meanOf(g)).toBeCloseTo(4, 0);
  // Sample covariance of multivariate normal draws approaches cov.
  const z = random.multivariateNormal(key, jnp.zeros([3]), cov, [n]);
  const c = values(jnp.cov(z, { rowvar: false }));
  values(cov).forEach((w, i) => expect(c[i]).toBeCloseTo(w, 1));
});

test("samplers trace into one jit and check their arguments as JAX does", () => {
  const f = jit((key: JaxArray) => random.cauchy(key, [3]).add(random.geometric(key, 0.5, [3]).astype("float32")));
  expect(values(f(k))).toEqual(values(random.cauchy(k, [3]).add(random.geometric(k, 0.5, [3]).astype("float32"))));
  expect(() => random.geometric(k, 0.5, [2], "float32")).toThrow("dtype argument to `geometric` must be an int dtype, got float32");
  expect(() => random.pareto(k, jnp.ones([2, 3]), [3])).toThrow(
    "pareto parameter shapes must be broadcast-compatible with shape argument, and the result of broadcasting the shapes must equal the shape argument, but got result (2, 3) for shape argument (3,).",
  );
  expect(() => random.pareto(k, jnp.ones([3]), [2])).toThrow("Incompatible shapes for broadcasting: shapes=[(2,), (3,)]");
  expect(() => random.multivariateNormal(k, jnp.zeros([2]), cov)).toThrow("multivariate_normal requires cov.shape == (..., n, n) for n=2, but got cov.shape == (3, 3).");
  expect(() => random.multivariateNormal(k, jnp.zeros([3]), cov, null, null, "svd")).toThrow(/tfjax does not have yet/);
});
