// jax.nn breadth: every call below is also made by scripts/jax_reference/nn_breadth.py, whose
// answers (printed by JAX itself) are test/fixtures/nn_breadth_jax.json; gradients of the
// functions with custom jvps (relu6, log1mexp) included, and dot_product_attention's masks.
import { describe, expect, it, test } from "vitest";
import { type Array as JaxArray, ArrayImpl, checkGrads, grad, jit, jnp, makeJaxpr, nn, vmap } from "../src/index.js";
import { checkAnswer, loadAnswers } from "./jax_answers.js";

const REF = loadAnswers("nn_breadth_jax.json");

const x = jnp.array([-7, -3, -1.5, -1, -0.5, 0, 0.25, 1, 2.5, 3, 6, 8]);
const pos = jnp.array([1e-6, 0.01, 0.5, 0.6931472, 1, 5, 30]);

/** The deterministic attention inputs of the reference script. */
function qkv(B: number, T: number, S: number, N: number, K: number, H: number): [JaxArray, JaxArray, JaxArray] {
  const r = (n: number) => jnp.arange(n);
  return [
    jnp.sin(r(B * T * N * H).mul(0.37)).reshape([B, T, N, H]),
    jnp.cos(r(B * S * K * H).mul(0.23)).reshape([B, S, K, H]),
    jnp.sin(r(B * S * K * H).mul(0.11).add(1)).reshape([B, S, K, H]),
  ];
}
const [q, k, v] = qkv(2, 3, 4, 2, 2, 5);
const [qg, kg, vg] = qkv(1, 3, 4, 4, 2, 3);
const bias = jnp.cos(jnp.arange(48)).reshape([2, 2, 3, 4]);
const mask = jnp.notEqual(jnp.remainder(jnp.arange(24, undefined, 1, { dtype: "int32" }), 3), 0).reshape([2, 1, 3, 4]);
const first = (xs: JaxArray[]) => xs.map((t) => jnp.index(t, 0));
const perExample = (f: (x: JaxArray) => JaxArray) => vmap(grad(f));

const CASES: Record<string, () => JaxArray> = {
  celu: () => nn.celu(x),
  celu_alpha: () => nn.celu(x, 0.5),
  glu: () => nn.glu(jnp.arange(12).reshape([3, 4]).mul(0.5).sub(2)),
  glu_axis0: () => nn.glu(jnp.arange(12).reshape([4, 3]).mul(0.5).sub(2), 0),
  hard_sigmoid: () => nn.hardSigmoid(x),
  hard_silu: () => nn.hardSilu(x),
  hard_swish: () => nn.hardSwish(x),
  hard_tanh: () => nn.hardTanh(x),
  identity: () => nn.identity(x),
  log1mexp: () => nn.log1mexp(pos),
  logmeanexp: () => nn.logmeanexp(jnp.arange(6).reshape([2, 3]), 1),
  logmeanexp_all: () => nn.logmeanexp(jnp.array([1000, 1000, 998])),
  mish: () => nn.mish(x),
  relu6: () => nn.relu6(x),
  selu: () => nn.selu(x),
  soft_sign: () => nn.softSign(x),
  sparse_plus: () => nn.sparsePlus(x),
  sparse_sigmoid: () => nn.sparseSigmoid(x),
  squareplus: () => nn.squareplus(x),
  squareplus_b: () => nn.squareplus(x, 1.0),
  grad_relu6: () => perExample((t) => nn.relu6(t))(x),
  grad_log1mexp: () => perExample((t) => nn.log1mexp(t))(pos),
  grad_hard_silu: () => perExample((t) => nn.hardSilu(t))(x),
  grad_selu: () => perExample((t) => nn.selu(t))(x),
  grad_mish: () => perExample((t) => nn.mish(t))(x),
  attention: () => nn.dotProductAttention(q, k, v),
  attention_causal: () => nn.dotProductAttention(q, k, v, { isCausal: true }),
  attention_bias_mask: () => nn.dotProductAttention(q, k, v, { bias, mask, scale: 0.3 }),
  attention_gqa: () => nn.dotProductAttention(qg, kg, vg),
  attention_seqlen: () =>
    nn.dotProductAttention(q, k, v, { querySeqLengths: jnp.array([2, 3], { dtype: "int32" }), keyValueSeqLengths: jnp.array([3, 1], { dtype: "int32" }) }),
  attention_window: () => nn.dotProductAttention(q, k, v, { localWindowSize: [1, 0] }),
  attention_3d: () => nn.dotProductAttention(...(first([q, k, v]) as [JaxArray, JaxArray, JaxArray])),
  grad_attention: () => grad((t: JaxArray) => jnp.sum(jnp.square(nn.dotProductAttention(t, k, v, { isCausal: true }))))(q),
};

/**
 * XLA's float32 tanh is exactly 1 above 7.9 (tfjs's is 1 - 2.4e-7 at 8.0003), so mish'(8) =
 * tanh(sp) + 8 sech^2(sp) sigmoid(8) is 1 in JAX and 1.0000034 (the float64 value) here.
 */
const TOLERANCE: Record<string, { ulps?: number; atol?: number }> = { grad_mish: { atol: 4e-6 } };

describe("jax.nn functions give JAX's answers", () => {
  it("every reference has a case and every case a reference", () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(REF).sort());
  });
  it.each(Object.keys(CASES))("%s", (name) => checkAnswer(name, CASES[name](), REF[name], TOLERANCE[name] ?? { ulps: 16, atol: 2e-6 }));
});

test("activations are named jits, as in JAX", () => {
  const text = String(makeJaxpr((t: JaxArray) => nn.hardSilu(t))(jnp.ones([2])));
  expect(text).toContain("name=hard_silu");
  expect(text).toContain("name=hard_sigmoid");
  expect(text).toContain("custom_jvp_call[");
});

test("custom jvps hold at the kinks and smooth functions pass check_grads", () => {
  // JAX's relu6 rule: derivative 0 at 0 and at 6.
  expect([0, 6, 3].map((t) => grad((y: JaxArray) => nn.relu6(y))(t).item())).toEqual([0, 0, 1]);
  for (const f of [nn.mish, nn.selu, nn.celu, nn.softSign, nn.squareplus, nn.logmeanexp] as ((t: JaxArray) => JaxArray)[])
    checkGrads((t: JaxArray) => f(t), [jnp.array([-1.3, 0.4, 2.2])], { order: 2 });
  checkGrads((t: JaxArray) => nn.log1mexp(t), [jnp.array([0.1, 0.9, 3])], { order: 2 });
  checkGrads((t: JaxArray) => nn.glu(t), [jnp.array([-1.3, 0.4, 2.2, 0.7])], { order: 1 });
  checkGrads((a: JaxArray, b: JaxArray) => nn.dotProductAttention(a, b, v, { isCausal: true }), [q, k], { order: 1, atol: 2e-2, rtol: 2e-2 });
});

test("attention under jit and vmap agrees with the eager call", () => {
  const f = (a: JaxArray, b: JaxArray, c: JaxArray) => nn.dotProductAttention(a, b, c, { isCausal: true });
  const eager = Array.from((f(q, k, v) as ArrayImpl).dataSync());
  const jitted = Array.from((jit(f)(q, k, v) as ArrayImpl).dataSync());
  jitted.forEach((t, i) => expect(t).toBeCloseTo(eager[i], 5));
  // vmap over the batch axis of 3-d (T, N, H) inputs gives the 4-d call's answer.
  const mapped = Array.from((vmap(f)(q, k, v) as ArrayImpl).dataSync());
  mapped.forEach((t, i) => expect(t).toBeCloseTo(eager[i], 5));
});

test("attention's argument checks use JAX's words", () => {
  expect(() => nn.dotProductAttention(q, k, jnp.ones([2, 4, 2, 4]))).toThrow("value shape should be (2, 4, 2, 5): but got (2, 4, 2, 4)");
  expect(() => nn.dotProductAttention(jnp.ones([2, 3, 3, 5]), k, v)).toThrow("The number of query heads must be a multiple of key/value heads, but got 3 vs 2");
});
