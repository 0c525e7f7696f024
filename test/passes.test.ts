// The jaxpr passes (src/jaxpr/passes): each on jaxprs traced from real functions, checked on
// its printed text, by the type checker, and numerically against the unoptimised jaxpr.
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, test } from "vitest";
import { ClosedJaxpr, Jaxpr, checkJaxpr, evalJaxpr, grad, jit, jnp, lax, makeJaxpr, nn, type Array } from "../src/index.js";
import { printJaxpr } from "../src/jaxpr/print.js";
import { compile } from "../src/backends/compile.js";
import type { ArrayImpl } from "../src/array/array.js";
import { cse, dce, fold, inlineJits, optimize, simplify, transposeFolding } from "../src/jaxpr/passes/index.js";
import type { DType } from "../src/dtypes.js";

const lines = (...ls: string[]) => ls.join("\n");
const oneLine = (s: string) => s.replace(/\s+/g, " ");
const f32 = (shape: number[]) => jnp.zeros(shape);
type Arg = Array | number | boolean;

/** Element equality that holds NaN equal to NaN (and -0 equal to 0, see simplify's x + 0). */
const sameValue = (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b));

/** checkJaxpr, and weak types too: every binder has exactly the type its rule gives. */
function checkStrict(j: Jaxpr) {
  checkJaxpr(j);
  for (const e of j.eqns) {
    const avals = e.primitive.abstractEval(
      e.inputs.map((a) => a.aval),
      e.params,
    );
    expect(avals.map((a) => a.key()), e.primitive.name).toEqual(e.outBinders.map((v) => v.aval.key()));
  }
}

/** Runs `pass` on `closed`'s jaxpr and checks: input untouched, well typed, same outputs on `args`. */
function check(closed: ClosedJaxpr, pass: (j: Jaxpr) => Jaxpr, ...args: Arg[]): string {
  const before = printJaxpr(closed.jaxpr);
  const nEqns = closed.jaxpr.eqns.length;
  const out = pass(closed.jaxpr);
  expect(out).not.toBe(closed.jaxpr);
  expect(printJaxpr(closed.jaxpr)).toBe(before); // never mutated
  expect(closed.jaxpr.eqns.length).toBe(nEqns);
  checkStrict(out);
  expect(out.invars).toEqual(closed.jaxpr.invars);
  expect(out.constvars).toEqual(closed.jaxpr.constvars);
  expect(out.outAvals.map((a) => a.key())).toEqual(closed.jaxpr.outAvals.map((a) => a.key()));
  expectSameResults(closed, out, args);
  return printJaxpr(out);
}

function expectSameResults(closed: ClosedJaxpr, out: Jaxpr, args: Arg[], what = "") {
  const want = evalJaxpr(closed, ...args);
  const got = evalJaxpr(new ClosedJaxpr(out, closed.consts), ...args);
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => {
    const g = got[i];
    expect(g.aval.key(), what).toBe(w.aval.key());
    const [wd, gd] = [[...w.dataSync()], [...g.dataSync()]];
    if (!wd.every((x, k) => sameValue(x, gd[k]))) expect(gd, `${what}\n${printJaxpr(closed.jaxpr)}\n${printJaxpr(out)}`).toEqual(wd);
  });
}

describe("inline", () => {
  test("a shared callee is inlined at each call site with fresh binders", () => {
    const f = jit((x: Array) => jnp.power(x, 2));
    const c = makeJaxpr((x: Array) => jnp.add(f(x), f(x)))(f32([3]));
    expect(check(c, inlineJits, jnp.array([1, 2, 3]))).toBe(
      lines(
        "{ lambda ; a:f32[3]. let",
        "    b:f32[3] = integer_pow[y=2] a",
        "    c:f32[3] = integer_pow[y=2] a",
        "    d:f32[3] = add b c",
        "  in (d,) }",
      ),
    );
  });

  test("nested two deep, with literal arguments", () => {
    const inner = jit((x: Array, y: Array) => lax.mul(x, y));
    const outer = jit((x: Array) => jnp.sin(inner(x, 2)));
    const c = makeJaxpr((x: Array) => jnp.cos(outer(x)))(f32([2]));
    expect(check(c, inlineJits, jnp.array([0.5, -1]))).toBe(
      lines(
        "{ lambda ; a:f32[2]. let",
        "    b:f32[2] = mul a 2.0:f32[]",
        "    c:f32[2] = sin b",
        "    d:f32[2] = cos c",
        "  in (d,) }",
      ),
    );
  });

  test("a callee returning its own input or a literal: later uses and outvars are renamed", () => {
    const ident = jit((x: Array) => x);
    const pair = jit((x: Array) => [x, 1]);
    const c = makeJaxpr((x: Array) => {
      const [y, one] = pair(ident(x)) as Array[];
      return [lax.add(y, one), y, one];
    })(f32([2]));
    expect(check(c, inlineJits, jnp.array([3, 4]))).toBe("{ lambda ; a:f32[2]. let b:f32[2] = add a 1.0:f32[] in (b, a, 1.0:f32[]) }");
  });

  test("constvars are kept and a jaxpr without jits comes back equal", () => {
    const k = jnp.array([10, 20]);
    const c = makeJaxpr((x: Array) => jnp.add(jit((y: Array) => jnp.multiply(y, 3))(x), k))(f32([2]));
    expect(check(c, inlineJits, jnp.array([1, 2]))).toBe(lines("{ lambda a:f32[2]; b:f32[2]. let", "    c:f32[2] = mul b 3.0:f32[]", "    d:f32[2] = add c a", "  in (d,) }"));
    const plain = makeJaxpr((x: Array) => jnp.sin(x))(1);
    expect(printJaxpr(inlineJits(plain.jaxpr))).toBe(String(plain));
  });
});

describe("dce", () => {
  test("unused equations go, unused invars stay", () => {
    const c = makeJaxpr((x: Array, _y: Array) => {
      jnp.sin(x);
      const t = jnp.exp(x);
      jnp.add(t, 1);
      return jnp.cos(t);
    })(f32([2]), f32([2]));
    expect(check(c, dce, jnp.array([1, 2]), jnp.array([3, 4]))).toBe(
      "{ lambda ; a:f32[2] b:f32[2]. let c:f32[2] = exp a; d:f32[2] = cos c in (d,) }",
    );
  });

  test("nothing is live when the outputs are inputs and literals", () => {
    const c = makeJaxpr((x: Array) => [jnp.sin(x), x, 2][1])(f32([2]));
    expect(check(c, dce, jnp.array([1, 2]))).toBe("{ lambda ; a:f32[2]. let  in (a,) }");
  });
});

describe("cse", () => {
  test("equal equations merge, and merging cascades in one sweep", () => {
    const c = makeJaxpr((x: Array) => {
      const a = jnp.cos(jnp.sin(x));
      const b = jnp.cos(jnp.sin(x));
      return jnp.multiply(a, b);
    })(f32([2]));
    expect(check(c, cse, jnp.array([1, 2]))).toBe(lines("{ lambda ; a:f32[2]. let", "    b:f32[2] = sin a", "    c:f32[2] = cos b", "    d:f32[2] = mul c c", "  in (d,) }"));
  });

  test("literals compare by value, dtype and weak type; params deeply", () => {
    const c = makeJaxpr((x: Array) => [
      lax.mul(x, 2), // weak 2.0
      lax.mul(x, 2.0), // the same literal
      lax.mul(x, lax.asArray(2, "float32", false)), // strong 2.0: not merged
      lax.mul(x, 3),
      lax.reduceSum(x, [0]),
      lax.reduceSum(x, [0]), // equal params (different arrays)
      lax.reduceSum(x, [1]),
      lax.add(x, 2), // another primitive
    ])(f32([2, 2]));
    expect(check(c, cse, jnp.array([[1, 2], [3, 4]]))).toBe(
      lines(
        "{ lambda ; a:f32[2,2]. let",
        "    b:f32[2,2] = mul a 2.0:f32[]",
        "    c:f32[2,2] = mul a 2.0:f32[]",
        "    d:f32[2,2] = mul a 3.0:f32[]",
        "    e:f32[2] = reduce_sum[axes=(0,) out_sharding=None] a",
        "    f:f32[2] = reduce_sum[axes=(1,) out_sharding=None] a",
        "    g:f32[2,2] = add a 2.0:f32[]",
        "  in (b, b, c, d, e, e, f, g) }",
      ),
    );
  });

  test("-0.0 and 0.0 are different literals", () => {
    const c = makeJaxpr((x: Array) => [lax.mul(x, -0), lax.mul(x, 0)])(f32([2]));
    expect(check(c, cse, jnp.array([1, -1]))).toBe(lines("{ lambda ; a:f32[2]. let", "    b:f32[2] = mul a -0.0:f32[]", "    c:f32[2] = mul a 0.0:f32[]", "  in (b, c) }"));
  });

  test("jit calls merge only when their jaxprs are the same object", () => {
    const f = jit((x: Array) => jnp.sin(x));
    const g = jit((x: Array) => jnp.sin(x));
    const c = makeJaxpr((x: Array) => [f(x), f(x), g(x)])(f32([2]));
    const out = check(c, cse, jnp.array([1, 2]));
    expect(out.match(/= jit\[/g)?.length).toBe(2);
    expect(out).toMatch(/in \(b, b, c\) }$/);
  });
});

describe("fold", () => {
  test("scalar equations of literals become literals, transitively", () => {
    const c = makeJaxpr((x: Array) => lax.mul(x, lax.add(2, lax.mul(3, 4))))(f32([3]));
    expect(check(c, fold, jnp.array([1, 2, 3]))).toBe("{ lambda ; a:f32[3]. let b:f32[3] = mul a 14.0:f32[] in (b,) }");
  });

  test("the runtime's semantics: f32 rounding, integer division by zero, uint32, bool, weak types", () => {
    const u = (v: number) => lax.asArray(v, "uint32", false);
    const i = (v: number) => lax.asArray(v, "int32", false);
    const c = makeJaxpr(() => [
      lax.add(0.1, 0.2), // in float32, weak
      lax.div(i(7), i(0)), // -1, as XLA
      lax.sub(u(0), u(1)), // wraps to 4294967295
      lax.lt(u(4000000000), u(1)), // unsigned compare
      lax.convertElementType(2.5, "int32"),
      lax.sin(1),
    ])();
    expect(oneLine(check(c, fold))).toBe(
      "{ lambda ; . let in (0.30000001192092896:f32[], -1:i32[], 4294967295:u32[], False:bool[], 2:i32[], 0.8414709568023682:f32[]) }",
    );
    const out = fold(c.jaxpr);
    expect(out.outAvals.map((a) => a.key())).toEqual(["float32*[]", "int32[]", "uint32[]", "bool[]", "int32[]", "float32*[]"]);
  });

  test("no inputs, non-scalar outputs and non-literal inputs are left alone; no tensors leak", () => {
    const c = makeJaxpr((x: Array) => [lax.iota("int32", 3), lax.broadcastInDim(2, [3], []), lax.add(x, 1)])(1);
    const consts = makeJaxpr(() => [lax.exp(1), lax.integerPow(3, 2), lax.sub(lax.asArray(1, "uint32"), lax.asArray(2, "uint32"))])();
    const n = tf.memory().numTensors;
    expect(fold(consts.jaxpr).eqns).toEqual([]);
    expect(tf.memory().numTensors).toBe(n);
    expect(check(c, fold, 5)).toBe(String(c));
  });
});

describe("simplify", () => {
  const s = (f: (...a: Array[]) => unknown, ...args: Arg[]) => check(makeJaxpr(f)(...args), simplify, ...args);
  const x3 = jnp.array([-0, 1.5, NaN]);

  test("units: x*1, 1*x, x+0, 0+x, x-0, x/1", () => {
    expect(s((x) => lax.add(lax.mul(lax.mul(lax.add(x, 0), 1), x), 0), x3)).toBe("{ lambda ; a:f32[3]. let b:f32[3] = mul a a in (b,) }");
    expect(s((x) => lax.div(lax.sub(lax.add(0, lax.mul(1, x)), 0), 1), x3)).toBe("{ lambda ; a:f32[3]. let  in (a,) }");
    // integers too, and a broadcast of a unit counts as the unit
    const i = jnp.array([1, -2], { dtype: "int32" });
    expect(s((x) => lax.mul(x, lax.broadcastInDim(lax.asArray(1, "int32", false), [2], [])), i)).toBe(
      "{ lambda ; a:i32[2]. let _:i32[2] = broadcast_in_dim 1:i32[] in (a,) }",
    );
  });

  test("not rewritten: x*0, x-x, 0-x, x+1, and units that would change the weak type", () => {
    const keep = (f: (x: Array) => Array, ...args: Arg[]) => {
      const c = makeJaxpr(f)(...args);
      expect(check(c, simplify, ...args)).toBe(String(c));
    };
    keep((x) => lax.mul(x, 0), x3);
    keep((x) => lax.sub(x, x), x3);
    keep((x) => lax.sub(0, x), x3);
    keep((x) => lax.add(x, 1), x3);
    // x is a weak f32 (a JS number); times a strong 1.0 the result is strong: not x.
    keep((x) => lax.mul(x, lax.asArray(1, "float32", false)), 2);
    // the unit is broadcast to a larger shape than x: the result is not x
    keep((x) => lax.mul(x, lax.broadcastInDim(1, [3], [])), jnp.array(2));
  });

  test("neg(neg(x)) and convert_element_type to the same type", () => {
    expect(s((x) => lax.neg(lax.neg(lax.neg(x))), x3)).toBe("{ lambda ; a:f32[3]. let _:f32[3] = neg a; b:f32[3] = neg a in (b,) }");
    expect(s((x) => lax.convertElementType(x, "float32"), x3)).toBe("{ lambda ; a:f32[3]. let  in (a,) }");
    expect(s((x) => lax.bitwiseNot(lax.bitwiseNot(x)), jnp.array([0, -5], { dtype: "int32" }))).toContain("in (a,) }");
    // to a strong type from a weak one (or another dtype) it stays
    expect(s((x) => lax.convertElementType(x, "float32"), 2)).toBe(
      lines("{ lambda ; a:f32[]. let", "    b:f32[] = convert_element_type[new_dtype=float32 weak_type=False] a", "  in (b,) }"),
    );
  });

  test("transposes compose; the identity disappears; a same-shape transpose is not the identity", () => {
    const x = jnp.arange(24).reshape([2, 3, 4]);
    expect(s((x) => jnp.transpose(jnp.transpose(x, [1, 2, 0]), [1, 2, 0]), x)).toBe(
      lines(
        "{ lambda ; a:f32[2,3,4]. let",
        "    _:f32[3,4,2] = transpose[permutation=(1, 2, 0)] a",
        "    b:f32[4,2,3] = transpose[permutation=(2, 0, 1)] a",
        "  in (b,) }",
      ),
    );
    expect(optimize(makeJaxpr((x: Array) => jnp.transpose(jnp.transpose(x, [1, 0, 2]), [1, 0, 2]))(x).jaxpr).eqns).toEqual([]);
    const sq = jnp.array([[1, 2], [3, 4]]);
    // 81 columns with the closing " }", so JAX's printer breaks it.
    expect(s((x) => jnp.transpose(x, [1, 0]), sq)).toBe(
      lines("{ lambda ; a:f32[2,2]. let", "    b:f32[2,2] = transpose[permutation=(1, 0)] a", "  in (b,) }"),
    );
  });

  test("reshapes compose, and one back to the operand's shape disappears", () => {
    const x = jnp.arange(6).reshape([2, 3]);
    expect(printJaxpr(optimize(makeJaxpr((x: Array) => jnp.reshape(jnp.reshape(x, [6]), [2, 3]))(x).jaxpr))).toBe("{ lambda ; a:f32[2,3]. let  in (a,) }");
    expect(s((x) => jnp.reshape(jnp.reshape(x, [6]), [3, 2]), x)).toBe(
      lines(
        "{ lambda ; a:f32[2,3]. let",
        "    _:f32[6] = reshape[dimensions=None new_sizes=(6,) sharding=None] a",
        "    b:f32[3,2] = reshape[dimensions=None new_sizes=(3, 2) sharding=None] a",
        "  in (b,) }",
      ),
    );
  });

  test("a broadcast scalar feeding an elementwise op is replaced by the scalar", () => {
    const x = jnp.array([1, 2, 3]);
    const sc = jnp.array(2);
    expect(s((x, y) => lax.add(x, lax.broadcastInDim(y, [3], [])), x, sc)).toBe(
      lines("{ lambda ; a:f32[3] b:f32[]. let", "    _:f32[3] = broadcast_in_dim b", "    c:f32[3] = add a b", "  in (c,) }"),
    );
    expect(s((x, y) => lax.pow(lax.broadcastInDim(y, [3], []), x), x, sc)).toContain("= pow b a\n");
    expect(s((x, y) => lax.select(lax.broadcastInDim(lax.gt(y, 1), [3], []), x, lax.neg(x)), x, sc)).toContain("= select_n c d a\n");
    // both operands broadcast: one must stay full-size
    expect(s((y) => lax.mul(lax.broadcastInDim(y, [3], []), lax.broadcastInDim(y, [3], [])), sc)).toContain("= mul a b\n");
  });
  test("a reduction over size-1 axes only is a reshape; broadcasts of broadcasts compose", () => {
    const x = jnp.arange(6).reshape([1, 6]);
    expect(s((x) => lax.reduceSum(x, [0]), x)).toBe(
      lines("{ lambda ; a:f32[1,6]. let", "    b:f32[6] = reshape[dimensions=None new_sizes=(6,) sharding=None] a", "  in (b,) }"),
    );
    expect(s((x) => lax.reduceMax(lax.reshape(x, [1, 6, 1]), [0, 2]), x)).toContain("b:f32[6] = reshape[dimensions=None new_sizes=(6,) sharding=None] a\n");
    expect(s((x) => lax.reduceSum(x, [0, 1]), x)).toContain("reduce_sum"); // a size-6 axis: kept
    // the bias gradient's chain (sum over the batch, reshape to [1,n], sum over the unit axis) is one sum
    const bias = (x: Array) => lax.reduceSum(lax.reshape(lax.reduceSum(x, [0]), [1, 3]), [0]);
    expect(printJaxpr(optimize(makeJaxpr(bias)(f32([4, 3])).jaxpr))).toBe(
      lines("{ lambda ; a:f32[4,3]. let", "    b:f32[3] = reduce_sum[axes=(0,) out_sharding=None] a", "  in (b,) }"),
    );
    const y = jnp.array([1, 2, 3]);
    expect(s((y) => lax.broadcastInDim(lax.broadcastInDim(y, [3, 1], [0]), [2, 3, 4], [1, 2]), y)).toContain(
      "b:f32[2,3,4] = broadcast_in_dim[broadcast_dimensions=(1,)] a\n",
    );
  });
});

describe("transposeFolding", () => {
  // Small integers: every sum is exact, so any summation order gives the same bits.
  const ints = (shape: number[], k = 1) => jnp.arange(shape.reduce((a, b) => a * b, 1)).reshape(shape).mul(k).sub(3);
  const t = (f: (...a: Array[]) => unknown, ...args: Array[]) => check(makeJaxpr(f)(...args), (j) => dce(transposeFolding(j)), ...args);
  const mm = (a: Array, b: Array, lc: number[], rc: number[], lb: number[] = [], rb: number[] = []) => lax.dotGeneral(a, b, [[lc, rc], [lb, rb]]);

  test("transpose of a dot_general's result: the operands swap", () => {
    const [g, h] = [ints([4, 3]), ints([4, 5], 2)];
    // a weight gradient: (hᵀ g)ᵀ as reverse mode writes it, contracting the batch axis
    expect(t((g, h) => lax.transpose(mm(g, h, [0], [0]), [1, 0]), g, h)).toBe(
      lines(
        "{ lambda ; a:f32[4,3] b:f32[4,5]. let",
        "    c:f32[5,3] = dot_general[dimension_numbers=(([0], [0]), ([], []))] b a",
        "  in (c,) }",
      ),
    );
    // batch axes reorder with their free blocks kept, or swapped
    const [x, y] = [ints([2, 3, 4]), ints([4, 2, 5], 3)];
    expect(t((x, y) => lax.transpose(mm(x, y, [2], [0], [0], [1]), [0, 2, 1]), x, y)).toContain("dimension_numbers=(([0], [2]), ([1], [0]))] b a");
    const [p, q] = [ints([2, 3, 4, 6]), ints([3, 2, 4], 2)];
    expect(t((p, q) => lax.transpose(mm(p, q, [2], [2], [0, 1], [1, 0]), [1, 0, 2]), p, q)).toContain("dimension_numbers=(([2], [2]), ([1, 0], [0, 1]))] a\n      b\n");
  });

  test("transposes of dot_general operands become dimension numbers", () => {
    const [a, b] = [ints([3, 4]), ints([5, 3], 2)];
    // aᵀ·bᵀ: both folded, contracting a's axis 0 with b's axis 1
    expect(t((a, b) => mm(lax.transpose(a, [1, 0]), lax.transpose(b, [1, 0]), [1], [0]), a, b)).toBe(
      lines(
        "{ lambda ; a:f32[3,4] b:f32[5,3]. let",
        "    c:f32[4,5] = dot_general[dimension_numbers=(([0], [1]), ([], []))] a b",
        "  in (c,) }",
      ),
    );
    // batch dims map through the permutation too
    const [x, y] = [ints([4, 2, 3]), ints([2, 4, 5], 2)];
    expect(t((x, y) => mm(lax.transpose(x, [1, 2, 0]), y, [2], [1], [0], [0]), x, y)).toContain("dimension_numbers=(([0], [1]), ([1], [0]))");
  });

  test("not folded: a reordering of an operand's free axes, a result read twice, non-dot consumers", () => {
    const keep = (f: (...a: Array[]) => unknown, ...args: Array[]) => {
      const c = makeJaxpr(f)(...args);
      expect(t(f, ...args)).toBe(String(c));
    };
    const [x, y] = [ints([2, 3, 4]), ints([2, 5])];
    keep((x, y) => mm(lax.transpose(x, [2, 1, 0]), y, [2], [0]), x, y); // free axes (4, 3) come out reversed
    const [g, h] = [ints([4, 3]), ints([4, 5])];
    keep((g, h) => {
      const d = mm(g, h, [0], [0]);
      return [lax.transpose(d, [1, 0]), d];
    }, g, h);
    keep((g) => {
      const tr = lax.transpose(g, [1, 0]);
      return [mm(tr, g, [1], [0]), tr];
    }, g);
    const [p, q] = [ints([2, 3, 4]), ints([4, 5])];
    keep((p, q) => lax.transpose(mm(p, q, [2], [0]), [1, 0, 2]), p, q); // reorders the lhs free axes among themselves
  });

  test("an MLP's compiled gradient has no transposes; makeJaxpr's text keeps JAX's", () => {
    const loss = (w1: Array, w2: Array, x: Array) => jnp.sum(nn.relu(x.matmul(w1)).matmul(w2));
    const args = [ints([3, 4], 0.5), ints([4, 2], 0.25), ints([5, 3], 0.5)];
    const closed = makeJaxpr(grad(loss, { argnums: [0, 1] }))(...args);
    expect(closed.jaxpr.eqns.filter((e) => e.primitive.name === "transpose").length).toBe(2);
    const out = optimize(closed.jaxpr, { check: true });
    expect(out.eqns.map((e) => e.primitive.name)).not.toContain("transpose");
    expectSameResults(closed, out, args);
    // compiled with the passes: the same values again
    const exe = compile(closed.jaxpr);
    const got = exe.run(args.map((a) => (a as ArrayImpl).tensor));
    const want = evalJaxpr(closed, ...args);
    got.forEach((g, i) => expect([...g.dataSync()]).toEqual([...want[i].dataSync()]));
    got.forEach((g) => g.dispose());
    exe.dispose();
    expect(String(makeJaxpr(grad(loss, { argnums: [0, 1] }))(...args))).toBe(String(closed));
  });
});

describe("optimize", () => {
  test("inline, simplify, fold, cse and dce together", () => {
    const sq = jit((x: Array) => jnp.multiply(x, x));
    const c = makeJaxpr((x: Array) => {
      const k = lax.sub(lax.mul(2, 3), 5); // 1.0
      const a = lax.mul(sq(x), k);
      const b = lax.add(sq(x), lax.mul(0, 7)); // + 0.0
      jnp.sin(x);
      return jnp.subtract(a, b);
    })(f32([3]));
    expect(check(c, (j) => optimize(j, { check: true }), jnp.array([1, 2, 3]))).toBe(
      "{ lambda ; a:f32[3]. let b:f32[3] = mul a a; c:f32[3] = sub b b in (c,) }",
    );
  });

  test("options turn passes off", () => {
    const c = makeJaxpr((x: Array) => jit((y: Array) => lax.mul(y, 1))(x))(f32([3]));
    expect(printJaxpr(optimize(c.jaxpr, { inline: false }))).toBe(String(c));
    expect(printJaxpr(optimize(c.jaxpr, { simplify: false }))).toBe("{ lambda ; a:f32[3]. let b:f32[3] = mul a 1.0:f32[] in (b,) }");
    const none = optimize(c.jaxpr, { inline: false, simplify: false, fold: false, cse: false, dce: false });
    expect(none).not.toBe(c.jaxpr);
    expect(printJaxpr(none)).toBe(String(c));
  });

  test("the optimised jaxpr lowers with compile(), outputs that are inputs or literals included", () => {
    const c = makeJaxpr((x: Array) => [lax.mul(x, 1), lax.add(1, 2), jnp.sin(jit((y: Array) => lax.neg(lax.neg(y)))(x))])(f32([2]));
    const opt = optimize(c.jaxpr);
    expect(printJaxpr(opt)).toBe("{ lambda ; a:f32[2]. let b:f32[2] = sin a in (a, 3.0:f32[], b) }");
    const x = jnp.array([0.5, 2]) as ArrayImpl;
    const exe = compile(opt);
    const outs = exe.run([x.tensor]);
    const want = evalJaxpr(c, x);
    outs.forEach((t, i) => expect([...t.dataSync()]).toEqual([...want[i].dataSync()]));
    outs.forEach((t) => t.dispose());
    exe.dispose();
  });

  test("a 1,000-equation chain optimises in linear time", () => {
    const chain = (n: number) =>
      makeJaxpr((x: Array) => {
        for (let i = 0; i < n; i++) {
          const a = jnp.sin(x);
          const b = jnp.sin(x); // cse
          const c = lax.mul(a, lax.add(0.5, 0.5)); // fold then x*1
          const d = lax.neg(lax.neg(lax.add(c, b))); // neg(neg)
          jnp.cos(d); // dead
          x = d;
        }
        return x;
      })(f32([4]));
    // The median of 7 runs after a warm-up (the first calls include V8's compilation).
    const time = (j: Jaxpr) => {
      let n = optimize(j).eqns.length;
      const ts = globalThis.Array.from({ length: 7 }, () => {
        const t0 = performance.now();
        n = optimize(j).eqns.length;
        return performance.now() - t0;
      }).sort((a, b) => a - b);
      return [ts[3], n];
    };
    const small = chain(125); // 1,000 equations
    const big = chain(1000); // 8,000 equations
    expect(small.jaxpr.eqns.length).toBe(1000);
    for (let i = 0; i < 3; i++) optimize(big.jaxpr); // warm-up
    const [ms, n] = time(small.jaxpr);
    const [msBig] = time(big.jaxpr);
    expect(n).toBe(250); // one sin and one add per step
    console.log(`optimize: 1,000 equations in ${ms.toFixed(1)} ms; 8,000 in ${msBig.toFixed(1)} ms`);
    expect(ms).toBeLessThan(1000); // generous: a sanity bound, not a benchmark
  });
});

// ---- randomised equivalence ----------------------------------------------------------------

/** mulberry32: a small seeded PRNG, so failures reproduce. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Operand = { pool: number } | { lit: number };
type Instr = { op: string; args: Operand[] };

const OPS: Record<"float32" | "int32", { binary: string[]; unary: string[]; consts: number[] }> = {
  float32: { binary: ["add", "sub", "mul", "div", "max", "min", "pow"], unary: ["neg", "sin", "exp", "abs", "tanh"], consts: [0, 1, -1, 2, 0.5, -0, 3] },
  int32: { binary: ["add", "sub", "mul", "div", "rem", "max", "min", "bitwiseAnd", "bitwiseOr", "bitwiseXor"], unary: ["neg", "abs", "bitwiseNot"], consts: [0, 1, -1, 2, 3, 7] },
};
const SPECIAL = ["dup", "bcast", "select", "transpose2", "reshape2", "convert", "jitAddMul", "jitIdent", "jitNegNeg", "jitPair"];

const jitAddMul = jit((a: Array, b: Array) => lax.add(lax.mul(a, 1), b));
const jitIdent = jit((a: Array) => a);
const jitNegNeg = jit((a: Array) => lax.neg(lax.neg(a)));
const jitPair = jit((a: Array) => [lax.add(a, 0), lax.asArray(2, a.dtype)]);

function randomProgram(rand: () => number, dtype: "float32" | "int32") {
  const pick = <T,>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const { binary, unary, consts } = OPS[dtype];
  const instrs: Instr[] = [];
  const n = 3 + Math.floor(rand() * 10);
  let poolSize = 3; // x, y (2x3) and s (scalar)
  const operand = (): Operand => (rand() < 0.3 ? { lit: pick(consts) } : { pool: Math.floor(rand() * poolSize) });
  for (let k = 0; k < n; k++) {
    const r = rand();
    let ins: Instr;
    if (r < 0.4) ins = { op: pick(binary), args: [operand(), operand()] };
    else if (r < 0.55) ins = { op: pick(unary), args: [operand()] };
    else if (instrs.length && r < 0.65) ins = pick(instrs); // recompute: a common subexpression
    else ins = { op: pick(SPECIAL.slice(1)), args: [operand(), operand()] };
    instrs.push(ins);
    poolSize++;
  }
  const outs = [poolSize - 1, ...globalThis.Array.from({ length: Math.floor(rand() * 3) }, () => Math.floor(rand() * poolSize))];
  const withLiteral = rand() < 0.2;

  return (x: Array, y: Array, s: Array) => {
    const pool: Array[] = [x, y, s];
    const val = (o: Operand) => ("lit" in o ? lax.asArray(o.lit, dtype) : pool[o.pool]);
    const full = (v: Array) => (v.ndim ? v : lax.broadcastInDim(v, [2, 3], []));
    const scalar = (v: Array) => (v.ndim ? s : v);
    for (const { op, args } of instrs) {
      const [a, b] = args.map(val);
      let r: Array;
      switch (op) {
        case "bcast": // a broadcast scalar into an elementwise op
          r = lax.add(full(a), lax.broadcastInDim(scalar(b), [2, 3], []));
          break;
        case "select":
          r = lax.select(lax.broadcastInDim(lax.gt(scalar(a), lax.asArray(0, dtype)), [2, 3], []), full(a), full(b));
          break;
        case "transpose2":
          r = lax.transpose(lax.transpose(full(a), [1, 0]), [1, 0]);
          break;
        case "reshape2":
          r = lax.reshape(lax.reshape(full(a), [6]), [2, 3]);
          break;
        case "convert":
          r = lax.convertElementType(a, dtype);
          break;
        case "jitAddMul":
          r = jitAddMul(a, b);
          break;
        case "jitIdent":
          r = jitIdent(a);
          break;
        case "jitNegNeg":
          r = jitNegNeg(a);
          break;
        case "jitPair":
          r = lax.mul(...(jitPair(a) as [Array, Array]));
          break;
        default: {
          const f = (lax as unknown as Record<string, (...xs: Array[]) => Array>)[op];
          r = b === undefined || unary.includes(op) ? f(a) : f(a, b);
        }
      }
      pool.push(r);
    }
    const res: (Array | number)[] = outs.map((i) => pool[i]);
    if (withLiteral) res.push(1);
    return res;
  };
}

describe("randomised equivalence", () => {
  const inputs: Record<"float32" | "int32", Array[]> = {
    float32: [jnp.array([[-0, 1.5, -2], [Infinity, 0.25, 3]]), jnp.array([[1, -0.5, 0], [2, NaN, -3]]), jnp.array(0.75)],
    int32: [
      jnp.array([[0, 5, -7], [2147483647, -2147483648, 3]], { dtype: "int32" }),
      jnp.array([[1, -2, 0], [3, 31, 33]], { dtype: "int32" }),
      jnp.array(3, { dtype: "int32" }),
    ],
  };

  test("300 random programs keep their results, types and well-typedness", () => {
    const rand = prng(20240531);
    let before = 0;
    let after = 0;
    for (let p = 0; p < 300; p++) {
      const dtype: DType = p % 3 === 2 ? "int32" : "float32";
      const args = inputs[dtype as "float32" | "int32"];
      const closed = makeJaxpr(randomProgram(rand, dtype as "float32" | "int32"))(...args);
      const out = optimize(closed.jaxpr, { check: true });
      checkStrict(out);
      expect(out.outAvals.map((a) => a.key())).toEqual(closed.jaxpr.outAvals.map((a) => a.key()));
      expect(out.eqns.some((e) => e.primitive.name === "jit")).toBe(false);
      expectSameResults(closed, out, args, `program ${p}`);
      const count = (j: Jaxpr): number => j.eqns.reduce((n, e) => n + (e.primitive.name === "jit" ? count((e.params.jaxpr as ClosedJaxpr).jaxpr) : 1), 0);
      before += count(closed.jaxpr);
      after += out.eqns.length;
    }
    console.log(`randomised: ${before} equations (jit bodies counted inline) became ${after}`);
    expect(after).toBeLessThan(before * 0.8);
  });
});
