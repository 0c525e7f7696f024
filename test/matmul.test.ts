// float32 dot_general through our own matmuls (src/backends/matmul.ts, wasm/gemm.ts): every
// layout the operands can be stored in, edge sizes, batches; bit-identical to tfjs's own matMul
// (XNNPACK on wasm, tfjs-cpu's blocked float64 sums on cpu) wherever that is a single product.
// The kernels themselves are also checked on a memory of their own, in both arithmetics.
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, test } from "vitest";
import { getBackend, jit, jnp, lax, type Array } from "../src/index.js";
import type { ArrayImpl } from "../src/array/array.js";
import { dot_general_p } from "../src/lax/reductions.js";
import { matmulPlan } from "../src/backends/matmul.js";
import { gemmKernel } from "../src/backends/wasm/gemm.js";

type Dims = [[number[], number[]], [number[], number[]]];

/** Deterministic values in [-1, 1) with plenty of mantissa bits (so summation order shows). */
function values(shape: number[], seed: number): Array {
  const n = shape.reduce((a, b) => a * b, 1);
  let s = seed >>> 0;
  const v = Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 31) - 1);
  return jnp.array(v).reshape(shape);
}
const bits = (t: tf.Tensor | Array) => [...new Uint32Array(Float32Array.from(t.dataSync() as Float32Array).buffer)];

/** dot_general by the primitive's own lowering (tf.transpose + tf.matMul), as the reference. */
function tfjsDot(a: Array, b: Array, dims: Dims): tf.Tensor {
  const [[lc, rc], [lb, rb]] = dims;
  const params = { dimension_numbers: [[{ items: lc }, { items: rc }], [{ items: lb }, { items: rb }]], precision: null, preferred_element_type: null, out_sharding: null };
  const inAvals = [a.aval, b.aval];
  const outAvals = dot_general_p.abstractEval(inAvals, params as never);
  return dot_general_p.impl([(a as ArrayImpl).tensor, (b as ArrayImpl).tensor], params as never, { inAvals, outAvals })[0];
}

describe(`float32 dot_general on ${getBackend()}`, () => {
  // [lhs shape, rhs shape, dims, what]
  const cases: [number[], number[], Dims, string][] = [
    [[13, 37], [37, 19], [[[1], [0]], [[], []]], "A·B"],
    [[37, 13], [37, 19], [[[0], [0]], [[], []]], "Aᵀ·B (a weight gradient)"],
    [[13, 37], [19, 37], [[[1], [1]], [[], []]], "A·Bᵀ (a backpropagated activation)"],
    [[37, 13], [19, 37], [[[0], [1]], [[], []]], "Aᵀ·Bᵀ"],
    [[128, 64], [64, 10], [[[1], [0]], [[], []]], "N = 10: a partial column panel"],
    [[7, 150], [150, 13], [[[1], [0]], [[], []]], "K = 150: tfjs-cpu's float64 sums over three blocks of 48 and a partial one"],
    [[5, 1], [1, 7], [[[1], [0]], [[], []]], "K = 1 (an outer product)"],
    [[1, 9], [9, 1], [[[1], [0]], [[], []]], "M = N = 1"],
    [[6], [6, 3], [[[0], [0]], [[], []]], "a vector times a matrix"],
    [[2, 3, 8], [8, 3, 2], [[[2, 1], [0, 1]], [[], []]], "two contracting axes"],
    [[4, 3, 5], [3, 5, 2], [[[2, 1], [1, 0]], [[], []]], "two contracting axes in another order"],
    [[3, 4, 5], [2, 4, 7], [[[1], [1]], [[], []]], "several free axes on each side"],
  ];
  for (const [sa, sb, dims, what] of cases)
    test(`${what}: ${JSON.stringify(sa)} x ${JSON.stringify(sb)} bit for bit with tfjs's matMul`, () => {
      const [a, b] = [values(sa, 1), values(sb, 2)];
      const before = tf.memory().numTensors;
      const got = lax.dotGeneral(a, b, dims) as ArrayImpl;
      const jitted = jit((x: Array, y: Array) => lax.dotGeneral(x, y, dims))(a, b) as ArrayImpl;
      const want = tfjsDot(a, b, dims);
      expect(got.shape).toEqual(want.shape);
      expect(bits(got)).toEqual(bits(want));
      expect(bits(jitted)).toEqual(bits(want));
      [want, got, jitted].forEach((t) => t.dispose());
      expect(tf.memory().numTensors).toBe(before); // no scratch or intermediate left behind
    });

  test("batch axes (also where the batch is not the leading axis)", () => {
    for (const [sa, sb, dims] of [
      [[3, 5, 7], [3, 7, 6], [[[2], [1]], [[0], [0]]]],
      [[5, 3, 7], [7, 6, 3], [[[2], [0]], [[1], [2]]]],
      [[2, 3, 4, 5], [3, 2, 5, 4], [[[3], [2]], [[0, 1], [1, 0]]]],
    ] as [number[], number[], Dims][]) {
      const [a, b] = [values(sa, 3), values(sb, 4)];
      const got = lax.dotGeneral(a, b, dims).dataSync();
      // tfjs-wasm sums a batched product in blocks of 48 (its loop without XNNPACK): not bit for bit
      const want = tfjsDot(a, b, dims);
      want.dataSync().forEach((w, i) => expect(Math.abs(got[i] - w)).toBeLessThanOrEqual(1e-6));
      want.dispose();
    }
    const plan = (sa: number[], sb: number[], [[lc, rc], [lb, rb]]: Dims) =>
      matmulPlan(sa, sb, { dimension_numbers: [[{ items: lc }, { items: rc }], [{ items: lb }, { items: rb }]] });
    // a batch axis in the middle is read in place, with its own stride (and B by a stride of 3)
    expect(plan([5, 3, 7], [7, 6, 3], [[[2], [0]], [[1], [2]]])).toEqual({ B: 3, M: 5, K: 7, N: 6, a: [7, 21, 1], b: [1, 18, 3] });
    // two batch axes in the opposite order in memory are not one stride: the primitive's lowering
    expect(plan([2, 3, 4, 5], [3, 2, 5, 4], [[[3], [2]], [[0, 1], [1, 0]]])).toBeNull();
  });

  test("NaN, infinities and signed zeros propagate as in tfjs", () => {
    const a = jnp.array([[0, Infinity, 1], [-0, 2, NaN], [1, 1, 1], [-1, -0, 0], [3, 4, 5]]);
    const b = jnp.array([[0, 1], [1, -0], [-0, 0]]);
    const dims: Dims = [[[1], [0]], [[], []]];
    const want = tfjsDot(a, b, dims);
    expect(bits(lax.dotGeneral(a, b, dims))).toEqual(bits(want));
    want.dispose();
  });

  test("zero-size operands", () => {
    expect(lax.dotGeneral(jnp.zeros([3, 0]), jnp.zeros([0, 4]), [[[1], [0]], [[], []]]).dataSync()).toEqual(new Float32Array(12));
    expect(lax.dotGeneral(jnp.zeros([0, 2]), jnp.zeros([2, 4]), [[[1], [0]], [[], []]]).shape).toEqual([0, 4]);
  });

  test("axes that do not flatten to one stride take the primitive's lowering", () => {
    // a's free axes 0 and 2 are split by the contracting axis 1
    expect(matmulPlan([3, 4, 5], [4, 2], { dimension_numbers: [[{ items: [1] }, { items: [0] }], [{ items: [] }, { items: [] }]] })).toBeNull();
    const [a, b] = [values([3, 4, 5], 5), values([4, 2], 6)];
    const dims: Dims = [[[1], [0]], [[], []]];
    const want = tfjsDot(a, b, dims);
    expect(bits(lax.dotGeneral(a, b, dims))).toEqual(bits(want));
    want.dispose();
  });

  test("a contraction longer than 131,072 (a packed panel over 4 MiB) takes tfjs's kernel", () => {
    const [a, b] = [values([2, 140000], 8), values([140000, 1], 9)];
    const dims: Dims = [[[1], [0]], [[], []]];
    const want = tfjsDot(a, b, dims);
    expect(bits(lax.dotGeneral(a, b, dims))).toEqual(bits(want));
    want.dispose();
  });

  test("integer dot_general keeps its exact host kernel", () => {
    const a = jnp.array([[2147483647, 2], [3, 4]], { dtype: "int32" });
    const b = jnp.array([[2, 0], [0, 1]], { dtype: "int32" });
    expect([...lax.dotGeneral(a, b, [[[1], [0]], [[], []]]).dataSync()]).toEqual([-2, 2, 6, 4]);
  });
});

describe(`float32 reduce_sum on ${getBackend()}: a product with ones, bit for bit with tf.sum`, () => {
  const cases: [number[], number[]][] = [
    [[128, 40], [0]], // bias gradients: the batch axis leads
    [[37, 40], [1]], // (rows of 32 or fewer sum in XLA's order: below)
    [[3, 5, 7], [0, 1]],
    [[3, 5, 7], [1]],
    [[3, 5, 7], [0, 2]], // not one stride: tf.sum itself
    [[300, 9], [0]],
    [[2, 1, 6], [1]],
    [[300], [0]], // one output column: tf.sum itself
  ];
  for (const [shape, axes] of cases)
    test(`${JSON.stringify(shape)} over ${JSON.stringify(axes)}`, () => {
      const x = values(shape, 7).mul(100); // sums of many magnitudes: rounding shows
      const before = tf.memory().numTensors;
      const got = lax.reduceSum(x, axes) as ArrayImpl;
      const want = tf.sum((x as ArrayImpl).tensor, axes);
      expect(got.shape).toEqual(want.shape);
      expect(bits(got)).toEqual(bits(want));
      [got, want].forEach((t) => t.dispose());
      expect(tf.memory().numTensors).toBe(before);
    });
  test("short rows over the last axis add up in XLA CPU's order: a float32 fold (fusion/sum_order.ts)", () => {
    const x = values([37, 19], 7).mul(100);
    const rows = globalThis.Array.from({ length: 37 }, (_, r) => globalThis.Array.from(x.dataSync().slice(19 * r, 19 * r + 19) as Float32Array));
    const want = jnp.array(rows.map((row) => row.reduce((s, v) => Math.fround(s + v))));
    expect(bits(lax.reduceSum(x, [1]))).toEqual(bits(want));
  });
  test("NaN and infinities", () => {
    const x = jnp.array([[1, Infinity, NaN], [2, -Infinity, 3], [-0, 5, 6]]);
    const want = tf.sum((x as ArrayImpl).tensor, [0]);
    expect(bits(lax.reduceSum(x, [0]))).toEqual(bits(want));
    want.dispose();
  });
});

describe("wasm gemm kernels", () => {
  /** C = A·B on a memory of our own: B in three layouts, partial panels, every count of leftover rows. */
  test("B packed from any layout; any M with one module; every output element written, nothing past C", () => {
    const [N, K] = [11, 6];
    const memory = new WebAssembly.Memory({ initial: 1 });
    const f = new Float32Array(memory.buffer);
    const [A, Bn, Bt, Bs, C, S] = [0, 128, 256, 384, 640, 1024]; // element offsets
    const b = (k: number, n: number) => f[Bn + k * N + n];
    for (let i = 0; i < 9 * K; i++) f[A + i] = i + 1;
    for (let k = 0; k < K; k++)
      for (let n = 0; n < N; n++) {
        f[Bn + k * N + n] = ((k * N + n) % 7) - 3; // [K,N]
        f[Bt + n * K + k] = b(k, n); // [N,K]
        f[Bs + k * 2 * N + 2 * n] = b(k, n); // [K,N] with every other element
      }
    for (const M of [1, 2, 3, 4, 5, 9])
      for (const [sBk, sBn, at] of [[N, 1, Bn], [1, K, Bt], [2 * N, 2, Bs]]) {
        f.fill(NaN, C, C + 9 * N + 1);
        const k = gemmKernel({ M, N, K, sAm: K, sAk: 1, sBk, sBn });
        expect(k.scratchBytes).toBe(K * 8 * 4);
        k.run(memory, A * 4, at * 4, C * 4, S * 4);
        for (let m = 0; m < M; m++)
          for (let n = 0; n < N; n++) {
            let s = 0;
            for (let j = 0; j < K; j++) s += f[A + m * K + j] * b(j, n);
            expect(f[C + m * N + n], `M ${M}, B strides (${sBk}, ${sBn}) at ${m},${n}`).toBe(s);
          }
        expect(f[C + M * N]).toBeNaN();
      }
    expect(gemmKernel({ M: 5, N, K, sAm: K, sAk: 1, sBk: 1, sBn: K }).source).toContain("i8x16.shuffle"); // 4x4 transposes
    // Aᵀ (A read as stored [K,M]: its stride along k is M, an argument of the shared module)
    for (const M of [5, 7]) {
      gemmKernel({ M, N, K, sAm: 1, sAk: M, sBk: N, sBn: 1 }).run(memory, A * 4, Bn * 4, C * 4, S * 4);
      for (let m = 0; m < M; m++)
        for (let n = 0; n < N; n++) {
          let s = 0;
          for (let j = 0; j < K; j++) s += f[A + j * M + m] * b(j, n);
          expect(f[C + m * N + n]).toBe(s);
        }
    }
  });

  test("float64 variant: tfjs-cpu's sums per block of k, rounded to float32 after each", () => {
    const [M, N, K, kBlock] = [6, 5, 11, 4];
    const memory = new WebAssembly.Memory({ initial: 1 });
    const f = new Float64Array(memory.buffer);
    const [A, B, C, S] = [0, 128, 256, 512]; // element offsets (float64)
    const vals = (n: number, seed: number) => globalThis.Array.from({ length: n }, (_, i) => Math.fround(Math.sin(seed * 1000 + i) * 3));
    f.set(vals(M * K, 1), A);
    f.set(vals(K * N, 2), B);
    f.fill(0, C, C + M * N); // C starts at zero
    f[C + M * N] = NaN; // and nothing past it is written
    gemmKernel({ M, N, K, sAm: K, sAk: 1, sBk: N, sBn: 1, f64: { kBlock } }).run(memory, A * 8, B * 8, C * 8, S * 8);
    for (let m = 0; m < M; m++)
      for (let n = 0; n < N; n++) {
        let c = 0; // tfjs-cpu's BatchMatMul: resVals[...] += sum, per block
        for (let k0 = 0; k0 < K; k0 += kBlock) {
          let sum = 0;
          for (let k = k0; k < Math.min(k0 + kBlock, K); k++) sum += f[A + m * K + k] * f[B + k * N + n];
          c = Math.fround(c + sum);
        }
        expect(f[C + m * N + n]).toBe(c);
      }
    expect(f[C + M * N]).toBeNaN();
  });
});
