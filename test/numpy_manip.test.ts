// jnp breadth (var/std, tile, repeat, flip, roll, tril/triu, meshgrid, pad modes, split, diag,
// trace, sort/argsort, isclose) against NumPy's documented answers.
import { expect, test } from "vitest";
import { jnp } from "../src/index.js";

const a = jnp.array([
  [1, 2, 3],
  [4, 5, 6],
]);

test("statistics and shape helpers give NumPy's answers", () => {
  expect(String(jnp.var(a))).toBe("2.9166667");
  expect(String(jnp.std(a, 0))).toBe("[1.5 1.5 1.5]");
  expect(String(jnp.var(jnp.array([1, 2, 3, 4]), null, { ddof: 1 }))).toBe("1.6666666");
  expect(String(jnp.tile(jnp.array([1, 2]), [2, 2]))).toBe("[[1. 2. 1. 2.]\n [1. 2. 1. 2.]]");
  expect(String(jnp.repeat(jnp.array([1, 2]), 2))).toBe("[1. 1. 2. 2.]");
  expect(String(jnp.repeat(a, 2, 0))).toBe("[[1. 2. 3.]\n [1. 2. 3.]\n [4. 5. 6.]\n [4. 5. 6.]]");
  expect(String(jnp.flip(a, 1))).toBe("[[3. 2. 1.]\n [6. 5. 4.]]");
  expect(String(jnp.roll(jnp.array([1, 2, 3, 4]), 1))).toBe("[4. 1. 2. 3.]");
  expect(String(jnp.roll(jnp.array([1, 2, 3, 4]), -5))).toBe("[2. 3. 4. 1.]");
  expect(String(jnp.tril(jnp.ones([3, 3])))).toBe("[[1. 0. 0.]\n [1. 1. 0.]\n [1. 1. 1.]]");
  expect(String(jnp.triu(jnp.ones([3, 3]), 1))).toBe("[[0. 1. 1.]\n [0. 0. 1.]\n [0. 0. 0.]]");
  const [X, Y] = jnp.meshgrid([jnp.array([1, 2, 3]), jnp.array([4, 5])]);
  expect(String(X)).toBe("[[1. 2. 3.]\n [1. 2. 3.]]");
  expect(String(Y)).toBe("[[4. 4. 4.]\n [5. 5. 5.]]");
  expect(jnp.meshgrid([jnp.array([1, 2, 3]), jnp.array([4, 5])], { indexing: "ij" })[0].shape).toEqual([3, 2]);
});

test("pad modes match numpy.pad's documented examples", () => {
  const x = jnp.array([1, 2, 3]);
  expect(String(jnp.pad(x, 2, { mode: "reflect" }))).toBe("[3. 2. 1. 2. 3. 2. 1.]");
  expect(String(jnp.pad(x, 2, { mode: "symmetric" }))).toBe("[2. 1. 1. 2. 3. 3. 2.]");
  expect(String(jnp.pad(x, 2, { mode: "wrap" }))).toBe("[2. 3. 1. 2. 3. 1. 2.]");
  expect(String(jnp.pad(x, [1, 2], { mode: "edge" }))).toBe("[1. 1. 2. 3. 3. 3.]");
  expect(String(jnp.pad(x, [1, 2], { constantValues: 9 }))).toBe("[9. 1. 2. 3. 9. 9.]");
});

test("split, diag, trace, sort, argsort, isclose", () => {
  expect(jnp.split(jnp.arange(6, undefined, 1, { dtype: "int32" }), 3).map(String)).toEqual(["[0 1]", "[2 3]", "[4 5]"]);
  expect(jnp.split(jnp.arange(5, undefined, 1, { dtype: "int32" }), [2, 3]).map(String)).toEqual(["[0 1]", "[2]", "[3 4]"]);
  expect(String(jnp.diag(a))).toBe("[1. 5.]");
  expect(String(jnp.diag(a, 1))).toBe("[2. 6.]");
  expect(String(jnp.diag(jnp.array([1, 2]), 1))).toBe("[[0. 1. 0.]\n [0. 0. 2.]\n [0. 0. 0.]]");
  expect(String(jnp.trace(jnp.eye(3)))).toBe("3.0");
  expect(String(jnp.sort(jnp.array([3, 1, NaN, 2])))).toBe("[ 1.  2.  3. nan]");
  expect(String(jnp.argsort(jnp.array([3, 1, 2])))).toBe("[1 2 0]");
  expect(jnp.allclose(jnp.array([1, 2]), jnp.array([1, 2.0000001]))).toBe(true);
  expect(String(jnp.isclose(jnp.array([1, 2]), jnp.array([1.1, 2])))).toBe("[False  True]");
});
