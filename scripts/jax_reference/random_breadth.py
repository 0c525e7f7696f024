# Known answers for test/random_breadth.test.ts: JAX's own draws (jax.random, CPU, x64 off,
# default threefry2x32 partitionable stream). Regenerate with:
#   python scripts/jax_reference/random_breadth.py > test/fixtures/random_breadth_jax.json
# (needs `pip install jax`; the checked-in answers were printed by JAX 0.10.2).
import json, math
import jax, jax.numpy as jnp, numpy as np
jax.config.update("jax_platforms", "cpu")
r = jax.random
k = r.key(42)
raw = r.PRNGKey(7)
cov = jnp.array([[2.0, 0.3, 0.1], [0.3, 1.0, -0.2], [0.1, -0.2, 0.5]])
C = {
  "cauchy": lambda: r.cauchy(k, (6,)),
  "cauchy_raw": lambda: r.cauchy(raw, (2, 3)),
  "lognormal": lambda: r.lognormal(k, shape=(5,)),
  "lognormal_sigma": lambda: r.lognormal(k, jnp.array([0.5, 2.0]), (3, 2)),
  "pareto": lambda: r.pareto(k, 3.0, (5,)),
  "pareto_b": lambda: r.pareto(k, jnp.array([1.0, 2.5, 4.0])),
  "rayleigh": lambda: r.rayleigh(k, 2.0, (5,)),
  "rayleigh_scale": lambda: r.rayleigh(k, jnp.array([1.0, 0.5])),
  "weibull_min": lambda: r.weibull_min(k, 2.0, 1.5, (5,)),
  "weibull_min_arr": lambda: r.weibull_min(k, jnp.array([1.0, 3.0]), jnp.array([0.7, 2.0]), (2,)),
  "triangular": lambda: r.triangular(k, -1.0, 0.5, 2.0, (6,)),
  "triangular_arr": lambda: r.triangular(k, jnp.array([0.0, -2.0]), jnp.array([0.2, 0.0]), jnp.array([1.0, 5.0])),
  "maxwell": lambda: r.maxwell(k, (5,)),
  "double_sided_maxwell": lambda: r.double_sided_maxwell(k, 1.0, 2.0, (5,)),
  "double_sided_maxwell_arr": lambda: r.double_sided_maxwell(k, jnp.array([0.0, 10.0]), 1.0, (3,)),
  "geometric": lambda: r.geometric(k, 0.3, (8,)),
  "geometric_p": lambda: r.geometric(k, jnp.array([0.9, 0.05]), (3, 2)),
  "multivariate_normal": lambda: r.multivariate_normal(k, jnp.array([1.0, -1.0, 0.0]), cov, (4,)),
  "multivariate_normal_default": lambda: r.multivariate_normal(k, jnp.zeros((2, 3)), cov),
}
def enc(v):
  v = np.asarray(v)
  flat = [None if (isinstance(x, float) and math.isnan(x)) else ("inf" if x == math.inf else "-inf" if x == -math.inf else x) for x in v.astype(np.float64 if v.dtype.kind == 'f' else object).ravel().tolist()]
  return {"dtype": str(v.dtype), "shape": list(v.shape), "data": flat}
print(json.dumps({name: enc(f()) for name, f in C.items()}, separators=(",", ":")))
