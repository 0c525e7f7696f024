// Convolutions and windowed reductions: (a) known answers, from JAX's and NumPy's docstrings
// (jnp.convolve, jnp.correlate, jnp.einsum), small convolutions and poolings worked by hand, and
// values XLA itself computes for the subtle cases (batch/feature groups, dilations, layouts);
// opt_einsum's contraction paths against opt_einsum itself; (b) jaxprs of convolutions, their
// gradients and vmaps through every branch of the rules, pooling's derivatives, einsum and
// convolve, against the texts JAX prints for the same programs (scripts/jax_reference/
// jaxpr_texts.py and conv_texts.py); (c) gradients against finite differences (checkGrads),
// (d) vmap against a loop over examples for every branch of conv's batching rule, (e) eager
// against jit, JAX's error texts, and examples/cnn.ts learning. Runs on cpu and wasm.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { type Array, checkGrads, grad, jit, jnp, jvp, lax, makeJaxpr, vjp, vmap } from "../src/index.js";
import { contractPath } from "../src/numpy/opt_einsum.js";
import { jaxText } from "./jax_texts.js";

const vals = (x: Array): number[] => globalThis.Array.from(x.dataSync(), Number);
function expectArray(x: Array, shape: number[], want: number[]) {
  expect([...x.shape]).toEqual(shape);
  expect(vals(x)).toEqual(want);
}
const close = (x: Array, want: number[], tol = 1e-4) => vals(x).forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want[i]))));
const I = (v: unknown) => jnp.array(v as never, { dtype: "int32" });
const range = (n: number) => [...globalThis.Array(n).keys()];
/** Deterministic values in [-2, 2) with a few distinct digits, so pooling has no ties. */
const data = (shape: number[], seed = 1) => {
  const n = shape.reduce((a, b) => a * b, 1);
  return jnp.array(range(n).map((i) => ((((i + seed) * 37) % 61) - 30) / 15 + i * 1e-3)).reshape(shape);
};

// ---- (a) known answers -------------------------------------------------------------------------------

describe("known answers", () => {
  it("lax.conv: a 2x2 box filter over arange(16), and SAME padding over arange(9) (by hand)", () => {
    const x = jnp.arange(16).reshape([1, 1, 4, 4]);
    expectArray(lax.conv(x, jnp.ones([1, 1, 2, 2]), [1, 1], "VALID"), [1, 1, 3, 3], [10, 14, 18, 26, 30, 34, 42, 46, 50]);
    // Each output is the sum of the 3x3 neighbourhood inside the 3x3 image.
    const y = jnp.arange(9).reshape([1, 1, 3, 3]);
    expectArray(lax.conv(y, jnp.ones([1, 1, 3, 3]), [1, 1], "SAME"), [1, 1, 3, 3], [8, 15, 12, 21, 36, 27, 20, 33, 24]);
  });

  it("strides, explicit padding and rhs dilation (by hand)", () => {
    // Rows: padding (1, 0) and stride 2 put windows on rows (-1, 0) and (1, 2); columns: padding
    // (0, 1) and dilation 2 pair columns (0, 2), (1, 3), (2, pad). Kernel [[1, 10], [100, 1000]].
    const x = jnp.arange(16).reshape([1, 1, 4, 4]);
    const w = jnp.array([1, 10, 100, 1000]).reshape([1, 1, 2, 2]);
    const out = lax.convWithGeneralPadding(x, w, [2, 1], [[1, 0], [0, 1]], null, [1, 2]);
    // out[0, j] = 100 x[0, j] + 1000 x[0, j + 2]; out[1, j] = x[1, j] + 10 x[1, j + 2] + 100 x[2, j] + 1000 x[2, j + 2].
    const at = (r: number, c: number) => (c < 4 ? 4 * r + c : 0);
    const want = [0, 1, 2].map((j) => 100 * at(0, j) + 1000 * at(0, j + 2)).concat([0, 1, 2].map((j) => at(1, j) + 10 * at(1, j + 2) + 100 * at(2, j) + 1000 * at(2, j + 2)));
    expectArray(out, [1, 1, 2, 3], want);
  });

  it("layouts: NHWC/HWIO gives the NCHW/OIHW result, transposed", () => {
    const x = data([2, 3, 5, 4]);
    const w = data([4, 3, 2, 2], 7);
    const nchw = lax.convGeneralDilated(x, w, [1, 2], "SAME");
    const nhwc = lax.convGeneralDilated(x.transpose([0, 2, 3, 1]), w.transpose([2, 3, 1, 0]), [1, 2], "SAME", { dimensionNumbers: ["NHWC", "HWIO", "NHWC"] });
    close(nhwc.transpose([0, 3, 1, 2]), vals(nchw));
  });

  it("conv_transpose: lhs dilation by the strides, the kernel unflipped (JAX's default)", () => {
    // x = [1, 2, 3] dilated by 2 and padded (1, 1) for VALID: [0, 1, 0, 2, 0, 3, 0]; kernel [1, 10].
    const out = lax.convTranspose(jnp.array([1, 2, 3]).reshape([1, 3, 1]), jnp.array([1, 10]).reshape([2, 1, 1]), [2], "VALID");
    expectArray(out, [1, 6, 1], [10, 1, 20, 2, 30, 3]);
    // transposeKernel flips it (Keras's Conv2DTranspose): [10, 1].
    expectArray(lax.convTranspose(jnp.array([1, 2, 3]).reshape([1, 3, 1]), jnp.array([1, 10]).reshape([2, 1, 1]), [2], "VALID", { transposeKernel: true }), [1, 6, 1], [1, 10, 2, 20, 3, 30]);
  });

  it("feature groups: each group of channels convolves with its own filters", () => {
    const x = data([1, 4, 5]);
    const w = data([6, 2, 3], 3);
    const grouped = lax.convGeneralDilated(x, w, [1], "VALID", { featureGroupCount: 2 });
    const g0 = lax.convGeneralDilated(x.get(":", "0:2"), w.get("0:3"), [1], "VALID");
    const g1 = lax.convGeneralDilated(x.get(":", "2:4"), w.get("3:6"), [1], "VALID");
    close(grouped, vals(jnp.concatenate([g0, g1], 1)));
  });

  it("jnp.convolve and jnp.correlate: JAX's docstring examples", () => {
    const x = I([1, 2, 3, 2, 1]);
    const y = I([4, 1, 2]);
    const f32 = (a: Array) => (expect(a.dtype).toBe("float32"), vals(a));
    expect(f32(jnp.convolve(x, y))).toEqual([4, 9, 16, 15, 12, 5, 2]);
    expect(f32(jnp.convolve(x, y, "same"))).toEqual([9, 16, 15, 12, 5]);
    expect(f32(jnp.convolve(x, y, "valid"))).toEqual([16, 15, 12]);
    const z = I([4, 5, 6]);
    expect(f32(jnp.correlate(x, z))).toEqual([32, 35, 28]);
    expect(f32(jnp.correlate(x, z, "full"))).toEqual([6, 17, 32, 35, 28, 13, 4]);
    expect(f32(jnp.correlate(x, z, "same"))).toEqual([17, 32, 35, 28, 13]);
    expect(f32(jnp.correlate(x, I([4, 5, 4]), "full"))).toEqual([4, 13, 26, 31, 26, 13, 4]);
    expect(f32(jnp.convolve(x, I([4, 5, 4]), "full"))).toEqual([4, 13, 26, 31, 26, 13, 4]);
    // A shorter first operand is swapped (correlate reverses its result then, as NumPy does).
    expect(f32(jnp.correlate(z, x, "full"))).toEqual([4, 13, 28, 35, 32, 17, 6]);
    expect(() => jnp.convolve(jnp.ones([2, 2]), y)).toThrow("convolve() only support 1-dimensional inputs.");
    expect(() => jnp.convolve(x, y, "nope" as never)).toThrow("mode must be one of ['full', 'same', 'valid']");
  });

  it("lax.reduceWindow: max, min and sum pooling (by hand)", () => {
    const x = jnp.arange(16).reshape([4, 4]);
    expectArray(lax.reduceWindow(x, -Infinity, lax.max, [2, 2], [2, 2]), [2, 2], [5, 7, 13, 15]);
    expectArray(lax.reduceWindow(x, Infinity, lax.min, [2, 2], [2, 2]), [2, 2], [0, 2, 8, 10]);
    expectArray(lax.reduceWindow(x, 0, lax.add, [2, 2], [2, 2]), [2, 2], [10, 18, 42, 50]);
    // SAME: windows of 3 centred on each element of [0, 1, 2, 3], padded with the identity.
    expectArray(lax.reduceWindow(jnp.arange(4), -Infinity, lax.max, [3], [1], "SAME"), [4], [1, 2, 3, 3]);
    expectArray(lax.reduceWindow(jnp.arange(4), 0, lax.add, [3], [1], "SAME"), [4], [1, 3, 6, 5]);
    // int32 with its own identities (host loop).
    const xi = I([[3, -1, 4], [1, -5, 9]]);
    expectArray(lax.reduceWindow(xi, -(2 ** 31), lax.max, [2, 2], [1, 1]), [1, 2], [3, 9]);
    expectArray(lax.reduceWindow(xi, 2 ** 31 - 1, lax.min, [2, 2], [1, 1]), [1, 2], [-5, -5]);
    // Window dilation 2 pairs elements two apart; base dilation 2 puts holes (the identity) between them.
    expectArray(lax.reduceWindow(jnp.arange(5), 0, lax.add, [2], [1], "VALID", null, [2]), [3], [2, 4, 6]);
    expectArray(lax.reduceWindow(jnp.arange(3), -Infinity, lax.max, [2], [1], "VALID", [2]), [4], [0, 1, 1, 2]);
  });

  it("lax.reduceWindow with any other computation: the general reduce_window (JAX's docstring example; XLA skips padding)", () => {
    // JAX's docstring: a windowed product over pairs of arange(10).
    expectArray(lax.reduceWindow(jnp.arange(10), 1, lax.mul, [2]), [9], [0, 2, 6, 12, 20, 30, 42, 56, 72]);
    // Padding and base-dilation holes are skipped, not reduced as the init value (printed by JAX 0.10.2).
    expectArray(lax.reduceWindow(jnp.ones([3]), 1, lax.add, [3], [1], [[1, 1]]), [3], [3, 4, 3]);
    expectArray(lax.reduceWindow(jnp.ones([3]), 1, lax.add, [2], [1], "VALID", [2]), [4], [2, 2, 2, 2]);
    expectArray(lax.reduceWindow(jnp.ones([3]), 10, lax.max, [3], [1], [[1, 1]]), [3], [10, 10, 10]);
    expectArray(lax.reduceWindow(jnp.array([1, 2, 3]), 0, (a: Array, b: Array) => a.mul(2).add(b), [3], [1], [[1, 1]]), [3], [4, 11, 7]);
    // Two operands reduced together; under jit and vmap.
    const [s, m] = lax.reduceWindow([jnp.arange(5), jnp.array([3, 1, 4, 1, 5])], [0, -Infinity], (a: Array[], b: Array[]) => [a[0].add(b[0]), lax.max(a[1], b[1])], [2]);
    expectArray(s, [4], [1, 3, 5, 7]);
    expectArray(m, [4], [3, 4, 4, 5]);
    const prod = (x: Array) => lax.reduceWindow(x, 1, lax.mul, [2]);
    expectArray(jit(prod)(jnp.arange(4)), [3], [0, 2, 6]);
    expectArray(vmap(prod)(jnp.arange(6).reshape([2, 3])), [2, 2], [0, 2, 12, 20]);
    // Forward-mode only, as in JAX (whose linearization fails for it).
    expectArray((jvp(prod, [jnp.array([1, 2, 3])], [jnp.array([1, 0, 1])]) as Array[])[1], [2], [2, 2]);
    expect(() => grad((x: Array) => prod(x).sum())(jnp.ones([3]))).toThrow("Transpose rule (for reverse-mode differentiation) for 'reduce_window' not implemented");
  });

  it("jnp.einsum: JAX's docstring examples", () => {
    const M = jnp.arange(16, undefined, 1, { dtype: "int32" }).reshape([4, 4]);
    const x = jnp.arange(4, undefined, 1, { dtype: "int32" });
    const y = I([5, 4, 3, 2]);
    const i32 = (a: Array) => (expect(a.dtype).toBe("int32"), vals(a));
    expect(i32(jnp.einsum("i,i", x, y))).toEqual([16]);
    expect(i32(jnp.einsum("i,i->", x, y))).toEqual([16]);
    expect(i32(jnp.einsum(x, [0], y, [0]))).toEqual([16]);
    expect(i32(jnp.einsum(x, [0], y, [0], []))).toEqual([16]);
    expect(i32(jnp.einsum("ij,j->i", M, x))).toEqual([14, 38, 62, 86]);
    expect(i32(jnp.einsum("ij,j", M, x))).toEqual([14, 38, 62, 86]);
    expect(i32(jnp.einsum(M, [0, 1], x, [1], [0]))).toEqual([14, 38, 62, 86]);
    const outer = [0, 0, 0, 0, 5, 4, 3, 2, 10, 8, 6, 4, 15, 12, 9, 6];
    expect(i32(jnp.einsum("i,j->ij", x, y))).toEqual(outer);
    expect(i32(jnp.einsum("i,j", x, y))).toEqual(outer);
    expect(i32(jnp.einsum(x, [0], y, [1]))).toEqual(outer);
    expect(i32(jnp.einsum("i->", x))).toEqual([6]);
    expect(i32(jnp.einsum("...j->...", M))).toEqual([6, 22, 38, 54]);
    expect(i32(jnp.einsum(M, ["...", 0], ["..."]))).toEqual([6, 22, 38, 54]);
    const t = I([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    for (const r of [jnp.einsum("ij->ji", t), jnp.einsum("ji", t), jnp.einsum(t, [1, 0]), jnp.einsum(t, [0, 1], [1, 0])]) expectArray(r, [3, 2], [1, 4, 2, 5, 3, 6]);
    expect(i32(jnp.einsum("ii->i", M))).toEqual([0, 5, 10, 15]);
    expect(i32(jnp.einsum("ii", M))).toEqual([30]);
    const a = jnp.arange(30, undefined, 1, { dtype: "int32" }).reshape([2, 3, 5]);
    const b = jnp.arange(60, undefined, 1, { dtype: "int32" }).reshape([3, 4, 5]);
    const tp = [3340, 3865, 4390, 4915, 8290, 9940, 11590, 13240];
    expect(i32(jnp.einsum("ijk,jlk->il", a, b))).toEqual(tp);
    expect(i32(jnp.einsum("ijk,jlk", a, b))).toEqual(tp);
    expect(i32(jnp.einsum(a, [0, 1, 2], b, [1, 3, 2], [0, 3]))).toEqual(tp);
    const w = jnp.arange(5, 9, 1, { dtype: "int32" }).reshape([2, 2]);
    const u = jnp.arange(6, undefined, 1, { dtype: "int32" }).reshape([2, 3]);
    const v = jnp.arange(-2, 4, 1, { dtype: "int32" }).reshape([3, 2]);
    const z = I([
      [2, 4, 6],
      [3, 5, 7],
    ]);
    expect(i32(jnp.einsum("ij,jk,kl,lm->im", w, u, v, z))).toEqual([481, 831, 1181, 651, 1125, 1599]);
    expect(i32(jnp.einsum(w, [0, 1], u, [1, 2], v, [2, 3], z, [3, 4]))).toEqual([481, 831, 1181, 651, 1125, 1599]);
  });

  it("jnp.einsum: batch labels, broadcast ellipses, size-1 labels, repeated labels kept", () => {
    const a = data([2, 3, 4]);
    const b = data([2, 4, 5], 3);
    close(jnp.einsum("bij,bjk->bik", a, b), vals(jnp.matmul(a, b)));
    close(jnp.einsum("...ij,...jk", a, b), vals(jnp.matmul(a, b)));
    // A label of size 1 on one side broadcasts against the other (JAX's filter_singleton_dims).
    close(jnp.einsum("ij,ij->ij", data([1, 3]), data([4, 3], 2)), vals(data([1, 3]).mul(data([4, 3], 2))));
    // "iij->ij": a diagonal kept in the output.
    const c = data([3, 3, 2]);
    const diag = range(3).flatMap((i) => vals(c.get(i, i)));
    close(jnp.einsum("iij->ij", c), diag);
    // Mixed dtypes promote as jnp does.
    expect(jnp.einsum("i,i", I([1, 2]), jnp.array([0.5, 0.25])).dtype).toBe("float32");
  });

  it("jnp.einsum: opt_einsum's paths", () => {
    const s = (shape: number[]) => jnp.zeros(shape);
    // optimal: (ij,jk) first costs 2*24 + 2*40 flops, (jk,kl) first 2*60 + 2*30.
    expect(jnp.einsumPath("ij,jk,kl->il", s([2, 3]), s([3, 4]), s([4, 5]))).toEqual([
      [0, 1],
      [0, 1],
    ]);
    expect(jnp.einsumPath("ij,jk,kl->il", s([20, 3]), s([3, 40]), s([40, 2]))).toEqual([
      [1, 2],
      [0, 1],
    ]);
    // opt_einsum's optimal and greedy docstring example: [(0, 2), (0, 1)] both.
    for (const optimize of ["optimal", "greedy"] as const)
      expect(jnp.einsumPath("abd,ac,bdc", s([1, 2, 4]), s([1, 3]), s([2, 4, 3]), { optimize })).toEqual([
        [0, 2],
        [0, 1],
      ]);
    // More than 4 operands take the greedy path; values as a chain of matmuls.
    const ms = range(6).map((k) => data([3, 3], k + 1));
    const chain = ms.slice(1).reduce((acc, m) => jnp.matmul(acc, m), ms[0]);
    close(jnp.einsum("ab,bc,cd,de,ef,fg->ag", ...ms), vals(chain), 1e-3);
    close(jnp.einsum("ab,bc,cd,de,ef,fg->ag", ...ms, { optimize: false }), vals(chain), 1e-3);
    // 5 and 6 operands: opt_einsum's branch-and-bound ("auto"), not greedy, which differs here.
    expect(jnp.einsumPath("ab,bc,cd,de,ef,fg->ag", ...range(6).map(() => s([3, 3])))).toEqual(range(5).map(() => [0, 1]));
    expect(jnp.einsumPath("ab,bc,cd,de,ef,fg->ag", ...range(6).map(() => s([3, 3])), { optimize: "greedy" })).toEqual([[0, 1], [0, 1], [0, 1], [1, 2], [0, 1]]);
    // Errors are opt_einsum's.
    expect(() => jnp.einsum("ij,jk", s([2, 3]), s([4, 5]))).toThrow("Size of label 'j' for operand 1 (3) does not match previous terms (4).");
    expect(() => jnp.einsum("ij", s([2]))).toThrow("Einstein sum subscript 'ij' does not contain the correct number of indices for operand 0.");
    expect(() => jnp.einsum("i->j", s([2]))).toThrow("Output character 'j' did not appear in the input");
  });
});

describe("opt_einsum's paths, against opt_einsum 3.4 itself", () => {
  // 300 random einsums (scripts/jax_reference/opt_einsum_paths.py), with size-1 labels for ties:
  // every optimizer's path, including the orders in which its Python sets iterate.
  const fixture = JSON.parse(readFileSync(new URL("./fixtures/opt_einsum_paths.json", import.meta.url), "utf8")) as {
    cases: { subscripts: string; shapes: number[][]; paths: Record<string, number[][]> }[];
  };
  it.each(["auto", "greedy", "branch-all", "branch-2", "branch-1", "optimal"])("%s", (optimize) => {
    const bad = fixture.cases
      // (branch-all on 8 operands can take seconds per case; "auto" uses it only up to 6)
      .filter((c) => c.paths[optimize] && !(optimize === "branch-all" && c.shapes.length > 7))
      .filter((c) => JSON.stringify(contractPath(c.subscripts, c.shapes, optimize as never).map(([p]) => [...p].sort((a, b) => a - b))) !== JSON.stringify(c.paths[optimize]))
      .map((c) => c.subscripts);
    expect(bad).toEqual([]);
  });
});

describe("values XLA computes (JAX 0.10.2 on CPU: scripts/jax_reference/conv_values.py)", () => {
  const fixture = JSON.parse(readFileSync(new URL("./fixtures/conv_values_jax.json", import.meta.url), "utf8")) as {
    cases: Record<string, { shapes: number[][]; out: number[]; shape: number[] }>;
  };
  // The same deterministic inputs as the script: ((((i + seed) * 37) % 61) - 30) / 15 + i / 1000.
  const input = (shape: number[], seed: number) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return jnp.array(range(n).map((i) => ((((i + seed) * 37) % 61) - 30) / 15 + i * 1e-3)).reshape(shape);
  };
  const rwMul = (x: Array) => lax.reduceWindow(x, 1, lax.mul, [2, 3], [1, 2], [[1, 0], [0, 1]], [1, 2]);
  const fs: Record<string, (...a: Array[]) => Array> = {
    bgc: (x, w) => lax.convGeneralDilated(x, w, [1], "VALID", { batchGroupCount: 2 }),
    bgc3: (x, w) => lax.convGeneralDilated(x, w, [2], [[1, 0]], { batchGroupCount: 3 }),
    fgc: (x, w) => lax.convGeneralDilated(x, w, [1], [[1, 1]], { featureGroupCount: 2 }),
    lhsdil: (x, w) => lax.convGeneralDilated(x, w, [1, 2], [[2, 1], [-1, 2]], { lhsDilation: [2, 1], rhsDilation: [1, 2] }),
    layout: (x, w) => lax.convGeneralDilated(x, w, [1], "SAME", { dimensionNumbers: ["CNW", "IWO", "WCN"] }),
    grad_bgc: (x, w) => grad((a: Array, b: Array) => lax.convGeneralDilated(a, b, [2], "VALID", { batchGroupCount: 2 }).square().sum(), { argnums: 1 })(x, w),
    pool_base: (x) => lax.reduceWindow(x, -Infinity, lax.max, [2, 3], [1, 2], [[1, 0], [2, 1]], [2, 1], [1, 2]),
    sas: (x, s) => (vjp((y: Array) => lax.reduceWindow(y, -Infinity, lax.max, [3], [1], [[1, 1]]), x)[1](s) as Array[])[0],
    rw_mul: (x) => rwMul(x),
    rw_mul_jvp: (x, t) => (jvp(rwMul, [x], [t]) as Array[])[1],
    rw_pair: (x, y) => {
      const [s, m] = lax.reduceWindow([x, y], [0, -Infinity], (a: Array[], b: Array[]) => [a[0].add(b[0].mul(b[1])), lax.max(a[1], b[1])], [3], [2], [[1, 1]]);
      return s.add(m);
    },
    einsum6: (...a) => jnp.einsum("ab,bc,cd,de,ef,fg->ag", ...a),
  };
  it.each(Object.keys(fs))("%s", (name) => {
    const want = fixture.cases[name];
    const got = fs[name](...want.shapes.map((s, k) => input(s, k + 1)));
    expect([...got.shape]).toEqual(want.shape);
    close(got, want.out, 1e-6);
  });
});

// ---- (b) jaxprs --------------------------------------------------------------------------------------

const z = (shape: number[]) => jnp.zeros(shape);
const text = (f: (...a: any[]) => unknown, ...args: unknown[]) => String(makeJaxpr(f)(...args));

// Printed by JAX for the same programs: scripts/jax_reference/jaxpr_texts.py, "conv/*".
describe("jaxprs, as JAX prints them", () => {
  it("lax.conv with SAME padding", () => {
    // conv -> conv_general_dilated with iota specs and padtype_to_pads' SAME pads; no pp rule, so
    // every param prints, sorted.
    expect(text((x: Array, w: Array) => lax.conv(x, w, [1, 1], "SAME"), z([1, 1, 4, 4]), z([1, 1, 3, 3]))).toBe(jaxText("conv/conv_same"));
  });

  it("grad of a strided, padded, dilated conv in its input: _conv_general_dilated_transpose_lhs", () => {
    const f = (x: Array, w: Array) => lax.convGeneralDilated(x, w, [2, 1], [[1, 0], [0, 1]], { rhsDilation: [1, 2] }).sum();
    expect(text(grad(f), z([1, 1, 4, 4]), z([1, 1, 2, 2]))).toBe(jaxText("conv/grad_lhs"));
  });

  it("grad of a conv in its kernel: _conv_general_dilated_transpose_rhs", () => {
    const f = (x: Array, w: Array) => lax.conv(x, w, [1, 1], "VALID").sum();
    expect(text(grad(f, { argnums: 1 }), z([1, 1, 4, 4]), z([1, 1, 2, 2]))).toBe(jaxText("conv/grad_rhs"));
  });

  it("vmap of a conv over its input: the batch axis joins the conv's batch dimension", () => {
    // _conv_general_dilated_batch_rule: _reshape_axis_into / _reshape_axis_out_of; with both
    // operands batched the batch folds into the features, as feature_group_count 2.
    const f = (x: Array, w: Array) => lax.conv(x, w, [1, 1], "VALID");
    expect(text(vmap(f, { inAxes: [0, null] }), z([5, 1, 1, 4, 4]), z([1, 1, 2, 2]))).toBe(jaxText("conv/vmap_lhs"));
    expect(text(vmap(f), z([2, 1, 1, 4, 4]), z([2, 1, 1, 2, 2]))).toBe(jaxText("conv/vmap_both"));
  });

  it("grad of max pooling: select_and_gather_add, transposed to select_and_scatter_add", () => {
    const f = (x: Array) => lax.reduceWindow(x, -Infinity, lax.max, [2, 2], [2, 2]).sum();
    expect(text(grad(f), z([4, 4]))).toBe(jaxText("conv/grad_max_pool"));
  });

  it("grad of sum pooling with SAME padding: _reduce_window_sum_transpose_rule", () => {
    const f = (x: Array) => lax.reduceWindow(x, 0, lax.add, [2, 2], [1, 1], "SAME").sum();
    expect(text(grad(f), z([4, 4]))).toBe(jaxText("conv/grad_sum_pool_same"));
  });

  it("einsum: one dot_general per pair, in opt_einsum's order", () => {
    expect(text((a: Array, b: Array) => jnp.einsum("ij,jk->ik", a, b), z([2, 3]), z([3, 4]))).toBe(jaxText("conv/einsum_ij_jk"));
    expect(text((a: Array, b: Array, c: Array) => jnp.einsum("ij,jk,kl->il", a, b, c), z([2, 3]), z([3, 4]), z([4, 5]))).toBe(jaxText("conv/einsum_three"));
    // A repeated label kept in the output: lax._delta's iotas and eq, select, then a sum.
    expect(text((a: Array) => jnp.einsum("ii->i", a), z([3, 3]))).toBe(jaxText("conv/einsum_ii_i"));
  });

  it("jnp.convolve: jit(convolve) around jit(_conv) around one conv_general_dilated", () => {
    expect(text((a: Array, b: Array) => jnp.convolve(a, b), I([1, 2, 3, 2, 1]), I([4, 1, 2]))).toBe(jaxText("conv/convolve"));
  });
});

describe("more jaxprs, against JAX's own prints (scripts/jax_reference/conv_texts.py)", () => {
  const fixture = JSON.parse(readFileSync(new URL("./fixtures/conv_texts_jax.json", import.meta.url), "utf8")) as { texts: Record<string, string> };
  const cgd = (o: Parameters<typeof lax.convGeneralDilated>[4], strides: number[], pad: Parameters<typeof lax.convGeneralDilated>[3]) => (x: Array, w: Array) =>
    lax.convGeneralDilated(x, w, strides, pad, o);
  const bgc2 = cgd({ batchGroupCount: 2 }, [1], "VALID");
  const maxpool1 = (y: Array) => lax.reduceWindow(y, -Infinity, lax.max, [2], [1], "VALID");
  const i32 = (...s: number[]) => jnp.zeros(s, { dtype: "int32" });
  const prod = (x: Array) => lax.reduceWindow(x, 1, lax.mul, [2], [1], "VALID");
  const programs: Record<string, [(...a: any[]) => unknown, Array[]]> = {
    grad_fgc: [grad((x: Array, w: Array) => cgd({ featureGroupCount: 2 }, [1], [[1, 1]])(x, w).sum(), { argnums: [0, 1] }), [z([2, 4, 5]), z([4, 2, 3])]],
    grad_bgc: [grad((x: Array, w: Array) => cgd({ batchGroupCount: 2 }, [2], "VALID")(x, w).sum(), { argnums: [0, 1] }), [z([4, 2, 6]), z([4, 2, 2])]],
    vmap_rhs_fgc: [vmap(cgd({ featureGroupCount: 2 }, [1], [[1, 0]]), { inAxes: [null, 0] }), [z([2, 4, 5]), z([3, 4, 2, 2])]],
    vmap_lhs_bgc: [vmap(bgc2, { inAxes: [0, null] }), [z([3, 4, 2, 5]), z([4, 2, 2])]],
    vmap_both_bgc: [vmap(bgc2), [z([3, 4, 2, 5]), z([3, 4, 2, 2])]],
    vmap_rhs_bgc_mid: [vmap(bgc2, { inAxes: [null, 1] }), [z([4, 2, 5]), z([4, 3, 2, 2])]],
    nhwc: [cgd({ dimensionNumbers: ["NHWC", "HWIO", "NHWC"] }, [1, 2], "SAME"), [z([2, 5, 4, 3]), z([3, 3, 3, 4])]],
    grad_nhwc: [grad((x: Array, w: Array) => cgd({ rhsDilation: [1, 1], dimensionNumbers: ["NHWC", "HWIO", "NHWC"] }, [2, 2], "SAME")(x, w).sum(), { argnums: [0, 1] }), [z([2, 5, 4, 3]), z([3, 3, 3, 4])]],
    grad_maxpool_base: [grad((x: Array) => lax.reduceWindow(x, -Infinity, lax.max, [2, 2], [1, 1], "SAME", [2, 1]).sum()), [z([3, 4])]],
    jvp_maxpool: [(x: Array, t: Array) => jvp(maxpool1, [x], [t]), [z([5]), z([5])]],
    vmap_minpool: [vmap((x: Array) => lax.reduceWindow(x, Infinity, lax.min, [2], [2], "VALID"), { inAxes: 1 }), [z([6, 3])]],
    grad_grad_maxpool: [grad((x: Array) => grad((y: Array) => maxpool1(y).square().sum())(x).sum()), [z([5])]],
    einsum_iij: [(a: Array) => jnp.einsum("iij->ij", a), [z([3, 3, 2])]],
    einsum_bij: [(a: Array, b: Array) => jnp.einsum("bij,bjk->bik", a, b), [z([2, 3, 4]), z([2, 4, 5])]],
    einsum_i_i: [(a: Array, b: Array) => jnp.einsum("i,i", a, b), [z([3]), z([3])]],
    einsum_ijk_jlk: [(a: Array, b: Array) => jnp.einsum("ijk,jlk", a, b), [z([2, 3, 5]), z([3, 4, 5])]],
    einsum_five: [(...a: Array[]) => jnp.einsum("ab,bc,cd,de,ef->af", ...a), [z([2, 3]), z([3, 4]), z([4, 5]), z([5, 6]), z([6, 2])]],
    einsum_outer_sum: [(a: Array, b: Array) => jnp.einsum("ij,kl->ik", a, b), [z([2, 3]), z([4, 5])]],
    correlate_swap: [(a: Array, b: Array) => jnp.correlate(a, b, "full"), [z([3]), z([5])]],
    convolve_same_f: [(a: Array, b: Array) => jnp.convolve(a, b, "same"), [z([6]), z([3])]],
    conv_transpose: [(x: Array, w: Array) => lax.convTranspose(x, w, [2], "SAME"), [z([1, 4, 2]), z([3, 2, 2])]],
    conv_int: [(x: Array, w: Array) => lax.conv(x, w, [1], "VALID"), [i32(1, 2, 4), i32(3, 2, 2)]],
    rw_generic: [prod, [z([5])]],
    rw_generic_jvp: [(x: Array, t: Array) => jvp(prod, [x], [t]), [z([5]), z([5])]],
    rw_generic_vmap: [vmap(prod), [z([3, 5])]],
    rw_generic_pair: [(x: Array) => lax.reduceWindow([x, x], [0, 1], (a: Array[], b: Array[]) => [lax.add(a[0], b[0]), lax.mul(a[1], b[1])], [2], [1], "VALID"), [z([5])]],
    rw_traced_init: [(x: Array, i: Array) => lax.reduceWindow(x, i, lax.max, [2], [1], "VALID"), [z([5]), jnp.zeros([])]],
  };
  it("covers the fixture", () => expect(Object.keys(programs).sort()).toEqual(Object.keys(fixture.texts).sort()));
  it.each(Object.keys(programs))("%s", (name) => {
    const [f, args] = programs[name];
    expect(text(f, ...args)).toBe(fixture.texts[name]);
  });
});

// ---- (c) derivatives against finite differences ----------------------------------------------------------

describe("derivatives against finite differences", () => {
  const opts = { order: 2, atol: 2e-2, rtol: 2e-2, eps: 1e-2 };

  it("conv_general_dilated: strides, padding, dilations, layouts, feature and batch groups", () => {
    const x = data([2, 2, 5, 4]);
    const w = data([3, 2, 2, 3], 5);
    checkGrads((a: Array, b: Array) => lax.convGeneralDilated(a, b, [2, 1], [[1, 0], [2, 1]], { rhsDilation: [1, 2] }), [x, w], opts);
    checkGrads((a: Array, b: Array) => lax.convGeneralDilated(a, b, [1, 1], [[1, 1], [0, 0]], { lhsDilation: [2, 1] }), [x, w], opts);
    checkGrads((a: Array, b: Array) => lax.convGeneralDilated(a, b, [1, 2], "SAME", { dimensionNumbers: ["NHWC", "HWIO", "NHWC"] }), [data([1, 4, 4, 2]), data([2, 2, 2, 3], 4)], opts);
    checkGrads((a: Array, b: Array) => lax.convGeneralDilated(a, b, [1], [[1, 1]], { featureGroupCount: 2 }), [data([2, 4, 5]), data([4, 2, 3], 2)], opts);
    checkGrads((a: Array, b: Array) => lax.convGeneralDilated(a, b, [2], "VALID", { batchGroupCount: 2 }), [data([4, 2, 6]), data([4, 2, 2], 2)], opts);
    checkGrads((a: Array, b: Array) => lax.convGeneralDilated(a, b, [1, 1], "SAME", { featureGroupCount: 3 }), [data([1, 3, 4, 4]), data([6, 1, 3, 3], 8)], opts); // depthwise
    checkGrads((a: Array, b: Array) => lax.convTranspose(a, b, [2], "SAME"), [data([1, 4, 2]), data([3, 2, 2], 3)], opts);
  });

  it("pooling: max, min and sum with strides, padding and base dilation", () => {
    const x = data([2, 5, 6]);
    checkGrads((a: Array) => lax.reduceWindow(a, -Infinity, lax.max, [1, 2, 3], [1, 2, 2], "SAME"), [x], opts);
    checkGrads((a: Array) => lax.reduceWindow(a, Infinity, lax.min, [1, 3, 2], [1, 1, 2], [[0, 0], [1, 1], [0, 1]]), [x], opts);
    checkGrads((a: Array) => lax.reduceWindow(a, 0, lax.add, [2, 2, 2], [1, 2, 1], "SAME", [1, 2, 1], [1, 1, 2]), [x], opts);
    checkGrads((a: Array) => lax.reduceWindow(a, -Infinity, lax.max, [1, 2, 2], [1, 1, 1], "VALID", [1, 2, 1]), [x], opts);
  });

  it("max pooling with window dilation has no VJP, as in JAX", () => {
    const f = (a: Array) => lax.reduceWindow(a, -Infinity, lax.max, [2], [1], "VALID", null, [2]).sum();
    expect(() => grad(f)(data([6]))).toThrow("VJP not implemented for select_and_gather (MaxPool) with window dilation, got window_dilation=(2,).");
  });

  it("einsum and convolve", () => {
    checkGrads((a: Array, b: Array, c: Array) => jnp.einsum("ij,jk,kl->il", a, b, c), [data([2, 3]), data([3, 4], 2), data([4, 2], 3)], opts);
    checkGrads((a: Array) => jnp.einsum("iij->j", a), [data([3, 3, 2])], opts);
    checkGrads((a: Array, b: Array) => jnp.convolve(a, b, "same"), [data([6]), data([3], 2)], opts);
    checkGrads((a: Array, b: Array) => jnp.correlate(a, b, "full"), [data([3]), data([5], 2)], opts);
  });
});

// ---- (d) vmap against a loop ---------------------------------------------------------------------------

describe("vmap against a loop, eager and under jit", () => {
  const rows = (b: Array, axis = 0) => range(b.shape[axis]).map((i) => (axis === 0 ? b.get(i) : b.get(":", i)));
  function expectBatch(batched: Array, loop: Array[]) {
    expect(batched.shape[0]).toBe(loop.length);
    loop.forEach((want, i) => close(batched.get(i), vals(want)));
  }
  type Conv = (x: Array, w: Array) => Array;
  // Every branch of _conv_general_dilated_batch_rule: lhs, rhs or both batched, with feature
  // groups, batch groups or neither.
  const cases: [string, Conv, number[], number[]][] = [
    ["plain", (x, w) => lax.convGeneralDilated(x, w, [1, 2], "SAME"), [2, 2, 4, 5], [3, 2, 2, 2]],
    ["feature groups", (x, w) => lax.convGeneralDilated(x, w, [1], [[1, 0]], { featureGroupCount: 2 }), [2, 4, 5], [4, 2, 2]],
    ["batch groups", (x, w) => lax.convGeneralDilated(x, w, [1], "VALID", { batchGroupCount: 2 }), [4, 2, 5], [4, 2, 2]],
    ["NHWC, lhs dilation", (x, w) => lax.convGeneralDilated(x, w, [1, 1], [[1, 1], [0, 1]], { lhsDilation: [2, 1], dimensionNumbers: ["NHWC", "HWIO", "NHWC"] }), [1, 3, 3, 2], [2, 2, 2, 3]],
  ];
  for (const [name, f, xs, ws] of cases) {
    it(`conv, ${name}`, () => {
      const X = data([3, ...xs]);
      const W = data([3, ...ws], 4);
      const [x0, w0] = [X.get(0), W.get(0)];
      for (const run of [vmap(f), jit(vmap(f))]) expectBatch(run(X, W) as Array, range(3).map((k) => f(X.get(k), W.get(k))));
      expectBatch(vmap(f, { inAxes: [0, null] })(X, w0) as Array, rows(X).map((x) => f(x, w0)));
      expectBatch(vmap(f, { inAxes: [null, 0] })(x0, W) as Array, rows(W).map((w) => f(x0, w)));
      // A batch axis in the middle.
      const X1 = X.transpose([1, 0, ...range(xs.length).slice(1).map((d) => d + 1)]);
      expectBatch(jit(vmap(f, { inAxes: [1, 0] }))(X1, W) as Array, range(3).map((k) => f(X.get(k), W.get(k))));
    });
  }

  it("pooling and einsum", () => {
    const X = data([3, 2, 5, 4]);
    const pools: ((x: Array) => Array)[] = [
      (x) => lax.reduceWindow(x, -Infinity, lax.max, [1, 2, 2], [1, 2, 1], "SAME"),
      (x) => lax.reduceWindow(x, 0, lax.add, [2, 3, 1], [1, 1, 1], "VALID", [1, 2, 1]),
      (x) => grad((y: Array) => lax.reduceWindow(y, -Infinity, lax.max, [1, 2, 2], [1, 2, 2]).sum())(x),
    ];
    for (const f of pools) for (const run of [vmap(f), jit(vmap(f))]) expectBatch(run(X) as Array, rows(X).map(f));
    const e = (a: Array, b: Array) => jnp.einsum("ij,jk->ki", a, b);
    const B = data([3, 4, 2], 5);
    expectBatch(vmap(e)(X.get(":", 0), B) as Array, range(3).map((k) => e(X.get(k, 0), B.get(k))));
  });
});

// ---- (e) eager and jit --------------------------------------------------------------------------------

describe("eager and jit agree", () => {
  it("conv, pooling, einsum, convolve", () => {
    const x = data([2, 3, 6, 5]);
    const w = data([4, 3, 3, 2], 2);
    const fs: ((a: Array, b: Array) => Array)[] = [
      (a, b) => lax.convGeneralDilated(a, b, [2, 1], "SAME", { rhsDilation: [1, 2] }),
      (a) => lax.reduceWindow(a, -Infinity, lax.max, [1, 1, 3, 3], [1, 1, 2, 2], "SAME"),
      (a) => lax.reduceWindow(a, 0, lax.add, [1, 3, 2, 2], [1, 1, 1, 1], "VALID"),
      (a, b) => jnp.einsum("nchw,ocij->no", a, b),
      (a, b) => jnp.convolve(a.reshape([-1]), b.reshape([-1]), "same"),
      (a, b) => grad((p: Array, q: Array) => lax.conv(p, q, [1, 1], "VALID").square().sum(), { argnums: [0, 1] })(a, b)[1],
    ];
    for (const f of fs) close(jit(f)(x, w), vals(f(x, w)));
  });

  it("errors name the problem as JAX does", () => {
    const x = jnp.zeros([1, 2, 4]);
    expect(() => lax.convGeneralDilated(x, jnp.zeros([3, 2, 2]), [1], "SAME", { lhsDilation: [2] })).toThrow(
      "String padding is not implemented for transposed convolution using this op. Please either exactly specify the required padding or use conv_transpose.",
    );
    expect(() => lax.convGeneralDilated(x, jnp.zeros([3, 2, 2]), [1], "VALID", { dimensionNumbers: ["NCH", "OIW", "NCH"] })).toThrow(
      "convolution dimension_numbers elements must each have the same set of spatial characters, got ('NCH', 'OIW', 'NCH').",
    );
    expect(() => lax.convGeneralDilated(x, jnp.zeros([3, 2, 2]), [1], "VALID", { dimensionNumbers: ["NCHH", "OIH", "NCH"] })).toThrow(
      "convolution dimension_numbers[0] must have len equal to the ndim of lhs and rhs, got 4 for lhs and rhs shapes (1, 2, 4) and (3, 2, 2).",
    );
    expect(() => lax.convGeneralDilated(jnp.zeros([1, 2, 4, 4]), jnp.zeros([3, 2, 2, 2]), [1, 1], "VALID", { dimensionNumbers: ["NCHW", "OIHW", "NCHH"] })).toThrow(
      "convolution dimension_numbers[2] cannot have duplicate characters, got NCHH.",
    );
    expect(() => lax.convGeneralDilated(x, jnp.zeros([3, 2, 2]), [1], "VALID", { dimensionNumbers: ["NHC", "OIH", "NCC"] })).toThrow(
      "convolution dimension_numbers[2] must contain the characters 'N' and 'C' exactly once, got NCC.",
    );
    expect(() => lax.convGeneralDilated(x, jnp.zeros([3, 2, 2]), [1, 1], "VALID")).toThrow(
      "conv_general_dilated window and window_strides must have the same number of dimensions, but got 1 and 2",
    );
  });
});
