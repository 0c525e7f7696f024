// Convolutions and windowed reductions: (a) known answers, from JAX's and NumPy's docstrings
// (jnp.convolve, jnp.correlate, jnp.einsum) and small convolutions and poolings worked by hand;
// (b) jaxprs of a convolution, its gradients, its vmaps, max and sum pooling's gradients, einsum
// and convolve, each derived line by line from JAX 0.11's source (convolution.py,
// windowed_reductions.py, numpy/einsum.py with opt_einsum's contract_path, lax_numpy._conv);
// (c) gradients against finite differences (checkGrads), (d) vmap against a loop over examples
// for every branch of conv's batching rule, (e) eager against jit. Runs on cpu and wasm.
import { describe, expect, it } from "vitest";
import { type Array, checkGrads, grad, jit, jnp, lax, makeJaxpr, vmap } from "../src/index.js";

const vals = (x: Array): number[] => Array.prototype.slice.call((x as any).dataSync()).map(Number);
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

  it("lax.reduceWindow: what JAX's monoid reducers do not cover is an error here", () => {
    // JAX's docstring example, a windowed product, needs the general reduce_window primitive.
    expect(() => lax.reduceWindow(jnp.arange(10), 1, lax.mul, [2])).toThrow("reduce_window: tfjax implements the monoid reductions only");
    expect(() => lax.reduceWindow(jnp.arange(10), 5, lax.max, [2])).toThrow("reduce_window: tfjax implements the monoid reductions only");
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
    // opt_einsum's greedy docstring example: [(0, 2), (0, 1)].
    expect(jnp.einsumPath("abd,ac,bdc", s([1, 2, 4]), s([1, 3]), s([2, 4, 3]))).toEqual([
      [0, 2],
      [0, 1],
    ]);
    // Errors are opt_einsum's.
    expect(() => jnp.einsum("ij,jk", s([2, 3]), s([4, 5]))).toThrow("Size of label 'j' for operand 1 (3) does not match previous terms (4).");
    expect(() => jnp.einsum("ij", s([2]))).toThrow("Einstein sum subscript 'ij' does not contain the correct number of indices for operand 0.");
    expect(() => jnp.einsum("i->j", s([2]))).toThrow("Output character 'j' did not appear in the input");
  });
});

// ---- (b) jaxprs --------------------------------------------------------------------------------------

const text = (lines: string[]) => lines.join("\n");
const tuple = (xs: number[]) => (xs.length === 1 ? `(${xs[0]},)` : `(${xs.join(", ")})`);
/** conv_general_dilated's equation: all its params, sorted by name (JAX's default pp, no custom rule). */
function convEqn(ind: string, lhs: string, args: string, p: { spec: [number[], number[], number[]]; strides: number[]; padding: [number, number][]; lhsDil: number[]; rhsDil: number[]; fgc?: number; bgc?: number }): string[] {
  const pads = p.padding.length === 1 ? `((${p.padding[0].join(", ")}),)` : `(${p.padding.map((q) => `(${q.join(", ")})`).join(", ")})`;
  return [
    `${ind}${lhs} = conv_general_dilated[`,
    `${ind}  batch_group_count=${p.bgc ?? 1}`,
    `${ind}  dimension_numbers=ConvDimensionNumbers(lhs_spec=${tuple(p.spec[0])}, rhs_spec=${tuple(p.spec[1])}, out_spec=${tuple(p.spec[2])})`,
    `${ind}  feature_group_count=${p.fgc ?? 1}`,
    `${ind}  lhs_dilation=${tuple(p.lhsDil)}`,
    `${ind}  out_sharding=None`,
    `${ind}  padding=${pads}`,
    `${ind}  precision=None`,
    `${ind}  preferred_element_type=None`,
    `${ind}  rhs_dilation=${tuple(p.rhsDil)}`,
    `${ind}  window_strides=${tuple(p.strides)}`,
    `${ind}] ${args}`,
  ];
}
const NCHW: [number[], number[], number[]] = [
  [0, 1, 2, 3],
  [0, 1, 2, 3],
  [0, 1, 2, 3],
];
const z = (shape: number[]) => jnp.zeros(shape);

describe("jaxprs, as JAX 0.11 prints them", () => {
  it("lax.conv with SAME padding", () => {
    // Derived from convolution.py: conv -> conv_general_dilated with dimension_numbers None
    // (ConvDimensionNumbers of iota specs), lhs/rhs dilation (1, 1), padtype_to_pads((4, 4),
    // (3, 3), (1, 1), 'SAME') = [(1, 1), (1, 1)] (as Python ints), feature/batch groups 1,
    // precision and preferred_element_type None, out_sharding None; no pp rule, so every param prints, sorted.
    const f = (x: Array, w: Array) => lax.conv(x, w, [1, 1], "SAME");
    expect(String(makeJaxpr(f)(z([1, 1, 4, 4]), z([1, 1, 3, 3])))).toBe(
      text([
        "{ lambda ; a:f32[1,1,4,4] b:f32[1,1,3,3]. let",
        ...convEqn("    ", "c:f32[1,1,4,4]", "a b", { spec: NCHW, strides: [1, 1], padding: [[1, 1], [1, 1]], lhsDil: [1, 1], rhsDil: [1, 1] }),
        "  in (c,) }",
      ]),
    );
  });

  it("grad of a strided, padded, dilated conv in its input: _conv_general_dilated_transpose_lhs", () => {
    // Derived from convolution.py: t_rhs_spec = (1, 0, 2, 3); trans dimension numbers (out_spec,
    // t_rhs_spec, lhs_spec); _conv_general_vjp_lhs_padding((4, 4), (2, 2), (2, 1), (2, 3),
    // ((1, 0), (0, 1)), (1, 1), (1, 2)): dilated rhs (2, 3), dilated out (3, 3), pad_before =
    // (2 - 1 - 1, 3 - 0 - 1) = (0, 2), pad_after = (4 + 2 - 1 - 3 - 0, 4 + 3 - 1 - 3 - 2) = (2, 1);
    // rev(rhs, (2, 3)); then a conv with window_strides = lhs_dilation (1, 1) and lhs_dilation =
    // window_strides (2, 1). The cotangent of reduce_sum is broadcast_in_dim of 1.0 (its pp rule
    // hides shape and sharding); the unused primal sum prints as `_`.
    const p = { window_strides: [2, 1], padding: [[1, 0], [0, 1]] as [number, number][], rhs_dilation: [1, 2] };
    const f = (x: Array, w: Array) => lax.convGeneralDilated(x, w, p.window_strides, p.padding, { rhsDilation: p.rhs_dilation }).sum();
    expect(String(makeJaxpr(grad(f))(z([1, 1, 4, 4]), z([1, 1, 2, 2])))).toBe(
      text([
        "{ lambda ; a:f32[1,1,4,4] b:f32[1,1,2,2]. let",
        ...convEqn("    ", "c:f32[1,1,2,3]", "a b", { spec: NCHW, strides: [2, 1], padding: [[1, 0], [0, 1]], lhsDil: [1, 1], rhsDil: [1, 2] }),
        "    _:f32[] = reduce_sum[axes=(0, 1, 2, 3) out_sharding=None] c",
        "    d:f32[1,1,2,3] = broadcast_in_dim 1.0:f32[]",
        "    e:f32[1,1,2,2] = rev[dimensions=(2, 3)] b",
        ...convEqn("    ", "f:f32[1,1,4,4]", "d e", {
          spec: [
            [0, 1, 2, 3],
            [1, 0, 2, 3],
            [0, 1, 2, 3],
          ],
          strides: [1, 1],
          padding: [
            [0, 2],
            [2, 1],
          ],
          lhsDil: [2, 1],
          rhsDil: [1, 2],
        }),
        "  in (f,) }",
      ]),
    );
  });

  it("grad of a conv in its kernel: _conv_general_dilated_transpose_rhs", () => {
    // Derived from convolution.py: every spec transposed, trans dimension numbers (lhs_trans,
    // out_trans, rhs_trans) = three (1, 0, 2, 3); _conv_general_vjp_rhs_padding((4, 4), (2, 2),
    // (1, 1), (3, 3), ((0, 0), (0, 0)), ...): pads_lo (0, 0), pads_hi = (3 - 4) + (2 - 0 - 1) = 0;
    // the conv of the input with the cotangent, window_strides = rhs_dilation, rhs_dilation = window_strides.
    const f = (x: Array, w: Array) => lax.conv(x, w, [1, 1], "VALID").sum();
    expect(String(makeJaxpr(grad(f, { argnums: 1 }))(z([1, 1, 4, 4]), z([1, 1, 2, 2])))).toBe(
      text([
        "{ lambda ; a:f32[1,1,4,4] b:f32[1,1,2,2]. let",
        ...convEqn("    ", "c:f32[1,1,3,3]", "a b", { spec: NCHW, strides: [1, 1], padding: [[0, 0], [0, 0]], lhsDil: [1, 1], rhsDil: [1, 1] }),
        "    _:f32[] = reduce_sum[axes=(0, 1, 2, 3) out_sharding=None] c",
        "    d:f32[1,1,3,3] = broadcast_in_dim 1.0:f32[]",
        ...convEqn("    ", "e:f32[1,1,2,2]", "a d", {
          spec: [
            [1, 0, 2, 3],
            [1, 0, 2, 3],
            [1, 0, 2, 3],
          ],
          strides: [1, 1],
          padding: [
            [0, 0],
            [0, 0],
          ],
          lhsDil: [1, 1],
          rhsDil: [1, 1],
        }),
        "  in (e,) }",
      ]),
    );
  });

  it("vmap of a conv over its input: the batch axis joins the conv's batch dimension", () => {
    // Derived from _conv_general_dilated_batch_rule (lhs batched, batch_group_count 1):
    // _reshape_axis_into(0, lhs_spec[0] = 0, lhs) is lax.reshape(x, (5, 1, 4, 4), (0, 1, 2, 3, 4)),
    // an identity permutation, so dimensions=None; then _reshape_axis_out_of(out_spec[0], 5, out).
    const f = (x: Array, w: Array) => lax.conv(x, w, [1, 1], "VALID");
    const reshape = (ind: string, lhs: string, sizes: number[], arg: string, dims = "None") => [`${ind}${lhs} = reshape[`, `${ind}  dimensions=${dims}`, `${ind}  new_sizes=${tuple(sizes)}`, `${ind}  sharding=None`, `${ind}] ${arg}`];
    expect(String(makeJaxpr(vmap(f, { inAxes: [0, null] }))(z([5, 1, 1, 4, 4]), z([1, 1, 2, 2])))).toBe(
      text([
        "{ lambda ; a:f32[5,1,1,4,4] b:f32[1,1,2,2]. let",
        ...reshape("    ", "c:f32[5,1,4,4]", [5, 1, 4, 4], "a"),
        ...convEqn("    ", "d:f32[5,1,3,3]", "c b", { spec: NCHW, strides: [1, 1], padding: [[0, 0], [0, 0]], lhsDil: [1, 1], rhsDil: [1, 1] }),
        ...reshape("    ", "e:f32[5,1,1,3,3]", [5, 1, 1, 3, 3], "d"),
        "  in (e,) }",
      ]),
    );
    // Both batched: the batch folds into the input features (lax.reshape with dimensions
    // (1, 0, 2, 3, 4), since the batch goes in front of the features) and the output features,
    // as feature_group_count 2; the result's batch axis is out_spec[1], moved to 0 by vmap.
    expect(String(makeJaxpr(vmap(f))(z([2, 1, 1, 4, 4]), z([2, 1, 1, 2, 2])))).toBe(
      text([
        "{ lambda ; a:f32[2,1,1,4,4] b:f32[2,1,1,2,2]. let",
        ...reshape("    ", "c:f32[1,2,4,4]", [1, 2, 4, 4], "a", "(1, 0, 2, 3, 4)"),
        ...reshape("    ", "d:f32[2,1,2,2]", [2, 1, 2, 2], "b"),
        ...convEqn("    ", "e:f32[1,2,3,3]", "c d", { spec: NCHW, strides: [1, 1], padding: [[0, 0], [0, 0]], lhsDil: [1, 1], rhsDil: [1, 1], fgc: 2 }),
        ...reshape("    ", "f:f32[1,2,1,3,3]", [1, 2, 1, 3, 3], "e"),
        "    g:f32[2,1,1,3,3] = transpose[permutation=(1, 0, 2, 3, 4)] f",
        "  in (g,) }",
      ]),
    );
  });

  it("grad of max pooling: select_and_gather_add, transposed to select_and_scatter_add", () => {
    // Derived from windowed_reductions.py: lax.reduce_window with lax.max and -inf (the max
    // identity) is _reduce_window_max (dilations default to ones); its jvp is
    // _select_and_gather_add(g, operand, ge_p, ...), linear in g, whose transpose (no base
    // dilation: no pad or slice) is _select_and_scatter_add(t, operand, ge_p, dims, strides, padding).
    const f = (x: Array) => lax.reduceWindow(x, -Infinity, lax.max, [2, 2], [2, 2]).sum();
    expect(String(makeJaxpr(grad(f))(z([4, 4])))).toBe(
      text([
        "{ lambda ; a:f32[4,4]. let",
        "    b:f32[2,2] = reduce_window_max[",
        "      base_dilation=(1, 1)",
        "      padding=((0, 0), (0, 0))",
        "      window_dilation=(1, 1)",
        "      window_dimensions=(2, 2)",
        "      window_strides=(2, 2)",
        "    ] a",
        "    _:f32[] = reduce_sum[axes=(0, 1) out_sharding=None] b",
        "    c:f32[2,2] = broadcast_in_dim 1.0:f32[]",
        "    d:f32[4,4] = select_and_scatter_add[",
        "      padding=((0, 0), (0, 0))",
        "      select_prim=ge",
        "      window_dimensions=(2, 2)",
        "      window_strides=(2, 2)",
        "    ] c a",
        "  in (d,) }",
      ]),
    );
  });

  it("grad of sum pooling with SAME padding: _reduce_window_sum_transpose_rule", () => {
    // Derived from windowed_reductions.py: padtype_to_pads((4, 4), (2, 2), (1, 1), 'SAME') =
    // [(0, 1), (0, 1)]; the transpose pads the cotangent by _conv_general_vjp_lhs_padding(
    // (4, 4), (2, 2), (1, 1), (4, 4), ((0, 1), (0, 1)), (1, 1), (1, 1)) = (2 - 0 - 1,
    // 4 + 2 - 1 - 4 - 1) = (1, 0) per axis, numpy ints (hence np.int64 in padding_config), with
    // interior stride - 1 = 0 and lax._zero(ct) = 0.0; then _reduce_window_sum over the same
    // window with strides = base_dilation, no padding, base dilation ones.
    const f = (x: Array) => lax.reduceWindow(x, 0, lax.add, [2, 2], [1, 1], "SAME").sum();
    expect(String(makeJaxpr(grad(f))(z([4, 4])))).toBe(
      text([
        "{ lambda ; a:f32[4,4]. let",
        "    b:f32[4,4] = reduce_window_sum[",
        "      base_dilation=(1, 1)",
        "      padding=((0, 1), (0, 1))",
        "      window_dilation=(1, 1)",
        "      window_dimensions=(2, 2)",
        "      window_strides=(1, 1)",
        "    ] a",
        "    _:f32[] = reduce_sum[axes=(0, 1) out_sharding=None] b",
        "    c:f32[4,4] = broadcast_in_dim 1.0:f32[]",
        "    d:f32[5,5] = pad[",
        "      padding_config=((np.int64(1), np.int64(0), 0), (np.int64(1), np.int64(0), 0))",
        "    ] c 0.0:f32[]",
        "    e:f32[4,4] = reduce_window_sum[",
        "      base_dilation=(1, 1)",
        "      padding=((0, 0), (0, 0))",
        "      window_dilation=(1, 1)",
        "      window_dimensions=(2, 2)",
        "      window_strides=(1, 1)",
        "    ] d",
        "  in (e,) }",
      ]),
    );
  });

  it("einsum: one dot_general per pair, in opt_einsum's order", () => {
    // Derived from numpy/einsum.py: contract_path with 2 operands takes path [(0, 1)], sorted
    // descending to (1, 0), so lhs = 'jk' (b), rhs = 'ij' (a); names = '' + 'i' + 'k' matches
    // the result, so dot_general(rhs, lhs, (((1,), (0,)), ((), ()))) with
    // preferred_element_type = result_type = float32; jit(inline=True) leaves no jit equation.
    const dg = (out: string, dims: string, args: string) => [`    ${out} = dot_general[`, `      dimension_numbers=${dims}`, "      preferred_element_type=float32", `    ] ${args}`];
    expect(String(makeJaxpr((a: Array, b: Array) => jnp.einsum("ij,jk->ik", a, b))(z([2, 3]), z([3, 4])))).toBe(
      text(["{ lambda ; a:f32[2,3] b:f32[3,4]. let", ...dg("c:f32[2,4]", "(([1], [0]), ([], []))", "a b"), "  in (c,) }"]),
    );
    // Three operands: 'optimal' picks (0, 1) then (0, 1). Step 1 pops 'jk' then 'ij'; its result
    // labels are sorted by first appearance in "jkij": 'ki', so (names 'ik' != 'ki') the lhs
    // goes first: dot_general(b, a, ((0,), (1,))). Step 2 pops 'ki' then 'kl': 'li' != 'il', so
    // dot_general(d, c, ((0,), (0,))).
    expect(String(makeJaxpr((a: Array, b: Array, c: Array) => jnp.einsum("ij,jk,kl->il", a, b, c))(z([2, 3]), z([3, 4]), z([4, 5])))).toBe(
      text([
        "{ lambda ; a:f32[2,3] b:f32[3,4] c:f32[4,5]. let",
        ...dg("d:f32[4,2]", "(([0], [1]), ([], []))", "b a"),
        ...dg("e:f32[2,5]", "(([0], [0]), ([], []))", "d c"),
        "  in (e,) }",
      ]),
    );
    // A repeated label kept in the output: lax._delta's uint32 iotas and eq (its bool-to-bool
    // convert_element_type and same-shape broadcast_in_dim are forwarded away when staged),
    // select against full_like(x, 0), then a sum over all but the last of the repeated axes.
    expect(String(makeJaxpr((a: Array) => jnp.einsum("ii->i", a))(z([3, 3])))).toBe(
      text([
        "{ lambda ; a:f32[3,3]. let",
        "    b:u32[3,3] = iota[dimension=0 dtype=uint32 shape=(3, 3) sharding=None] ",
        "    c:u32[3,3] = iota[dimension=1 dtype=uint32 shape=(3, 3) sharding=None] ",
        "    d:bool[3,3] = eq b c",
        "    e:f32[3,3] = broadcast_in_dim 0.0:f32[]",
        "    f:f32[3,3] = select_n d e a",
        "    g:f32[3] = reduce_sum[axes=(0,) out_sharding=None] f",
        "  in (g,) }",
      ]),
    );
  });

  it("jnp.convolve: jit(convolve) around jit(_conv) around one conv_general_dilated", () => {
    // Derived from lax_numpy.py: convolve and _conv are both jitted; _conv promotes int32 to
    // float32 (promote_dtypes_inexact), flips the shorter operand (jnp.flip: its jitted _flip
    // around rev; its inner binders take the outer names, JAX's suggest_same_var_names), adds two leading axes to
    // each (x[None, None, :]: a static-slice index, lax.expand_dims), convolves with padding
    // [(2, 2)] for 'full', and takes result[0, 0, :] (a trivial slice: squeeze only).
    expect(String(makeJaxpr((a: Array, b: Array) => jnp.convolve(a, b))(I([1, 2, 3, 2, 1]), I([4, 1, 2])))).toBe(
      text([
        "{ lambda ; a:i32[5] b:i32[3]. let",
        "    c:f32[7] = jit[",
        "      name=convolve",
        "      jaxpr={ lambda ; a:i32[5] b:i32[3]. let",
        "          c:f32[7] = jit[",
        "            name=_conv",
        "            jaxpr={ lambda ; a:i32[5] b:i32[3]. let",
        // (Nested this deep, even these lines pass the 80 columns JAX's printer breaks at.)
        "                d:f32[5] = convert_element_type[",
        "                  new_dtype=float32",
        "                  weak_type=False",
        "                ] a",
        "                e:f32[3] = convert_element_type[",
        "                  new_dtype=float32",
        "                  weak_type=False",
        "                ] b",
        "                f:f32[3] = jit[",
        "                  name=_flip",
        "                  jaxpr={ lambda ; e:f32[3]. let",
        "                      f:f32[3] = rev[dimensions=(0,)] e",
        "                    in (f,) }",
        "                ] e",
        "                g:f32[1,1,5] = broadcast_in_dim[broadcast_dimensions=(2,)] d",
        "                h:f32[1,1,3] = broadcast_in_dim[broadcast_dimensions=(2,)] f",
        ...convEqn("                ", "i:f32[1,1,7]", "g h", {
          spec: [
            [0, 1, 2],
            [0, 1, 2],
            [0, 1, 2],
          ],
          strides: [1],
          padding: [[2, 2]],
          lhsDil: [1],
          rhsDil: [1],
        }),
        "                c:f32[7] = squeeze[dimensions=(0, 1)] i",
        "              in (c,) }",
        "          ] a b",
        "        in (c,) }",
        "    ] a b",
        "  in (c,) }",
      ]),
    );
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
