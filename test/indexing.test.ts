// jnp indexing on gather/scatter: (a) values against NumPy's and JAX's documented semantics,
// written out by hand (the examples in JAX's docstrings for .at, take, take_along_axis, gather
// and scatter_add, and NumPy's indexing rules worked by hand on arange(24).reshape(2, 3, 4));
// (b) the jaxprs JAX prints for `x.at[i].set(v)`, `x[idx]`, `x[i]`, grad and vmap of `x[idx]`,
// printed by JAX for the same programs (scripts/jax_reference/jaxpr_texts.py); (c) gradients against finite differences
// (checkGrads), vmap against a loop, and eager against jit.
import { describe, expect, it } from "vitest";
import { type Array, checkGrads, grad, jit, jnp, lax, makeJaxpr, vmap } from "../src/index.js";
import { jaxText } from "./jax_texts.js";

const vals = (x: Array): number[] => globalThis.Array.from(x.dataSync(), Number);
const I = (v: unknown) => jnp.array(v as never, { dtype: "int32" });
/** Shape and values, NaN-aware. */
function expectArray(x: Array, shape: number[], want: number[]) {
  expect([...x.shape]).toEqual(shape);
  expect(vals(x).map((v) => (Number.isNaN(v) ? "nan" : v))).toEqual(want.map((v) => (Number.isNaN(v) ? "nan" : v)));
}
const range = (n: number) => [...globalThis.Array(n).keys()];

// x = np.arange(24).reshape(2, 3, 4): x[i, j, k] = 12 i + 4 j + k.
const X = () => jnp.arange(24).reshape([2, 3, 4]);

describe("basic indexing (NumPy's rules)", () => {
  it("integers, negative integers, slices, steps, newaxis, ellipsis", () => {
    const x = X();
    expectArray(x.get(1, -1), [4], [20, 21, 22, 23]);
    expectArray(jnp.index(x, -1, 0, -2), [], [14]);
    expectArray(x.get(":", "1:3", "::2"), [2, 2, 2], [4, 6, 8, 10, 16, 18, 20, 22]);
    expectArray(x.get(0, 0, "::-1"), [4], [3, 2, 1, 0]);
    expectArray(x.get(1, 2, "-1:0:-2"), [2], [23, 21]);
    expectArray(x.get(null, 1, ":", 0), [1, 3], [12, 16, 20]);
    expectArray(x.get("...", 3), [2, 3], [3, 7, 11, 15, 19, 23]);
    expectArray(x.get(0, "...", null), [3, 4, 1], range(12));
    expectArray(x.get(jnp.slice(1, null), jnp.slice(2)), [1, 2, 4], [12, 13, 14, 15, 16, 17, 18, 19]);
    expectArray(x.get(1, "5:", 0), [0], []);
  });

  it("scalar booleans add an axis of length 1 (true) or 0 (false)", () => {
    const x = X();
    expect([...x.get(true).shape]).toEqual([1, 2, 3, 4]);
    expect([...x.get(false).shape]).toEqual([0, 2, 3, 4]);
  });

  it("a static index out of bounds is clamped by get (JAX's dynamic_slice), as JAX documents", () => {
    // JAX's .at docstring: x = arange(5.0); x.at[20].get() -> 4.0
    const x = jnp.arange(5);
    expectArray(x.at(20).get(), [], [4]);
    expectArray(x.at(20).get({ mode: "fill" }), [], [NaN]);
    expectArray(x.at(20).get({ mode: "fill", fillValue: -1 }), [], [-1]);
    expectArray(x.at(2).get(), [], [2]);
  });

  it("errors: too many indices, two ellipses, floats, strings", () => {
    const x = X();
    expect(() => x.get(0, 0, 0, 0)).toThrow("Too many indices: array is 3-dimensional, but 4 were indexed");
    expect(() => x.get("...", 0, "...")).toThrow("an index can only have a single ellipsis ('...')");
    expect(() => x.get(1.5)).toThrow("Indexer must have integer or boolean type, got indexer with type float64");
    expect(() => x.get(jnp.array([0, 1]))).toThrow("Indexer must have integer or boolean type, got indexer with type float32");
    expect(() => x.get("abc")).toThrow("JAX does not support string indexing; got idx='abc'");
  });
});

describe("advanced indexing (NumPy's rules)", () => {
  it("integer arrays, broadcast together; adjacent ones keep their place", () => {
    const x = X();
    expectArray(x.get([1, 0], 2), [2, 4], [20, 21, 22, 23, 8, 9, 10, 11]);
    // x[:, [2, 0], [1, 3]][i, j] = x[i, [2, 0][j], [1, 3][j]]
    expectArray(x.get(":", [2, 0], [1, 3]), [2, 2], [9, 3, 21, 15]);
    // x[0, [[0], [2]], [1, 3]]: the integer joins the arrays; shapes (2, 1) and (2,) broadcast to (2, 2).
    expectArray(x.get(0, [[0], [2]], [1, 3]), [2, 2], [1, 3, 9, 11]);
    expectArray(x.get(I([-1, 0])), [2, 3, 4], [...range(12).map((k) => 12 + k), ...range(12)]);
  });

  it("arrays separated by a slice put the broadcast dims first", () => {
    const x = X();
    // x[[0, 1], :, [1, 3]][j, k] = x[[0, 1][j], k, [1, 3][j]]
    expectArray(x.get([0, 1], ":", [1, 3]), [2, 3], [1, 5, 9, 15, 19, 23]);
    // x[1, 1:, [0, 3]][j, k] = x[1, 1 + k, [0, 3][j]]
    expectArray(x.get(1, "1:", [0, 3]), [2, 2], [16, 20, 19, 23]);
  });

  it("boolean masks select the true positions (concrete masks only)", () => {
    const x = X();
    expectArray(x.get(jnp.equal(jnp.remainder(x, 5), 0)), [5], [0, 5, 10, 15, 20]);
    expectArray(x.get(1, [true, false, true]), [2, 4], [12, 13, 14, 15, 20, 21, 22, 23]);
    expect(() => jit((m: Array) => X().get(m))(jnp.array([true, false]))).toThrow("Array boolean indices must be concrete; got ShapedArray(bool[2])");
  });

  it("gather clamps out-of-bounds indices by default; take fills", () => {
    // JAX's lax.gather docstring: x[indices] with repeats.
    expectArray(jnp.array([10, 11, 12]).get(I([0, 1, 1, 2, 2, 2])), [6], [10, 11, 11, 12, 12, 12]);
    expectArray(jnp.array([10, 11, 12]).get(I([5, -1, -7])), [3], [12, 12, 10]);
    expectArray(jnp.array([10, 11, 12]).at(I([5, -1])).get({ mode: "fill" }), [2], [NaN, 12]);
  });

  it("take (JAX's docstring examples)", () => {
    const x = jnp.array([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expectArray(jnp.take(x, [2, 0]), [2], [3, 1]);
    expectArray(jnp.take(x, [2, 0], { axis: 1 }), [2, 2], [3, 1, 6, 4]);
    expectArray(jnp.take(x, [5, 0], { axis: 0 }), [2, 3], [NaN, NaN, NaN, 1, 2, 3]);
    expectArray(jnp.take(x, [5, 0], { axis: 0, mode: "clip" }), [2, 3], [4, 5, 6, 1, 2, 3]);
    expectArray(jnp.take(x, [-1, 4], { axis: 1, mode: "wrap" }), [2, 2], [3, 2, 6, 5]);
    expectArray(jnp.take(x, [-1], { axis: 1 }), [2, 1], [3, 6]);
    expectArray(jnp.take(I([7, 8]), [3], { fillValue: -1 }), [1], [-1]);
  });

  it("takeAlongAxis (JAX's docstring examples)", () => {
    const x = jnp.array([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expectArray(jnp.takeAlongAxis(x, [[0, 2], [1, 0]], 1), [2, 2], [1, 3, 5, 4]);
    expectArray(jnp.takeAlongAxis(x, [[1, 0, 2]], 0), [1, 3], [4, 2, NaN]);
    const y = I([
      [5, 3, 4],
      [2, 7, 6],
    ]);
    expectArray(jnp.takeAlongAxis(y, jnp.argsort(y, 1), 1), [2, 3], [3, 4, 5, 2, 6, 7]);
    expectArray(jnp.takeAlongAxis(y, [[1], [0]], 1), [2, 1], [3, 2]);
    expectArray(jnp.takeAlongAxis(jnp.array([9, 8, 7]), [2, 0, -1], null), [3], [7, 9, 7]);
  });

  it("jnp.ds: a slice of static size at a traced start", () => {
    const x = jnp.arange(10);
    const f = jit((i: Array) => x.get(jnp.ds(i, 3)));
    expectArray(f(I(4)), [3], [4, 5, 6]);
    expectArray(f(I(9)), [3], [7, 8, 9]); // dynamic_slice keeps the window in bounds
  });
});

describe("indexed updates: x.at(...)", () => {
  it("JAX's .at docstring examples", () => {
    const x = jnp.arange(5);
    expectArray(x.at(2).add(10), [5], [0, 1, 12, 3, 4]);
    expectArray(x.at(10).add(10), [5], [0, 1, 2, 3, 4]); // dropped
    expectArray(x.at(20).add(10, { mode: "clip" }), [5], [0, 1, 2, 3, 14]);
    expectArray(x.at(-1).set(99), [5], [0, 1, 2, 3, 99]);
    expectArray(x.at(-1).set(99, { wrapNegativeIndices: false, mode: "drop" }), [5], [0, 1, 2, 3, 4]);
    // lax.scatter_add / lax.scatter docstrings: x = ones(5), indices [1, 2, 4], values [2, 3, 4].
    const ones = jnp.ones([5]);
    expectArray(ones.at(I([1, 2, 4])).add(jnp.array([2, 3, 4])), [5], [1, 3, 4, 1, 5]);
    expectArray(ones.at(I([1, 2, 4])).set(jnp.array([2, 3, 4])), [5], [1, 2, 3, 1, 4]);
  });

  it("repeated indices all apply (unlike NumPy's x[idx] += v)", () => {
    const x = jnp.arange(5);
    expectArray(x.at([0, 0, 2]).add(1), [5], [2, 1, 3, 3, 4]);
    expectArray(x.at([1, 1]).multiply(3), [5], [0, 9, 2, 3, 4]);
    expectArray(x.at([4, 4]).min(jnp.array([3, -1])), [5], [0, 1, 2, 3, -1]);
    expectArray(x.at([0, 0]).max(jnp.array([3, 5])), [5], [5, 1, 2, 3, 4]);
  });

  it("slices, steps, newaxis, masks and broadcast values", () => {
    const x = jnp.arange(5);
    expectArray(x.at("1:4").set(jnp.array([7, 8, 9])), [5], [0, 7, 8, 9, 4]);
    // x[::-2] is x[4], x[2], x[0].
    expectArray(x.at("::-2").set(jnp.array([10, 20, 30])), [5], [30, 1, 20, 3, 10]);
    expectArray(x.at(x.gt(2)).set(0), [5], [0, 1, 2, 0, 0]);
    expectArray(x.at("...").subtract(1), [5], [-1, 0, 1, 2, 3]);
    const m = jnp.zeros([2, 3]);
    expectArray(m.at(":", 1).set(5), [2, 3], [0, 5, 0, 0, 5, 0]);
    expectArray(m.at(null, 1).add(jnp.array([[1, 2, 3]])), [2, 3], [0, 0, 0, 1, 2, 3]);
    expectArray(m.at([1, 0], [2, 2]).add(jnp.array([1, 2])), [2, 3], [0, 0, 2, 0, 0, 1]);
    expectArray(m.at(1).set(jnp.array([1, 2, 3])), [2, 3], [0, 0, 0, 1, 2, 3]);
  });

  it("divide and power; integer arrays keep their dtype", () => {
    const x = jnp.arange(5);
    expectArray(x.at([1, 3]).divide(2), [5], [0, 0.5, 2, 1.5, 4]);
    expectArray(x.at(2).power(3), [5], [0, 1, 8, 3, 4]);
    const n = I([1, 2, 3]);
    const m = n.at(0).set(7);
    expect(m.dtype).toBe("int32");
    expectArray(m, [3], [7, 2, 3]);
    expectArray(n.at(1).add(2.75), [3], [1, 4, 3]); // promoted to float, converted back (truncation)
  });

  it("the input is not modified", () => {
    const x = jnp.arange(3);
    x.at(0).set(5);
    expectArray(x, [3], [0, 1, 2]);
  });
});

// ---- the jaxprs JAX prints ------------------------------------------------------------------------

describe("jaxprs, as JAX prints them (scripts/jax_reference/jaxpr_texts.py, \"indexing/*\")", () => {
  it("x.at[i].set(v)", () => {
    // ops/scatter.py _scatter_update: normalize_indices' select(i < 0, i + 5, i), expand_dims, and
    // a scatter with FILL_OR_DROP (unique, sorted: no advanced indices).
    expect(String(makeJaxpr((x: Array, i: Array, v: Array) => x.at(i).set(v))(jnp.zeros([5]), I(1), jnp.array(2)))).toBe(jaxText("indexing/at_set"));
  });

  it("x[idx] for an integer array", () => {
    // rewriting_take: not a static or dynamic slice, so _gather with PROMISE_IN_BOUNDS.
    expect(String(makeJaxpr((x: Array, idx: Array) => x.get(idx))(jnp.zeros([5]), I([0, 1, 2])))).toBe(jaxText("indexing/gather_int_array"));
  });

  it("x[i] for a traced scalar: dynamic_slice, then squeeze", () => {
    expect(String(makeJaxpr((x: Array, i: Array) => x.get(i))(jnp.zeros([5]), I(1)))).toBe(jaxText("indexing/dynamic_scalar"));
  });

  it("x[1:4:2, 0] for static indices: slice and squeeze", () => {
    expect(String(makeJaxpr((x: Array) => x.get("1:4:2", 0))(jnp.zeros([5, 3])))).toBe(jaxText("indexing/static_slice"));
  });

  it("grad of sum(x[idx]): gather transposes to scatter-add", () => {
    // _gather_transpose_fancy: zeros by lax.full, scatter_add with lax._reduction_jaxpr(lax.add).
    const f = (x: Array, idx: Array) => x.get(idx).sum();
    expect(String(makeJaxpr(grad(f))(jnp.zeros([5]), I([0, 1, 2])))).toBe(jaxText("indexing/grad_gather"));
  });

  it("vmap of x[idx] over x: numpy-computed dimension numbers print as np.int64", () => {
    const f = vmap((x: Array, idx: Array) => x.get(idx), { inAxes: [0, null] });
    expect(String(makeJaxpr(f)(jnp.zeros([3, 5]), I([0, 1, 2])))).toBe(jaxText("indexing/vmap_gather"));
  });

  it("two scatter-adds of one dtype share their update_jaxpr (JAX caches _reduction_jaxpr)", () => {
    const f = (x: Array, i: Array) => x.at(i).add(1).at(i).add(2);
    expect(String(makeJaxpr(f)(jnp.zeros([4]), I(1)))).toBe(jaxText("indexing/two_scatter_adds"));
  });
});

// ---- transformations ----------------------------------------------------------------------------

describe("derivatives against finite differences", () => {
  const x = jnp.array([0.5, -1.25, 2, 0.75, -0.3]);
  const m = jnp.array([
    [0.2, -0.7, 1.1],
    [0.9, 0.4, -1.3],
  ]);
  const opts = { order: 2, atol: 1e-2, rtol: 1e-2, eps: 1e-2 };

  it("gather: x[idx] (repeats), x[:, idx], take with fill, takeAlongAxis", () => {
    checkGrads((a: Array) => a.get(I([3, 0, 3, -1])).sin(), [x], opts);
    checkGrads((a: Array) => a.get(":", I([2, 0])).mul(a.get(":", 1).reshape([2, 1])), [m], opts);
    checkGrads((a: Array) => jnp.take(a, I([7, 1, -2]), { fillValue: 0 }).exp(), [x], opts); // (NaN, the default fill, has no finite differences)
    checkGrads((a: Array) => jnp.takeAlongAxis(a, I([[2, 0], [1, 1]]), 1).square(), [m], opts);
  });

  it("scatter: set, add, multiply, min, max (in the operand and the updates)", () => {
    const v = jnp.array([1.5, -0.5]);
    checkGrads((a: Array, u: Array) => a.at(I([1, 3])).set(u).sin(), [x, v], opts);
    checkGrads((a: Array, u: Array) => a.at(I([2, 2])).set(u).sin(), [x, v], opts); // repeats: one winner
    checkGrads((a: Array, u: Array) => a.at(I([4, 4])).add(u.square()), [x, v], opts);
    checkGrads((a: Array, u: Array) => a.at(I([0, 3])).multiply(u, { uniqueIndices: true }), [x, v], opts);
    checkGrads((a: Array, u: Array) => a.at(I([1, 1])).max(u), [x, v], opts);
    checkGrads((a: Array, u: Array) => a.at(I([2, 4])).min(u), [x, v], opts);
    checkGrads((a: Array, u: Array) => a.at(":", 1).add(u).tanh(), [m, v], opts);
  });

  it("scatter-mul without unique indices has no gradient in its updates, as in JAX", () => {
    expect(() => grad((u: Array) => x.at(I([0, 0])).multiply(u).sum())(jnp.ones([2]))).toThrow(
      "scatter_mul gradients are only implemented if `unique_indices=True`",
    );
  });
});

describe("vmap against a loop, eager and under jit", () => {
  const xs = jnp.arange(12).reshape([3, 4]).mul(0.5);
  const idxs = I([
    [3, 0],
    [1, 1],
    [-1, 2],
  ]);
  const vs = jnp.array([
    [1, 2],
    [3, 4],
    [5, 6],
  ]);
  const rows = (b: Array) => range(b.shape[0]).map((i) => b.get(i));
  function expectBatch(batched: Array, loop: Array[]) {
    expect(batched.shape[0]).toBe(loop.length);
    loop.forEach((want, i) => expect(vals(batched.get(i))).toEqual(vals(want)));
  }
  const cases: [string, (x: Array, i: Array, v: Array) => Array][] = [
    ["x[i]", (x, i) => x.get(i)],
    ["x.at[i].set(v)", (x, i, v) => x.at(i).set(v)],
    ["x.at[i].add(v)", (x, i, v) => x.at(i).add(v)],
    ["x.at[i].max(v)", (x, i, v) => x.at(i).max(v)],
    ["take(x, i, fill)", (x, i) => jnp.take(x, i.add(2))],
    ["x.at[i[0]].multiply(v[0])", (x, i, v) => x.at(i.get(0)).multiply(v.get(0))],
  ];
  for (const [name, f] of cases) {
    it(name, () => {
      const loopAll = range(3).map((k) => f(xs.get(k), idxs.get(k), vs.get(k)));
      for (const run of [vmap(f), jit(vmap(f))]) expectBatch(run(xs, idxs, vs) as Array, loopAll);
      // Only the indices batched, and only the operand batched.
      const x0 = xs.get(0);
      const i0 = idxs.get(0);
      const v0 = vs.get(0);
      expectBatch(vmap(f, { inAxes: [null, 0, null] })(x0, idxs, v0) as Array, rows(idxs).map((i) => f(x0, i, v0)));
      expectBatch(vmap(f, { inAxes: [0, null, null] })(xs, i0, v0) as Array, rows(xs).map((x) => f(x, i0, v0)));
    });
  }
});

describe("eager and jit agree", () => {
  it("indexing, updates, take", () => {
    const x = X();
    const fs: ((a: Array, i: Array) => Array)[] = [
      (a) => a.get(1, "::-1", null, "1:3"),
      (a, i) => a.get(":", i, i),
      (a, i) => a.get(i.get(0)),
      (a, i) => a.at(":", i).add(1),
      (a, i) => a.at(i, "...", 0).set(-1),
      (a, i) => jnp.take(a, i, { axis: 2 }),
    ];
    const i = I([2, 0]);
    for (const f of fs) expect(vals(jit(f)(x, i))).toEqual(vals(f(x, i)));
  });

  it("lax.gather and lax.scatterAdd directly", () => {
    const x = jnp.array([10, 11, 12]);
    const dn = { offsetDims: [], collapsedSliceDims: [0], startIndexMap: [0] };
    const idx = I([[2], [0], [2]]);
    expectArray(lax.gather(x, idx, dn, [1]), [3], [12, 10, 12]);
    const sdn = { updateWindowDims: [], insertedWindowDims: [0], scatterDimsToOperandDims: [0] };
    const g = jit((a: Array, u: Array) => lax.scatterAdd(a, idx, u, sdn));
    expectArray(g(x, jnp.array([1, 2, 3])), [3], [12, 11, 16]);
    expect(() => lax.gather(x, idx, dn, [2])).toThrow("Gather op can only collapse slice dims with bound 1, but bound is 2 for index 0 at position 0.");
  });
});
