# Values XLA computes (JAX on CPU) for convolutions and poolings whose semantics are easy to get
# subtly wrong: batch groups, feature groups, lhs dilation with negative padding, permuted layouts,
# dilated max pooling and its select-and-scatter gradient, the general reduce_window (a windowed
# product, its jvp, two operands reduced together), a 6-operand einsum. test/conv.test.ts
# recomputes each with the same inputs. Regenerate with:
#   /tmp/jaxenv/bin/python scripts/jax_reference/conv_values.py > test/fixtures/conv_values_jax.json
import json, numpy as np, jax, jax.numpy as jnp
from jax import lax
jax.config.update("jax_platforms", "cpu")
def data(shape, seed):
    n = int(np.prod(shape)); i = np.arange(n)
    return (((((i + seed) * 37) % 61) - 30) / 15 + i * 1e-3).astype(np.float32).reshape(shape)
out = {}
def case(name, f, *shapes):
    args = [data(s, k + 1) for k, s in enumerate(shapes)]
    r = f(*[jnp.asarray(a) for a in args])
    out[name] = {"shapes": [list(s) for s in shapes], "out": np.asarray(r).ravel().tolist(), "shape": list(np.shape(r))}
case("bgc", lambda x, w: lax.conv_general_dilated(x, w, (1,), "VALID", batch_group_count=2), (4, 2, 5), (4, 2, 2))
case("bgc3", lambda x, w: lax.conv_general_dilated(x, w, (2,), [(1, 0)], batch_group_count=3), (6, 2, 5), (6, 2, 2))
case("fgc", lambda x, w: lax.conv_general_dilated(x, w, (1,), [(1, 1)], feature_group_count=2), (2, 4, 5), (6, 2, 3))
case("lhsdil", lambda x, w: lax.conv_general_dilated(x, w, (1, 2), [(2, 1), (-1, 2)], lhs_dilation=(2, 1), rhs_dilation=(1, 2)), (1, 2, 4, 5), (3, 2, 2, 2))
case("layout", lambda x, w: lax.conv_general_dilated(x, w, (1,), "SAME", dimension_numbers=("CNW", "IWO", "WCN")), (3, 2, 4), (3, 2, 2))
case("grad_bgc", lambda x, w: jax.grad(lambda a, b: (lax.conv_general_dilated(a, b, (2,), "VALID", batch_group_count=2) ** 2).sum(), argnums=1)(x, w), (4, 2, 6), (4, 2, 2))
case("pool_base", lambda x: lax.reduce_window(x, -jnp.inf, lax.max, (2, 3), (1, 2), [(1, 0), (2, 1)], base_dilation=(2, 1), window_dilation=(1, 2)), (3, 5))
case("sas", lambda x, s: jax.vjp(lambda y: lax.reduce_window(y, -jnp.inf, lax.max, (3,), (1,), [(1, 1)]), x)[1](s)[0], (6,), (6,))
_rw_mul = lambda x: lax.reduce_window(x, 1.0, lax.mul, (2, 3), (1, 2), [(1, 0), (0, 1)], base_dilation=(1, 2))
case("rw_mul", _rw_mul, (3, 4))
case("rw_mul_jvp", lambda x, t: jax.jvp(_rw_mul, (x,), (t,))[1], (3, 4), (3, 4))
case("rw_pair", lambda x, y: sum(lax.reduce_window((x, y), (0.0, -jnp.inf), lambda a, b: (a[0] + b[0] * b[1], lax.max(a[1], b[1])), (3,), (2,), [(1, 1)])), (7,), (7,))
case("einsum6", lambda a, b, c, d, e, f: jnp.einsum("ab,bc,cd,de,ef,fg->ag", a, b, c, d, e, f), (3, 3), (3, 3), (3, 3), (3, 3), (3, 3), (3, 3))
print(json.dumps({"_about": "XLA values for test/conv.test.ts (scripts/jax_reference/conv_values.py)", "_jax_version": jax.__version__, "cases": out}))
