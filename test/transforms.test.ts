// The transformations' contract: composition in every order, the jaxprs JAX prints for them
// (printed by JAX: scripts/jax_reference/jaxpr_texts.py), and JAX's errors. Numbers are checked
// against closed-form derivatives, never tfjax's output.
import { expect, test } from "vitest";
import {
  type Array,
  checkpoint,
  config,
  customJvp,
  customVjp,
  grad,
  hessian,
  jacfwd,
  jacrev,
  jit,
  jnp,
  jvp,
  lax,
  linearize,
  makeJaxpr,
  pmap,
  valueAndGrad,
  vjp,
  vmap,
} from "../src/index.js";
import { jaxText } from "./jax_texts.js";

const close = (a: Array | number, b: number[] | number, tol = 1e-5) => {
  const got = typeof a === "number" ? [a] : globalThis.Array.from(a.dataSync() as Float32Array);
  const want = typeof b === "number" ? [b] : b;
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want[i]))));
};

// f(x) = sin(cos(x)); f'(x) = -cos(cos x) sin x; f''(x) = -sin(cos x) sin²x - cos(cos x) cos x
const f = (x: Array | number) => jnp.sin(jnp.cos(x));
const df = (x: number) => -Math.cos(Math.cos(x)) * Math.sin(x);
const d2f = (x: number) => -Math.sin(Math.cos(x)) * Math.sin(x) ** 2 - Math.cos(Math.cos(x)) * Math.cos(x);

test("makeJaxpr(grad(f)) prints JAX's text", () => {
  expect(String(makeJaxpr(grad(f))(3.0))).toBe(jaxText("transforms/grad_sin_cos"));
});

test("custom_jvp_call and custom_vjp_call print as JAX prints them (custom_api_test.py)", () => {
  const g = customJvp(function f(x: Array) {
    return jnp.add(x, 1);
  });
  g.defjvp(function f_jvp(primals: Array[], tangents: Array[]) {
    return [g(primals[0]), tangents[0]];
  });
  const x = jnp.array([4.2]);
  expect(String(makeJaxpr(g)(x))).toBe(jaxText("transforms/custom_jvp_call"));
  const h = customVjp(function f(x: Array) {
    return jnp.add(x, 1);
  });
  h.defvjp(
    function f_fwd(x: Array) {
      return [h(x), []];
    },
    function f_bwd(_res: unknown, g: Array) {
      return [g];
    },
  );
  expect(String(makeJaxpr(h)(x))).toBe(jaxText("transforms/custom_vjp_call"));
});

test("grad, jvp, vjp and linearize agree with the closed form", () => {
  close(grad(f)(3.0), df(3));
  const [y, t] = jvp(f, [3.0], [2.0]) as [Array, Array];
  close(y, Math.sin(Math.cos(3)));
  close(t, 2 * df(3));
  const [y2, pull] = vjp(f, 3.0);
  close(y2 as Array, Math.sin(Math.cos(3)));
  close(pull(jnp.array(1.5))[0] as Array, 1.5 * df(3));
  const [, fJvp] = linearize(f, 3.0);
  close(fJvp(4.0) as Array, 4 * df(3));
  const [v, g] = valueAndGrad(f)(3.0);
  close(v, Math.sin(Math.cos(3)));
  close(g, df(3));
});

test("transformations compose in every order", () => {
  const xs = [0.5, 1.0, 2.0];
  close(jit(grad(f))(2.0), df(2));
  close(grad(jit(f))(2.0), df(2));
  close(grad(grad(f))(2.0), d2f(2), 1e-4);
  close(jit(grad(jit(grad(f))))(2.0), d2f(2), 1e-4);
  close(vmap(grad(f))(jnp.array(xs)), xs.map(df));
  close(jit(vmap(jit(f)))(jnp.array(xs)), xs.map((x) => Math.sin(Math.cos(x))));
  close(vmap(jit(grad(f)))(jnp.array(xs)), xs.map(df));
  close(hessian(f)(2.0), d2f(2), 1e-4);
  // jvp of vjp: the directional derivative of the gradient is the second derivative.
  const gradViaVjp = (x: Array) => (vjp(f, x)[1](jnp.array(1.0)) as Array[])[0];
  close((jvp(gradViaVjp, [jnp.array(2.0)], [jnp.array(1.0)]) as Array[])[1], d2f(2), 1e-4);
});

test("jacfwd and jacrev of a vector function", () => {
  // g(x) = [x0 * x1, sin(x0)] -> J = [[x1, x0], [cos x0, 0]]
  const g = (x: Array) => jnp.stack([jnp.multiply(x.index(0), x.index(1)), jnp.sin(x.index(0))]);
  const x = jnp.array([0.5, 2.0]);
  const want = [2.0, 0.5, Math.cos(0.5), 0];
  close(jacfwd(g)(x), want);
  close(jacrev(g)(x), want);
});

test("grad with argnums, pytrees and hasAux", () => {
  const loss = (p: { w: Array; b: Array }, x: Array) => jnp.sum(jnp.multiply(jnp.add(jnp.multiply(p.w, x), p.b), 2));
  const p = { w: jnp.array([1, 2]), b: jnp.array([3, 4]) };
  const x = jnp.array([5, 6]);
  const g = grad(loss)(p, x) as { w: Array; b: Array };
  close(g.w, [10, 12]);
  close(g.b, [2, 2]);
  const [gp, gx] = grad(loss, { argnums: [0, 1] })(p, x) as [{ w: Array }, Array];
  close(gp.w, [10, 12]);
  close(gx, [2, 4]);
  const [ga, aux] = grad((x: Array) => [jnp.sum(jnp.sin(x)), jnp.cos(x)], { hasAux: true })(jnp.array([0.0, 1.0]));
  close(ga, [1, Math.cos(1)]);
  close(aux, [1, Math.cos(1)]);
});

test("vmap with inAxes/outAxes, null axes, nested vmap and per-example gradients", () => {
  const a = jnp.array([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  close(vmap((r: Array) => jnp.sum(r))(a), [6, 15]);
  close(vmap((c: Array) => jnp.sum(c), { inAxes: 1 })(a), [5, 7, 9]);
  close(vmap((r: Array, s: Array) => jnp.multiply(r, s), { inAxes: [0, null] })(a, jnp.array([1, 0, 2])), [1, 0, 6, 4, 0, 12]);
  const t = vmap((r: Array) => jnp.multiply(r, 2), { outAxes: 1 })(a) as Array;
  expect(t.shape).toEqual([3, 2]);
  close(t, [2, 8, 4, 10, 6, 12]);
  close(vmap(vmap((x: Array) => jnp.multiply(x, x)))(a), [1, 4, 9, 16, 25, 36]);
  // per-example gradients of loss(w, x) = sum(w * x)^2 / 2: grad_w = (w·x) x
  const loss = (w: Array, x: Array) => jnp.multiply(jnp.square(jnp.sum(jnp.multiply(w, x))), 0.5);
  const w = jnp.array([1, 1, 1]);
  close(vmap(grad(loss), { inAxes: [null, 0] })(w, a), [6, 12, 18, 60, 75, 90]);
});

test("JAX's errors for grad and vmap misuse", () => {
  expect(() => grad((x: Array) => jnp.multiply(x, 2))(jnp.array([1, 2]))).toThrow(
    "Gradient only defined for scalar-output functions. Output had shape: (2,). To get the gradient, reduce the output to a scalar with output.sum(), or use jax.jacobian to differentiate a function with a non-scalar output.",
  );
  expect(() => grad((x: Array) => x)(jnp.array(1, { dtype: "int32" }))).toThrow(
    "grad requires real- or complex-valued inputs (input dtype that is a sub-dtype of np.inexact), but got int32. If you want to use Boolean- or integer-valued inputs, use vjp or set allow_int to True.",
  );
  expect(() => grad((x: Array) => jnp.argmax(x))(jnp.array([1.0, 2.0]))).toThrow(/Gradient only defined|grad requires real-valued outputs/);
  expect(() => vmap((x: Array, y: Array) => jnp.add(x, y))(jnp.ones([2]), jnp.ones([3]))).toThrow(
    "vmap got inconsistent sizes for array axes to be mapped:\n  * one axis had size 2: axis 0 of args[0] of type f32[2];\n  * one axis had size 3: axis 0 of args[1] of type f32[3]",
  );
  expect(() => vmap((x: Array) => x, { inAxes: 1 })(jnp.ones([2]))).toThrow(
    "vmap was requested to map its argument along axis 1, which implies that its rank should be at least 2, but is only 1 (its shape is (2,))",
  );
});

test("stopGradient blocks the derivative; checkpoint keeps it", () => {
  close(grad((x: Array) => jnp.multiply(x, lax.stopGradient(x)))(3.0), 3);
  const g = checkpoint((x: Array) => jnp.sin(jnp.sin(x)));
  close(grad(g)(2.0), Math.cos(Math.sin(2)) * Math.cos(2));
  expect(String(makeJaxpr(grad(g))(2.0))).toContain("remat2[");
});

test("checkpoint of a function that calls a jit differentiates", () => {
  // Under grad the jit's equation takes primals and tangents; remat's partial eval read its
  // known outputs off the body cut down to them, which kept the whole equation and so read the
  // unknown tangents (found with the scan/jit forwarding bug), and its transpose took the
  // equation as linear whole. Now the known half of the split body computes the known outputs,
  // and the transpose recomputes the non-linear part first (JAX's remat_partial_eval and
  // ad_checkpoint.transpose_jaxpr).
  const ident = jit((a: Array) => jnp.reshape(a, [2]));
  const pair = jit((a: Array) => [a, jnp.sin(a)]);
  const x = jnp.array([0.5, 1.5]);
  const f = (a: Array) => ident(a).mul(2).sum();
  const g = (a: Array) => {
    const [p, q] = pair(a) as Array[];
    return p.mul(q).sum();
  };
  const dg = [0.5, 1.5].map((a) => Math.sin(a) + a * Math.cos(a));
  close(grad(checkpoint(f))(x), [2, 2]);
  close(grad(checkpoint(g))(x), dg);
  close(jit(grad(checkpoint(g)))(x), dg);
  close(vmap(grad(checkpoint(g)))(jnp.array([[0.5, 1.5]])), dg);
  close((linearize(checkpoint(g), x)[1] as (t: Array) => Array)(jnp.array([1, 0])), dg[0]);
  // d/da of sin a + a cos a
  close(grad((a: Array) => grad(checkpoint(g))(a).sum())(x), [0.5, 1.5].map((a) => 2 * Math.cos(a) - a * Math.sin(a)));
});

test("customJvp and customVjp rules replace differentiation", () => {
  const h = customJvp((x: Array) => jnp.sin(x));
  h.defjvp(([x]: Array[], [t]: Array[]) => [h(x), jnp.multiply(t, 100)]);
  close((jvp(h, [2.0], [1.0]) as Array[])[1], 100);
  close(grad(h)(2.0), 100);
  close(vmap(grad(h))(jnp.array([1, 2])), [100, 100]);
  const k = customVjp((x: Array) => jnp.sin(x));
  k.defvjp(
    (x: Array) => [k(x), jnp.cos(x)],
    (c: Array, ct: Array) => [jnp.multiply(jnp.multiply(ct, c), 7)],
  );
  close(grad(k)(2.0), 7 * Math.cos(2));
  close(jit(grad(k))(2.0), 7 * Math.cos(2));
  close(vmap(grad(k))(jnp.array([1, 2])), [7 * Math.cos(1), 7 * Math.cos(2)]);
  expect(() => jvp(k, [2.0], [1.0])).toThrow("can't apply forward-mode autodiff (jvp) to a custom_vjp function.");
});

test("pmap over simulated devices with collectives, also under vmap(axisName) and grad", () => {
  config.update("tfjax_host_device_count", 4);
  try {
    const normalize = (x: Array) => jnp.divide(x, lax.psum(x, "i"));
    const x = jnp.array([1, 2, 3, 4]);
    close(pmap(normalize, { axisName: "i" })(x), [0.1, 0.2, 0.3, 0.4]);
    close(vmap(normalize, { axisName: "i" })(x), [0.1, 0.2, 0.3, 0.4]);
    close(pmap((v: Array) => lax.allGather(v, "i"), { axisName: "i" })(jnp.array([1, 2, 3])), [1, 2, 3, 1, 2, 3, 1, 2, 3]);
    close(pmap((v: Array) => jnp.multiply(v, lax.axisIndex("i")), { axisName: "i" })(jnp.array([5, 5, 5])), [0, 5, 10]);
    close(pmap((v: Array) => lax.pmean(v, "i"), { axisName: "i" })(jnp.array([1, 2, 3])), [2, 2, 2]);
    // d/dx_j sum_i sin(sum_k x_k) = 3 cos(sum x)
    const g = grad((v: Array) => jnp.sum(pmap((y: Array) => jnp.sin(lax.psum(y, "i")), { axisName: "i" })(v)))(jnp.array([1, 2, 3]));
    close(g, [3, 3, 3].map((c) => c * Math.cos(6)), 1e-4);
    expect(String(makeJaxpr(pmap(normalize, { axisName: "i" }))(x))).toContain("xla_pmap[");
    expect(() => pmap((v: Array) => v)(jnp.zeros([5]))).toThrow("compiling computation that requires 5 logical devices, but only 4 XLA devices are available (num_replicas=5)");
    expect(() => lax.psum(jnp.array(1), "j")).toThrow("unbound axis name: j");
  } finally {
    config.update("tfjax_host_device_count", 1);
  }
});
