# More jaxpr texts for test/conv.test.ts, printed by JAX itself: grads and vmaps through every
# branch of conv's transpose and batching rules (feature and batch groups), NHWC layouts, max
# pooling with base dilation (pad and strided slice around select_and_scatter_add), its jvp and
# second derivative, min pooling under vmap, the general reduce_window (its jvp, vmap, two operands,
# a traced init value), einsum, convolve/correlate, conv_transpose.
# Regenerate with:
#   JAX_PLATFORMS=cpu /tmp/jaxenv/bin/python scripts/jax_reference/conv_texts.py > test/fixtures/conv_texts_jax.json
import json, jax, jax.numpy as jnp
from jax import lax
f32 = lambda *s: jnp.zeros(s, jnp.float32)
out = {}
def case(name, f, *args):
    out[name] = str(jax.make_jaxpr(f)(*args))
case("grad_fgc", jax.grad(lambda x, w: lax.conv_general_dilated(x, w, (1,), [(1, 1)], feature_group_count=2).sum(), argnums=(0, 1)), f32(2, 4, 5), f32(4, 2, 3))
case("grad_bgc", jax.grad(lambda x, w: lax.conv_general_dilated(x, w, (2,), "VALID", batch_group_count=2).sum(), argnums=(0, 1)), f32(4, 2, 6), f32(4, 2, 2))
case("vmap_rhs_fgc", jax.vmap(lambda x, w: lax.conv_general_dilated(x, w, (1,), [(1, 0)], feature_group_count=2), in_axes=(None, 0)), f32(2, 4, 5), f32(3, 4, 2, 2))
case("vmap_lhs_bgc", jax.vmap(lambda x, w: lax.conv_general_dilated(x, w, (1,), "VALID", batch_group_count=2), in_axes=(0, None)), f32(3, 4, 2, 5), f32(4, 2, 2))
case("vmap_both_bgc", jax.vmap(lambda x, w: lax.conv_general_dilated(x, w, (1,), "VALID", batch_group_count=2)), f32(3, 4, 2, 5), f32(3, 4, 2, 2))
case("vmap_rhs_bgc_mid", jax.vmap(lambda x, w: lax.conv_general_dilated(x, w, (1,), "VALID", batch_group_count=2), in_axes=(None, 1)), f32(4, 2, 5), f32(4, 3, 2, 2))
case("nhwc", lambda x, w: lax.conv_general_dilated(x, w, (1, 2), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC")), f32(2, 5, 4, 3), f32(3, 3, 3, 4))
case("grad_nhwc", jax.grad(lambda x, w: lax.conv_general_dilated(x, w, (2, 2), "SAME", rhs_dilation=(1, 1), dimension_numbers=("NHWC", "HWIO", "NHWC")).sum(), argnums=(0, 1)), f32(2, 5, 4, 3), f32(3, 3, 3, 4))
case("grad_maxpool_base", jax.grad(lambda x: lax.reduce_window(x, -jnp.inf, lax.max, (2, 2), (1, 1), "SAME", base_dilation=(2, 1)).sum()), f32(3, 4))
case("jvp_maxpool", lambda x, t: jax.jvp(lambda y: lax.reduce_window(y, -jnp.inf, lax.max, (2,), (1,), "VALID"), (x,), (t,)), f32(5), f32(5))
case("vmap_minpool", jax.vmap(lambda x: lax.reduce_window(x, jnp.inf, lax.min, (2,), (2,), "VALID"), in_axes=1), f32(6, 3))
case("grad_grad_maxpool", jax.grad(lambda x: jax.grad(lambda y: lax.square(lax.reduce_window(y, -jnp.inf, lax.max, (2,), (1,), "VALID")).sum())(x).sum()), f32(5))
case("einsum_iij", lambda a: jnp.einsum("iij->ij", a), f32(3, 3, 2))
case("einsum_bij", lambda a, b: jnp.einsum("bij,bjk->bik", a, b), f32(2, 3, 4), f32(2, 4, 5))
case("einsum_i_i", lambda a, b: jnp.einsum("i,i", a, b), f32(3), f32(3))
case("einsum_ijk_jlk", lambda a, b: jnp.einsum("ijk,jlk", a, b), f32(2, 3, 5), f32(3, 4, 5))
case("einsum_five", lambda a, b, c, d, e: jnp.einsum("ab,bc,cd,de,ef->af", a, b, c, d, e), f32(2, 3), f32(3, 4), f32(4, 5), f32(5, 6), f32(6, 2))
case("einsum_outer_sum", lambda a, b: jnp.einsum("ij,kl->ik", a, b), f32(2, 3), f32(4, 5))
case("correlate_swap", lambda a, b: jnp.correlate(a, b, "full"), f32(3), f32(5))
case("convolve_same_f", lambda a, b: jnp.convolve(a, b, "same"), f32(6), f32(3))
case("conv_transpose", lambda x, w: lax.conv_transpose(x, w, (2,), "SAME"), f32(1, 4, 2), f32(3, 2, 2))
case("conv_int", lambda x, w: lax.conv(x, w, (1,), "VALID"), jnp.zeros((1, 2, 4), jnp.int32), jnp.zeros((3, 2, 2), jnp.int32))
_prod = lambda x: lax.reduce_window(x, 1., lax.mul, (2,), (1,), "VALID")
case("rw_generic", _prod, f32(5))
case("rw_generic_jvp", lambda x, t: jax.jvp(_prod, (x,), (t,)), f32(5), f32(5))
case("rw_generic_vmap", jax.vmap(_prod), f32(3, 5))
case("rw_generic_pair", lambda x: lax.reduce_window((x, x), (0., 1.), lambda a, b: (a[0] + b[0], a[1] * b[1]), (2,), (1,), "VALID"), f32(5))
case("rw_traced_init", lambda x, i: lax.reduce_window(x, i, lax.max, (2,), (1,), "VALID"), f32(5), 0.)
print(json.dumps({"_about": "jaxpr texts for test/conv.test.ts (scripts/jax_reference/conv_texts.py)", "_jax_version": jax.__version__, "texts": out}))
