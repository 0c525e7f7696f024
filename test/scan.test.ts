// lax.scan, lax.map and lax.associativeScan. The jaxpr texts are JAX's, printed for the same
// programs (scripts/jax_reference/jaxpr_texts.py, "scan/*"), with one version difference: JAX
// 0.10.2 gives scan the params num_consts/num_carry, JAX 0.11 (whose scan tfjax follows) ft_in and
// ft_out (loops.py scan: ft_in = ft.pack((ft.nones(len(consts)), ft.nones(num_carry),
// ft.nones(num_xs))), ft_out = ft.pack((ft.nones(num_carry), ys_g)); flattree.py for how they
// print). So each text is compared without those params, and the ft params on their own,
// derived from 0.11's source. Numbers are checked against JS loops, closed forms and finite
// differences.
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, test } from "vitest";
import { type Array, checkGrads, grad, jit, jnp, jvp, lax, makeJaxpr, valueAndGrad, vmap } from "../src/index.js";
import { jaxText } from "./jax_texts.js";

const vals = (a: Array) => globalThis.Array.from(a.dataSync(), Number);
const close = (a: Array | number, want: number[] | number, tol = 1e-5) => {
  const got = typeof a === "number" ? [a] : vals(a);
  const w = typeof want === "number" ? [want] : want;
  expect(got.length).toBe(w.length);
  got.forEach((g, i) => expect(Math.abs(g - w[i]), `element ${i}: ${g} vs ${w[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(w[i]))));
};

/** A jaxpr's text without scan's version-specific params (0.10.2's num_*, 0.11's ft_*). */
const withoutScanParams = (t: string) => t.replace(/^ *(num_carry|num_consts|ft_in|ft_out)=.*\n/gm, "");
/** Each scan's [ft_in, ft_out], in print order. */
const ftParams = (t: string) => [...t.matchAll(/^ *ft_in=(.*)\n *ft_out=(.*)$/gm)].map((m) => [m[1], m[2]]);

/** makeJaxpr(f)(...args) against JAX's text `name`; returns tfjax's text for the ft checks. */
function checkScanText(name: string, f: (...a: any[]) => unknown, ...args: unknown[]): string {
  const got = String(makeJaxpr(f)(...args));
  expect(withoutScanParams(got)).toBe(withoutScanParams(jaxText(name)));
  return got;
}

describe("jaxprs", () => {
  test("func11 of JAX's 'Understanding jaxprs'", () => {
    // docs/jaxpr.md: a running dot product with a closed-over `extra` (hoisted as a const)
    // and a constant `ones` scanned alongside `arr`.
    const func11 = (arr: Array, extra: Array) => {
      const ones = jnp.ones(arr.shape);
      const body = (carry: Array, [ae1, ae2]: Array[]): [Array, Array] => [carry.add(ae1.mul(ae2)).add(extra), carry];
      return lax.scan(body, 0, [arr, ones]);
    };
    const got = checkScanText("scan/func11", func11, jnp.ones([16]), 5.0);
    // consts (extra), carry, xs (arr, ones); ys kept (filter_with_mask([True])).
    expect(ftParams(got)).toEqual([["((None,), (None,), (None, None))", "((None,), (RightsOnly(Right(None)),))"]]);
  });

  test("length-only, reverse, and JAX's forwarding of read-only carries and of xs", () => {
    const c0 = jnp.array(0.0);
    const xs = jnp.array([1, 2, 3]);
    // xs is None: no extensive inputs; ys is None: ft_out's ys part is an empty tuple.
    let got = checkScanText("scan/length_only", (c: Array) => lax.scan((c: Array) => [c.add(1), null], c, null, { length: 4 }), c0);
    expect(ftParams(got)).toEqual([["((), (None,), ())", "((None,), ())"]]);
    got = checkScanText("scan/reverse", (xs: Array) => lax.scan((c: Array, x: Array) => [c.add(x), x.mul(c)], c0, xs, { reverse: true }), xs);
    expect(ftParams(got)).toEqual([["((), (None,), (None,))", "((None,), (RightsOnly(Right(None)),))"]]);
    // A carry returned unchanged moves to the consts (move_to_const) and comes back as itself.
    got = checkScanText("scan/move_to_const", (c: Array, xs: Array) => lax.scan((c: Array, x: Array) => [c, x.mul(c)], c, xs), c0, xs);
    expect(ftParams(got)).toEqual([["((None,), (), (None,))", "((), (RightsOnly(Right(None)),))"]]);
    // A y that is just its x is pruned (ext_to_ext_fwd) and the input returned in its place.
    got = checkScanText("scan/ext_to_ext_fwd", (c: Array, xs: Array) => lax.scan((c: Array, x: Array) => [c.add(x), x], c, xs), c0, xs);
    expect(ftParams(got)).toEqual([["((), (None,), (None,))", "((None,), (RightsOnly(Left(None)),))"]]);
  });

  test("jvp of scan: binders zipped as _scan_jvp zips them, carry tangents at a fixed point", () => {
    // args_ft = pack((ft_in.update(primals), ft_in.update(tangents).filter_with_mask(nz)));
    // the jaxpr's binders are zipstar(args_ft) = [c, ċ, x], its outputs [c', ċ', y, ẏ].
    const f = (c: Array, xs: Array) => lax.scan((c: Array, x: Array): [Array, Array] => [c.mul(x), c], c, xs);
    const xs = jnp.array([1, 2, 3]);
    const got = checkScanText("scan/jvp", (c: Array, t: Array) => jvp((c: Array) => f(c, xs), [c], [t]), jnp.array(1.0), jnp.array(1.0));
    expect(ftParams(got)).toEqual([
      [
        "(((), ()), ((None,), (RightsOnly(Right(None)),)), ((None,), (RightsOnly(Left(None)),)))",
        "(((None,), (RightsOnly(Right(None)),)), ((RightsOnly(Right(None)),), (RightsOnly(RightsOnly(Right(Right(None)))),)))",
      ],
    ]);
  });
});

describe("values", () => {
  // c' = 0.9 c + sin(x) c, y = c * x: a loop in float64 as the reference.
  const body = (c: Array, x: Array): [Array, Array] => [c.mul(0.9).add(jnp.sin(x).mul(c)), c.mul(x)];
  const ref = (c0: number, xs: number[], reverse = false) => {
    let c = c0;
    const ys = new globalThis.Array<number>(xs.length);
    for (let t = 0; t < xs.length; t++) {
      const i = reverse ? xs.length - 1 - t : t;
      ys[i] = c * xs[i];
      c = 0.9 * c + Math.sin(xs[i]) * c;
    }
    return { c, ys };
  };
  const xsHost = [0.3, -1.2, 0.7, 2.0, 0.1];
  const xs = jnp.array(xsHost);

  test.each([false, true])("eager and jit agree with a JS loop (reverse=%s)", (reverse) => {
    const f = (c: Array, xs: Array) => lax.scan(body, c, xs, { reverse });
    const want = ref(1.5, xsHost, reverse);
    for (const g of [f, jit(f)]) {
      const [c, ys] = g(jnp.array(1.5), xs);
      close(c, want.c);
      close(ys, want.ys);
    }
  });

  test("pytree carries and xs, and a length-only scan", () => {
    const [[a, b], ys] = lax.scan(
      ([a, b]: Array[], { u, v }: { u: Array; v: Array }): [Array[], Array] => [[a.add(u), b.mul(v)], a.sub(b)],
      [jnp.array(0.0), jnp.array(1.0)],
      { u: jnp.array([1, 2, 3]), v: jnp.array([2, 2, 0.5]) },
    );
    close(a, 6);
    close(b, 2);
    close(ys, [-1, -1, -1]);
    const [n, count] = lax.scan((c: Array): [Array, Array] => [c.add(1), c], jnp.array(0.0), null, { length: 5 });
    close(n, 5);
    close(count, [0, 1, 2, 3, 4]);
  });

  test("the body is traced once and compiled once, not per iteration", () => {
    let traces = 0;
    const f = jit((xs: Array) =>
      lax.scan(
        (c: Array, x: Array): [Array, Array] => {
          traces++;
          return [c.add(x), c];
        },
        jnp.array(0.0),
        xs,
      ),
    );
    const xs = jnp.arange(100).astype("float32");
    close(f(xs)[0], 4950);
    close(f(xs)[0], 4950);
    expect(traces).toBe(1);
  });

  test("jit(scan) frees every intermediate", () => {
    const f = jit((xs: Array) => lax.scan(body, jnp.array(1.0), xs));
    const run = () => f(xs).forEach((a) => a.dispose());
    run();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) run();
    expect(tf.memory().numTensors).toBe(before);
  });

  test("lax.map is a scan with no carry; batchSize vmaps batches and the remainder", () => {
    const x = jnp.arange(10).astype("float32").reshape([5, 2]);
    close(lax.map((r: Array) => r.sum(), x), [1, 5, 9, 13, 17]);
    close(lax.map((r: Array) => r.sum(), x, { batchSize: 2 }), [1, 5, 9, 13, 17]);
    close(lax.map((r: Array) => r.mul(2), x, { batchSize: 0 }), [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    const got = checkScanText("scan/map", (x: Array) => lax.map((r: Array) => r.sum(), x), x);
    expect(ftParams(got)).toEqual([["((), (), (None,))", "((), (RightsOnly(Right(None)),))"]]);
  });
});

describe("derivatives", () => {
  // c_{t+1} = c_t * x_t: the final carry is c0 * prod(x), so each partial derivative is closed form.
  const prod = (c: Array, xs: Array) => lax.scan((c: Array, x: Array): [Array, Array] => [c.mul(x), c], c, xs)[0];
  const xsHost = [0.5, 2.0, -1.5, 3.0];
  const xs = jnp.array(xsHost);
  const p = xsHost.reduce((a, b) => a * b, 1);

  test("grad matches the closed form, eagerly and under jit", () => {
    for (const g of [grad(prod, { argnums: [0, 1] }), jit(grad(prod, { argnums: [0, 1] }))]) {
      const [dc, dxs] = g(jnp.array(2.0), xs) as Array[];
      close(dc, p);
      close(
        dxs,
        xsHost.map((x) => (2 * p) / x),
      );
    }
  });

  test("grad with respect to a closed-over weight matches finite differences", () => {
    // A tanh RNN whose weight is a const of the scan: its cotangent is accumulated in the
    // transposed scan's carry.
    const run = (w: Array) =>
      lax.scan((h: Array, x: Array): [Array, Array] => {
        const hn = jnp.tanh(h.matmul(w).add(x));
        return [hn, hn.sum()];
      }, jnp.zeros([2]), jnp.array([[0.5, -1], [1, 0.2], [-0.3, 0.8]]))[1].sum();
    const w = [[0.5, -0.3], [0.2, 0.4]];
    const g = vals(grad(run)(jnp.array(w)));
    const fd = [0, 1, 2, 3].map((k) => {
      const at = (d: number) => Number(run(jnp.array(w.map((r, i) => r.map((v, j) => (i * 2 + j === k ? v + d : v))))));
      return (at(1e-3) - at(-1e-3)) / 2e-3;
    });
    close(jnp.array(g), fd, 2e-3);
    close(jit(grad(run))(jnp.array(w)), fd, 2e-3);
  });

  test("residuals computed from consts alone are hoisted out of the loop, not stacked", () => {
    // The tangent body needs w.T; JAX's _scan_known_hoisting computes it once before the loops.
    const run = (w: Array) =>
      lax.scan((h: Array, x: Array): [Array, Array] => [jnp.tanh(h.matmul(w.T).add(x)), h], jnp.zeros([2]), jnp.ones([4, 2]))[0].sum();
    const w = jnp.array([[0.5, -0.3], [0.2, 0.4]]);
    // JAX's text: w.T is computed once before the forward loop and read by both loops.
    const text = checkScanText("scan/grad_hoisted_residuals", grad(run), w);
    expect(text).not.toContain("f32[4,2,2]");
    checkGrads(run, [w], { order: 1, modes: ["rev"] });
  });

  test("a jit in the body that returns its input: its known half has no outputs and stays in the loop", () => {
    // Found by the fuzzer: reshape to the same shape returns its operand, so the jit's outputs
    // are its input; split for grad, its known half has no outputs and was taken for a
    // loop-invariant equation, hoisted before the loop where it read a carry never defined
    // ("evalJaxpr: variable f32[1] read before it is defined"). JAX's known loop drops it.
    const inner = jit(function inner(a: Array) {
      a.neg();
      return jnp.reshape(a, [1]);
    });
    const run = (a: Array) => lax.scan((c: Array): [Array, Array] => { const r = inner(c); return [r, r]; }, a, null, { length: 1 })[1].sum();
    checkScanText("scan/grad_jit_forwarding_input", grad(run), jnp.array([1.2064281702041626]));
    close(grad(run)(jnp.array([1.2064281702041626])), [1]);
    // The same with xs, a jit returning its input unchanged or twice, over several steps:
    // ys_k = c_(k-1), c_k = c_(k-1) * x_k, so sum(ys) = a (1 + 1 + 2) for xs = [1, 2, 3].
    const ident = jit((a: Array) => a);
    const twice = jit((a: Array) => [a, a]);
    const xs = jnp.array([1, 2, 3]);
    for (const call of [(c: Array) => [inner(c), inner(c)], (c: Array) => [ident(c), ident(c)], (c: Array) => twice(c) as Array[]]) {
      const f = (a: Array) => lax.scan((c: Array, x: Array): [Array, Array] => { const [r, s] = call(c); return [r.mul(x), s]; }, a, xs)[1].sum();
      close(grad(f)(jnp.array([0.5])), [4]);
      close(jit(grad(f))(jnp.array([0.5])), [4]);
      checkGrads(f, [jnp.array([0.5])], { order: 1, modes: ["fwd", "rev", "lin"] });
    }
    // xs = a as in the fuzzer's program (a scan over the array it starts from).
    const g = (a: Array) => lax.scan((c: Array, _x: Array): [Array, Array] => { const r = inner(c); return [r, r]; }, a, a)[1].sum();
    close(grad(g)(jnp.array([1.2064281702041626])), [1]);
  });

  test("checkGrads to second order: forward, reverse and linearize modes", () => {
    const f = (c: Array, xs: Array) => lax.scan((c: Array, x: Array): [Array, Array] => [jnp.sin(c.mul(x)), c.mul(x).add(c)], c, xs);
    checkGrads(f, [jnp.array(0.7), jnp.array([0.5, 1.0, 1.5])], { order: 2, modes: ["fwd", "rev", "lin"], atol: 2e-2, rtol: 2e-2, eps: 1e-2 });
    checkGrads((c: Array, xs: Array) => f(c, xs)[0], [jnp.array(0.7), jnp.array([0.5, 1.0, 1.5])], { order: 1, modes: ["rev"] });
  });

  test("a carry whose tangent starts at zero becomes nonzero through the body (fixed point)", () => {
    // b starts at a constant but picks up a's tangent: d/da0 of b_final = sum of the a's.
    const f = (a0: Array) => lax.scan(([a, b]: Array[]): [Array[], null] => [[a, b.add(a)], null], [a0, jnp.array(0.0)], null, { length: 3 })[0][1];
    close(grad(f)(jnp.array(2.0)), 3);
    const [, t] = jvp(f, [jnp.array(2.0)], [jnp.array(1.0)]);
    close(t as Array, 3);
  });

  test("nested scans differentiate", () => {
    const m = jnp.array([[0.5, 1.0], [1.5, 0.3], [0.2, 0.7]]);
    const f = (c: Array) =>
      lax.scan((c: Array, row: Array): [Array, null] => [lax.scan((d: Array, x: Array): [Array, null] => [jnp.sin(d.mul(x)).add(c), null], c, row)[0], null], c, m)[0];
    const fd = (Number(f(jnp.array(1.001))) - Number(f(jnp.array(0.999)))) / 0.002;
    close(grad(f)(jnp.array(1.0)), fd, 1e-3);
  });

  test("valueAndGrad of a scan under jit, reverse", () => {
    const f = (c: Array, xs: Array) => lax.scan((c: Array, x: Array): [Array, Array] => [c.mul(x), c], c, xs, { reverse: true })[1].sum();
    // ys are c0, c0*x3, c0*x3*x2, c0*x3*x2*x1 (iterating from the end).
    const [v, g] = jit(valueAndGrad(f))(jnp.array(2.0), xs);
    const [x0, x1, x2, x3] = xsHost;
    close(v, 2 * (1 + x3 + x3 * x2 + x3 * x2 * x1));
    close(g, 1 + x3 + x3 * x2 + x3 * x2 * x1);
    void x0;
  });
});

describe("vmap", () => {
  const cumsum = (xs: Array) => lax.scan((c: Array, x: Array): [Array, Array] => [c.add(x), c.add(x)], jnp.array(0.0), xs);
  const b = jnp.array([[1, 2, 3], [4, 5, 6]]);

  test("batched xs (any axis), unbatched init: equals a loop over the batch", () => {
    const [c, ys] = vmap(cumsum)(b);
    close(c, [6, 15]);
    close(ys, [1, 3, 6, 4, 9, 15]);
    const [c1, ys1] = vmap(cumsum, { inAxes: 1 })(b);
    close(c1, [5, 7, 9]);
    close(ys1, [1, 5, 2, 7, 3, 9]);
  });

  test("a batched const makes the carry batched through the body; jit(vmap) and vmap(grad)", () => {
    const f = (w: Array) => lax.scan((c: Array, x: Array): [Array, Array] => [c.mul(w).add(x), c], jnp.array(1.0), jnp.array([1, 2]))[0];
    const ws = [2, 3, -1];
    const want = ws.map((w) => (1 * w + 1) * w + 2);
    close(vmap(f)(jnp.array(ws)), want);
    close(jit(vmap(f))(jnp.array(ws)), want);
    close(vmap(grad(f))(jnp.array(ws)), ws.map((w) => 2 * w + 1)); // c = w² + w + 2
  });
});

describe("associativeScan", () => {
  test("cumsum and cumprod equal lax's, forward and reversed, any length and axis", () => {
    for (const n of [1, 2, 5, 8, 13]) {
      const x = jnp.arange(1, n + 1).astype("float32").mul(0.5);
      close(lax.associativeScan(jnp.add, x), vals(lax.cumsum(x)));
      close(lax.associativeScan(jnp.multiply, x), vals(lax.cumprod(x)), 1e-5);
      close(lax.associativeScan(jnp.add, x, { reverse: true }), vals(lax.cumsum(x, 0, true)));
    }
    const m = jnp.arange(12).astype("float32").reshape([3, 4]);
    close(lax.associativeScan(jnp.add, m, { axis: 1 }), vals(lax.cumsum(m, 1)));
    close(lax.associativeScan(jnp.maximum, jnp.array([3, 1, 4, 1, 5, 9, 2, 6])), [3, 3, 4, 4, 5, 9, 9, 9]);
  });

  test("JAX's docstring examples and a pytree operator (a linear recurrence)", () => {
    close(lax.associativeScan(jnp.add, jnp.arange(0, 4)), [0, 1, 3, 6]);
    close(lax.associativeScan(jnp.add, jnp.arange(0, 4), { reverse: true }), [6, 6, 5, 3]);
    // h_t = a_t h_{t-1} + b_t composes as (a1, b1) then (a2, b2) = (a1 a2, a2 b1 + b2).
    const a = jnp.array([0.5, 2, -1, 0.25]);
    const bb = jnp.array([1, 1, 2, 4]);
    const [, h] = lax.associativeScan(([a1, b1]: Array[], [a2, b2]: Array[]) => [a1.mul(a2), a2.mul(b1).add(b2)], [a, bb]);
    close(h, [1, 3, -1, 3.75]);
    // @ts-expect-error jnp.add does not take the pair: associativeScan raises before calling it
    expect(() => lax.associativeScan(jnp.add, [jnp.ones([3]), jnp.ones([4])])).toThrow(
      "Array inputs to associative_scan must have the same first dimension. (saw: [(3,), (4,)])",
    );
  });
});

describe("JAX's errors", () => {
  const xs = jnp.array([1, 2, 3]);
  test("carry type and structure mismatches", () => {
    expect(() => lax.scan((c: Array, x: Array) => [c.astype("int32"), x], jnp.array(0.0), xs)).toThrow(
      "scan body function carry input and carry output must have equal types, but they differ:\n\n" +
        "The input carry c has type float32[] but the corresponding output carry component has type int32[], so the dtypes do not match.\n\n" +
        "Revise the function so that all output types match the corresponding input types.",
    );
    expect(() => lax.scan((carry: Array[], x: Array) => [[carry[0].astype("int32"), jnp.stack([carry[1], carry[1]])], x], [jnp.array(0.0), jnp.array(1.0)], xs)).toThrow(
      "scan body function carry input and carry output must have equal types, but they differ:\n\n" +
        "  * the input carry component carry[0] has type float32[] but the corresponding output carry component has type int32[], so the dtypes do not match;\n" +
        "  * the input carry component carry[1] has type float32[] but the corresponding output carry component has type float32[2], so the shapes do not match.\n\n" +
        "Revise the function so that all output types match the corresponding input types.",
    );
    expect(() => lax.scan(([a, b]: Array[], x: Array) => [[a], x], [jnp.array(0.0), jnp.array(1.0)], xs)).toThrow(
      "scan body function carry input and carry output must have the same pytree structure, but they differ:\n\n" +
        "The input carry is a list of length 2 but the corresponding component of the carry output is a list of length 1, so the lengths do not match.\n\n" +
        "Revise the function so that the carry output has the same pytree structure as the carry input.",
    );
    // A JS number is a weak float32: promoted by result_type against int32 it stays float32
    // (JAX's _promote_weak_typed_input), so the retraced body still disagrees.
    expect(() => lax.scan((c: Array, x: Array) => [c.astype("int32"), x], 0, xs)).toThrow(
      "The input carry c has type float32[] but the corresponding output carry component has type int32[], so the dtypes do not match.",
    );
    // A weak init whose body keeps the dtype is fine: weak types are not part of the match.
    expect(lax.scan((c: Array, x: Array) => [c.add(x), x], 0, xs)[0].weakType).toBe(false);
  });

  test("lengths, and the body's output", () => {
    expect(() => lax.scan((c: Array, x: Array) => [c, x], 0, xs, { length: 4 })).toThrow("scan got `length` argument of 4 which disagrees with leading axis sizes [3].");
    expect(() => lax.scan((c: Array, x: Array[]) => [c, x], 0, [xs, jnp.ones([4])])).toThrow("scan got values with different leading axis sizes: 3, 4.");
    expect(() => lax.scan((c: Array) => [c, c], 0, null)).toThrow("scan got no values to scan over and `length` not provided.");
    expect(() => lax.scan((c: Array) => [c, c], 0, 1)).toThrow("scan got value with no leading axis to scan over: 1.");
    expect(() => lax.scan(((c: Array) => c) as never, jnp.array(0.0), xs)).toThrow("scan body output must be a pair, got ShapedArray(float32[]).");
    expect(() => lax.scan(null as never, 0, xs)).toThrow("lax.scan: f argument should be a callable.");
  });
});
