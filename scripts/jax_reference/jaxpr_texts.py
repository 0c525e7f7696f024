# The jaxpr texts the tests compare against: each entry is the TS test's program written in
# Python and printed by JAX itself, str(jax.make_jaxpr(f)(*args)).
# Regenerate with (the local PyPI mirror has JAX 0.10.2; see docs/notes/jax-reference.md):
#   JAX_PLATFORMS=cpu /tmp/jaxenv/bin/python scripts/jax_reference/jaxpr_texts.py > test/fixtures/jaxpr_texts_jax.json
# Translation rules (so the two programs are the same computation):
#   - a JS number passed as an argument is a Python float (a weak f32 scalar);
#   - a JS number beside an array in a jnp call is a Python int when integer-valued, else a float
#     (tfjax's promotion rule, src/numpy/promote.ts);
#   - jnp.array(...) of JS numbers is a strong float32 array: jnp.array(v, jnp.float32) (JAX's
#     jnp.array(1.0) is weakly typed; JS cannot tell 1 from 1.0); int32 arrays say dtype=jnp.int32;
#     of a single JS number it is a numpy scalar, np.float32(v) (a literal when closed over);
#   - an anonymous JS arrow function is named <lambda>, a named function keeps its name.
import json, sys
import jax, jax.numpy as jnp, numpy as np
from jax import lax

jax.config.update("jax_platforms", "cpu")
f32 = lambda *s: jnp.zeros(s, jnp.float32)
i32 = lambda *s: jnp.zeros(s, jnp.int32)
# tfjax's jnp.array of a JS scalar is a numpy scalar (a literal when closed over), of a list an array.
I = lambda v: np.int32(v) if np.ndim(v) == 0 else jnp.array(v, jnp.int32)
F = lambda v: np.float32(v) if np.ndim(v) == 0 else jnp.array(v, jnp.float32)
C = {}  # name -> thunk returning the printed text

def case(name, f, *args):
  assert name not in C, name
  C[name] = lambda: str(jax.make_jaxpr(f)(*args))

def named(name, f):
  f.__name__ = f.__qualname__ = name
  return f

# ---- test/jaxpr_print.test.ts ----------------------------------------------------------------
case("print/sin_cos", lambda x: jnp.sin(jnp.cos(x)), 3.0)
_zeros = jnp.zeros(1)
case("print/const", lambda x: (x, 1.0, _zeros), F(0))
case("print/aot_int32", lambda x, y: jnp.add(jnp.multiply(2, x), y), I(3), I(3))

def _nested_shared():
  f = jax.jit(lambda x: jnp.power(x, 2))
  g = jax.jit(lambda x: jnp.add(f(x), f(x)))
  return g
case("print/pjit_nested_shared", _nested_shared(), f32(1))

def _hoist_large(x):
  small = jax.jit(named("inner_jit_small", lambda y: jnp.add(y, 1)))
  def inner_jit_large(y):
    z = y
    for _ in range(11): z = jnp.add(z, 1)
    return z
  return jax.jit(inner_jit_large)(small(x))
case("print/pjit_hoist_large", _hoist_large, i32(2))

def _bfs(x):
  inner_fn = jax.jit(named("inner_fn", lambda x: jnp.add(x, 1.0)))
  outer_fn = jax.jit(named("outer_fn", lambda x: jnp.add(inner_fn(x), inner_fn(x))))
  return jnp.add(outer_fn(x), outer_fn(x))
case("print/pjit_bfs_names", _bfs, f32(1))

_fid = jax.jit(lambda x, _y: x)
case("print/pjit_returns_input", lambda y: jnp.add(y, _fid(y, y)), f32(1))
_fmul = jax.jit(lambda x, y: jnp.multiply(x, y))
case("print/pjit_strong_literal", lambda x: _fmul(x, F(1.0)), f32(1))  # pjit_test.py: np.float32(1.0)
_f3 = jax.jit(lambda x, y, z: jnp.multiply(jnp.multiply(x, y), z))
case("print/pjit_three_times", lambda x: _f3(x, x, x), f32(1))
case("print/pjit_literal_output", jax.jit(lambda x: (jnp.array(2, jnp.int32), x)), f32(1))

@jax.jit
def g_closure(x, y):
  @jax.jit
  def f(x): return jnp.multiply(x, y)
  return jnp.add(f(x), f(y))
case("print/pjit_closed_over", g_closure, f32(1), f32(1))

def _two_f():
  @jax.jit
  def f(x): return x
  @jax.jit
  def g(x, y): return jnp.add(jnp.multiply(f(x), f(x)), jnp.multiply(f(y), f(y)))
  return g
case("print/pjit_f_and_f1", _two_f(), f32(1), f32(2))

case("print/matmul", jnp.matmul, f32(2, 3), f32(3, 4))
case("print/where_scalar", lambda x: jnp.where(jnp.greater(x, 0), x, 0.5), f32(3))
case("print/clip", lambda x: jnp.clip(x, 0.5, 1.5), f32(3))
case("print/mean_int32", lambda x: jnp.mean(x), i32(3))
# JS numbers are floats unless beside an array: linspace(0, 1, 5)'s bounds are Python floats.
case("print/linspace", lambda: jnp.linspace(0.0, 1.0, 5))
for name, f, args in [
  ("sum", lambda x: jnp.sum(x), (f32(2, 3),)),
  ("prod", lambda x: jnp.prod(x), (f32(3),)),
  ("argmax", lambda x: jnp.argmax(x), (f32(3),)),
  ("T_2d", lambda x: x.T, (f32(2, 3),)),
  ("T_1d", lambda x: x.T, (f32(3),)),
  ("squeeze", lambda x: jnp.squeeze(x), (f32(1, 3),)),
  ("expand_dims", lambda x: jnp.expand_dims(x, 0), (f32(3),)),
  ("stack", lambda x, y: jnp.stack([x, y]), (f32(3), f32(3))),
  ("zeros", lambda: jnp.zeros(3), ()),
  ("arange_int32", lambda: jnp.arange(3, dtype=jnp.int32), ()),
  ("add_int", lambda x: jnp.add(x, 1), (i32(3),)),
  ("mul_2x", lambda x: jnp.multiply(2, x), (f32(3),)),
  ("mul_0.1_array", lambda x: jnp.multiply(x, 0.1), (f32(3),)),
  ("mul_0.1_weak", lambda x: jnp.multiply(x, 0.1), (1.0,)),
  ("add_1e-5", lambda x: jnp.add(x, 1e-5), (f32(3),)),
  ("power_2", lambda x: jnp.power(x, 2), (f32(3),)),
  ("square", lambda x: jnp.square(x), (f32(3),)),
  ("reciprocal", lambda x: jnp.reciprocal(x), (f32(3),)),
  ("one_over_sqrt", lambda x: jnp.divide(1, jnp.sqrt(x)), (f32(3),)),
  ("logistic", lambda x: lax.logistic(x), (f32(3),)),
  ("neg", lambda x: -x, (f32(3),)),
  ("maximum_0", lambda x: jnp.maximum(x, 0), (f32(3),)),
  ("sin", lambda x: jnp.sin(x), (f32(3),)),
  ("divide_int32", lambda x: jnp.divide(x, 2), (i32(3),)),
  ("add_broadcast", lambda x, y: jnp.add(x, y), (f32(2, 3), f32(3))),
  ("sum_keepdims", lambda x: jnp.sum(x, 1, keepdims=True), (f32(2, 3),)),
]:
  case(f"print/jnp_{name}", f, *args)

# ---- test/transforms.test.ts -----------------------------------------------------------------
case("transforms/grad_sin_cos", jax.grad(lambda x: jnp.sin(jnp.cos(x))), 3.0)

@jax.custom_jvp
def f(x): return jnp.add(x, 1)
@f.defjvp
def f_jvp(primals, tangents): return f(primals[0]), tangents[0]
case("transforms/custom_jvp_call", f, F([4.2]))

@jax.custom_vjp
def f(x): return jnp.add(x, 1)
def f_fwd(x): return f(x), ()
def f_bwd(_res, g): return (g,)
f.defvjp(f_fwd, f_bwd)
case("transforms/custom_vjp_call", f, F([4.2]))

# ---- test/ad_elementwise.test.ts ---------------------------------------------------------------
case("ad_elementwise/grad_tanh", jax.grad(lambda x: lax.tanh(x)), 3.0)
case("ad_elementwise/grad_max", jax.grad(lambda x: lax.max(x, 2.0)), 3.0)
case("ad_elementwise/grad_cbrt_weak", jax.grad(lambda x: lax.cbrt(x)), 3.0)
case("ad_elementwise/grad_cbrt_strong", jax.grad(lambda x: lax.cbrt(x)), F(3.0))
for n in ["sqrt", "rsqrt", "logistic", "expm1", "tan", "log1p", "log"]:
  case(f"ad_elementwise/grad_{n}", jax.grad(getattr(lax, n)), 3.0)
case("ad_elementwise/grad_integer_pow_3", jax.grad(lambda x: lax.integer_pow(x, 3)), 3.0)
case("ad_elementwise/grad_exp2", jax.grad(lambda x: lax.exp2(x)), 3.0)
case("ad_elementwise/grad_erf", jax.grad(lambda x: lax.erf(x)), 0.5)
case("ad_elementwise/grad_abs", jax.grad(lambda x: lax.abs(x)), 3.0)
case("ad_elementwise/grad_pow_both_strong", jax.grad(lambda a, b: lax.pow(a, b), argnums=(0, 1)), F(3.0), F(2.5))
case("ad_elementwise/grad_pow_exponent_weak", jax.grad(lambda a, b: lax.pow(a, b), argnums=1), 3.0, 2.0)
case("ad_elementwise/grad_pow_weak_base", jax.grad(lambda x: lax.pow(x, 2.0)), 3.0)
case("ad_elementwise/grad_convert_sin", jax.grad(lambda x: lax.sin(lax.convert_element_type(x, jnp.float32))), 3.0)
case("ad_elementwise/vjp_mul_unbroadcast", lambda x, y, ct: jax.vjp(lambda u, v: lax.mul(u, v), x, y)[1](ct), f32(1, 3), f32(2, 3), f32(2, 3))
case("ad_elementwise/vjp_div_scalar", lambda x, y, ct: jax.vjp(lambda u, v: lax.div(u, v), x, y)[1](ct), f32(3), F(2.0), f32(3))
case("ad_elementwise/vjp_select", lambda p, x, y, ct: jax.vjp(lambda u, v: lax.select(p, u, v), x, y)[1](ct), jnp.array([True, False, True]), f32(3), f32(3), f32(3))
case("ad_elementwise/vmap_select_scalar_which", jax.vmap(lambda p, x, y: lax.select(p, x, y), in_axes=(None, 0, 1)), jnp.array(True), f32(4, 3), f32(3, 4))
case("ad_elementwise/vmap_select_per_example", jax.vmap(lambda p, x, y: lax.select(p, x, y)), jnp.array([True, False, True, True]), f32(4, 3), f32(4, 3))
_xc = F([-3.0, 0.5, 5.0])
case("ad_elementwise/grad_clamp", jax.grad(lambda x: lax.clamp(-1.0, x, 2.0).sum()), _xc)
case("ad_elementwise/vmap_clamp", jax.vmap(lambda lo, x: lax.clamp(lo, x, 2.0)), _xc, _xc)
case("ad_elementwise/clamp_int", lambda x: lax.clamp(0, x, 2), I([1, 2]))
case("ad_elementwise/vmap_add_unbatched", jax.vmap(lambda x, y: lax.add(x, y), in_axes=(0, None)), f32(4, 3), f32(3))

# ---- test/control_flow.test.ts -----------------------------------------------------------------
def _cond_closure(x):  # tests/api_test.py test_cond
  return lax.cond(x >= 0, lambda xt, _: xt + x, lambda _, xf: xf - x, x + 1, x + 2)
case("control_flow/cond_closure", _cond_closure, F(3.0))
case("control_flow/func7", lambda arg: lax.cond(arg >= 0, lambda xtrue: xtrue + 3, lambda xfalse: xfalse - 3, arg), 5.0)
def _func10(arg, n):
  ones = jnp.ones(arg.shape)
  return lax.fori_loop(0, n, lambda i, carry: carry + ones * 3 + arg, arg + ones)
case("control_flow/func10", _func10, jnp.ones(16), I(5))
case("control_flow/one_of_three", lambda index, arg: lax.switch(index, [lambda x: x + 1, lambda x: x - 2, lambda x: x + 3], arg), I(1), 5.0)
case("control_flow/while_consts", lambda x, limit: lax.while_loop(lambda c: c < limit, lambda c: c * x, x), F(2.0), F(100.0))
case("control_flow/cond_in_fwd", lambda p, x, y: lax.cond(p, lambda a, b: (a, b * 2), lambda a, b: (a, -b), x, y), True, F(1.0), F(2.0))
case("control_flow/while_move_to_const", lambda x, w: lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, c[1] * c[2], c[2]), (I(0), x, w)), F(1.0), F(2.0))
def _func8(arg1, arg2):
  return lax.cond(arg1 >= 0, lambda xtrue: xtrue[0], lambda xfalse: jnp.array([1], jnp.int32) + xfalse[1], arg2)
case("control_flow/func8", _func8, 5.0, (jnp.zeros(1), 2.0))
_cond_sc = lambda x: lax.cond(x > 0, lambda y: jnp.sin(y), lambda y: jnp.cos(y), x)
case("control_flow/jvp_cond", lambda x: jax.jvp(_cond_sc, (x,), (F(1.0),)), F(1.0))
_wl = lambda x: lax.while_loop(lambda c: c < 10, lambda c: c * 1.5, x)
case("control_flow/jvp_while", lambda x: jax.jvp(_wl, (x,), (F(1.0),)), F(2.0))
_count = lambda x: lax.while_loop(lambda c: c[1] < x, lambda c: (c[0] + 1, c[1] * 2), (I(0), F(1.0)))
case("control_flow/vmap_while_batched_pred", jax.vmap(_count), F([1, 3, 10, 100]))
case("control_flow/cond_concrete_pred", lambda x: lax.cond(True, lambda y: jnp.sin(y), lambda y: jnp.cos(y), x), F(1.0))
case("control_flow/vmap_cond", jax.vmap(lambda x: lax.cond(x > 0, lambda y: y * 2, lambda y: -y, x)), F([-1, 2, -3, 4]))

# ---- test/ad_structural.test.ts ----------------------------------------------------------------
rsum = lambda x, axes: lax.reduce_sum(x, tuple(axes))
ones = lambda *s: jnp.ones(s, jnp.float32)
case("ad_structural/grad_sum", jax.grad(lambda x: rsum(x, [0, 1])), ones(2, 3))
case("ad_structural/grad_sum_of_partial_sum", jax.grad(lambda x: rsum(rsum(x, [0]), [0])), ones(2, 3))
case("ad_structural/grad_matmul_rhs", jax.grad(lambda w, x: jnp.sum(jnp.matmul(x, w))), ones(3, 2), ones(2, 3))
case("ad_structural/grad_matmul_lhs", jax.grad(lambda x, w: jnp.sum(jnp.matmul(x, w))), ones(2, 3), ones(3, 4))
case("ad_structural/grad_slice", jax.grad(lambda x: rsum(lax.slice(x, [1], [3]), [0])), ones(5))
case("ad_structural/grad_pad_interior", jax.grad(lambda x: rsum(lax.pad(x, 0.0, [(1, 2, 1)]), [0])), ones(3))
case("ad_structural/grad_concatenate", jax.grad(lambda x, y: rsum(lax.concatenate([x, y], 0), [0]), argnums=(0, 1)), ones(2), ones(3))
case("ad_structural/grad_broadcast_size1", jax.grad(lambda x: rsum(lax.broadcast_in_dim(x, (4, 3), (0, 1)), [0, 1])), ones(1, 3))
case("ad_structural/grad_reduce_max", jax.grad(lambda x: lax.reduce_max(x, (0,))), F([1, 3, 2]))
case("ad_structural/grad_reduce_prod", jax.grad(lambda x: lax.reduce_prod(x, (0,))), F([1, 2, 3]))
case("ad_structural/vmap_sum_in_axes_1", jax.vmap(lambda x: rsum(x, [0]), in_axes=1), ones(2, 3))
case("ad_structural/vmap_matmul", jax.vmap(lambda a, b: jnp.matmul(a, b)), ones(4, 2, 3), ones(4, 3, 5))
case("ad_structural/vmap_matmul_unbatched_lhs", jax.vmap(lambda a, b: jnp.matmul(a, b), in_axes=(None, 0)), ones(2, 3), ones(4, 3, 5))
case("ad_structural/vmap_broadcast", jax.vmap(lambda x: lax.broadcast_in_dim(x, (2, 3), (1,))), ones(4, 3))
case("ad_structural/grad_cumsum", jax.grad(lambda x: rsum(lax.cumsum(x, 0), [0])), ones(3))

# ---- test/scan.test.ts ---------------------------------------------------------------------------
def _func11(arr, extra):  # docs/jaxpr.md
  ones = jnp.ones(arr.shape)
  def body(carry, aelems):
    ae1, ae2 = aelems
    return carry + ae1 * ae2 + extra, carry
  return lax.scan(body, 0.0, [arr, ones])
case("scan/func11", _func11, jnp.ones(16), 5.0)
_c0 = F(0.0)
_xs = F([1, 2, 3])
case("scan/length_only", lambda c: lax.scan(lambda c, _: (c + 1, None), c, None, length=4), _c0)
case("scan/reverse", lambda xs: lax.scan(lambda c, x: (c + x, x * c), _c0, xs, reverse=True), _xs)
case("scan/move_to_const", lambda c, xs: lax.scan(lambda c, x: (c, x * c), c, xs), _c0, _xs)
case("scan/ext_to_ext_fwd", lambda c, xs: lax.scan(lambda c, x: (c + x, x), c, xs), _c0, _xs)
_sprod = lambda c, xs: lax.scan(lambda c, x: (c * x, c), c, xs)
case("scan/jvp", lambda c, t: jax.jvp(lambda c: _sprod(c, _xs), (c,), (t,)), F(1.0), F(1.0))
case("scan/map", lambda x: lax.map(lambda r: r.sum(), x), jnp.arange(10).astype(jnp.float32).reshape(5, 2))
def _rnn_run(w):
  return lax.scan(lambda h, x: (jnp.tanh(h @ w.T + x), h), jnp.zeros(2), jnp.ones((4, 2)))[0].sum()
case("scan/grad_hoisted_residuals", jax.grad(_rnn_run), F([[0.5, -0.3], [0.2, 0.4]]))
def _scan_jit_fwd(a):  # a jit whose output is its input (the fuzzer's scan/jit forwarding bug)
  @jax.jit
  def inner(a):  # reshape to the same shape returns the operand
    _ = -a
    return jnp.reshape(a, (1,))
  def body(c, _):
    r = inner(c)
    return r, r
  return lax.scan(body, a, None, length=1)[1].sum()
case("scan/grad_jit_forwarding_input", jax.grad(_scan_jit_fwd), F([1.2064281702041626]))

# ---- test/indexing.test.ts -----------------------------------------------------------------------
case("indexing/at_set", lambda x, i, v: x.at[i].set(v), f32(5), I(1), F(2))
case("indexing/gather_int_array", lambda x, idx: x[idx], f32(5), I([0, 1, 2]))
case("indexing/dynamic_scalar", lambda x, i: x[i], f32(5), I(1))
case("indexing/static_slice", lambda x: x[1:4:2, 0], f32(5, 3))
case("indexing/grad_gather", jax.grad(lambda x, idx: x[idx].sum()), f32(5), I([0, 1, 2]))
case("indexing/vmap_gather", jax.vmap(lambda x, idx: x[idx], in_axes=(0, None)), f32(3, 5), I([0, 1, 2]))
case("indexing/two_scatter_adds", lambda x, i: x.at[i].add(1).at[i].add(2), f32(4), I(1))

# ---- test/jit.test.ts ----------------------------------------------------------------------------
@jax.jit
def g(x): return jnp.sin(x)
case("jit/nested_named", lambda x: jnp.cos(g(x)), 1.0)
case("jit/shared_let", lambda x: jnp.add(g(x), g(jnp.cos(x))), 1.0)
_c123 = F([1, 2, 3])
case("jit/constvar_and_literal", lambda x: jnp.add(jnp.multiply(x, _c123), 0.5), jnp.ones(3))

# ---- test/prng.test.ts ---------------------------------------------------------------------------
_split = lambda k: jax.random.split(k)
case("prng/split_typed", _split, jax.random.key(0))
case("prng/split_raw", _split, jax.random.PRNGKey(0))
case("prng/key", jax.random.key, I(0))
case("prng/PRNGKey", jax.random.PRNGKey, I(0))
case("prng/fold_in", lambda k: jax.random.fold_in(k, 4), jax.random.key(0))
case("prng/bits", lambda k: jax.random.bits(k, (3,)), jax.random.key(0))
case("prng/uniform", lambda k: jax.random.uniform(k), jax.random.key(0))
case("prng/uniform_3", lambda k: jax.random.uniform(k, (3,)), jax.random.key(0))
case("prng/normal", lambda k: jax.random.normal(k), jax.random.key(0))

# ---- examples/stateful.ts (test/examples.test.ts) ------------------------------------------------
class Counter:  # JAX's "Stateful computations"; a JS number returned alone is a float
  n = 0.0
  def count(self):
    self.n += 1.0
    return self.n
case("examples/stateful_counter", Counter().count)

# ---- test/conv.test.ts ---------------------------------------------------------------------------
case("conv/conv_same", lambda x, w: lax.conv(x, w, (1, 1), "SAME"), f32(1, 1, 4, 4), f32(1, 1, 3, 3))
case("conv/grad_lhs", jax.grad(lambda x, w: lax.conv_general_dilated(x, w, (2, 1), ((1, 0), (0, 1)), rhs_dilation=(1, 2)).sum()), f32(1, 1, 4, 4), f32(1, 1, 2, 2))
case("conv/grad_rhs", jax.grad(lambda x, w: lax.conv(x, w, (1, 1), "VALID").sum(), argnums=1), f32(1, 1, 4, 4), f32(1, 1, 2, 2))
_conv_valid = lambda x, w: lax.conv(x, w, (1, 1), "VALID")
case("conv/vmap_lhs", jax.vmap(_conv_valid, in_axes=(0, None)), f32(5, 1, 1, 4, 4), f32(1, 1, 2, 2))
case("conv/vmap_both", jax.vmap(_conv_valid), f32(2, 1, 1, 4, 4), f32(2, 1, 1, 2, 2))
case("conv/grad_max_pool", jax.grad(lambda x: lax.reduce_window(x, -jnp.inf, lax.max, (2, 2), (2, 2), "VALID").sum()), f32(4, 4))
case("conv/grad_sum_pool_same", jax.grad(lambda x: lax.reduce_window(x, 0.0, lax.add, (2, 2), (1, 1), "SAME").sum()), f32(4, 4))
case("conv/einsum_ij_jk", lambda a, b: jnp.einsum("ij,jk->ik", a, b), f32(2, 3), f32(3, 4))
case("conv/einsum_three", lambda a, b, c: jnp.einsum("ij,jk,kl->il", a, b, c), f32(2, 3), f32(3, 4), f32(4, 5))
case("conv/einsum_ii_i", lambda a: jnp.einsum("ii->i", a), f32(3, 3))
case("conv/convolve", lambda a, b: jnp.convolve(a, b), I([1, 2, 3, 2, 1]), I([4, 1, 2]))

# ---- test/jaxpr_transforms.test.ts: composed transformations, new to the suite -------------------
def _mlp_loss(params, x, y):
  (w1, b1), (w2, b2) = params
  h = jnp.tanh(jnp.dot(x, w1) + b1)
  logits = jnp.dot(h, w2) + b2
  return jnp.mean(jax.nn.logsumexp(logits, axis=-1) - jnp.sum(logits * y, axis=-1))
_mlp_params = [[f32(3, 4), f32(4)], [f32(4, 2), f32(2)]]
case("transforms/grad_mlp_loss", jax.grad(_mlp_loss), _mlp_params, f32(5, 3), f32(5, 2))
case("transforms/value_and_grad_mlp_loss", jax.value_and_grad(_mlp_loss), _mlp_params, f32(5, 3), f32(5, 2))
case("transforms/logsumexp", lambda x: jax.nn.logsumexp(x, axis=-1), f32(5, 2))
case("transforms/softmax", lambda x: jax.nn.softmax(x), f32(5, 2))
case("transforms/relu", lambda x: jax.nn.relu(x), f32(3))
case("transforms/grad_relu", jax.grad(lambda x: jax.nn.relu(x)), 2.0)
case("transforms/hard_silu", lambda x: jax.nn.hard_silu(x), jnp.ones(2))
case("transforms/vmap_matvec", jax.vmap(lambda w, x: jnp.matmul(w, x), in_axes=(None, 0)), f32(3, 4), f32(5, 4))
_jf = jax.jit(named("f", lambda y: jnp.multiply(jnp.sin(y), y)))
case("transforms/grad_of_jit", jax.grad(lambda x: _jf(x)), 2.0)
# A JS arrow function assigned to a const takes its name: `const sinCos = (x) => ...`.
case("transforms/jit_of_grad", jax.jit(jax.grad(named("sinCos", lambda x: jnp.sin(jnp.cos(x))))), 2.0)
case("transforms/vmap_of_jit", jax.vmap(_jf), f32(3))
case("transforms/grad_grad", jax.grad(jax.grad(lambda x: jnp.sin(jnp.cos(x)))), 2.0)
_cf = lambda x: lax.cond(x > 0, lambda y: jnp.sin(y), lambda y: jnp.cos(y), x)
case("transforms/grad_cond", jax.grad(_cf), 1.0)
case("transforms/vmap_grad_cond", jax.vmap(jax.grad(_cf)), f32(3))
case("transforms/grad_cond_array", jax.grad(lambda x: lax.cond(x.sum() > 0, lambda y: jnp.sin(y), lambda y: y * 2.0, x).sum()), jnp.ones(3))
_ff = lambda x: lax.fori_loop(0, 3, lambda i, c: jnp.sin(c) * x, x)
case("transforms/grad_fori_static", jax.grad(_ff), 0.5)
_sc = lambda c, xs: lax.scan(lambda c, x: (jnp.sin(c * x), c), c, xs)
case("transforms/grad_scan", jax.grad(lambda c, xs: _sc(c, xs)[0], argnums=(0, 1)), F(0.7), F([0.5, 1.0, 1.5]))
case("transforms/vmap_scan", jax.vmap(_sc), F([1, 2]), F([[1, 2, 3], [4, 5, 6]]))
case("transforms/vmap_scan_unbatched_xs", jax.vmap(_sc, in_axes=(0, None)), F([1, 2]), F([1, 2, 3]))
# The JS counter 0 in the carry is a number on its own, so a float.
case("transforms/vmap_while_unbatched_pred", jax.vmap(lambda x: lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, c[1] * x), (0.0, x))), F([1, 2]))

@jax.custom_jvp
def cj(x): return jnp.sin(x)
@cj.defjvp
def cj_jvp(primals, tangents): return cj(primals[0]), tangents[0] * 100
case("transforms/grad_custom_jvp", jax.grad(cj), 2.0)
case("transforms/vmap_custom_jvp", jax.vmap(cj), f32(3))

@jax.custom_vjp
def cv(x): return jnp.sin(x)
def cv_fwd(x): return cv(x), jnp.cos(x)
def cv_bwd(c, ct): return (ct * c * 7,)
cv.defvjp(cv_fwd, cv_bwd)
case("transforms/grad_custom_vjp", jax.grad(cv), 2.0)
case("transforms/jvp_sin_cos", lambda x, t: jax.jvp(lambda x: jnp.sin(jnp.cos(x)), (x,), (t,)), 3.0, 1.0)
case("transforms/linearize_sin_cos", lambda x, t: jax.linearize(lambda x: jnp.sin(jnp.cos(x)), x)[1](t), 3.0, 1.0)
case("transforms/checkpoint_grad", jax.grad(jax.checkpoint(lambda x: jnp.sin(jnp.sin(x)))), 2.0)

if __name__ == "__main__":
  only = sys.argv[1:]
  texts = {}
  for k, thunk in C.items():
    if only and not any(k.startswith(o) for o in only): continue
    try:
      texts[k] = thunk()
    except Exception as e:  # a program JAX rejects is a bug in this file
      raise RuntimeError(f"{k}: {type(e).__name__}: {e}") from e
  out = {
    "_about": "jaxpr texts printed by JAX itself for the tests (scripts/jax_reference/jaxpr_texts.py)",
    "_jax_version": jax.__version__,
    "_regenerate": "JAX_PLATFORMS=cpu /tmp/jaxenv/bin/python scripts/jax_reference/jaxpr_texts.py > test/fixtures/jaxpr_texts_jax.json",
    "texts": texts,
  }
  print(json.dumps(out, indent=1, ensure_ascii=False))
