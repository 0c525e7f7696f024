# Draws for test/random_exact.test.ts, compared bit for bit: JAX's own samplers (CPU, x64 off),
# as float32 bit patterns. XLA's CPU backend contracts multiply-adds into FMAs and has its own
# log1p, exp and log, which is what makes these exact only for an implementation that does the same.
# Regenerate with:
#   JAX_PLATFORMS=cpu /tmp/jaxenv/bin/python scripts/jax_reference/random_exact.py > test/fixtures/random_exact_jax.json
# (the checked-in draws were printed by JAX 0.10.2 on x86-64 with FMA).
import json
import jax, jax.numpy as jnp, numpy as np
jax.config.update("jax_platforms", "cpu")
r = jax.random
# Samplers whose every draw tfjax reproduces bit for bit (on 2^20 draws too, on cpu and wasm);
# the log and exp ones need XLA's own float32 log, log1p and exp (lax/special.ts).
C = {
  "normal": lambda k, n: r.normal(k, (n,)),
  "uniform_-3_7": lambda k, n: r.uniform(k, (n,), minval=-3.0, maxval=7.0),
  "uniform_tiny": lambda k, n: r.uniform(k, (n,), minval=1e-3, maxval=1.5e-3),
  "truncated_normal_-1_2": lambda k, n: r.truncated_normal(k, -1.0, 2.0, (n,)),
  "exponential": lambda k, n: r.exponential(k, (n,)),
  "laplace": lambda k, n: r.laplace(k, (n,)),
  "logistic": lambda k, n: r.logistic(k, (n,)),
  "gumbel": lambda k, n: r.gumbel(k, (n,)),
  "lognormal_1": lambda k, n: r.lognormal(k, 1.0, (n,)),
  "rayleigh_2": lambda k, n: r.rayleigh(k, 2.0, (n,)),
  # XLA rewrites pareto's e / broadcast(b) as e * (1 / b) (tfjax's div does the same).
  "pareto_3": lambda k, n: r.pareto(k, 3.0, (n,)),
  # XLA calls glibc's tanf and powf for these (lax/libm32.ts).
  "cauchy": lambda k, n: r.cauchy(k, (n,)),
  "weibull_min_2_1.5": lambda k, n: r.weibull_min(k, 2.0, 1.5, (n,)),
  # A sum of three squares in XLA's order (src/backends/fusion/sum_order.ts).
  "maxwell": lambda k, n: r.maxwell(k, (n,)),
  "double_sided_maxwell_1_2": lambda k, n: r.double_sided_maxwell(k, 1.0, 2.0, (n,)),
  # Built on gamma (shapes up to 5), erf_inv and pow; ball divides by pow(s, 1/p), which XLA
  # turns into a product with pow(s, -1/p) (src/jaxpr/passes/xla_divide.ts).
  "ball_3_2": lambda k, n: r.ball(k, 3, 2.0, (n // 3,)),
  "t_4": lambda k, n: r.t(k, 4.0, (n,)),
  "chisquare_3": lambda k, n: r.chisquare(k, 3.0, (n,)),
  "beta_2_5": lambda k, n: r.beta(k, 2.0, 5.0, (n,)),
  "dirichlet": lambda k, n: r.dirichlet(k, jnp.array([0.5, 1.0, 2.0]), (n // 3,)),
  "generalized_normal_1.5": lambda k, n: r.generalized_normal(k, 1.5, (n,)),
  "categorical": lambda k, n: r.categorical(k, jnp.log(jnp.array([0.1, 0.2, 0.7])), shape=(n,)),
  "rademacher": lambda k, n: r.rademacher(k, (n,)),
  "binomial_20_0.3": lambda k, n: r.binomial(k, 20.0, 0.3, (n,)),
}
out = {"jax": jax.__version__, "draws": {}}
for part, n in ((True, 1000), (False, 300)):
  jax.config.update("jax_threefry_partitionable", part)
  k = r.key(1701)
  for name, f in C.items():
    x = np.asarray(f(k, n), dtype=np.float32)
    out["draws"][f"{name}/{'partitionable' if part else 'legacy'}"] = x.view(np.uint32).ravel().tolist()
print(json.dumps(out, separators=(",", ":")))
