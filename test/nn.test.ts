// jax.nn: values against JAX's docstrings and closed forms; derivatives against closed forms;
// initializers against JAX's formulas (fans, variance, the truncated-normal constant).
import { expect, test } from "vitest";
import { type Array, grad, jnp, nn, random, vmap } from "../src/index.js";

const vals = (x: Array) => globalThis.Array.from(x.dataSync() as Float32Array);
const close = (x: Array, want: number[], tol = 1e-6) => vals(x).forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want[i]))));
const xs = [-2, -1, -0.5, 0, 0.5, 1, 2];

test("activations match JAX's docstrings and closed forms", () => {
  expect(String(nn.relu(jnp.array(xs)))).toBe("[0.  0.  0.  0.  0.5 1.  2. ]"); // jax.nn.relu docstring
  close(nn.sigmoid(jnp.array(xs)), xs.map((x) => 1 / (1 + Math.exp(-x))));
  close(nn.softplus(jnp.array(xs)), xs.map((x) => Math.log1p(Math.exp(x))));
  close(nn.silu(jnp.array(xs)), xs.map((x) => x / (1 + Math.exp(-x))));
  close(nn.gelu(jnp.array(xs)), xs.map((x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)))), 1e-5);
  close(nn.logSigmoid(jnp.array(xs)), xs.map((x) => -Math.log1p(Math.exp(-x))), 1e-5);
  const e = xs.map(Math.exp);
  const s = e.reduce((a, b) => a + b);
  close(nn.softmax(jnp.array(xs)), e.map((v) => v / s));
  close(nn.logSoftmax(jnp.array(xs)), e.map((v) => Math.log(v / s)), 1e-5);
  close(nn.logsumexp(jnp.array(xs)), [Math.log(s)]);
  close(nn.logsumexp(jnp.array([1000, 1000])), [1000 + Math.log(2)]);
  expect(String(nn.oneHot(jnp.array([0, 1, 2], { dtype: "int32" }), 3))).toBe("[[1. 0. 0.]\n [0. 1. 0.]\n [0. 0. 1.]]");
  expect(String(nn.oneHot(jnp.array([-1, 3], { dtype: "int32" }), 3))).toBe("[[0. 0. 0.]\n [0. 0. 0.]]"); // docstring
  const st = nn.standardize(jnp.array([1, 2, 3, 4]));
  const m = 2.5;
  const v = 1.25;
  close(st, [1, 2, 3, 4].map((x) => (x - m) / Math.sqrt(v + 1e-5)), 1e-5);
});

test("derivatives: relu'(0) = 0, softmax's custom jvp, logsumexp's gradient is softmax", () => {
  close(vmap(grad((x: Array) => nn.relu(x)))(jnp.array([-1, 0, 2])), [0, 0, 1]);
  close(grad((x: Array) => nn.softplus(x))(1.5) as Array, [1 / (1 + Math.exp(-1.5))]);
  const x = jnp.array([0.1, 2.0, -1.0]);
  const sm = vals(nn.softmax(x));
  close(grad((y: Array) => nn.logsumexp(y))(x) as Array, sm, 1e-5);
  // d/dx_j softmax(x)_0 = s0 (δ0j - sj)
  close(grad((y: Array) => nn.softmax(y).index(0))(x) as Array, sm.map((sj, j) => sm[0] * ((j === 0 ? 1 : 0) - sj)), 1e-5);
});

test("initializers follow JAX's variance scaling", () => {
  const key = random.key(0);
  const shape = [64, 32];
  const w = nn.initializers.glorotUniform()(key, shape);
  const limit = Math.sqrt((3 * 1.0) / ((64 + 32) / 2));
  // JAX: uniform(key, shape, dtype, -1) * sqrt(3 * variance)
  const want = jnp.multiply(random.uniform(key, shape, "float32", -1), jnp.sqrt(jnp.multiply(3, jnp.array(1 / 48))));
  expect(vals(w)).toEqual(vals(want));
  expect(Math.max(...vals(w).map(Math.abs))).toBeLessThanOrEqual(limit);
  const h = nn.initializers.heNormal()(key, [256, 128]);
  const var_ = vals(h).reduce((a, b) => a + b * b, 0) / h.size;
  expect(Math.abs(var_ - 2 / 256) / (2 / 256)).toBeLessThan(0.1);
  expect(nn.initializers.computeFans([3, 3, 16, 32])).toEqual([144, 288]);
  expect(() => nn.initializers.lecunNormal()(key, [5])).toThrow("Can't compute input and output sizes of a 1-dimensional weights tensor with default in_axis");
});
