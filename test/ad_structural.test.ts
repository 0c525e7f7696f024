// Transformation rules of the structural primitives, the reductions and dot_general:
// (a) jaxprs of grad/vmap, against the texts JAX prints for the same programs
//     (scripts/jax_reference/jaxpr_texts.py, "ad_structural/*"; the rule each exercises noted),
// (b) gradients and jvps against central differences, vmap against a loop over the batch, for
//     every primitive with rules in src/lax/structural.ts and reductions.ts.
import { describe, expect, it } from "vitest";
import { type Array, grad, hessian, jit, jnp, jvp, lax, makeJaxpr, vmap } from "../src/index.js";
import { rev, split } from "../src/lax/structural.js";
import { bind, bind1 } from "../src/tracer/core.js";
import { reshape_p, unstack_p } from "../src/lax/structural.js";
import { jaxText } from "./jax_texts.js";

// ---- data and comparisons ----------------------------------------------------------------------

let seed = 7;
const rnd = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return (seed / 2 ** 31) * 2 - 1;
};
const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const fromFlat = (xs: ArrayLike<number>, shape: readonly number[]): Array => lax.reshape(jnp.array(Float32Array.from(xs)), shape);
const randn = (...shape: number[]): Array => fromFlat(globalThis.Array.from({ length: sizeOf(shape) }, rnd), shape);
const flat = (x: Array): number[] => [...(x as any).dataSync()].map(Number);
const range = (n: number) => [...globalThis.Array(n).keys()];

function expectClose(got: number[], want: number[], tol: number) {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    if (Math.abs(g - want[i]) > tol * (1 + Math.abs(want[i]))) expect.fail(`element ${i}: got ${g}, want ${want[i]} (got [${got}], want [${want}])`);
  });
}

/** <f(x), w> for a fixed random w, written with dot_general so only this file's rules are needed. */
function pairing(f: (...xs: Array[]) => Array, args: Array[]) {
  const out = f(...args);
  const w = randn(...out.shape);
  const n = out.size;
  return (...xs: Array[]) => lax.dotGeneral(lax.reshape(f(...xs), [n]), lax.reshape(w, [n]), [[[0], [0]], [[], []]]);
}

/**
 * grad of <f(args), w> with respect to `argnum` against central differences, and jvp along a
 * random direction against the same differences.
 */
function checkGrad(f: (...xs: Array[]) => Array, args: Array[], { argnum = 0, eps = 1e-2, tol = 1e-2 } = {}) {
  const loss = pairing(f, args);
  const at = (k: number, d: number) => {
    const xs = flat(args[argnum]);
    xs[k] += d;
    const a = [...args];
    a[argnum] = fromFlat(xs, args[argnum].shape);
    return Number(loss(...a).item());
  };
  const fd = range(args[argnum].size).map((k) => (at(k, eps) - at(k, -eps)) / (2 * eps));
  const g = grad(loss, { argnums: argnum })(...args) as Array;
  expect(g.shape).toEqual(args[argnum].shape);
  expectClose(flat(g), fd, tol);
  expectClose(flat(jit(grad(loss, { argnums: argnum }))(...args) as Array), fd, tol);
  const v = randn(...args[argnum].shape);
  const tangents = args.map((a, i) => (i === argnum ? v : jnp.zeros(a.shape)));
  const [, t] = jvp(loss, args, tangents) as [Array, Array];
  const vs = flat(v);
  expectClose([Number(t.item())], [fd.reduce((s, d, k) => s + d * vs[k], 0)], tol);
}

/** Element `i` of `x` along `axis`, eagerly. */
const take = (x: Array, i: number, axis: number): Array =>
  lax.squeeze(
    lax.slice(
      x,
      x.shape.map((_, d) => (d === axis ? i : 0)),
      x.shape.map((s, d) => (d === axis ? i + 1 : s)),
    ),
    [axis],
  );

/** vmap(f) (and jit of it) against f applied to each example and stacked along `outAxes`. */
function checkVmap(f: (...xs: Array[]) => Array, args: Array[], inAxes: (number | null)[], outAxes = 0) {
  const k = inAxes.findIndex((a) => a !== null);
  const ax = (i: number) => (inAxes[i]! < 0 ? inAxes[i]! + args[i].ndim : inAxes[i]!);
  const size = args[k].shape[ax(k)];
  const per = range(size).map((b) => f(...args.map((a, i) => (inAxes[i] === null ? a : take(a, b, ax(i))))));
  const want = lax.stack(per, outAxes < 0 ? outAxes + per[0].ndim + 1 : outAxes);
  for (const g of [vmap(f, { inAxes, outAxes }), jit(vmap(f, { inAxes, outAxes }))]) {
    const got = g(...args) as Array;
    expect(got.shape).toEqual(want.shape);
    expect(got.dtype).toBe(want.dtype);
    expectClose(flat(got), flat(want), 1e-5);
  }
}


// ---- (a) printed jaxprs ------------------------------------------------------------------------

describe("jaxprs as JAX prints them", () => {
  // reduce_sum's transpose is broadcast_in_dim with broadcast_dimensions np.delete(arange, axes)
  // (empty here, so JAX's pp rule hides it); the seed cotangent is the literal 1.0.
  it("grad of a full sum", () => {
    expect(String(makeJaxpr(grad((x: Array) => lax.reduceSum(x, [0, 1])))(jnp.ones([2, 3])))).toBe(jaxText("ad_structural/grad_sum"));
  });

  // A partial sum's transpose keeps axis 1, computed by numpy: np.int64(1).
  it("grad of a sum of a partial sum", () => {
    const f = (x: Array) => lax.reduceSum(lax.reduceSum(x, [0]), [0]);
    expect(String(makeJaxpr(grad(f))(jnp.ones([2, 3])))).toBe(jaxText("ad_structural/grad_sum_of_partial_sum"));
  });

  // _dot_general_transpose_rhs: swapped dimension numbers, ans_y = range(0, 1) (swap_ans), and
  // out_axes = argsort([1, 0]): dot_general of the cotangent with x, then transpose.
  it("grad of a matmul loss", () => {
    const f = (w: Array, x: Array) => jnp.sum(jnp.matmul(x, w));
    expect(String(makeJaxpr(grad(f))(jnp.ones([3, 2]), jnp.ones([2, 3])))).toBe(jaxText("ad_structural/grad_matmul_rhs"));
  });

  // _dot_general_transpose_lhs: ans_y = range(1, 2), dims ((1,), (1,)); out_axes is the identity.
  it("grad of a matmul loss, lhs", () => {
    const f = (x: Array, w: Array) => jnp.sum(jnp.matmul(x, w));
    expect(String(makeJaxpr(grad(f))(jnp.ones([2, 3]), jnp.ones([3, 4])))).toBe(jaxText("ad_structural/grad_matmul_lhs"));
  });

  // _slice_transpose: pad with (start, np.subtract(shape, limit), 0): the high padding is numpy's.
  it("grad of a slice", () => {
    const f = (x: Array) => lax.reduceSum(lax.slice(x, [1], [3]), [0]);
    expect(String(makeJaxpr(grad(f))(jnp.ones([5])))).toBe(jaxText("ad_structural/grad_slice"));
  });

  // _pad_transpose: negative padding by np.negative, then a slice with numpy start and strides;
  // the padding value's tangent is an instantiated zero literal, not a linear input. (The
  // operands wrap: the line is past 80 columns.)
  it("grad of a pad with interior padding", () => {
    const f = (x: Array) => lax.reduceSum(lax.pad(x, 0, [[1, 2, 1]]), [0]);
    expect(String(makeJaxpr(grad(f))(jnp.ones([3])))).toBe(jaxText("ad_structural/grad_pad_interior"));
  });

  // _concatenate_transpose_rule: split of the cotangent at the operands' sizes.
  it("grad of a concatenation", () => {
    const f = (x: Array, y: Array) => lax.reduceSum(lax.concatenate([x, y], 0), [0]);
    expect(String(makeJaxpr(grad(f, { argnums: [0, 1] }))(jnp.ones([2]), jnp.ones([3])))).toBe(jaxText("ad_structural/grad_concatenate"));
  });

  // _broadcast_in_dim_transpose_rule: size-1 operand axes are summed too, then put back by
  // expand_dims (a broadcast_in_dim).
  it("grad of a broadcast from a size-1 axis", () => {
    const f = (x: Array) => lax.reduceSum(lax.broadcastInDim(x, [4, 3], [0, 1]), [0, 1]);
    expect(String(makeJaxpr(grad(f))(jnp.ones([1, 3])))).toBe(jaxText("ad_structural/grad_broadcast_size1"));
  });

  // _reduce_chooser_jvp_rule: eq against the reshaped max, convert_element_type, counts by
  // reduce_sum; the linear part is mul, reduce_sum, div, transposed as div, broadcast_in_dim, mul.
  // (Needs elementwise transposes of div and mul.)
  it("grad of a max", () => {
    const f = (x: Array) => lax.reduceMax(x, [0]);
    expect(String(makeJaxpr(grad(f))(jnp.array([1, 3, 2])))).toBe(
      // JAX 0.11 gives reduce_max an out_sharding param (lax.py reduce_max: reduce_max_p.bind(operand,
      // axes=tuple(axes), out_sharding=out_sharding)); 0.10.2 had none.
      jaxText("ad_structural/grad_reduce_max", [["reduce_max[axes=(0,)]", "reduce_max[axes=(0,) out_sharding=None]"]]),
    );
  });

  // _reduce_prod_jvp_rule -> _reduce_jvp: the primal and tangent both come from a pairwise
  // product tree (slice_in_dim halves, the odd one padded with 1.0, mul, then squeeze), so the
  // jaxpr has no reduce_prod; the transposes are mul, pad (slices), add_any and pad/slice (pad).
  // (Needs elementwise transposes of mul.)
  it("grad of a product", () => {
    expect(String(makeJaxpr(grad((x: Array) => lax.reduceProd(x, [0])))(jnp.array([1, 2, 3])))).toBe(jaxText("ad_structural/grad_reduce_prod"));
  });

  // reducer_batcher: axes shifted past the batch axis by np.where (np.int64), the batch axis is
  // the first kept one.
  it("vmap of a sum over in_axes=1", () => {
    const f = vmap((x: Array) => lax.reduceSum(x, [0]), { inAxes: 1 });
    expect(String(makeJaxpr(f)(jnp.ones([2, 3])))).toBe(jaxText("ad_structural/vmap_sum_in_axes_1"));
  });

  // _dot_general_batch_dim_nums, both batched: a leading batch dimension (dims bumped, then
  // made Python ints by lax.dot_general).
  it("vmap of a matmul", () => {
    const f = vmap((a: Array, b: Array) => jnp.matmul(a, b));
    expect(String(makeJaxpr(f)(jnp.ones([4, 2, 3]), jnp.ones([4, 3, 5])))).toBe(jaxText("ad_structural/vmap_matmul"));
  });

  // Only the rhs batched: its batch axis becomes a free dimension at position
  // lhs_ndim - len(lhs_contract) = 1, moved to 0 for out_axes.
  it("vmap of a matmul with an unbatched lhs", () => {
    const f = vmap((a: Array, b: Array) => jnp.matmul(a, b), { inAxes: [null, 0] });
    expect(String(makeJaxpr(f)(jnp.ones([2, 3]), jnp.ones([4, 3, 5])))).toBe(jaxText("ad_structural/vmap_matmul_unbatched_lhs"));
  });

  // _broadcast_in_dim_batch_rule: (0,) + np.add(1, broadcast_dimensions).
  it("vmap of a broadcast", () => {
    const f = vmap((x: Array) => lax.broadcastInDim(x, [2, 3], [1]));
    expect(String(makeJaxpr(f)(jnp.ones([4, 3])))).toBe(jaxText("ad_structural/vmap_broadcast"));
  });

  // _cumsum_transpose_rule: a cumsum in the other direction.
  it("grad of a cumsum", () => {
    const f = (x: Array) => lax.reduceSum(lax.cumsum(x, 0), [0]);
    expect(String(makeJaxpr(grad(f))(jnp.ones([3])))).toBe(jaxText("ad_structural/grad_cumsum"));
  });
});

// ---- (b) numbers ---------------------------------------------------------------------------------

describe("gradients against finite differences", () => {
  it("broadcast_in_dim", () => {
    checkGrad((x) => lax.broadcastInDim(x, [2, 3], [1]), [randn(3)]);
    checkGrad((x) => lax.broadcastInDim(x, [2, 3, 4], [0, 1]), [randn(1, 3)]);
    checkGrad((x) => lax.broadcastInDim(x, [2, 2], []), [randn()]);
  });
  it("reshape (also with dimensions), transpose, squeeze, expand_dims", () => {
    checkGrad((x) => lax.reshape(x, [3, 2]), [randn(2, 3)]);
    checkGrad((x) => bind1(reshape_p, [x], { dimensions: [1, 0], new_sizes: [6], sharding: null }), [randn(2, 3)]);
    checkGrad((x) => lax.transpose(x, [2, 0, 1]), [randn(2, 3, 2)]);
    checkGrad((x) => lax.squeeze(x, [0, 2]), [randn(1, 3, 1)]);
    checkGrad((x) => lax.expandDims(x, [0, 2]), [randn(3)]);
  });
  it("concatenate, stack, split, unstack, rev", () => {
    const [x, y] = [randn(2, 3), randn(2, 1)];
    checkGrad((a, b) => lax.concatenate([a, b], 1), [x, y]);
    checkGrad((a, b) => lax.concatenate([a, b], 1), [x, y], { argnum: 1 });
    checkGrad((a, b) => lax.stack([a, b], 1), [randn(2, 3), randn(2, 3)], { argnum: 1 });
    checkGrad((a) => lax.concatenate(split(a, [1, 3], 1).reverse(), 1), [randn(2, 4)]);
    checkGrad((a) => lax.concatenate(bind(unstack_p, [a], { axis: 1 }).slice(1), 0), [randn(2, 3)]);
    checkGrad((a) => rev(a, [0, 1]), [randn(2, 3)]);
  });
  it("slice (strided), pad (negative and interior, and its padding value)", () => {
    checkGrad((x) => lax.slice(x, [0, 1], [2, 4]), [randn(3, 4)]);
    checkGrad((x) => lax.slice(x, [1, 0], [5, 4], [2, 3]), [randn(5, 4)]);
    checkGrad((x) => lax.pad(x, 0.5, [[1, -1, 2], [0, 2, 0]]), [randn(3, 2)]);
    checkGrad((x, v) => lax.pad(x, v, [[2, 1, 1]]), [randn(3), randn()], { argnum: 1 });
  });
  it("dynamic_slice, dynamic_update_slice", () => {
    const i = jnp.array(1, { dtype: "int32" });
    const j = jnp.array(5, { dtype: "int32" }); // clamped
    checkGrad((x) => lax.dynamicSlice(x, [i, j], [2, 2]), [randn(3, 4)]);
    checkGrad((x, u) => lax.dynamicUpdateSlice(x, u, [i, j]), [randn(3, 4), randn(2, 2)]);
    checkGrad((x, u) => lax.dynamicUpdateSlice(x, u, [i, j]), [randn(3, 4), randn(2, 2)], { argnum: 1 });
  });
  it("reduce_sum, reduce_max, reduce_min, reduce_prod", () => {
    checkGrad((x) => lax.reduceSum(x, [0, 2]), [randn(2, 3, 2)]);
    checkGrad((x) => lax.reduceMax(x, [1]), [randn(2, 3)]);
    checkGrad((x) => lax.reduceMin(x, [0, 1]), [randn(2, 3)]);
    checkGrad((x) => lax.reduceProd(x, [1]), [randn(2, 5)]);
    checkGrad((x) => lax.reduceProd(x, [0, 2]), [randn(2, 3, 2)]);
    // Reducing an empty axis: the cotangent is empty too.
    expect((grad((x: Array) => lax.reduceSum(lax.reduceSum(x, [0]), [0]))(jnp.zeros([0, 2])) as Array).shape).toEqual([0, 2]);
  });
  it("cumsum, cumprod (both directions)", () => {
    checkGrad((x) => lax.cumsum(x, 1), [randn(2, 4)]);
    checkGrad((x) => lax.cumsum(x, 0, true), [randn(3, 2)]);
    checkGrad((x) => lax.cumprod(x, 1), [randn(2, 5)]);
    checkGrad((x) => lax.cumprod(x, 0, true), [randn(4, 2)]);
  });
  it("dot_general: contracting and batch dimensions, each operand", () => {
    const dn: [[number[], number[]], [number[], number[]]] = [[[2], [1]], [[0], [0]]];
    checkGrad((a, b) => lax.dotGeneral(a, b, dn), [randn(2, 3, 4), randn(2, 4, 3)]);
    checkGrad((a, b) => lax.dotGeneral(a, b, dn), [randn(2, 3, 4), randn(2, 4, 3)], { argnum: 1 });
    // Batch dimensions not in front, two contracting dimensions in different orders.
    const dn2: [[number[], number[]], [number[], number[]]] = [[[0, 2], [2, 1]], [[1], [0]]];
    checkGrad((a, b) => lax.dotGeneral(a, b, dn2), [randn(3, 2, 4), randn(2, 4, 3, 2)]);
    checkGrad((a, b) => lax.dotGeneral(a, b, dn2), [randn(3, 2, 4), randn(2, 4, 3, 2)], { argnum: 1 });
    checkGrad((a, b) => lax.dot(a, b), [randn(3), randn(3, 2)]);
  });
  it("second order: the hessian of x·Ax is A + Aᵀ", () => {
    const A = randn(3, 3);
    const h = hessian((x: Array) => lax.dot(x, lax.dot(A, x)))(randn(3)) as Array;
    const a = flat(A);
    expectClose(
      flat(h),
      range(9).map((k) => a[k] + a[(k % 3) * 3 + Math.floor(k / 3)]),
      1e-5,
    );
  });
  it("argmax, iota and integer reductions carry no tangent", () => {
    const f = (x: Array) => lax.mul(lax.convertElementType(lax.argmax(x, 0), "float32"), lax.reduceSum(x, [0]));
    const x = jnp.array([1, 5, 2]);
    // d/dx (argmax(x) * sum(x)) = argmax(x) everywhere.
    expect(flat(grad(f)(x) as Array)).toEqual([1, 1, 1]);
  });
});

describe("vmap against a loop over the batch", () => {
  it("broadcast_in_dim, reshape, transpose, squeeze", () => {
    checkVmap((x) => lax.broadcastInDim(x, [2, 3], [1]), [randn(3, 4)], [1]);
    checkVmap((x) => lax.reshape(x, [6]), [randn(2, 4, 3)], [1]);
    checkVmap((x) => bind1(reshape_p, [x], { dimensions: [1, 0], new_sizes: [6], sharding: null }), [randn(2, 3, 4)], [2]);
    checkVmap((x) => lax.transpose(x, [1, 0]), [randn(2, 4, 3)], [1], 2);
    checkVmap((x) => lax.squeeze(x, [1]), [randn(2, 4, 1)], [1]);
  });
  it("concatenate, stack, split, unstack, rev", () => {
    checkVmap((a, b) => lax.concatenate([a, b], 0), [randn(2, 4), randn(3)], [1, null]);
    checkVmap((a, b) => lax.stack([a, b], 0), [randn(4, 2), randn(2, 4)], [0, 1]);
    checkVmap((a, b) => lax.stack([a, b], 1), [randn(2, 4), randn(2, 4)], [1, 1]);
    checkVmap((a, b) => lax.stack([a, b], 0), [randn(2, 4), randn(2)], [1, null]);
    checkVmap((a) => split(a, [1, 2], 0)[1], [randn(3, 4)], [1]);
    checkVmap((a) => bind(unstack_p, [a], { axis: 1 })[2], [randn(2, 4, 3)], [1]);
    checkVmap((a) => rev(a, [0]), [randn(3, 4)], [1]);
  });
  it("slice and pad (operand, padding value or both batched)", () => {
    checkVmap((x) => lax.slice(x, [1, 0], [3, 3], [1, 2]), [randn(3, 5, 3)], [1]);
    checkVmap((x, v) => lax.pad(x, v, [[1, 2, 1]]), [randn(2, 4), jnp.array(9)], [1, null]);
    checkVmap((x, v) => lax.pad(x, v, [[1, -1, 1]]), [randn(3), randn(4)], [null, 0]);
    checkVmap((x, v) => lax.pad(x, v, [[0, 1, 0], [2, 0, 1]]), [randn(2, 4, 2), randn(4)], [1, 0]);
  });
  it("dynamic_slice and dynamic_update_slice (batched and unbatched starts)", () => {
    const idx = jnp.array([0, 2, 1], { dtype: "int32" });
    const one = jnp.array(1, { dtype: "int32" });
    checkVmap((x, i) => lax.dynamicSlice(x, [i, one], [2, 2]), [randn(4, 3, 3), one], [1, null]);
    checkVmap((x, i) => lax.dynamicSlice(x, [i, one], [2, 2]), [randn(4, 3, 3), idx], [2, 0]);
    checkVmap((x, i) => lax.dynamicSlice(x, [i, one], [2, 2]), [randn(4, 3), idx], [null, 0]);
    checkVmap((x, u, i) => lax.dynamicUpdateSlice(x, u, [i, one]), [randn(4, 3, 3), randn(2, 2), one], [2, null, null]);
    checkVmap((x, u, i) => lax.dynamicUpdateSlice(x, u, [i, one]), [randn(4, 3), randn(2, 2, 3), idx], [null, 2, 0]);
  });
  it("reductions, arg-reductions and cumulative reductions", () => {
    checkVmap((x) => lax.reduceSum(x, [0]), [randn(3, 4, 2)], [1]);
    checkVmap((x) => lax.reduceMax(x, [1]), [randn(3, 4, 2)], [2]);
    checkVmap((x) => lax.reduceMin(x, [0, 1]), [randn(3, 4, 2)], [0]);
    checkVmap((x) => lax.reduceProd(x, [1]), [randn(3, 4, 2)], [-1]);
    checkVmap((x) => lax.reduceAnd(lax.gt(x, 0), [0]), [randn(3, 4)], [1]);
    checkVmap((x) => lax.reduceOr(lax.gt(x, 0), [0]), [randn(3, 4)], [1]);
    checkVmap((x) => lax.argmax(x, 0), [randn(3, 4)], [1]);
    checkVmap((x) => lax.argmin(x, 1), [randn(3, 4, 2)], [0]);
    checkVmap((x) => lax.cumsum(x, 0, true), [randn(3, 4)], [1]);
    checkVmap((x) => lax.cumprod(x, 1), [randn(3, 4, 5)], [0]);
  });
  it("dot_general: either or both operands batched, at any axis, with batch dimensions", () => {
    const dn: [[number[], number[]], [number[], number[]]] = [[[2], [1]], [[0], [0]]];
    const f = (a: Array, b: Array) => lax.dotGeneral(a, b, dn);
    checkVmap(f, [randn(2, 5, 3, 4), randn(2, 4, 3)], [1, null]);
    checkVmap(f, [randn(2, 3, 4), randn(2, 4, 3, 5)], [null, 3]);
    checkVmap(f, [randn(2, 3, 5, 4), randn(5, 2, 4, 3)], [2, 0], 1);
    checkVmap((a, b) => lax.dot(a, b), [randn(3, 4), randn(3, 4)], [1, 1]);
  });
  it("vmap of grad (per-example gradients of a matmul loss)", () => {
    const loss = (w: Array, x: Array) => jnp.sum(jnp.matmul(x, w));
    checkVmap((w, x) => grad(loss)(w, x) as Array, [randn(3, 2), randn(5, 4, 3)], [null, 0]);
  });
});
