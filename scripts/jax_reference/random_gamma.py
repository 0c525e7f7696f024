# Known answers for test/random_gamma.test.ts: JAX's own gamma-family draws (jax.random, CPU,
# x64 off, default threefry2x32 partitionable stream), their derivatives in the parameters, the
# lax special functions they use, and the jaxprs JAX prints. Regenerate with:
#   python scripts/jax_reference/random_gamma.py > test/fixtures/random_gamma_jax.json
# (needs `pip install jax`; the checked-in answers were printed by JAX 0.10.2).
import base64, json, math
import jax, jax.numpy as jnp, numpy as np
from jax import lax
jax.config.update("jax_platforms", "cpu")
r = jax.random
k = r.key(42)
raw = r.PRNGKey(7)
f32 = jnp.float32
N = 1000
ALPHAS = [0.01, 0.1, 0.5, 0.9, 1.0, 1.5, 2.0, 5.0, 30.0, 1000.0]
LAMS = [0.5, 3.0, 9.5, 10.0, 25.0, 400.0]

C = {}
# Many draws per parameter (from one key): the exactness statistics of the test.
for a in ALPHAS:
  C[f"gamma_{a}"] = lambda a=a: r.gamma(k, a, (N,))
  C[f"loggamma_{a}"] = lambda a=a: r.loggamma(k, a, (N,))
for lam in LAMS:
  C[f"poisson_{lam}"] = lambda lam=lam: r.poisson(k, lam, (N,))
# Every sampler's calling conventions: broadcasting, default shapes, raw keys.
alphas = jnp.array([0.3, 1.0, 2.5, 7.0])
C.update({
  "gamma_scalar": lambda: r.gamma(k, 2.0),
  "gamma_alphas": lambda: r.gamma(k, alphas),
  "gamma_broadcast": lambda: r.gamma(k, alphas, (3, 4)),
  "gamma_raw": lambda: r.gamma(raw, 0.7, (2, 3)),
  "loggamma_alphas": lambda: r.loggamma(k, jnp.array([1e-3, 0.05, 1.0, 4.0])),
  "beta": lambda: r.beta(k, 2.0, 5.0, (6,)),
  "beta_arr": lambda: r.beta(k, jnp.array([0.1, 1.0, 3.0]), jnp.array([[0.5], [2.0]])),
  "dirichlet": lambda: r.dirichlet(k, jnp.array([0.5, 1.0, 2.0]), (4,)),
  "dirichlet_default": lambda: r.dirichlet(raw, jnp.array([[1.0, 1.0], [0.05, 0.1]])),
  "chisquare": lambda: r.chisquare(k, 3.0, (6,)),
  "chisquare_df": lambda: r.chisquare(k, jnp.array([1.0, 2.5, 10.0])),
  "f": lambda: r.f(k, 3.0, 7.0, (6,)),
  "t": lambda: r.t(k, 4.0, (6,)),
  "t_df": lambda: r.t(k, jnp.array([1.0, 3.0, 30.0])),
  "generalized_normal": lambda: r.generalized_normal(k, 1.5, (6,)),
  "ball": lambda: r.ball(k, 3, 2.0, (4,)),
  "poisson_lams": lambda: r.poisson(k, jnp.array([0.0, 0.1, 2.0, 9.99, 10.0, 50.0, 1e4])),
  "poisson_broadcast": lambda: r.poisson(raw, jnp.array([1.0, 30.0]), (3, 2)),
  "binomial": lambda: r.binomial(k, 10.0, 0.3, (8,)),
  "binomial_large": lambda: r.binomial(k, 200.0, 0.6, (8,)),
  "binomial_arr": lambda: r.binomial(k, jnp.array([0.0, 5.0, 40.0, 1000.0]), jnp.array([0.5, 0.9, 0.1, 0.45])),
  # Derivatives in the parameters (implicit reparameterization), element by element.
  "grad_gamma": lambda: jax.grad(lambda a: r.gamma(k, a).sum())(jnp.array([0.1, 0.5, 1.0, 2.0, 5.0, 30.0])),
  "grad_loggamma": lambda: jax.grad(lambda a: r.loggamma(k, a).sum())(jnp.array([0.01, 0.5, 2.0, 30.0])),
  "grad_beta": lambda: jax.grad(lambda a: r.beta(k, a, 2.0, (3,)).sum())(1.5),
  "grad_dirichlet": lambda: jax.grad(lambda a: (r.dirichlet(k, a) * jnp.array([1.0, 2.0, 3.0])).sum())(jnp.array([0.5, 1.0, 2.0])),
  "grad_chisquare": lambda: jax.grad(lambda d: r.chisquare(k, d, (4,)).sum())(3.0),
  "grad_t": lambda: jax.grad(lambda d: r.t(k, d, (4,)).sum())(5.0),
  # vmap over keys: one draw per key, as the loop over the keys gives.
  "vmap_gamma": lambda: jax.vmap(lambda kk: r.gamma(kk, 2.0))(r.split(k, 8)),
  "vmap_gamma_shape": lambda: jax.vmap(lambda kk, a: r.gamma(kk, a, (3,)))(r.split(k, 4), jnp.array([0.5, 1.0, 2.0, 9.0])),
  "vmap_poisson": lambda: jax.vmap(lambda kk: r.poisson(kk, 4.0, (2,)))(r.split(k, 4)),
  "vmap_beta": lambda: jax.vmap(lambda kk: r.beta(kk, 0.5, 0.5))(r.split(k, 4)),
  # The lax special functions under them.
  "lgamma": lambda: lax.lgamma(jnp.array([0.5, 1.0, 2.0, 3.0, 7.75, -2.5, 1e-3, 100.0, 1e30], f32)),
  "digamma": lambda: lax.digamma(jnp.array([0.5, 1.0, 2.0, 7.75, -2.5, 1e-3, 100.0, 0.0, -1.0], f32)),
  "polygamma": lambda: lax.polygamma(jnp.array([1.0, 2.0, 3.0, 1.0, 0.0, 1.5], f32), jnp.array([0.5, 2.0, 3.5, 10.0, 2.0, 2.0], f32)),
  "zeta": lambda: lax.zeta(jnp.array([2.0, 3.0, 2.5, 1.0, 0.5], f32), jnp.array([1.0, 0.5, 3.0, 2.0, 2.0], f32)),
  "igamma": lambda: lax.igamma(jnp.array([0.5, 1.0, 2.0, 5.0, 30.0, 0.1, 1e-3, 100.0, 0.0, 3.0], f32), jnp.array([0.5, 2.0, 1.0, 3.0, 25.0, 1e-5, 1.0, 120.0, 1.0, jnp.inf], f32)),
  "igammac": lambda: lax.igammac(jnp.array([0.5, 1.0, 2.0, 5.0, 30.0, 0.1, 1e-3, 100.0], f32), jnp.array([0.5, 2.0, 1.0, 3.0, 25.0, 1e-5, 1.0, 120.0], f32)),
  "igamma_grad_a": lambda: lax.igamma_grad_a(jnp.array([0.5, 1.0, 2.0, 5.0, 30.0, 0.1, 1e-3, 100.0], f32), jnp.array([0.5, 2.0, 1.0, 3.0, 25.0, 1e-5, 1.0, 120.0], f32)),
  "random_gamma_grad": lambda: lax.random_gamma_grad(jnp.array([0.5, 1.0, 2.0, 5.0, 30.0, 0.1, 1e-3, 100.0], f32), jnp.array([0.5, 2.0, 1.0, 3.0, 25.0, 1e-5, 1.0, 120.0], f32)),
})

def num(x):
  # float32 values in their shortest decimal form (it reads back as the same float32).
  if isinstance(x, np.floating):
    return None if math.isnan(x) else "inf" if x == math.inf else "-inf" if x == -math.inf else float(repr(x).removeprefix("np.float32(").removesuffix(")"))
  return x.item()

def enc(v):
  v = np.asarray(v)
  return {"dtype": str(v.dtype), "shape": list(v.shape), "data": [num(x) for x in v.ravel()]}

# The jaxprs JAX prints for them (Python floats are weak-typed arguments, as JS numbers are).
T = {
  "gamma": lambda: jax.make_jaxpr(lambda kk, a: r.gamma(kk, a, (3,)))(k, 2.0),
  "loggamma": lambda: jax.make_jaxpr(lambda kk, a: r.loggamma(kk, a))(k, jnp.ones(2)),
  "beta": lambda: jax.make_jaxpr(lambda kk: r.beta(kk, 2.0, 3.0, (2,)))(k),
  "chisquare": lambda: jax.make_jaxpr(lambda kk: r.chisquare(kk, 3.0, (2,)))(k),
  "poisson": lambda: jax.make_jaxpr(lambda kk: r.poisson(kk, 3.0, (2,)))(k),
  "vmap_gamma": lambda: jax.make_jaxpr(jax.vmap(lambda kk, a: r.gamma(kk, a)))(r.split(k, 3), jnp.ones(3)),
  "random_gamma_grad": lambda: jax.make_jaxpr(lax.random_gamma_grad)(f32(2.0), jnp.ones(3)),
  "grad_igamma": lambda: jax.make_jaxpr(jax.grad(lax.igamma, argnums=(0, 1)))(f32(2.0), f32(1.5)),
  "grad2_lgamma": lambda: jax.make_jaxpr(jax.grad(jax.grad(lax.lgamma)))(f32(2.0)),
}
def enc_bytes(v):
  # The many-draw arrays as their little-endian bytes (float32 or int32), base64-encoded.
  v = np.asarray(v)
  return {"dtype": str(v.dtype), "shape": list(v.shape), "base64": base64.b64encode(v.astype(v.dtype.newbyteorder("<")).tobytes()).decode()}

out = {name: (enc_bytes if name.split("_")[-1][0].isdigit() else enc)(fn()) for name, fn in C.items()}
out["jaxprs"] = {name: str(fn()) for name, fn in T.items()}
print(json.dumps(out, separators=(",", ":")))
