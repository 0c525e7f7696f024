// jnp.linalg against closed forms and NumPy's documented answers; derivatives against the
// matrix-calculus identities (d det = det tr(A⁻¹ dA), d A⁻¹ = -A⁻¹ dA A⁻¹).
import { expect, test } from "vitest";
import { type Array, grad, jit, jnp, vmap } from "../src/index.js";

const vals = (x: Array) => globalThis.Array.from(x.dataSync() as Float32Array);
const close = (x: Array, want: number[], tol = 1e-5) => {
  const v = vals(x);
  expect(v.length).toBe(want.length);
  v.forEach((g, i) => expect(Math.abs(g - want[i])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want[i]))));
};
const m22 = jnp.array([
  [1, 2],
  [3, 4],
]);

test("inv, det, slogdet, solve, cholesky and norms give NumPy's answers", () => {
  close(jnp.linalg.inv(m22), [-2, 1, 1.5, -0.5]); // numpy.linalg.inv docstring
  close(jnp.linalg.det(m22), [-2]); // numpy.linalg.det docstring: -2.0000000000000004
  const [s, l] = jnp.linalg.slogdet(m22);
  close(s, [-1]);
  close(l, [Math.log(2)]);
  // numpy.linalg.solve docstring: 3x0 + x1 = 9, x0 + 2x1 = 8 -> [2, 3]
  close(jnp.linalg.solve(jnp.array([[3, 1], [1, 2]]), jnp.array([9, 8])), [2, 3]);
  // numpy.linalg.cholesky docstring: [[1,-2j],[2j,5]] is complex; a real analogue: [[4,2],[2,5]] -> [[2,0],[1,2]]
  close(jnp.linalg.cholesky(jnp.array([[4, 2], [2, 5]])), [2, 0, 1, 2]);
  close(jnp.linalg.norm(jnp.array([3, 4])), [5]);
  const b = jnp.array([[-4, -3, -2], [-1, 0, 1], [2, 3, 4]]); // numpy.linalg.norm docstring
  close(jnp.linalg.norm(b), [7.745966692414834]);
  close(jnp.linalg.norm(b, Infinity), [9]);
  close(jnp.linalg.norm(b, 1), [7]);
  close(jnp.linalg.norm(jnp.array([-4, -3, -2, -1, 0, 1, 2, 3, 4]), Infinity), [4]);
  close(jnp.linalg.norm(jnp.array([-4, -3, -2, -1, 0, 1, 2, 3, 4]), 3), [5.8480354764257312]);
});

test("batched and jitted factorizations", () => {
  const batch = jnp.stack([m22, jnp.array([[2, 0], [0, 4]])]);
  close(jnp.linalg.det(batch), [-2, 8]);
  close(jit((a: Array) => jnp.linalg.inv(a))(batch), [-2, 1, 1.5, -0.5, 0.5, 0, 0, 0.25]);
  close(vmap((a: Array) => jnp.linalg.det(a))(batch), [-2, 8]);
});

test("derivatives follow the matrix-calculus identities", () => {
  // d det(A) / dA = det(A) A^-T = [[4, -3], [-2, 1]] for [[1,2],[3,4]]
  close(grad((a: Array) => jnp.linalg.det(a))(m22) as Array, [4, -3, -2, 1], 1e-4);
  // d log|det A| / dA = A^-T
  close(grad((a: Array) => jnp.linalg.slogdet(a)[1])(m22) as Array, [-2, 1.5, 1, -0.5], 1e-4);
  // d sum(solve(A, b)) / db = A^-T 1
  const A = jnp.array([[3, 1], [1, 2]]);
  close(grad((b: Array) => jnp.sum(jnp.linalg.solve(A, b)))(jnp.array([9, 8])) as Array, [0.2, 0.4], 1e-4);
  // d trace(chol(A)) for A = [[4,2],[2,5]]: finite differences of a symmetric perturbation
  const f = (a: Array) => jnp.sum(jnp.linalg.cholesky(a));
  const g = vals(grad(f)(jnp.array([[4, 2], [2, 5]])) as Array);
  const eps = 1e-3;
  const fd = (i: number, j: number) => {
    const p = [[4, 2], [2, 5]];
    const q = p.map((r) => [...r]);
    p[i][j] += eps;
    q[i][j] -= eps;
    return (vals(f(jnp.array(p)))[0] - vals(f(jnp.array(q)))[0]) / (2 * eps);
  };
  // cholesky symmetrizes its input, so the gradient is symmetric and sums the two halves.
  expect(Math.abs(g[0] - fd(0, 0))).toBeLessThan(2e-2);
  expect(Math.abs(g[1] + g[2] - (fd(0, 1) + fd(1, 0)))).toBeLessThan(2e-2);
});
