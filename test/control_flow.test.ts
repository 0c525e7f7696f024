// lax.cond, lax.switch, lax.whileLoop and lax.foriLoop: the jaxprs JAX prints for them (printed
// by JAX for the same programs: scripts/jax_reference/jaxpr_texts.py, "control_flow/*"), values eagerly and under jit, derivatives against closed forms and finite
// differences, vmap against loops, JAX's error texts, and the primitive harness's modes.
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, test } from "vitest";
import { type Array, grad, jit, jnp, jvp, lax, linearize, makeJaxpr, primitives, valueAndGrad, vmap } from "../src/index.js";
import { checkJaxpr } from "../src/jaxpr/typecheck.js";
import { controlFlowCases } from "./harness/control_flow_cases.js";
import { checkGrad } from "./harness/grad.js";
import { checkCaseJaxpr, modes, runCase } from "./harness/run.js";
import { checkVmap } from "./harness/vmap.js";
import { jaxText } from "./jax_texts.js";

const vals = (a: Array | number): number[] => (typeof a === "number" ? [a] : globalThis.Array.from(a.dataSync() as Float32Array, Number));
const close = (a: Array | number, want: number[] | number, tol = 1e-5) => {
  const got = vals(a);
  const w = typeof want === "number" ? [want] : want;
  expect(got.length).toBe(w.length);
  got.forEach((g, i) => expect(Math.abs(g - w[i]), `element ${i}: got ${g}, want ${w[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(w[i]))));
};
const i32 = (v: number | number[]) => jnp.array(v, { dtype: "int32" });
const f32 = (v: number | number[]) => jnp.array(v, { dtype: "float32" });
const jaxprText = (f: (...a: any[]) => any, ...args: unknown[]) => {
  const closed = makeJaxpr(f)(...args);
  checkJaxpr(closed.jaxpr);
  return String(closed);
};

// ---- the jaxprs ---------------------------------------------------------------------------------

describe("jaxprs as JAX prints them", () => {
  test("cond closing over a value: JAX's tests/api_test.py test_cond, verbatim", () => {
    const f = (x: Array) =>
      lax.cond(
        x.ge(0),
        (xt: Array, _: Array) => xt.add(x),
        (_: Array, xf: Array) => xf.sub(x),
        x.add(1),
        x.add(2),
      );
    expect(jaxprText(f, f32(3))).toBe(jaxText("control_flow/cond_closure"));
  });

  // The examples of JAX's "Understanding jaxprs" (docs/jaxpr.md).
  test("docs/jaxpr.md func7: lax.cond (branches=(false, true), index = int32(pred))", () => {
    const func7 = (arg: Array) => lax.cond(arg.ge(0), (xtrue: Array) => xtrue.add(3), (xfalse: Array) => xfalse.sub(3), arg);
    expect(jaxprText(func7, 5.0)).toBe(jaxText("control_flow/func7"));
  });

  // JAX passes n = 5 (a weak int32); an int32 array prints the same (weak types are not printed).
  test("docs/jaxpr.md func10: fori_loop with a traced bound is a while (carry (i, upper, x), body consts (ones, arg))", () => {
    const func10 = (arg: Array, n: Array) => {
      const ones = jnp.ones(arg.shape);
      return lax.foriLoop(0, n, (_i: Array, carry: Array) => carry.add(ones.mul(3)).add(arg), arg.add(ones));
    };
    expect(jaxprText(func10, jnp.ones([16]), i32(5))).toBe(jaxText("control_flow/func10"));
  });

  // JAX's switch: index = clamp(0, int32(index), n - 1), then cond over the branches in order.
  test("docs/jaxpr.md one_of_three: lax.switch (clamp, then cond)", () => {
    const oneOfThree = (index: Array, arg: Array) => lax.switch(index, [(x: Array) => x.add(1), (x: Array) => x.sub(2), (x: Array) => x.add(3)], arg);
    expect(jaxprText(oneOfThree, i32(1), 5.0)).toBe(jaxText("control_flow/one_of_three"));
  });

  test("while_loop: cond and body consts lead the operands", () => {
    const f = (x: Array, limit: Array) =>
      lax.whileLoop(
        (c: Array) => c.lt(limit),
        (c: Array) => c.mul(x),
        x,
      );
    expect(jaxprText(f, f32(2), f32(100))).toBe(jaxText("control_flow/while_consts"));
  });

  test("outputs every branch forwards from one operand leave the cond (JAX's in_fwd pruning)", () => {
    const f = (p: Array, x: Array, y: Array) => lax.cond(p, (a: Array, b: Array) => [a, b.mul(2)], (a: Array, b: Array) => [a, b.neg()], x, y);
    expect(jaxprText(f, true, f32(1), f32(2))).toBe(jaxText("control_flow/cond_in_fwd"));
  });

  test("a carry the body passes through and the cond never reads becomes a body const (JAX's move_to_const)", () => {
    const f = (x: Array, w: Array) => lax.whileLoop((c: Array[]) => c[0].lt(3), (c: Array[]) => [c[0].add(1), c[1].mul(c[2]), c[2]], [i32(0), x, w]);
    expect(jaxprText(f, f32(1), f32(2))).toBe(jaxText("control_flow/while_move_to_const"));
  });

  test("docs/jaxpr.md func8: a branch's array constant is hoisted and passed to every branch", () => {
    // JAX's jnp.array([1]) is int32; a JS array of numbers is float32 unless told.
    const func8 = (arg1: Array, arg2: [Array, Array]) =>
      lax.cond(arg1.ge(0), (xtrue: Array[]) => xtrue[0], (xfalse: Array[]) => jnp.array([1], { dtype: "int32" }).add(xfalse[1]), arg2);
    expect(jaxprText(func8, 5.0, [jnp.zeros([1]), 2.0])).toBe(jaxText("control_flow/func8"));
  });

  test("jvp of cond: each branch's jvp, primal and tangent outputs (_cond_jvp and ad.jvp_jaxpr)", () => {
    const f = (x: Array) => lax.cond(x.gt(0), (y: Array) => y.sin(), (y: Array) => y.cos(), x);
    expect(jaxprText((x: Array) => jvp(f, [x], [f32(1)]), f32(1))).toBe(jaxText("control_flow/jvp_cond"));
  });

  test("jvp of while: the body carries primals then tangents, the cond ignores the tangents (_while_loop_jvp)", () => {
    const wl = (x: Array) => lax.whileLoop((c: Array) => c.lt(10), (c: Array) => c.mul(1.5), x);
    expect(jaxprText((x: Array) => jvp(wl, [x], [f32(1)]), f32(2))).toBe(jaxText("control_flow/jvp_while"));
  });

  test("vmap of while with a batched predicate: every carry batched (_while_loop_batching_rule)", () => {
    const count = (x: Array) => lax.whileLoop((c: Array[]) => c[1].lt(x), (c: Array[]) => [c[0].add(1), c[1].mul(2)], [i32(0), f32(1)]);
    expect(jaxprText(vmap(count), f32([1, 3, 10, 100]))).toBe(jaxText("control_flow/vmap_while_batched_pred"));
  });

  test("a concrete predicate under jit still stages the cond (JAX folds only int32(True))", () => {
    const f = (x: Array) => lax.cond(true, (y: Array) => y.sin(), (y: Array) => y.cos(), x);
    expect(jaxprText(f, f32(1))).toBe(jaxText("control_flow/cond_concrete_pred"));
  });
});

// ---- values -------------------------------------------------------------------------------------

describe("values, eagerly and under jit", () => {
  const piecewise = (x: Array) => lax.cond(x.gt(0), (y: Array) => y.mul(y), (y: Array) => y.neg().exp(), x);
  test("cond picks the branch", () => {
    for (const run of [piecewise, jit(piecewise)]) {
      close(run(f32(3)), 9);
      close(run(f32(-2)), Math.exp(2));
    }
  });

  test("cond with pytrees in and out, numeric predicates, closures over arrays", () => {
    const w = f32([1, 2, 3]);
    const f = (p: Array, t: { a: Array; b: Array[] }) =>
      lax.cond(
        p,
        (u: { a: Array; b: Array[] }) => ({ s: u.a.mul(w), r: [u.b[0].add(1)] }),
        (u: { a: Array; b: Array[] }) => ({ s: u.a.sub(w), r: [u.b[1]] }),
        t,
      );
    for (const run of [f, jit(f)]) {
      const t = { a: f32([1, 1, 1]), b: [f32(5), f32(7)] };
      const yes = run(f32(2.5), t) as { s: Array; r: Array[] };
      close(yes.s, [1, 2, 3]);
      close(yes.r[0], 6);
      const no = run(i32(0), t) as { s: Array; r: Array[] };
      close(no.s, [0, -1, -2]);
      close(no.r[0], 7);
    }
  });

  test("switch clamps its index", () => {
    const sw = (i: Array | number, x: Array) => lax.switch(i, [(y: Array) => y.add(1), (y: Array) => y.mul(10), (y: Array) => y.sub(100)], x);
    for (const [i, want] of [[-5, 3], [0, 3], [1, 20], [2, -98], [9, -98]]) {
      close(sw(i, f32(2)), want);
      close(jit(sw)(i32(i), f32(2)), want);
    }
  });

  test("whileLoop and foriLoop, with static and traced bounds", () => {
    const collatz = (n: Array) =>
      lax.whileLoop(
        (c: Array[]) => c[0].ne(1),
        (c: Array[]) => [lax.select(lax.rem(c[0], 2).eq(0), lax.div(c[0], 2), c[0].mul(3).add(1)), c[1].add(1)],
        [n, i32(0)],
      );
    for (const run of [collatz, jit(collatz)]) {
      const [last, steps] = run(i32(27)) as Array[];
      expect(vals(last)).toEqual([1]);
      expect(vals(steps)).toEqual([111]);
    }
    const sumTo = (n: Array | number) => lax.foriLoop(0, n, (i: Array, acc: Array) => acc.add(i), i32(0));
    expect(vals(sumTo(10) as Array)).toEqual([45]);
    expect(vals(jit(sumTo)(i32(10)) as Array)).toEqual([45]);
    expect(vals(jit(sumTo)(i32(0)) as Array)).toEqual([0]);
    // A weakly typed init takes the body's type (JAX's _promote_weak_typed_input).
    const halve = (x: Array) => lax.foriLoop(0, 3, (_i: Array, acc: Array) => acc.mul(x), 1);
    close(halve(f32(0.5)) as Array, 0.125);
  });

  test("the loop neither retraces nor recompiles per iteration; eager and jitted calls free what they allocate", () => {
    let traces = 0;
    const f = jit((x: Array) =>
      lax.whileLoop(
        (c: Array) => c.lt(1000),
        (c: Array) => {
          traces++;
          return c.add(1);
        },
        x,
      ),
    );
    close(f(f32(0)) as Array, 1000);
    close(f(f32(500)) as Array, 1000);
    expect(traces).toBe(1);
    const eager = (p: Array, x: Array) => lax.cond(p, (y: Array) => y.mul(2), (y: Array) => y, x);
    const eagerSwitch = (i: Array, x: Array) => lax.switch(i, [(y: Array) => y.mul(2), (y: Array) => y], x);
    const eagerWhile = (_: Array, x: Array) => lax.whileLoop((c: Array) => c.lt(10), (c: Array) => c.add(1), x);
    const [p, i, x] = [f32(1), i32(1), f32(3)];
    for (const [run, a] of [[(_: Array, y: Array) => f(y), p], [eager, p], [jit(eager), p], [eagerSwitch, i], [eagerWhile, p]] as const) {
      (run(a, x) as Array).dispose();
      const before = tf.memory().numTensors;
      (run(a, x) as Array).dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
  });
});

// ---- derivatives --------------------------------------------------------------------------------

describe("derivatives", () => {
  // f(x) = x > 0 ? sin(x) * x : exp(-x); f'(x) = sin x + x cos x, or -exp(-x).
  const f = (x: Array) => lax.cond(x.gt(0), (y: Array) => y.sin().mul(y), (y: Array) => y.neg().exp(), x);
  const df = (x: number) => (x > 0 ? Math.sin(x) + x * Math.cos(x) : -Math.exp(-x));

  test("grad through cond against the closed form, eagerly, under jit, and vmapped", () => {
    for (const x of [1.3, -0.7]) {
      close(grad(f)(x), df(x));
      close(jit(grad(f))(x), df(x));
      close(grad(jit(f))(x), df(x));
    }
    close(vmap(grad(f))(f32([1.3, -0.7, 2])), [df(1.3), df(-0.7), df(2)]);
  });

  test("grad through cond flows into the values the branches close over", () => {
    // g(a, b) = pred ? a^2 b : a + b, with a and b closed over (operands of the cond).
    const g = (a: Array, b: Array, p: Array) => lax.cond(p, () => a.mul(a).mul(b), () => a.add(b));
    const [da, db] = grad(g, { argnums: [0, 1] })(f32(3), f32(2), true) as Array[];
    close(da, 12);
    close(db, 9);
    const [ea, eb] = grad(g, { argnums: [0, 1] })(f32(3), f32(2), false) as Array[];
    close(ea, 1);
    close(eb, 1);
    // An operand one branch ignores: its cotangent is an instantiated zero there.
    const h = (x: Array, y: Array, p: boolean) => lax.cond(p, (u: Array, v: Array) => u.mul(v), (u: Array, _v: Array) => u.mul(3), x, y);
    close(grad(h, { argnums: 1 })(f32(2), f32(5), true) as Array, 2);
    close(grad(h, { argnums: 1 })(f32(2), f32(5), false) as Array, 0);
    close(jit(grad(h, { argnums: [0, 1] }), { staticArgnums: 2 })(f32(2), f32(5), false)[0] as Array, 3);
  });

  test("grad through switch with branch-specific residuals, against finite differences", () => {
    const h = (i: Array, x: Array) => lax.switch(i, [(y: Array) => y.sin(), (y: Array) => y.mul(y).mul(y), (y: Array) => y.tanh().mul(2)], x).sum();
    const x0 = [0.3, -1.2, 0.8];
    for (const i of [0, 1, 2]) {
      const got = vals(grad(h, { argnums: 1 })(i32(i), f32(x0)) as Array);
      x0.forEach((_, k) => {
        const eps = 1e-3;
        const at = (d: number) => vals(h(i32(i), f32(x0.map((v, j) => (j === k ? v + d : v)))) as Array)[0];
        expect(Math.abs(got[k] - (at(eps) - at(-eps)) / (2 * eps))).toBeLessThan(2e-2);
      });
    }
  });

  test("valueAndGrad through cond inside a jitted loss", () => {
    const loss = jit(valueAndGrad((w: Array) => lax.cond(w.sum().gt(0), (v: Array) => v.mul(v).sum(), (v: Array) => v.sum(), w)));
    const [v, g] = loss(f32([1, 2])) as [Array, Array];
    close(v, 5);
    close(g, [2, 4]);
  });

  test("jvp through whileLoop and foriLoop (forward mode is supported, as in JAX)", () => {
    // x -> x * 1.5 until it exceeds 10 from x = 2: four steps, so y = 2 * 1.5^4 and dy/dx = 1.5^4.
    const wl = (x: Array) => (lax.whileLoop((c: Array[]) => c[0].lt(10), (c: Array[]) => [c[0].mul(1.5), c[1].add(1)], [x, i32(0)]) as Array[])[0];
    const [y, t] = jvp(wl, [f32(2)], [f32(1)]) as [Array, Array];
    close(y, 2 * 1.5 ** 4);
    close(t, 1.5 ** 4);
    const [yj, tj] = jvp(jit(wl), [f32(2)], [f32(1)]) as [Array, Array];
    close(yj, 2 * 1.5 ** 4);
    close(tj, 1.5 ** 4);
    // x^5 by a traced-bound fori loop: d/dx = 5 x^4; the carry's tangent starts at zero (init 1.0).
    const pow5 = (x: Array, n: Array) => lax.foriLoop(0, n, (_i: Array, acc: Array) => acc.mul(x), 1.0);
    const [p, dp] = jvp((x: Array) => pow5(x, i32(5)), [f32(2)], [f32(1)]) as [Array, Array];
    close(p, 32);
    close(dp, 80);
    const [, dpj] = jvp((x: Array) => jit(pow5)(x, i32(5)), [f32(2)], [f32(1)]) as [Array, Array];
    close(dpj, 80);
    const [yl, lin] = linearize(wl, f32(2));
    close(yl as Array, 2 * 1.5 ** 4);
    close(lin(f32(2)) as Array, 2 * 1.5 ** 4);
  });

  test("reverse mode through a while loop raises JAX's error", () => {
    const wl = (x: Array) => lax.whileLoop((c: Array) => c.lt(10), (c: Array) => c.mul(2), x);
    const msg =
      "Reverse-mode differentiation does not work for lax.while_loop or lax.fori_loop with dynamic start/stop values. Try using lax.scan, or using fori_loop with static start/stop.";
    expect(() => grad(wl)(1.0)).toThrow(msg);
    expect(() => grad(jit(wl))(1.0)).toThrow(msg);
    // fori_loop with a traced bound is a while loop; with static bounds a scan, which transposes.
    const pow = (x: Array, n: Array | number) => lax.foriLoop(0, n, (_i: Array, c: Array) => c.mul(x), x);
    expect(() => grad((x: Array) => jit(pow)(x, i32(3)))(1.5)).toThrow(msg);
    close(grad((x: Array) => pow(x, 3))(1.5), 4 * 1.5 ** 3);
    close(grad((x: Array) => pow(x, i32(3)))(1.5), 4 * 1.5 ** 3);
  });
});

// ---- vmap ---------------------------------------------------------------------------------------

describe("vmap", () => {
  test("a batched predicate turns cond into select_n over both branches (JAX's batching rule)", () => {
    const f = (x: Array) => lax.cond(x.gt(0), (y: Array) => y.mul(2), (y: Array) => y.neg(), x);
    close(vmap(f)(f32([-1, 2, -3, 4])), [1, 4, 3, 8]);
    close(jit(vmap(f))(f32([-1, 2, -3, 4])), [1, 4, 3, 8]);
    // _cond_batching_rule: each branch on select(index == i, x, stop_gradient(x)).
    expect(jaxprText(vmap(f), f32([-1, 2, -3, 4]))).toBe(jaxText("control_flow/vmap_cond"));
  });

  test("a batched index selects per example; an unbatched one keeps the cond", () => {
    const sw = (i: Array, x: Array) => lax.switch(i, [(y: Array) => y.add(1), (y: Array) => y.mul(10), (y: Array) => y.sub(100)], x);
    close(vmap(sw)(i32([0, 1, 2, 7]), f32([1, 2, 3, 4])), [2, 20, -97, -96]);
    close(jit(vmap(sw, { inAxes: [0, null] }))(i32([2, 0]), f32(5)), [-95, 6]);
    const unbatched = vmap((x: Array) => sw(i32(1), x));
    close(unbatched(f32([1, 2])), [10, 20]);
    expect(makeJaxpr(unbatched)(f32([1, 2])).eqns.map((e) => e.primitive.name)).toContain("cond");
  });

  test("while with a batched predicate runs until every example is done; finished ones keep their carry", () => {
    // Doublings of 1 until >= x, counted.
    const count = (x: Array) => lax.whileLoop((c: Array[]) => c[1].lt(x), (c: Array[]) => [c[0].add(1), c[1].mul(2)], [i32(0), f32(1)]);
    for (const run of [vmap(count), jit(vmap(count))]) {
      const [n, v] = run(f32([1, 3, 10, 100])) as Array[];
      expect(vals(n)).toEqual([0, 2, 4, 7]);
      expect(vals(v)).toEqual([1, 4, 16, 128]);
    }
    // An unbatched predicate with a batched carry: the loop stays one loop.
    const scale = vmap((x: Array) => lax.foriLoop(0, 3, (_i: Array, c: Array) => c.mul(2), x));
    close(scale(f32([1, 2])) as Array, [8, 16]);
    // jvp of the vmapped loop: each example's trip count differs.
    const sq = (x: Array) => (lax.whileLoop((c: Array[]) => c[0].lt(10), (c: Array[]) => [c[0].mul(c[0]), c[1]], [x, x]) as Array[])[0];
    const [y, t] = jvp(vmap(sq), [f32([2, 3, 20])], [f32([1, 1, 1])]) as [Array, Array];
    close(y, [16, 81, 20]);
    close(t, [32, 108, 1]); // x^4 -> 4x^3; x^4 -> 4x^3; untouched -> 1
  });
});

// ---- errors -------------------------------------------------------------------------------------

describe("JAX's error texts (tests/lax_control_flow_test.py)", () => {
  test("cond", () => {
    expect(() => lax.cond(true, 1 as never, (x: Array) => x, 1)).toThrow("lax.cond: true_fun and false_fun arguments should be callable.");
    expect(() => lax.cond(null, (x: Array) => x, (x: Array) => x, 1)).toThrow("cond predicate is None");
    expect(() => lax.cond((x: Array) => x, () => 2, () => 3, 1)).toThrow("Pred type must be either boolean or number, got <function");
    expect(() => lax.cond(f32([1, 1]), () => 2, () => 3, 1)).toThrow("Pred must be a scalar, got [1. 1.] of shape (2,).");
    expect(() => lax.cond(true, () => ({ a: 2 }), () => ({ a: [3, 3] }), 1)).toThrow(
      "cond branch outputs must have the same pytree structure, but they differ:\n\ntrue_fun is <lambda>\nfalse_fun is <lambda>\n\n" +
        "true_fun output at path ['a'] is a pytree leaf but false_fun output at path ['a'] is a <class 'list'>, so their Python types differ.\n\n" +
        "Revise true_fun and/or false_fun so that they have the same pytree structure.",
    );
    expect(() => lax.cond(true, () => f32([1]), () => f32(1), 1)).toThrow(
      "cond branches must have equal output types but they differ.\n\ntrue_fun is <lambda>\nfalse_fun is <lambda>\n\n" +
        "The output of true_fun has type float32[1] but the corresponding output of false_fun has type float32[], so the shapes do not match.\n\n" +
        "Revise true_fun and/or false_fun so that all output types match.",
    );
  });

  test("switch", () => {
    expect(() => lax.switch((x: Array) => x, [() => 2, () => 3], 1)).toThrow("Index type must be an integer, got <function");
    expect(() => lax.switch("foo", [() => 2, () => 3], 1)).toThrow("Index type must be an integer, got 'foo'.");
    expect(() => lax.switch(f32(1), [() => 2, () => 3], 1)).toThrow("Index type must be an integer, got 1.0 as float32");
    expect(() => lax.switch(0, [], 1)).toThrow("Empty branch sequence");
    expect(() => lax.switch(1, [() => ({ a: 2 }), () => ({ a: [3, 3] })], 1)).toThrow(
      "branch 0 output at path ['a'] is a pytree leaf but branch1 output at path ['a'] is a <class 'list'>, so their Python types differ.",
    );
    expect(() => lax.switch(1, [() => ({ a: f32([1]) }), () => ({ a: f32(1) })], 1)).toThrow(
      "The output of branch 0 at path ['a'] has type float32[1] but the corresponding output of branch1 has type float32[], so the shapes do not match.",
    );
  });

  test("while_loop", () => {
    expect(() => lax.whileLoop(() => [1, 1], (c: Array) => c, 0)).toThrow("cond_fun must return a boolean scalar, but got pytree PyTreeDef([*, *]).");
    expect(() => lax.whileLoop(() => f32(1), (c: Array) => c, f32(0))).toThrow("cond_fun must return a boolean scalar, but got output type(s) [ShapedArray(float32[])].");
    expect(() => lax.whileLoop(() => true, (c: Array) => [1, 1], 0)).toThrow(
      "while_loop body function carry input and carry output must have the same pytree structure, but they differ:\n\n" +
        "The input carry c is a <class 'jax._src.core.ShapedArray'> but the corresponding component of the carry output is a <class 'list'>, so their Python types differ.\n",
    );
    expect(() => lax.whileLoop(() => true, (c: Array[]) => [true, true], [jnp.array(true), f32(0)])).toThrow(
      "The input carry component c[1] has type float32[] but the corresponding output carry component has type bool[], so the dtypes do not match.",
    );
    expect(() => jit((n: Array) => lax.foriLoop(0, n, (_i: Array, c: Array) => c, 0, { unroll: 2 }))(i32(3))).toThrow(
      "Can only use `unroll` in `fori_loop` if the loop bounds are statically known.",
    );
    expect(() => lax.foriLoop(f32(0), i32(3), (_i: Array, c: Array) => c, 0)).toThrow("lower and upper arguments to fori_loop must have equal types, got float32 and int32");
  });
});

// ---- the primitive harness ----------------------------------------------------------------------

// The harness's modes (eager, jit, evalJaxpr), its jaxpr check, its vmap mode (index and carry
// batched or not, at several axes) and, for cond and scan, its grad mode (jvp against finite
// differences, vjp against jvp). `while` has no vjp (JAX's), so its derivatives are checked above.
// The primitives compile their branches and bodies once per jaxpr (executables that own their
// literals, as jit's do), so every mode is checked as the jit mode is: steady state, no leak.
describe.each(controlFlowCases)("$name", (c) => {
  for (const mode of modes) test(mode.name, () => runCase(c, { ...mode, caches: true }));
  test("jaxpr", () => checkCaseJaxpr(c));
  test("vmap", () => checkVmap(c, false));
  test("vmap under jit", () => checkVmap(c, true));
  if (c.prim === "cond" || c.prim === "scan") {
    test("grad", () => checkGrad(c, false));
    test("grad under jit", () => checkGrad(c, true));
  }
});
