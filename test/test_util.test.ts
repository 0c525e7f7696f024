// checkGrads (jax.test_util.check_grads): passes on correct derivatives in every mode and order,
// and fails, naming the check, when a rule is wrong.
import { describe, expect, it } from "vitest";
import { type Array as JaxArray, checkGrads, customJvp, customVjp, jit, lax, numpy as jnp } from "../src/index.js";

const x = jnp.array([0.3, -1.2, 2.0]);
const y = jnp.array([[1.5, -0.5], [0.25, 2.0]]);

describe("checkGrads", () => {
  it("passes on correct derivatives, forward, reverse and by linearize, up to order 3", () => {
    const f = (a: JaxArray) => jnp.sin(a).mul(jnp.exp(a.mul(0.5)));
    checkGrads(f, [x], { order: 2, modes: ["fwd", "rev", "lin"] });
    checkGrads(f, [x], { order: 3, modes: ["rev"] });
  });

  it("handles pytrees of arguments and outputs, JS numbers and several arguments", () => {
    const f = (p: { w: JaxArray; b: JaxArray }, s: number) => [jnp.tanh(jnp.matmul(y, p.w).add(p.b)).mul(s), { sq: jnp.sum(p.w.mul(p.w)) }];
    checkGrads(f, [{ w: jnp.array([[0.5], [-1.0]]), b: jnp.array([0.1]) }, 1.5], { order: 2 });
  });

  it("checks jitted functions and integer-free reductions", () => {
    const f = jit((a: JaxArray, b: JaxArray) => jnp.sum(jnp.log1p(a.mul(a)).mul(b)));
    checkGrads(f, [x, jnp.array([1, 2, 3])], { order: 2, modes: ["rev"] });
  });

  it("throws, naming the check, when a custom jvp rule is wrong", () => {
    const f = customJvp((a: JaxArray) => jnp.sin(a));
    f.defjvp(([a], [t]) => [f(a), jnp.cos(a).mul(t).mul(1.1)]); // 10% too large
    expect(() => checkGrads(f, [x], { order: 1, modes: ["fwd"] })).toThrow(/JVP tangent/);
    expect(() => checkGrads(f, [x], { order: 1, modes: ["rev"] })).toThrow(/VJP cotangent projection/);
    const good = customJvp((a: JaxArray) => jnp.sin(a));
    good.defjvp(([a], [t]) => [good(a), jnp.cos(a).mul(t)]);
    checkGrads(good, [x], { order: 1 });
  });

  it("throws when a custom vjp rule is wrong, and only in reverse mode at second order", () => {
    const f = customVjp((a: JaxArray) => a.mul(a));
    f.defvjp(
      (a: JaxArray) => [a.mul(a), a],
      (a: JaxArray, ct: JaxArray) => [ct.mul(a).mul(-2)], // wrong sign
    );
    expect(() => checkGrads(f, [x], { order: 1, modes: ["rev"] })).toThrow(/VJP cotangent projection/);
    // A second derivative that is wrong while the first is right: d/da of the vjp (3 a^2 ct
    // would need 6 a ct), caught only at order 2.
    const g = customVjp((a: JaxArray) => a.mul(a).mul(a));
    g.defvjp(
      (a: JaxArray) => [a.mul(a).mul(a), a],
      (a: JaxArray, ct: JaxArray) => [ct.mul(lax.stopGradient(a.mul(a))).mul(3)],
    );
    checkGrads(g, [x], { order: 1, modes: ["rev"] });
    expect(() => checkGrads(g, [x], { order: 2, modes: ["rev"] })).toThrow(/VJP of VJP/);
  });

  it("respects atol, rtol and eps", () => {
    const f = customJvp((a: JaxArray) => jnp.exp(a));
    f.defjvp(([a], [t]) => [f(a), jnp.exp(a).mul(t).mul(1.001)]); // 0.1% too large
    expect(() => checkGrads(f, [x], { order: 1, modes: ["fwd"], atol: 1e-5, rtol: 1e-5 })).toThrow(/Not equal to tolerance/);
    checkGrads(f, [x], { order: 1, modes: ["fwd"], atol: 1e-2, rtol: 1e-2 });
    // A step so large that the finite differences are far off.
    expect(() => checkGrads(jnp.exp, [x], { order: 1, modes: ["fwd"], eps: 0.5 })).toThrow(/JVP tangent/);
  });

  it("rejects an order below 1", () => {
    expect(() => checkGrads(jnp.sin, [x], { order: 0 })).toThrow("order must be a positive integer");
  });
});
