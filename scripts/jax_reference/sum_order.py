# XLA CPU's float32 sums over the last axis (test/sum_order.test.ts, src/backends/fusion/sum_order.ts):
# a fold in order below 4096 elements (products contracted into FMAs when fused, as in jit(sum(x*x))
# and maxwell's norm), YNNPACK's even/odd order at 4096 and above. Float32 bit patterns.
# Regenerate with:
#   JAX_PLATFORMS=cpu /tmp/jaxenv/bin/python scripts/jax_reference/sum_order.py > test/fixtures/sum_order_jax.json
import json
import jax, jax.numpy as jnp, numpy as np
jax.config.update("jax_platforms", "cpu")
rng = np.random.default_rng(3)
out = {"jax": jax.__version__, "sums": {}, "maxwell": {}}
for n, k in [(100, 3), (1366, 3), (100, 4), (1024, 4), (60, 16), (30, 32)]:
  # Magnitudes spread over ~2^8 so that the order shows in the last bit of most rows.
  x = (rng.standard_normal((n, k)) * np.exp(rng.standard_normal((n, k)) * 3)).astype(np.float32)
  xs = jnp.asarray(x)
  out["sums"][f"{n}x{k}"] = {
    "x": x.view(np.uint32).ravel().tolist(),
    "sum": np.asarray(jnp.sum(xs, -1)).view(np.uint32).tolist(),
    "jit sum of squares": np.asarray(jax.jit(lambda a: jnp.sum(a * a, -1))(xs)).view(np.uint32).tolist(),
    "sum of squares": np.asarray(jnp.sum(xs * xs, -1)).view(np.uint32).tolist(),
  }
# maxwell: the norm of 3 normals, fused below 4096 normals (FMAs), YNNPACK's order above.
k = jax.random.key(1701)
for n in (1365, 1366):
  out["maxwell"][str(n)] = np.asarray(jax.random.maxwell(k, (n,))).view(np.uint32).tolist()
print(json.dumps(out, separators=(",", ":")))
