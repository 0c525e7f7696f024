# What JAX 0.10.2 does with test/debug_flags.test.ts's programs under jax_debug_nans,
# jax_debug_infs and jax_debug_key_reuse: the error class and first line, or OK. Run with:
#   JAX_PLATFORMS=cpu /tmp/jaxenv/bin/python scripts/jax_reference/debug_flags.py
import jax, jax.numpy as jnp, numpy as np
from jax import lax, random

def run(name, f):
    try:
        f(); print(f"{name}: OK")
    except Exception as e:
        print(f"{name}: {type(e).__name__}: {str(e).splitlines()[0]}")

def flag(name, value):
    for n in ("jax_debug_nans", "jax_debug_infs", "jax_debug_key_reuse"): jax.config.update(n, False)
    jax.config.update(name, value)

sin_log = lambda x: jnp.log(jnp.sin(x) - 2.)
flag("jax_debug_nans", True)
run("eager log", lambda: jnp.log(jnp.array([-1.])))
run("eager div", lambda: jnp.array(0.) / jnp.array(0.))
run("eager sqrt", lambda: jnp.sqrt(-1.))
run("jit", lambda: jax.jit(sin_log)(1.))
run("nested jit", lambda: jax.jit(lambda x: jax.jit(sin_log)(x) * 2)(1.))
run("jit returning a NaN input", lambda: jax.jit(lambda x: x)(np.array([np.nan], np.float32)))
run("scan", lambda: lax.scan(lambda c, x: (jnp.log(c - x), c), 0., jnp.arange(3.)))
run("grad of sqrt at 0", lambda: jax.grad(jnp.sqrt)(0.))
flag("jax_debug_infs", True)
run("inf eager", lambda: jnp.log(jnp.array(0.)))
run("inf jit", lambda: jax.jit(lambda x: jnp.log(x) + 1)(0.))
run("nan under infs", lambda: jnp.log(jnp.array(-1.)))

flag("jax_debug_key_reuse", True)
k0 = lambda: random.key(0)
ks = lambda: random.split(k0(), 3)
normal2 = lambda k: random.normal(k) + random.normal(k)
def seq(*fs):
    return lambda: [f() for f in fs]
def with_key(body):
    return lambda: body(k0())
run("normal twice on one key", with_key(lambda k: (random.normal(k), random.normal(k))))
run("normal after split", with_key(lambda k: (random.split(k), random.normal(k))))
run("split twice", with_key(lambda k: (random.split(k), random.split(k))))
run("bits twice", with_key(lambda k: (random.bits(k), random.bits(k))))
run("uniform twice", with_key(lambda k: (random.uniform(k), random.uniform(k))))
run("foldIn twice", with_key(lambda k: (random.fold_in(k, 1), random.fold_in(k, 2))))
run("normal after foldIn", with_key(lambda k: (random.fold_in(k, 1), random.normal(k))))
run("keyData of a consumed key", with_key(lambda k: (random.normal(k), random.key_data(k))))
run("raw key twice", lambda: (lambda k: (random.normal(k), random.normal(k)))(random.PRNGKey(0)))
run("one key indexed twice", lambda: (lambda k: (k[0], k[0]))(ks()))
run("two keys indexed", lambda: (lambda k: (random.normal(k[0]), random.normal(k[1])))(ks()))
run("index -1 then 2", lambda: (lambda k: (k[-1], k[2]))(ks()))
run("iterating then indexing", lambda: (lambda k: (list(k), k[0]))(ks()))
run("all keys after one was indexed", lambda: (lambda k: (k[0], jax.vmap(random.normal)(k)))(ks()))
run("key twice in jit", lambda: jax.jit(normal2)(k0()))
run("raw key twice in jit", lambda: jax.jit(normal2)(random.PRNGKey(0)))
run("consumed key closed over by jit", with_key(lambda k: jax.jit(lambda x: random.normal(k) + x)(random.normal(k))))
run("jitted sampler twice", with_key(lambda k: [jax.jit(random.normal)(k) for _ in range(2)]))
run("key forwarded by jit", with_key(lambda k: (lambda k2: (random.normal(k), random.normal(k2)))(jax.jit(lambda k: k)(k))))
run("one key indexed twice in jit", lambda: jax.jit(lambda k: random.normal(k[0]) + random.normal(k[0]))(ks()))
run("scan closing over a key", lambda: jax.jit(lambda k: lax.scan(lambda c, x: (c, random.normal(k)), 0., None, length=3))(k0()))
run("scan consuming its carry", lambda: jax.jit(lambda k: lax.scan(lambda k, _: (k, random.normal(k)), k, None, length=3))(k0()))
run("scan over keys", lambda: jax.jit(lambda ks: lax.scan(lambda c, k: (c, random.normal(k)), 0., ks))(ks()))
run("cond branch consumes, key used after", lambda: jax.jit(lambda k: lax.cond(True, random.normal, lambda k: 0., k) + random.normal(k))(k0()))
run("cond branches not consuming", lambda: jax.jit(lambda k: lax.cond(True, lambda k: 1., lambda k: 0., k) + random.normal(k))(k0()))
run("while body closing over a key", lambda: jax.jit(lambda k: lax.while_loop(lambda c: c < 3., lambda c: c + random.normal(k), 0.))(k0()))
run("grad of a checkpointed sampler", lambda: jax.jit(jax.grad(jax.checkpoint(lambda x, k: x * random.normal(k))))(1., k0()))
run("vmap twice", lambda: (lambda k: (jax.vmap(random.normal)(k), jax.vmap(random.normal)(k)))(ks()))
