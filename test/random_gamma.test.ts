// random.gamma and the samplers built on it (loggamma, beta, dirichlet, chisquare, f, t,
// generalizedNormal, ball), poisson and binomial, and the lax special functions under them,
// against what JAX 0.10.2 prints for the same keys (scripts/jax_reference/random_gamma.py →
// test/fixtures/random_gamma_jax.json): draws, derivatives in the parameters, vmap over keys and
// jaxpr texts. Then sample moments against closed forms, and vmap over a batch of keys for every
// sampler in `random` against the loop over the keys.
//
// How exact the draws are (1000 draws per parameter from key(42)): poisson is bit-exact (6000 of
// 6000, Knuth and PTRS). With XLA's own exp, log and log1p (lax/special.ts) and glibc's powf
// (lax/libm32.ts), gamma and loggamma are bit-exact on cpu and wasm for a <= 5 and 97-99% at
// a = 30 and 1000 (within 6 ulps): there c = (1/3) rsqrt(d), and XLA's rsqrt refines the CPU's own
// rsqrtps estimate (AMD's and Intel's differ), which rounds unlike a true 1/sqrt for ~19% of d,
// a = 30 and 1000 among them; the ulp of c grows through v^3. No draw took a different
// accept/reject path. XLA flushes subnormal results to zero (gamma(0.01) draws below 2^-126 are 0
// in JAX). The lowering also reproduces XLA's rewrites `1 + x c` as one fused multiply-add and
// `(1/3) / sqrt(d)` as `(1/3) rsqrt(d)`.
import { readFileSync } from "node:fs";
import { describe, expect, it, test } from "vitest";
import { type Array as JaxArray, ArrayImpl, grad, jit, jnp, lax, makeJaxpr, random, vmap } from "../src/index.js";
import { backendName } from "../src/backends/backend.js";
import { type Expected, checkAnswer } from "./jax_answers.js";

type Draws = { dtype: string; shape: number[]; base64: string };
const FIXTURE = JSON.parse(readFileSync(new URL("./fixtures/random_gamma_jax.json", import.meta.url), "utf8")) as Record<string, unknown>;
const JAXPRS = FIXTURE.jaxprs as Record<string, string>;
const REF = FIXTURE as Record<string, Expected>;

const k = random.key(42);
const raw = random.PRNGKey(7);
const values = (x: JaxArray): number[] => Array.from((x as ArrayImpl).dataSync(), Number);
const ordinal = (x: number) => {
  const i = new Int32Array(new Float32Array([x]).buffer)[0];
  return i < 0 ? -(i & 0x7fffffff) : i;
};
const ulps = (a: number, b: number) => Math.abs(ordinal(a) - ordinal(b));

// ---- known answers --------------------------------------------------------------------------

const alphas = jnp.array([0.3, 1.0, 2.5, 7.0]);
const CASES: Record<string, () => JaxArray> = {
  gamma_scalar: () => random.gamma(k, 2.0),
  gamma_alphas: () => random.gamma(k, alphas),
  gamma_broadcast: () => random.gamma(k, alphas, [3, 4]),
  gamma_raw: () => random.gamma(raw, 0.7, [2, 3]),
  loggamma_alphas: () => random.loggamma(k, jnp.array([1e-3, 0.05, 1.0, 4.0])),
  beta: () => random.beta(k, 2.0, 5.0, [6]),
  beta_arr: () => random.beta(k, jnp.array([0.1, 1.0, 3.0]), jnp.array([[0.5], [2.0]])),
  dirichlet: () => random.dirichlet(k, jnp.array([0.5, 1.0, 2.0]), [4]),
  dirichlet_default: () => random.dirichlet(raw, jnp.array([[1.0, 1.0], [0.05, 0.1]])),
  chisquare: () => random.chisquare(k, 3.0, [6]),
  chisquare_df: () => random.chisquare(k, jnp.array([1.0, 2.5, 10.0])),
  f: () => random.f(k, 3.0, 7.0, [6]),
  t: () => random.t(k, 4.0, [6]),
  t_df: () => random.t(k, jnp.array([1.0, 3.0, 30.0])),
  generalized_normal: () => random.generalizedNormal(k, 1.5, [6]),
  ball: () => random.ball(k, 3, 2.0, [4]),
  poisson_lams: () => random.poisson(k, jnp.array([0.0, 0.1, 2.0, 9.99, 10.0, 50.0, 1e4])),
  poisson_broadcast: () => random.poisson(raw, jnp.array([1.0, 30.0]), [3, 2]),
  binomial: () => random.binomial(k, 10.0, 0.3, [8]),
  binomial_large: () => random.binomial(k, 200.0, 0.6, [8]),
  binomial_arr: () => random.binomial(k, jnp.array([0.0, 5.0, 40.0, 1000.0]), jnp.array([0.5, 0.9, 0.1, 0.45])),
  vmap_gamma: () => vmap((kk: JaxArray) => random.gamma(kk, 2.0))(random.split(k, 8)),
  vmap_gamma_shape: () => vmap((kk: JaxArray, a: JaxArray) => random.gamma(kk, a, [3]))(random.split(k, 4), jnp.array([0.5, 1.0, 2.0, 9.0])),
  vmap_poisson: () => vmap((kk: JaxArray) => random.poisson(kk, 4.0, [2]))(random.split(k, 4)),
  vmap_beta: () => vmap((kk: JaxArray) => random.beta(kk, 0.5, 0.5))(random.split(k, 4)),
};

// Derivatives in the parameters: JAX's implicit reparameterization through lax.random_gamma_grad.
const GRADS: Record<string, () => JaxArray> = {
  grad_gamma: () => grad((a: JaxArray) => random.gamma(k, a).sum())(jnp.array([0.1, 0.5, 1.0, 2.0, 5.0, 30.0])),
  grad_loggamma: () => grad((a: JaxArray) => random.loggamma(k, a).sum())(jnp.array([0.01, 0.5, 2.0, 30.0])),
  grad_beta: () => grad((a: JaxArray) => random.beta(k, a, 2.0, [3]).sum())(1.5),
  grad_dirichlet: () => grad((a: JaxArray) => random.dirichlet(k, a).mul(jnp.array([1.0, 2.0, 3.0])).sum())(jnp.array([0.5, 1.0, 2.0])),
  grad_chisquare: () => grad((d: JaxArray) => random.chisquare(k, d, [4]).sum())(3.0),
  grad_t: () => grad((d: JaxArray) => random.t(k, d, [4]).sum())(5.0),
};

const f32 = (v: number[]) => jnp.array(v);
const AX = [0.5, 1.0, 2.0, 5.0, 30.0, 0.1, 1e-3, 100.0];
const XX = [0.5, 2.0, 1.0, 3.0, 25.0, 1e-5, 1.0, 120.0];
const SPECIAL: Record<string, () => JaxArray> = {
  lgamma: () => lax.lgamma(f32([0.5, 1.0, 2.0, 3.0, 7.75, -2.5, 1e-3, 100.0, 1e30])),
  digamma: () => lax.digamma(f32([0.5, 1.0, 2.0, 7.75, -2.5, 1e-3, 100.0, 0.0, -1.0])),
  polygamma: () => lax.polygamma(f32([1.0, 2.0, 3.0, 1.0, 0.0, 1.5]), f32([0.5, 2.0, 3.5, 10.0, 2.0, 2.0])),
  zeta: () => lax.zeta(f32([2.0, 3.0, 2.5, 1.0, 0.5]), f32([1.0, 0.5, 3.0, 2.0, 2.0])),
  igamma: () => lax.igamma(f32([...AX, 0.0, 3.0]), f32([...XX, 1.0, Infinity])),
  igammac: () => lax.igammac(f32(AX), f32(XX)),
  igamma_grad_a: () => lax.igammaGradA(f32(AX), f32(XX)),
  random_gamma_grad: () => lax.randomGammaGrad(f32(AX), f32(XX)),
};

describe("draws, derivatives and special functions match JAX's", () => {
  // Floats within 16 ulps (or 1e-6: lgamma near its zeros, where XLA's Lanczos sum is 2^-21 off);
  // integer draws (poisson) and integer-valued floats (binomial) exactly.
  it.each(Object.keys(CASES))("%s", (name) => checkAnswer(name, CASES[name](), REF[name], { ulps: 16, atol: 1e-6 }));
  it.each(Object.keys(GRADS))("%s", (name) => checkAnswer(name, GRADS[name](), REF[name], { ulps: 16, atol: 1e-6 }));
  it.each(Object.keys(SPECIAL))("%s", (name) => checkAnswer(name, SPECIAL[name](), REF[name], { ulps: 16, atol: 1e-6 }));
});

// ---- exactness over many draws ----------------------------------------------------------------

function decode(w: Draws): Float32Array | Int32Array {
  const b = Buffer.from(w.base64, "base64");
  const buf = b.buffer.slice(b.byteOffset, b.byteOffset + b.length);
  return w.dtype === "int32" ? new Int32Array(buf) : new Float32Array(buf);
}

describe("1000 draws per parameter against JAX's", () => {
  const many = Object.keys(FIXTURE).filter((n) => /^(gamma|loggamma|poisson)_\d/.test(n));
  it("covers gamma and loggamma at 10 shapes, poisson at 6 rates", () => expect(many.length).toBe(26));
  it.each(many)("%s", (name) => {
    const p = Number(name.split("_")[1]);
    const kind = name.split("_")[0];
    const got = kind === "gamma" ? random.gamma(k, p, [1000]) : kind === "loggamma" ? random.loggamma(k, p, [1000]) : random.poisson(k, p, [1000]);
    const g = values(got);
    const w = decode(FIXTURE[name] as Draws);
    if (kind === "poisson") {
      expect(g).toEqual(Array.from(w)); // bit-exact: both loops, every draw
      return;
    }
    let exact = 0;
    const far: string[] = [];
    g.forEach((v, i) => {
      if (v === w[i]) exact++;
      // JAX (XLA on CPU) flushes subnormal results to zero.
      else if (w[i] === 0 && Math.abs(v) < 2 ** -126) exact++;
      else if (ulps(v, w[i]) > 16 && Math.abs(v - w[i]) > 1e-5) far.push(`[${i}] ${v} vs ${w[i]}`);
    });
    expect(far, "draws more than 16 ulps (and 1e-5) from JAX's").toEqual([]);
    // The bit-exact share (see the header): 97-100%, cpu and wasm alike.
    expect(exact / g.length).toBeGreaterThanOrEqual(0.96);
  });
});

// ---- jaxprs -----------------------------------------------------------------------------------

describe("jaxprs print as JAX's", () => {
  const one = (v: number) => jnp.array(v);
  const T: Record<string, () => unknown> = {
    gamma: () => makeJaxpr((kk: JaxArray, a: JaxArray) => random.gamma(kk, a, [3]))(k, 2.0),
    loggamma: () => makeJaxpr((kk: JaxArray, a: JaxArray) => random.loggamma(kk, a))(k, jnp.ones([2])),
    beta: () => makeJaxpr((kk: JaxArray) => random.beta(kk, 2.0, 3.0, [2]))(k),
    chisquare: () => makeJaxpr((kk: JaxArray) => random.chisquare(kk, 3.0, [2]))(k),
    poisson: () => makeJaxpr((kk: JaxArray) => random.poisson(kk, 3.0, [2]))(k),
    vmap_gamma: () => makeJaxpr(vmap((kk: JaxArray, a: JaxArray) => random.gamma(kk, a)))(random.split(k, 3), jnp.ones([3])),
    random_gamma_grad: () => makeJaxpr((a: JaxArray, x: JaxArray) => lax.randomGammaGrad(a, x))(one(2.0), jnp.ones([3])),
    grad_igamma: () => makeJaxpr(grad((a: JaxArray, x: JaxArray) => lax.igamma(a, x), { argnums: [0, 1] }))(one(2.0), one(1.5)),
    grad2_lgamma: () => makeJaxpr(grad(grad((x: JaxArray) => lax.lgamma(x))))(one(2.0)),
  };
  it("has every text JAX printed", () => expect(Object.keys(T).sort()).toEqual(Object.keys(JAXPRS).sort()));
  it.each(Object.keys(T))("%s", (name) => expect(String(T[name]())).toBe(JAXPRS[name]));
});

// ---- distributions ----------------------------------------------------------------------------

const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
const variance = (xs: number[]) => {
  const m = mean(xs);
  return xs.reduce((s, v) => s + (v - m) ** 2, 0) / (xs.length - 1);
};
const gammaFn = (x: number): number => Math.exp(values(lax.lgamma(jnp.array(x)))[0]);

test("sample moments match the distributions' closed forms", { timeout: 120_000 }, () => {
  const n = 4000;
  const key = random.key(3);
  // Within 4.5 standard errors of the estimate (se for a mean sqrt(var / n); for a variance
  // var sqrt((kurtosis - 1) / n)).
  const near = (got: number, want: number, se: number) => expect(Math.abs(got - want), `${got} vs ${want}`).toBeLessThan(4.5 * se);
  const meanVar = (xs: number[], m: number, v: number, kurt: number) => {
    near(mean(xs), m, Math.sqrt(v / xs.length));
    near(variance(xs), v, v * Math.sqrt((kurt - 1) / xs.length));
  };
  for (const a of [0.2, 1, 3.5, 40]) {
    const g = values(random.gamma(key, a, [n]));
    meanVar(g, a, a, 3 + 6 / a);
    expect(Math.min(...g)).toBeGreaterThanOrEqual(0);
  }
  // Log-space draws are the logs of the same draws (JAX's contract for loggamma).
  const lg = values(random.loggamma(key, 0.3, [1000]));
  values(random.gamma(key, 0.3, [1000])).forEach((v, i) => expect(Math.abs(Math.exp(lg[i]) - v)).toBeLessThanOrEqual(1e-5 * v + 1e-30));
  meanVar(values(random.beta(key, 2, 5, [n])), 2 / 7, 10 / (49 * 8), 2.88);
  const d = values(random.dirichlet(key, jnp.array([0.5, 1, 2.5]), [n]));
  [0.5, 1, 2.5].forEach((al, j) => near(mean(d.filter((_, i) => i % 3 === j)), al / 4, Math.sqrt(((al / 4) * (1 - al / 4)) / 5 / n)));
  meanVar(values(random.chisquare(key, 3, [n])), 3, 6, 7);
  meanVar(values(random.t(key, 6, [n])), 0, 1.5, 9);
  near(mean(values(random.f(key, 4, 10, [n]))), 10 / 8, Math.sqrt((2 * 100 * 12) / (4 * 64 * 6) / n));
  const p = 1.5;
  near(variance(values(random.generalizedNormal(key, p, [n]))), gammaFn(3 / p) / gammaFn(1 / p), 0.02);
  const ball = values(random.ball(key, 3, 2, [n]));
  const radii = Array.from({ length: n }, (_, i) => Math.hypot(ball[3 * i], ball[3 * i + 1], ball[3 * i + 2]));
  expect(Math.max(...radii)).toBeLessThanOrEqual(1);
  near(mean(radii.map((r) => r ** 3)), 0.5, Math.sqrt(1 / 12 / n)); // r^3 is uniform in a 3-ball
  for (const lam of [0.7, 6, 35, 900]) meanVar(values(random.poisson(key, lam, [n])), lam, lam, 3 + 1 / lam);
  for (const [cnt, q] of [[12, 0.3], [500, 0.4], [80, 0.95]]) {
    const x = values(random.binomial(key, cnt, q, [n]));
    const v = cnt * q * (1 - q);
    meanVar(x, cnt * q, v, 3 + (1 - 6 * q * (1 - q)) / v);
    expect(x.every((z) => Number.isInteger(z) && z >= 0 && z <= cnt)).toBe(true);
  }
});

test("gradients: d sample / d a keeps the CDF fixed (finite differences of P(a, x) at the draw)", () => {
  // Implicit reparameterization: dx/da = -(dP/da) / (dP/dx), with dP/dx the Gamma(a) density.
  const a = jnp.array([0.4, 1.3, 6.0]);
  const x = random.gamma(k, a);
  const dx = values(grad((al: JaxArray) => random.gamma(k, al).sum())(a));
  const [av, xv] = [values(a), values(x)];
  av.forEach((al, i) => {
    const dPda = values(lax.igammaGradA(jnp.array(al), jnp.array(xv[i])))[0];
    const density = Math.exp((al - 1) * Math.log(xv[i]) - xv[i] - values(lax.lgamma(jnp.array(al)))[0]);
    expect(Math.abs(dx[i] + dPda / density) / Math.abs(dx[i])).toBeLessThan(1e-4);
  });
});

// ---- transformations ----------------------------------------------------------------------------

test("jit draws what eager draws", () => {
  const f = (kk: JaxArray) => [
    random.gamma(kk, jnp.array([0.5, 3])), random.loggamma(kk, 2, [2]), random.beta(kk, 1, 2, [2]), random.dirichlet(kk, jnp.ones([3])),
    random.poisson(kk, jnp.array([2, 40])), random.binomial(kk, 30, 0.2, [2]), random.t(kk, 3, [2]), random.ball(kk, 2),
  ];
  const [eager, jitted] = [f(k), jit(f)(k)];
  eager.forEach((e, i) => expect(values(jitted[i])).toEqual(values(e)));
});

test("the derivative of gamma draws under jit, of jit, and in log space", () => {
  const a = jnp.array([0.3, 2.0]);
  const want = values(GRADS.grad_gamma());
  const g = (al: JaxArray) => random.gamma(k, al).sum();
  const full = jnp.array([0.1, 0.5, 1.0, 2.0, 5.0, 30.0]);
  expect(values(jit(grad(g))(full))).toEqual(want);
  expect(values(grad(jit(g))(full))).toEqual(want);
  // d log x / da = (dx / da) / x.
  const x = values(random.gamma(k, a));
  const dlog = values(grad((al: JaxArray) => random.loggamma(k, al).sum())(a));
  const dx = values(grad(g)(a));
  dlog.forEach((v, i) => expect(Math.abs(v - dx[i] / x[i]) / Math.abs(v)).toBeLessThan(1e-5));
});

// vmap over a batch of keys: one draw per key, equal to the loop over the keys (JAX's semantics).
describe("vmap over keys equals the loop over keys, for every sampler", () => {
  const keys = random.split(random.key(0), 4);
  const cov = jnp.array([
    [2.0, 0.3],
    [0.3, 1.0],
  ]);
  const S: Record<string, (kk: JaxArray) => JaxArray> = {
    uniform: (kk) => random.uniform(kk, [3], "float32", -2, 5),
    normal: (kk) => random.normal(kk, [3]),
    bits: (kk) => random.bits(kk, [3]),
    bits8: (kk) => random.bits(kk, [3], "uint8"),
    randint: (kk) => random.randint(kk, [3], 0, 10),
    bernoulli: (kk) => random.bernoulli(kk, 0.3, [3]),
    categorical: (kk) => random.categorical(kk, jnp.array([0.1, 0.5, 2.0]), -1, [3]),
    permutation: (kk) => random.permutation(kk, 5),
    permutation_independent: (kk) => random.permutation(kk, jnp.arange(6).reshape([2, 3]), 1, true),
    choice: (kk) => random.choice(kk, 5, [3]),
    choice_without_replacement: (kk) => random.choice(kk, 5, [3], false),
    choice_p: (kk) => random.choice(kk, 4, [3], true, jnp.array([0.1, 0.2, 0.3, 0.4])),
    choice_p_without_replacement: (kk) => random.choice(kk, 4, [2], false, jnp.array([0.1, 0.2, 0.3, 0.4])),
    split: (kk) => random.keyData(random.split(kk, 2)),
    foldIn: (kk) => random.keyData(random.foldIn(kk, 3)),
    truncatedNormal: (kk) => random.truncatedNormal(kk, -1, 1, [3]),
    gumbel: (kk) => random.gumbel(kk, [3]),
    exponential: (kk) => random.exponential(kk, [3]),
    laplace: (kk) => random.laplace(kk, [3]),
    logistic: (kk) => random.logistic(kk, [3]),
    rademacher: (kk) => random.rademacher(kk, [3]),
    cauchy: (kk) => random.cauchy(kk, [3]),
    lognormal: (kk) => random.lognormal(kk, 0.5, [3]),
    pareto: (kk) => random.pareto(kk, 3, [3]),
    rayleigh: (kk) => random.rayleigh(kk, 2, [3]),
    weibullMin: (kk) => random.weibullMin(kk, 2, 1.5, [3]),
    triangular: (kk) => random.triangular(kk, 0, 1, 3, [3]),
    maxwell: (kk) => random.maxwell(kk, [3]),
    doubleSidedMaxwell: (kk) => random.doubleSidedMaxwell(kk, 1, 2, [3]),
    geometric: (kk) => random.geometric(kk, 0.3, [3]),
    multivariateNormal: (kk) => random.multivariateNormal(kk, jnp.zeros([2]), cov, [3]),
    gamma: (kk) => random.gamma(kk, 2.0),
    gamma_alphas: (kk) => random.gamma(kk, jnp.array([0.3, 2.0, 9.0])),
    loggamma: (kk) => random.loggamma(kk, 0.5, [3]),
    beta: (kk) => random.beta(kk, 0.5, 2.0, [3]),
    dirichlet: (kk) => random.dirichlet(kk, jnp.array([0.5, 1, 2])),
    chisquare: (kk) => random.chisquare(kk, 3, [3]),
    f: (kk) => random.f(kk, 3, 5, [3]),
    t: (kk) => random.t(kk, 4, [3]),
    generalizedNormal: (kk) => random.generalizedNormal(kk, 1.5, [3]),
    ball: (kk) => random.ball(kk, 3, 2, [2]),
    poisson: (kk) => random.poisson(kk, jnp.array([0.5, 4, 30])),
    binomial: (kk) => random.binomial(kk, jnp.array([5, 50, 400]), 0.3),
  };
  // tfjs-wasm's exp and log differ by an ulp between SIMD lanes and the scalar tail, so a batch
  // can round an element differently from its own call there; the cpu backend is exact.
  const tol = backendName() === "cpu" ? 0 : 2;
  it.each(Object.keys(S))("%s", (name) => {
    const f = S[name];
    const loop = [0, 1, 2, 3].map((i) => values(f(keys.get(i)))).flat();
    for (const batched of [vmap(f)(keys), jit(vmap(f))(keys)]) {
      const got = values(batched);
      expect(got.length).toBe(loop.length);
      const bad = got.flatMap((v, i) => (v === loop[i] || (Number.isNaN(v) && Number.isNaN(loop[i])) || ulps(v, loop[i]) <= tol ? [] : [`[${i}] ${v} vs ${loop[i]}`]));
      expect(bad).toEqual([]);
    }
  });
});

// ---- arguments ------------------------------------------------------------------------------

test("arguments are checked as JAX checks them", () => {
  expect(() => random.gamma(k, 1, [2], "int32")).toThrow("dtype argument to `gamma` must be a float dtype, got int32");
  expect(() => random.loggamma(k, 1, [2], "int32")).toThrow("dtype argument to `gamma` must be a float dtype, got int32");
  expect(() => random.poisson(k, 1, [2], "float32")).toThrow("dtype argument to `poisson` must be an int dtype, got float32");
  expect(() => random.gamma(k, jnp.ones([2, 3]), [3])).toThrow(
    "gamma parameter shapes must be broadcast-compatible with shape argument, and the result of broadcasting the shapes must equal the shape argument, but got result (2, 3) for shape argument (3,).",
  );
  expect(() => random.dirichlet(k, jnp.array(1.0))).toThrow("dirichlet requires alpha.ndim >= 1, got alpha.ndim == 0");
  expect(() => random.gamma(random.split(k, 2), 1)).toThrow("gamma accepts a single key, but was given a key array of shape (2,) != (). Use jax.vmap for batching.");
  // Shapes: gamma's default is a's shape; beta's the broadcast of a and b; dirichlet's adds alpha's last axis.
  expect(random.gamma(k, jnp.ones([2, 3])).shape).toEqual([2, 3]);
  expect(random.beta(k, jnp.ones([3]), jnp.ones([2, 1])).shape).toEqual([2, 3]);
  expect(random.dirichlet(k, jnp.ones([4]), [2, 5]).shape).toEqual([2, 5, 4]);
  expect(random.poisson(k, 3, [2, 2]).dtype).toBe("int32");
  expect(random.binomial(k, 3, 0.5).dtype).toBe("float32");
});
