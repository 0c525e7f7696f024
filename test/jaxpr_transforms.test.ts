// Composed transformations' jaxprs against what JAX prints for the same programs
// (scripts/jax_reference/jaxpr_texts.py, "transforms/*"): an MLP loss's gradient, jit inside
// grad and grad inside jit, vmap of a matmul, cond/scan/fori_loop under grad and vmap, custom
// derivatives under grad. Where tfjax's text is not yet JAX's, the case is `test.fails` with the
// reason: it documents the difference and fails loudly once fixed.
import { describe, expect, test } from "vitest";
import { type Array, checkpoint, customJvp, customVjp, grad, jit, jnp, jvp, lax, linearize, makeJaxpr, nn, valueAndGrad, vmap } from "../src/index.js";
import { jaxText } from "./jax_texts.js";

const text = (f: (...a: any[]) => unknown, ...args: unknown[]) => String(makeJaxpr(f)(...args));
/**
 * Without scan's params that changed in JAX 0.11 (0.10.2's num_consts/num_carry, 0.11's
 * ft_in/ft_out, see test/scan.test.ts): the rest of a scan's text is compared with JAX's.
 */
const withoutScanParams = (t: string) => t.replace(/^ *(num_carry|num_consts|ft_in|ft_out)=.*\n/gm, "");
const scanText = (f: (...a: any[]) => unknown, ...args: unknown[]) => withoutScanParams(text(f, ...args));
const jaxScanText = (name: string) => withoutScanParams(jaxText(name));
const z = (...shape: number[]) => jnp.zeros(shape);
const f32 = (v: number | number[] | number[][]) => jnp.array(v as never, { dtype: "float32" });

// JAX 0.11 binds reduce_max with an out_sharding param (lax.py reduce_max), 0.10.2 without.
const REDUCE_MAX_011: [string, string][] = [["reduce_max[axes=(1,)]", "reduce_max[axes=(1,) out_sharding=None]"]];

type Params = [[Array, Array], [Array, Array]];
const mlpLoss = ([[w1, b1], [w2, b2]]: Params, x: Array, y: Array) => {
  const h = jnp.tanh(jnp.dot(x, w1).add(b1));
  const logits = jnp.dot(h, w2).add(b2);
  return jnp.mean(nn.logsumexp(logits, -1).sub(jnp.sum(logits.mul(y), -1)));
};
const mlpParams = (): Params => [
  [z(3, 4), z(4)],
  [z(4, 2), z(2)],
];

const sinCos = (x: Array) => jnp.sin(jnp.cos(x));
const jf = jit(function f(y: Array) {
  return jnp.multiply(jnp.sin(y), y);
});
const condF = (x: Array) => lax.cond(x.gt(0), (y: Array) => jnp.sin(y), (y: Array) => jnp.cos(y), x);
const scanF = (c: Array, xs: Array) => lax.scan((c: Array, x: Array): [Array, Array] => [jnp.sin(c.mul(x)), c], c, xs);

describe("an MLP", () => {
  test("grad of its loss: dot_general, tanh and logsumexp, transposed", () => {
    expect(text(grad(mlpLoss), mlpParams(), z(5, 3), z(5, 2))).toBe(jaxText("transforms/grad_mlp_loss", REDUCE_MAX_011));
  });
  test("valueAndGrad of its loss", () => {
    expect(text(valueAndGrad(mlpLoss), mlpParams(), z(5, 3), z(5, 2))).toBe(jaxText("transforms/value_and_grad_mlp_loss", REDUCE_MAX_011));
  });
  test.each([
    ["logsumexp", (x: Array) => nn.logsumexp(x, -1), [z(5, 2)]],
    ["softmax", (x: Array) => nn.softmax(x), [z(5, 2)]],
    ["relu", (x: Array) => nn.relu(x), [z(3)]],
    ["grad_relu", grad((x: Array) => nn.relu(x)), [2.0]],
    ["hard_silu", (x: Array) => nn.hardSilu(x), [jnp.ones([2])]],
  ] as [string, (...a: any[]) => unknown, unknown[]][])("nn: %s", (name, f, args) => {
    expect(text(f, ...args)).toBe(jaxText(`transforms/${name}`, name === "logsumexp" || name === "softmax" ? REDUCE_MAX_011 : []));
  });
});

describe("jit, vmap and grad composed", () => {
  test("vmap of a matrix-vector product", () => {
    expect(text(vmap((w: Array, x: Array) => jnp.matmul(w, x), { inAxes: [null, 0] }), z(3, 4), z(5, 4))).toBe(jaxText("transforms/vmap_matvec"));
  });
  test("grad of a jitted function: the jit equation is linearized, then transposed", () => {
    expect(text(grad((x: Array) => jf(x)), 2.0)).toBe(jaxText("transforms/grad_of_jit"));
  });
  test("jit of grad", () => {
    expect(text(jit(grad(sinCos)), 2.0)).toBe(jaxText("transforms/jit_of_grad"));
  });
  test("vmap of a jitted function", () => {
    expect(text(vmap(jf), z(3))).toBe(jaxText("transforms/vmap_of_jit"));
  });
  test("grad of grad", () => {
    expect(text(grad(grad(sinCos)), 2.0)).toBe(jaxText("transforms/grad_grad"));
  });
  test("jvp and linearize", () => {
    expect(text((x: Array, t: Array) => jvp(sinCos, [x], [t]), 3.0, 1.0)).toBe(jaxText("transforms/jvp_sin_cos"));
    expect(text((x: Array, t: Array) => (linearize(sinCos, x)[1] as (t: Array) => Array)(t), 3.0, 1.0)).toBe(jaxText("transforms/linearize_sin_cos"));
  });
  test("grad of a checkpointed function", () => {
    expect(text(grad(checkpoint((x: Array) => jnp.sin(jnp.sin(x)))), 2.0)).toBe(jaxText("transforms/checkpoint_grad"));
  });
});

describe("control flow under grad and vmap", () => {
  test("grad of cond", () => {
    expect(text(grad(condF), 1.0)).toBe(jaxText("transforms/grad_cond"));
  });
  test("grad of cond with array residuals: a branch without one fills its slot with empty2", () => {
    const f = (x: Array) => lax.cond(x.sum().gt(0), (y: Array) => jnp.sin(y), (y: Array) => y.mul(2.0), x).sum();
    expect(text(grad(f), jnp.ones([3]))).toBe(jaxText("transforms/grad_cond_array"));
  });
  test("vmap of grad of cond", () => {
    expect(text(vmap(grad(condF)), z(3))).toBe(jaxText("transforms/vmap_grad_cond"));
  });
  test("grad of a fori_loop with static bounds (a scan)", () => {
    expect(scanText(grad((x: Array) => lax.foriLoop(0, 3, (_i: Array, c: Array) => jnp.sin(c).mul(x), x)), 0.5)).toBe(jaxScanText("transforms/grad_fori_static"));
  });
  test("grad of scan", () => {
    expect(scanText(grad((c: Array, xs: Array) => scanF(c, xs)[0], { argnums: [0, 1] }), f32(0.7), f32([0.5, 1.0, 1.5]))).toBe(jaxScanText("transforms/grad_scan"));
  });
  test("vmap of scan", () => {
    expect(scanText(vmap(scanF), f32([1, 2]), f32([[1, 2, 3], [4, 5, 6]]))).toBe(jaxScanText("transforms/vmap_scan"));
    expect(scanText(vmap(scanF, { inAxes: [0, null] }), f32([1, 2]), f32([1, 2, 3]))).toBe(jaxScanText("transforms/vmap_scan_unbatched_xs"));
  });
  test("vmap of a while loop whose predicate is unbatched", () => {
    const f = (x: Array) => lax.whileLoop((c: Array[]) => c[0].lt(3), (c: Array[]) => [c[0].add(1), c[1].mul(x)], [0, x]);
    expect(text(vmap(f), f32([1, 2]))).toBe(jaxText("transforms/vmap_while_unbatched_pred"));
  });
});

describe("custom derivatives under transformations", () => {
  const cj = customJvp(function cj(x: Array) {
    return jnp.sin(x);
  });
  cj.defjvp(function cj_jvp(primals: Array[], tangents: Array[]) {
    return [cj(primals[0]), tangents[0].mul(100)];
  });
  const cv = customVjp(function cv(x: Array) {
    return jnp.sin(x);
  });
  cv.defvjp(
    function cv_fwd(x: Array) {
      return [cv(x), jnp.cos(x)];
    },
    function cv_bwd(c: Array, ct: Array) {
      return [ct.mul(c).mul(7)];
    },
  );
  test("grad of custom_jvp", () => {
    expect(text(grad(cj), 2.0)).toBe(jaxText("transforms/grad_custom_jvp"));
  });
  test("vmap of custom_jvp", () => {
    expect(text(vmap(cj), z(3))).toBe(jaxText("transforms/vmap_custom_jvp"));
  });
  test("grad of custom_vjp", () => {
    expect(text(grad(cv), 2.0)).toBe(jaxText("transforms/grad_custom_vjp"));
  });
});
