// JAX's own draws (scripts/jax_reference/random_exact.py → test/fixtures/random_exact_jax.json,
// float32 bit patterns), bit for bit, eagerly and under jit, in both stream modes. Exactness needs
// XLA's arithmetic: _uniform's scale-and-shift and erf_inv's polynomials as fused multiply-adds,
// and XLA's own float32 log1p (inside erf_inv too), log and exp (lax/special.ts). Also run in the
// browser on WebGL (test/browser/prng.test.ts), where it holds on SwiftShader's IEEE float32: the
// shaders compute XLA's exp, log and log1p, glibc's tanf and powf (its float64 steps in
// float-float) and short row sums in XLA's order (fusion/glsl_math.ts, glsl.ts).
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Array, config, jit, jnp, random } from "../src/index.js";
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
  ball_3_2: (k, n) => random.ball(k, 3, 2, [n / 3]),
  t_4: (k, n) => random.t(k, 4, [n]),
  chisquare_3: (k, n) => random.chisquare(k, 3, [n]),
  beta_2_5: (k, n) => random.beta(k, 2, 5, [n]),
  dirichlet: (k, n) => random.dirichlet(k, jnp.array([0.5, 1, 2]), [n / 3]),
  "generalized_normal_1.5": (k, n) => random.generalizedNormal(k, 1.5, [n]),
  categorical: (k, n) => random.categorical(k, jnp.log(jnp.array([0.1, 0.2, 0.7])), -1, [n]),
  rademacher: (k, n) => random.rademacher(k, [n]),
  "binomial_20_0.3": (k, n) => random.binomial(k, 20, 0.3, [n]),
};


const bitsOf = (x: Array): number[] => globalThis.Array.from(new Uint32Array(Float32Array.from(x.dataSync()).buffer));
const draws = FIXTURE.draws as Record<string, number[]>;

for (const mode of ["partitionable", "legacy"]) {
  describe(`JAX ${FIXTURE.jax}'s draws, bit for bit (jax_threefry_partitionable=${mode === "partitionable"})`, () => {
    beforeAll(() => config.update("jax_threefry_partitionable", mode === "partitionable"));
    afterAll(() => config.update("jax_threefry_partitionable", true));
    test.each(Object.keys(SAMPLERS))("%s", (name) => {
      const want = draws[`${name}/${mode}`];
      const f = (k: Array) => SAMPLERS[name](k, want.length);
      expect(bitsOf(f(random.key(1701)))).toEqual(want);
      expect(bitsOf(jit(f)(random.key(1701)) as Array)).toEqual(want);
    });
  });
}
