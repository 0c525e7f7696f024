// lax breadth: top_k, the inverse trig/hyperbolic primitives, erfc, bit counts and lax.linalg,
// against answers JAX prints (the generic harness covers every primitive's modes and rules).
import { expect, test } from "vitest";
import { type Array as JaxArray, ArrayImpl, grad, jnp, jvp, lax, makeJaxpr, vmap } from "../src/index.js";

const values = (x: JaxArray) => Array.from((x as ArrayImpl).dataSync());

test("top_k orders as XLA does: NaN first, +0 above -0, ties to the lower index", () => {
  // jax.lax.top_k(jnp.array([1, nan, 3, 3, -0., 0., -inf, inf]), 8)
  const [v, i] = lax.topK(jnp.array([1, NaN, 3, 3, -0, 0, -Infinity, Infinity]), 8);
  expect(values(v).map((t) => (Object.is(t, -0) ? "-0" : t))).toEqual([NaN, Infinity, 3, 3, 1, 0, "-0", -Infinity]);
  expect(values(i)).toEqual([1, 7, 2, 3, 0, 5, 4, 6]);
  // uint32 rows, and axis 0 of an int32 matrix.
  const [u, ui] = lax.topK(jnp.array([[1, 5, 3], [9, 2, 2]], { dtype: "uint32" }), 2);
  expect([values(u), values(ui)]).toEqual([[5, 3, 9, 2], [1, 2, 0, 1]]);
  const [w, wi] = lax.topK(jnp.array([[1, 5, 3], [9, 2, 2]], { dtype: "int32" }), 2, { axis: 0 });
  expect([values(w), values(wi)]).toEqual([[9, 5, 3, 1, 2, 2], [1, 0, 0, 0, 1, 1]]);
  expect(() => lax.topK(jnp.ones([3]), 4)).toThrow("k argument to top_k must be no larger than size along axis; got k=4 with shape=(3,) and axis=0");
});

test("top_k's jvp gathers the tangent at the indices, as JAX's rule stages it", () => {
  const f = (x: JaxArray) => lax.topK(x, 2)[0];
  const text = String(makeJaxpr((x: JaxArray, t: JaxArray) => jvp(f, [x], [t]))(jnp.ones([3, 4]), jnp.ones([3, 4])));
  expect(text).toContain("c:f32[3,2] d:i32[3,2] = top_k[axis=1 is_stable=True k=2] a");
  expect(text).toContain("e:i32[3,2,1] = reshape[dimensions=None new_sizes=(3, 2, 1) sharding=None] d");
  expect(text).toContain(
    "dimension_numbers=GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=(1,), start_index_map=(1,), operand_batching_dims=(0,), start_indices_batching_dims=(0,))",
  );
  // The gradient of the sum of the top 2 is the indicator of where they were.
  expect(values(grad((x: JaxArray) => jnp.sum(f(x)))(jnp.array([0.5, 3, -1, 2])))).toEqual([0, 1, 0, 1]);
  // vmap over rows is top_k along the rows' axis.
  expect(values(vmap((x: JaxArray) => lax.topK(x, 1)[1])(jnp.array([[1, 3], [4, 2]])))).toEqual([1, 0]);
});

test("inverse trig and hyperbolic derivatives are JAX's rules", () => {
  // str(jax.make_jaxpr(jax.grad(lambda x: lax.asin(x) + lax.sinh(x)))(0.5))
  expect(String(makeJaxpr(grad((x: JaxArray) => lax.add(lax.asin(x), lax.sinh(x))))(0.5))).toBe(
    [
      "{ lambda ; a:f32[]. let",
      "    b:f32[] = asin a",
      "    c:f32[] = square a",
      "    d:f32[] = sub 1.0:f32[] c",
      "    e:f32[] = rsqrt d",
      "    f:f32[] = sinh a",
      "    g:f32[] = cosh a",
      "    _:f32[] = add b f",
      "    h:f32[] = mul 1.0:f32[] g",
      "    i:f32[] = mul 1.0:f32[] e",
      "    j:f32[] = add_any h i",
      "  in (j,) }",
    ].join("\n"),
  );
});

test("erfc, clz and population_count give JAX's answers", () => {
  // lax.erfc: [1.8427007e+00 1. 4.7950017e-01 2.2090497e-05]; erfc(10) = 2.1e-45, a subnormal
  // (XLA on CPU flushes it to 0).
  // Within an ulp: erfc(-1) = 1.84270079..., which rounds to 1.8427008 in float32 (XLA's is an ulp below).
  const want = [1.8427007, 1, 0.47950017, 2.2090497e-5, 2.1e-45];
  values(lax.erfc(jnp.array([-1, 0, 0.5, 3, 10]))).forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(2 ** -23 * Math.abs(want[i]) + 1e-45));
  expect(values(lax.clz(jnp.array([0, 1, -1, 255, 65536], { dtype: "int32" })))).toEqual([32, 31, 0, 24, 15]);
  expect(values(lax.clz(jnp.array([0, 1, 4294967295, 255], { dtype: "uint32" })))).toEqual([32, 31, 0, 24]);
  expect(values(lax.populationCount(jnp.array([0, 1, -1, 255, 65536], { dtype: "int32" })))).toEqual([0, 1, 32, 8, 1]);
});

test("lax.linalg: triangular_solve on either side, cholesky, lu", () => {
  const a = jnp.array([
    [2, 0],
    [1, 4],
  ]);
  // lax.linalg.triangular_solve(a, [[2., 4.]], lower=True) is [[0.5 1.]] (x @ a = b).
  expect(values(lax.linalg.triangularSolve(a, jnp.array([[2, 4]]), { lower: true }))).toEqual([0.5, 1]);
  expect(values(lax.linalg.triangularSolve(a, jnp.array([[2], [4]]), { leftSide: true, lower: true }))).toEqual([1, 0.75]);
  expect(values(lax.linalg.cholesky(jnp.array([[4, 2], [2, 5]])))).toEqual([2, 0, 1, 2]);
  const [lu, pivots, perm] = lax.linalg.lu(jnp.array([[1, 2], [3, 4]]));
  expect([values(lu), values(pivots), values(perm)]).toEqual([[3, 4, Math.fround(1 / 3), Math.fround(2 - 4 / 3)], [1, 1], [1, 0]]);
});
