# Known answers for test/nn_breadth.test.ts: each call run by JAX itself (jax.nn, CPU, x64 off).
# Regenerate with: python scripts/jax_reference/nn_breadth.py > test/fixtures/nn_breadth_jax.json
# (needs `pip install jax`; the checked-in answers were printed by JAX 0.10.2).
import json, math
import jax, jax.numpy as jnp, numpy as np
jax.config.update("jax_platforms", "cpu")
f32 = jnp.float32
x = jnp.array([-7, -3, -1.5, -1, -0.5, 0, 0.25, 1, 2.5, 3, 6, 8], f32)
pos = jnp.array([1e-6, 0.01, 0.5, 0.6931472, 1, 5, 30], f32)
# Deterministic attention inputs: sin/cos of aranges, so both sides build them exactly.
def qkv(B, T, S, N, K, H):
  q = jnp.sin(jnp.arange(B * T * N * H, dtype=f32) * 0.37).reshape(B, T, N, H)
  k = jnp.cos(jnp.arange(B * S * K * H, dtype=f32) * 0.23).reshape(B, S, K, H)
  v = jnp.sin(jnp.arange(B * S * K * H, dtype=f32) * 0.11 + 1).reshape(B, S, K, H)
  return q, k, v
q, k, v = qkv(2, 3, 4, 2, 2, 5)
qg, kg, vg = qkv(1, 3, 4, 4, 2, 3)
bias = jnp.cos(jnp.arange(2 * 2 * 3 * 4, dtype=f32)).reshape(2, 2, 3, 4)
mask = (jnp.arange(2 * 1 * 3 * 4) % 3 != 0).reshape(2, 1, 3, 4)
C = {
  "celu": lambda: jax.nn.celu(x), "celu_alpha": lambda: jax.nn.celu(x, 0.5),
  "glu": lambda: jax.nn.glu(jnp.arange(12, dtype=f32).reshape(3, 4) * 0.5 - 2),
  "glu_axis0": lambda: jax.nn.glu(jnp.arange(12, dtype=f32).reshape(4, 3) * 0.5 - 2, axis=0),
  "hard_sigmoid": lambda: jax.nn.hard_sigmoid(x), "hard_silu": lambda: jax.nn.hard_silu(x), "hard_swish": lambda: jax.nn.hard_swish(x),
  "hard_tanh": lambda: jax.nn.hard_tanh(x), "identity": lambda: jax.nn.identity(x),
  "log1mexp": lambda: jax.nn.log1mexp(pos),
  "logmeanexp": lambda: jax.nn.logmeanexp(jnp.arange(6, dtype=f32).reshape(2, 3), axis=1),
  "logmeanexp_all": lambda: jax.nn.logmeanexp(jnp.array([1000., 1000, 998])),
  "mish": lambda: jax.nn.mish(x), "relu6": lambda: jax.nn.relu6(x), "selu": lambda: jax.nn.selu(x),
  "soft_sign": lambda: jax.nn.soft_sign(x), "sparse_plus": lambda: jax.nn.sparse_plus(x),
  "sparse_sigmoid": lambda: jax.nn.sparse_sigmoid(x), "squareplus": lambda: jax.nn.squareplus(x),
  "squareplus_b": lambda: jax.nn.squareplus(x, 1.0),
  "grad_relu6": lambda: jax.vmap(jax.grad(jax.nn.relu6))(x),
  "grad_log1mexp": lambda: jax.vmap(jax.grad(jax.nn.log1mexp))(pos),
  "grad_hard_silu": lambda: jax.vmap(jax.grad(jax.nn.hard_silu))(x),
  "grad_selu": lambda: jax.vmap(jax.grad(jax.nn.selu))(x),
  "grad_mish": lambda: jax.vmap(jax.grad(jax.nn.mish))(x),
  "attention": lambda: jax.nn.dot_product_attention(q, k, v),
  "attention_causal": lambda: jax.nn.dot_product_attention(q, k, v, is_causal=True),
  "attention_bias_mask": lambda: jax.nn.dot_product_attention(q, k, v, bias=bias, mask=mask, scale=0.3),
  "attention_gqa": lambda: jax.nn.dot_product_attention(qg, kg, vg),
  "attention_seqlen": lambda: jax.nn.dot_product_attention(q, k, v, query_seq_lengths=jnp.array([2, 3], jnp.int32), key_value_seq_lengths=jnp.array([3, 1], jnp.int32)),
  "attention_window": lambda: jax.nn.dot_product_attention(q, k, v, local_window_size=(1, 0)),
  "attention_3d": lambda: jax.nn.dot_product_attention(q[0], k[0], v[0]),
  "grad_attention": lambda: jax.grad(lambda q: jnp.sum(jax.nn.dot_product_attention(q, k, v, is_causal=True) ** 2))(q),
}
def enc(v):
  v = np.asarray(v)
  flat = [None if (isinstance(x, float) and math.isnan(x)) else ("inf" if x == math.inf else "-inf" if x == -math.inf else x) for x in v.astype(np.float64 if v.dtype.kind == 'f' else object).ravel().tolist()]
  return {"dtype": str(v.dtype), "shape": list(v.shape), "data": flat}
print(json.dumps({k: enc(f()) for k, f in C.items()}, separators=(",", ":")))
