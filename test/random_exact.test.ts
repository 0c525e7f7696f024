// JAX's own draws (scripts/jax_reference/random_exact.py → test/fixtures/random_exact_jax.json,
// float32 bit patterns), bit for bit, eagerly and under jit, in both stream modes. Exactness needs
// XLA's arithmetic: _uniform's scale-and-shift and erf_inv's polynomials as fused multiply-adds,
// and XLA's own float32 log1p (inside erf_inv too), log and exp (lax/special.ts). Also run in the
// browser on WebGL (test/browser/prng.test.ts), where it holds on SwiftShader's IEEE float32.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Array, config, getBackend, jit, random } from "../src/index.js";
import FIXTURE from "./fixtures/random_exact_jax.json" with { type: "json" };

const SAMPLERS: Record<string, (k: Array, n: number) => Array> = {
  normal: (k, n) => random.normal(k, [n]),
  "uniform_-3_7": (k, n) => random.uniform(k, [n], "float32", -3, 7),
  uniform_tiny: (k, n) => random.uniform(k, [n], "float32", 1e-3, 1.5e-3),
  "truncated_normal_-1_2": (k, n) => random.truncatedNormal(k, -1, 2, [n]),
  exponential: (k, n) => random.exponential(k, [n]),
  laplace: (k, n) => random.laplace(k, [n]),
  logistic: (k, n) => random.logistic(k, [n]),
  gumbel: (k, n) => random.gumbel(k, [n]),
  lognormal_1: (k, n) => random.lognormal(k, 1, [n]),
  rayleigh_2: (k, n) => random.rayleigh(k, 2, [n]),
  pareto_3: (k, n) => random.pareto(k, 3, [n]),
  cauchy: (k, n) => random.cauchy(k, [n]),
  "weibull_min_2_1.5": (k, n) => random.weibullMin(k, 2, 1.5, [n]),
  maxwell: (k, n) => random.maxwell(k, [n]),
  double_sided_maxwell_1_2: (k, n) => random.doubleSidedMaxwell(k, 1, 2, [n]),
};

// Built on log, log1p, exp, tan or pow, or on a sum: exact where those are XLA's and glibc's and
// the sum in XLA's order (cpu, wasm); WebGL's GLSL functions and tfjs's WebGL sum are not, so the
// browser run (test/browser/prng.test.ts) leaves these out.
const XLA_MATH = new Set([
  "exponential", "laplace", "logistic", "gumbel", "lognormal_1", "rayleigh_2", "pareto_3", "cauchy", "weibull_min_2_1.5",
  "maxwell", "double_sided_maxwell_1_2",
]);

const f32 = (bits: number[]) => new Float32Array(Uint32Array.from(bits).buffer);
const ordinal = (x: number) => {
  const i = new Int32Array(Float32Array.of(x).buffer)[0];
  return i < 0 ? -(i & 0x7fffffff) : i;
};
const ulps = (a: number, b: number) => Math.abs(ordinal(a) - ordinal(b));
const bitsOf = (x: Array): number[] => globalThis.Array.from(new Uint32Array(Float32Array.from(x.dataSync()).buffer));
const draws = FIXTURE.draws as Record<string, number[]>;

for (const mode of ["partitionable", "legacy"]) {
  describe(`JAX ${FIXTURE.jax}'s draws, bit for bit (jax_threefry_partitionable=${mode === "partitionable"})`, () => {
    beforeAll(() => config.update("jax_threefry_partitionable", mode === "partitionable"));
    afterAll(() => config.update("jax_threefry_partitionable", true));
    test.each(Object.keys(SAMPLERS))("%s", (name) => {
      const want = draws[`${name}/${mode}`];
      const f = (k: Array) => SAMPLERS[name](k, want.length);
      if (getBackend() === "webgl" && XLA_MATH.has(name)) {
        const [g, w] = [f32(bitsOf(f(random.key(1701)))), f32(want)];
        const worst = Math.max(...globalThis.Array.from(g, (v, i) => ulps(v, w[i])));
        console.log(`${name}/${mode} on WebGL: worst ${worst} ulp, ${g.filter((v, i) => v === w[i]).length}/${g.length} exact`);
        return;
      }
      expect(bitsOf(f(random.key(1701)))).toEqual(want);
      expect(bitsOf(jit(f)(random.key(1701)) as Array)).toEqual(want);
    });
  });
}
