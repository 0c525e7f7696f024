# XLA CPU's float32 exp, log and log1p (jit-compiled by JAX) on 2048 inputs each, tan and pow (glibc's tanf and
# powf, which XLA calls) on 4096, and its divisions, as float32 bit
# patterns, for test/xla_math.test.ts: random bit patterns, random floats over each function's
# range, and the edges (clamps, subnormals flushed to zero, specials).
# Regenerate with:
#   JAX_PLATFORMS=cpu /tmp/jaxenv/bin/python scripts/jax_reference/xla_math.py > test/fixtures/xla_math_jax.json
import json
import jax, jax.numpy as jnp, numpy as np
jax.config.update("jax_platforms", "cpu")
rng = np.random.default_rng(0)
bits = lambda n: rng.integers(0, 2**32, n, dtype=np.uint64).astype(np.uint32).view(np.float32)
special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 1.1754942e-38, 1.17549435e-38, -1.17549435e-38, 1.0, -1.0,
                    -87.8, -87.4, -87.33, -87.34, -88.0, -103.9, -104.0, 88.7, 88.72, 88.7228, 88.73, 88.8, 89.0, 0.41, -0.41, -0.5, -0.9999999, 3e38], np.float32)
R = {"exp": (-104.0, 90.0), "log": (0.0, 100.0), "log1p": (-1.0, 10.0)}
out = {"jax": jax.__version__, "cases": {}}
for name, (lo, hi) in R.items():
  x = np.concatenate([special, bits(1000), rng.uniform(lo, hi, 2048 - 1000 - len(special)).astype(np.float32)])
  y = np.asarray(jax.jit(getattr(jnp, name))(x))
  out["cases"][name] = {"x": x.view(np.uint32).tolist(), "y": y.view(np.uint32).tolist()}
# tan: the Sun kernel after glibc's reductions (|x| < pi/4, < 120 by one float64 step, beyond by
# 4/pi to 192 bits); cauchy's arguments are in (-pi/2, pi/2).
x = np.concatenate([special, np.array([0.7853981, 0.7853982, 0.6744, -0.6745, 119.99999, 120.0, 1e5, -3e7, 1e-5, 1.2e-4], np.float32),
                    bits(1500), rng.uniform(-np.pi / 2, np.pi / 2, 1500).astype(np.float32), rng.uniform(-200, 200, 1000).astype(np.float32)])
x = x[:4096]
out["cases"]["tan"] = {"x": x.view(np.uint32).tolist(), "y": np.asarray(jax.jit(jnp.tan)(x)).view(np.uint32).tolist()}
# pow: bases and exponents over the ranges samplers use, bases near 1 with large exponents, results
# near overflow and into the subnormals (flushed), negative bases with integer exponents, specials.
sp = np.array([0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, np.inf, -np.inf, np.nan, 1e-40, -1e-40, 3.0, -0.5, 1e30], np.float32)
a_sp, b_sp = np.meshgrid(sp, sp)
n = 4096 - a_sp.size
q = n // 5
a = np.concatenate([a_sp.ravel(), rng.uniform(0, 4, q), rng.uniform(0.9, 1.1, q), rng.uniform(-8, 8, q).round(), rng.uniform(0, 1, q), bits(n - 4 * q)]).astype(np.float32)
b = np.concatenate([b_sp.ravel(), rng.uniform(-8, 8, q), rng.uniform(-3000, 3000, q), rng.integers(-40, 40, q), 1 / rng.uniform(0.05, 5, q), bits(n - 4 * q)]).astype(np.float32)
out["pow"] = {"a": a.view(np.uint32).tolist(), "b": b.view(np.uint32).tolist(), "y": np.asarray(jax.jit(jnp.power)(a, b)).view(np.uint32).tolist()}
# Division: XLA's algebraic simplifier turns a / broadcast(b) and a / constant into a * (1 / b),
# eagerly too (jnp.divide is a jit); a same-shape divisor is a true division.
x = rng.uniform(-4.0, 4.0, 2048).astype(np.float32)
row = rng.uniform(0.1, 9.0, 4).astype(np.float32)
full = rng.uniform(0.1, 9.0, 2048).astype(np.float32)
divs = {
  "x / 3": np.asarray(jnp.asarray(x) / 3),
  "jit x / 3": np.asarray(jax.jit(lambda a: a / 3)(x)),
  "x / b (b: f32[])": np.asarray(jnp.asarray(x) / jnp.float32(row[0])),
  "x / row (x: f32[512, 4])": np.asarray(jnp.asarray(x.reshape(512, 4)) / jnp.asarray(row)).reshape(-1),
  "x / y (same shape)": np.asarray(jnp.asarray(x) / jnp.asarray(full)),
}
out["div"] = {"x": x.view(np.uint32).tolist(), "row": row.view(np.uint32).tolist(), "full": full.view(np.uint32).tolist(),
              "y": {k: v.view(np.uint32).tolist() for k, v in divs.items()}}
print(json.dumps(out, separators=(",", ":")))
