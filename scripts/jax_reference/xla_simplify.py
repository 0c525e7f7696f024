# XLA's algebraic rewrites of divisions and constant products under jit (src/jaxpr/passes/xla_divide.ts,
# test/xla_simplify.test.ts): each program's output as float32 bit patterns, and random.ball's draws
# (g / |g|_p^(1/p), which XLA computes as g * pow(s, -1/p)).
# Regenerate with:
#   JAX_PLATFORMS=cpu /tmp/jaxenv/bin/python scripts/jax_reference/xla_simplify.py > test/fixtures/xla_simplify_jax.json
import json
import jax, jax.numpy as jnp, numpy as np
from jax import lax
jax.config.update("jax_platforms", "cpu")
rng = np.random.default_rng(5)
f = np.float32
a = rng.uniform(-3, 3, (256, 4)).astype(f)
b = rng.uniform(0.1, 4, (256, 4)).astype(f)
c = rng.uniform(-2, 2, (256, 4)).astype(f)
s = f(1.7)
P = {
  "a / exp(c)": lambda: jax.jit(lambda a, c: a / jnp.exp(c))(a, c),
  "a / pow(b, c)": lambda: jax.jit(lambda a, b, c: a / lax.pow(b, c))(a, b, c),
  "a / rsqrt(b)": lambda: jax.jit(lambda a, b: a / lax.rsqrt(b))(a, b),
  "a / exp(c[:, 0])[:, None]": lambda: jax.jit(lambda a, c: a / jnp.exp(c[:, 0])[:, None])(a, c),
  "a / pow(b[:, 0], c[:, 0])[:, None]": lambda: jax.jit(lambda a, b, c: a / lax.pow(b[:, 0], c[:, 0])[:, None])(a, b, c),
  "a / broadcast_to(b[:, :1], a.shape)": lambda: jax.jit(lambda a, b: a / jnp.broadcast_to(b[:, :1], a.shape))(a, b),
  "(a * 3.3) * s": lambda: jax.jit(lambda a, s: (a * f(3.3)) * s)(a, s),
  "(a * 3.3) / s": lambda: jax.jit(lambda a, s: (a * f(3.3)) / s)(a, s),
  "(a * s) * 3.3": lambda: jax.jit(lambda a, s: (a * s) * f(3.3))(a, s),
}
out = {"jax": jax.__version__, "inputs": {k: v.view(np.uint32).ravel().tolist() for k, v in {"a": a, "b": b, "c": c}.items()}, "s": float(s), "programs": {}}
for name, run in P.items():
  out["programs"][name] = np.asarray(run()).astype(f).view(np.uint32).ravel().tolist()
out["ball"] = np.asarray(jax.random.ball(jax.random.key(7), 3, 2.0, (400,))).view(np.uint32).ravel().tolist()
print(json.dumps(out, separators=(",", ":")))
